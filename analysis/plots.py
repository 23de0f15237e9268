"""Every figure, bounded at any corpus size: each returns ``(fig, data)``; ``save_figure`` writes PNG + SVG + CSV.

``data`` is the full table (every outlet). At most ``TOP`` outlets are drawn one per row (the largest by articles; the
rest pooled or read through their group, as the title says); sizes are capped at ``MAX_PX`` pixels.
"""
import functools
import textwrap
from pathlib import Path
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from . import tables
from .style import NEUTRAL, OKABE_ITO, UNDATED, UNKNOWN_COLOR, source_colors, source_order, top_units

MAX_PX, DPI = 4000, 120
MAX_IN = (MAX_PX - 2) / DPI  # longest side of any figure, in inches
TOP, PANELS, SIM_MAX = 25, 12, 40  # outlets one per row; small multiples; outlets in the similarity heatmap
MAX_TERMS, CELL_LABELS = 40, 150  # terms / items drawn at most (the most used); heatmap cells numbered up to this many
LINES, ROW = 7, 0.28  # units drawn over time, one colour each (the rest pooled); inches per drawn row (10 pt text)
VOICES = {"own": OKABE_ITO[3], "quoted": OKABE_ITO[0], "scare": OKABE_ITO[5], "reported": OKABE_ITO[2]}
ENGINES = {"vader": "VADER compound (−1 to 1)", "textblob": "TextBlob polarity (−1 to 1)"}

# Same bytes for the same input (fixed SVG ids, no dates), one font everywhere; a "$" in a name is text, not maths.
plt.rcParams.update({"svg.hashsalt": "framing-analysis", "svg.fonttype": "none", "text.parse_math": False,
                     "figure.dpi": 100, "savefig.dpi": DPI, "font.size": 10, "axes.titlesize": 10,
                     "axes.spines.top": False, "axes.spines.right": False})

def save_figure(fig, data: pd.DataFrame, name: str, figures_dir: Path) -> Path:
    """Save ``name``.png and .svg (shrunk to ``MAX_PX``, same bytes for the same input) and ``data`` as .csv."""
    (figures_dir := Path(figures_dir)).mkdir(parents=True, exist_ok=True)
    fig.set_size_inches(fig.get_size_inches() * min(1, MAX_IN / fig.get_size_inches().max()))
    png = figures_dir / f"{name}.png"
    try:  # constrained layout once for both files, no bbox_inches="tight": saved size = figure size
        if fig.get_layout_engine() is not None:
            fig.get_layout_engine().execute(fig)
            fig.set_layout_engine(None)
        fig.savefig(png, dpi=DPI, metadata={"Software": None})
        fig.savefig(figures_dir / f"{name}.svg", dpi=DPI, metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    size = np.frombuffer(png.read_bytes()[16:24], ">u4")   # the PNG header's width and height
    assert size.max() <= MAX_PX, f"{png} is over {MAX_PX} px"
    if "inline" in plt.get_backend():   # a notebook shows the saved PNG: drawing the figure again costs ~0.3 s
        from IPython.display import Image, display
        display(Image(png.read_bytes(), width=int(size[0] * 100 / DPI)))
    tables.write_csv(data, figures_dir / f"{name}.csv")
    return png

def _figure(w: float, h: float, n: int = 1, ncol: int = 1, **kw):  # (figure, its n axes, ncol a row), w x h inches
    fig, axes = plt.subplots(-(-max(n, 1) // ncol), ncol, figsize=(np.clip(w, 6, MAX_IN), np.clip(h, 3.5, MAX_IN)),
                             layout="constrained", squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])

def _title(fig, text: str, *notes: str, every: str = "outlet"):
    """``fig``, titled, then the notes on what it leaves out (the CSV has it all), wrapped to its width."""
    note = "; ".join(n for n in notes if n)
    note += f"; every {every} in the CSV" if note and every else ""
    chars = int(fig.get_size_inches()[0] * 10)
    fig.suptitle("\n".join(textwrap.wrap(text, chars) + textwrap.wrap(note, int(chars * 1.2))), fontsize=11)
    return fig

def _short(label, n: int = 40) -> str:  # a display label of at most n characters (the CSV keeps the full name)
    return str(label) if len(str(label)) <= n else str(label)[:n - 1] + "…"

def _rows(ax, labels, n: int = 40) -> None:  # one row per label, top to bottom
    ax.set_yticks(range(len(labels)), [_short(x, n) for x in labels], fontsize=8 if len(labels) > 15 else 9)
    ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)

def _top(sizes, n: int = TOP, noun: str = "outlet", by: str = "articles", pool: bool = False):
    """(sizes of the ``n`` largest units, then of one "other (k outlets)" if ``pool``; the note on the rest)."""
    sizes = pd.Series(sizes, dtype="int64")
    keep, rest, other = top_units(sizes, n)
    note = f"top {n} of {len(sizes)} {noun}s by {by}" if rest else ""
    if pool and rest:
        return pd.concat([sizes[keep], pd.Series({other: sizes[rest].sum()})]), f"{note}; the rest pooled as '{other}'"
    return sizes[keep], note and f"{note}, the other {len(rest)} not drawn"

def _pooled(df: pd.DataFrame, units: list, col: str, *sums: str):  # per sum, an outlet x col grid; others pooled last
    total = df.groupby([df["outlet"].where(df["outlet"].isin(units), units[-1]), df[col]])[list(sums)].sum()
    return [total[c].unstack(col).reindex(units) for c in sums]

def _units(df: pd.DataFrame, n: int = TOP):
    """(rows of the ``n`` largest outlets of a level/outlet table, or of their groups beyond; units; notes; noun)."""
    rows, notes, noun = df[df["level"].eq("outlet")], [], "outlet"
    if rows["outlet"].nunique() > n and df["level"].eq("group").any():
        groups = df[df["level"].eq("group")]
        notes = [f"{rows['outlet'].nunique()} outlets read through their {groups['outlet'].nunique()} groups"]
        rows, noun = groups, "group"
    keep, note = _top(rows.groupby("outlet")["articles"].max(), n, noun)
    return rows[rows["outlet"].isin(keep.index)], source_order(keep.index), notes + [note], noun

def _most(df: pd.DataFrame, col: str, by: str, noun: str, verb: str = "used", key=None):
    """(the ``MAX_TERMS`` values of ``col`` with the most ``by`` in all, sorted by ``key``; a note if any left out)."""
    used = df.groupby(col)[by].sum().sort_values(ascending=False, kind="stable")
    note = f"the {MAX_TERMS} most {verb} of {len(used)} {noun}s" if len(used) > MAX_TERMS else ""
    return sorted(used.index[:MAX_TERMS], key=key), note

def _heatmap(ax, grid: pd.DataFrame, cmap: str, vmin, vmax, label: str, cells=None, **axis):  # cells: texts or None
    v = grid.to_numpy(dtype=float)
    im = ax.imshow(v, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    size = 8 if max(v.shape) > 15 else 9
    ax.set_xticks(range(v.shape[1]), [_short(c) for c in grid.columns], rotation=60, ha="right", fontsize=size)
    ax.set_yticks(range(v.shape[0]), [_short(i) for i in grid.index], fontsize=size)
    ax.spines[:].set_visible(False)
    ax.set(**axis)
    for i, j in np.argwhere(~np.isnan(v)) if cells is not None and v.size <= CELL_LABELS else ():
        dark = abs(im.norm(v[i, j]) - 0.5) > 0.3 if vmin < 0 else im.norm(v[i, j]) > 0.6
        ax.text(j, i, cells.iat[i, j], ha="center", va="center", fontsize=7, color="white" if dark else "black")
    few = v.shape[0] < 8  # a short colour bar cannot hold its label upright: lay it along the bottom
    ax.figure.colorbar(im, ax=ax, label=label, location="bottom" if few else "right", shrink=1 if few else 0.8)
    # room for two rows, the column labels at 60° (~0.055 in a character), the titles and a colour bar below: with
    # one outlet the grid alone left none, and the layout collapsed it
    longest = max((len(t.get_text()) for t in ax.get_xticklabels()), default=0)
    need = ROW * max(v.shape[0], 2) + 0.055 * longest + (2.0 if few else 1.4)
    if need > ax.figure.get_figheight():
        ax.figure.set_figheight(min(need, MAX_IN))

def _intervals(ax, d: pd.DataFrame, series, xlim, right=None) -> None:
    """A point and interval per row of ``d`` and (value, low, high, dy, style) of ``series``; ``right``: texts."""
    colors, y = [source_colors(d.index)[u] for u in d.index], np.arange(len(d))
    right = d["articles"].map("{:,.0f} art.".format, na_action="ignore").fillna("") if right is None else right
    for x, lo, hi, dy, kw in series:
        p = pd.DataFrame({"x": d[x], "lo": d[x] - d[lo], "hi": d[hi] - d[x], "y": y + dy, "c": colors})
        for c, r in p.dropna(subset="x").groupby("c", sort=False):
            ax.errorbar(r["x"], r["y"], xerr=np.nan_to_num([r["lo"], r["hi"]]), fmt="o", ms=4, color=c, capsize=2, **kw)
    for i, text in enumerate(right):
        ax.text(1.02, i, text, va="center", fontsize=7, color="0.3", transform=ax.get_yaxis_transform())
    ax.axvline(np.mean(xlim), color="0.8", lw=0.8, zorder=0)
    ax.set_xlim(xlim)
    _rows(ax, d.index)

def _legend(ax, colors: dict, title: str) -> None:  # label -> colour beside ax, up to 8 (beyond, colours say nothing)
    if len(colors) <= len(OKABE_ITO):
        ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c, label=u) for u, c in colors.items()], title=title,
                  loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)

def _pooled_last(units, noun: str):  # (units in source_order, a pooled "other (k ...)" last; the note if one is)
    units = sorted(source_order(units), key=lambda u: u.startswith("other ("))
    pooled = units[-1].startswith("other (")
    return units, f"the {noun}s beyond the {len(units) - 1} largest by articles pooled as '{units[-1]}'" * pooled

def _or_none(func):  # a figure saying there is nothing to draw when its table is empty (a study with no terms)
    @functools.wraps(func)
    def draw(data: pd.DataFrame, *args, **kwargs):
        if len(data):
            return func(data, *args, **kwargs)
        fig = plt.figure(figsize=(6, 1.2))
        fig.text(0.5, 0.5, f"{func.__name__.replace('_', ' ')}: nothing to draw in this corpus", ha="center")
        return fig, data
    return draw

@_or_none
def corpus_overview(articles: pd.DataFrame):
    """Words per article (a histogram), articles per outlet and per month (or year)."""
    cols = ["file", "source", "group", "published", "date_precision", "words", "sentences"]
    data = articles[[c for c in cols if c in articles]].sort_values("file", kind="stable").reset_index(drop=True)
    n, k = len(data), data["source"].nunique()
    groups = {s: str(g) for s, g in zip(data["source"], data.get("group", [""] * n)) if pd.notna(g) and str(g)}
    colors = source_colors(data["source"], groups)
    per, note = _top(data["source"].value_counts(), pool=True)
    month = data.get("published", pd.Series(dtype=str)).fillna("").astype(str).str[:7].loc[lambda m: m.str.len() == 7]
    panels = 2 + any(month)
    fig, axes = _figure(5.5 * panels, ROW * len(per) + 2.5, panels, panels)
    axes[0].hist(data["words"], bins=int(np.clip(np.sqrt(n), 10, 60)), color=NEUTRAL)
    axes[0].set(title="Length of articles", xlabel="Words per article (tokens, title counted once)")
    for ax in axes[::2]:  # the two histograms count articles: whole numbers
        ax.set_ylabel("Articles (count)")
        ax.yaxis.get_major_locator().set_params(integer=True)
    skewed = bool(per.max() > 50 * per.min())
    axes[1].barh(range(len(per)), per.to_numpy(), color=[colors.get(o, UNKNOWN_COLOR) for o in per.index])
    _rows(axes[1], per.index)
    axes[1].set(xscale="log" if skewed else "linear", xlabel=f"Articles (count{', log scale' * skewed})",
                ylabel="Outlet", title="Articles per outlet")
    shown = colors if len(colors) <= len(OKABE_ITO) else {str(groups[u]): c for u, c in colors.items() if u in groups}
    _legend(axes[1], {_short(u): shown[u] for u in source_order(shown)}, "Outlet" if shown is colors else "Group")
    if any(month):  # by month, or by year beyond 6 years
        span = pd.period_range(month.min(), month.max(), freq="M").astype(str)
        unit, per = ("month", month) if len(span) <= 72 else ("year", month.str[:4])
        counts = per.value_counts().reindex(span if unit == "month" else sorted(set(span.str[:4])), fill_value=0)
        axes[2].bar(range(len(counts)), counts.to_numpy(), color=NEUTRAL, width=0.9)
        step = max(1, len(counts) // 12)
        axes[2].set_xticks(range(0, len(counts), step), counts.index[::step], rotation=60, ha="right", fontsize=8)
        axes[2].set(xlabel=f"Publication {unit} ({len(month):,} of {n:,} articles dated)", title=f"Articles per {unit}")
    return _title(fig, f"Corpus at a glance: {n:,} articles, {int(data['words'].sum()):,} words, "
                       f"{k:,} outlet{'s' * (k != 1)}", note), data

@_or_none
def term_rate_heatmap(rates: pd.DataFrame):
    """Uses per 1,000 words, outlet x family: variant (``terms.outlet_rates``); pooled = sum count / sum words."""
    data = rates.assign(term=rates["family"] + ": " + rates["variant"]).reset_index(drop=True)
    sizes, note = _top(data.groupby("outlet")["articles"].max(), pool=True)
    count, words = _pooled(data, list(sizes.index), "term", "count", "words")
    terms, term_note = _most(data, "term", "count", "term")
    grid = (count / words.where(words > 0) * 1000).reindex(columns=terms)
    fig, (ax,) = _figure(0.4 * len(terms) + 5, ROW * len(grid) + 3)
    _heatmap(ax, grid, "Blues", 0, None, "Uses per 1,000 words (all voices)", grid.map("{:.1f}".format),
             xlabel="Term family: variant", ylabel="Outlet")
    return _title(fig, f"Contested terms per 1,000 words, by outlet ({sizes.sum():,} articles)", term_note, note,
                  every="outlet" if note else "term"), data

@_or_none
def pair_shares_grid(shares: pd.DataFrame):
    """Share of each pair's first term per outlet or group, 95% intervals (``terms.pair_shares``), up to 24 panels."""
    data = shares.reset_index(drop=True)
    pairs = list(dict.fromkeys(data["pair"]))
    shown = pairs[:2 * PANELS]
    ncol = 1 if len(shown) == 1 else 2 if len(shown) <= 6 else 3
    nrow = -(-len(shown) // ncol)
    drawn, units, notes, noun = _units(data, int(np.clip(90 // nrow, 5, TOP)))
    fig, axes = _figure(6 * ncol + 2, nrow * (ROW * len(units) + 1.3) + 1, len(shown), ncol)
    for ax, pair in zip(axes, shown):
        d = drawn[drawn["pair"] == pair].drop_duplicates("outlet").set_index("outlet").reindex(units)
        a, b = data.loc[data["pair"] == pair, ["a_variant", "b_variant"]].iloc[0]
        uses = d[["a_count", "b_count"]].fillna(0).astype(int)
        _intervals(ax, d, [("share_a", "ci_low", "ci_high", 0, {})], (0, 1),
                   uses["a_count"].astype(str) + "/" + uses.sum(axis=1).astype(str))
        for i in np.flatnonzero(d["share_a"].isna()):
            ax.text(0.5, i, "no uses", ha="center", va="center", fontsize=8, color="0.33", style="italic")
        ax.set(title=f'"{a}" vs "{b}"', ylabel=noun.capitalize(),
               xlabel=f'Share of "{a}" among "{a}" + "{b}"\n(proportion; right: uses of "{a}" / both)')
    n = data.loc[data["level"].eq("outlet") & data["pair"].eq(pairs[0]), "articles"].sum()
    what = "Contested pairs: share of the first term" if len(pairs) > 1 else "Share of the first term"
    cut = f"first {len(shown)} of {len(pairs)} pairs" if len(shown) < len(pairs) else ""
    return _title(fig, f"{what} by {noun}, 95% intervals ({data['voices'].iloc[0]} voice, {n:,} articles)", cut,
                  *notes, every="outlet and pair"), data

@_or_none
def voice_breakdown(counts: pd.DataFrame):
    """Uses by voice (own / quoted / scare) per term, all outlets and the 5 largest (``terms.term_counts``: one row
    per article and term, so a group's rows are its articles)."""
    keys, step = ["outlet", "family", "variant", "voice"], 10**6   # summed a slice of the grid at a time
    data = pd.concat(counts[i:i + step].groupby(keys, observed=True).agg(count=("count", "sum"), words=(
        "words", "sum"), articles=("file", "size")) for i in range(0, len(counts), step)).groupby(
        level=keys, observed=True).sum().reset_index()
    data = data[data["voice"] != "all"].astype(dict.fromkeys(keys, str)).reset_index(drop=True)
    data["rate_per_1k"] = data["count"] / data["words"].where(data["words"] > 0) * 1000
    sizes = data.groupby("outlet")["articles"].max()
    uses = data.assign(term=data["family"] + ": " + data["variant"])   # per outlet: the panels sum these
    terms, term_note = _most(uses[uses["count"] > 0], "term", "count", "used term")
    panels = {f"all {len(sizes)} outlets": (uses, sizes.sum())} if len(sizes) > 1 else {}
    top = sorted(top_units(sizes, 5)[0], key=lambda o: -sizes[o])
    panels |= {o: (uses[uses["outlet"] == o], sizes[o]) for o in top}
    ncol = min(3, len(panels))
    fig, axes = _figure(4 * ncol + 2.5, -(-len(panels) // ncol) * (ROW * max(len(terms), 1) + 1.3) + 1.2,
                        len(panels), ncol, sharey=True)
    for ax, (name, (d, n)) in zip(axes, panels.items()):
        w = d.pivot_table(index="term", columns="voice", values="count", aggfunc="sum")
        w = w.reindex(index=terms, columns=list(VOICES)).fillna(0).to_numpy()
        for i, (voice, color) in enumerate(VOICES.items()):
            ax.barh(range(len(terms)), w[:, i], left=w[:, :i].sum(axis=1), color=color, label=voice)
        ax.set(title=f"{_short(name, 30)} ({n:,} articles)", xlabel="Uses (count of matches)")
        _rows(ax, terms)
    axes[0].set_ylabel("Term family: variant" if terms else "no uses of any term")
    fig.legend(*axes[0].get_legend_handles_labels(), title="Voice", loc="outside right upper", frameon=False)
    note = "panels: all outlets, then the 5 largest by articles" if len(sizes) > 5 else ""
    return _title(fig, f"Whose words? Own voice, quoted, reported or scare use ({sizes.sum():,} articles)",
                  term_note, note, every="outlet and term"), data

@_or_none
def sentiment_outlets(outlets: pd.DataFrame):
    """Per engine: mean sentence score per outlet, raw (filled) and contested terms masked (hollow), 95% intervals."""
    data = outlets.reset_index(drop=True)
    drawn, units, notes, noun = _units(data)
    engs = [e for e in ENGINES if e in set(data["engine"])] + sorted(set(data["engine"]) - set(ENGINES))
    fig, axes = _figure(4.5 * len(engs) + 3, 1.3 * ROW * len(units) + 2.2, len(engs), len(engs), sharey=True)
    for ax, e in zip(axes, engs):
        d = drawn[drawn["engine"] == e].drop_duplicates("outlet").set_index("outlet").reindex(units)
        _intervals(ax, d, [("score", "score_low", "score_high", -0.15, {}),
                           ("score_masked", "score_masked_low", "score_masked_high", 0.15, {"mfc": "white"})], (-1, 1))
        ax.set(xlabel=f"Mean {ENGINES.get(e, e + ' score')}", title=e)
    axes[0].set_ylabel(noun.capitalize())
    return _title(fig, f"Mean sentence sentiment per {noun}: raw (filled) vs contested terms masked (hollow), "
                       "95% Student-t interval over articles (none for 1 article)", *notes), data

@_or_none
def sentiment_targets(targets: pd.DataFrame):
    """Outlet x target mean sentence score per engine (``sentiment.target_summary``), pooled over sentences."""
    data = targets.reset_index(drop=True)
    engs = [e for e in ENGINES if e in set(data["engine"])] + sorted(set(data["engine"]) - set(ENGINES))
    first = data[data["engine"] == engs[0]]
    sizes, note = _top(first.groupby("outlet")["sentences"].sum(), by="sentences naming a target", pool=True)
    tgts, tgt_note = _most(first, "target", "sentences", "target", "named")
    small = len(sizes) * len(tgts) <= 40  # numbers in the cells
    fig, axes = _figure(len(engs) * (0.7 * len(tgts) + 2.5) + 3, (0.5 if small else ROW) * len(sizes) + 3,
                        len(engs), len(engs))
    d = data.assign(total=data["score"] * data["sentences"], scored=data["sentences"] * data["score"].notna())
    for ax, e in zip(axes, engs):
        total, n, scored = _pooled(d[d["engine"] == e], list(sizes.index), "target", "total", "sentences", "scored")
        grid = (total / scored.where(scored > 0)).reindex(columns=tgts)
        sent = n[tgts].fillna(0).astype(int).map("{:,} sent.".format)
        cells = grid.map("{:.2f}\n".format) + sent if small else None
        _heatmap(ax, grid.rename(columns=lambda t: t.replace("_", " ")), "RdBu", -1, 1, f"Mean {ENGINES.get(e, e)}",
                 cells, xlabel="Target (sentences naming it)", ylabel="Outlet", title=e)
    return _title(fig, "Mean sentiment of the sentences naming each target" + " (cells: mean score, sentences)" * small,
                  tgt_note, note, every="outlet" if note else "target"), data

@_or_none
def engine_agreement(sentences: pd.DataFrame):
    """Sentence scores of VADER against TextBlob as a 2-D histogram (hexagons, log colour scale) at any size."""
    a, b = ENGINES
    data = sentences[["file", "outlet", "index", a, b]].dropna(subset=[a, b]).reset_index(drop=True)
    n = len(data)
    r = np.corrcoef(data[a], data[b])[0, 1] if n > 1 and data[a].std() > 0 and data[b].std() > 0 else np.nan
    fig, (ax,) = _figure(7.5, 6)
    hb = ax.hexbin(data[a], data[b], gridsize=int(np.clip(np.sqrt(n), 10, 40)), extent=(-1, 1, -1, 1), bins="log",
                   mincnt=1, cmap="viridis")
    if n:  # a colour scale of at least 1 to 10 sentences; none when no sentence is scored by both engines
        hb.set_clim(1, max(10, hb.get_array().max()))
        fig.colorbar(hb, ax=ax, label="Sentences per hexagon (log scale)", format="{x:,.0f}").minorticks_off()
    ax.plot([-1, 1], [-1, 1], color="0.7", lw=0.8)
    ax.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), xlabel=ENGINES.get(a, a), ylabel=ENGINES.get(b, b))
    return _title(fig, f"Engine agreement per sentence: Pearson r = {r:.2f} ({n:,} sentences, "
                       f"{data['file'].nunique():,} articles)"), data

@_or_none
def distinctive(distinctive: pd.DataFrame, articles: pd.DataFrame, top_n: int = 15):
    """Top-``top_n`` z-scores per group (``compare.distinctive_terms``), a panel for each of the largest groups."""
    by = "group" if "group" in articles and not set(distinctive["group"]) & set(articles["source"]) else "source"
    n = articles.groupby(by).size()
    sizes, note = _top({g: n.get(g, 0) for g in distinctive["group"].unique()}, PANELS, "group")
    sizes = sizes.sort_values(ascending=False, kind="stable")
    data = distinctive[distinctive["rank"] <= top_n].sort_values(["group", "rank"]).reset_index(drop=True)
    rows, ncol, colors = min(top_n, MAX_TERMS), min(4, max(len(sizes), 1)), source_colors(sizes.index)
    fig, axes = _figure(3.6 * ncol + 0.5, -(-len(sizes) // ncol) * (0.22 * rows + 1.2) + 1, len(sizes), ncol)
    for ax, (g, size) in zip(axes, sizes.items()):
        d = data[(data["group"] == g) & (data["rank"] <= rows)].sort_values("rank")
        ax.barh(range(len(d)), d["z"], color=colors[g])
        _rows(ax, list(d["term"]) + [""] * (rows - len(d)), 30)
        ax.set_title(f"{_short(g, 35)}\n(n = {size:,} article{'' if size == 1 else 's'})", fontsize=9)
        ax.set_xlabel("z-score (log-odds, Dirichlet prior)", fontsize=8)
    return _title(fig, f"Most distinctive words and bigrams per group vs the rest (top {rows})", note,
                  every=f"group's top {top_n}"), data

@_or_none
def similarity(matrix: pd.DataFrame, articles: pd.DataFrame):
    """Outlet x outlet TF-IDF cosine (``compare.similarity_matrix``) in clustering order, the largest outlets."""
    n = articles[articles.get("status", pd.Series("", articles.index)) != "near_duplicate"].groupby("source").size()
    keep, note = _top({o: n.get(o, 0) for o in matrix.index}, SIM_MAX)
    outlets = [o for o in matrix.index if o in keep.index]
    labels = [f"{_short(o, 32)} (n={n.get(o, 0):,})" for o in outlets]
    grid = pd.DataFrame(matrix.loc[outlets, outlets].to_numpy(), index=labels, columns=labels)
    fig, (ax,) = _figure(0.3 * len(outlets) + 6, 0.3 * len(outlets) + 4)
    _heatmap(ax, grid, "Blues", 0, 1, "TF-IDF cosine similarity (0-1)", xlabel="Outlet (articles)",
             ylabel="Outlet (articles)")
    return _title(fig, "Similarity between outlets (mean TF-IDF vector, near duplicates excluded)", note,
                  note and "in the clustering order of all", every="pair"), matrix.rename_axis("outlet").reset_index()

@_or_none
def coverage(matrix: pd.DataFrame):
    """Items x outlets: share of the outlet's articles mentioning each (``compare.coverage_matrix``)."""
    data = matrix.reset_index(drop=True)
    m = data.assign(label=data["kind"] + ": " + data["item"])
    sizes, note = _top(m.groupby("outlet")["articles"].max(), pool=True)
    kind = dict(zip(m["label"], m["kind"].map({"numbers": 0, "events": 1, "actors": 2}).fillna(3)))
    items, item_note = _most(m, "label", "mentioning", "item", "mentioned", key=lambda x: (kind[x], x))
    grid = (_pooled(m, list(sizes.index), "label", "mentioning")[0].T / sizes).reindex(items).fillna(0)
    grid.columns = [f"{_short(o, 32)} (n={size:,})" for o, size in sizes.items()]
    fig, (ax,) = _figure(0.4 * len(sizes) + 7, ROW * len(grid) + 4)
    _heatmap(ax, grid, "Greens", 0, 1, "Share of the outlet's articles mentioning the item",
             xlabel="Outlet (articles)", ylabel="Kind: item")
    return _title(fig, "What each outlet mentions: numbers, events, actors", item_note, note,
                  every="outlet" if note else "item"), data

@_or_none
def group_means(means: pd.DataFrame, tests: pd.DataFrame):
    """Per measure, each group's mean with its 95% interval; in its title the clearest pair (smallest Holm p)."""
    data = means.reset_index(drop=True)
    measures, (groups, pooled) = list(dict.fromkeys(data["measure"])), _pooled_last(data["group"], "group")
    ncol = 1 if len(measures) == 1 else 2 if len(measures) <= 4 else 3
    fig, axes = _figure(5.5 * ncol + 2, -(-len(measures) // ncol) * (ROW * len(groups) + 1.6) + 1, len(measures), ncol)
    for ax, m in zip(axes, measures):
        d = data[data["measure"] == m].set_index("group").reindex(groups)
        _intervals(ax, d, [("mean", "ci_low", "ci_high", 0, {})], (0, 1) if m.startswith("share") else (-1, 1))
        best = tests[tests["measure"].eq(m)].dropna(subset=["p_value"]).sort_values(["p_holm", "p_value"]).head(1)
        ax.set(title=_short(m, 60) + "".join(f"\n{_short(r.group_a, 18)} vs {_short(r.group_b, 18)}: d = "
                                             f"{r.cohens_d:.2f}, AUC {r.auc:.2f}, Holm p = {r.p_holm:.3f}"
                                             .replace("d = nan", "d undefined (SD 0)") for r in best.itertuples()),
               xlabel="Mean over articles (share: proportion; score: −1 to 1)", ylabel="Group")
    return _title(fig, "Groups compared article by article: mean with 95% interval (Student-t; a share at least "
                       "Wilson's), the clearest difference per measure in its title", pooled,
                  "every group's mean in group_tests.csv" * bool(pooled), every=""), data

@_or_none
def over_time(table: pd.DataFrame):
    """Articles and each measure (95% intervals) per period and unit (``compare.over_time``), the undated apart."""
    data = table.reset_index(drop=True)
    noun, res = data["by"].iloc[0].replace("source", "outlet"), data["resolution"].iloc[0]
    measures, (units, pooled) = list(dict.fromkeys(data["measure"])), _pooled_last(data["unit"], noun)
    dated = sorted(set(data["period"]) - {UNDATED})
    span = list(pd.period_range(pd.Period(dated[0]), pd.Period(dated[-1])).astype(str)) if dated else []
    x, k = span + [UNDATED] * (UNDATED in set(data["period"])), len(span)
    pos, colors = np.arange(len(x)) + (np.arange(len(x)) >= k) * 0.5, source_colors(units)
    fig, axes = _figure(10, 2.1 * len(measures) + 3.5, len(measures) + 1, sharex=True)
    n = data[data["measure"] == measures[0]].pivot_table(index="period", columns="unit", values="articles",
                                                         aggfunc="sum").reindex(index=x, columns=units).fillna(0)
    for i, u in enumerate(units):
        axes[0].bar(pos, n[u], bottom=n[units[:i]].sum(axis=1), color=colors[u], width=0.8)
        for ax, m in zip(axes[1:], measures):
            d = data[data["measure"].eq(m) & data["unit"].eq(u)].set_index("period").reindex(x)
            at = pos + (i - (len(units) - 1) / 2) * 0.5 / len(units)
            ax.errorbar(at, d["value"], np.nan_to_num([d["value"] - d["ci_low"], d["ci_high"] - d["value"]]), fmt="o",
                        ms=3, capsize=2, color=colors[u])
            ax.plot(at[:k], d["value"][:k], color=colors[u], lw=1)   # no line into the undated bucket
    for ax, m in zip(axes[1:], measures):
        share = m.startswith("share")
        ax.set(ylabel=textwrap.fill(m + (" (proportion)" if share else " (−1 to 1)"), 26),
               ylim=(-0.02, 1.02) if share else np.clip(ax.get_ylim(), -1.05, 1.05))
        ax.axvline(k, color="0.7", ls=":", lw=1) if 0 < k < len(x) else None
    ticks = list(range(0, k, max(1, k // 14))) + list(range(k, len(x)))
    undated = int(n.loc[UNDATED].sum()) if k < len(x) else 0
    axes[-1].set_xticks(pos[ticks], [f"undated ({undated:,})" if x[t] == UNDATED else x[t] for t in ticks],
                        rotation=60, ha="right", fontsize=8)
    axes[-1].set_xlabel(f"Publication {res}")
    axes[0].set(ylabel="Articles (count)")
    _legend(axes[0], {_short(u, 30): colors[u] for u in units}, noun.capitalize())
    return _title(fig, f"Over time, per {res} and {noun}: articles, then each measure with its 95% interval",
                  f"{undated:,} of {int(n.to_numpy().sum()):,} articles {UNDATED}, drawn apart at the right",
                  pooled, f"every {noun} in over_time.csv", every=""), data
