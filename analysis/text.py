"""The text layer: sentence spans and word tokens, offline and offset-preserving.

Sentences: NLTK's Punkt with a fixed abbreviation list (``data/abbreviations.txt``), so "U.S.", "Lt. Gen." and
"Jan. 4" do not end sentences; a sentence never crosses a line break (a paragraph, heading or caption). Words keep
hyphenated names and dotted abbreviations whole ("U.S.-led", "Jean-Luc"), so the lexicon can name them.

>>> s = "The U.S. left. Lt. Gen. X stayed."
>>> [s[a:b] for a, b in sentence_spans(s)]
['The U.S. left.', 'Lt. Gen. X stayed.']
>>> words("U.S.-led talks and state-backed Jean-Luc's allies")
['U.S.-led', 'talks', 'and', 'state-backed', "Jean-Luc's", 'allies']
>>> tokens("Paris’s U.S.-led coalition")
['paris', 'u.s.-led', 'coalition']
"""
from __future__ import annotations

import functools
import gc
import itertools
import re
import threading
from importlib import resources

# A word: a dotted abbreviation (U.S.-led) or a run of letters/digits joined by hyphens or apostrophes
# ("Jean-Luc's", "2,500", "3.5"); a run of underscores (a separator line) is not a word.
WORD_RE = re.compile(r"(?:[^\W\d_]\.){2,}(?:[-‐‑][^\W_]+)*|[^\W_]+(?:[.,]\d+)*(?:[-‐‑'’][^\W_]+)*")
SPLIT_RE = re.compile(f"({WORD_RE.pattern})")   # split: text between words, a word, text between, ...
# Punkt reads a line in pieces of <= 10,000 characters, cut after ". " if any: its regexes have a time limit.
PIECE_RE = re.compile(r"[^\n]{1,10000}(?:(?<=\. )|$)|[^\n]{1,10000}", re.MULTILINE)

def without_gc(func):
    """``func`` with the cycle collector paused while it runs (a partition's millions of small objects, freed by their
    counts, made it scan the whole heap again and again); if it was on, it is on again after.

    >>> without_gc(gc.isenabled)(), gc.isenabled()
    (False, True)
    """
    @functools.wraps(func)
    def run(*args, **kwargs):
        paused = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if paused:
                gc.enable()
    return run

@functools.lru_cache(maxsize=1)
def _punkt():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer   # here: importing nltk takes seconds
    params = PunktParameters()   # abbreviations lower-cased, without the final period
    lines = resources.files("analysis.data").joinpath("abbreviations.txt").read_text("utf-8").splitlines()
    params.abbrev_types = {l.strip().lower().rstrip(".") for l in lines if l.strip() and not l.startswith("#")}
    punkt = PunktSentenceTokenizer(params)   # whether a context ("said. The") breaks: read from its fixed parameters
    punkt.text_contains_sentbreak = functools.lru_cache(maxsize=1 << 14)(punkt.text_contains_sentbreak)
    return punkt

@functools.lru_cache(maxsize=1)
def _identifier():
    """py3langid's model (loaded once), its walk over the text's bytes done in numpy. The walk is an Aho-Corasick
    automaton of byte n-grams of at most 6 bytes (checked in tests/test_text.py): its state after a text is the longest
    n-gram ending the text, so walking the 6 bytes up to each position from the start state gives every state at once."""
    import numpy as np
    from py3langid import langid

    m = langid._get_identifier()
    moves, out = np.frombuffer(m.tk_nextmove, m.tk_nextmove.typecode), np.asarray(m.tk_output)
    rows = np.frombuffer(m.tk_row, m.tk_row.typecode).astype(np.int32) << 8
    # the float16 rows of the features met so far, as float32 (casting a text's rows cost more than the rest): the sum
    # is the same float32 one; ``at``: a feature's row in ``made["rows"]``, -1: not met yet; rows added under a lock
    at, made = np.full(len(m.nb_ptc), -1, np.intp), {"rows": np.empty((1024, m.nb_ptc.shape[1]), np.float32), "n": 0}
    lock = threading.Lock()

    class Identifier(langid.LanguageIdentifier):
        def _raw_score(self, data: bytes):
            if len(data) > 1 << 20:   # over a megabyte: the library's walk (this one holds ~30 bytes per byte of text)
                return super()._raw_score(data)
            b, n, state = np.frombuffer(b"\xff" * 5 + data, np.uint8), len(data), 0   # 0xff (not UTF-8): stays at start
            for k in range(6):
                state = moves[rows[state] + b[k:k + n]]
            found = out[state]   # the feature each state emits, -1: none
            if not (n := len(found := found[found >= 0])):
                return super()._raw_score(data)
            key = np.sort(found * n + np.arange(n))   # by feature, then position
            starts = np.flatnonzero(np.diff(feats := key // n, prepend=-1))
            order = np.argsort(key[starts] % n)   # py3langid adds features up in order of first occurrence: same floats
            counts, feats = np.diff(starts, append=n)[order].astype(np.float32), feats[starts][order]
            if (at[feats] < 0).any():
                with lock:   # again under the lock: another thread may have added some
                    new = feats[at[feats] < 0]
                    if (end := made["n"] + len(new)) > len(made["rows"]):   # room for twice as many
                        made["rows"] = np.concatenate([made["rows"], np.empty((end, m.nb_ptc.shape[1]), np.float32)])
                    made["rows"][made["n"]:end], at[new], made["n"] = self.nb_ptc[new], np.arange(made["n"], end), end
            return np.log1p(counts) @ made["rows"][at[feats]] + self.nb_pc
    return Identifier(m.nb_ptc, m.nb_pc, m.nb_classes, m.tk_nextmove, m.tk_output, tk_row=m.tk_row)

def language(text: str) -> str:
    """The language py3langid detects in ``text`` (its code), the same as ``py3langid.classify(text)[0]``.

    >>> language("The minister said the talks would resume next week in the capital.")
    'en'
    """
    return _identifier().classify(text)[0]

def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence, stripped; a 10 MB line takes seconds.

    >>> len(sentence_spans("A short sentence. " * 5000))
    5000
    """
    return [(piece.start() + a + m.start(), piece.start() + a + m.end())   # each sentence without its outer spaces
            for piece in PIECE_RE.finditer(text) for a, b in _punkt().span_tokenize(piece.group())
            if (m := re.search(r"\S(?:.*\S)?", piece.group()[a:b]))]

def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each word token."""
    return [m.span() for m in WORD_RE.finditer(text)]

def words(text: str) -> list[str]:
    """The word tokens of ``text``, in order, original case."""
    return WORD_RE.findall(text)

def norm(token: str) -> str:
    """The one token normaliser (lexicon entries and text tokens): lower case, plain apostrophe and hyphens, final 's
    dropped (so "Jean-Luc's" names Jean-Luc)."""
    t = token.lower().replace("’", "'").replace("‐", "-").replace("‑", "-")
    return t[:-2] if t.endswith("'s") else t

def tokens(text: str, bounds: bool = False):
    """Normalised word tokens of ``text`` (``norm`` of each of ``words``); with ``bounds``, (offsets, tokens): a token's
    start and end are offsets 2i and 2i + 1. A text lower-cased whole keeping its length (Σ's lower case depends on
    its neighbours) is split as it is: every character keeps its class (tested), so the words are the same.

    >>> tokens("Paris’s U.S.-led", bounds=True)
    ([0, 7, 8, 16, 16], ['paris', 'u.s.-led'])
    """
    if len(low := text.lower()) == len(text) and "Σ" not in text:
        pieces = SPLIT_RE.split(low := low.replace("’", "'").replace("‐", "-").replace("‑", "-"))
        found = [w[:-2] if w.endswith("'s") else w for w in pieces[1::2]] if "'s" in low else pieces[1::2]
    else:
        found = list(map(norm, (pieces := SPLIT_RE.split(text))[1::2]))
    return (list(itertools.accumulate(map(len, pieces))), found) if bounds else found

def count_words(text: str) -> int:
    """Number of word tokens: the denominator of every rate per 1,000 words."""
    return len(WORD_RE.findall(text))
