r"""The findings overview (``findings.md``, the README's block) and the sentences notebooks print about the corpus.

Every number is read from the run's tables, each sentence links the tables (and figure) behind it, a caveat appears
only when it applies, and text from the data is escaped for Markdown. Links are relative to ``OUT``.

>>> print(md_escape("[x](javascript:alert(1)) <img src=x onerror=alert(1)> $x^2$ **b**\n- item\n# heading"))
\[x\](javascript:alert(1)) \<img src=x onerror=alert(1)\> \$x^2\$ \*\*b\*\* - item \# heading
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd

from . import paths, style, tables
from .dataset import analysed

TOP_TERMS = 3
NAMED = 8   # sources (or items) a sentence names before it says how many more: bounded at any number of outlets
ENGINE_NAMES = {"vader": "VADER", "textblob": "TextBlob"}
README_START, README_END = "<!-- findings:start -->", "<!-- findings:end -->"
GENERAL = "these texts, not how the sources cover the story in general"
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>$|~#!{}"} | {"&": "&amp;"})

def md_escape(value: str) -> str:
    """Text from the data (outlet names, terms, items) inert in Markdown: one line, no links, HTML, math, emphasis."""
    return " ".join(value.split()).translate(_MD_SPECIAL)

def _names(items, most: int | None = None) -> str:
    """"a, b and c" ("none" for no item); past ``most`` items, the first ``most`` and how many more.

    >>> _names(["a", "b", "c"]), _names("abcd", most=2)
    ('a, b and c', 'a, b and 2 more')
    """
    items = list(items)
    items = items[:most] + [f"{len(items) - most:,} more"] if most is not None and len(items) > most else items
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else "none"

def _sources(labels, weight, order: str) -> str:
    """Sources' ``labels`` in table order; past ``NAMED`` of them, their number and the ``NAMED`` of most ``weight``
    (``order`` says so).

    >>> _sources([f"S{i}" for i in range(10)], range(10), "most uses first")
    '10 sources, most uses first: S9, S8, S7, S6, S5, S4, S3, S2 and 2 more'
    """
    labels = list(labels)
    if len(labels) <= NAMED:
        return _names(labels)
    first = pd.Series(list(weight), dtype=float).sort_values(ascending=False, kind="stable").index
    return f"{len(labels):,} sources, {order}: " + _names([labels[i] for i in first], most=NAMED)

def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"

def study_line(lexicon) -> str:
    """The study's title and question, as its file gives them (nothing when it gives neither), then a space."""
    title, question = (md_escape(lexicon.study[k]) for k in ("title", "question"))
    return (f"**{title}.** " if title else "") + (f"{question} " if question else "")

def groups_note(tests: pd.DataFrame, escape=md_escape) -> str:
    """What the group tests show, from ``group_tests``: nothing to compare, or the clearest differences."""
    done = tests.dropna(subset=["p_value"])
    if done.empty:
        return ("No two groups with at least two articles each to compare (the manifest's `group` column names "
                "none, or one)." if tests.empty else "No group has two articles with a value to compare.")
    best = done.sort_values(["p_value", "measure"]).head(3)
    p = lambda v: "< 0.001" if v < 0.001 else f"{v:.3f}"  # noqa: E731 - never "p = 0.000"
    lines = [f"{escape(r.measure)}: {escape(str(r.group_a))} {r.mean_a:.2f} against {escape(str(r.group_b))} "
             f"{r.mean_b:.2f} (articles {int(r.articles_a):,} and {int(r.articles_b):,}; AUC {r.auc:.2f}; "
             f"p {'' if r.p_value < 0.001 else '= '}{p(r.p_value)}, {p(r.p_holm)} after Holm's adjustment for "
             f"{len(done)} tests)" for r in best.itertuples()]
    verdict = ("At least one difference is beyond chance after adjustment" if (done["p_holm"] < 0.05).any()
               else "No difference between groups is beyond chance after adjustment")
    return f"{verdict}. The smallest p-values: " + "; ".join(lines) + "."

def describe(articles: pd.DataFrame, report: pd.DataFrame | None = None) -> str:
    """One paragraph on the corpus as it is (size, sources, groups, dates) and on what that size allows."""
    arts = analysed(articles)
    n, per, dups = len(arts), arts.groupby("source").size(), len(articles) - len(arts)
    text = f"{_plural(n, 'article')} ({int(arts['words'].sum()):,} words) from {_plural(len(per), 'source')}"
    if len(per) > 1 and per.min() != per.max():
        text += f", {per.min():,} to {per.max():,} articles per source"
    elif len(per):
        text += f", {_plural(int(per.max()), 'article')} from {'it' if len(per) == 1 else 'each'}"
    if unknown := (int(arts["source"].str.startswith("unknown").sum()) if n else 0):
        text += f"; {_plural(unknown, 'article')} of unknown outlet, each kept apart as a source of its own"
    groups, dated = (arts[c].replace("", pd.NA).dropna() if c in arts else [] for c in ("group", "published"))
    if len(groups):
        text += f"; {_plural(groups.nunique(), 'group')} in the manifest ({len(groups):,} articles with a group)"
    if len(dated):
        text += f"; dated {dated.min()} to {dated.max()} ({len(dated):,} of {n:,} articles dated)"
    if report is not None and len(report):
        skipped = _plural(int((report["status"] == "skipped").sum()), "input")
        text += f"; {skipped} skipped, each with its reason in the ingest report"
    text += f"; {_plural(dups, 'near duplicate')} left out of comparisons." if dups else "."
    if len(per) == 1:
        text += " With one source, nothing here compares sources."
    elif len(per) and per.max() == 1:
        text += f" With one article per source, differences describe {GENERAL}."
    return text

def interval_note(shares: pd.DataFrame) -> str:
    """What the pair-share intervals mean at this corpus's size, from the ``pair_shares`` rows."""
    s = shares[shares["level"] == "outlet"] if len(shares) else shares
    if s.empty or s["method"].eq("none").all():
        return "No source used both sides of any pair, so there is no share to estimate."
    used = s[s["method"] != "none"]
    single = int(used["method"].eq("wilson").sum())
    return (f"{_plural(len(used), 'source × pair share')} can be estimated ({single:,} "
            f"from a single article); the median 95% interval is {(used['ci_high'] - used['ci_low']).median():.2f} "
            "wide, so differences between sources smaller than that are not distinguishable from chance. "
            f"{_plural(int(s['method'].eq('none').sum()), 'source × pair')} used neither word.")

# what a finding reads of the per-article coverage table, a chunk at a time: whether each outlet mentions each item
_SLIM = {"coverage": (["outlet", "kind", "item", "mentions"],
                      lambda c: c.assign(mentions=c["mentions"].gt(0).astype(int)).drop_duplicates())}

def _read(tables_dir: Path, name: str) -> pd.DataFrame | None:
    """A published table with its text cells escaped for Markdown, or None when it is missing or empty."""
    path, (cols, keep) = tables_dir / f"{name}.csv", _SLIM.get(name, (None, lambda c: c))
    chunks = [keep(c) for c in pd.read_csv(path, keep_default_na=False, na_values=[""], usecols=cols,
                                           chunksize=500_000)] if path.exists() else []
    df = keep(pd.concat(chunks, ignore_index=True)) if chunks else pd.DataFrame()
    for col in [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]:
        df[col] = df[col].map(lambda v: md_escape(v) if isinstance(v, str) else v)
    return None if df.empty else df

def _links(tables_dir: Path, figure: str | None, *names: str) -> str:
    """" ([figure](figures/x.png), [table](tables/y.csv))" for the files that exist."""
    fig = tables_dir.parent / "figures" / f"{figure}.png"
    out = [f"[figure](figures/{fig.name})"] if figure and fig.exists() else []
    out += [f"[table](tables/{t}.csv)" for t in names if (tables_dir / f"{t}.csv").exists()]
    return f" ({', '.join(out)})" if out else ""

def _intervals(units, values, lows, highs, sep: str = "-") -> str:
    """"G1 0.82 (0.81-0.83), G2 no use and ...": at most ``NAMED`` units, each value with its interval if it has one.

    >>> _intervals(["G1", "G2", "G3"], [0.8213, None, 0.5], [0.8036, None, None], [0.8378, None, None])
    'G1 0.82 (0.80-0.84), G2 no use and G3 0.50'
    """
    return _names((f"{u} " + ("no use" if pd.isna(v) else f"{v:.2f}" + (f" ({lo:.2f}{sep}{hi:.2f})" if pd.notna(lo)
                                                                       else ""))
                   for u, v, lo, hi in zip(units, values, lows, highs)), most=NAMED)

def _pair(prof: pd.DataFrame, name: str, a: str, b: str, groups: pd.DataFrame) -> str | None:
    """Which sources use only one side of the pair, both or neither, with their counts; the share per manifest group
    (``groups``: its rows of ``pair_shares``)."""
    a_col, b_col = f"{name}_a_count", f"{name}_b_count"
    if a_col not in prof or b_col not in prof:
        return None
    p = prof.fillna({a_col: 0, b_col: 0})
    has_a, has_b = p[a_col] > 0, p[b_col] > 0
    uses = lambda d, col: _sources(  # noqa: E731
        (f"{o} ({_plural(int(c), 'use')})" for o, c in zip(d["outlet"], d[col])), d[col], "most uses first")
    own = "pair_voices" in prof and prof["pair_voices"].dropna().eq("own").all()
    voice = "In their own voice (quotations and reported speech excluded)" if own else "Counting every use"
    text = (f"**{a} or {b}?** {voice}, "
            f"“{a}” and never “{b}”: {uses(p[has_a & ~has_b], a_col)}; "
            f"“{b}” and never “{a}”: {uses(p[has_b & ~has_a], b_col)}")
    if len(both := p[has_a & has_b]):
        text += "; both: " + _sources((f"{o} ({int(x):,} and {int(y):,})" for o, x, y in
                                       zip(both["outlet"], both[a_col], both[b_col])),
                                      both[a_col] + both[b_col], "most uses first")
    neither, num = p[~has_a & ~has_b], lambda c: pd.to_numeric(groups[c], errors="coerce")  # noqa: E731
    text += f"; neither: {_sources(neither['outlet'], neither['articles'], 'most articles first')}"
    if len(groups):
        text += f"; by manifest group, the share that is “{a}” (95% interval): " + _intervals(
            groups["outlet"].astype(str).map(md_escape), num("share_a"), num("ci_low"), num("ci_high"))
    return text

def _distinctive(prof: pd.DataFrame, d: pd.DataFrame) -> str:
    top = d[d["rank"] <= TOP_TERMS].sort_values(["group", "rank"])
    groups = style.source_order(top["group"].unique())
    lists = [f"{g}: {', '.join(f'“{t}”' for t in top.loc[top['group'] == g, 'term'])}" for g in groups[:NAMED]]
    more = f"; {len(groups) - NAMED:,} more sources in the table" if len(groups) > NAMED else ""
    return (f"**Distinctive words.** The words and word pairs that most set each source apart from the rest "
            f"(log-odds with an informative Dirichlet prior, top {TOP_TERMS} by z-score) are {'; '.join(lists)}{more}")

def _similarity(prof: pd.DataFrame, s: pd.DataFrame) -> str | None:
    if not (s["level"] == "outlet").any():
        return None
    out = s[s["level"] == "outlet"].sort_values(["cosine", "a", "b"])
    copies = int(s.loc[s["level"] == "article", "near_duplicate"].astype(str).str.lower().eq("true").sum())
    hi, lo = out.iloc[-1], out.iloc[0]
    return (f"**Similarity.** By TF-IDF cosine, the closest pair of sources is {hi['a']} and {hi['b']} "
            f"({hi['cosine']:.2f}) and the most distant {lo['a']} and {lo['b']} ({lo['cosine']:.2f}); "
            f"{copies} article {'pair is' if copies == 1 else 'pairs are'} flagged as near duplicates")

def _coverage(prof: pd.DataFrame, c: pd.DataFrame) -> str | None:
    c = c[c["outlet"].isin(prof["outlet"])]
    by = c[c["mentions"] > 0].groupby(["kind", "item"])["outlet"].nunique()
    ev = by.get("events", pd.Series(dtype=int)).reindex(c.loc[c["kind"] == "events", "item"].unique(), fill_value=0)
    nums = by.get("numbers", pd.Series(dtype=int)).sort_values(ascending=False, kind="stable")
    actors = by.get("actors", pd.Series(dtype=int)).sort_values(ascending=False, kind="stable")
    parts = []
    if len(ev) and ev.max() > 0:
        widest, none = ev[ev == ev.max()].sort_index().index, ev[ev == 0].sort_index().index
        is_are = lambda x: "is" if len(x) == 1 else "are"  # noqa: E731
        parts.append(f"Of {len(ev)} listed events, the most widely mentioned ({int(ev.max())} of "
                     f"{_plural(len(prof), 'source')}) {is_are(widest)} {_names(widest, most=NAMED)}; {len(none)} "
                     f"{is_are(none)} mentioned by no source"
                     + (f" ({_names(none)})" if 0 < len(none) <= 3 else ""))
    for kind, series in (("figures given", nums), ("actors named", actors)):
        if len(shared := series[series > 1].head(10)):
            parts.append(f"{kind} by more than one source: " + _names(f"“{i}” ({n})" for i, n in shared.items()))
    return "**What is mentioned.** " + "; ".join(parts)[:1].upper() + "; ".join(parts)[1:] if parts else None

def _groups(_, tests: pd.DataFrame) -> str | None:
    return f"**Groups.** {groups_note(tests, str).rstrip('.')}" if tests["p_value"].notna().any() else None

def _sentiment(prof: pd.DataFrame, _, outlets: pd.DataFrame | None = None) -> str | None:
    """Mean sentence score per source: the range (with the extremes' sizes when sources differ in size) or one source's
    mean; per manifest group, with its interval, from ``outlets`` (``sentiment_outlets``)."""
    parts, one, sized = [], len(prof) == 1, prof["articles"].max() > 1   # one source: its mean, not a range
    src = lambda r: f"{r['outlet']}, {_plural(int(r['articles']), 'article')}" if sized else r["outlet"]  # noqa: E731
    for e in [c[: -len("_score")] for c in prof.columns if c.endswith("_score") and f"{c}_masked" in prof]:
        if len(p := prof.dropna(subset=[f"{e}_score"])) > 1:
            lo, hi = p.loc[p[f"{e}_score"].idxmin()], p.loc[p[f"{e}_score"].idxmax()]
            parts.append(f"{ENGINE_NAMES.get(e, e)} from {lo[f'{e}_score']:.2f} ({src(lo)}) to "
                         f"{hi[f'{e}_score']:.2f} ({src(hi)}), {lo[f'{e}_score_masked']:.2f} and "
                         f"{hi[f'{e}_score_masked']:.2f} with the contested terms masked")
        elif one and len(p):
            parts.append(f"{ENGINE_NAMES.get(e, e)} {p[f'{e}_score'].iloc[0]:.2f}, "
                         f"{p[f'{e}_score_masked'].iloc[0]:.2f} with the contested terms masked")
    groups = outlets[outlets["level"] == "group"] if outlets is not None and "level" in outlets else pd.DataFrame()
    by = [f"{ENGINE_NAMES.get(e, e)} " + _intervals(g["outlet"], g["score"], g["score_low"], g["score_high"], " to ")
          for e, g in (groups.groupby("engine") if len(groups) else ())]
    by = f"; by manifest group (mean over articles, 95% Student-t interval): {'; '.join(by)}" if by else ""
    lead = f"Mean sentence score (-1 to 1) of {prof['outlet'].iloc[0]}: " if one else \
        "Mean sentence scores (-1 to 1) range: "
    return (f"**Tone.** {lead}" + "; ".join(parts) + by + ". Lexicon scores miss words they do not know and move with "
            "word choice alone, so read them beside the masked ones") if parts else None

def render(tables_dir: Path | str, link_prefix: str = "") -> str:
    """The findings section as Markdown from ``tables_dir``: the sample, every contested pair (the lead first), words,
    similarity, coverage and tone; ``link_prefix`` goes before each link (e.g. "../" from ``OUT/rendered``)."""
    tables_dir = Path(tables_dir)
    if (prof := _read(tables_dir, "outlet_profiles")) is None:
        return "## Findings\n\nNo tables found: run the analysis first (`python -m analysis run`).\n"
    n, most = int(prof["articles"].sum()), int(prof["articles"].max())
    size = ("With one article per source, they" if most == 1 else f"With one source ({most:,} articles), they"
            if len(prof) == 1 else f"Sources have at most {most:,} articles each: the findings")
    compared = "nothing below compares sources" if len(prof) == 1 else "no difference below is a statistical test"
    # the study's title: from the dataset beside the tables, else from the run record (a checkout has no data/)
    info = [json.loads(p.read_text()) for p in (tables_dir.parent / "data" / "dataset.json",
                                                 tables_dir.parent / "run_record.json") if p.exists()]
    title = md_escape(info[0].get("title", "")) if info else ""
    words = f"{int(prof['words'].sum()):,} words"
    md = (f"## Findings\n\n{f'*{title}.* ' if title else ''}These findings describe {_plural(n, 'article')} from "
          f"{_plural(len(prof), 'source')} ({words}){_links(tables_dir, None, 'outlet_profiles')}. {size} describe "
          f"{GENERAL}, and {compared}.")
    if prof["outlet"].astype(str).str.startswith("unknown").any():
        md += " Articles of unknown outlet are kept apart, one source per article."
    path = tables_dir / "pair_shares.csv"   # read unescaped: pair names are column names of the profiles
    shares = pd.read_csv(path, keep_default_na=False) if path.exists() else pd.DataFrame(columns=["pair"])
    pairs = shares.drop_duplicates("pair").reindex(columns=["pair", "a_variant", "b_variant"], fill_value="")
    by_group = shares.reindex(columns=["level", "voices", "pair", "outlet", "share_a", "ci_low", "ci_high"])
    by_group = by_group[by_group["level"] == "group"]   # in the voices the profiles read (``outlet_profiles``)
    by_group = by_group[by_group["voices"] == "own"] if by_group["voices"].eq("own").any() else by_group
    bullets = [(_pair(prof, name, md_escape(a or name), md_escape(b), by_group[by_group["pair"] == name]),
                f"lead_{name}" if i == 0 else
                "terms_pair_shares", ["pair_shares"]) for i, (name, a, b) in enumerate(pairs.itertuples(index=False))]
    sections = [(_groups, "group_tests", None, ["group_tests"]),
                (_distinctive, "distinctive_terms", "distinctive_terms", ["distinctive_terms"]),
                (_similarity, "similarity", "similarity_heatmap", ["similarity"]),
                (_coverage, "coverage", "coverage_matrix", ["coverage"]),
                (functools.partial(_sentiment, outlets=_read(tables_dir, "sentiment_outlets")), "outlet_profiles",
                 "sentiment_outlets", ["sentiment_articles", "sentiment_outlets", "outlet_profiles"])]
    # each section gets the profiles and its own table (tone: the profiles again) when that table has rows
    bullets += [(section(prof, df), figure, names) for section, table, figure, names in sections
                if (df := _read(tables_dir, table)) is not None]
    body = "\n".join(f"- {text}{_links(tables_dir, fig, *names)}." for text, fig, names in bullets if text)
    md = f"{md}\n\n{body}\n"
    return md.replace("](figures/", f"]({link_prefix}figures/").replace("](tables/", f"]({link_prefix}tables/")

def write(out: Path | str) -> Path:
    """Write ``OUT/findings.md`` from ``OUT/tables``; returns its path."""
    with tables.replacing(Path(out) / "findings.md") as tmp:
        tmp.write_text(render(Path(out) / "tables"), encoding="utf-8")
    return Path(out) / "findings.md"

def embed(readme: Path | str = paths.REPO / "README.md", out: Path | str = paths.REPO) -> bool:
    """Put ``OUT/findings.md`` and the lead figure between the README's findings markers; True if it changed."""
    root, readme = Path(out), Path(readme)
    if not (root / "findings.md").exists():
        return False
    body = (root / "findings.md").read_text(encoding="utf-8").strip()
    if lead := sorted((root / "figures").glob("lead_*.png")):
        body += f"\n\n![The lead contested pair: share per source, with 95% intervals](figures/{lead[0].name})"
    text = readme.read_text(encoding="utf-8")
    head, start, rest = text.partition(README_START)
    if not start or README_END not in rest:
        raise ValueError(f"{readme}: no section markers {README_START} ... {README_END}")
    new = f"{head}{start}\n{body}\n{README_END}{rest.split(README_END, 1)[1]}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text
