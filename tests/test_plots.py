"""Every figure stays bounded (PNG <= 4,000 px a side, SVG <= 5 MB) for 1, 60 and 500 outlets and
5 to 100,000 articles, saves byte-identical files twice, and draws a NaN share as "no uses"."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import compare, plots, style
from analysis.lexicon import Pair

MAX_PX, MAX_SVG = 4000, 5_000_000
OUTLETS = (1, 60, 500)
FAMILIES = [("armed_groups", "resistance"), ("armed_groups", "militia"), ("armed_groups", "terrorists"),
            ("deaths", "killed"), ("deaths", "died"), ("deaths", "martyred"), ("place", "occupied"),
            ("place", "disputed")]
PAIRS = [("resistance_vs_militia", "armed_groups", "resistance", "militia"),
         ("killed_vs_died", "deaths", "killed", "died"), ("martyred_vs_killed", "deaths", "martyred", "killed"),
         ("occupied_vs_disputed", "place", "occupied", "disputed")]


def names(k: int) -> list[str]:
    """k outlet names, some long, one unknown when k > 2."""
    out = [f"Outlet {i:03d}" + (" International News Network (English edition)" if i % 7 == 0 else "")
           for i in range(k)]
    return out[:-1] + ["unknown (example.com)"] if k > 2 else out


def group_of(name: str) -> str:
    return f"Group {sum(map(ord, name)) % 5}"


def sizes(k: int, rng) -> np.ndarray:
    """Articles per outlet: skewed, at least 1."""
    return 1 + rng.zipf(1.6, k).clip(max=500)


def articles(n: int, k: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    outs = names(k)
    src = np.array(outs)[np.r_[np.arange(min(n, k)), rng.integers(0, k, max(n - k, 0))]]
    month = rng.integers(0, 24, n)
    published = np.array([f"{2023 + m // 12}-{m % 12 + 1:02d}-{d:02d}" for m, d in zip(month, rng.integers(1, 29, n))])
    published[rng.random(n) < 0.1] = ""
    return pd.DataFrame({"file": [f"a{i:06d}.txt" for i in range(n)], "source": src,
                         "group": [group_of(s) for s in src], "published": published,
                         "date_precision": np.where(published == "", "", "day"),
                         "words": rng.integers(50, 3000, n), "sentences": rng.integers(3, 120, n),
                         "status": "analysed"})


def rates(k: int) -> pd.DataFrame:
    rng, outs = np.random.default_rng(1), names(k)
    n = sizes(k, rng)
    rows = [(o, f, v, int(rng.poisson(3 * a)), int(a * 700), int(a)) for o, a in zip(outs, n) for f, v in FAMILIES]
    df = pd.DataFrame(rows, columns=["outlet", "family", "variant", "count", "words", "articles"])
    return df.assign(rate_per_1k=df["count"] / df["words"] * 1000)


def shares(k: int, with_groups: bool = True) -> pd.DataFrame:
    rng, outs = np.random.default_rng(2), names(k)
    units = [("outlet", o, a) for o, a in zip(outs, sizes(k, rng))]
    if with_groups:
        units += [("group", g, 10) for g in sorted({group_of(o) for o in outs})]
    rows = []
    for level, unit, a in units:
        for pair, fam, va, vb in PAIRS:
            A, B = (0, 0) if rng.random() < 0.2 else (int(rng.integers(0, 20)), int(rng.integers(1, 20)))
            s = A / (A + B) if A + B else np.nan
            rows.append((level, unit, pair, fam, va, vb, "own", int(a), A, B, s, max(s - 0.2, 0), min(s + 0.2, 1),
                         "bootstrap" if A + B else "none"))
    return pd.DataFrame(rows, columns=["level", "outlet", "pair", "family", "a_variant", "b_variant", "voices",
                                       "articles", "a_count", "b_count", "share_a", "ci_low", "ci_high", "method"])


def counts(n: int, k: int) -> pd.DataFrame:
    """terms.term_counts: file x family x variant x voice."""
    arts = articles(n, k)
    rng = np.random.default_rng(3)
    grid = arts[["file", "source", "words"]].rename(columns={"source": "outlet"}).merge(
        pd.DataFrame(FAMILIES, columns=["family", "variant"]), how="cross")
    voices = {v: rng.poisson(lam, len(grid)) for v, lam in (("own", 0.5), ("quoted", 0.3), ("scare", 0.05))}
    frames = [grid.assign(voice=v, count=c) for v, c in voices.items()]
    frames.append(grid.assign(voice="all", count=sum(voices.values())))
    df = pd.concat(frames, ignore_index=True)
    return df.assign(rate_per_1k=df["count"] / df["words"] * 1000)


def sentiment_outlets(k: int) -> pd.DataFrame:
    rng, outs = np.random.default_rng(4), names(k)
    units = [("outlet", o) for o in outs] + [("group", g) for g in sorted({group_of(o) for o in outs})]
    rows = []
    for (level, unit), a in zip(units, sizes(len(units), rng)):
        for e in ("vader", "textblob"):
            s, m = rng.uniform(-0.5, 0.5, 2)
            lo = np.nan if a == 1 else 0.1
            rows.append((level, unit, e, int(a), int(a * 20), s, s - lo, s + lo, m, m - lo, m + lo, s, 0.1))
    return pd.DataFrame(rows, columns=["level", "outlet", "engine", "articles", "sentences", "score", "score_low",
                                       "score_high", "score_masked", "score_masked_low", "score_masked_high",
                                       "score_whole", "coverage"])


def targets(k: int) -> pd.DataFrame:
    rng, rows = np.random.default_rng(5), []
    for o in names(k):
        for t in ("iraqi_government", "united_states", "iran", "armed_factions", "israel"):
            n = int(rng.integers(1, 30))
            for e in ("textblob", "vader"):
                s = rng.uniform(-0.6, 0.6)
                rows.append((o, t, e, n, max(n // 3, 1), 0, s, s - 0.1, s + 0.1, s, s - 0.1, s + 0.1))
    return pd.DataFrame(rows, columns=["outlet", "target", "engine", "sentences", "articles", "multi_target", "score",
                                       "score_low", "score_high", "score_masked", "score_masked_low",
                                       "score_masked_high"])


def sentences(n: int, k: int) -> pd.DataFrame:
    rng = np.random.default_rng(6)
    v = rng.uniform(-1, 1, n)
    return pd.DataFrame({"file": [f"a{i // 20:06d}.txt" for i in range(n)],
                         "outlet": np.array(names(k))[rng.integers(0, k, n)], "index": np.arange(n) % 20,
                         "vader": v, "textblob": (0.5 * v + rng.normal(0, 0.3, n)).clip(-1, 1)})


def distinctive(k: int, top: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = [(o, f"term {o[-3:]} {r}", 1 + r % 2, z, z / 3, int(rng.integers(5, 50)), int(rng.integers(5, 500)), r)
            for o in names(k) for r, z in zip(range(1, top + 1), np.sort(rng.uniform(2, 9, top))[::-1])]
    return pd.DataFrame(rows, columns=["group", "term", "ngram", "z", "log_odds", "count_group", "count_rest", "rank"])


def similarity(k: int) -> pd.DataFrame:
    rng, outs = np.random.default_rng(8), names(k)
    m = rng.uniform(0.2, 0.9, (k, k))
    m = (m + m.T) / 2
    np.fill_diagonal(m, 1)
    order = rng.permutation(k)  # the clustering order is not alphabetical
    return pd.DataFrame(m, index=outs, columns=outs).iloc[order, order]


def coverage(k: int, items: int = 60) -> pd.DataFrame:
    rng, rows = np.random.default_rng(9), []
    labels = [("numbers", f"{i * 7:,} killed") for i in range(items // 2)] + \
             [("events", f"event {i}") for i in range(items // 4)] + [("actors", f"actor {i}") for i in range(items // 4)]
    for o, a in zip(names(k), sizes(k, rng)):
        for kind, item in labels:
            if rng.random() < 0.7:  # an outlet never mentioning a found number has no row for it
                m = int(rng.integers(0, a + 1))
                rows.append((kind, item, o, m, int(a), m / a))
    return pd.DataFrame(rows, columns=["kind", "item", "outlet", "mentioning", "articles", "share"])


def saved(fig, data, tmp_path, name="fig") -> tuple[int, int]:
    """Save; check PNG (header bytes 16-24), SVG and CSV; return (width, height) in px."""
    png = plots.save_figure(fig, data, name, tmp_path)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert max(w, h) <= MAX_PX, (name, w, h)
    assert png.with_suffix(".svg").stat().st_size <= MAX_SVG
    assert len(pd.read_csv(png.with_suffix(".csv"))) == len(data)
    return w, h


def title(fig) -> str:
    return fig._suptitle.get_text().replace("\n", " ") if fig._suptitle else ""


@pytest.mark.parametrize("n,k", [(5, 1), (40, 5), (100, 60), (10_000, 500), (100_000, 500)])
def test_corpus_overview(tmp_path, n, k):
    fig, data = plots.corpus_overview(articles(n, k))
    assert len(data) == n and f"{n:,} articles" in title(fig)
    assert ("top 25 of 500 outlets" in title(fig)) == (k == 500)
    assert len(fig.axes[0].patches) == int(np.clip(np.sqrt(n), 10, 60))  # words per article: always a histogram
    saved(fig, data, tmp_path)


def test_corpus_overview_without_dates_or_groups(tmp_path):
    arts = articles(200, 60).drop(columns=["group"]).assign(published="")
    saved(*plots.corpus_overview(arts), tmp_path)


@pytest.mark.parametrize("k", OUTLETS)
def test_term_rate_heatmap(tmp_path, k):
    r = rates(k)
    fig, data = plots.term_rate_heatmap(r)
    assert data["outlet"].nunique() == k
    if k == 500:
        assert "the rest pooled as 'other (475 outlets)'; every outlet in the CSV" in title(fig)
        assert "other (475 outlets)" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert bool(fig.axes[0].texts) == (k == 1)  # numbers in cells only in a small grid
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("k", (1, 5))
def test_heatmap_keeps_its_grid_under_long_labels(tmp_path, k):
    """Column labels of 40 characters at 60 degrees need room under the grid: one outlet's row is not squeezed to
    nothing (the layout collapsed it, with a warning, in a figure 3.5 inches high)."""
    r = rates(k).assign(family="proper_names", variant=lambda d: d["variant"] + "_islamic_resistance_lebanon")
    fig, data = plots.term_rate_heatmap(r)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.get_layout_engine().execute(fig)
    assert fig.axes[0].get_position().height * fig.get_figheight() >= plots.ROW * 2
    saved(fig, data, tmp_path)


def test_pooled_rate_is_sum_count_over_sum_words():
    r = rates(60)
    keep, rest, _ = style.top_units(r.groupby("outlet")["articles"].max(), plots.TOP)
    other = r[r["outlet"].isin(rest) & r["variant"].eq("militia")]
    fig, _ = plots.term_rate_heatmap(r)
    im = fig.axes[0].images[0].get_array()
    col = [t.get_text() for t in fig.axes[0].get_xticklabels()].index("armed_groups: militia")
    assert im[-1, col] == pytest.approx(other["count"].sum() / other["words"].sum() * 1000)
    plots.plt.close(fig)


@pytest.mark.parametrize("k,with_groups", [(1, True), (60, False), (500, True), (500, False)])
def test_pair_shares(tmp_path, k, with_groups):
    s = shares(k, with_groups)
    fig, data = plots.pair_shares_grid(s[s["pair"] == "resistance_vs_militia"])  # the lead figure
    assert len(data) == len(s) // len(PAIRS) and "95% intervals" in title(fig)
    saved(fig, data, tmp_path, "one")
    fig, data = plots.pair_shares_grid(s)
    if k == 500:
        assert ("read through their 5 groups" if with_groups else "top 25 of 500 outlets") in title(fig)
    saved(fig, data, tmp_path, "grid")


def test_nan_share_is_drawn_as_no_uses(tmp_path):
    s = shares(1, with_groups=False)
    s.loc[s["pair"] == "killed_vs_died", ["a_count", "b_count", "share_a", "ci_low", "ci_high"]] = [0, 0] + [np.nan] * 3
    fig, data = plots.pair_shares_grid(s[s["pair"] == "killed_vs_died"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "no uses" in texts and "0/0" in texts
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("n,k", [(5, 1), (100, 60), (10_000, 500)])
def test_voice_breakdown(tmp_path, n, k):
    c = counts(n, k)
    fig, data = plots.voice_breakdown(c)
    assert data["outlet"].nunique() == k
    assert len([ax for ax in fig.axes if ax.get_visible()]) == (1 if k == 1 else 6)
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("k", OUTLETS)
def test_sentiment_outlets(tmp_path, k):
    fig, data = plots.sentiment_outlets(sentiment_outlets(k))
    assert ("read through their 5 groups" in title(fig)) == (k > plots.TOP)
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("k", OUTLETS)
def test_sentiment_targets(tmp_path, k):
    fig, data = plots.sentiment_targets(targets(k))
    assert data["outlet"].nunique() == k
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["vader", "textblob"]
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("n,k", [(5, 1), (100, 5), (1_500, 60), (10_000, 500), (100_000, 500)])
def test_engine_agreement(tmp_path, n, k):
    fig, data = plots.engine_agreement(sentences(n, k))
    assert len(data) == n
    assert fig.axes[0].collections[0].get_array().sum() == n  # a 2-D histogram at any size
    saved(fig, data, tmp_path)


def test_engine_agreement_without_a_sentence_scored_by_both(tmp_path):
    fig, data = plots.engine_agreement(sentences(5, 1).assign(vader=np.nan))
    assert data.empty and "(0 sentences, 0 articles)" in title(fig)
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("k,top_n", [(1, 15), (60, 8), (500, 15)])
def test_distinctive(tmp_path, k, top_n):
    d = distinctive(k)
    fig, data = plots.distinctive(d, articles(max(k, 5), k), top_n=top_n)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == min(k, plots.PANELS)
    assert data["group"].nunique() == k and data["rank"].max() == top_n
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("k", OUTLETS)
def test_similarity(tmp_path, k):
    m = similarity(k)
    fig, data = plots.similarity(m, articles(max(k, 5), k))
    assert data.shape == (k, k + 1)
    assert fig.axes[0].images[0].get_array().shape[0] == min(k, plots.SIM_MAX) and not fig.axes[0].texts
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("k", OUTLETS)
def test_coverage(tmp_path, k):
    c = coverage(k)
    fig, data = plots.coverage(c)
    grid = fig.axes[0].images[0].get_array()
    assert grid.shape == (min(plots.MAX_TERMS, c["item"].nunique()), min(k, plots.TOP + 1)) and not fig.axes[0].texts
    assert len(data) == len(c)
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("k", (1, 6, 60, 500))
def test_group_means(tmp_path, k):
    """Per measure, at most TOP groups one per row and the rest pooled, said so in the title."""
    rng = np.random.default_rng(10)
    files = [f"a{i:05d}" for i in range(max(3 * k, 10))]
    group_of = {f: f"Group {i % k:03d}" for i, f in enumerate(files)}
    measures = pd.concat([pd.DataFrame({"file": files, "measure": m, "value": rng.uniform(lo, 1, len(files))})
                          for m, lo in (("share of resistance (resistance_vs_militia)", 0),
                                        ("mean sentence score, vader", -1))])
    means = compare.group_means(measures, group_of, top=plots.TOP)
    tests = compare.group_tests(measures, group_of, n_perm=99) if k <= 6 else pd.DataFrame(
        columns=["measure", "group_a", "group_b", "cohens_d", "auc", "p_value", "p_holm"])
    fig, data = plots.group_means(means, tests)
    assert len(fig.axes[0].get_yticklabels()) == min(k, plots.TOP + 1) and len(data) == len(means)
    assert ("pooled as 'other (475 groups)'" in title(fig)) == (k == 500)
    assert ("AUC" in fig.axes[0].get_title()) == (1 < k <= 6)
    saved(fig, data, tmp_path)


@pytest.mark.parametrize("n,k", [(5, 1), (100, 60), (10_000, 500)])
def test_over_time(tmp_path, n, k):
    """Two years of months, 10% undated: at most LINES units and the pooled rest; the undated bucket counted."""
    arts = articles(n, k).assign(group="")
    c = counts(n, k).query("voice != 'all'")
    tone = pd.DataFrame({"file": arts["file"], "engine": "vader", "score": np.linspace(-0.5, 0.5, n)})
    table = compare.over_time(arts, c, tone, [Pair("p", "armed_groups", "resistance", "militia")], top=plots.LINES)
    fig, data = plots.over_time(table)
    assert table["unit"].nunique() == min(k, plots.LINES + 1) and len(data) == len(table)
    undated = int((arts["published"] == "").sum())
    assert f"{undated:,} of {n:,} articles undated at this resolution" in title(fig)
    assert fig.axes[-1].get_xticklabels()[-1].get_text() == f"undated ({undated:,})" or undated == 0
    saved(fig, data, tmp_path)


def test_same_input_same_bytes(tmp_path):
    """PNG, SVG and CSV are byte-identical when the same input is saved twice."""
    for name, make in [("heat", lambda: plots.term_rate_heatmap(rates(5))),
                       ("pair", lambda: plots.pair_shares_grid(shares(60, False).query("pair == 'killed_vs_died'"))),
                       ("hex", lambda: plots.engine_agreement(sentences(3_000, 60))),
                       ("time", lambda: plots.over_time(compare.over_time(
                           articles(300, 60), counts(300, 60), pd.DataFrame({"file": articles(300, 60)["file"],
                           "engine": "vader", "score": 0.1}), [Pair("p", "deaths", "killed", "died")], top=plots.LINES)))]:
        for run in ("a", "b"):
            plots.save_figure(*make(), name, tmp_path / run)
        for ext in ("png", "svg", "csv"):
            assert (tmp_path / "a" / f"{name}.{ext}").read_bytes() == (tmp_path / "b" / f"{name}.{ext}").read_bytes()


def test_oversized_figure_is_shrunk(tmp_path):
    fig = plots.plt.figure(figsize=(80, 10))
    fig.suptitle("too wide")
    assert max(saved(fig, pd.DataFrame({"x": [1]}), tmp_path)) <= MAX_PX


def test_colours():
    many = names(60)
    assert len(set(style.source_colors(names(8)).values())) == 8
    assert set(style.source_colors(many).values()) == {style.NEUTRAL}
    by_group = style.source_colors(many, {o: group_of(o) for o in many})
    assert len(set(by_group.values())) == 5 and by_group == style.source_colors(many[::-1], {o: group_of(o) for o in many})
    assert style.source_order(["unknown (a)", "B", "A"]) == ["A", "B", "unknown (a)"]
