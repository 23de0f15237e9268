"""The findings overview: short Markdown built only from a run's published tables.

Every number in the text is read from a table in ``OUT/tables`` (never typed), and every
sentence links to the table, and the figure when it exists, that supports it. Links are relative
to ``OUT`` (``figures/x.png``, ``tables/x.csv``), where ``write`` puts ``findings.md``.

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

from . import paths, plots

TOP_TERMS = 3
LEAD_PAIRS = ["resistance_vs_militia", "occupation_vs_presence"]  # the contested pairs the overview reports first
ENGINE_NAMES = {"vader": "VADER", "textblob": "TextBlob"}


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>$|~#!{}"} | {"&": "&amp;"})


def md_escape(value: str) -> str:
    r"""Text from the data (outlet names, terms, items) made inert in Markdown: no links, HTML, math or emphasis.

    >>> print(md_escape("[x](javascript:alert(1)) <img src=x onerror=alert(1)> $x^2$ **b**"))
    \[x\](javascript:alert(1)) \<img src=x onerror=alert(1)\> \$x^2\$ \*\*b\*\*
    """
    return value.translate(_MD_SPECIAL)


def _read(tables_dir: Path, name: str) -> pd.DataFrame | None:
    """A published table, its text cells escaped for Markdown (they come from article files and the manifest)."""
    path = Path(tables_dir) / f"{name}.csv"
    if not path.exists():
        return None
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for col in [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]:
        df[col] = df[col].map(lambda v: md_escape(v) if isinstance(v, str) else v)
    return df


def _links(tables_dir: Path, figure: str | None, *tables: str) -> str:
    """"([figure](figures/x.png), [table](tables/y.csv))" for the files that exist."""
    out = []
    figures = Path(tables_dir).parent / "figures"
    if figure and (figures / f"{figure}.png").exists():
        out.append(f"[figure](figures/{figure}.png)")
    out += [f"[table](tables/{t}.csv)" for t in tables if (Path(tables_dir) / f"{t}.csv").exists()]
    return f" ({', '.join(out)})" if out else ""


def _num(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _names(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else "none"


def _uses(n) -> str:
    return f"{int(n)} use" + ("" if int(n) == 1 else "s")


def sample(prof: pd.DataFrame, tables_dir: Path) -> str:
    n, k, words, most = int(prof["articles"].sum()), len(prof), int(prof["words"].sum()), int(prof["articles"].max())
    per = "one article per outlet" if most == 1 else f"at most {most} articles per outlet"
    return (f"These findings describe {n} articles from {k} sources ({words:,} words){_links(tables_dir, None, 'outlet_profiles')}. "
            f"With {per}, they describe these texts, not how the outlets cover the story in general, "
            "and no difference below is a statistical test; unknown outlets are kept apart, one source per article.")


def pair(prof: pd.DataFrame, name: str, tables_dir: Path) -> str | None:
    a_col, b_col = f"{name}_a_count", f"{name}_b_count"
    if a_col not in prof or b_col not in prof:
        return None
    a, b = name.split("_vs_")
    p = prof.fillna({a_col: 0, b_col: 0})
    fmt = lambda d, col: _names(f"{o} ({_uses(c)})" for o, c in zip(d["outlet"], d[col]))  # noqa: E731
    only_a, only_b = p[(p[a_col] > 0) & (p[b_col] == 0)], p[(p[b_col] > 0) & (p[a_col] == 0)]
    both, neither = p[(p[a_col] > 0) & (p[b_col] > 0)], p[(p[a_col] == 0) & (p[b_col] == 0)]
    own = "pair_voices" in prof and prof["pair_voices"].dropna().eq("own").all()
    voice = "In their own voice (quotations excluded)" if own else "Counting every use"
    parts = [f"**{a} or {b}?** {voice}, “{a}” and never “{b}”: {fmt(only_a, a_col)}; "
             f"“{b}” and never “{a}”: {fmt(only_b, b_col)}"]
    if len(both):
        parts.append(f"both: {_names(f'{o} ({int(x)} and {int(y)})' for o, x, y in zip(both['outlet'], both[a_col], both[b_col]))}")
    parts.append(f"neither: {_names(neither['outlet'])}")
    return "; ".join(parts) + _links(tables_dir, f"lead_{name}", "pair_shares") + "."


def distinctive(tables_dir: Path) -> str | None:
    d = _read(tables_dir, "distinctive_terms")
    if d is None or d.empty:
        return None
    top = d[d["rank"] <= TOP_TERMS].sort_values(["group", "rank"])
    lists = [f"{g}: {', '.join(f'“{t}”' for t in top.loc[top['group'] == g, 'term'])}"
             for g in plots.source_order(top["group"].unique())]
    return (f"**Distinctive words.** The words and word pairs that most set each source apart from the rest "
            f"(log-odds with an informative Dirichlet prior, top {TOP_TERMS} by z-score) are {'; '.join(lists)}"
            f"{_links(tables_dir, 'distinctive_terms', 'distinctive_terms')}.")


def similarity(tables_dir: Path) -> str | None:
    s = _read(tables_dir, "similarity")
    if s is None:
        return None
    out = s[s["level"] == "outlet"].sort_values(["cosine", "a", "b"])
    copies = int(s.loc[s["level"] == "article", "near_duplicate"].astype(str).str.lower().eq("true").sum())
    if out.empty:
        return None
    hi, lo = out.iloc[-1], out.iloc[0]
    return (f"**Similarity.** By TF-IDF cosine, the closest pair of sources is {hi['a']} and {hi['b']} "
            f"({_num(hi['cosine'])}) and the most distant {lo['a']} and {lo['b']} ({_num(lo['cosine'])}); "
            f"{copies} article {'pair is' if copies == 1 else 'pairs are'} flagged as near duplicates"
            f"{_links(tables_dir, 'similarity_heatmap', 'similarity')}.")


def coverage(prof: pd.DataFrame, tables_dir: Path) -> str | None:
    c = _read(tables_dir, "coverage")
    if c is None or c.empty:
        return None
    c = c[c["outlet"].isin(prof["outlet"])]
    by = c[c["mentions"] > 0].groupby(["kind", "item"])["outlet"].nunique()
    events = c.loc[c["kind"] == "events", "item"].unique()
    ev = by.get("events", pd.Series(dtype=int)).reindex(events, fill_value=0).sort_index()
    if ev.empty:
        return None
    k = len(prof)
    widest = ev[ev == ev.max()].index
    none = ev[ev == 0].index
    nums = by.get("numbers", pd.Series(dtype=int))
    shared = nums[nums > 1].sort_values(ascending=False, kind="stable")
    text = (f"**What is mentioned.** Of {len(ev)} listed events, the most widely mentioned "
            f"({int(ev.max())} of {k} sources) {'is' if len(widest) == 1 else 'are'} {_names(widest)}; "
            f"{len(none)} {'is' if len(none) == 1 else 'are'} mentioned by no source"
            + (f" ({_names(none)})" if 0 < len(none) <= 3 else ""))
    if len(shared):
        text += f"; figures given by more than one source: {_names(f'“{i}” ({int(n)})' for i, n in shared.items())}"
    return text + _links(tables_dir, "coverage_matrix", "coverage") + "."


def sentiment(prof: pd.DataFrame, tables_dir: Path) -> str | None:
    engines = [c[: -len("_score")] for c in prof.columns if c.endswith("_score") and f"{c}_masked" in prof]
    parts = []
    for e in engines:
        p = prof.dropna(subset=[f"{e}_score"])
        if p.empty:
            continue
        lo, hi = p.loc[p[f"{e}_score"].idxmin()], p.loc[p[f"{e}_score"].idxmax()]
        parts.append(f"{ENGINE_NAMES.get(e, e)} from {_num(lo[f'{e}_score'])} ({lo['outlet']}) to {_num(hi[f'{e}_score'])} ({hi['outlet']}), "
                     f"{_num(lo[f'{e}_score_masked'])} and {_num(hi[f'{e}_score_masked'])} with the contested terms masked")
    if not parts:
        return None
    return ("**Tone.** Mean sentence scores (-1 to 1) range: " + "; ".join(parts) +
            ". Lexicon scores miss words they do not know and move with word choice alone, so read them beside the masked ones"
            + _links(tables_dir, "sentiment_outlets", "sentiment_articles", "outlet_profiles") + ".")


def render(tables_dir: Path | str, link_prefix: str = "") -> str:
    """The findings section as Markdown, from the tables in ``tables_dir``.

    Links are relative to the parent of ``tables_dir`` (OUT); ``link_prefix`` is put before each,
    e.g. "../" for a page shown from ``OUT/rendered/``.
    """
    tables_dir = Path(tables_dir)
    prof = _read(tables_dir, "outlet_profiles")
    if prof is None or prof.empty:
        return "## Findings\n\nNo tables found: run the analysis first (`python -m analysis run`).\n"
    pairs = [c[: -len("_a_count")] for c in prof.columns if c.endswith("_a_count")]
    pairs = sorted(pairs, key=lambda p: (p not in LEAD_PAIRS, LEAD_PAIRS.index(p) if p in LEAD_PAIRS else 0, p))
    bullets = [pair(prof, p, tables_dir) for p in pairs[:2]]
    bullets += [distinctive(tables_dir), similarity(tables_dir), coverage(prof, tables_dir), sentiment(prof, tables_dir)]
    body = "\n".join(f"- {b}" for b in bullets if b)
    md = f"## Findings\n\n{sample(prof, tables_dir)}\n\n{body}\n"
    return md.replace("](figures/", f"]({link_prefix}figures/").replace("](tables/", f"]({link_prefix}tables/")


def write(out: Path | str | None = None) -> Path:
    """Write ``OUT/findings.md`` from ``OUT/tables``; returns its path."""
    root = paths.outputs(out).root
    path = root / "findings.md"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(render(root / "tables"), encoding="utf-8")
    tmp.replace(path)
    return path


README_START, README_END = "<!-- findings:start -->", "<!-- findings:end -->"
LEAD_FIGURE = "lead_resistance_vs_militia"


def replace_section(path: Path | str, name: str, body: str) -> bool:
    """Replace the text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in a file; True if it changed.

    How generated sections (findings, the bad-input table) get into the README without hand copying.
    """
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
    """The README's findings section: ``OUT/findings.md`` and the lead figure."""
    root = Path(out)
    body = (root / "findings.md").read_text(encoding="utf-8").strip()
    if (root / "figures" / f"{LEAD_FIGURE}.png").exists():
        body += (f"\n\n![Share of \"resistance\" among \"resistance\" + \"militia\" uses per outlet, with 95% "
                 f"intervals](figures/{LEAD_FIGURE}.png)")
    return body


def embed(readme: Path | str, out: Path | str) -> bool:
    """Put the findings of the run in ``out`` into the README; True if it changed."""
    if not (Path(out) / "findings.md").exists():
        return False
    return replace_section(readme, "findings", section(out))
