"""Every figure of the package, bounded at any corpus size, saved as PNG + SVG + the CSV behind it.

Each figure function returns ``(fig, data)``; ``data`` is the full table (every outlet), written as
CSV beside the figure by ``save_figure``. A figure draws at most ``TOP`` outlets one per row (the
largest by articles; the rest pooled, or read through their group) and its title says so; its size
follows the rows drawn and is capped, so no saved side exceeds ``MAX_PX`` pixels.

>>> arts = pd.DataFrame({"file": ["a.txt"], "source": ["A"], "published": ["2024-01-05"],
...                      "date_precision": ["day"], "words": [120], "sentences": [6]})
>>> png = save_figure(*corpus_overview(arts), "demo", Path(tempfile.mkdtemp()))
>>> max(png_size(png)) <= MAX_PX, png.with_suffix(".csv").exists()
(True, True)
"""
from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import tables
from .style import NEUTRAL, OKABE_ITO, UNKNOWN_COLOR, pooled_label, source_colors, source_order, top_units

MAX_PX, DPI = 4000, 120
MAX_IN = (MAX_PX - 2) / DPI  # longest side of any figure, in inches
TOP, PANELS, SIM_MAX = 25, 12, 40  # outlets one per row; small multiples; outlets in the similarity heatmap
MAX_TERMS = 40       # terms / items drawn at most (the most used)
CELL_LABELS = 150    # numbers written in heatmap cells only up to this many cells
POINTS = 2000        # a scatter up to this many points; beyond, a 2-D histogram
FEW = 40             # one bar per article up to this many articles
ROW = 0.28           # inches per drawn row (10 pt text)
VOICES = {"own": OKABE_ITO[3], "quoted": OKABE_ITO[0], "scare": OKABE_ITO[5]}
ENGINES = {"vader": "VADER compound (−1 to 1)", "textblob": "TextBlob polarity (−1 to 1)"}

# Deterministic output: fixed SVG ids, no creation dates, one font and size everywhere.
plt.rcParams.update({
    "svg.hashsalt": "framing-analysis", "svg.fonttype": "none",
    "text.parse_math": False,  # outlet names and terms are text: a "$" in one must not turn into maths
    "figure.dpi": 100, "savefig.dpi": DPI, "font.size": 10, "axes.titlesize": 10,
    "axes.spines.top": False, "axes.spines.right": False,
})


def png_size(path) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG header (bytes 16-24)."""
    with open(path, "rb") as fh:
        head = fh.read(24)[16:24]
    return int.from_bytes(head[:4], "big"), int.from_bytes(head[4:], "big")


def save_figure(fig, data: pd.DataFrame, name: str, figures_dir: Path) -> Path:
    """Save ``fig`` as ``name.png`` and ``name.svg`` and ``data`` as ``name.csv``, byte-identical for the
    same input; a figure over ``MAX_PX`` on a side is shrunk to fit. The figure is closed."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    size = fig.get_size_inches()
    if size.max() > MAX_IN:
        fig.set_size_inches(size * MAX_IN / size.max())
    png = figures_dir / f"{name}.png"
    try:  # constrained layout once for both files, no bbox_inches="tight": saved size = figure size
        if fig.get_layout_engine() is not None:
            fig.get_layout_engine().execute(fig)
            fig.set_layout_engine(None)
        fig.savefig(png, dpi=DPI, metadata={"Software": None})
        fig.savefig(figures_dir / f"{name}.svg", dpi=DPI, metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    assert max(png_size(png)) <= MAX_PX, f"{png} is {png_size(png)} px"
    tables.write_csv(data, figures_dir / f"{name}.csv")
    return png


# ---------------------------------------------------------------------------- shared helpers
def _figure(w: float, h: float, nrows: int = 1, ncols: int = 1, **kw):
    """A constrained-layout figure of ``w`` x ``h`` inches, at least 6 x 3.5, each side capped at ``MAX_IN``."""
    return plt.subplots(nrows, ncols, figsize=(np.clip(w, 6, MAX_IN), np.clip(h, 3.5, MAX_IN)), layout="constrained",
                        squeeze=False, **kw)


def _title(fig, text: str, note: str = "") -> None:
    """Figure title, then the note on what the figure leaves out, wrapped to the figure's width."""
    chars = int(fig.get_size_inches()[0] * 10)
    fig.suptitle("\n".join(textwrap.wrap(text, chars) + textwrap.wrap(note, int(chars * 1.2))), fontsize=11)


def _short(label, n: int = 40) -> str:
    """A display label of at most ``n`` characters (the CSV keeps the full name)."""
    return str(label) if len(str(label)) <= n else str(label)[:n - 1] + "…"


def _rows(ax, labels, n: int = 40) -> None:
    """One row per label, top to bottom."""
    ax.set_yticks(range(len(labels)), [_short(x, n) for x in labels], fontsize=8 if len(labels) > 15 else 9)
    ax.set_ylim(len(labels) - 0.5, -0.5)


def _engines(engines) -> list[str]:
    return sorted(set(engines), key=lambda e: (list(ENGINES).index(e) if e in ENGINES else len(ENGINES), e))


def _units(df: pd.DataFrame, n: int = TOP):
    """Rows to draw from a table with ``level``/``outlet``/``articles``: every outlet up to ``n``; beyond,
    the groups if the table has them, then the ``n`` largest. Returns (rows, note, unit name)."""
    rows = df[df["level"].eq("outlet")] if "level" in df else df
    sizes, note, noun = rows.groupby("outlet")["articles"].max(), "", "Outlet"
    if len(sizes) > n and "level" in df and df["level"].eq("group").any():
        rows, noun = df[df["level"].eq("group")], "Group"
        note = f"{len(sizes)} outlets read through their {rows['outlet'].nunique()} groups; "
        sizes = rows.groupby("outlet")["articles"].max()
    if len(sizes) > n:
        keep, rest = top_units(sizes, n)
        rows = rows[rows["outlet"].isin(keep)]
        note += f"top {n} of {len(sizes)} {noun.lower()}s by articles, the other {len(rest)} not drawn; "
    return rows, (note + "every outlet in the CSV") if note else "", noun


def _pooled(df: pd.DataFrame, sizes: pd.Series, n: int, keys: list, sums: list, by: str = "articles"):
    """``df`` with outlets beyond the ``n`` largest (``sizes``) pooled into one "other (k outlets)"
    unit, ``sums`` added up over ``keys``; returns (table, display order, note)."""
    keep, rest = top_units(sizes, n)
    if not rest:
        return df, keep, ""
    other = pooled_label(rest)
    out = df.assign(outlet=df["outlet"].where(df["outlet"].isin(keep), other))
    out = out.groupby(["outlet"] + keys, as_index=False, sort=False)[sums].sum()
    return out, keep + [other], (f"top {n} of {len(sizes)} outlets by {by}; the rest pooled as '{other}'; "
                                 "every outlet in the CSV")


def _heatmap(ax, grid: pd.DataFrame, cmap: str, vmin, vmax, label: str, fmt=None):
    """``grid`` as an image, index and columns as tick labels; ``fmt(value)`` in each cell while small."""
    v = grid.to_numpy(dtype=float)
    im = ax.imshow(v, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    size = 8 if max(v.shape) > 15 else 9
    ax.set_xticks(range(v.shape[1]), [_short(c) for c in grid.columns], rotation=60, ha="right", fontsize=size)
    ax.set_yticks(range(v.shape[0]), [_short(i) for i in grid.index], fontsize=size)
    ax.spines[:].set_visible(False)
    for (i, j), x in np.ndenumerate(v) if fmt is not None and v.size <= CELL_LABELS else ():
        dark = abs(im.norm(x) - 0.5) > 0.3 if vmin is not None and vmin < 0 else im.norm(x) > 0.6
        if not np.isnan(x):
            ax.text(j, i, fmt(x), ha="center", va="center", fontsize=7, color="white" if dark else "black")
    few = v.shape[0] < 8  # a short colour bar cannot hold its label upright: lay it along the bottom
    ax.figure.colorbar(im, ax=ax, label=label, location="bottom" if few else "right", shrink=1 if few else 0.8)


def _legend(ax, colors: dict, groups=None) -> None:
    """Legend for the colours: each outlet up to 8, else each group, else none (one colour)."""
    title = "Outlet"
    if len(colors) > len(OKABE_ITO) and groups:
        colors, title = {str(groups[u]): c for u, c in colors.items() if u in groups}, "Group"
        colors = {g: colors[g] for g in source_order(colors)}
    if len(colors) <= len(OKABE_ITO):
        ax.legend([plt.Rectangle((0, 0), 1, 1, color=c) for c in colors.values()], [_short(k) for k in colors],
                  title=title, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)


# ---------------------------------------------------------------------------- corpus (01)
def corpus_overview(articles: pd.DataFrame):
    """Words per article (a bar each up to ``FEW`` articles, else a histogram), articles per outlet and
    per month when dated. ``articles``: file, source, published, date_precision, words, sentences[, group]."""
    cols = [c for c in ("file", "source", "group", "published", "date_precision", "words", "sentences")
            if c in articles]
    data = articles[cols].sort_values("file", kind="stable").reset_index(drop=True)
    n, k = len(data), data["source"].nunique()
    g = data["group"].fillna("").astype(str) if "group" in data else pd.Series("", index=data.index)
    groups = dict(zip(data.loc[g.ne(""), "source"], g[g.ne("")])) or None
    colors = source_colors(data["source"], groups)
    title = f"Corpus at a glance: {n:,} articles, {int(data['words'].sum()):,} words, {k:,} outlet{'s' * (k != 1)}"
    if n <= FEW:
        fig, axes = _figure(9, ROW * n + 2)
        axes[0, 0].barh(range(n), data["words"], color=[colors[s] for s in data["source"]])
        _rows(axes[0, 0], data["file"])
        axes[0, 0].set(xlabel="Words per article (tokens, title counted once)", ylabel="Article file")
        _legend(axes[0, 0], colors, groups)
        _title(fig, title)
        return fig, data
    month = data.get("published", pd.Series(dtype=str)).fillna("").astype(str).str[:7]
    month = month[month.str.len() == 7]
    sizes = data["source"].value_counts()
    per, order, note = _pooled(sizes.rename("articles").rename_axis("outlet").reset_index(), sizes, TOP, [],
                               ["articles"])
    fig, axes = _figure(5.5 * (2 + (len(month) > 0)), ROW * len(order) + 2.5, 1, 2 + (len(month) > 0))
    axes[0, 0].hist(data["words"], bins=int(np.clip(np.sqrt(n), 10, 60)), color=NEUTRAL)
    axes[0, 0].set(xlabel="Words per article (tokens)", ylabel="Articles (count)", title="Length of articles")
    per = per.set_index("outlet")["articles"].reindex(order)
    ax, skewed = axes[0, 1], bool(per.max() > 50 * per.min())
    ax.barh(range(len(order)), per.to_numpy(), color=[colors.get(o, UNKNOWN_COLOR) for o in order])
    _rows(ax, order)
    ax.set(xscale="log" if skewed else "linear", xlabel=f"Articles (count{', log scale' * skewed})", ylabel="Outlet",
           title="Articles per outlet")
    _legend(ax, {o: colors[o] for o in order if o in colors}, groups)
    if len(month):
        span = pd.period_range(month.min(), month.max(), freq="M").astype(str)
        unit, per = ("month", month) if len(span) <= 72 else ("year", month.str[:4])
        counts = per.value_counts().reindex(span if unit == "month" else sorted({s[:4] for s in span}), fill_value=0)
        ax, step = axes[0, 2], max(1, len(counts) // 12)
        ax.bar(range(len(counts)), counts.to_numpy(), color=NEUTRAL, width=0.9)
        ax.set_xticks(range(0, len(counts), step), counts.index[::step], rotation=60, ha="right", fontsize=8)
        ax.set(xlabel=f"Publication {unit} ({len(month):,} of {n:,} articles dated)", ylabel="Articles (count)",
               title=f"Articles per {unit}")
    _title(fig, title, note)
    return fig, data


# ---------------------------------------------------------------------------- terminology (02)
def term_rate_heatmap(rates: pd.DataFrame):
    """Uses per 1,000 words, outlet x family: variant (``terms.outlet_rates``: outlet, family, variant, count,
    words, articles, rate_per_1k); beyond ``TOP`` outlets the rest pooled (sum count / sum words x 1,000)."""
    data = rates.assign(term=rates["family"] + ": " + rates["variant"]).reset_index(drop=True)
    sizes = data.groupby("outlet")["articles"].max()
    pooled, order, note = _pooled(data, sizes, TOP, ["term"], ["count", "words"])
    pooled = pooled.assign(rate_per_1k=pooled["count"] / pooled["words"].where(pooled["words"] > 0) * 1000)
    terms = list(dict.fromkeys(data.sort_values(["family", "variant"])["term"]))
    if len(terms) > MAX_TERMS:
        top = set(data.groupby("term")["count"].sum().sort_values(ascending=False, kind="stable").index[:MAX_TERMS])
        note = f"the {MAX_TERMS} most used of {len(terms)} terms; " + (note or "every term in the CSV")
        terms = [t for t in terms if t in top]
    grid = pooled.pivot(index="outlet", columns="term", values="rate_per_1k").reindex(index=order, columns=terms)
    fig, axes = _figure(0.4 * len(terms) + 5, ROW * len(order) + 3)
    _heatmap(axes[0, 0], grid, "Blues", 0, None, "Uses per 1,000 words (all voices)", lambda v: f"{v:.1f}")
    axes[0, 0].set(xlabel="Term family: variant", ylabel="Outlet")
    _title(fig, f"Contested terms per 1,000 words, by outlet ({int(sizes.sum()):,} articles)", note)
    return fig, data


def draw_pair_share(ax, shares: pd.DataFrame, colors: dict) -> None:
    """One contested pair on ``ax``: share of A per unit (``source_order``) with its interval, "no uses"
    when undefined, and the uses behind it (A / A + B) at the right."""
    order = source_order(shares["outlet"])
    rows = shares.drop_duplicates("outlet").set_index("outlet").loc[order]
    rows = rows.assign(y=np.arange(len(order)), color=[colors.get(u, NEUTRAL) for u in order])
    for color, r in rows[rows["share_a"].notna()].groupby("color", sort=False):  # one artist per colour
        err = np.nan_to_num([r["share_a"] - r["ci_low"], r["ci_high"] - r["share_a"]])
        ax.errorbar(r["share_a"], r["y"], xerr=err, fmt="o", ms=4, color=color, capsize=2)
    for r in rows.itertuples():
        if np.isnan(r.share_a):
            ax.text(0.5, r.y, "no uses", ha="center", va="center", fontsize=8, color="#555555", style="italic")
        ax.text(1.02, r.y, f"{int(r.a_count)}/{int(r.a_count + r.b_count)}", va="center", fontsize=7,
                transform=ax.get_yaxis_transform())
    _rows(ax, order)
    ax.set_xlim(0, 1)
    ax.axvline(0.5, color="#cccccc", lw=0.8, zorder=0)


def pair_share_figure(shares: pd.DataFrame, pair: str):
    """Share of variant A in one contested pair per outlet (or group), 95% intervals (``terms.pair_shares``)."""
    data = shares[shares["pair"] == pair].reset_index(drop=True)
    drawn, note, noun = _units(data)
    a, b, voices = data[["a_variant", "b_variant", "voices"]].iloc[0]
    fig, axes = _figure(8, ROW * drawn["outlet"].nunique() + 2.2)
    draw_pair_share(axes[0, 0], drawn, source_colors(drawn["outlet"]))
    axes[0, 0].set(xlabel=f'Share of "{a}" among "{a}" + "{b}" uses (proportion, {voices} voice; right: uses)',
                   ylabel=noun)
    n = data.loc[data["level"].eq("outlet"), "articles"].sum()
    _title(fig, f'"{a}" vs "{b}": share by {noun.lower()}, 95% intervals ({n:,} articles)', note)
    return fig, data


def pair_shares_grid(shares: pd.DataFrame):
    """Every contested pair (at most 24), one panel each as in ``pair_share_figure``; fewer rows per panel
    when there are many pairs, so the figure stays bounded."""
    data = shares.reset_index(drop=True)
    pairs = list(dict.fromkeys(data["pair"]))
    shown = pairs[:2 * PANELS]
    ncol = 1 if len(shown) == 1 else 2 if len(shown) <= 6 else 3
    nrow = -(-len(shown) // ncol)
    drawn, note, noun = _units(data, int(np.clip(90 // nrow, 5, TOP)))
    if len(shown) < len(pairs):
        note = f"first {len(shown)} of {len(pairs)} pairs; " + (note or "every pair in the CSV")
    colors, k = source_colors(drawn["outlet"]), drawn["outlet"].nunique()
    fig, axes = _figure(6 * ncol, nrow * (ROW * k + 1.3) + 1, nrow, ncol)
    for ax, pair in zip(axes.flat, shown):
        d = drawn[drawn["pair"] == pair]
        a, b = d[["a_variant", "b_variant"]].iloc[0]
        draw_pair_share(ax, d, colors)
        ax.set(title=f'"{a}" vs "{b}"', xlabel=f'Share of "{a}" (proportion; right: uses)', ylabel=noun)
    for ax in axes.flat[len(shown):]:
        ax.set_visible(False)
    n = data.loc[data["level"].eq("outlet") & data["pair"].eq(pairs[0]), "articles"].sum()
    _title(fig, f"Contested pairs: share of the first term by {noun.lower()}, 95% intervals "
                f"({data['voices'].iloc[0]} voice, {n:,} articles)", note)
    return fig, data


def voice_breakdown(counts: pd.DataFrame):
    """Uses by voice (own / quoted / scare) per family: variant, over all outlets and for the 5 largest
    (``terms.term_counts``: file, outlet, family, variant, voice, count, words)."""
    c = counts[counts["voice"] != "all"]
    data = c.groupby(["outlet", "family", "variant", "voice"], as_index=False).agg(
        count=("count", "sum"), words=("words", "sum"), articles=("file", "nunique"))
    data["rate_per_1k"] = data["count"] / data["words"].where(data["words"] > 0) * 1000
    sizes = c.groupby("outlet")["file"].nunique()
    keep = sorted(top_units(sizes, 5)[0], key=lambda o: -sizes[o])
    data["term"] = data["family"] + ": " + data["variant"]
    used = data.groupby("term")["count"].sum()
    terms = sorted(used[used > 0].sort_values(ascending=False, kind="stable").index[:MAX_TERMS])
    panels = [(f"all {len(sizes)} outlets", data, c["file"].nunique())] * (len(sizes) > 1)
    panels += [(o, data[data["outlet"] == o], sizes[o]) for o in keep]
    ncol = min(3, len(panels))
    nrow = -(-len(panels) // ncol)
    fig, axes = _figure(4 * ncol + 2.5, nrow * (ROW * max(len(terms), 1) + 1.3) + 1.2, nrow, ncol, sharey=True)
    for ax, (name, d, n) in zip(axes.flat, panels):
        w = d.pivot_table(index="term", columns="voice", values="count", aggfunc="sum")
        w = w.reindex(index=terms, columns=list(VOICES)).fillna(0).to_numpy()
        for i, (voice, color) in enumerate(VOICES.items()):
            ax.barh(range(len(terms)), w[:, i], left=w[:, :i].sum(axis=1), color=color, label=voice)
        ax.set(title=f"{_short(name, 30)} ({n:,} articles)", xlabel="Uses (count of matches)")
        _rows(ax, terms)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    axes[0, 0].set_ylabel("Term family: variant")
    if not terms:
        axes[0, 0].text(0.5, 0.5, "no uses of any term", ha="center", transform=axes[0, 0].transAxes)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), title="Voice", loc="outside right upper", frameon=False)
    note = f"panels: all outlets, then the {len(keep)} largest by articles; every outlet in the CSV" * (len(sizes) > 5)
    _title(fig, f"Whose words? Own voice vs quoted vs scare use ({c['file'].nunique():,} articles)", note)
    return fig, data.drop(columns="term")


voice_breakdown_figure = voice_breakdown  # old name, until the notebooks call voice_breakdown


# ---------------------------------------------------------------------------- sentiment (03)
def sentiment_outlets(outlets: pd.DataFrame):
    """Per engine: mean sentence score per outlet (filled) and with contested terms masked (hollow), 95%
    bootstrap intervals (``sentiment.outlet_summary``); groups or the largest outlets beyond ``TOP``."""
    data = outlets.reset_index(drop=True)
    drawn, note, noun = _units(data)
    units, engs = source_order(drawn["outlet"]), _engines(data["engine"])
    colors = source_colors(units)
    fig, axes = _figure(4.5 * len(engs) + 3, 1.3 * ROW * len(units) + 2.2, 1, max(len(engs), 1), sharey=True)
    for ax, e in zip(axes[0], engs):
        d = drawn[drawn["engine"] == e].drop_duplicates("outlet").set_index("outlet").reindex(units)
        for i, (o, r) in enumerate(d.iterrows()):
            for dy, col, face in ((-0.15, "score", colors[o]), (0.15, "score_masked", "white")):
                if not np.isnan(r[col]):
                    err = np.nan_to_num([[r[col] - r[f"{col}_low"]], [r[f"{col}_high"] - r[col]]])
                    ax.errorbar(r[col], i + dy, xerr=err, fmt="o", ms=4, color=colors[o], mfc=face, capsize=2)
            if not np.isnan(r["articles"]):
                ax.annotate(f"{int(r['articles']):,} art.", (1, i), xycoords=("axes fraction", "data"), ha="right",
                            va="center", fontsize=7, color="0.3")
        ax.axvline(0, color="0.7", lw=0.8)
        ax.set(xlim=(-1, 1), xlabel=f"Mean {ENGINES.get(e, e + ' score')}", title=e)
        _rows(ax, units)
    axes[0, 0].set_ylabel(noun)
    _title(fig, f"Mean sentence sentiment per {noun.lower()}: raw (filled) vs contested terms masked (hollow), "
                "95% bootstrap interval over articles (none for 1 article)", note)
    return fig, data


def sentiment_targets(targets: pd.DataFrame):
    """Outlet x target mean sentence score per engine (``sentiment.target_summary``); beyond ``TOP`` outlets
    the rest pooled (mean over their sentences); numbers in cells only when small."""
    data = targets.reset_index(drop=True)
    engs = _engines(data["engine"])
    first = data[data["engine"] == engs[0]]
    w = data.assign(_n=data["sentences"].where(data["score"].notna(), 0),
                    _s=(data["score"] * data["sentences"]).fillna(0))
    pooled, order, note = _pooled(w, first.groupby("outlet")["sentences"].sum(), TOP, ["target", "engine"],
                                  ["sentences", "_n", "_s"], by="sentences naming a target")
    pooled["score"] = pooled["_s"] / pooled["_n"].where(pooled["_n"] > 0)
    used = first.groupby("target")["sentences"].sum()
    tgts = sorted(used.sort_values(ascending=False, kind="stable").index[:MAX_TERMS])
    small = len(order) * len(tgts) <= 40
    fig, axes = _figure(len(engs) * (0.7 * len(tgts) + 2.5) + 3, (0.5 if small else ROW) * len(order) + 3, 1, len(engs))
    for ax, e in zip(axes[0], engs):
        grid, n = (pooled[pooled["engine"] == e].pivot(index="outlet", columns="target", values=v)
                   .reindex(index=order, columns=tgts) for v in ("score", "sentences"))
        _heatmap(ax, grid.rename(columns=lambda t: t.replace("_", " ")), "RdBu", -1, 1, f"Mean {ENGINES.get(e, e)}")
        for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)) if small else ():
            if not np.isnan(v):
                ax.text(j, i, f"{v:.2f}\n{int(n.iat[i, j])} sent.", ha="center", va="center", fontsize=7)
        ax.set(xlabel="Target (sentences naming it)", ylabel="Outlet", title=e)
    _title(fig, "Mean sentiment of the sentences naming each target" + " (cells: mean score, sentences)" * small, note)
    return fig, data


def engine_agreement(sentences: pd.DataFrame, a: str = "vader", b: str = "textblob"):
    """Sentence scores of engine ``a`` against ``b`` (columns file, outlet, index, a, b): a scatter (coloured by
    outlet up to 8) up to ``POINTS`` sentences, else a 2-D histogram, so the SVG stays small."""
    data = sentences[["file", "outlet", "index", a, b]].dropna(subset=[a, b]).reset_index(drop=True)
    n, k = len(data), data["outlet"].nunique()
    r = np.corrcoef(data[a], data[b])[0, 1] if n > 1 and data[a].std() > 0 and data[b].std() > 0 else np.nan
    fig, axes = _figure(7.5, 6)
    ax, note = axes[0, 0], ""
    if n > POINTS:
        hb = ax.hexbin(data[a], data[b], gridsize=40, extent=(-1, 1, -1, 1), bins="log", mincnt=1, cmap="viridis")
        fig.colorbar(hb, ax=ax, label="Sentences per hexagon (log scale)", format="{x:,.0f}")
        note = f"{n:,} sentences drawn as a 2-D histogram; every sentence in the CSV"
    elif k <= len(OKABE_ITO):
        for o, color in source_colors(data["outlet"]).items():
            g = data[data["outlet"] == o]
            ax.scatter(g[a], g[b], s=12, alpha=0.7, color=color, label=f"{_short(o)} (n={len(g):,})")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), title="Outlet (sentences)", frameon=False)
    else:
        ax.scatter(data[a], data[b], s=8, alpha=0.5, color=NEUTRAL)
        note = f"{k} outlets in one colour; every sentence with its outlet in the CSV"
    ax.plot([-1, 1], [-1, 1], color="0.7", lw=0.8)
    ax.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), xlabel=ENGINES.get(a, a), ylabel=ENGINES.get(b, b))
    _title(fig, f"Engine agreement per sentence ({n:,} sentences in {data['file'].nunique():,} articles, "
                f"Pearson r = {r:.2f})", note)
    return fig, data


# ---------------------------------------------------------------------------- comparison (04)
def distinctive(distinctive: pd.DataFrame, articles: pd.DataFrame, top_n: int = 15):
    """Top-``top_n`` z-scores per group (``compare.distinctive_terms``) as small multiples of at most ``PANELS``
    groups (most articles first); the CSV keeps every group's top ``top_n``."""
    groups = list(distinctive["group"].unique())
    n = articles.groupby("source").size()
    if "group" in articles and not set(groups) & set(n.index):
        n = articles.groupby("group").size()
    sizes = pd.Series({g: int(n.get(g, 0)) for g in groups}, dtype="int64")
    keep, rest = top_units(sizes, PANELS)
    keep = sorted(keep, key=lambda g: -sizes[g])
    data = distinctive[distinctive["rank"] <= top_n].sort_values(["group", "rank"]).reset_index(drop=True)
    rows, colors = min(top_n, MAX_TERMS), source_colors(keep)
    ncol = min(4, max(len(keep), 1))
    nrow = -(-max(len(keep), 1) // ncol)
    fig, axes = _figure(3.6 * ncol + 0.5, nrow * (0.22 * rows + 1.2) + 1, nrow, ncol)
    for ax, g in zip(axes.flat, keep):
        d = data[(data["group"] == g) & (data["rank"] <= rows)].sort_values("rank")
        ax.barh(range(len(d)), d["z"], color=colors[g])
        _rows(ax, list(d["term"]) + [""] * (rows - len(d)), 30)
        ax.set_title(f"{_short(g, 35)}\n(n = {sizes[g]:,} article{'' if sizes[g] == 1 else 's'})", fontsize=9)
        ax.set_xlabel("z-score (log-odds, Dirichlet prior)", fontsize=8)
    for ax in axes.flat[len(keep):]:
        ax.set_visible(False)
    note = f"the {len(keep)} of {len(sizes)} groups with most articles; every group's top {top_n} in the CSV" \
        * bool(rest)
    _title(fig, f"Most distinctive words and bigrams per group vs the rest (top {rows})", note)
    return fig, data


def similarity(matrix: pd.DataFrame, articles: pd.DataFrame):
    """Outlet x outlet TF-IDF cosine (``compare.similarity_matrix``, clustering order); beyond ``SIM_MAX`` outlets
    the largest by articles, in the same order; numbers in cells only when small."""
    n = articles[articles["status"] != "near_duplicate"] if "status" in articles else articles
    n = n.groupby("source").size()
    outlets, note = list(matrix.index), ""
    if len(outlets) > SIM_MAX:
        keep = set(top_units({o: int(n.get(o, 0)) for o in outlets}, SIM_MAX)[0])
        outlets = [o for o in outlets if o in keep]
        note = (f"top {SIM_MAX} of {len(matrix)} outlets by articles, in the clustering order of all; "
                "every pair in the CSV")
    labels = [f"{_short(o, 32)} (n={int(n.get(o, 0)):,})" for o in outlets]
    side = 0.3 * len(outlets) + 4
    fig, axes = _figure(side + 2, side)
    _heatmap(axes[0, 0], pd.DataFrame(matrix.loc[outlets, outlets].to_numpy(), index=labels, columns=labels), "Blues",
             0, 1, "TF-IDF cosine similarity (0-1)", (lambda v: f"{v:.2f}") if len(outlets) <= 12 else None)
    axes[0, 0].set(xlabel="Outlet (articles)", ylabel="Outlet (articles)")
    _title(fig, "Similarity between outlets (mean TF-IDF vector, near duplicates excluded)", note)
    return fig, matrix.rename_axis("outlet").reset_index()


def coverage(matrix: pd.DataFrame):
    """Items (by kind) x outlets: share of the outlet's articles mentioning each (``compare.coverage_matrix``:
    kind, item, outlet, mentioning, articles, share); the ``MAX_TERMS`` most mentioned items, ``TOP`` outlets."""
    data = matrix.reset_index(drop=True)
    m = data.assign(label=data["kind"] + ": " + data["item"],
                    mentioning=data["mentioning"] if "mentioning" in data else data["share"] * data["articles"])
    sizes = m.groupby("outlet")["articles"].max()
    pooled, order, note = _pooled(m, sizes, TOP, ["kind", "item", "label"], ["mentioning"])
    base = sizes.reindex(order).fillna(sizes[~sizes.index.isin(order)].sum())  # pooled: all their articles
    pooled["share"] = pooled["mentioning"] / pooled["outlet"].map(base)
    items = m.groupby(["kind", "item", "label"], as_index=False)["mentioning"].sum()
    if len(items) > MAX_TERMS:
        items = items.sort_values("mentioning", ascending=False, kind="stable").head(MAX_TERMS)
        note = f"the {MAX_TERMS} most mentioned of {m['label'].nunique()} items; " + (note or "every item in the CSV")
    kinds = {"numbers": 0, "events": 1, "actors": 2}
    items = items.sort_values(["kind", "item"], key=lambda s: s.map(kinds).fillna(3) if s.name == "kind" else s)
    grid = pooled.pivot(index="label", columns="outlet", values="share").reindex(index=items["label"], columns=order)
    grid.columns = [f"{_short(o, 32)} (n={int(base[o]):,})" for o in order]
    fig, axes = _figure(0.4 * len(order) + 7, ROW * len(grid) + 4)
    _heatmap(axes[0, 0], grid.fillna(0), "Greens", 0, 1, "Share of the outlet's articles mentioning the item",
             lambda v: f"{v:.0%}")
    axes[0, 0].set(xlabel="Outlet (articles)", ylabel="Kind: item")
    _title(fig, "What each outlet mentions: numbers, events, actors", note)
    return fig, data
