"""Lexicon sentiment (VADER, TextBlob) per sentence, target, article and outlet, raw and masked.

VADER (Hutto & Gilbert 2014) gives a ``compound`` score; TextBlob's PatternAnalyzer (Pattern,
De Smedt & Daelemans 2012) gives ``polarity`` and ``subjectivity``. Both run offline and neither
needs NLTK corpora. Each engine's main score (-1 to 1) is also the column ``score``.

>>> score(["The attack killed two people.", "  "]).round(4)["score"].tolist()
[-0.8225, nan]
>>> mask("Militias killed two people."), targets("US forces struck Kataib Hezbollah; they told us.")
('term term two people.', ['armed_groups', 'us'])
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import paths, stats, tables
from . import text as textmod
from .dataset import analysed
from .lexicon import PROPER, Lexicon, load_lexicon

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
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))   # each distinct text scored once
    rows = [eng.analyze(t) if t.strip() else (np.nan,) * len(eng.columns) for t in uniques]
    df = pd.DataFrame(rows, columns=list(eng.columns), dtype=float).iloc[codes].reset_index(drop=True)
    df["score"] = df[eng.columns[0]]
    return df


# --- masking and targets: the lexicon's matcher ------------------------------------------
@functools.lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    return load_lexicon()


def mask(text: str, lexicon: Lexicon | None = None) -> str:
    """``text`` with every contested term (any family variant, not inside a proper name) -> "term"."""
    lexicon = lexicon or _default_lexicon()
    spans = textmod.word_spans(text)
    hits = sorted({(i, j) for i, j, fam, _ in lexicon.matches([textmod.norm(text[a:b]) for a, b in spans])
                   if fam != PROPER})
    merged = []  # overlapping hits ("killed" in two families, "air strikes" vs "strikes") -> one token
    for i, j in hits:
        if merged and i < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], j)
        else:
            merged.append([i, j])
    for i, j in reversed(merged):
        text = text[:spans[i][0]] + MASK_TOKEN + text[spans[j - 1][1]:]
    return text


def targets(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Sorted targets a text names; an all-capitals alias ("US") matches only in capitals."""
    lexicon = lexicon or _default_lexicon()
    spans = textmod.word_spans(text)
    toks = [textmod.norm(text[a:b]) for a, b in spans]
    return sorted({t for i, j, t, _ in lexicon.matches(toks, lexicon.target_index)
                   if not (tuple(toks[i:j]) in lexicon.capitals[t] and not text[spans[i][0]:spans[j - 1][1]].isupper())})


# --- per-sentence scoring: pure over a partition -----------------------------------------
def score_sentences(sentences: pd.DataFrame, lexicon: Lexicon | None = None, engines=None) -> pd.DataFrame:
    """Per sentence: targets, ``multi_target``, ``<engine>`` and ``<engine>_masked`` scores and
    ``<engine>_known`` (word tokens the engine's lexicon holds). Pure: use with ``Dataset.map``."""
    out = sentences[["file", "index", "text", "words"]].reset_index(drop=True).copy()
    found = [targets(t, lexicon) for t in out["text"]]
    out["targets"] = pd.Series([";".join(t) for t in found], index=out.index, dtype="str")
    out["multi_target"] = pd.Series([len(t) > 1 for t in found], index=out.index, dtype=bool)
    masked = [mask(t, lexicon) for t in out["text"]]
    tokens = [textmod.tokens(t) for t in out["text"]]
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


def sentence_table(sent: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """``sentiment_sentences.csv``: per sentence, outlet, targets, raw and masked score per engine."""
    sent = analysed(sent, articles)
    out = sent.assign(outlet=_outlets(sent, articles))
    cols = ["file", "outlet", "index", "text", "targets", "multi_target", "words"]
    cols += [f"{e}{s}" for e in _engines_in(sent) for s in ("", "_masked", "_known")]
    return out[cols].sort_values(["file", "index"], kind="stable").reset_index(drop=True)


# --- aggregation over concatenated results -----------------------------------------------
def whole_scores(articles: pd.DataFrame, engines=None) -> pd.DataFrame:
    """``file``, ``engine``, ``score_whole``: each engine on the whole article text. Pure over an
    article partition (``Dataset.map_articles``), so no process needs every text at once."""
    return pd.concat([pd.DataFrame({"file": articles["file"].to_numpy(), "engine": e,
                                    "score_whole": score(articles["text"], e)["score"].to_numpy()})
                      for e in engines or ENGINES], ignore_index=True)


def article_scores(sent: pd.DataFrame, articles: pd.DataFrame, whole: pd.DataFrame | None = None) -> pd.DataFrame:
    """Article x engine: mean of sentence scores (raw, masked), whole-text score, coverage.

    ``whole`` is ``whole_scores`` (e.g. ``ds.map_articles(whole_scores)``); when it is not given,
    it is computed here from ``articles["text"]``.
    """
    frames, sent = [], analysed(sent, articles)
    articles = analysed(articles, articles)
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


def _means(raw, masked, level: float) -> dict:
    """score, score_low, score_high and the same for score_masked (``stats.mean_interval``)."""
    (m, lo, hi), (mm, mlo, mhi) = stats.mean_interval(raw, level), stats.mean_interval(masked, level)
    return {"score": m, "score_low": lo, "score_high": hi,
            "score_masked": mm, "score_masked_low": mlo, "score_masked_high": mhi}


OUTLET_COLUMNS = ["level", "outlet", "engine", "articles", "sentences", "score", "score_low", "score_high",
                  "score_masked", "score_masked_low", "score_masked_high", "score_whole", "coverage"]
TARGET_COLUMNS = ["outlet", "target", "engine", "sentences", "articles", "multi_target", "score", "score_low",
                  "score_high", "score_masked", "score_masked_low", "score_masked_high"]


def outlet_summary(arts: pd.DataFrame, articles: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """``sentiment_outlets.csv``: per outlet (and manifest group) x engine, the mean over articles
    of raw and masked scores with Student-t 95% intervals over articles, and pooled lexicon coverage."""
    groups = arts["file"].map(articles.set_index("file").get("group", pd.Series(dtype=str)))
    levels = [("outlet", arts.assign(unit=arts["outlet"]))]
    if groups.fillna("").astype(str).str.strip().ne("").any():
        levels.append(("group", arts.assign(unit=groups.fillna("").replace("", "(no group)"))))
    rows = []
    for unit_level, df in levels:
        for (unit, eng), g in df.groupby(["unit", "engine"], sort=True):
            rows.append({"level": unit_level, "outlet": unit, "engine": eng, "articles": len(g),
                         "sentences": int(g["sentences"].sum()), **_means(g["score"], g["score_masked"], level),
                         "score_whole": g["score_whole"].mean(),
                         "coverage": g["known"].sum() / max(g["words"].sum(), 1)})
    return pd.DataFrame(rows, columns=OUTLET_COLUMNS)


def target_summary(sent: pd.DataFrame, articles: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """``sentiment_targets.csv``: outlet x target x engine over sentences naming the target (a sentence
    naming two targets counts for both); the interval is over the per-article means of those sentences,
    since sentences of one article are not independent."""
    sent = analysed(sent, articles)
    long = sent.assign(outlet=_outlets(sent, articles), target=sent["targets"].str.split(";"))
    long = long.explode("target")
    long = long[long["target"].fillna("") != ""]
    rows = []
    for (outlet, target), g in long.groupby(["outlet", "target"], sort=True):
        for e in _engines_in(sent):
            rows.append({"outlet": outlet, "target": target, "engine": e, "sentences": len(g),
                         "articles": g["file"].nunique(), "multi_target": int(g["multi_target"].sum()),
                         **_means(g.groupby("file")[e].mean(), g.groupby("file")[f"{e}_masked"].mean(), level)})
    out = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    return out.sort_values(["outlet", "target", "engine"]).reset_index(drop=True)


def disagreements(sent: pd.DataFrame, articles: pd.DataFrame, a: str = "vader", b: str = "textblob",
                  n: int = 25) -> pd.DataFrame:
    """The ``n`` sentences where engines ``a`` and ``b`` differ most (``a - b``), with text."""
    sent = analysed(sent, articles)
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


def validate(directory=None, engines=None, combine: bool = True, cache=None) -> pd.DataFrame:
    """Per set x engine: Pearson r with the mean human rating and 3-class agreement.

    ``combine`` adds ``mean`` = the average of the engines' scores. ``directory`` defaults to
    ``paths.VALIDATION`` and holds ``*_GroundTruth.txt`` files. With a ``cache`` folder the result is
    kept there, keyed by the engines' package versions and the rating files' bytes: it does not
    depend on the corpus, so a run computes it once.
    """
    from importlib.metadata import version

    files = sorted(Path(directory or paths.VALIDATION).glob("*_GroundTruth.txt"))
    engines = list(engines or ENGINES)
    key = hashlib.sha256(json.dumps([engines, combine, version("vaderSentiment"), version("textblob"),
                                     [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]]).encode())
    cached = Path(cache) / f"validation-{key.hexdigest()[:16]}.csv" if cache else None
    if cached and cached.exists():
        return pd.read_csv(cached)
    rows = []
    for path in files:
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
    out = pd.DataFrame(rows)
    if cached:
        tables.write_csv(out, cached)
        out = pd.read_csv(cached)   # the same float formatting whether cached or not
    return out
