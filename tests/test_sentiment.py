"""Tests for analysis.sentiment: hand-checked scores, masking, targets, aggregation, validation."""
from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import ingest, paths, plots, sentiment as S
from analysis.lexicon import load_lexicon
from conftest import build_corpus

LEX = load_lexicon(paths.SEED_STUDY)
from analysis.text import count_words, sentence_spans


def sentences_frame(articles: dict[str, str]) -> pd.DataFrame:
    """A Corpus.sentences-shaped frame built with analysis.text (file, index, part, text, ...)."""
    rows = []
    for file, text in articles.items():
        for i, (a, b) in enumerate(sentence_spans(text)):
            rows.append({"file": file, "index": i, "part": "body", "text": text[a:b], "start": a, "end": b,
                         "words": count_words(text[a:b])})
    return pd.DataFrame(rows)


def articles_frame(articles: dict[str, str], sources: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"file": list(articles), "source": [sources[f] for f in articles],
                         "group": "", "text": list(articles.values())})


# --- hand-checked engine scores ----------------------------------------------------------
def test_vader_hand_checked():
    # VADER sums word valences: "attack" -2.1 + "killed" -3.5 = -5.6 (no boosters, negations or
    # "but"), then normalises x / sqrt(x^2 + 15): -5.6 / sqrt(46.36) = -0.82247.
    row = S.score(["The attack killed two people."], "vader").iloc[0]
    assert round(row["compound"], 3) == -0.822
    assert row["score"] == row["compound"]
    assert row[["pos", "neu", "neg"]].sum() == pytest.approx(1.0, abs=0.002)
    # one word: "good" 1.9 / sqrt(1.9^2 + 15) = 0.4404
    assert round(S.score(["good"], "vader")["score"][0], 4) == 0.4404


def test_textblob_hand_checked():
    # Pattern lexicon: "good" polarity 0.7, subjectivity 0.6; a preceding "not" multiplies
    # polarity by -0.5 -> -0.35; "killed" is -0.2, objective (0.0).
    df = S.score(["good", "not good", "The attack killed two people."], "textblob")
    assert df["polarity"].round(3).tolist() == [0.7, -0.35, -0.2]
    assert df["subjectivity"].round(3).tolist() == [0.6, 0.6, 0.0]
    assert df["score"].tolist() == df["polarity"].tolist()


@pytest.mark.parametrize("engine", list(S.ENGINES))
def test_blank_texts_are_missing(engine):
    df = S.score(["", "   \n\t", "good", None, pd.NA, float("nan")], engine)
    assert len(df) == 6
    assert df["score"].isna().tolist() == [True, True, False, True, True, True]


def test_textblob_needs_no_nltk_data():
    # PatternAnalyzer must not touch NLTK corpora: forbid downloads and point NLTK at nothing.
    code = ("import nltk; nltk.download = lambda *a, **k: (_ for _ in ()).throw(RuntimeError('download'))\n"
            "from analysis import sentiment as S\n"
            "print(S.score(['The attack killed two people. Good news!'], 'textblob')['score'][0])\n"
            "print(S.score_sentences(__import__('pandas').DataFrame({'file': ['a'], 'index': [0], "
            "'text': ['US forces left.'], 'words': [3]}), __import__('analysis.lexicon').lexicon.load_lexicon())"
            "['textblob'][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=paths.REPO,
                         env={"NLTK_DATA": "/nonexistent", "PATH": "/usr/bin:/bin"}, check=True)
    assert len(out.stdout.split()) == 2


def test_engine_registry_plugs_in(monkeypatch):
    length = S.Engine(("length",), lambda t: (len(t) / 100,), lambda w: True, "length / 100")
    monkeypatch.setitem(S.ENGINES, "length", length)
    out = S.score_sentences(sentences_frame({"a.txt": "Short one."}), LEX)
    assert {"length", "length_masked", "length_known"} <= set(out.columns)
    assert out["length"][0] == pytest.approx(0.1)


# --- the faster engines give the libraries' floats to the bit ---------------------------------
TRICKY = ["VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", "Not bad at all", "only kind of good.",
          "The plot was good, but the characters are uncompelling and the dialog is not great.", "no good, no",
          "Catch utf-8 emoji such as 💘 and 💋 and 😁", "Make sure you :) or :D today!", "only kinda sux! But I'll",
          "Sentiment analysis has never been this good!", "Without a doubt, excellent idea.", "At least it isn't bad.",
          "one of the least compelling variations.", "kind", "No", "", "  ", "It is not (!) really good!!",
          "not very good at all :-( ... I'd say: terribly bad", "The bus stop was the shit, bad ass, or no, nor good",
          "Good ( ! ) idea", "so XD great", "nice : ) day", "END-OF-SENTENCE good", "Great.\n\nBad.\nNot good",
          "“Good,” he said. ‘Bad’ isn't 'ok', we'll see", "The U.S. Mr. Smith's great... idea!? (e.g. [fine])",
          "not 2 good", "not '' good", "very 5,000 good", "very 10 good", "not ''' good", "so :-( bad", "no 'a' good",
          "what :-d fun", "the 2nd best", "It mayn't be good", "They shouldn't've liked it", "GOOD and BAD news",
          "NOT GOOD AT ALL", "Good, xD, boxD; fine: Café, ǅx; É: ok"] + [f"We all said it was {idiom}" for idiom in ("the shit", "the bomb", "bad ass", "badass",
                                "a bus stop", "yeah right", "a kiss of death", "to die for, fun", "my beating heart")]


def engine_texts(step: int) -> list[str]:
    """Every ``step``-th human-rated validation text, the seeds' sentences and whole texts, and tricky cases."""
    rated = [line.split("\t", 2)[2] for p in sorted(paths.VALIDATION.glob("*_GroundTruth.txt"))
             for line in p.read_text("utf-8").splitlines() if line.strip()]
    seeds = [p.read_text("utf-8") for p in sorted(paths.SEEDS.glob("*.txt"))]
    return rated[::step] + [t[a:b] for t in seeds for a, b in sentence_spans(t)] + seeds + TRICKY


def library_differences(texts: list[str]) -> list[str]:
    from textblob.en.sentiments import PatternAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    vader, pattern = SentimentIntensityAnalyzer(), PatternAnalyzer()
    return [t for t in texts if repr(S._vader().polarity_scores(t)) != repr(vader.polarity_scores(t))
            or repr(tuple(S._pattern()(t))) != repr(tuple(pattern.analyze(t)))]


def test_engines_match_the_libraries_to_the_bit():
    from vaderSentiment.vaderSentiment import BOOSTER_DICT
    texts = engine_texts(step=40)
    assert len(texts) > 600 and library_differences(texts) == []
    assert not any(c.isascii() for c in S._vader().emoji_chars)   # an ASCII text has no emoji
    assert BOOSTER_DICT.keys().isdisjoint(S._vader().lexicon)   # a lexicon word is no booster


@pytest.mark.slow
def test_engines_match_the_libraries_on_every_rated_text():
    assert library_differences(engine_texts(step=1)) == []


def test_inert_words_change_no_score():
    # Engine.inert: a word of letters standing alone (as ``_mask`` requires) that an engine calls inert can be
    # replaced by the mask token, one or all at once, without changing any of the engine's columns
    texts, taken = engine_texts(step=25) + ["so boxD great", "Not that militia, but NOT GOOD"], dict.fromkeys(S.ENGINES, 0)
    for t in texts:
        alone = [m.span() for m in re.finditer(r"(?<!\S)[A-Za-z]+(?=[,;:]?(?:\s|$))", t)]
        for name, eng in S.ENGINES.items():
            spans = [(a, b) for a, b in alone if eng.inert(t[a:b])]
            for chosen in [[ab] for ab in spans[:8]] + [spans] * (len(spans) > 1):
                masked = t
                for a, b in reversed(chosen):
                    masked = masked[:a] + S.MASK_TOKEN + masked[b:]
                assert eng.analyze(masked) == eng.analyze(t), (name, chosen, t)
                taken[name] += 1
    assert min(taken.values()) > 2000, taken


def test_masked_scores_skip_only_inert_changes():
    # the masked score is the raw one exactly where masking replaced only inert words standing alone
    out = S.score_sentences(sentences_frame({"a.txt": "Two fighters were martyred in the strike. "
                                             "The attack killed two militiamen. Militias, he said."}), LEX)
    assert S._mask("Militias, he said.", LEX) == ("term, he said.", ["Militias"])
    assert S._mask("The so-called militias.", LEX)[1] is None   # "militias." is not alone: scored again
    for name in S.ENGINES:
        again = S.score([S.mask(t, LEX) for t in out["text"]], name)["score"]
        assert out[f"{name}_masked"].tolist() == again.tolist()


# --- masking ------------------------------------------------------------------------------
def test_mask_token_is_unknown_everywhere():
    lex = load_lexicon(paths.SEED_STUDY)
    assert S.MASK_TOKEN not in S._vader().lexicon
    assert S.MASK_TOKEN not in S._pattern() and not {"z", "zz", "zzz"} & set(S._pattern())   # also _pattern's stand-ins
    phrases = {p.lower() for f in lex.families.values() for ps in f.values() for p in ps}
    phrases |= {a.lower() for ps in lex.targets.values() for a in ps}
    assert S.MASK_TOKEN not in phrases


def test_mask_killed_moves_toward_zero():
    raw, masked = "The attack killed two people.", S.mask("The attack killed two people.", LEX)
    assert masked == "The attack term two people."
    for engine in S.ENGINES:
        r, m = S.score([raw, masked], engine)["score"]
        assert r < m <= 0  # less negative once "killed" is hidden
    # VADER by hand: only "attack" is left, -2.1 / sqrt(2.1^2 + 15) = -0.4767
    assert round(S.score([masked])["score"][0], 4) == -0.4767


def test_mask_martyred_is_invisible_to_both_engines():
    # "martyred" is in neither lexicon, so masking it changes nothing: the asymmetry with
    # "killed" above is exactly why raw scores move with word choice.
    raw = "Two fighters were martyred in the strike."
    masked = S.mask(raw, LEX)
    assert masked == "Two fighters were term in the term."
    vraw, vmask = S.score([raw, masked])["score"]
    assert vmask >= vraw  # "strike" (-0.5 in VADER) is masked too: toward 0
    assert S.score([S.mask("Two fighters were martyred.", LEX)])["score"][0] == S.score(["Two fighters were martyred."])["score"][0]


def test_mask_leaves_other_sentences_and_proper_names():
    plain = "The minister met the ambassador on Tuesday to discuss trade."
    assert S.mask(plain, LEX) == plain
    out = S.score_sentences(sentences_frame({"a.txt": plain}), LEX)
    for engine in S.ENGINES:
        assert out[engine][0] == out[f"{engine}_masked"][0]
    assert S.mask("The Islamic Resistance in Iraq claimed it.", LEX) == "The Islamic Resistance in Iraq claimed it."
    assert S.mask("Iran-backed militias attacked.", LEX) == "term term attacked."


# --- targets ------------------------------------------------------------------------------
def test_sentence_naming_two_targets_counts_for_both():
    arts = {"a.txt": "US forces struck Kataib Hezbollah positions. The weather was fine."}
    sent = S.score_sentences(sentences_frame(arts), LEX)
    assert sent["targets"].tolist() == ["armed_groups;us", ""]
    assert sent["multi_target"].tolist() == [True, False]
    tsum = S.target_summary(sent, articles_frame(arts, {"a.txt": "Outlet A"}))
    vader = tsum[tsum["engine"] == "vader"].set_index("target")
    assert sorted(vader.index) == ["armed_groups", "us"]
    assert vader["sentences"].tolist() == [1, 1] and vader["multi_target"].tolist() == [1, 1]
    assert vader.loc["us", "score"] == sent["vader"][0]


def test_target_summary_splits_interleaved_outlets_by_article():
    # outlet A's two articles around outlet B's: each outlet's mean is over its own articles' means
    arts = {"a.txt": "US forces attacked badly. US troops left.", "b.txt": "US aid arrived, good news.",
            "c.txt": "The US helped greatly."}
    sent = S.score_sentences(sentences_frame(arts), LEX)
    tsum = S.target_summary(sent, articles_frame(arts, {"a.txt": "Outlet A", "b.txt": "Outlet B", "c.txt": "Outlet A"}))
    vader = tsum[(tsum["engine"] == "vader") & (tsum["target"] == "us")].set_index("outlet")
    assert vader["sentences"].to_dict() == {"Outlet A": 3, "Outlet B": 1}
    assert vader["articles"].to_dict() == {"Outlet A": 2, "Outlet B": 1}
    by_file = sent.groupby("file")["vader"].mean()
    assert vader.loc["Outlet A", "score"] == pytest.approx((by_file["a.txt"] + by_file["c.txt"]) / 2)
    assert vader.loc["Outlet B", "score"] == pytest.approx(by_file["b.txt"])


def test_target_aliases_respect_case_and_possessives():
    assert S.targets("They told us nothing.", LEX) == []
    assert S.targets("The US told al-Sudani's office.", LEX) == ["iraqi_government", "us"]
    assert S.targets("THE US TOLD US", LEX) == ["us"]
    assert S.targets("The Axis of Resistance met.", LEX) == []  # a proper name, not the armed groups
    assert S.targets("The Islamic Resistance in Iraq claimed it.", LEX) == ["armed_groups"]


def test_lexicon_object_and_path_agree():
    lex = load_lexicon(paths.SEED_STUDY)
    text = "Iran-backed militias killed US advisers."
    assert S.mask(text, lex) == "term term term US term."
    assert S.targets(text, lex) == ["armed_groups", "us"]


# --- purity and aggregation ---------------------------------------------------------------
ARTS = {"a.txt": "The attack killed two people. Officials praised the calm response.",
        "b.txt": "US advisers stayed. Iran condemned the occupation. It was a good day.",
        "c.txt": "Nothing happened."}
SOURCES = {"a.txt": "Outlet A", "b.txt": "Outlet B", "c.txt": "Outlet B"}


def test_score_sentences_is_partition_independent():
    frame = sentences_frame(ARTS)
    whole = S.score_sentences(frame, LEX)
    parts = pd.concat([S.score_sentences(frame[frame["file"] == f], LEX) for f in ARTS], ignore_index=True)
    pd.testing.assert_frame_equal(whole, parts)


def test_article_and_outlet_levels():
    sent = S.score_sentences(sentences_frame(ARTS), LEX)
    arts = S.article_scores(sent, articles_frame(ARTS, SOURCES))
    a = arts[(arts["file"] == "a.txt") & (arts["engine"] == "vader")].iloc[0]
    assert a["score"] == pytest.approx(sent.loc[sent["file"] == "a.txt", "vader"].mean())
    assert a["score_whole"] == S.score([ARTS["a.txt"]])["score"][0]
    assert a["sentences"] == 2 and 0 < a["coverage"] < 1
    out1 = S.outlet_summary(arts, articles_frame(ARTS, SOURCES))
    out2 = S.outlet_summary(arts, articles_frame(ARTS, SOURCES))
    pd.testing.assert_frame_equal(out1, out2)
    b = out1[(out1["outlet"] == "Outlet B")].set_index("engine")
    assert b.loc["textblob", "articles"] == 2 and b.loc["textblob", "score_low"] < 0.233333 / 2 < b.loc["textblob", "score_high"]
    assert b.loc["vader", "score"] == 0 and math.isnan(b.loc["vader", "score_low"])  # both articles 0.0: no interval
    single = out1[(out1["outlet"] == "Outlet A")].iloc[0]
    assert math.isnan(single["score_low"])  # one article: no interval


def test_whole_text_scores_per_article_partition_match_the_inline_ones(tmp_path):
    c = build_corpus(paths.SEEDS, tmp_path, limits=ingest.Limits(partition_size=2))
    sent = c.map(S.score_sentences, lexicon=LEX)
    whole = c.map_articles(S.whole_scores)      # three article partitions, no text held by the caller
    assert len(c.parts) == 3 and len(whole) == 2 * len(c.articles)
    pd.testing.assert_frame_equal(S.article_scores(sent, c.articles, whole), S.article_scores(sent, c.texts))


def test_score_dataset_streams_the_same_tables(tmp_path):
    c = build_corpus(paths.SEEDS, tmp_path, limits=ingest.Limits(partition_size=2))
    scores, top, some = S.score_dataset(c, LEX, tmp_path / "tables", n=4)
    table = S.sentence_table(c.map(S.score_sentences, lexicon=LEX), c.articles)
    whole = S.tables.save(table, "whole", tmp_path / "tables")   # what 03 published before it streamed
    assert len(c.parts) == 3 and (tmp_path / "tables" / "sentiment_sentences.csv").read_bytes() == whole.read_bytes()
    text = {"file": str, "outlet": str, "targets": str}
    assert (scores.dtypes[list(text)] == "category").all()   # compact: no string per sentence, 32-bit counts
    assert (scores.dtypes[["index", "words", "vader_known", "textblob_known"]] == "int32").all()
    pd.testing.assert_frame_equal(scores.astype(text), table.drop(columns="text"), check_dtype=False)
    pd.testing.assert_frame_equal(top, S.disagreements(table, c.articles, n=4))
    pd.testing.assert_frame_equal(some.astype(text), S.sample(table)[some.columns], check_dtype=False)
    whole = c.map_articles(S.whole_scores)
    for summary in (lambda s, a: S.article_scores(s, a, whole), S.target_summary):   # the same numbers, compact
        pd.testing.assert_frame_equal(summary(scores, c.articles), summary(table, c.articles), check_dtype=False)
    csv = [S.tables.write_csv(plots.engine_agreement(s)[1], tmp_path / f"{i}.csv") for i, s in enumerate((scores, table))]
    assert csv[0].read_bytes() == csv[1].read_bytes()   # the figure's data
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["sentiment_sentences.csv", "whole.csv"]


def test_sample_keeps_the_first_rows_of_each_outlet_and_target():
    s = pd.DataFrame({"outlet": ["A", "A", "A", "B", "A"], "targets": ["x", "x", "", "x", "x;y"], "n": range(5)})
    assert S.sample(s, limit=1)["n"].tolist() == [0, 2, 3, 4]   # the first row naming x in A, in B, in both


def test_group_level_summary():
    sent = S.score_sentences(sentences_frame(ARTS), LEX)
    arts_meta = articles_frame(ARTS, SOURCES).assign(group=["aligned", "other", ""])
    out = S.outlet_summary(S.article_scores(sent, arts_meta), arts_meta)
    groups = out[(out["level"] == "group") & (out["engine"] == "vader")].set_index("outlet")
    assert sorted(groups.index) == ["(no group)", "aligned", "other"]
    assert groups["articles"].sum() == 3


def test_near_duplicates_are_left_out():
    sent = S.score_sentences(sentences_frame(ARTS), LEX)
    meta = articles_frame(ARTS, SOURCES).assign(status=["analysed", "analysed", "near_duplicate"])
    arts = S.article_scores(sent, meta)
    assert "c.txt" not in set(arts["file"]) and "c.txt" not in set(S.sentence_table(sent, meta)["file"])


def test_empty_corpus_gives_empty_tables():
    empty = sentences_frame({}).reindex(columns=["file", "index", "part", "text", "start", "end", "words"])
    sent = S.score_sentences(empty.astype({"file": "str", "text": "str", "index": "int64", "words": "int64"}), LEX)
    meta = articles_frame({}, {})
    arts = S.article_scores(sent, meta)
    for table in (S.sentence_table(sent, meta), arts, S.outlet_summary(arts, meta), S.target_summary(sent, meta),
                  S.disagreements(sent, meta), S.sample(S.sentence_table(sent, meta))):
        assert len(table) == 0 and len(table.columns) > 3


def test_disagreements_sorted_by_size():
    sent = S.score_sentences(sentences_frame(ARTS), LEX)
    d = S.disagreements(sent, articles_frame(ARTS, SOURCES), n=3)
    assert len(d) == 3 and d["difference"].abs().is_monotonic_decreasing


# --- validation -----------------------------------------------------------------------------
def test_validation_tiny_fixture(tmp_path):
    # VADER: good 0.4404, bad -0.5423, table 0; ratings 2, -2, 0 (means 0 and -0.034633):
    # Sxy = 2*0.475033 + 2*0.507667 = 1.9654; Sxx = 0.484582; Syy = 8
    # r = 1.9654 / sqrt(0.484582 * 8) = 0.99821
    (tmp_path / "tiny_GroundTruth.txt").write_bytes(b"1\t2.0\tgood\r\n2\t-2.0\tbad\r\n3\t0.0\ttable\r\n")
    v = S.validate(tmp_path).set_index("engine")
    assert round(v.loc["vader", "pearson_r"], 4) == 0.9982
    assert v.loc["vader", "agreement"] == 1.0 and v.loc["vader", "texts"] == 3
    assert set(v.index) == {"vader", "textblob", "mean"}


def test_validation_reproduces_vader_published():
    # validation/sentiment/README: vaderSentiment 3.3.2 measured 0.872 / 0.427 / 0.590.
    v = S.validate(paths.VALIDATION, engines=["vader"]).set_index("set")["pearson_r"]
    assert v["tweets"] == pytest.approx(0.872, abs=0.03)
    assert v["movieReviewSnippets"] == pytest.approx(0.427, abs=0.03)
    assert v["amazonReviewSnippets"] == pytest.approx(0.590, abs=0.03)


def test_classes_thresholds():
    assert S.classes([-0.3, -0.05, 0.0, 0.049, 0.05], 0.05).tolist() == [-1, -1, 0, 0, 1]
