"""Lexicon sentiment (VADER, TextBlob) per sentence, target, article and outlet, raw and masked.

VADER (Hutto & Gilbert 2014) gives a ``compound`` score; TextBlob's PatternAnalyzer (Pattern,
De Smedt & Daelemans 2012) gives ``polarity`` and ``subjectivity``. Both run offline and neither
needs NLTK corpora. Each engine's main score (-1 to 1) is also the column ``score``.

>>> score(["The attack killed two people.", "  "]).round(4)["score"].tolist()
[-0.8225, nan]
>>> mask("Militias killed two people.")
'term term two people.'
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import paths, terms
from .text import WORD_RE

MASK_TOKEN = "term"  # in neither engine's lexicon nor in the contested-term lexicon (tested)


# --- engines -------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@functools.lru_cache(maxsize=1)
def _pattern():
    from textblob.en import sentiment as lexicon  # the dict PatternAnalyzer scores with
    from textblob.en.sentiments import PatternAnalyzer

    return PatternAnalyzer(), lexicon


def _vader_scores(text: str) -> tuple:
    s = _vader().polarity_scores(text)
    return s["compound"], s["pos"], s["neu"], s["neg"]


@dataclass(frozen=True)
class Engine:
    """A scorer: ``analyze(text)`` returns ``columns`` (first = the -1..1 score); ``known(word)``."""

    columns: tuple
    analyze: Callable[[str], tuple]
    known: Callable[[str], bool]
    label: str


ENGINES: dict[str, Engine] = {
    "vader": Engine(("compound", "pos", "neu", "neg"), _vader_scores,
                    lambda w: w in _vader().lexicon, "VADER compound (−1 to 1)"),
    "textblob": Engine(("polarity", "subjectivity"), lambda t: tuple(_pattern()[0].analyze(t)),
                       lambda w: w in _pattern()[1], "TextBlob polarity (−1 to 1)"),
}


def score(texts, engine: str = "vader") -> pd.DataFrame:
    """One row per text, in order: the engine's columns plus ``score``; blank texts are NaN.

    >>> score(["good"], "textblob")[["polarity", "score"]].values.tolist()
    [[0.7, 0.7]]
    """
    eng = ENGINES[engine]
    texts = ["" if t is None or (np.ndim(t) == 0 and pd.isna(t)) else str(t) for t in texts]
    rows = [eng.analyze(t) if t.strip() else (np.nan,) * len(eng.columns) for t in texts]
    df = pd.DataFrame(rows, columns=list(eng.columns), dtype=float)
    df["score"] = df[eng.columns[0]]
    return df


# --- lexicon matching: analysis.terms' matcher ---------------------------------------------
def load_lexicon(path=None) -> terms.Lexicon:
    """The checked lexicon (``terms.load_lexicon``; default ``analysis/data/lexicon.yaml``)."""
    return terms.load_lexicon(path)


def _norm(token: str) -> str:
    t = token.lower().replace("’", "'").replace("‐", "-").replace("‑", "-")
    return t[:-2] if t.endswith("'s") else t  # as terms matches: "al-Sudani's" names al-Sudani


_CACHE: dict = {}


def _indexes(lexicon) -> tuple[terms.Lexicon, terms.Lexicon, dict]:
    """(lexicon, targets-as-families lexicon, all-capitals alias keys per target), cached."""
    key = id(lexicon) if isinstance(lexicon, terms.Lexicon) else str(paths.lexicon(lexicon))
    if key not in _CACHE:
        if len(_CACHE) > 16:  # lexicons unpickled per task on Dask workers: keep the cache bounded
            _CACHE.clear()
        lex = lexicon if isinstance(lexicon, terms.Lexicon) else load_lexicon(lexicon)
        fams = {t: {t: aliases} for t, aliases in lex.targets.items()}
        tlex = terms.Lexicon({**fams, terms.PROPER: lex.families[terms.PROPER]}, (), {}, {})
        caps = {t: {tuple(_norm(w) for w in WORD_RE.findall(a)) for a in aliases if a.isupper()}
                for t, aliases in lex.targets.items()}
        _CACHE[key] = (lex, tlex, caps)  # holds the lexicon, so its id stays unique
    return _CACHE[key]


def _tokens(text: str):
    spans = [m.span() for m in WORD_RE.finditer(text)]
    return spans, [_norm(text[a:b]) for a, b in spans]


def mask(text: str, lexicon=None) -> str:
    """``text`` with every contested term (any family variant, not inside a proper name) -> "term"."""
    lex = _indexes(lexicon)[0]
    spans, toks = _tokens(text)
    proper = terms.find(toks, lex.index[terms.PROPER])
    hits = sorted({(i, j) for fam, idx in lex.index.items() if fam != terms.PROPER for i, j, _ in terms.find(toks, idx)
                   if not any(i < pj and pi < j for pi, pj, _ in proper)})
    merged = []  # overlapping hits ("killed" in two families, "air strikes" vs "strikes") -> one token
    for i, j in hits:
        if merged and i < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], j)
        else:
            merged.append([i, j])
    for i, j in reversed(merged):
        text = text[:spans[i][0]] + MASK_TOKEN + text[spans[j - 1][1]:]
    return text


def targets(text: str, lexicon=None) -> list[str]:
    """Sorted targets a text names; an all-capitals alias ("US") matches only in capitals.

    >>> targets("US forces struck Kataib Hezbollah; they told us.")
    ['armed_groups', 'us']
    """
    _, tlex, caps = _indexes(lexicon)
    spans, toks = _tokens(text)
    proper = terms.find(toks, tlex.index[terms.PROPER])
    found = set()
    for target, idx in tlex.index.items():
        for i, j, _ in terms.find(toks, idx) if target != terms.PROPER else ():
            if any(pi <= i and j <= pj and j - i < pj - pi for pi, pj, _ in proper):
                continue  # inside a longer proper name: "resistance" in "Axis of Resistance"
            if tuple(toks[i:j]) in caps[target] and not text[spans[i][0]:spans[j - 1][1]].isupper():
                continue  # "us" is not the US
            found.add(target)
    return sorted(found)


# --- per-sentence scoring: pure over a partition -----------------------------------------
def score_sentences(sentences: pd.DataFrame, lexicon=None, engines=None) -> pd.DataFrame:
    """Per sentence: targets, ``multi_target``, ``<engine>`` and ``<engine>_masked`` scores and
    ``<engine>_known`` (word tokens the engine's lexicon holds). Pure: use with ``Corpus.map``."""
    out = sentences[["file", "index", "text", "words"]].reset_index(drop=True).copy()
    found = [targets(t, lexicon) for t in out["text"]]
    out["targets"] = pd.Series([";".join(t) for t in found], index=out.index, dtype="str")
    out["multi_target"] = pd.Series([len(t) > 1 for t in found], index=out.index, dtype=bool)
    masked = [mask(t, lexicon) for t in out["text"]]
    tokens = [[_norm(w) for w in WORD_RE.findall(t)] for t in out["text"]]
    changed = np.flatnonzero([m != t for m, t in zip(masked, out["text"])])  # the rest score as the raw text
    for name in engines or ENGINES:
        out[name] = raw = score(out["text"], name)["score"].to_numpy()
        out[f"{name}_masked"] = raw.copy()
        if len(changed):
            out.loc[changed, f"{name}_masked"] = score([masked[i] for i in changed], name)["score"].to_numpy()
        out[f"{name}_known"] = pd.Series([sum(map(ENGINES[name].known, ws)) for ws in tokens], index=out.index,
                                         dtype="int64")
    return out


def _engines_in(sent: pd.DataFrame) -> list[str]:
    return [e for e in ENGINES if e in sent.columns]


def _outlets(df: pd.DataFrame, articles: pd.DataFrame) -> pd.Series:
    return df["file"].map(articles.set_index("file")["source"])


def _analysed(df: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Rows of analysed articles only: near duplicates would count one text twice."""
    keep = articles["status"] != "near_duplicate" if "status" in articles.columns else slice(None)
    return df[df["file"].isin(articles.loc[keep, "file"])]


def sentence_table(sent: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """``sentiment_sentences.csv``: per sentence, outlet, targets, raw and masked score per engine."""
    sent = _analysed(sent, articles)
    out = sent.assign(outlet=_outlets(sent, articles))
    cols = ["file", "outlet", "index", "text", "targets", "multi_target", "words"]
    cols += [f"{e}{s}" for e in _engines_in(sent) for s in ("", "_masked", "_known")]
    return out[cols].sort_values(["file", "index"], kind="stable").reset_index(drop=True)


# --- aggregation over concatenated results -----------------------------------------------
def whole_scores(articles: pd.DataFrame, engines=None) -> pd.DataFrame:
    """``file``, ``engine``, ``score_whole``: each engine on the whole article text. Pure over an
    article partition (``Corpus.map_articles``), so no process needs every text at once."""
    return pd.concat([pd.DataFrame({"file": articles["file"].to_numpy(), "engine": e,
                                    "score_whole": score(articles["text"], e)["score"].to_numpy()})
                      for e in engines or ENGINES], ignore_index=True)


def article_scores(sent: pd.DataFrame, articles: pd.DataFrame, whole: pd.DataFrame | None = None) -> pd.DataFrame:
    """Article x engine: mean of sentence scores (raw, masked), whole-text score, coverage.

    ``whole`` is ``whole_scores`` (e.g. ``corpus.map_articles(whole_scores)``); when it is not given,
    it is computed here from ``articles["text"]``.
    """
    frames, sent = [], _analysed(sent, articles)
    articles = _analysed(articles, articles)
    if whole is None:
        whole = whole_scores(articles, _engines_in(sent))
    for e in _engines_in(sent):
        g = sent.groupby("file", sort=True).agg(sentences=("index", "size"), words=("words", "sum"),
                                                 score=(e, "mean"), score_masked=(f"{e}_masked", "mean"),
                                                 known=(f"{e}_known", "sum")).reset_index()
        g["score_whole"] = g["file"].map(whole[whole["engine"] == e].set_index("file")["score_whole"])
        g["coverage"] = g["known"] / g["words"].where(g["words"] > 0)
        frames.append(g.assign(engine=e, outlet=_outlets(g, articles)))
    cols = ["file", "outlet", "engine", "score", "score_masked", "score_whole", "coverage",
            "sentences", "words", "known"]
    return pd.concat(frames)[cols].sort_values(["file", "engine"]).reset_index(drop=True)


def _interval(values, n_boot: int, seed: int) -> tuple[float, float, float]:
    from .stats import bootstrap_mean

    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) < 2:  # one value has no spread to resample: no interval
        return (float(v.mean()) if len(v) else np.nan, np.nan, np.nan)
    return bootstrap_mean(v, n_boot=n_boot, seed=seed)


def _means(raw, masked, n_boot: int, seed: int) -> dict:
    """score, score_low, score_high and the same for score_masked."""
    (m, lo, hi), (mm, mlo, mhi) = _interval(raw, n_boot, seed), _interval(masked, n_boot, seed)
    return {"score": m, "score_low": lo, "score_high": hi,
            "score_masked": mm, "score_masked_low": mlo, "score_masked_high": mhi}


OUTLET_COLUMNS = ["level", "outlet", "engine", "articles", "sentences", "score", "score_low", "score_high",
                  "score_masked", "score_masked_low", "score_masked_high", "score_whole", "coverage"]
TARGET_COLUMNS = ["outlet", "target", "engine", "sentences", "articles", "multi_target", "score", "score_low",
                  "score_high", "score_masked", "score_masked_low", "score_masked_high"]


def outlet_summary(arts: pd.DataFrame, articles: pd.DataFrame, n_boot: int = 2000,
                   seed: int = 0) -> pd.DataFrame:
    """``sentiment_outlets.csv``: per outlet (and manifest group) x engine, the mean over articles
    of raw and masked scores with seeded bootstrap 95% intervals, and pooled lexicon coverage."""
    groups = arts["file"].map(articles.set_index("file").get("group", pd.Series(dtype=str)))
    levels = [("outlet", arts.assign(unit=arts["outlet"]))]
    if groups.fillna("").astype(str).str.strip().ne("").any():
        levels.append(("group", arts.assign(unit=groups.fillna("").replace("", "(no group)"))))
    rows = []
    for level, df in levels:
        for (unit, eng), g in df.groupby(["unit", "engine"], sort=True):
            rows.append({"level": level, "outlet": unit, "engine": eng, "articles": len(g),
                         "sentences": int(g["sentences"].sum()), **_means(g["score"], g["score_masked"], n_boot, seed),
                         "score_whole": g["score_whole"].mean(),
                         "coverage": g["known"].sum() / max(g["words"].sum(), 1)})
    return pd.DataFrame(rows, columns=OUTLET_COLUMNS)


def target_summary(sent: pd.DataFrame, articles: pd.DataFrame, n_boot: int = 2000,
                   seed: int = 0) -> pd.DataFrame:
    """``sentiment_targets.csv``: outlet x target x engine over sentences naming the target
    (a sentence naming two targets counts for both); interval = bootstrap over those sentences."""
    sent = _analysed(sent, articles)
    long = sent.assign(outlet=_outlets(sent, articles), target=sent["targets"].str.split(";"))
    long = long.explode("target")
    long = long[long["target"].fillna("") != ""]
    rows = []
    for (outlet, target), g in long.groupby(["outlet", "target"], sort=True):
        for e in _engines_in(sent):
            rows.append({"outlet": outlet, "target": target, "engine": e, "sentences": len(g),
                         "articles": g["file"].nunique(), "multi_target": int(g["multi_target"].sum()),
                         **_means(g[e], g[f"{e}_masked"], n_boot, seed)})
    out = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    return out.sort_values(["outlet", "target", "engine"]).reset_index(drop=True)


def disagreements(sent: pd.DataFrame, articles: pd.DataFrame, a: str = "vader", b: str = "textblob",
                  n: int = 25) -> pd.DataFrame:
    """The ``n`` sentences where engines ``a`` and ``b`` differ most (``a - b``), with text."""
    sent = _analysed(sent, articles)
    d = sent.assign(outlet=_outlets(sent, articles), difference=sent[a] - sent[b]).dropna(subset=["difference"])
    d = d.assign(abs_difference=d["difference"].abs())
    d = d.sort_values(["abs_difference", "file", "index"], ascending=[False, True, True], kind="stable")
    return d[["file", "outlet", "index", "text", a, b, "difference"]].head(n).reset_index(drop=True)


# --- validation against human ratings -----------------------------------------------------
HUMAN_NEUTRAL = 0.5  # mean rating on -4..4: >= +0.5 positive, <= -0.5 negative, else neutral
ENGINE_NEUTRAL = 0.05  # VADER's convention for compound; used for every engine's -1..1 score


def read_ratings(path) -> pd.DataFrame:
    """A human-rated set: ``id<TAB>rating<TAB>text`` lines (CRLF) -> id, rating, text."""
    lines = Path(path).read_bytes().decode("utf-8").split("\n")
    rows = [l.rstrip("\r").split("\t", 2) for l in lines if l.strip()]
    return pd.DataFrame({"id": [r[0] for r in rows], "rating": [float(r[1]) for r in rows],
                         "text": [r[2] for r in rows]})


def classes(values, neutral: float) -> np.ndarray:
    """-1 / 0 / 1 with a neutral band: ``classes([-0.3, 0, 0.05], 0.05)`` -> [-1, 0, 1]."""
    v = np.asarray(values, dtype=float)
    return np.where(v >= neutral, 1, np.where(v <= -neutral, -1, 0))


def validate(directory=None, engines=None, combine: bool = True) -> pd.DataFrame:
    """Per set x engine: Pearson r with the mean human rating and 3-class agreement.

    ``combine`` adds ``mean`` = the average of the engines' scores. ``directory`` defaults to
    ``paths.VALIDATION`` and holds ``*_GroundTruth.txt`` files.
    """
    rows = []
    for path in sorted(Path(directory or paths.VALIDATION).glob("*_GroundTruth.txt")):
        data = read_ratings(path)
        scores = {e: score(data["text"], e)["score"].to_numpy() for e in engines or ENGINES}
        if combine and len(scores) > 1:
            scores["mean"] = np.mean(list(scores.values()), axis=0)
        human = classes(data["rating"], HUMAN_NEUTRAL)
        for e, s in scores.items():
            ok = ~np.isnan(s)
            rows.append({"set": path.name.replace("_GroundTruth.txt", ""), "engine": e, "texts": int(ok.sum()),
                         "pearson_r": float(np.corrcoef(s[ok], data["rating"].to_numpy()[ok])[0, 1]),
                         "agreement": float((classes(s[ok], ENGINE_NEUTRAL) == human[ok]).mean()),
                         "human_neutral": HUMAN_NEUTRAL, "engine_neutral": ENGINE_NEUTRAL})
    return pd.DataFrame(rows)


# --- figures (save with plots.save_figure) ------------------------------------------------
def _order(engines) -> list[str]:
    return sorted(set(engines), key=lambda e: (list(ENGINES).index(e) if e in ENGINES else len(ENGINES), e))


def _label(engine: str) -> str:
    return ENGINES[engine].label if engine in ENGINES else engine


def plot_outlets(outlets: pd.DataFrame):
    """Per engine: outlet mean (filled) and masked mean (hollow) with 95% intervals -> (fig, data)."""
    import matplotlib.pyplot as plt
    from .plots import source_colors, source_order

    data = outlets[outlets["level"] == "outlet"].reset_index(drop=True)
    order = source_order(data["outlet"])[::-1]
    colors, engs = source_colors(data["outlet"]), _order(data["engine"])
    fig, axes = plt.subplots(1, len(engs), figsize=(5 * len(engs), 1 + 0.6 * len(order)), sharey=True, squeeze=False)
    for ax, e in zip(axes[0], engs):
        d = data[data["engine"] == e].set_index("outlet").reindex(order)
        for i, (o, r) in enumerate(d.iterrows()):
            for dy, col, fill in ((0.12, "score", colors[o]), (-0.12, "score_masked", "white")):
                err = [[r[col] - r[f"{col}_low"]], [r[f"{col}_high"] - r[col]]]
                ax.errorbar(r[col], i + dy, xerr=np.nan_to_num(err), fmt="o", color=colors[o], mfc=fill)
            ax.annotate(f"n={r['articles']} art., {r['sentences']} sent.", (1, i), xycoords=("axes fraction", "data"),
                        ha="right", va="center", fontsize=8, color="0.3")
        ax.axvline(0, color="0.7", lw=0.8)
        ax.set(xlim=(-1, 1), xlabel=_label(e), title="raw (filled) vs contested terms masked (hollow)")
    axes[0][0].set(yticks=range(len(order)), yticklabels=order)
    fig.suptitle("Mean sentence sentiment per outlet (95% bootstrap interval over articles; none for 1 article)")
    return fig, data


def plot_targets_heatmap(tsum: pd.DataFrame):
    """Outlet x target mean sentence score per engine, annotated with n sentences -> (fig, data)."""
    import matplotlib.pyplot as plt
    from .plots import source_order

    engs, outlets = _order(tsum["engine"]), source_order(tsum["outlet"])
    tgts = sorted(tsum["target"].unique())
    fig, axes = plt.subplots(1, max(len(engs), 1), figsize=(1.5 + 1.4 * len(tgts) * max(len(engs), 1), 1.5 + 0.5 * len(outlets)), squeeze=False)
    for ax, e in zip(axes[0], engs):
        d = tsum[tsum["engine"] == e]
        m = d.pivot(index="outlet", columns="target", values="score").reindex(index=outlets, columns=tgts)
        n = d.pivot(index="outlet", columns="target", values="sentences").reindex(index=outlets, columns=tgts)
        k = d.pivot(index="outlet", columns="target", values="articles").reindex(index=outlets, columns=tgts)
        im = ax.imshow(m.to_numpy(dtype=float), cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
        for (i, j), v in np.ndenumerate(m.to_numpy(dtype=float)):
            if not np.isnan(v):
                ax.text(j, i, f"{v:.2f}\n{int(n.iat[i, j])} sent. / {int(k.iat[i, j])} art.", ha="center", va="center", fontsize=7)
        ax.set(xticks=range(len(tgts)), yticks=range(len(outlets)), xlabel="target (sentences naming it)",
               yticklabels=outlets if ax is axes[0][0] else [], title=_label(e).split(" (")[0])
        ax.set_xticklabels([t.replace("_", " ") for t in tgts], rotation=20, ha="right")
        fig.colorbar(im, ax=ax, label=_label(e))
    fig.suptitle("Mean sentiment of the sentences naming each target (cells: mean score, sentences / articles)")
    return fig, tsum.reset_index(drop=True)


def plot_engine_agreement(sentences: pd.DataFrame, a: str = "vader", b: str = "textblob"):
    """Scatter of sentence scores, engine ``a`` against ``b``, coloured by outlet -> (fig, data)."""
    import matplotlib.pyplot as plt
    from .plots import source_colors, source_order

    data = sentences[["file", "outlet", "index", a, b]].dropna().reset_index(drop=True)
    colors = source_colors(data["outlet"])
    fig, ax = plt.subplots(figsize=(6, 5.5))
    for o in source_order(data["outlet"]):
        g = data[data["outlet"] == o]
        ax.scatter(g[a], g[b], s=14, alpha=0.7, color=colors[o], label=f"{o} (n={len(g)})")
    r = np.corrcoef(data[a], data[b])[0, 1] if len(data) > 1 else np.nan
    ax.plot([-1, 1], [-1, 1], color="0.7", lw=0.8)
    ax.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), xlabel=_label(a), ylabel=_label(b),
           title=f"Engine agreement per sentence (n={len(data)} sentences in {data['file'].nunique()} articles, "
                 f"Pearson r={r:.2f})")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1), title="outlet (sentences)")
    return fig, data
