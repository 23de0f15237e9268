"""Source comparison: distinctive terms, TF-IDF similarity, coverage of facts, outlet profiles.

Every function takes DataFrames (``articles``/``sentences`` as in ``docs/architecture.md``) and
returns a DataFrame; per-sentence counting (``ngram_counts``, ``coverage_counts``) runs on one
partition at a time through ``Dataset.map`` and the partial results add up.

>>> arts = pd.DataFrame({"file": ["a", "b"], "source": ["A", "B"], "status": "analysed", "duplicate_of": "",
...                      "text": ["The resistance fought.", "The militia fought."]})
>>> counts = ngram_counts(sentences_of(arts), group_map(arts))
>>> distinctive_terms(counts).query("rank == 1")[["group", "term"]].values.tolist()
[['A', 'resistance'], ['B', 'militia']]
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from . import paths, style
from . import text as textmod
from .dataset import analysed
from .text import tokens

# The prior is worth ALPHA0 pseudo-tokens per n-gram order, spread over the vocabulary in
# proportion to corpus (or background) frequency. A fixed amount of evidence (about two short
# news articles) rather than the corpus size: it stops a word seen once or twice in one short
# article from topping the list, yet the data dominate as the corpus grows, whereas alpha0 = corpus
# size would make the prior weigh as much as all the data at every scale and flatten large outlets.
DEFAULT_ALPHA0 = 1000.0
DISTINCTIVE_COLUMNS = ["group", "term", "ngram", "z", "log_odds", "count_group", "count_rest", "rank"]
SIMILARITY_COLUMNS = ["a", "b", "level", "cosine", "near_duplicate"]
COVERAGE_COLUMNS = ["file", "outlet", "kind", "item", "mentions", "first_sentence"]


def sentences_of(articles: pd.DataFrame) -> pd.DataFrame:
    """A ``sentences`` frame (file, index, text) from ``articles.text``, for frames built by hand."""
    rows = [(f, i, body[a:b]) for f, body in zip(articles["file"], articles["text"])
            for i, (a, b) in enumerate(textmod.sentence_spans(body))]
    return pd.DataFrame(rows, columns=["file", "index", "text"])


def independent(articles: pd.DataFrame, copies=()) -> pd.DataFrame:
    """Articles that count as independent voices: not a corpus near duplicate, not in ``copies``."""
    arts = analysed(articles)
    return arts[~arts["file"].isin(set(copies))]


def group_map(articles: pd.DataFrame, by: str = "source", copies=()) -> dict[str, str]:
    """file -> comparison group (``source`` or the manifest's ``group``; blank groups -> "(none)")."""
    arts = independent(articles, copies)
    return dict(zip(arts["file"], arts[by].fillna("").replace("", "(none)")))


# ---------------------------------------------------------------- distinctive terms
def ngram_counts(sentences: pd.DataFrame, group_of: dict[str, str], ngrams=(1, 2)) -> pd.DataFrame:
    """Counts (group, term, ngram, count) of n-grams within sentences; files not in ``group_of`` skipped."""
    counts: Counter = Counter()
    for file, sent in zip(sentences["file"], sentences["text"]):
        group, toks = group_of.get(file), tokens(sent)
        for n in ngrams if group is not None else ():
            counts.update((group, " ".join(toks[i:i + n]), n) for i in range(len(toks) - n + 1))
    rows = [(g, t, n, c) for (g, t, n), c in counts.items()]
    return pd.DataFrame(rows, columns=["group", "term", "ngram", "count"]).astype({"ngram": "int64", "count": "int64"})


def distinctive_terms(counts: pd.DataFrame, alpha0: float = DEFAULT_ALPHA0, background: pd.DataFrame | None = None,
                      top_n: int | None = None) -> pd.DataFrame:
    """Each group against the rest: log-odds with an informative Dirichlet prior (Monroe et al. 2008, eq. 16-22).

    delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w)),
    var = 1/(y_iw + a_w) + 1/(y_jw + a_w), z = delta / sqrt(var), with j = all other groups and
    a_w = a0 * (share of w among the n-grams of its order in the corpus, or in ``background``: a
    table term, ngram, count; add-0.5 smoothing for corpus terms missing from it). Unigrams and
    bigrams are separate vocabularies (their own n_i and a0). No minimum frequency, no stop list:
    frequent function words get a large a_w and hence need a large difference to score.
    ``rank`` 1 = most over-used by the group; ``top_n`` keeps the n highest and n lowest per group.
    """
    counts = counts.groupby(["group", "term", "ngram"], as_index=False)["count"].sum()
    if counts["group"].nunique() < 2:
        return pd.DataFrame(columns=DISTINCTIVE_COLUMNS)
    wide = counts.pivot_table(index=["term", "ngram"], columns="group", values="count", fill_value=0, aggfunc="sum")
    total = wide.sum(axis=1)
    prior = total.astype(float)
    if background is not None:
        bg = background.groupby(["term", "ngram"])["count"].sum().astype(float)
        prior = bg.reindex(bg.index.union(total.index)).fillna(0) + 0.5
    share = prior / prior.groupby(level="ngram").transform("sum")
    alpha = (alpha0 * share).reindex(total.index).to_numpy()
    order_total = total.groupby(level="ngram").transform("sum").to_numpy()
    frames = []
    for group in wide.columns:
        y_i = wide[group].to_numpy(float)
        y_j = total.to_numpy(float) - y_i
        n_i = pd.Series(y_i, index=wide.index).groupby(level="ngram").transform("sum").to_numpy()
        n_j = order_total - n_i
        odds_i = (y_i + alpha) / np.maximum(n_i + alpha0 - y_i - alpha, 1e-9)
        odds_j = (y_j + alpha) / np.maximum(n_j + alpha0 - y_j - alpha, 1e-9)
        delta = np.log(odds_i) - np.log(odds_j)
        z = delta / np.sqrt(1 / (y_i + alpha) + 1 / (y_j + alpha))
        frames.append(pd.DataFrame({"group": group, "term": wide.index.get_level_values("term"),
                                    "ngram": wide.index.get_level_values("ngram"), "z": z, "log_odds": delta,
                                    "count_group": y_i.astype("int64"), "count_rest": y_j.astype("int64")}))
    out = pd.concat(frames, ignore_index=True).sort_values(["group", "z", "ngram", "term"],
                                                            ascending=[True, False, True, True])
    out["rank"] = out.groupby("group").cumcount() + 1
    if top_n:
        size = out.groupby("group")["rank"].transform("max")
        out = out[(out["rank"] <= top_n) | (out["rank"] > size - top_n)]
    return out[DISTINCTIVE_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- similarity
def _cluster_order(sim: np.ndarray) -> np.ndarray:
    """Leaf order of average-linkage clustering on 1 - cosine (deterministic for a given input order)."""
    if len(sim) < 3:
        return np.arange(len(sim))
    dist = np.clip(1 - sim, 0, None)
    np.fill_diagonal(dist, 0)
    return leaves_list(linkage(squareform((dist + dist.T) / 2, checks=False), method="average"))


def _long(labels, sim, level, threshold) -> pd.DataFrame:
    i, j = np.triu_indices(len(labels), k=1)
    return pd.DataFrame({"a": np.asarray(labels)[i], "b": np.asarray(labels)[j], "level": level,
                         "cosine": sim[i, j], "near_duplicate": sim[i, j] >= threshold})


ALL_PAIRS_MAX = 2_000        # up to this many articles every article pair is listed; above, only near duplicates
BLOCK_CELLS = 20_000_000     # cosines computed at once (rows x articles) when searching large corpora


def _article_pairs(files, X, threshold: float, all_pairs_max: int) -> pd.DataFrame:
    """Article-level pairs: all of them for a small corpus; above ``all_pairs_max`` articles only the
    pairs at or above ``threshold``, found a block of rows at a time, so memory stays linear in the
    number of articles (the full table would have n(n-1)/2 rows: 5 billion for 100,000 articles)."""
    files = np.asarray(files)
    n = len(files)
    if n <= all_pairs_max:
        return _long(files, (X @ X.T).toarray(), "article", threshold)
    step = max(1, BLOCK_CELLS // n)
    a_idx, b_idx, cos = [], [], []
    for start in range(0, n, step):
        block = (X[start:start + step] @ X.T).toarray()
        i, j = np.nonzero(block >= threshold)
        i += start
        later = j > i
        a_idx.append(i[later]), b_idx.append(j[later]), cos.append(block[i[later] - start, j[later]])
    a_idx, b_idx, cos = (np.concatenate(x) for x in (a_idx, b_idx, cos))
    return pd.DataFrame({"a": files[a_idx], "b": files[b_idx], "level": "article", "cosine": cos,
                         "near_duplicate": True})


def similarity(articles: pd.DataFrame, threshold: float = 0.9,
               all_pairs_max: int = ALL_PAIRS_MAX) -> tuple[pd.DataFrame, list[str]]:
    """TF-IDF cosine between articles and between outlets; returns (long table, files judged copies).

    TF-IDF (scikit-learn, package tokens, lower case, IDF over all articles). An article pair is a
    near duplicate when its cosine >= ``threshold`` or the corpus marked one a copy of the other
    (``duplicate_of``); in each such pair the later file is the copy. Copies and corpus near
    duplicates are left out of the outlet level, where an outlet is the mean of its remaining
    articles' unit-length vectors (each article weighs the same, whatever its length). Above
    ``all_pairs_max`` articles the article level lists only pairs at or above ``threshold`` and
    corpus-marked copies (see ``_article_pairs``); the outlet level is always complete.
    """
    arts = articles.sort_values("file").reset_index(drop=True)
    vec = TfidfVectorizer(tokenizer=tokens, lowercase=True, token_pattern=None)
    X = vec.fit_transform(arts["text"])
    pairs = _article_pairs(arts["file"], X, threshold, all_pairs_max)
    marked = {frozenset(p) for p in zip(arts["file"], arts.get("duplicate_of", "")) if p[1]}
    if len(arts) > all_pairs_max:   # corpus-marked copies below the threshold are listed too
        pos = {f: k for k, f in enumerate(arts["file"])}
        listed = set(map(frozenset, zip(pairs["a"], pairs["b"])))
        extra = sorted(tuple(sorted(p, key=pos.get)) for p in marked - listed)
        if extra:
            cos = [float(X[pos[a]].multiply(X[pos[b]]).sum()) for a, b in extra]
            pairs = pd.concat([pairs, pd.DataFrame({"a": [a for a, _ in extra], "b": [b for _, b in extra],
                                                    "level": "article", "cosine": cos, "near_duplicate": False})],
                              ignore_index=True)
    pairs["near_duplicate"] |= np.array([frozenset(p) in marked for p in zip(pairs["a"], pairs["b"])], dtype=bool)
    copies = set(arts.loc[arts.get("status", "").eq("near_duplicate"), "file"]) if "status" in arts else set()
    for a, b in pairs.loc[pairs["near_duplicate"], ["a", "b"]].sort_values(["a", "b"]).itertuples(index=False):
        if a not in copies and b not in copies:
            copies.add(b)
    keep = ~arts["file"].isin(copies).to_numpy()
    outlets = sorted(set(arts.loc[keep, "source"]))
    if outlets:
        mean = np.vstack([np.asarray(X[keep & arts["source"].eq(o).to_numpy()].mean(axis=0)) for o in outlets])
        mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        pairs = pd.concat([pairs, _long(outlets, mean @ mean.T, "outlet", threshold)], ignore_index=True)
    pairs["cosine"] = pairs["cosine"].round(6)
    return pairs[SIMILARITY_COLUMNS].sort_values(["level", "a", "b"]).reset_index(drop=True), sorted(copies)


def similarity_matrix(pairs: pd.DataFrame, level: str = "outlet") -> pd.DataFrame:
    """Square cosine matrix for one level, rows and columns in clustering order."""
    sub = pairs[pairs["level"] == level]
    labels = sorted(set(sub["a"]) | set(sub["b"]))
    m = pd.DataFrame(np.eye(len(labels)), index=labels, columns=labels)
    for a, b, c in sub[["a", "b", "cosine"]].itertuples(index=False):
        m.loc[a, b] = m.loc[b, a] = c
    order = [labels[k] for k in _cluster_order(m.to_numpy())]
    return m.loc[order, order]


# ---------------------------------------------------------------- coverage
def load_items(path=None) -> dict:
    """The coverage items file (default ``analysis/data/coverage.yaml``), regexes compiled."""
    spec = yaml.safe_load(Path(path or paths.COVERAGE_ITEMS).read_text("utf-8"))
    comp = lambda pats: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)  # noqa: E731
    items = [(kind, name, comp(pats)) for kind in ("numbers", "events", "actors")
             for name, pats in (spec.get(kind) or {}).items()]
    units = {w.lower(): unit for unit, ws in (spec.get("units") or {}).items() for w in ws}
    mods = "|".join(re.escape(m) for m in spec.get("modifiers") or []) or "(?!)"
    number = re.compile(rf"(?<![\w.,])(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)\s+((?:(?:{mods})\s+){{0,2}})"
                        rf"({'|'.join(re.escape(w) for w in sorted(units, key=len, reverse=True))})\b",
                        re.IGNORECASE)
    return {"items": items, "units": units, "number": number}


def coverage_counts(sentences: pd.DataFrame, items: dict) -> pd.DataFrame:
    """Per file and item: sentences mentioning it and the first such sentence (listed items with 0 too).

    Numbers are found two ways: the listed patterns, and any number followed (after at most two
    modifiers such as "US") by a unit word from ``units``, reported as "<number> <unit>".
    """
    rows = []
    for file, sents in sentences.sort_values(["file", "index"]).groupby("file", sort=True):
        found: dict = {(k, n): [0, ""] for k, n, _ in items["items"]}
        for sent in sents["text"]:
            hits = {(k, n) for k, n, rx in items["items"] if rx.search(sent)}
            for m in items["number"].finditer(sent):
                value = m.group(1).replace(",", "")
                value = f"{int(value):,}" if value.isdigit() else value
                hits.add(("numbers", f"{value} {items['units'][m.group(3).lower()]}"))
            for key in hits:
                cell = found.setdefault(key, [0, ""])
                cell[0] += 1
                cell[1] = cell[1] or sent
        rows += [(file, k, n, c, s) for (k, n), (c, s) in found.items()]
    return pd.DataFrame(rows, columns=["file", "kind", "item", "mentions", "first_sentence"])


def coverage(counts: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """``coverage_counts`` joined to outlets (articles.source), sorted; the published coverage table."""
    out = counts.merge(articles[["file", "source"]].rename(columns={"source": "outlet"}), on="file")
    kinds = {"numbers": 0, "events": 1, "actors": 2}
    out = out.sort_values(["file", "kind", "item"], key=lambda s: s.map(kinds) if s.name == "kind" else s)
    return out[COVERAGE_COLUMNS].reset_index(drop=True)


def coverage_matrix(cov: pd.DataFrame, articles: pd.DataFrame, max_numbers: int = 15) -> pd.DataFrame:
    """Long outlet x item table: articles mentioning the item, independent articles, share."""
    arts = independent(articles)
    n = arts.groupby("source").size().rename("articles")
    cov = cov[cov["file"].isin(arts["file"])]
    m = cov.assign(k=cov["mentions"].gt(0)).groupby(["kind", "item", "outlet"], as_index=False)["k"].sum()
    spread = m.groupby(["kind", "item"])["k"].transform(lambda s: s.gt(0).sum())
    nums = m.assign(spread=spread)[m["kind"].eq("numbers")].groupby("item")["spread"].max()
    keep_nums = set(nums.sort_values(ascending=False, kind="stable").index[:max_numbers])
    m = m[m["kind"].ne("numbers") | m["item"].isin(keep_nums)]
    m = m.merge(n, left_on="outlet", right_index=True).rename(columns={"k": "mentioning"})
    return m.assign(share=m["mentioning"] / m["articles"]).sort_values(["kind", "item", "outlet"])


# ---------------------------------------------------------------- outlet profiles
def outlet_profiles(articles, pair_shares=None, sentiment_articles=None, distinctive=None, coverage=None,
                    top_terms: int = 5, digits: int = 4) -> pd.DataFrame:
    """One row per outlet (articles.source): size, contested-pair shares, mean sentiment, top terms, coverage.

    ``pair_shares``: outlet, pair, numeric columns (only rows with ``level`` "outlet" and, when
    present, ``voices`` "own", i.e. the outlet's own voice;
    every numeric column but ``articles`` and interval bounds kept as ``<pair>_<column>``).
    ``sentiment_articles``: file, engine, other label columns and numeric scores (``score*`` columns
    when present, e.g. raw ``score`` and ``score_masked``); averaged over the outlet's independent
    articles as ``<engine>_<score>``. ``distinctive``: groups are outlets. ``coverage``: the coverage table.
    """
    arts = independent(articles)
    prof = arts.groupby("source").agg(articles=("file", "size"), words=("words", "sum"))
    prof["near_duplicates"] = articles.groupby("source").size().reindex(prof.index, fill_value=0) - prof["articles"]
    parts = [prof]
    if pair_shares is not None and len(pair_shares):
        ps = pair_shares[pair_shares["level"].eq("outlet")] if "level" in pair_shares else pair_shares
        ps = ps[ps["voices"].eq("own")] if "voices" in ps and ps["voices"].eq("own").any() else ps
        vals = [c for c in ps.select_dtypes("number").columns if c != "articles" and not re.search(r"low|high", c)]
        wide = ps.pivot_table(index="outlet", columns="pair", values=vals, aggfunc="first")
        wide.columns = [f"{p}_{v}" for v, p in wide.columns]
        wide = wide[sorted(wide.columns)]
        parts.append(wide.assign(pair_voices=ps.groupby("outlet")["voices"].first()) if "voices" in ps else wide)
    if sentiment_articles is not None and len(sentiment_articles):
        s = sentiment_articles.merge(arts[["file", "source"]], on="file")
        labels = [c for c in s.columns if c not in ("file", "outlet", "source", "title", "text")
                  and not pd.api.types.is_numeric_dtype(s[c])]
        scores = [c for c in s.select_dtypes("number").columns if c.startswith("score")] \
            or [c for c in s.select_dtypes("number").columns if c not in ("words", "sentences", "index")]
        long = s.melt(id_vars=["source"] + labels, value_vars=scores, var_name="score")
        long["col"] = long[labels + ["score"]].astype(str).agg("_".join, axis=1)
        parts.append(long.pivot_table(index="source", columns="col", values="value", aggfunc="mean"))
    if distinctive is not None and len(distinctive):
        top = distinctive[distinctive["rank"] <= top_terms].sort_values(["group", "rank"])
        parts.append(top.groupby("group")["term"].agg("; ".join).rename("top_terms").to_frame())
    if coverage is not None and len(coverage):
        c = coverage[coverage["mentions"].gt(0) & coverage["file"].isin(arts["file"])]
        per = c.groupby(["outlet", "kind"])["item"].nunique().unstack(fill_value=0).add_prefix("coverage_")
        per["coverage_items"] = c.groupby("outlet")["item"].nunique()
        parts.append(per)
    out = pd.concat(parts, axis=1, join="outer").reindex(prof.index)
    out = out.reindex(style.source_order(out.index)).rename_axis("outlet").reset_index()
    num = out.select_dtypes("float").columns
    out[num] = out[num].round(digits)
    return out
