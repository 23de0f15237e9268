"""Property-based tests (hypothesis) for the text layer and term counting, on arbitrary Unicode."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analysis import ingest, paths, terms, text
from analysis.lexicon import load_lexicon

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Arbitrary Unicode, plus text built from pieces that stress the splitters: abbreviations,
# sentence ends, quotes, line breaks of every kind, invisible characters, lexicon words.
PIECES = st.sampled_from(["U.S.", "Lt. Gen.", "Jan. 4", "e.g.", "Mr.", ". ", "! ", "? ", "...", "\n", "\r\n", "\r",
                          "\u2028", "\u00a0", "\u200b", "\ufeff", "\x00", "\t", " ", "“", "”", "'", "\"", "so-called",
                          "militia", "militias", "resistance", "Resistance", "occupation", "presence", "Iran-backed",
                          "al-Sudani's", "2,500", "3.5", "é", "e\u0301", "ﬁ", "ß", "İ", "🙂", "عربي", "中文",
                          "The", "forces", "said", "a", "A"])
TEXTS = st.one_of(st.text(), st.lists(PIECES, max_size=60).map("".join),
                  st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join))


def _check_spans(spans, s):
    prev = 0
    for a, b in spans:
        assert 0 <= prev <= a < b <= len(s), (spans, s)
        prev = b


@SETTINGS
@given(TEXTS)
def test_sentence_spans_lose_and_invent_nothing(s):
    spans = text.sentence_spans(s)
    _check_spans(spans, s)
    for a, b in spans:
        seg = s[a:b]
        assert seg == seg.strip() and seg, (s, a, b)
        assert "\n" not in seg                       # sentences never cross a line break
    covered = set()
    for a, b in spans:
        covered.update(range(a, b))
    outside = "".join(ch for i, ch in enumerate(s) if i not in covered)
    assert outside.strip() == "", f"non-space text outside every sentence: {outside!r}"


@SETTINGS
@given(TEXTS)
def test_word_spans_are_the_words(s):
    spans = text.word_spans(s)
    _check_spans(spans, s)
    assert [s[a:b] for a, b in spans] == text.words(s)
    assert text.count_words(s) == len(spans)
    for a, b in spans:
        assert any(ch.isalnum() for ch in s[a:b])


def test_underscores_alone_are_not_words():
    assert text.count_words("Text ____ more ___") == 2


@SETTINGS
@given(TEXTS)
def test_normalise_is_idempotent_and_leaves_no_invisible_characters(s):
    n = ingest.normalise(s)
    assert ingest.normalise(n) == n
    assert not any(ch in n for ch in "\r\x00\u200b\u200d\ufeff\u00a0\u202e\u2028")


@SETTINGS
@given(st.binary(max_size=400))
def test_decode_never_raises_and_round_trips_utf8(raw):
    decoded, enc = ingest.decode(raw)
    assert decoded is None or isinstance(decoded, str)
    try:
        expected = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    assume(not raw.startswith((b"\xff\xfe", b"\xfe\xff")))
    assert decoded == expected


def _sentences(file: str, s: str) -> pd.DataFrame:
    rows = [{"file": file, "index": i, "part": "body", "text": s[a:b], "start": a, "end": b,
             "words": text.count_words(s[a:b])} for i, (a, b) in enumerate(text.sentence_spans(s))]
    return pd.DataFrame(rows, columns=["file", "index", "part", "text", "start", "end", "words"]).astype(
        {"index": "int64", "start": "int64", "end": "int64", "words": "int64"})


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(paths.SEED_STUDY)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(docs=st.lists(TEXTS, min_size=1, max_size=3))
def test_counts_match_kwic_and_rates_are_count_per_thousand_words(lexicon, docs):
    docs = [ingest.normalise(d) for d in docs]
    files = [f"f{i}.txt" for i in range(len(docs))]
    sentences = pd.concat([_sentences(f, d) for f, d in zip(files, docs)], ignore_index=True)
    articles = pd.DataFrame({"file": files, "source": files, "words": [text.count_words(d) for d in docs],
                             "text": docs, "status": "analysed"})
    hits = terms.match_sentences(sentences, lexicon)
    for h in hits.itertuples():
        doc = docs[files.index(h.file)]
        assert doc[h.start:h.end] == h.match                  # every hit points at its text
    kwic = terms.kwic(hits, articles)
    counts = terms.term_counts(hits, articles, lexicon)
    assert len(kwic) == len(hits)
    assert counts.loc[counts["voice"] == "all", "count"].sum() == len(hits) == len(kwic)
    per_file = kwic.groupby("file").size()
    all_voice = counts[counts["voice"] == "all"].groupby("file")["count"].sum()
    assert all(all_voice.get(f, 0) == per_file.get(f, 0) for f in files)
    assert (counts["count"] >= 0).all()
    voiced = counts[counts["voice"] != "all"].groupby(["file", "family", "variant"])["count"].sum()
    assert (counts[counts["voice"] == "all"].set_index(["file", "family", "variant"])["count"] == voiced).all()
    has_words = counts["words"] > 0
    expected = counts.loc[has_words, "count"] / counts.loc[has_words, "words"] * 1000
    assert (counts.loc[has_words, "rate_per_1k"] - expected).abs().max() < 1e-9 if has_words.any() else True
    assert (counts.loc[has_words, "rate_per_1k"] >= 0).all()
    assert counts.loc[~has_words, "rate_per_1k"].isna().all()


@given(st.one_of(TEXTS, st.text(st.characters(max_codepoint=0x2000))))
def test_latin_share_counts_letters_as_the_regexes_do(s):
    letters = len(ingest._NOT_LETTER.sub("", s))
    assert ingest.latin_share(s) == ((len(s) - len(ingest._LATIN.sub("", s))) / letters if letters else 1.0)
