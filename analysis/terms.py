"""Terminology: which words each outlet uses for the same things, in whose voice, and how often.

Hits come from ``Lexicon.matches`` (``analysis.lexicon``: whole words, longest entry first,
nothing inside a proper name). Each hit records its voice: ``own`` (narration), ``quoted`` (inside a quotation) or ``scare``
(after "so-called", or inside a quotation of at most three words).

>>> lex = load_lexicon()
>>> hits = ds.map(match_sentences, lexicon=lex)                    # doctest: +SKIP
>>> term_counts(hits, ds.articles, lex)                             # doctest: +SKIP
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from . import stats, text
from .dataset import analysed
from .lexicon import PROPER, Lexicon, load_lexicon  # noqa: F401  (load_lexicon: the doctest below)

VOICES = ("own", "quoted", "scare")
SCARE_MAX_WORDS = 3
HIT_COLUMNS = ["file", "sentence", "start", "end", "family", "variant", "match", "voice"]


_AFTER_CLOSE = set(" .,;:!?)]}—–-\u2026")
_QUOTE_CHARS = re.compile("[\"“„«”»‘'’]")


def _quote_mark(t: str, i: int) -> tuple[str, str] | None:
    """(kind, role) of the character at ``i``: role open / close / toggle; None for apostrophes."""
    ch, prev = t[i], t[i - 1] if i else " "
    nxt = t[i + 1] if i + 1 < len(t) else " "
    if ch in "“„«":
        return ("g" if ch == "«" else "d", "open")
    if ch in "”»":
        return ("g" if ch == "»" else "d", "close")
    opening = (prev.isspace() or prev in "([{—–-/\"“") and not nxt.isspace()
    closing = not prev.isspace() and (nxt.isspace() or nxt in _AFTER_CLOSE)
    if ch == '"':
        return ("d", "open" if opening and not closing else "close" if closing and not opening else "toggle")
    if ch in "‘'’":
        if prev.isalnum() and nxt.isalnum():
            return None                                   # Iraq’s, don't
        if opening and (ch == "‘" or (ch == "'" and nxt.isalnum())):
            return ("s", "open")
        if closing and ch != "‘":
            return ("s", "close")
    return None


def quote_spans(t: str, soft_ends=()) -> list[tuple[int, int]]:
    """Content spans of quotations in ``t``. A quotation left open ends at the next soft end.

    >>> quote_spans('He said "no way" and ‘resistance’ isn’t it')
    [(9, 15), (22, 32)]
    """
    spans, open_at = [], {}

    def unterminated(a, limit):
        return min([limit] + [e for e in soft_ends if e >= a])

    for m in _QUOTE_CHARS.finditer(t):
        i = m.start()
        mark = _quote_mark(t, i)
        if not mark:
            continue
        kind, role = mark
        if role == "toggle":
            role = "close" if kind in open_at else "open"
        if role == "open":
            if kind in open_at:
                spans.append((open_at[kind], unterminated(open_at[kind], i)))
            open_at[kind] = i + 1
        elif kind in open_at:
            spans.append((open_at.pop(kind), i))
    spans += [(a, unterminated(a, len(t))) for a in open_at.values()]
    return sorted(spans)


def _units(sentences: pd.DataFrame):
    """Stretches of text quotations may span, as lists of (file, index, start, end, text) in index
    order: (file, paragraph) when given, else (file, part). Plain lists, not sub-frames: per-unit
    pandas overhead dominated matching."""
    by_paragraph = "paragraph" in sentences.columns
    s = sentences.sort_values(["file", "index"])
    cols = [s[c].tolist() for c in ("file", "index", "start", "end", "text")]
    units: dict = {}
    for key, row in zip(zip(s["file"].tolist(), s["paragraph" if by_paragraph else "part"].tolist()), zip(*cols)):
        units.setdefault(key, []).append(row)
    for rows in units.values():
        yield rows, not by_paragraph


def _join(starts, ends, texts) -> tuple[int, str]:
    base = pos = int(starts[0])
    parts = []
    for s, e, t in zip(starts, ends, texts):
        parts += [" " * max(0, int(s) - pos), t]
        pos = int(e)
    return base, "".join(parts)


def rebuild(rows: pd.DataFrame) -> tuple[int, str]:
    """(offset, text) of consecutive sentences in article coordinates, gaps filled with spaces."""
    return _join(rows["start"].tolist(), rows["end"].tolist(), rows["text"].tolist())


def match_sentences(sentences: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Every lexicon hit in a sentences partition (columns of ``Corpus.sentences``), one row each.

    Offsets are into the article text. Quotation state runs over a paragraph when the frame has a
    ``paragraph`` column, else over the article body; an unclosed quotation then ends with its sentence.
    """
    rows = []
    for unit, sentence_soft in _units(sentences):
        _, _, starts, ends, texts = zip(*unit)
        base, t = _join(starts, ends, texts)
        soft = [int(e) - base for e in ends] if sentence_soft else []
        quotes = [(a, b, text.count_words(t[a:b]) <= SCARE_MAX_WORDS) for a, b in quote_spans(t, soft)]
        for file, index, start, _, stext in unit:
            spans = text.word_spans(stext)
            toks = [text.norm(stext[a:b]) for a, b in spans]
            for i, j, fam, variant in lexicon.matches(toks):
                a, b = start + spans[i][0], start + spans[j - 1][1]
                inside = [short for qa, qb, short in quotes if qa <= a - base < qb]
                so_called = toks[max(0, i - 1):i] == ["so-called"] or toks[max(0, i - 2):i] == ["so", "called"]
                voice = "quoted" if inside and not all(inside) else "scare" if inside or so_called else "own"
                rows.append((file, int(index), int(a), int(b), fam, variant, stext[a - start:b - start], voice))
    hits = pd.DataFrame(rows, columns=HIT_COLUMNS).astype({"sentence": "int64", "start": "int64", "end": "int64"})
    return hits.sort_values(["file", "start", "family", "variant"]).reset_index(drop=True)


# --------------------------------------------------------------------------- tables

def term_counts(hits: pd.DataFrame, articles: pd.DataFrame, lexicon: Lexicon, families=None) -> pd.DataFrame:
    """One row per article × family × variant × voice (``all``, own, quoted, scare), zeros included."""
    grid = pd.DataFrame(lexicon.variants(families), columns=["family", "variant"])
    grid = grid.merge(pd.DataFrame({"voice": ("all",) + VOICES}), how="cross")
    arts = articles[["file", "source", "words"]].rename(columns={"source": "outlet"})
    grid = arts.merge(grid, how="cross")
    keys = ["file", "family", "variant", "voice"]
    counts = pd.concat([hits[keys], hits[keys].assign(voice="all")]).value_counts().rename("count").reset_index()
    grid = grid.merge(counts, on=keys, how="left").fillna({"count": 0}).astype({"count": "int64"})
    grid["rate_per_1k"] = grid["count"] / grid["words"].where(grid["words"] > 0) * 1000
    cols = ["file", "outlet", "family", "variant", "voice", "count", "words", "rate_per_1k"]
    return grid[cols].sort_values(keys).reset_index(drop=True)


def outlet_rates(counts: pd.DataFrame, voice: str = "all") -> pd.DataFrame:
    """Pooled rate per outlet: sum of counts / sum of words × 1,000 (from ``term_counts``)."""
    c = counts[counts["voice"] == voice]
    g = c.groupby(["outlet", "family", "variant"], as_index=False).agg(count=("count", "sum"), words=("words", "sum"),
                                                                          articles=("file", "nunique"))
    g["rate_per_1k"] = g["count"] / g["words"].where(g["words"] > 0) * 1000
    return g


def _units_of(articles: pd.DataFrame):
    arts = analysed(articles)
    for name, files in sorted(arts.groupby("source")["file"]):
        yield "outlet", name, sorted(files)
    if "group" in arts.columns:
        groups = arts[arts["group"].fillna("").astype(str) != ""]
        for name, files in sorted(groups.groupby("group")["file"]):
            yield "group", name, sorted(files)


def pair_shares(hits, articles, lexicon: Lexicon, voices=("own",), level: float = 0.95,
                families=None) -> pd.DataFrame:
    """Share A / (A + B) of each contested pair per outlet (and per manifest group), with a 95% interval.

    The interval is ``stats.share_interval``: Wilson on the pooled uses, widened by the design effect
    of uses clustered in articles. Share and interval are NaN (method ``none``) when the unit uses neither.
    """
    h = hits[hits["voice"].isin(voices)]
    per_file = h.groupby(["file", "family", "variant"]).size()
    rows = []
    for level_name, unit, files in _units_of(articles):
        for p in (p for p in lexicon.pairs if families is None or p.family in families):
            a = np.array([per_file.get((f, p.family, p.a), 0) for f in files])
            b = np.array([per_file.get((f, p.family, p.b), 0) for f in files])
            share, low, high, method = stats.share_interval(a, b, level)
            rows.append((level_name, unit, p.name, p.family, p.a, p.b, "+".join(voices), len(files), int(a.sum()),
                         int(b.sum()), share, low, high, method))
    cols = ["level", "outlet", "pair", "family", "a_variant", "b_variant", "voices", "articles", "a_count",
            "b_count", "share_a", "ci_low", "ci_high", "method"]
    return pd.DataFrame(rows, columns=cols)  # outlets, then groups, each by name; pairs in lexicon order (lead first)


def article_texts(texts: pd.DataFrame) -> dict[str, str]:
    """File -> article text, from an articles frame (``text`` column) or rebuilt from sentences."""
    if "index" not in texts.columns:
        return dict(zip(texts["file"], texts["text"]))
    out = {}
    for f, rows in texts.sort_values(["file", "index"]).groupby("file"):
        base, t = rebuild(rows)
        out[f] = " " * base + t
    return out


def kwic(hits: pd.DataFrame, texts: pd.DataFrame, window: int = 60, outlets: pd.DataFrame | None = None):
    """Every hit in context: ``window`` characters each side, whitespace collapsed, plain text.

    ``texts`` is ``Corpus.articles`` (which also gives the outlet) or ``Corpus.sentences``; then
    ``outlets`` (file, source) gives the outlet. The result also serves as ``hits`` for the tables.
    """
    full = article_texts(texts)
    src = outlets if outlets is not None else texts if "source" in texts.columns else None
    outlet = dict(zip(src["file"], src["source"])) if src is not None else {}

    def flat(s):
        return " ".join(s.split())

    rows = [(h.file, outlet.get(h.file, ""), h.family, h.variant, h.voice, h.sentence, h.start,
             flat(full[h.file][max(0, h.start - window):h.start]), h.match,
             flat(full[h.file][h.end:h.end + window])) for h in hits.itertuples(index=False)]
    cols = ["file", "outlet", "family", "variant", "voice", "sentence", "start", "left", "match", "right"]
    return pd.DataFrame(rows, columns=cols).sort_values(["file", "start", "family"]).reset_index(drop=True)


def kwic_partition(sentences, lexicon: Lexicon, window: int = 60, articles=None) -> pd.DataFrame:
    """Match and KWIC in one pass over a sentences partition; ``articles`` (file, source) gives outlets.

    >>> kwic = ds.map(kwic_partition, lexicon=lex, articles=ds.articles[["file", "source"]])  # doctest: +SKIP
    """
    return kwic(match_sentences(sentences, lexicon), sentences, window, outlets=articles)


def doc_frequency(hits, articles, lexicon: Lexicon, voices=VOICES, families=None) -> pd.DataFrame:
    """In how many of an outlet's articles each variant appears (any voice by default)."""
    arts = analysed(articles)
    h = hits[hits["voice"].isin(voices) & hits["file"].isin(arts["file"])]
    present = h.drop_duplicates(["file", "family", "variant"]).merge(arts[["file", "source"]], on="file")
    used = present.groupby(["source", "family", "variant"]).size()
    n = arts.groupby("source").size()
    grid = pd.DataFrame([(o, f, v) for o in sorted(n.index) for f, v in lexicon.variants(families)],
                        columns=["outlet", "family", "variant"])
    grid["articles"] = grid["outlet"].map(n).astype("int64")
    grid["articles_with"] = [int(used.get(k, 0)) for k in zip(grid["outlet"], grid["family"], grid["variant"])]
    grid["share_articles"] = grid["articles_with"] / grid["articles"]
    return grid


def pair_words(lexicon: Lexicon, families=None) -> list[str]:
    """The first entry of each contested pair's two variants: the default collocation terms.

    >>> pair_words(load_lexicon())[:2]
    ['resistance', 'militia']
    """
    pairs = [p for p in lexicon.pairs if families is None or p.family in families]
    return list(dict.fromkeys(lexicon.families[p.family][v][0] for p in pairs for v in (p.a, p.b)))


def collocation_counts(sentences, terms, window: int = 5, stopwords=None):
    """Partial counts for ``collocations`` from one sentences partition; partitions' counts add up.

    Rows ``w1, w2, count``: word frequencies (``w2`` empty) and windowed pairs that contain a term.
    """
    from nltk.collocations import BigramCollocationFinder

    if stopwords is None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as stopwords
    stop, keep = set(stopwords), {text.norm(t) for t in terms}
    tokens = []
    for t in sentences.sort_values(["file", "index"])["text"]:
        tokens += [w if any(c.isalpha() for c in w) and w not in stop else "" for w in text.tokens(t)]
        tokens += [None] * (window - 1)        # windows never cross sentences
    f = BigramCollocationFinder.from_words(tokens, window_size=window)
    rows = [(w, "", n) for w, n in f.word_fd.items()]
    rows += [(a, b, n) for (a, b), n in f.ngram_fd.items() if a and b and a != b and (a in keep or b in keep)]
    return pd.DataFrame(rows, columns=["w1", "w2", "count"])


def collocations(sentences, terms, window: int = 5, top: int = 15,
                 stopwords=None) -> pd.DataFrame:
    """Strongest neighbours of each term within ``window`` tokens, by log-likelihood (Dunning 1993).

    ``sentences`` is a sentences frame, or the summed ``collocation_counts`` of its partitions.
    Tokens are lower-cased; windows stay within a sentence; stop words (scikit-learn's English list
    by default) and tokens without letters are left out but keep their place in the window.
    """
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder
    from nltk.probability import FreqDist

    if "w1" not in sentences.columns:
        sentences = collocation_counts(sentences, terms, window, stopwords)
    c = sentences.groupby(["w1", "w2"])["count"].sum()
    finder = BigramCollocationFinder(FreqDist({a: n for (a, b), n in c.items() if not b}),
                                     FreqDist({(a, b): n for (a, b), n in c.items() if b}), window_size=window)
    finder.apply_word_filter(lambda w: w == "")
    scored = finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)
    rows = []
    for term in (text.norm(t) for t in terms):
        mine = [(w2 if w1 == term else w1, "after" if w1 == term else "before", (w1, w2), s)
                for (w1, w2), s in scored if term in (w1, w2)]
        mine.sort(key=lambda r: (-r[3], r[0], r[1]))
        rows += [(term, n, pos, int(finder.ngram_fd[k]), int(finder.word_fd[n]), s, r + 1)
                 for r, (n, pos, k, s) in enumerate(mine[:top])]
    cols = ["term", "neighbour", "position", "together", "neighbour_count", "llr", "rank"]
    return pd.DataFrame(rows, columns=cols)
