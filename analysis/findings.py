"""What a reader is told about the corpus: the findings overview and the sentences notebooks print.

Every number in the text is read from a run's tables (never typed), every sentence links to the
table, and the figure when it exists, behind it, and a caveat is printed only when it applies to
the data. Links are relative to ``OUT`` (``figures/x.png``, ``tables/x.csv``).

>>> print(render(Path(tempfile.mkdtemp())))  # no tables yet
## Findings
<BLANKLINE>
No tables found: run the analysis first (`python -m analysis run`).
<BLANKLINE>
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from . import paths, style, tables

TOP_TERMS = 3
ENGINE_NAMES = {"vader": "VADER", "textblob": "TextBlob"}
README_START, README_END = "<!-- findings:start -->", "<!-- findings:end -->"
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>$|~#!{}"} | {"&": "&amp;"})


def md_escape(value: str) -> str:
    r"""Text from the data (outlet names, terms, items) made inert in Markdown: no links, HTML, math or emphasis.

    >>> print(md_escape("[x](javascript:alert(1)) <img src=x onerror=alert(1)> $x^2$ **b**"))
    \[x\](javascript:alert(1)) \<img src=x onerror=alert(1)\> \$x^2\$ \*\*b\*\*
    """
    return value.translate(_MD_SPECIAL)


def _names(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else "none"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- sentences the notebooks print

def describe(articles: pd.DataFrame, report: pd.DataFrame | None = None) -> str:
    """One paragraph on the corpus as it is: size, sources, groups, dates, and what that size allows.

    >>> describe(pd.DataFrame({"file": ["a", "b"], "source": ["X", "X"], "words": [100, 50], "status": "analysed"}))
    '2 articles (150 words) from 1 source, 2 articles from it. With one source, nothing here compares sources.'
    """
    arts = articles[articles["status"] != "near_duplicate"] if "status" in articles else articles
    n, per = len(arts), arts.groupby("source").size()
    text = f"{_plural(n, 'article')} ({int(arts['words'].sum()):,} words) from {_plural(len(per), 'source')}"
    text += f", {per.min()} to {per.max()} articles per source" if len(per) > 1 and per.min() != per.max() else \
        f", {_plural(int(per.max()), 'article')} from {'it' if len(per) == 1 else 'each'}" if len(per) else ""
    unknown = int(arts["source"].str.startswith("unknown").sum()) if n else 0
    if unknown:
        text += f"; {_plural(unknown, 'article')} of unknown outlet, each kept apart as a source of its own"
    groups = arts["group"].replace("", pd.NA).dropna() if "group" in arts else pd.Series(dtype=str)
    if len(groups):
        text += f"; {_plural(groups.nunique(), 'group')} in the manifest ({len(groups):,} articles with a group)"
    dated = arts["published"].replace("", pd.NA).dropna() if "published" in arts else pd.Series(dtype=str)
    if len(dated):
        text += f"; dated {dated.min()} to {dated.max()} ({len(dated):,} of {n:,} articles dated)"
    if report is not None and len(report):
        skipped = int((report["status"] == "skipped").sum())
        text += f"; {_plural(skipped, 'input')} skipped, each with its reason in the ingest report"
    dups = len(articles) - n
    text += f"; {_plural(dups, 'near duplicate')} left out of comparisons." if dups else "."
    if len(per) == 1:
        text += " With one source, nothing here compares sources."
    elif len(per) and per.max() == 1:
        text += (" With one article per source, differences describe these texts, not how the sources cover "
                 "the story in general.")
    return text


def interval_note(shares: pd.DataFrame) -> str:
    """What the pair-share intervals mean at this corpus's size, from the ``pair_shares`` rows."""
    s = shares[shares["level"] == "outlet"] if len(shares) else shares
    if s.empty or s["method"].eq("none").all():
        return "No source used both sides of any pair, so there is no share to estimate."
    used = s[s["method"] != "none"]
    one = int(used["method"].eq("wilson").sum())
    width = (used["ci_high"] - used["ci_low"]).median()
    return (f"{_plural(len(used), 'source × pair share')} can be estimated ({one} from a single article); "
            f"the median 95% interval is {width:.2f} wide, so differences between sources smaller than that are "
            f"not distinguishable from chance. {_plural(int(s['method'].eq('none').sum()), 'source × pair')} "
            f"used neither word.")


# --------------------------------------------------------------------------- the findings overview

def _read(tables_dir: Path, name: str) -> pd.DataFrame | None:
    """A published table, its text cells escaped for Markdown (they come from article files and the manifest)."""
    path = Path(tables_dir) / f"{name}.csv"
    if not path.exists():
        return None
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for col in [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]:
        df[col] = df[col].map(lambda v: md_escape(v) if isinstance(v, str) else v)
    return df


def _links(tables_dir: Path, figure: str | None, *names: str) -> str:
    """"([figure](figures/x.png), [table](tables/y.csv))" for the files that exist."""
    out = []
    if figure and (Path(tables_dir).parent / "figures" / f"{figure}.png").exists():
        out.append(f"[figure](figures/{figure}.png)")
    out += [f"[table](tables/{t}.csv)" for t in names if (Path(tables_dir) / f"{t}.csv").exists()]
    return f" ({', '.join(out)})" if out else ""


def sample(prof: pd.DataFrame, tables_dir: Path) -> str:
    n, k, most = int(prof["articles"].sum()), len(prof), int(prof["articles"].max())
    text = (f"These findings describe {_plural(n, 'article')} from {_plural(k, 'source')} "
            f"({int(prof['words'].sum()):,} words){_links(tables_dir, None, 'outlet_profiles')}.")
    if most == 1:
        text += (" With one article per source, they describe these texts, not how the sources cover the story "
                 "in general, and no difference below is a statistical test.")
    else:
        text += (f" Sources have at most {most} articles each: the findings describe these texts, not how the sources "
                 "cover the story in general, and no difference below is a statistical test.")
    if prof["outlet"].astype(str).str.startswith("unknown").any():
        text += " Articles of unknown outlet are kept apart, one source per article."
    return text


def pair(prof: pd.DataFrame, name: str, a: str, b: str, tables_dir: Path, lead: bool) -> str | None:
    a_col, b_col = f"{name}_a_count", f"{name}_b_count"
    if a_col not in prof or b_col not in prof:
        return None
    p = prof.fillna({a_col: 0, b_col: 0})
    fmt = lambda d, col: _names(f"{o} ({_plural(int(c), 'use')})" for o, c in zip(d["outlet"], d[col]))  # noqa: E731
    only_a, only_b = p[(p[a_col] > 0) & (p[b_col] == 0)], p[(p[b_col] > 0) & (p[a_col] == 0)]
    both, neither = p[(p[a_col] > 0) & (p[b_col] > 0)], p[(p[a_col] == 0) & (p[b_col] == 0)]
    own = "pair_voices" in prof and prof["pair_voices"].dropna().eq("own").all()
    parts = [f"**{a} or {b}?** {'In their own voice (quotations excluded)' if own else 'Counting every use'}, "
             f"“{a}” and never “{b}”: {fmt(only_a, a_col)}; “{b}” and never “{a}”: {fmt(only_b, b_col)}"]
    if len(both):
        parts.append(f"both: {_names(f'{o} ({int(x)} and {int(y)})' for o, x, y in zip(both['outlet'], both[a_col], both[b_col]))}")
    parts.append(f"neither: {_names(neither['outlet'])}")
    return "; ".join(parts) + _links(tables_dir, f"lead_{name}" if lead else "terms_pair_shares", "pair_shares") + "."


def distinctive(tables_dir: Path) -> str | None:
    d = _read(tables_dir, "distinctive_terms")
    if d is None or d.empty:
        return None
    top = d[d["rank"] <= TOP_TERMS].sort_values(["group", "rank"])
    groups = style.source_order(top["group"].unique())
    lists = [f"{g}: {', '.join(f'“{t}”' for t in top.loc[top['group'] == g, 'term'])}" for g in groups[:10]]
    more = f"; {len(groups) - 10} more sources in the table" if len(groups) > 10 else ""
    return (f"**Distinctive words.** The words and word pairs that most set each source apart from the rest "
            f"(log-odds with an informative Dirichlet prior, top {TOP_TERMS} by z-score) are {'; '.join(lists)}{more}"
            f"{_links(tables_dir, 'distinctive_terms', 'distinctive_terms')}.")


def similarity(tables_dir: Path) -> str | None:
    s = _read(tables_dir, "similarity")
    out = s[s["level"] == "outlet"].sort_values(["cosine", "a", "b"]) if s is not None else None
    if out is None or out.empty:
        return None
    copies = int(s.loc[s["level"] == "article", "near_duplicate"].astype(str).str.lower().eq("true").sum())
    hi, lo = out.iloc[-1], out.iloc[0]
    return (f"**Similarity.** By TF-IDF cosine, the closest pair of sources is {hi['a']} and {hi['b']} "
            f"({hi['cosine']:.2f}) and the most distant {lo['a']} and {lo['b']} ({lo['cosine']:.2f}); "
            f"{copies} article {'pair is' if copies == 1 else 'pairs are'} flagged as near duplicates"
            f"{_links(tables_dir, 'similarity_heatmap', 'similarity')}.")


def coverage(prof: pd.DataFrame, tables_dir: Path) -> str | None:
    c = _read(tables_dir, "coverage")
    if c is None or c.empty:
        return None
    c = c[c["outlet"].isin(prof["outlet"])]
    by = c[c["mentions"] > 0].groupby(["kind", "item"])["outlet"].nunique()
    ev = by.get("events", pd.Series(dtype=int)).reindex(c.loc[c["kind"] == "events", "item"].unique(), fill_value=0)
    nums = by.get("numbers", pd.Series(dtype=int))
    shared = nums[nums > 1].sort_values(ascending=False, kind="stable")
    parts = []
    if len(ev) and ev.max() > 0:
        widest, none = ev[ev == ev.max()].sort_index().index, ev[ev == 0].sort_index().index
        parts.append(f"Of {len(ev)} listed events, the most widely mentioned ({int(ev.max())} of {len(prof)} sources) "
                     f"{'is' if len(widest) == 1 else 'are'} {_names(widest)}; {len(none)} "
                     f"{'is' if len(none) == 1 else 'are'} mentioned by no source"
                     + (f" ({_names(none)})" if 0 < len(none) <= 3 else ""))
    if len(shared):
        parts.append(f"figures given by more than one source: {_names(f'“{i}” ({int(n)})' for i, n in shared.head(10).items())}")
    if not parts:
        return None
    return "**What is mentioned.** " + "; ".join(parts) + _links(tables_dir, "coverage_matrix", "coverage") + "."


def sentiment(prof: pd.DataFrame, tables_dir: Path) -> str | None:
    engines = [c[: -len("_score")] for c in prof.columns if c.endswith("_score") and f"{c}_masked" in prof]
    parts = []
    for e in engines:
        p = prof.dropna(subset=[f"{e}_score"])
        if len(p) < 2:
            continue
        lo, hi = p.loc[p[f"{e}_score"].idxmin()], p.loc[p[f"{e}_score"].idxmax()]
        parts.append(f"{ENGINE_NAMES.get(e, e)} from {lo[f'{e}_score']:.2f} ({lo['outlet']}) to {hi[f'{e}_score']:.2f} "
                     f"({hi['outlet']}), {lo[f'{e}_score_masked']:.2f} and {hi[f'{e}_score_masked']:.2f} with the "
                     f"contested terms masked")
    if not parts:
        return None
    return ("**Tone.** Mean sentence scores (-1 to 1) range: " + "; ".join(parts) + ". Lexicon scores miss words they "
            "do not know and move with word choice alone, so read them beside the masked ones"
            + _links(tables_dir, "sentiment_outlets", "sentiment_articles", "outlet_profiles") + ".")


def render(tables_dir: Path | str, link_prefix: str = "") -> str:
    """The findings section as Markdown, from the tables in ``tables_dir``: every contested pair, the lead
    (the lexicon's first) first; ``link_prefix`` goes before each link (e.g. "../" from ``OUT/rendered/``)."""
    tables_dir = Path(tables_dir)
    prof = _read(tables_dir, "outlet_profiles")
    if prof is None or prof.empty:
        return "## Findings\n\nNo tables found: run the analysis first (`python -m analysis run`).\n"
    path = tables_dir / "pair_shares.csv"   # read unescaped: pair names are column names of the profiles
    shares = pd.read_csv(path, keep_default_na=False) if path.exists() else pd.DataFrame(columns=["pair"])
    pairs = shares.drop_duplicates("pair").reindex(columns=["pair", "a_variant", "b_variant"]).fillna("")
    bullets = [pair(prof, name, md_escape(a or name), md_escape(b), tables_dir, lead=i == 0)
               for i, (name, a, b) in enumerate(pairs.itertuples(index=False))]
    bullets += [distinctive(tables_dir), similarity(tables_dir), coverage(prof, tables_dir), sentiment(prof, tables_dir)]
    body = "\n".join(f"- {b}" for b in bullets if b)
    md = f"## Findings\n\n{sample(prof, tables_dir)}\n\n{body}\n"
    return md.replace("](figures/", f"]({link_prefix}figures/").replace("](tables/", f"]({link_prefix}tables/")


def write(out: Path | str) -> Path:
    """Write ``OUT/findings.md`` from ``OUT/tables``; returns its path."""
    path = Path(out) / "findings.md"
    with tables.replacing(path) as tmp:
        tmp.write_text(render(Path(out) / "tables"), encoding="utf-8")
    return path


def replace_section(path: Path | str, name: str, body: str) -> bool:
    """Replace the text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in a file; True if it changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise ValueError(f"{path}: no section markers {start} ... {end}")
    head, rest = text.split(start, 1)
    new = f"{head}{start}\n{body.strip()}\n{end}{rest.split(end, 1)[1]}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def section(out: Path | str) -> str:
    """The README's findings section: ``OUT/findings.md`` and the lead figure (``figures/lead_*.png``)."""
    root = Path(out)
    body = (root / "findings.md").read_text(encoding="utf-8").strip()
    lead = sorted((root / "figures").glob("lead_*.png"))
    if lead:
        body += f"\n\n![The lead contested pair: share per source, with 95% intervals](figures/{lead[0].name})"
    return body


def embed(readme: Path | str = paths.REPO / "README.md", out: Path | str = paths.REPO) -> bool:
    """Put the findings of the run in ``out`` into the README; True if it changed."""
    if not (Path(out) / "findings.md").exists():
        return False
    return replace_section(readme, "findings", section(out))
