"""Which words outlets use for the same things and how often, by voice: own, quoted, scare ("so-called", short quote).

>>> quote_spans('He said "no way" and ‘resistance’ isn’t it')
[(9, 15), (22, 32)]
"""
import re
import numpy as np
import pandas as pd
from . import stats, text
from .dataset import analysed
from .lexicon import PROPER, Lexicon  # noqa: F401  (PROPER: re-exported)

VOICES = ("own", "quoted", "scare")

def quote_spans(t: str, soft_ends=()) -> list[tuple[int, int]]:
    """Content spans of quotations in ``t`` (not apostrophes); a quotation left open ends at the next soft end."""
    spans, open_at = [], {}                     # kind (d: double, g: guillemet, s: single) -> content start

    def unterminated(a, limit):
        return min([limit] + [e for e in soft_ends if e >= a])
    for m in re.finditer("[\"“„«”»‘'’]", t):
        i, ch = m.start(), m.group()
        prev, nxt = t[i - 1] if i else " ", t[i + 1] if i + 1 < len(t) else " "
        opening = (prev.isspace() or prev in "([{—–-/\"“") and not nxt.isspace()
        closing = not prev.isspace() and (nxt.isspace() or nxt in " .,;:!?)]}—–-\u2026")
        if ch in "“„«”»":
            kind, opens = "g" if ch in "«»" else "d", ch in "“„«"
        elif ch == '"':                         # straight: by its neighbours, else it toggles
            kind, opens = "d", opening if opening != closing else "d" not in open_at
        elif prev.isalnum() and nxt.isalnum():
            continue                            # an apostrophe: Paris’s, don't
        elif opening and (ch == "‘" or (ch == "'" and nxt.isalnum())):
            kind, opens = "s", True
        elif closing and ch != "‘":
            kind, opens = "s", False
        else:
            continue
        if opens:
            if kind in open_at:                 # the same kind again: the open one ends here
                spans.append((open_at[kind], unterminated(open_at[kind], i)))
            open_at[kind] = i + 1
        elif kind in open_at:
            spans.append((open_at.pop(kind), i))
    return sorted(spans + [(a, unterminated(a, len(t))) for a in open_at.values()])

def _units(sentences: pd.DataFrame, by: str):
    """Per (file, ``by``): sentence rows in order (plain lists: pandas per group is slow), offset and joined text."""
    s = sentences.sort_values(["file", "index"])
    units: dict = {}
    for key, row in zip(zip(s["file"].tolist(), s[by].tolist()),
                        zip(*(s[c].tolist() for c in ("file", "index", "start", "end", "text")))):
        units.setdefault(key, []).append(row)
    for rows in units.values():             # gap before each sentence: spaces from the previous one's end
        gaps = [0] + [max(0, int(row[2]) - int(prev[3])) for prev, row in zip(rows, rows[1:])]
        yield rows, int(rows[0][2]), "".join(" " * gap + row[4] for gap, row in zip(gaps, rows))

def match_sentences(sentences: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Every hit in a sentences partition, offsets into the article; quotations run over a paragraph (else a part)."""
    rows, by_paragraph = [], "paragraph" in sentences.columns
    for unit, base, t in _units(sentences, "paragraph" if by_paragraph else "part"):
        soft = [] if by_paragraph else [int(e) - base for _, _, _, e, _ in unit]  # unclosed: ends with its sentence
        quotes = [(a, b, text.count_words(t[a:b]) <= 3) for a, b in quote_spans(t, soft)]   # short: scare quotes
        for file, index, start, _, stext in unit:
            spans = text.word_spans(stext)
            toks = [text.norm(stext[a:b]) for a, b in spans]
            for i, j, fam, variant in lexicon.matches(toks):
                a, b = start + spans[i][0], start + spans[j - 1][1]
                inside = [short for qa, qb, short in quotes if qa <= a - base < qb]
                so_called = toks[max(0, i - 1):i] == ["so-called"] or toks[max(0, i - 2):i] == ["so", "called"]
                voice = "quoted" if inside and not all(inside) else "scare" if inside or so_called else "own"
                rows.append((file, int(index), int(a), int(b), fam, variant, stext[a - start:b - start], voice))
    hits = pd.DataFrame(rows, columns=["file", "sentence", "start", "end", "family", "variant", "match", "voice"])
    hits = hits.astype({"sentence": "int64", "start": "int64", "end": "int64"})
    return hits.sort_values(["file", "start", "family", "variant"]).reset_index(drop=True)

def term_counts(hits: pd.DataFrame, articles: pd.DataFrame, lexicon: Lexicon, families=None) -> pd.DataFrame:
    """One row per article × family × variant × voice (``all``, own, quoted, scare), zeros included."""
    grid = pd.DataFrame([(f, v, vc) for f, v in lexicon.variants(families) for vc in ("all",) + VOICES],
                        columns=["family", "variant", "voice"])
    grid = articles[["file", "source", "words"]].rename(columns={"source": "outlet"}).merge(grid, how="cross")
    keys = ["file", "family", "variant", "voice"]
    counts = pd.concat([hits[keys], hits[keys].assign(voice="all")]).value_counts().rename("count").reset_index()
    grid = grid.merge(counts, on=keys, how="left").fillna({"count": 0}).astype({"count": "int64"})
    grid["rate_per_1k"] = grid["count"] / grid["words"].where(grid["words"] > 0) * 1000
    cols = ["file", "outlet", "family", "variant", "voice", "count", "words", "rate_per_1k"]
    return grid[cols].sort_values(keys).reset_index(drop=True)

def outlet_rates(counts: pd.DataFrame, voice: str = "all") -> pd.DataFrame:
    """Pooled rate per outlet: sum of counts / sum of words × 1,000 (from ``term_counts``)."""
    g = counts[counts["voice"] == voice].groupby(["outlet", "family", "variant"], as_index=False).agg(
        count=("count", "sum"), words=("words", "sum"), articles=("file", "nunique"))
    return g.assign(rate_per_1k=g["count"] / g["words"].where(g["words"] > 0) * 1000)

def pair_shares(hits, articles, lexicon: Lexicon, voices=("own",), level: float = 0.95, families=None) -> pd.DataFrame:
    """Share A / (A + B) of each pair per outlet, then group (``stats.share_interval``); NaN if a unit uses neither."""
    per_file = hits[hits["voice"].isin(voices)].groupby(["file", "family", "variant"]).size()
    arts = analysed(articles).sort_values("file")     # so each unit's files come in order
    units = [("outlet", "source", arts)]
    if "group" in arts.columns:
        units.append(("group", "group", arts[arts["group"].fillna("").astype(str) != ""]))
    rows = []
    for level_name, column, df in units:
        for unit, files in sorted(df.groupby(column)["file"]):
            for p in (p for p in lexicon.pairs if families is None or p.family in families):
                a = np.array([per_file.get((f, p.family, p.a), 0) for f in files])
                b = np.array([per_file.get((f, p.family, p.b), 0) for f in files])
                rows.append((level_name, unit, p.name, p.family, p.a, p.b, "+".join(voices), len(files),
                             int(a.sum()), int(b.sum()), *stats.share_interval(a, b, level)))
    return pd.DataFrame(rows, columns=["level", "outlet", "pair", "family", "a_variant", "b_variant", "voices",
                                       "articles", "a_count", "b_count", "share_a", "ci_low", "ci_high", "method"])

def kwic(hits: pd.DataFrame, texts: pd.DataFrame, window: int = 60, outlets: pd.DataFrame | None = None):
    """Every hit with ``window`` characters each side, from articles (``text``) or sentences; outlet: ``source``."""
    full = ({rows[0][0]: " " * base + t for rows, base, t in _units(texts, "file")} if "index" in texts.columns
            else dict(zip(texts["file"], texts["text"])))
    src = outlets if outlets is not None else texts if "source" in texts.columns else None
    outlet = dict(zip(src["file"], src["source"])) if src is not None else {}
    rows = [(h.file, outlet.get(h.file, ""), h.family, h.variant, h.voice, h.sentence, h.start,
             " ".join(full[h.file][max(0, h.start - window):h.start].split()), h.match,
             " ".join(full[h.file][h.end:h.end + window].split())) for h in hits.itertuples(index=False)]
    cols = ["file", "outlet", "family", "variant", "voice", "sentence", "start", "left", "match", "right"]
    return pd.DataFrame(rows, columns=cols).sort_values(["file", "start", "family"]).reset_index(drop=True)

def kwic_partition(sentences, lexicon: Lexicon, window: int = 60, articles=None) -> pd.DataFrame:
    """``kwic`` of ``match_sentences`` in one pass over a sentences partition; ``articles`` (file, source)."""
    return kwic(match_sentences(sentences, lexicon), sentences, window, outlets=articles)

def doc_frequency(hits, articles, lexicon: Lexicon, voices=VOICES, families=None) -> pd.DataFrame:
    """In how many of an outlet's articles each variant appears (any voice by default)."""
    counts = term_counts(hits[hits["voice"].isin(voices)], analysed(articles), lexicon, families)
    counts = counts[counts["voice"] == "all"].assign(used=lambda c: c["count"] > 0)
    out = counts.groupby(["outlet", "family", "variant"], as_index=False).agg(articles=("file", "size"),
                                                                             articles_with=("used", "sum"))
    return out.assign(share_articles=out["articles_with"] / out["articles"])

def pair_words(lexicon: Lexicon, families=None) -> list[str]:
    """The first entry of each contested pair's two variants: the default collocation terms."""
    pairs = [p for p in lexicon.pairs if families is None or p.family in families]
    return list(dict.fromkeys(lexicon.families[p.family][v][0] for p in pairs for v in (p.a, p.b)))

def collocation_counts(sentences, terms, window: int = 5, stopwords=None):
    """``collocations`` counts of one partition, adding up: word frequencies (``w2`` empty), pairs with a term."""
    from nltk.collocations import BigramCollocationFinder   # here: importing nltk takes seconds
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

def collocations(sentences, terms, window: int = 5, top: int = 15, stopwords=None) -> pd.DataFrame:
    """Strongest neighbours of each term in sentences or ``collocation_counts`` by log-likelihood (Dunning 1993)."""
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
        mine = sorted(((w2 if w1 == term else w1, "after" if w1 == term else "before", (w1, w2), s)
                       for (w1, w2), s in scored if term in (w1, w2)), key=lambda r: (-r[3], r[0], r[1]))
        rows += [(term, n, pos, int(finder.ngram_fd[k]), int(finder.word_fd[n]), s, r + 1)
                 for r, (n, pos, k, s) in enumerate(mine[:top])]
    return pd.DataFrame(rows, columns=["term", "neighbour", "position", "together", "neighbour_count", "llr", "rank"])
