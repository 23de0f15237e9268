"""Which words outlets use for the same things and how often, by voice (own, quoted, scare, reported), names apart.

>>> quote_spans('He said "no way" and ‘resistance’ isn’t it')
[(9, 15), (22, 32)]
"""
import re
import sys
from collections import Counter
import numpy as np
import pandas as pd
import yaml
from . import dataset, paths, stats, tables, text
from .lexicon import PROPER, UNLISTED, Lexicon

VOICES = ("own", "quoted", "scare", "reported")

def quote_spans(t: str, soft_ends=()) -> list[tuple[int, int]]:
    """Content spans of quotations in ``t`` (not apostrophes); a quotation left open ends at the next soft end."""
    spans, open_at = [], {}                     # kind (d: double, g: guillemet, s: single) -> content start
    unterminated = lambda a, limit: min([limit] + [e for e in soft_ends if e >= a])  # noqa: E731
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
        elif (opens := opening and (ch == "‘" or ch == "'" and nxt.isalnum())) or closing and ch != "‘":
            kind = "s"                          # a single quotation mark, opening or closing
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
    for row in zip(*(s[c].tolist() for c in ("file", "index", "start", "end", "text", by))):
        units.setdefault((row[0], row[5]), []).append(row[:5])
    for rows in units.values():             # gap before each sentence: spaces from the previous one's end
        gaps = [0] + [max(0, int(row[2]) - int(prev[3])) for prev, row in zip(rows, rows[1:])]
        yield rows, int(rows[0][2]), "".join(" " * gap + row[4] for gap, row in zip(gaps, rows))

_R = yaml.safe_load((paths.DATA / "voices.yaml").read_text("utf-8"))
_alt = "|".join
SAY = re.compile(rf"\b(?:{_alt(_R['say'])})\b|\b(?:{_alt(_R['claim'])})\b(?=(?:\W+[\w'’-]+){{0,4}}?\W+that\b)")
STATEMENT = re.compile(rf"\b(?:{_alt(_R['statement'])})\b", re.I)        # a sentence naming one is narration
INTRO = re.compile(STATEMENT.pattern + "[^:]{0,40}:", re.I)             # "The statement read:": a block follows
SO_CALLED = re.compile(r"\bso[-‐‑ ]called\W*$", re.I)                # just before a use: scare quotes in words
CAP = rf"(?!(?i:{_alt(_R['not_names'])})\b)[A-ZÀ-ÖØ-Þ][\w'’-]*"        # a capitalised word, not "The"
RUN = re.compile(rf"{CAP}(?:(?: of(?: the)?)? {CAP})+")                 # two or more, maybe joined by "of (the)"

def _names(s: str, uses: list, named=frozenset()) -> list:
    """``uses`` (a, b, family, variant, key) with each capitalised run (``RUN``) around a capitalised use (not an
    acronym, a capitalised entry or in a title-case line) as one ``UNLISTED`` proper name, and no use inside it.

    >>> s = "They met the Islamic Resistance, the resistance fighters and the Committee of the Resistance today."
    >>> uses = [(a, a + 10, "f", "v", ("resistance",)) for a in (21, 37, 82)]
    >>> [s[a:b] for a, b, *_ in _names(s, uses)]
    ['Islamic Resistance', 'Committee of the Resistance', 'resistance']
    """
    caps = [(a, b) for a, b, fam, _, key in uses if fam != PROPER and s[a].isupper() and not s[a:b].isupper()
            and key not in named]
    long = [w for w in text.words(s) if len(w) > 3 and w[0].isalpha()] if caps else []
    if len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.75 * len(long):
        return uses                                    # a headline in title case: capitals say nothing
    names = sorted({r for r in (map(re.Match.span, RUN.finditer(s)) if caps else ()) for a, b in caps
                    if r[0] <= a and b <= r[1] and r != (a, b)})
    return [(a, b, PROPER, UNLISTED, None) for a, b in names] + [
        u for u in uses if not any(u[0] < b and a < u[1] for a, b in names)]

@text.without_gc
def match_sentences(sentences: pd.DataFrame, lexicon: Lexicon | None = None, pattern: str | None = None):
    """Every use of the lexicon (or of ``pattern``, see ``pattern_regex``) in a sentences partition, offsets into the
    article, with its voice; quotations run over a paragraph (else a part), statement blocks to narration."""
    rows, by_paragraph, regex, block = [], "paragraph" in sentences.columns, pattern and pattern_regex(pattern), None
    for unit, base, t in _units(sentences, "paragraph" if by_paragraph else "part"):
        soft = [] if by_paragraph else [int(e) - base for _, _, _, e, _ in unit]  # unclosed: ends with its sentence
        quotes = [(a, b, text.count_words(t[a:b]) <= 3) for a, b in quote_spans(t, soft)]   # short: scare quotes
        for file, index, start, _, s in unit:
            if regex:
                uses = [(*m.span(), pattern, text.norm(m.group()), None) for m in regex.finditer(s) if m.group()]
            else:
                uses = _names(s, lexicon.uses(s), lexicon.named)
            if not (uses or block):                        # nothing to tag: only a statement line matters
                block = file if ":" in s and INTRO.search(s) else None   # (INTRO needs a colon)
                continue
            quoted = lambda a: [short for qa, qb, short in quotes if qa <= start + a - base < qb]  # noqa: E731
            cues = [m for m in SAY.finditer(s) if not quoted(m.start())   # not '"...," said X': a quotation's
                    and not s[:m.start()].rstrip(" ,.!?").endswith(tuple("\"”’'»"))]   # speaker, said nothing more
            block = None if block != file or STATEMENT.search(s) or cues else block
            said = cues[0].end() if cues else len(s) + 1          # a use after it is reported, and
            comma = s.rfind(",", 0, cues[-1].start()) if cues and text.count_words(s[cues[-1].end():]) <= 4 else -1
            comma = comma if comma >= 0 and text.count_words(s[comma:cues[-1].start()]) <= 6 else -1   # one before
            intro = ":" in s and INTRO.search(s)
            for a, b, fam, variant, _ in uses:
                inside = quoted(a)
                voice = ("quoted" if inside and not all(inside)                     # in a quotation
                         else "scare" if inside or SO_CALLED.search(s, 0, a)
                         else "quoted" if block or (intro and a >= intro.end())     # in a statement block
                         else "reported" if a >= said or a < comma else "own")
                rows.append((file, int(index), start + a, start + b, fam, variant, s[a:b], voice))
            block = file if intro else block
    hits = pd.DataFrame(rows, columns=["file", "sentence", "start", "end", "family", "variant", "match", "voice"])
    hits = hits.astype({"sentence": "int64", "start": "int64", "end": "int64"})
    return hits.sort_values(["file", "start", "family", "variant"]).reset_index(drop=True)

def term_counts(hits: pd.DataFrame, articles: pd.DataFrame, lexicon: Lexicon, families=None) -> pd.DataFrame:
    """One row per article × family × variant × voice (``all`` and each of ``VOICES``), zeros included, sorted; the
    text columns are categorical (sorted categories): the grid has ~100 rows per article, held as codes."""
    arts = articles[["file", "source", "words"]].sort_values("file", ignore_index=True)
    combos = pd.DataFrame([(f, v, vc) for f, v in lexicon.variants(families) for vc in sorted(("all",) + VOICES)],
                          columns=["family", "variant", "voice"])
    n, k = len(arts), len(combos)
    row = pd.Categorical(hits["file"], categories=arts["file"]).codes.astype(np.int64)   # -1: a file not in articles
    cols = [pd.MultiIndex.from_frame(combos).get_indexer(pd.MultiIndex.from_arrays([hits["family"], hits["variant"],
            voice])) for voice in (hits["voice"], np.full(len(hits), "all"))]          # -1: not a combination
    count = np.bincount(np.concatenate([row[ok] * k + c[ok] for c in cols for ok in [(row >= 0) & (c >= 0)]]),
                        minlength=n * k).astype(np.int32)   # 32-bit: the grid has ~100 rows per article
    words = np.repeat(arts["words"].to_numpy(dtype=np.int32), k)
    grid = {"file": pd.Categorical.from_codes(np.repeat(np.arange(n, dtype=np.int32), k), categories=arts["file"]),
            "outlet": _repeat(pd.Categorical(arts["source"]), k)}
    grid |= {c: _tile(pd.Categorical(combos[c]), n) for c in ("family", "variant", "voice")}
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.divide(count, words, dtype=float)   # then in place: no temporary copies of the grid
        rate *= 1000
    rate[words <= 0] = np.nan
    return pd.DataFrame({**grid, "count": count, "words": words, "rate_per_1k": rate}, copy=False)

def _repeat(cat: pd.Categorical, k: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.repeat(cat.codes, k), categories=cat.categories)

def _tile(cat: pd.Categorical, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.tile(cat.codes, n), categories=cat.categories)

def outlet_rates(counts: pd.DataFrame, voice: str = "all") -> pd.DataFrame:
    """Pooled rate per outlet: sum of counts / sum of words × 1,000 (from ``term_counts``)."""
    keys = ["outlet", "family", "variant"]
    g = counts[counts["voice"] == voice].groupby(keys, as_index=False, observed=True).agg(
        count=("count", "sum"), words=("words", "sum"), articles=("file", "size")).astype(dict.fromkeys(keys, str))
    return g.assign(rate_per_1k=g["count"] / g["words"].where(g["words"] > 0) * 1000)

def pair_shares(hits, articles, lexicon: Lexicon, voices=("own",), level: float = 0.95, families=None) -> pd.DataFrame:
    """Share A / (A + B) of each pair per outlet, then group (``stats.share_interval``); NaN if a unit uses neither."""
    pairs = [p for p in lexicon.pairs if families is None or p.family in families]
    arts = dataset.analysed(articles).sort_values("file", ignore_index=True)   # so each unit's files come in order
    own = hits[hits["voice"].isin(voices)]
    keys = list(dict.fromkeys((p.family, v) for p in pairs for v in (p.a, p.b))) or [("", "")]
    row = pd.Categorical(own["file"], categories=arts["file"]).codes.astype(np.int64)
    col = pd.MultiIndex.from_tuples(keys).get_indexer(pd.MultiIndex.from_arrays([own["family"], own["variant"]]))
    per_file, ok = np.zeros((len(arts), len(keys)), dtype=np.int64), (row >= 0) & (col >= 0)
    np.add.at(per_file, (row[ok], col[ok]), 1)                         # uses per file and pair variant
    units = [("outlet", arts.groupby("source")["file"])]
    if "group" in arts.columns:
        units.append(("group", arts[arts["group"].fillna("").astype(str) != ""].groupby("group")["file"]))
    rows = []
    for level_name, groups in units:
        for unit, files in groups:
            for p in pairs:
                a, b = (per_file[files.index, keys.index((p.family, v))] for v in (p.a, p.b))
                rows.append((level_name, unit, p.name, p.family, p.a, p.b, "+".join(voices), len(files),
                             int(a.sum()), int(b.sum()), *stats.share_interval(a, b, level)))
    return pd.DataFrame(rows, columns=["level", "outlet", "pair", "family", "a_variant", "b_variant", "voices",
                                       "articles", "a_count", "b_count", "share_a", "ci_low", "ci_high", "method"])

def pattern_regex(pattern: str) -> re.Pattern:
    """A word, phrase or glob (``*``: any letters, ``?``: one) as a whole-word regex, ``/.../`` as written; any case.

    >>> [m.group() for m in pattern_regex("militia* group?").finditer("Militiamen groups, militia group. militias")]
    ['Militiamen groups']
    """
    if len(pattern) > 2 and pattern[0] == pattern[-1] == "/":
        try:
            return re.compile(pattern[1:-1], re.I)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a regular expression: {exc}") from None
    if not pattern.split():
        raise ValueError("the pattern is empty; give a word, a phrase, a glob (word*) or /a regex/")
    glob = [re.escape(w).replace(r"\*", r"[\w'’-]*").replace(r"\?", r"\w") for w in pattern.split()]
    return re.compile(r"(?<![\w'’-])" + r"\s+".join(glob) + r"(?![\w'’-])", re.I)

def context(t: str, a: int, b: int, n: int) -> tuple[str, str]:
    """``n`` words (runs of non-space) each side of ``t[a:b]``, never cut mid-word; marks glued to it ride along.

    >>> context("One two “three four” five, six.", 15, 19, 1)
    ('“three', '” five,')
    """
    lw, rw = t[max(0, a - 60 * n):a].split(), t[b:b + 60 * n].split()
    lw, rw = lw[a > 60 * n:], rw[:len(rw) - (len(t) > b + 60 * n)]          # a word cut by the slice: dropped
    glued = (a > 0 and not t[a - 1].isspace(), b < len(t) and not t[b].isspace())
    return " ".join(lw[len(lw) - n - glued[0]:] if n + glued[0] else []), " ".join(rw[:n + glued[1]])

def kwic(hits: pd.DataFrame, texts: pd.DataFrame, window: int = 10, articles: pd.DataFrame | None = None):
    """Every hit with ``window`` words each side, from articles (``text``) or sentences; outlet (``source``), group and
    date (``published``) from ``articles`` or ``texts``."""
    if window < 0:
        raise ValueError(f"the window must be 0 or more words, not {window}")
    full = ({rows[0][0]: " " * base + t for rows, base, t in _units(texts, "file")} if "index" in texts.columns
            else dict(zip(texts["file"], texts["text"])))
    src = (articles if articles is not None else texts).drop_duplicates("file")
    meta = src.reindex(columns=["source", "group", "published"]).astype(object).fillna("")
    meta = dict(zip(src["file"], meta.itertuples(index=False, name=None)))
    rows = [(h.file, *meta[h.file], h.family, h.variant, h.voice, h.sentence, h.start, left, h.match, right)
            for h in hits.itertuples(index=False) for left, right in [context(full[h.file], h.start, h.end, window)]]
    cols = ["file", "outlet", "group", "published", "family", "variant", "voice", "sentence", "start", "left", "match",
            "right"]
    return pd.DataFrame(rows, columns=cols).sort_values(["file", "start", "family"], ignore_index=True)

def kwic_partition(sentences, lexicon: Lexicon | None = None, window: int = 10, articles=None, pattern=None):
    """``kwic`` of ``match_sentences`` (of the lexicon or ``pattern``) in one pass over a sentences partition."""
    return kwic(match_sentences(sentences, lexicon, pattern), sentences, window, articles)

_HIT = ["file", "outlet", "family", "variant", "voice", "sentence", "start"]   # a use without its context

def scan(results, families, path, lines: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Write the lines of ``families`` in ``kwic_partition`` results (``Dataset.imap``) to the CSV ``path`` as they
    come, keeping: the uses without context, row for row (text as sorted categories, offsets int32: for counts,
    shares and the coding sheet), the first lines of each family, as many of each as ``lines`` in all allow
    (``per_family``), and the unlisted names' lines. Memory follows the uses, not their contexts."""
    hits, held, names, seen = [], [], [], Counter()
    def trim():   # the first lines of each family: seen only grows, so the cap only falls and what it cut stays out
        h, cap = pd.concat(held, ignore_index=True), per_family(list(seen.values()), lines)
        held[:] = [h if cap is None else h[h.groupby("family").cumcount() < cap]]
    def each():
        for k in results:
            k = k[k["family"].isin(families)].reset_index(drop=True)
            hits.append(k[_HIT].astype(dict.fromkeys(_HIT[:5], "category") | {"sentence": "int32", "start": "int32"}))
            names.append(k[(k["family"] == PROPER) & (k["variant"] == UNLISTED)])
            seen.update(k["family"].value_counts().to_dict())
            held.append(k)
            if sum(map(len, held)) > lines:
                trim()
            yield k
    tables.write_csv(each(), path)
    trim()
    hits = [h for h in hits if len(h)] or hits[:1]
    hits = pd.DataFrame({c: pd.api.types.union_categoricals([h[c] for h in hits], sort_categories=True)
                         if c in _HIT[:5] else np.concatenate([h[c] for h in hits]) for c in _HIT})
    return hits, held[0], pd.concat(names, ignore_index=True)

def per_family(counts: list[int], lines: int) -> int | None:
    """The most lines per family that keeps the families' lines (all of those with fewer) within ``lines``; None:
    every line fits.

    >>> per_family([10, 50, 100], 100), per_family([10, 50], 100)
    (45, None)
    """
    for i, n in enumerate(counts := sorted(counts)):
        if n * (len(counts) - i) > lines:
            return lines // (len(counts) - i)
        lines -= n
    return None

def search(out, pattern: str, window: int = 10) -> pd.DataFrame:
    """Concordance of ``pattern`` (``pattern_regex``) over the dataset ``01_ingest`` left in ``out``, not the corpus."""
    ds = dataset.load(out)
    return ds.map(kwic_partition, desc="kwic", pattern=pattern, window=window, articles=ds.articles)

def kwic_main(pattern: str, out, window: int = 10, limit: int | None = None) -> int:
    """``python -m analysis kwic``: the first ``limit`` lines of ``search`` as CSV on stdout, written a partition at
    a time (a common word has millions of lines in a large corpus); an error on stderr."""
    try:
        ds, header, left = dataset.load(out), True, sys.maxsize if limit is None else limit
        for part in ds.imap(kwic_partition, desc="kwic", pattern=pattern, window=window, articles=ds.articles):
            if header or len(part):
                part.iloc[:left].to_csv(sys.stdout, index=False, header=header, lineterminator="\n")
            header, left = False, left - min(left, len(part))
            if not left:
                break
    except (ValueError, dataset.DatasetError) as exc:
        return print(f"error: {exc}", file=sys.stderr) or 1
    return 0

def candidate_names(kwic: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """The unlisted names found (``kwic`` lines of variant ``UNLISTED``), to list under ``proper_names`` or reject."""
    k = kwic[(kwic["family"] == PROPER) & (kwic["variant"] == UNLISTED)].sort_values(["file", "start"])
    k = k.assign(name=k["match"].str.split().str.join(" "), example=k["left"] + " [" + k["match"] + "] " + k["right"])
    g = k.groupby("name", as_index=False).agg(count=("file", "size"), articles=("file", "nunique"),
                                              outlets=("outlet", "nunique"), example_file=("file", "first"),
                                              example=("example", "first"))
    g.insert(4, "contains", [";".join(sorted({f"{f}:{v}" for *_, f, v in lexicon.matches(text.tokens(n))}))
                             for n in g["name"]])
    return g.sort_values(["count", "name"], ascending=[False, True], ignore_index=True)

def doc_frequency(counts: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """In how many of an outlet's analysed articles each variant appears, any voice (from ``term_counts``)."""
    counts = dataset.analysed(counts[counts["voice"] == "all"], articles)
    out = counts.assign(used=counts["count"] > 0).groupby(["outlet", "family", "variant"], as_index=False).agg(
        articles=("file", "size"), articles_with=("used", "sum"))
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
