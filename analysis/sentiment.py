"""Sentiment, raw and with contested terms masked: VADER (Hutto & Gilbert 2014), TextBlob (De Smedt & Daelemans 2012).

>>> score(["The attack killed two people.", "  "]).round(4)["score"].tolist()
[-0.8225, nan]
>>> lex = load_lexicon(paths.SEED_STUDY)
>>> mask("Militias killed two people.", lex), targets("US forces struck Kataib Hezbollah; they told us.", lex)
('term term two people.', ['armed_groups', 'us'])
"""
import functools
import itertools
import operator
import hashlib
import json
import tempfile
from collections import namedtuple
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
import numpy as np
import pandas as pd
from . import engine, explore, paths, stats, tables, text
from .dataset import analysed
from .lexicon import PROPER, Lexicon, load_lexicon, tokenised

MASK_TOKEN = "term"  # in neither engine's lexicon nor in the contested-term lexicon (tested)
HUMAN_NEUTRAL = 0.5  # mean rating on -4..4: >= +0.5 positive, <= -0.5 negative, else neutral
ENGINE_NEUTRAL = 0.05  # VADER's convention for compound; used for every engine's -1..1 score
MEANS = ["score", "score_low", "score_high", "score_masked", "score_masked_low", "score_masked_high"]

@functools.lru_cache(maxsize=1)
def _vader():
    from vaderSentiment import vaderSentiment as v

    # the words a rule reads: negations, boosters, "least", a word of each idiom ("kiss of death": its longest)
    rules = {*v.NEGATE, "no", "this", "least", *(max(k.split(), key=len) for k in v.BOOSTER_DICT | v.SPECIAL_CASES)}

    class Vader(v.SentimentIntensityAnalyzer):
        """The library's ``polarity_scores`` to the bit, faster: a word outside the lexicon is 0, and so is a lexicon
        word's valence without the per-word rules where none of the words they read (3 before it, 2 after) is one of
        theirs; otherwise the rules see only that window (the library lower-cases the whole text for each word)."""
        def polarity_scores(self, text):
            if not text.isascii() and not self.emoji_chars.isdisjoint(text):   # emojis become words: the library's
                return super().polarity_scores(text)
            text = text.strip()
            words = [w if w.isalpha() else v.SentiText._strip_punc_if_word(w) for w in text.split()]
            lows, sentiments, nt = list(map(str.lower, words)), [0] * len(words), "n't" in text.lower()   # a negation
            cap_diff = 0 < len(words) - sum(map(str.isupper, words)) < len(words)
            for i in itertools.compress(range(len(words)), map(self.lexicon.__contains__, lows)):
                if lows[i] == "kind" and lows[i + 1:i + 2] == ["of"]:   # no booster is in the lexicon (tested)
                    continue
                if nt or not rules.isdisjoint(lows[max(0, i - 3):i + 3]):
                    window = SimpleNamespace(words_and_emoticons=words[max(0, i - 3):i + 3], is_cap_diff=cap_diff)
                    sentiments[i] = self.sentiment_valence(0, window, words[i], min(i, 3), [])[0]   # i - 3 .. i + 2
                elif cap_diff and words[i].isupper():   # capitals stress a word when others are not
                    val = self.lexicon[lows[i]]
                    sentiments[i] = val + v.C_INCR if val > 0 else val - v.C_INCR
                else:
                    sentiments[i] = self.lexicon[lows[i]]
            return self.score_valence(self._but_check(words, sentiments) if "but" in lows else sentiments, text)

    vader = Vader()
    vader.emoji_chars = {e for e in vader.emojis if len(e) == 1}   # the library looks up each character
    # every word one of its rules reads, each word of a multi-word booster or idiom too (``Engine.inert``)
    vader.read = {*rules, "or", "nor", "at", "very", "kind", "of", "never", "so", "without", "doubt", "but", *(
        w for k in v.BOOSTER_DICT | v.SPECIAL_CASES | v.SENTIMENT_LADEN_IDIOMS for w in k.split())}
    return vader

@functools.lru_cache(maxsize=1)
def _pattern():
    from textblob import _text
    from textblob.en import sentiment as lib   # what PatternAnalyzer.analyze calls (without making a namedtuple)

    moods = {e.lower() for es in _text.EMOTICONS.values() for e in es}

    def stand_in(w):
        """``w``, or for a word the library would compare with every emoticon in vain (unknown, at most 5 characters,
        not all letters, not punctuation, no emoticon) an unknown word of letters its rules treat alike (by length)."""
        if w.isalpha() or len(w) > 5 or w in _text.PUNCTUATION or w in moods or dict.__contains__(lib, w) or \
                len(w) > 2 and len(w.strip("'")) < 2:
            return w
        return "z" * (3 if len(w) > 2 else 2 if len(w.strip("'")) > 1 else 1)

    @functools.lru_cache(maxsize=1 << 15)
    def split(piece):   # the library's tokens of a whitespace-separated piece of text (a word and a comma: those two)
        tokens = [piece[:-1], piece[-1]] if piece[-1] in ",;:" and piece[:-1].isalpha() else \
            " ".join(lib.tokenizer(piece)).split()
        return tokens, [stand_in(t.lower()) for t in tokens]   # and lower-cased

    class Pattern(type(lib)):   # its word lookups as a plain dict's (the library's go through a lazy-loading hook)
        __contains__, __getitem__ = dict.__contains__, dict.__getitem__

        def __call__(self, s):
            """The library's score of ``s``, given its lower-cased tokens as a list (what it makes of a string), each
            whitespace-separated piece split once: the same tokens, unless the library's rules across pieces apply
            (emoticons, the sarcasm mark: then the library splits the whole text; its paragraph marks are dropped)."""
            tokens, low, blank = [], [], True   # blank: no negation or modifier pending in the library's rules
            for piece in s.split():   # a word of letters is itself
                t, ls = ([piece], [piece.lower()]) if piece.isalpha() else split(piece)
                tokens += t
                for l in ls:   # a word none of its rules reads does nothing when blank: left out
                    if l in ruled:
                        low.append(l)
                        blank = False
                    elif not blank:   # such a word of 3 or more characters makes it blank
                        low.append(l)
                        blank = len(l.strip("'")) > 2
            if _text.RE_SARCASM.search(joined := " ".join(tokens)) or _text.RE_EMOTICONS.search(joined):
                return super().__call__(s)
            return super().__call__(low)
    fast = Pattern.__new__(Pattern)
    fast.__dict__.update({k: v for k, v in vars(lib).items() if not k.startswith("__")})   # not the hook's methods
    dict.update(fast, dict.items(lib) if len(lib) else ())   # len() loads the lexicon
    ruled = {*dict.keys(fast), *fast.negations, *moods, "!", "(!)"}   # known words, negations, emphasis, emoticons
    fast.ruled = ruled
    return fast

# analyze(text) -> columns, the first -1..1; known(word); inert(word): the engine reads a text with this word (of
# letters, on its own or before ",;:") replaced by another such word exactly as before (None: no word is inert)
Engine = namedtuple("Engine", "columns analyze known label inert", defaults=(None,))
ENGINES: dict[str, Engine] = {   # inert: unknown, no rule reads it; VADER: not in capitals; TextBlob: 3+ letters
    "vader": Engine(("compound", "pos", "neu", "neg"),   # polarity_scores once per text: it is the costly part
                    lambda t: operator.itemgetter("compound", "pos", "neu", "neg")(_vader().polarity_scores(t)),
                    lambda w: w in _vader().lexicon, "VADER compound (−1 to 1)",
                    lambda w: not w.isupper() and (w := w.lower()) not in _vader().lexicon
                    and w not in _vader().read),
    "textblob": Engine(("polarity", "subjectivity"), lambda t: tuple(_pattern()(t)),
                       lambda w: w in _pattern(), "TextBlob polarity (−1 to 1)",
                       lambda w: len(w) > 2 and w.lower() not in _pattern().ruled),
}

def score(texts, engine: str = "vader") -> pd.DataFrame:
    """One row per text, in order: the engine's columns plus ``score``; blank texts are NaN."""
    eng = ENGINES[engine]
    texts = [t if type(t) is str else "" if t is None or (np.ndim(t) == 0 and pd.isna(t)) else str(t) for t in texts]
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))   # each distinct text scored once
    rows = [eng.analyze(t) if t.strip() else (np.nan,) * len(eng.columns) for t in uniques]
    df = pd.DataFrame(rows, columns=list(eng.columns), dtype=float).iloc[codes].reset_index(drop=True)
    return df.assign(score=df[eng.columns[0]])

def mask(text: str, lexicon: Lexicon) -> str:
    """``text`` with every contested term (any family variant, not inside a proper name) -> "term"."""
    return _mask(text, lexicon)[0]

def _mask(text: str, lexicon: Lexicon) -> tuple[str, list | None]:
    """``mask`` and the words it replaced, or None if one was not ASCII letters standing alone (after a space or the
    start; before a space, the end, or one of ",;:" and then a space or the end): only such can be ``Engine.inert``."""
    merged = []  # overlapping hits ("killed" in two families, "air strikes" vs "strikes") -> one token
    for a, b in sorted({(a, b) for a, b, fam, *_ in lexicon.uses(text) if fam != PROPER}):
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    words, after = [], text + "  "
    for a, b in reversed(merged):
        alone = (w := text[a:b]).isalpha() and w.isascii() and (not a or text[a - 1].isspace()) and (
            after[b].isspace() or after[b] in ",;:" and after[b + 1].isspace())
        words = None if words is None or not alone else [*words, w]
        text = text[:a] + MASK_TOKEN + text[b:]
    return text, words

def targets(text: str, lexicon: Lexicon) -> list[str]:
    """Sorted targets a text names; an all-capitals alias ("US") matches only in capitals."""
    return sorted({t for a, b, t, _, key in lexicon.uses(text, lexicon.target_index)
                   if key not in lexicon.capitals[t] or text[a:b].isupper()})

@text.without_gc
def score_sentences(sentences: pd.DataFrame, lexicon: Lexicon, engines=None) -> pd.DataFrame:
    """Per sentence: targets, and per engine raw and ``_masked`` scores and ``_known`` words (for ``Dataset.map``)."""
    out = sentences[["file", "index", "text", "words"]].reset_index(drop=True).copy()
    found, masked, tokens, texts = [], [], [], out["text"].tolist()
    for t in texts:   # a sentence at a time: tokenised once (``tokenised``' cache)
        found.append(targets(t, lexicon)), masked.append(_mask(t, lexicon)), tokens.append(tokenised(t)[1])
    out["targets"] = pd.Series([";".join(t) for t in found], index=out.index, dtype="str")
    out["multi_target"] = pd.Series([len(t) > 1 for t in found], index=out.index, dtype=bool)
    words, distinct = pd.factorize(pd.Series(list(itertools.chain.from_iterable(tokens)), dtype=object))
    owner = np.repeat(np.arange(len(tokens)), list(map(len, tokens)))   # each word's sentence
    for name in engines or ENGINES:   # a text masking left alone, or changed only in words the engine ignores
        inert = functools.cache(ENGINES[name].inert or (lambda w: False))   # (``Engine.inert``), is scored once
        reads = [t if ws is not None and all(map(inert, ws)) else m for t, (m, ws) in zip(texts, masked)]
        both = score(texts + reads, name)["score"].to_numpy()
        out[name], out[f"{name}_masked"] = both[:len(out)], both[len(out):]
        known = np.fromiter(map(ENGINES[name].known, distinct), bool, len(distinct))   # once per word
        out[f"{name}_known"] = np.bincount(owner, known[words], len(tokens)).astype("int64")
    return out

def _analysed(df: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """The rows of analysed articles (``dataset.analysed``), with their ``outlet``."""
    df = analysed(df, articles)
    return df.assign(outlet=df["file"].map(articles.set_index("file")["source"]))

def sentence_table(sent: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """``sentiment_sentences.csv``: per sentence, outlet, targets, raw and masked score per engine."""
    cols = ["file", "outlet", "index", "text", "targets", "multi_target", "words"]
    cols += [f"{e}{s}" for e in ENGINES if e in sent for s in ("", "_masked", "_known")]
    return _analysed(sent, articles)[cols].sort_values(["file", "index"], kind="stable").reset_index(drop=True)

def score_partition(item, lexicon: Lexicon, articles: pd.DataFrame, n: int = 25, kinds=None) -> tuple:
    """Partition ``(parquet, csv)``: writes its ``sentence_table`` to ``csv``; returns that without text, columns in
    ``kinds`` (name: ``CategoricalDtype``) as category codes (no string per sentence), and its top ``n``."""
    s = sentence_table(score_sentences(pd.read_parquet(item[0]), lexicon), articles)
    tables.write_csv(s, item[1])
    codes = {c: pd.Categorical(s[c], dtype=k).codes for c, k in (kinds or {}).items()}
    # counts held as 32-bit integers (pandas sums them in 64 bits): 16 bytes less per sentence
    small = {c: s[c].astype(np.int32) for c in s if c in ("index", "words") or c.endswith("_known")}
    return s.drop(columns="text").assign(**codes, **small), disagreements(s, articles, n=n)

def score_dataset(ds, lexicon: Lexicon, tables_dir, n: int = 25) -> tuple:
    """(scores, their text columns categorical; disagreements; sample) of ``score_partition`` over ``ds``; writes
    ``sentiment_sentences.csv`` in partition order (file order for folder corpora), by file and sentence within."""
    kinds = {c: pd.CategoricalDtype(sorted(set(ds.articles[k]))) for c, k in (("file", "file"), ("outlet", "source"))}
    with (tempfile.TemporaryDirectory(dir=Path(tables_dir).parent) as tmp,
          tables.replacing(Path(tables_dir) / "sentiment_sentences.csv") as out, open(out, "wb") as fh):
        items = [(p, Path(tmp) / f"{i:05d}.csv") for i, p in enumerate(ds.parts)]
        step = functools.partial(score_partition, lexicon=lexicon, articles=ds.articles, n=n, kinds=kinds)
        got = engine.map_partitions(step, items, ds.scheduler, "sentiment")
        fh.writelines(c.read_bytes().partition(b"\n")[2] if i else c.read_bytes() for i, (_, c) in enumerate(items))
    scores, top = (pd.concat(x, ignore_index=True) for x in zip(*got))
    del got   # one dtype over every partition's codes; targets split once per set of them (``target_summary``)
    scores = scores.assign(**{c: pd.Categorical.from_codes(scores[c], dtype=k) for c, k in kinds.items()},
                           targets=scores["targets"].astype("category"))
    engine.release()   # the partitions' frames and the copies above: freed, handed back before the next step
    some = sample(scores)   # with its text, read a partition at a time: no step holds every sentence's text
    text = [pd.read_parquet(p, columns=["file", "index", "text"]).merge(some[["file", "index"]]) for p in ds.parts]
    return scores, disagreements(top, ds.articles, n=n), some.merge(pd.concat(text), on=["file", "index"], how="left")

def sample(sent: pd.DataFrame, limit: int = explore.LIMIT) -> pd.DataFrame:
    """The first ``limit`` rows of each outlet x ``targets``: the first ``limit`` of any ``sentence_browser`` choice."""
    return sent.groupby(["outlet", "targets"], sort=False, dropna=False).head(limit).reset_index(drop=True)

def whole_scores(articles: pd.DataFrame, engines=None) -> pd.DataFrame:
    """``file``, ``engine``, ``score_whole``: each engine on the whole text; pure over an article partition."""
    return pd.concat([pd.DataFrame({"file": articles["file"].to_numpy(), "engine": e,
                                    "score_whole": score(articles["text"], e)["score"].to_numpy()})
                      for e in engines or ENGINES], ignore_index=True)

def article_scores(sent: pd.DataFrame, articles: pd.DataFrame, whole: pd.DataFrame | None = None) -> pd.DataFrame:
    """Article x engine: mean sentence scores (raw, masked), ``whole_scores`` (default: from ``text``), coverage."""
    articles = analysed(articles, articles)
    engines = [e for e in ENGINES if e in sent]
    whole = whole_scores(articles, engines) if whole is None else whole
    whole = dict(zip(zip(whole["file"], whole["engine"]), whole["score_whole"]))
    g = pd.concat({e: sent.groupby("file", observed=True).agg(
        sentences=("index", "size"), words=("words", "sum"), score=(e, "mean"), score_masked=(f"{e}_masked", "mean"),
        known=(f"{e}_known", "sum")) for e in engines}, names=["engine"]).reset_index().astype({"file": str})
    g = g[g["file"].isin(articles["file"])]   # analysed articles: filtered per article, not copying every sentence
    g = g.assign(score_whole=[whole.get(k, np.nan) for k in zip(g["file"], g["engine"])],
                 coverage=g["known"] / g["words"].where(g["words"] > 0),
                 outlet=g["file"].map(articles.set_index("file")["source"]))
    return g[["file", "outlet", "engine", "score", "score_masked", "score_whole", "coverage", "sentences", "words",
              "known"]].sort_values(["file", "engine"], ignore_index=True)

def _means(raw, masked, level: float) -> dict:
    """``MEANS``: mean and Student-t interval (``stats.mean_interval``) of the raw and masked scores."""
    return dict(zip(MEANS, (*stats.mean_interval(raw, level), *stats.mean_interval(masked, level))))

def outlet_summary(arts: pd.DataFrame, articles: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per outlet (and manifest group) x engine: mean article scores, raw and masked, and pooled lexicon coverage."""
    groups = arts["file"].map(articles.set_index("file").get("group", pd.Series(dtype=str)))
    levels = [("outlet", arts.assign(unit=arts["outlet"]))]
    if groups.fillna("").astype(str).str.strip().ne("").any():
        levels.append(("group", arts.assign(unit=groups.fillna("").replace("", "(no group)"))))
    rows = [{"level": unit_level, "outlet": unit, "engine": eng, "articles": len(g),
             "sentences": int(g["sentences"].sum()), **_means(g["score"], g["score_masked"], level),
             "score_whole": g["score_whole"].mean(), "coverage": g["known"].sum() / max(g["words"].sum(), 1)}
            for unit_level, df in levels for (unit, eng), g in df.groupby(["unit", "engine"], sort=True)]
    return pd.DataFrame(rows, columns=["level", "outlet", "engine", "articles", "sentences", *MEANS, "score_whole",
                                       "coverage"])

def target_summary(sent: pd.DataFrame, articles: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Outlet x target x engine over the sentences naming the target; intervals over per-article means."""
    engines = [e for e in ENGINES if e in sent]
    cols = ["file", "multi_target", *(e + m for e in engines for m in ("", "_masked"))]
    kept, outlet_of = sent["file"].isin(analysed(articles)["file"]).to_numpy(), articles.set_index("file")["source"]
    codes, sets = pd.factorize(sent["targets"])   # each set of targets split once; a missing one (-1) names none
    sets = [str(s).split(";") for s in sets] + [[]]
    rows = []
    for target in sorted({t for s in sets for t in s if t}):   # a target's sentences at a time: no copy of them all
        named = sent.loc[kept & np.array([target in s for s in sets])[codes], cols]
        named = named.assign(outlet=named["file"].map(outlet_of), file=pd.factorize(named["file"], sort=True)[0])
        rows += [{"outlet": outlet, "target": target, "engine": e, "sentences": len(g), "articles": g["file"].nunique(),
                  "multi_target": int(g["multi_target"].sum()),
                  **_means(g.groupby("file")[e].mean(), g.groupby("file")[f"{e}_masked"].mean(), level)}
                 for outlet, at in sorted(named.groupby("outlet").indices.items()) for g in [named.iloc[at]]
                 for e in engines]   # an outlet's rows taken by position: iterating the groups sorts a copy of all
    return pd.DataFrame(rows, columns=["outlet", "target", "engine", "sentences", "articles", "multi_target",
                                       *MEANS]).sort_values(["outlet", "target", "engine"], ignore_index=True)

def disagreements(sent, articles, a: str = "vader", b: str = "textblob", n: int = 25) -> pd.DataFrame:
    """The ``n`` sentences where engines ``a`` and ``b`` differ most (``a - b``), with text."""
    d = _analysed(sent, articles)
    d = d.assign(difference=d[a] - d[b], abs_difference=(d[a] - d[b]).abs()).dropna(subset=["difference"])
    d = d.sort_values(["abs_difference", "file", "index"], ascending=[False, True, True], kind="stable")
    top = np.arange(min(n, len(d)))   # taken: a slice (head) would keep a partition's every text alive
    return d[["file", "outlet", "index", "text", a, b, "difference"]].take(top).reset_index(drop=True)

def classes(values, neutral: float) -> np.ndarray:
    """-1 / 0 / 1 with a neutral band: ``classes([-0.3, 0, 0.05], 0.05)`` -> [-1, 0, 1]."""
    v = np.asarray(values, dtype=float)
    return np.where(v >= neutral, 1, np.where(v <= -neutral, -1, 0))

def validate(directory=None, engines=None, combine: bool = True, cache=None) -> pd.DataFrame:
    """Pearson r and 3-class agreement per rated set x engine (and ``mean``), cached by engine versions and files."""
    files = sorted(Path(directory or paths.VALIDATION).glob("*_GroundTruth.txt"))
    engines = list(engines or ENGINES)
    key = hashlib.sha256(json.dumps([engines, combine, version("vaderSentiment"), version("textblob"),
                                     [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]]).encode())
    cached = Path(cache) / f"validation-{key.hexdigest()[:16]}.csv" if cache else None
    if cached and cached.exists():
        return pd.read_csv(cached)
    rows = []
    for path in files:   # lines id<TAB>rating<TAB>text, CRLF
        lines = [l.rstrip("\r").split("\t", 2) for l in path.read_bytes().decode("utf-8").split("\n") if l.strip()]
        rating = np.array([float(r[1]) for r in lines])
        scores = {e: score([r[2] for r in lines], e)["score"].to_numpy() for e in engines}
        if combine and len(scores) > 1:
            scores["mean"] = np.mean(list(scores.values()), axis=0)
        for e, s in scores.items():
            ok = ~np.isnan(s)
            agree = classes(s[ok], ENGINE_NEUTRAL) == classes(rating[ok], HUMAN_NEUTRAL)
            rows.append({"set": path.name.replace("_GroundTruth.txt", ""), "engine": e, "texts": int(ok.sum()),
                         "pearson_r": float(np.corrcoef(s[ok], rating[ok])[0, 1]), "agreement": float(agree.mean()),
                         "human_neutral": HUMAN_NEUTRAL, "engine_neutral": ENGINE_NEUTRAL})
    table = pd.DataFrame(rows)   # read back when cached: the same float formatting whether cached or not
    return pd.read_csv(tables.write_csv(table, cached)) if cached else table
