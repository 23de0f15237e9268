"""The text layer: sentence spans and word tokens, offline and offset-preserving.

Sentences come from NLTK's Punkt algorithm with a fixed abbreviation list
(``data/abbreviations.txt``) instead of a downloaded model, so "U.S.", "Lt. Gen."
and "Jan. 4" do not end sentences. Sentences never cross a line break: in scraped
pages a line is a paragraph, a heading or a caption.

Words keep hyphenated names and dotted abbreviations whole ("Jean-Luc",
"state-backed", "U.S.-led"), so the lexicon can name them as single tokens.

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

# A word: a dotted abbreviation (U.S., U.N.) or a run of letters/digits, either
# joined to more by hyphens or apostrophes ("U.S.-led", "Jean-Luc's", "2,500").
WORD_RE = re.compile(
    r"(?:[^\W\d_]\.){2,}(?:[-‐‑][^\W_]+)*"  # U.S. / U.S.-led
    r"|[^\W_]+(?:[.,]\d+)*(?:[-‐‑'’][^\W_]+)*",  # words, numbers like 2,500 / 3.5, hyphens, apostrophes
    re.UNICODE,
)  # letters and digits only: a run of underscores (a separator line) is not a word
LINE_RE = re.compile(r"[^\n]+")

@functools.lru_cache(maxsize=1)
def _punkt():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer   # here: importing nltk takes seconds

    params = PunktParameters()
    lines = resources.files("analysis.data").joinpath("abbreviations.txt").read_text("utf-8").splitlines()
    # Punkt stores abbreviations lower-cased, without the final period.
    params.abbrev_types = {l.strip().lower().rstrip(".") for l in lines if l.strip() and not l.startswith("#")}
    return PunktSentenceTokenizer(params)

def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence; ``text[start:end]`` is the sentence, stripped."""
    spans = []
    tokenizer = _punkt()
    for line in LINE_RE.finditer(text):
        base = line.start()
        for a, b in tokenizer.span_tokenize(line.group()):
            seg = line.group()[a:b]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg) - len(seg.rstrip())
            if b - a - lead - trail > 0:
                spans.append((base + a + lead, base + b - trail))
    return spans

def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each word token."""
    return [m.span() for m in WORD_RE.finditer(text)]

def words(text: str) -> list[str]:
    """The word tokens of ``text``, in order, original case."""
    return WORD_RE.findall(text)

def norm(token: str) -> str:
    """The one token normaliser: lower case, curly apostrophe and Unicode hyphens made plain, final 's dropped
    (so "Jean-Luc's" names Jean-Luc). Lexicon entries and text tokens both go through it."""
    t = token.lower().replace("’", "'").replace("‐", "-").replace("‑", "-")
    return t[:-2] if t.endswith("'s") else t

def tokens(text: str) -> list[str]:
    """Normalised word tokens of ``text`` (``norm`` of each of ``words``)."""
    return [norm(w) for w in WORD_RE.findall(text)]

def count_words(text: str) -> int:
    """Number of word tokens: the denominator of every rate per 1,000 words."""
    return sum(1 for _ in WORD_RE.finditer(text))
