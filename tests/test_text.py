from analysis import text


def sentences(s):
    return [s[a:b] for a, b in text.sentence_spans(s)]


def test_abbreviations_do_not_end_sentences():
    s = "Following the withdrawal of U.S. troops in 2011, they returned. Lt. Gen. Smith spoke on Jan. 4 in Baghdad."
    assert sentences(s) == ["Following the withdrawal of U.S. troops in 2011, they returned.",
                            "Lt. Gen. Smith spoke on Jan. 4 in Baghdad."]


def test_sentences_do_not_cross_lines_and_offsets_map_back():
    s = "A headline without a stop\nFirst sentence here. Second one!\n\n  Third?  "
    spans = text.sentence_spans(s)
    assert [s[a:b] for a, b in spans] == ["A headline without a stop", "First sentence here.", "Second one!", "Third?"]


def test_words_keep_hyphenated_names_and_abbreviations_whole():
    assert text.words("U.S.-led forces, Iran-backed groups and al-Sudani's 2,500 troops") == [
        "U.S.-led", "forces", "Iran-backed", "groups", "and", "al-Sudani's", "2,500", "troops"]
    assert text.count_words("The U.S. left.") == 3


def test_language_is_py3langids_own_answer():
    """The language and score py3langid gives, float for float: on seeds, mixed and non-Latin texts, and bytes."""
    import random

    import numpy as np
    import py3langid

    from analysis import paths
    rng, seeds = random.Random(0), [p.read_text("utf-8") for p in sorted(paths.SEEDS.glob("*.txt"))]
    words = " ".join(seeds).split() + "Ça déjà vu Straße ЖЖ дом мир 東京 日本語 مرحبا שלום ελλάδα 🙂 \u0301".split()
    texts = seeds + ["", " ", "a", "Hi.", "ÉTÉ", "\n", "x" * 7, "THE TALKS RESUME.", "Talks resume. " * 80000] + [
        " ".join(rng.choices(words, k=rng.randint(1, 300))) for _ in range(150)] + [
        "".join(map(chr, rng.choices(range(1, 0x3000), k=rng.randint(1, 200)))) for _ in range(50)]
    assert [text._identifier().classify(t) for t in texts] == [py3langid.classify(t) for t in texts]
    assert [text.language(t) for t in texts] == [py3langid.classify(t)[0] for t in texts]
    m = py3langid.langid._get_identifier()   # the automaton's states as n-gram numbers, breadth first (a level a byte)
    moves, rows, level = np.asarray(m.tk_nextmove).reshape(-1, 256), np.asarray(m.tk_row), np.array([0])
    code = np.zeros(len(rows), np.int64)
    code[0] = 1   # the start state: the empty n-gram (a leading 1, then the n-gram's bytes)
    while level.size:
        nxt = moves[rows[level]]
        new = code[nxt] == 0
        code[nxt[new]], level = ((code[level][:, None] << 8) + np.arange(256))[new], nxt[new]
    grams = sorted((int(c).to_bytes(8, "big").lstrip(b"\0")[1:] for c in code), key=len)
    assert len(grams[-1]) == 6 and moves[rows[0], 0xff] == 0   # what text._identifier relies on
    for _ in range(100):   # py3langid's scores on texts made of the model's n-grams, the longest most often
        data = b"".join(rng.choices(grams[-2000:], k=rng.randint(0, 300)) + rng.choices(grams, k=rng.randint(0, 300)))
        assert text._identifier()._raw_score(data).tobytes() == m._raw_score(data).tobytes()


def test_sentence_breaks_cached_are_punkts_own():
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    from analysis import paths
    plain, seeds = PunktSentenceTokenizer(text._punkt()._params), [p.read_text() for p in paths.SEEDS.glob("*.txt")]
    for s in seeds * 2 + ["Mr. Smith met Dr. Jones at 5 p.m. Then he left.", "It's over... Or not?! (Yes.) Fine."] * 2:
        assert list(text._punkt().span_tokenize(s)) == list(plain.span_tokenize(s))
    assert text._punkt().text_contains_sentbreak.cache_info().hits


def test_tokens_lower_cased_whole_are_the_words_normalised():
    """``tokens`` lower-cases a text whole where that keeps its length: each character keeps its class in ``WORD_RE``
    (over all of Unicode), and on texts made to hit the edges it gives ``norm`` of each word at its offsets."""
    import random
    import re
    import sys

    classes = [re.compile(p) for p in (r"[^\W\d_]", r"[^\W_]", r"\d", r"\.", r"[.,]", r"[-‐‑]", r"[-‐‑'’]")]
    for c in map(chr, range(sys.maxunicode + 1)):
        if len(low := c.lower()) == 1:
            low = low.replace("’", "'").replace("‐", "-").replace("‑", "-")
            assert [bool(p.fullmatch(c)) for p in classes] == [bool(p.fullmatch(low)) for p in classes], hex(ord(c))
        assert low, hex(ord(c))
    rng = random.Random(0)
    parts = "ΑΣⒶ Σ İstanbul ǅ ß Straße U.S.’s Jean‐Luc’S al‑Sudani's 2,500 3.5 ‘ ’ - . , _ ΟΔΟΣ'S Ⅻ ⅻ K A b".split()
    for s in ["ΑΣⒶ", "ΣⒶ Σ", "İİ U.S.'S", ""] + [rng.choice(" \n").join(rng.choices(parts, k=rng.randint(1, 12)))
                                               for _ in range(3000)]:
        at, found = text.tokens(s, bounds=True)
        assert found == [text.norm(w) for w in text.words(s)] == text.tokens(s), s
        assert list(zip(at[:-1:2], at[1::2])) == text.word_spans(s) and at[-1] == len(s), s
