"""The keyness page (after scattertext, Kessler 2017): the words of two outlets or groups placed by their counts,
coloured by the log-odds z-score of ``compare.distinctive_terms`` (Monroe, Colaresi & Quinn 2008), searchable, linked
to example sentences; one offline page, ``OUT/rendered/keyness.html``, every word in ``keyness.csv`` beside it.

>>> counts = pd.DataFrame({"group": list("AABB"), "term": list("xyxz"), "ngram": 1, "count": [5, 1, 1, 4]})
>>> words(counts, "A", "B").values.tolist()
[['x', 5, 1, 0.2295], ['y', 1, 0, 0.074], ['z', 0, 4, -0.2536]]
"""
from collections import Counter
from pathlib import Path

import pandas as pd

from . import compare, dataset, render, style, tables
from .text import norm, tokens, word_spans

COLUMNS = ["term", "count_a", "count_b", "z"]
EXAMPLE_COLUMNS = ["term", "side", "file", "index", "text"]
EXAMPLES = 3                 # example sentences per word and side

def sides(articles: pd.DataFrame, by: str | None = None, a: str | None = None, b: str | None = None):
    """(unit, a, b): groups if two or more are filled, else sources, and the two largest; None if fewer than two."""
    arts = dataset.analysed(articles)
    by = by or ("group" if arts.get("group", pd.Series(dtype=str)).replace("", pd.NA).nunique() > 1 else "source")
    sizes = arts[compare.check_unit(by, articles)].fillna("").replace("", "(none)").value_counts()
    if a is None or b is None:
        return (by, *style.top_units(sizes, 2)[0]) if len(sizes) > 1 else None
    compare.check_contrast([a, b], pd.DataFrame({"group": sizes.index}))
    return by, a, b

def words(counts: pd.DataFrame, a: str, b: str, alpha0: float = compare.DEFAULT_ALPHA0) -> pd.DataFrame:
    """Every word (1-grams) of ``a`` or ``b``: its counts and z-score of ``a`` against ``b``, most ``a``-like first."""
    d = compare.distinctive_terms(counts[counts["ngram"] == 1], alpha0, 1, groups=[a, b], keep=len(counts) or 1)
    own = d["group"].eq(a)
    d = d.assign(z=d["z"].where(own, -d["z"]).round(4), count_a=d["count_group"].where(own, d["count_rest"]),
                 count_b=d["count_rest"].where(own, d["count_group"]))
    return d.drop_duplicates("term").sort_values(["z", "term"], ascending=[False, True], ignore_index=True)[COLUMNS]

def shown(w: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The words plotted: the ``limit // 2`` most used, then the most distinctive (largest |z|) up to ``limit``."""
    top = w.assign(n=w["count_a"] + w["count_b"]).sort_values(["n", "term"], ascending=[False, True]).head(limit // 2)
    rest = w.drop(top.index).assign(s=lambda d: d["z"].abs()).sort_values(["s", "term"], ascending=[False, True])
    return w.loc[sorted([*top.index, *rest.index[: limit - len(top)]])]

def examples(sentences: pd.DataFrame, side_of: dict, terms: frozenset, k: int = EXAMPLES, width: int = 90):
    """The first ``k`` sentences per term and side, cut to ``width`` characters around it (per partition, then all)."""
    rows, seen = [], Counter()
    for file, index, text in sentences.sort_values(["file", "index"])[["file", "index", "text"]].itertuples(False):
        for t in dict.fromkeys(tokens(text)) if file in side_of else ():
            if t in terms and seen[t, side := side_of[file]] < k:
                seen[t, side] += 1
                s, e = next((s, e) for s, e in word_spans(text) if norm(text[s:e]) == t)
                cut = ("…" if s > width else "") + text[max(0, s - width):e + width]
                rows.append((t, side, file, index, cut + ("…" if e + width < len(text) else "")))
    out = pd.DataFrame(rows, columns=EXAMPLE_COLUMNS).sort_values(EXAMPLE_COLUMNS[:4])
    return out.groupby(["term", "side"]).head(k)

def write(out, by: str | None = None, a: str | None = None, b: str | None = None, limit: int = 2000) -> Path | None:
    """Write ``OUT/rendered/keyness.html`` (at most ``limit`` words) and ``keyness.csv`` from the dataset in ``OUT``
    (``by``, ``a``, ``b``: as ``sides``); the page's path, or None (and no page) with fewer than two units."""
    page, ds = Path(out) / "rendered" / "keyness.html", dataset.load(out)
    if (chosen := sides(ds.articles, by, a, b)) is None:   # and no table left from an earlier run
        return page.with_name("keyness.csv").unlink(missing_ok=True) or page.unlink(missing_ok=True)   # None
    by, a, b = chosen
    group_of = {f: g for f, g in compare.group_map(ds.articles, by).items() if g in (a, b)}
    stop = compare.stop_words(ds.lexicon().study["stop_words"])
    w = words(compare.sum_counts(ds.imap(compare.ngram_counts, desc="keyness", group_of=group_of, stop=stop,
                                         orders=(1,))), a, b)
    tables.write_csv(w, page.with_name("keyness.csv"))
    total, w = len(w), shown(w, limit)
    ex, sents = None, {}
    for part in ds.imap(examples, desc="examples", side_of={f: "ab"[g == b] for f, g in group_of.items()},
                        terms=frozenset(w["term"]), k=EXAMPLES):   # the first k so far: bounded at any size
        ex = pd.concat([ex, part]).sort_values(EXAMPLE_COLUMNS[:4]).groupby(["term", "side"]).head(EXAMPLES)
    files = {f: i for i, f in enumerate(sorted(set(ex["file"])))}   # each file named once in the page
    for t, side, file, text in ex[["term", "side", "file", "text"]].itertuples(index=False):
        sents.setdefault(t, []).append([side, files[file], text])
    size = ds.articles.assign(unit=ds.articles["file"].map(group_of)).groupby("unit")
    return render.page("keyness.html.j2", page, a=a, b=b, unit=by, shown=len(w), total=total,
                       articles=size.size().to_dict(), words=size["words"].sum().to_dict(), files=list(files),
                       points=[[*row, sents.get(row[0], [])] for row in w.values.tolist()])
