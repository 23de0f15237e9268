"""Every figure of the package, bounded at any corpus size, saved as PNG + SVG + the CSV behind it.

Each function returns ``(fig, data)``, ``data`` being the full table (every outlet) that ``save_figure``
writes beside the figure. At most ``TOP`` outlets are drawn one per row (the largest by articles; the
rest pooled or read through their group, as the title says); sizes are capped at ``MAX_PX`` pixels.

>>> arts = pd.DataFrame({"file": ["a.txt"], "source": ["A"], "published": ["2024-01-05"], "words": [120]})
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
        head = fh.read(24)[16:]
    return int.from_bytes(head[:4], "big"), int.from_bytes(head[4:], "big")


def save_figure(fig, data: pd.DataFrame, name: str, figures_dir: Path) -> Path:
    """Save ``name``.png/.svg (shrunk to ``MAX_PX``, byte-identical for the same input) and ``data`` as .csv."""
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
        if "inline" not in plt.get_backend():  # a notebook shows the figure, then closes it itself
            plt.close(fig)
    assert max(png_size(png)) <= MAX_PX, f"{png} is {png_size(png)} px"
    tables.write_csv(data, figures_dir / f"{name}.csv")
    return png


# ---------------------------------------------------------------------------- shared helpers
def _figure(w: float, h: float, nrows: int = 1, ncols: int = 1, **kw):
    """A constrained-layout figure of ``w`` x ``h`` inches, at least 6 x 3.5, each side at most ``MAX_IN``."""
    return plt.subplots(nrows, ncols, figsize=(np.clip(w, 6, MAX_IN), np.clip(h, 3.5, MAX_IN)), layout="constrained",
                        squeeze=False, **kw)


def _panels(n: int, ncol: int, w: float, h: float, **kw):
    """A figure of ``n`` panels of ``w`` x ``h`` inches, ``ncol`` per row; returns (fig, the n axes), spares hidden."""
    nrow = -(-max(n, 1) // ncol)
    fig, axes = _figure(w * ncol + 1, h * nrow + 1, nrow, ncol, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _title(fig, text: str, *notes: str, every: str = "outlet") -> None:
    """Title, then the notes on what the figure leaves out (the CSV has it all), wrapped to the figure's width."""
    note = "; ".join(n for n in notes if n)
    note += f"; every {every} in the CSV" if note else ""
    chars = int(fig.get_size_inches()[0] * 10)
    fig.suptitle("\n".join(textwrap.wrap(text, chars) + textwrap.wrap(note, int(chars * 1.2))), fontsize=11)


def _short(label, n: int = 40) -> str:
    """A display label of at most ``n`` characters (the CSV keeps the full name)."""
    return str(label) if len(str(label)) <= n else str(label)[:n - 1] + "…"


def _rows(ax, labels, n: int = 40) -> None:
    """One row per label, top to bottom."""
    ax.set_yticks(range(len(labels)), [_short(x, n) for x in labels], fontsize=8 if len(labels) > 15 else 9)
    ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)


def _engines(engines) -> list[str]:
    return sorted(set(engines), key=lambda e: (list(ENGINES).index(e) if e in ENGINES else len(ENGINES), e))


def _top(sizes, n: int = TOP, noun: str = "outlet", by: str = "articles", pool: bool = False):
    """(the ``n`` largest units of ``sizes`` in ``source_order``, plus one "other (k outlets)" unit when ``pool``,
    the note saying what is pooled or not drawn)."""
    keep, rest = top_units(sizes, n)
    if not rest:
        return keep, ""
    note = f"top {n} of {len(sizes)} {noun}s by {by}"
    if pool:
        return keep + [pooled_label(rest)], f"{note}; the rest pooled as '{pooled_label(rest)}'"
    return keep, f"{note}, the other {len(rest)} not drawn"


def _pool(df: pd.DataFrame, units: list, keys: list, sums: list) -> pd.DataFrame:
    """``df`` with each outlet outside ``units`` renamed to the last (pooled) unit, ``sums`` added up per key."""
    out = df.assign(outlet=df["outlet"].where(df["outlet"].isin(units), units[-1]))
    return out.groupby(["outlet", *keys], as_index=False, sort=False)[sums].sum()


def _units(df: pd.DataFrame, n: int = TOP):
    """Rows to draw of a level/outlet/articles table: the outlets; beyond ``n``, their groups if the table has
    them; then the ``n`` largest. Returns (rows, notes, unit noun)."""
    rows, notes, noun = df[df["level"].eq("outlet")], [], "outlet"
    if rows["outlet"].nunique() > n and df["level"].eq("group").any():
        groups = df[df["level"].eq("group")]
        notes = [f"{rows['outlet'].nunique()} outlets read through their {groups['outlet'].nunique()} groups"]
        rows, noun = groups, "group"
    keep, note = _top(rows.groupby("outlet")["articles"].max(), n, noun)
    return rows[rows["outlet"].isin(keep)], notes + [note], noun


def _most(df: pd.DataFrame, col: str, by: str, noun: str, verb: str = "used", key=None):
    """(the ``MAX_TERMS`` values of ``col`` with the largest total ``by``, sorted by ``key``, a note if any left out)."""
    used = df.groupby(col)[by].sum().sort_values(ascending=False, kind="stable")
    return sorted(used.index[:MAX_TERMS], key=key), f"the {MAX_TERMS} most {verb} of {len(used)} {noun}s" * (
        len(used) > MAX_TERMS)


def _heatmap(ax, grid: pd.DataFrame, cmap: str, vmin, vmax, label: str, cells=None) -> None:
    """``grid`` as an image with index and columns as ticks; the texts ``cells`` in the cells up to ``CELL_LABELS``."""
    v = grid.to_numpy(dtype=float)
    im = ax.imshow(v, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    size = 8 if max(v.shape) > 15 else 9
    ax.set_xticks(range(v.shape[1]), [_short(c) for c in grid.columns], rotation=60, ha="right", fontsize=size)
    ax.set_yticks(range(v.shape[0]), [_short(i) for i in grid.index], fontsize=size)
    ax.spines[:].set_visible(False)
    for (i, j), x in np.ndenumerate(v) if cells is not None and v.size <= CELL_LABELS else ():
        dark = abs(im.norm(x) - 0.5) > 0.3 if vmin < 0 else im.norm(x) > 0.6
        if not np.isnan(x):
            ax.text(j, i, cells.iat[i, j], ha="center", va="center", fontsize=7, color="white" if dark else "black")
    few = v.shape[0] < 8  # a short colour bar cannot hold its label upright: lay it along the bottom
    ax.figure.colorbar(im, ax=ax, label=label, location="bottom" if few else "right", shrink=1 if few else 0.8)


def _intervals(ax, rows: pd.DataFrame, cols, colors: list, dy: float = 0, right=None, **kw) -> None:
    """Per row of ``rows``, top to bottom (+ ``dy``), a point with its interval (``cols``: value, low, high), one
    artist per colour, nothing where the value is NaN; the texts ``right`` beside the axes."""
    x, lo, hi = (rows[c].to_numpy(dtype=float) for c in cols)
    d = pd.DataFrame({"x": x, "lo": x - lo, "hi": hi - x, "color": colors, "y": np.arange(len(rows)) + dy})
    for color, r in d.dropna(subset=["x"]).groupby("color", sort=False):
        ax.errorbar(r["x"], r["y"], xerr=np.nan_to_num([r["lo"], r["hi"]]), fmt="o", ms=4, color=color, capsize=2, **kw)
    for y, text in enumerate(right if right is not None else []):
        ax.text(1.02, y, text, va="center", fontsize=7, color="0.3", transform=ax.get_yaxis_transform())


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
    """Words per article (a bar each up to ``FEW`` articles, else a histogram), articles per outlet and per month."""
    cols = ["file", "source", "group", "published", "date_precision", "words", "sentences"]
    data = articles[[c for c in cols if c in articles]].sort_values("file", kind="stable").reset_index(drop=True)
    n, k = len(data), data["source"].nunique()
    group = data["group"].fillna("").astype(str) if "group" in data else pd.Series("", index=data.index)
    groups = dict(zip(data.loc[group.ne(""), "source"], group[group.ne("")])) or None
    colors = source_colors(data["source"], groups)
    title = f"Corpus at a glance: {n:,} articles, {int(data['words'].sum()):,} words, {k:,} outlet{'s' * (k != 1)}"
    if n <= FEW:
        fig, ((ax,),) = _figure(9, ROW * n + 2)
        ax.barh(range(n), data["words"], color=[colors[s] for s in data["source"]])
        _rows(ax, data["file"])
        ax.set(xlabel="Words per article (tokens, title counted once)", ylabel="Article file")
        _legend(ax, colors, groups)
        _title(fig, title)
        return fig, data
    month = data["published"].fillna("").astype(str).str[:7] if "published" in data else pd.Series(dtype=str)
    month = month[month.str.len() == 7]
    sizes = data["source"].value_counts()
    units, note = _top(sizes, pool=True)
    per = sizes.groupby(lambda o: o if o in set(units) else units[-1]).sum().reindex(units)
    fig, axes = _figure(5.5 * (2 + (len(month) > 0)), ROW * len(units) + 2.5, 1, 2 + (len(month) > 0))
    axes[0, 0].hist(data["words"], bins=int(np.clip(np.sqrt(n), 10, 60)), color=NEUTRAL)
    axes[0, 0].set(xlabel="Words per article (tokens)", ylabel="Articles (count)", title="Length of articles")
    ax, skewed = axes[0, 1], bool(per.max() > 50 * per.min())
    ax.barh(range(len(units)), per.to_numpy(), color=[colors.get(o, UNKNOWN_COLOR) for o in units])
    _rows(ax, units)
    ax.set(xscale="log" if skewed else "linear", xlabel=f"Articles (count{', log scale' * skewed})", ylabel="Outlet",
           title="Articles per outlet")
    _legend(ax, {o: colors[o] for o in units if o in colors}, groups)
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
    """Uses per 1,000 words, outlet x family: variant (``terms.outlet_rates``); pooled = sum count / sum words."""
    data = rates.assign(term=rates["family"] + ": " + rates["variant"]).reset_index(drop=True)
    sizes = data.groupby("outlet")["articles"].max()
    units, note = _top(sizes, pool=True)
    pooled = _pool(data, units, ["term"], ["count", "words"])
    pooled["rate_per_1k"] = pooled["count"] / pooled["words"].where(pooled["words"] > 0) * 1000
    terms, term_note = _most(data, "term", "count", "term")
    grid = pooled.pivot(index="outlet", columns="term", values="rate_per_1k").reindex(index=units, columns=terms)
    fig, ((ax,),) = _figure(0.4 * len(terms) + 5, ROW * len(units) + 3)
    _heatmap(ax, grid, "Blues", 0, None, "Uses per 1,000 words (all voices)", grid.map("{:.1f}".format))
    ax.set(xlabel="Term family: variant", ylabel="Outlet")
    _title(fig, f"Contested terms per 1,000 words, by outlet ({int(sizes.sum()):,} articles)", term_note, note,
           every="outlet" if note else "term")
    return fig, data


def pair_share_figure(shares: pd.DataFrame, pair: str):
    """Share of variant A in one contested pair per outlet (or group), 95% intervals (``terms.pair_shares``)."""
    return pair_shares_grid(shares[shares["pair"] == pair])


def pair_shares_grid(shares: pd.DataFrame):
    """Every contested pair (at most 24), one panel each; fewer rows per panel when there are many pairs."""
    data = shares.reset_index(drop=True)
    pairs = list(dict.fromkeys(data["pair"]))
    shown = pairs[:2 * PANELS]
    ncol = 1 if len(shown) == 1 else 2 if len(shown) <= 6 else 3
    drawn, notes, noun = _units(data, int(np.clip(90 // -(-len(shown) // ncol), 5, TOP)))
    units = source_order(drawn["outlet"])
    colors = [source_colors(units)[u] for u in units]
    fig, axes = _panels(len(shown), ncol, 6 + 2 * (ncol == 1), ROW * len(units) + 1.3)
    for ax, pair in zip(axes, shown):
        d = drawn[drawn["pair"] == pair].drop_duplicates("outlet").set_index("outlet").reindex(units)
        a, b = data.loc[data["pair"] == pair, ["a_variant", "b_variant"]].iloc[0]
        uses = d[["a_count", "b_count"]].fillna(0).astype(int)
        _intervals(ax, d, ["share_a", "ci_low", "ci_high"], colors, right=uses["a_count"].astype(str) + "/" +
                   uses.sum(axis=1).astype(str))
        for y in np.flatnonzero(d["share_a"].isna()):
            ax.text(0.5, y, "no uses", ha="center", va="center", fontsize=8, color="0.33", style="italic")
        ax.axvline(0.5, color="#cccccc", lw=0.8, zorder=0)
        ax.set(xlim=(0, 1), title=f'"{a}" vs "{b}"', ylabel=noun.capitalize(),
               xlabel=f'Share of "{a}" among "{a}" + "{b}" (proportion; right: uses)')
        _rows(ax, units)
    n = data.loc[data["level"].eq("outlet") & data["pair"].eq(pairs[0]), "articles"].sum()
    what = "Contested pairs: share of the first term" if len(pairs) > 1 else "Share of the first term"
    cut = f"first {len(shown)} of {len(pairs)} pairs" if len(shown) < len(pairs) else ""
    _title(fig, f"{what} by {noun}, 95% intervals ({data['voices'].iloc[0]} voice, {n:,} articles)", cut, *notes,
           every="outlet and pair")
    return fig, data


def voice_breakdown(counts: pd.DataFrame):
    """Uses by voice (own / quoted / scare) per family: variant, over all outlets and for the 5 largest
    (``terms.term_counts``)."""
    c = counts[counts["voice"] != "all"]
    data = c.groupby(["outlet", "family", "variant", "voice"], as_index=False).agg(
        count=("count", "sum"), words=("words", "sum"), articles=("file", "nunique"))
    data["rate_per_1k"] = data["count"] / data["words"].where(data["words"] > 0) * 1000
    sizes = c.groupby("outlet")["file"].nunique()
    keep = sorted(top_units(sizes, 5)[0], key=lambda o: -sizes[o])
    terms = data.assign(term=data["family"] + ": " + data["variant"])
    names, term_note = _most(terms[terms["count"] > 0], "term", "count", "used term")
    panels = [(f"all {len(sizes)} outlets", terms, c["file"].nunique())] * (len(sizes) > 1)
    panels += [(o, terms[terms["outlet"] == o], sizes[o]) for o in keep]
    fig, axes = _panels(len(panels), min(3, len(panels)), 4, ROW * max(len(names), 1) + 1.3, sharey=True)
    for ax, (name, d, n) in zip(axes, panels):
        w = d.pivot_table(index="term", columns="voice", values="count", aggfunc="sum")
        w = w.reindex(index=names, columns=list(VOICES)).fillna(0).to_numpy()
        for i, (voice, color) in enumerate(VOICES.items()):
            ax.barh(range(len(names)), w[:, i], left=w[:, :i].sum(axis=1), color=color, label=voice)
        ax.set(title=f"{_short(name, 30)} ({n:,} articles)", xlabel="Uses (count of matches)")
        _rows(ax, names)
    axes[0].set_ylabel("Term family: variant")
    if not names:
        axes[0].text(0.5, 0.5, "no uses of any term", ha="center", transform=axes[0].transAxes)
    fig.legend(*axes[0].get_legend_handles_labels(), title="Voice", loc="outside right upper", frameon=False)
    note = f"panels: all outlets, then the {len(keep)} largest by articles" * (len(sizes) > 5)
    _title(fig, f"Whose words? Own voice vs quoted vs scare use ({c['file'].nunique():,} articles)", term_note, note,
           every="outlet and term")
    return fig, data


# ---------------------------------------------------------------------------- sentiment (03)
def sentiment_outlets(outlets: pd.DataFrame):
    """Per engine: mean sentence score per outlet (filled) and with contested terms masked (hollow), 95%
    bootstrap intervals (``sentiment.outlet_summary``); groups or the largest outlets beyond ``TOP``."""
    data = outlets.reset_index(drop=True)
    drawn, notes, noun = _units(data)
    units, engs = source_order(drawn["outlet"]), _engines(data["engine"])
    colors = [source_colors(units)[u] for u in units]
    fig, axes = _figure(4.5 * len(engs) + 3, 1.3 * ROW * len(units) + 2.2, 1, max(len(engs), 1), sharey=True)
    for ax, e in zip(axes[0], engs):
        d = drawn[drawn["engine"] == e].drop_duplicates("outlet").set_index("outlet").reindex(units)
        arts = d["articles"].map("{:,.0f} art.".format, na_action="ignore").fillna("")
        _intervals(ax, d, ["score", "score_low", "score_high"], colors, -0.15, right=arts)
        _intervals(ax, d, ["score_masked", "score_masked_low", "score_masked_high"], colors, 0.15, mfc="white")
        ax.axvline(0, color="0.7", lw=0.8)
        ax.set(xlim=(-1, 1), xlabel=f"Mean {ENGINES.get(e, e + ' score')}", title=e)
        _rows(ax, units)
    axes[0, 0].set_ylabel(noun.capitalize())
    _title(fig, f"Mean sentence sentiment per {noun}: raw (filled) vs contested terms masked (hollow), "
                "95% bootstrap interval over articles (none for 1 article)", *notes)
    return fig, data


def sentiment_targets(targets: pd.DataFrame):
    """Outlet x target mean sentence score per engine (``sentiment.target_summary``); pooled outlets as the mean
    over their sentences; numbers in cells only when small."""
    data = targets.reset_index(drop=True)
    engs = _engines(data["engine"]) or list(ENGINES)[:1]
    first = data[data["engine"] == engs[0]]
    units, note = _top(first.groupby("outlet")["sentences"].sum(), by="sentences naming a target", pool=True)
    w = data.assign(_n=data["sentences"].where(data["score"].notna(), 0),
                    _s=(data["score"] * data["sentences"]).fillna(0))
    pooled = _pool(w, units, ["target", "engine"], ["sentences", "_n", "_s"])
    pooled["score"] = pooled["_s"] / pooled["_n"].where(pooled["_n"] > 0)
    tgts, tgt_note = _most(first, "target", "sentences", "target", "named")
    small = len(units) * len(tgts) <= 40
    fig, axes = _figure(len(engs) * (0.7 * len(tgts) + 2.5) + 3, (0.5 if small else ROW) * len(units) + 3, 1, len(engs))
    for ax, e in zip(axes[0], engs):
        grid, n = (pooled[pooled["engine"] == e].pivot(index="outlet", columns="target", values=v)
                   .reindex(index=units, columns=tgts) for v in ("score", "sentences"))
        cells = grid.map("{:.2f}\n".format) + n.fillna(0).astype(int).astype(str) + " sent." if small else None
        _heatmap(ax, grid.rename(columns=lambda t: t.replace("_", " ")), "RdBu", -1, 1, f"Mean {ENGINES.get(e, e)}",
                 cells)
        ax.set(xlabel="Target (sentences naming it)", ylabel="Outlet", title=e)
    _title(fig, "Mean sentiment of the sentences naming each target" + " (cells: mean score, sentences)" * small,
           tgt_note, note, every="outlet" if note else "target")
    return fig, data


def engine_agreement(sentences: pd.DataFrame, a: str = "vader", b: str = "textblob"):
    """Sentence scores of engine ``a`` against ``b``: a scatter (coloured by outlet up to 8) up to ``POINTS``
    sentences, else a 2-D histogram, so the SVG stays small."""
    data = sentences[["file", "outlet", "index", a, b]].dropna(subset=[a, b]).reset_index(drop=True)
    n, k = len(data), data["outlet"].nunique()
    r = np.corrcoef(data[a], data[b])[0, 1] if n > 1 and data[a].std() > 0 and data[b].std() > 0 else np.nan
    fig, ((ax,),) = _figure(7.5, 6)
    note = ""
    if n > POINTS:
        hb = ax.hexbin(data[a], data[b], gridsize=40, extent=(-1, 1, -1, 1), bins="log", mincnt=1, cmap="viridis")
        fig.colorbar(hb, ax=ax, label="Sentences per hexagon (log scale)", format="{x:,.0f}")
        note = f"{n:,} sentences drawn as a 2-D histogram"
    elif k <= len(OKABE_ITO):
        for o, color in source_colors(data["outlet"]).items():
            g = data[data["outlet"] == o]
            ax.scatter(g[a], g[b], s=12, alpha=0.7, color=color, label=f"{_short(o)} (n={len(g):,})")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), title="Outlet (sentences)", frameon=False)
    else:
        ax.scatter(data[a], data[b], s=8, alpha=0.5, color=NEUTRAL)
        note = f"{k} outlets in one colour"
    ax.plot([-1, 1], [-1, 1], color="0.7", lw=0.8)
    ax.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), xlabel=ENGINES.get(a, a), ylabel=ENGINES.get(b, b))
    _title(fig, f"Engine agreement per sentence ({n:,} sentences in {data['file'].nunique():,} articles, "
                f"Pearson r = {r:.2f})", note, every="sentence with its outlet")
    return fig, data


# ---------------------------------------------------------------------------- comparison (04)
def distinctive(distinctive: pd.DataFrame, articles: pd.DataFrame, top_n: int = 15):
    """Top-``top_n`` z-scores per group (``compare.distinctive_terms``) as small multiples of the ``PANELS``
    groups with most articles."""
    groups = list(distinctive["group"].unique())
    n = articles.groupby("source").size()
    if "group" in articles and not set(groups) & set(n.index):
        n = articles.groupby("group").size()
    sizes = pd.Series({g: int(n.get(g, 0)) for g in groups}, dtype="int64")
    keep, note = _top(sizes, PANELS, "group")
    keep = sorted(keep, key=lambda g: -sizes[g])
    data = distinctive[distinctive["rank"] <= top_n].sort_values(["group", "rank"]).reset_index(drop=True)
    rows, colors = min(top_n, MAX_TERMS), source_colors(keep)
    fig, axes = _panels(len(keep), min(4, max(len(keep), 1)), 3.6, 0.22 * rows + 1.2)
    for ax, g in zip(axes, keep):
        d = data[(data["group"] == g) & (data["rank"] <= rows)].sort_values("rank")
        ax.barh(range(len(d)), d["z"], color=colors[g])
        _rows(ax, list(d["term"]) + [""] * (rows - len(d)), 30)
        ax.set_title(f"{_short(g, 35)}\n(n = {sizes[g]:,} article{'' if sizes[g] == 1 else 's'})", fontsize=9)
        ax.set_xlabel("z-score (log-odds, Dirichlet prior)", fontsize=8)
    _title(fig, f"Most distinctive words and bigrams per group vs the rest (top {rows})", note,
           every=f"group's top {top_n}")
    return fig, data


def similarity(matrix: pd.DataFrame, articles: pd.DataFrame):
    """Outlet x outlet TF-IDF cosine (``compare.similarity_matrix``, clustering order); beyond ``SIM_MAX`` outlets
    the largest by articles, in the same order; numbers in cells only when small."""
    n = articles[articles["status"] != "near_duplicate"] if "status" in articles else articles
    n = n.groupby("source").size()
    keep, note = _top({o: int(n.get(o, 0)) for o in matrix.index}, SIM_MAX)
    outlets = [o for o in matrix.index if o in set(keep)]
    labels = [f"{_short(o, 32)} (n={int(n.get(o, 0)):,})" for o in outlets]
    side = 0.3 * len(outlets) + 4
    fig, ((ax,),) = _figure(side + 2, side)
    grid = pd.DataFrame(matrix.loc[outlets, outlets].to_numpy(), index=labels, columns=labels)
    _heatmap(ax, grid, "Blues", 0, 1, "TF-IDF cosine similarity (0-1)", grid.map("{:.2f}".format))
    ax.set(xlabel="Outlet (articles)", ylabel="Outlet (articles)")
    _title(fig, "Similarity between outlets (mean TF-IDF vector, near duplicates excluded)", note,
           "in the clustering order of all" * bool(note), every="pair")
    return fig, matrix.rename_axis("outlet").reset_index()


def coverage(matrix: pd.DataFrame):
    """Items (by kind) x outlets: share of the outlet's articles mentioning each (``compare.coverage_matrix``);
    the ``MAX_TERMS`` most mentioned items, ``TOP`` outlets and the rest pooled."""
    data = matrix.reset_index(drop=True)
    m = data.assign(label=data["kind"] + ": " + data["item"],
                    mentioning=data["mentioning"] if "mentioning" in data else data["share"] * data["articles"])
    sizes = m.groupby("outlet")["articles"].max()
    units, note = _top(sizes, pool=True)
    pooled = _pool(m, units, ["label"], ["mentioning"])
    base = sizes.reindex(units).fillna(sizes.drop(units, errors="ignore").sum())  # pooled: all their articles
    pooled["share"] = pooled["mentioning"] / pooled["outlet"].map(base)
    kind = dict(zip(m["label"], m["kind"].map({"numbers": 0, "events": 1, "actors": 2}).fillna(3)))
    items, item_note = _most(m, "label", "mentioning", "item", "mentioned", key=lambda x: (kind[x], x))
    grid = pooled.pivot(index="label", columns="outlet", values="share").reindex(index=items, columns=units).fillna(0)
    grid.columns = [f"{_short(o, 32)} (n={int(base[o]):,})" for o in units]
    fig, ((ax,),) = _figure(0.4 * len(units) + 7, ROW * len(grid) + 4)
    _heatmap(ax, grid, "Greens", 0, 1, "Share of the outlet's articles mentioning the item", grid.map("{:.0%}".format))
    ax.set(xlabel="Outlet (articles)", ylabel="Kind: item")
    _title(fig, "What each outlet mentions: numbers, events, actors", item_note, note,
           every="outlet" if note else "item")
    return fig, data
