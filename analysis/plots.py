"""Figures: one colour per outlet across every figure, saved as PNG + SVG + the CSV behind them.

>>> colors = source_colors(["Al-Ahed News (English)", "Shafaq News (English)"])
>>> fig, ax = plt.subplots()
>>> save_figure(fig, pd.DataFrame({"x": [1]}), "demo", Path(tempfile.mkdtemp()))  # doctest: +ELLIPSIS
PosixPath('...demo.png')
"""
from __future__ import annotations

import tempfile
from pathlib import Path



import matplotlib.pyplot as plt
import pandas as pd

from . import tables

# Okabe & Ito (2008) colour-blind-safe palette, black last; then a grey ramp for long tails.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
UNKNOWN_COLOR = "#999999"

# Deterministic output: fixed SVG ids, no creation dates, one font and size everywhere.
plt.rcParams.update({
    "svg.hashsalt": "framing-analysis",
    "svg.fonttype": "none",
    "text.parse_math": False,  # outlet names and terms are text: a "$" in one must not turn into maths
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
})


def source_order(sources) -> list[str]:
    """Outlets in display order: named outlets alphabetically, then unknown ones."""
    uniq = sorted(set(sources))
    return [s for s in uniq if not s.startswith("unknown")] + [s for s in uniq if s.startswith("unknown")]


def source_colors(sources) -> dict[str, str]:
    """A fixed colour per outlet: the same corpus gives the same colours in every figure."""
    order = source_order(sources)
    colors = {}
    for i, s in enumerate(order):
        colors[s] = OKABE_ITO[i] if i < len(OKABE_ITO) else plt.get_cmap("tab20")(i % 20)
    return colors


def save_figure(fig, data: pd.DataFrame, name: str, figures_dir: Path) -> Path:
    """Save ``fig`` as ``name.png`` and ``name.svg`` and ``data`` as ``name.csv``, all deterministic."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    png = figures_dir / f"{name}.png"
    fig.savefig(png, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(figures_dir / f"{name}.svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    tables.write_csv(data, figures_dir / f"{name}.csv")
    return png


def corpus_overview(articles: pd.DataFrame):
    """Bar chart of words per article, one colour per outlet; returns (fig, data behind it)."""
    data = articles[["file", "source", "published", "date_precision", "words", "sentences"]].sort_values("file")
    colors = source_colors(data["source"])
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(data) + 1.5))
    ax.barh(data["file"], data["words"], color=[colors[s] for s in data["source"]])
    ax.invert_yaxis()
    ax.set_xlabel("Words per article (tokens, title counted once)")
    ax.set_ylabel("Article file")
    ax.set_title(f"Corpus at a glance: {len(data)} articles, {data['words'].sum():,} words")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colors.values()]
    ax.legend(handles, colors.keys(), title="Outlet", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return fig, data


# --------------------------------------------------------------------------- terminology (02)

import numpy as np  # noqa: E402  (appended section; the functions above do not need it)

def _n_articles(df: pd.DataFrame) -> int:
    return int(df.drop_duplicates("outlet")["articles"].sum()) if len(df) else 0


def term_rate_heatmap(rates: pd.DataFrame):
    """Heatmap of pooled uses per 1,000 words, outlet × family:variant (``terms.outlet_rates``)."""
    data = rates.assign(term=rates["family"] + ": " + rates["variant"])
    grid = data.pivot(index="outlet", columns="term", values="rate_per_1k").reindex(source_order(data["outlet"]))
    fig, ax = plt.subplots(figsize=(0.5 * grid.shape[1] + 3, 0.45 * grid.shape[0] + 2.5))
    im = ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", aspect="auto", vmin=0)
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        ax.text(j, i, "" if np.isnan(v) else f"{v:.1f}", ha="center", va="center", fontsize=7,
                color="white" if v > np.nanmax(grid.to_numpy(dtype=float)) * 0.6 else "black")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(grid.shape[0]), grid.index)
    for label in ax.get_yticklabels():
        label.set_color(source_colors(grid.index)[label.get_text()])
    ax.set_xlabel("Term family: variant")
    ax.set_ylabel("Outlet")
    fig.colorbar(im, ax=ax, label="Uses per 1,000 words (all voices)")
    ax.set_title(f"Contested terms per 1,000 words, by outlet ({_n_articles(data)} articles)")
    return fig, data


def draw_pair_share(ax, shares: pd.DataFrame, colors: dict) -> None:
    """One contested pair on ``ax``: share A per outlet with its interval; "no uses" when undefined."""
    order = [o for o in source_order(shares["outlet"])]
    rows = shares.set_index("outlet").loc[order]
    for y, (outlet, r) in enumerate(rows.iterrows()):
        if np.isnan(r["share_a"]):
            ax.text(0.5, y, "no uses", ha="center", va="center", fontsize=8, color="#555555", style="italic")
            continue
        ax.errorbar(r["share_a"], y, xerr=[[r["share_a"] - r["ci_low"]], [r["ci_high"] - r["share_a"]]],
                    fmt="o", color=colors[outlet], capsize=3)
        ax.text(1.02, y, f"{r['a_count']}/{r['a_count'] + r['b_count']}", va="center", fontsize=7,
                transform=ax.get_yaxis_transform())
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.axvline(0.5, color="#cccccc", lw=0.8, zorder=0)


def pair_share_figure(shares: pd.DataFrame, pair: str):
    """Share of variant A in one contested pair per outlet, with 95% intervals (level ``outlet``)."""
    data = shares[(shares["level"] == "outlet") & (shares["pair"] == pair)]
    a, b, voices = data["a_variant"].iloc[0], data["b_variant"].iloc[0], data["voices"].iloc[0]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(data) + 1.8))
    draw_pair_share(ax, data, source_colors(data["outlet"]))
    ax.set_xlabel(f'Share of "{a}" among "{a}" + "{b}" uses (proportion, {voices} voice)')
    ax.set_ylabel("Outlet")
    ax.set_title(f'"{a}" vs "{b}": share by outlet, 95% intervals ({_n_articles(data)} articles)')
    return fig, data


def pair_shares_grid(shares: pd.DataFrame):
    """Every contested pair, one panel each (level ``outlet``), same layout as ``pair_share_figure``."""
    data = shares[shares["level"] == "outlet"]
    pairs = list(dict.fromkeys(data["pair"]))
    colors = source_colors(data["outlet"])
    ncol = 2
    nrow = -(-len(pairs) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(12, nrow * (0.4 * data["outlet"].nunique() + 1.6)), squeeze=False)
    for ax, pair in zip(axes.flat, pairs):
        d = data[data["pair"] == pair]
        draw_pair_share(ax, d, colors)
        ax.set_title(f'"{d["a_variant"].iloc[0]}" vs "{d["b_variant"].iloc[0]}"', fontsize=10)
        ax.set_xlabel(f'Share of "{d["a_variant"].iloc[0]}" (proportion)')
    for ax in axes.flat[len(pairs):]:
        ax.set_visible(False)
    fig.suptitle(f"Contested pairs: share of the first term by outlet, 95% intervals "
                 f"({data['voices'].iloc[0]} voice, {_n_articles(data[data['pair'] == pairs[0]])} articles)")
    fig.tight_layout()
    return fig, data


def voice_breakdown_figure(counts: pd.DataFrame):
    """Uses by voice (own / quoted / scare) per outlet and variant, from ``terms.term_counts``."""
    c = counts[counts["voice"] != "all"]
    data = c.groupby(["outlet", "family", "variant", "voice"], as_index=False)["count"].sum()
    wide = data.pivot_table(index=["outlet", "family", "variant"], columns="voice", values="count", fill_value=0)
    wide = wide[wide.sum(axis=1) > 0].reindex(columns=["own", "quoted", "scare"], fill_value=0)
    wide = wide.reindex(sorted(wide.index, key=lambda k: (source_order(c["outlet"]).index(k[0]), k[1], k[2])))
    colors = source_colors(c["outlet"])
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(wide) + 2))
    left = np.zeros(len(wide))
    styles = {"own": {}, "quoted": {"hatch": "///", "alpha": 0.45}, "scare": {"hatch": "..", "alpha": 0.2}}
    labels = [f"{o} · {f}: {v}" for o, f, v in wide.index]
    for voice, style in styles.items():
        ax.barh(labels, wide[voice], left=left, color=[colors[o] for o, _, _ in wide.index], edgecolor="black",
                linewidth=0.4, label=voice, **style)
        left += wide[voice].to_numpy()
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel("Uses (count of matches)")
    ax.set_ylabel("Outlet · family: variant")
    ax.legend(title="Voice", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(f"Whose words? Own voice vs quoted vs scare use ({counts['file'].nunique()} articles)")
    return fig, data
