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
