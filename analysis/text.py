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
import re
from importlib import resources

# A word: a dotted abbreviation (U.S.-led) or a run of letters/digits joined by hyphens or apostrophes
# ("Jean-Luc's", "2,500", "3.5"); a run of underscores (a separator line) is not a word.
WORD_RE = re.compile(r"(?:[^\W\d_]\.){2,}(?:[-‐‑][^\W_]+)*|[^\W_]+(?:[.,]\d+)*(?:[-‐‑'’][^\W_]+)*")
# Punkt reads a line in pieces of <= 10,000 characters, cut after ". " if any: its regexes have a time limit.
PIECE_RE = re.compile(r"[^\n]{1,10000}(?:(?<=\. )|$)|[^\n]{1,10000}", re.MULTILINE)

@functools.lru_cache(maxsize=1)
def _punkt():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer   # here: importing nltk takes seconds
    params = PunktParameters()   # abbreviations lower-cased, without the final period
    lines = resources.files("analysis.data").joinpath("abbreviations.txt").read_text("utf-8").splitlines()
    params.abbrev_types = {l.strip().lower().rstrip(".") for l in lines if l.strip() and not l.startswith("#")}
    return PunktSentenceTokenizer(params)

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

def tokens(text: str) -> list[str]:
    """Normalised word tokens of ``text`` (``norm`` of each of ``words``)."""
    return [norm(w) for w in WORD_RE.findall(text)]

def count_words(text: str) -> int:
    """Number of word tokens: the denominator of every rate per 1,000 words."""
    return len(WORD_RE.findall(text))
