"""Tests for analysis.compare: log-odds, similarity, coverage, outlet profiles."""
import math

import numpy as np
import pandas as pd
import pytest

from analysis import compare, paths, stats, text
from analysis.lexicon import Pair, load_lexicon


def counts_frame(groups: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = [(g, t, 1, c) for g, terms in groups.items() for t, c in terms.items()]
    return pd.DataFrame(rows, columns=["group", "term", "ngram", "count"])


def sentences_of(articles: pd.DataFrame) -> pd.DataFrame:
    """A ``sentences`` frame (file, index, text) from ``articles.text``."""
    rows = [(f, i, body[a:b]) for f, body in zip(articles["file"], articles["text"])
            for i, (a, b) in enumerate(text.sentence_spans(body))]
    return pd.DataFrame(rows, columns=["file", "index", "text"])


def articles_frame(texts: dict[str, str], sources: dict[str, str] | None = None, **extra) -> pd.DataFrame:
    files = sorted(texts)
    df = pd.DataFrame({"file": files, "source": [(sources or {}).get(f, f) for f in files],
                       "text": [texts[f] for f in files], "status": "analysed", "duplicate_of": ""})
    df["words"] = [len(text.tokens(t)) for t in df["text"]]
    for col, values in extra.items():
        df[col] = [values.get(f, df.loc[i, col] if col in df else "") for i, f in enumerate(files)]
    return df


# ---------------------------------------------------------------- distinctive terms
def test_log_odds_hand_computed():
    # A: x=3, y=1 (n_A=4); B: x=1, y=3 (n_B=4); corpus x=4, y=4 of 8, alpha0=8 -> a_x = a_y = 8*4/8 = 4.
    # A vs rest, x: delta = log((3+4)/(4+8-3-4)) - log((1+4)/(4+8-1-4)) = log(7/5) - log(5/7)
    #             = 2*log(1.4) = 0.672944;  var = 1/(3+4) + 1/(1+4) = 0.342857;  z = 0.672944/0.585540 = 1.149271
    # A vs rest, y: the mirror image, -0.672944 and -1.149271; B is A with x and y swapped.
    d = compare.distinctive_terms(counts_frame({"A": {"x": 3, "y": 1}, "B": {"x": 1, "y": 3}}), alpha0=8)
    row = d.set_index(["group", "term"])
    assert row.loc[("A", "x"), "log_odds"] == pytest.approx(0.672944, abs=1e-6)
    assert row.loc[("A", "x"), "z"] == pytest.approx(1.149271, abs=1e-6)
    assert row.loc[("A", "y"), "z"] == pytest.approx(-1.149271, abs=1e-6)
    assert row.loc[("B", "y"), "z"] == pytest.approx(1.149271, abs=1e-6)
    assert (row.loc[("A", "x"), ["count_group", "count_rest", "rank"]].tolist()) == [3, 1, 1]
    assert list(d.columns) == compare.DISTINCTIVE_COLUMNS


def test_groups_with_no_words_in_common_are_finite():
    d = compare.distinctive_terms(counts_frame({"A": {"a": 2, "b": 1}, "B": {"c": 3}, "C": {"d": 1}}), min_count=1)
    assert np.isfinite(d[["z", "log_odds"]].to_numpy()).all()
    assert len(d) == 4  # every term each group uses (used at least min_count times in all)
    top = d[d["rank"] == 1].set_index("group")["term"]
    assert top["A"] == "a" and top["B"] == "c" and top["C"] == "d"


def test_short_article_does_not_dominate():
    # Same relative frequency (2%) of a group's own word; the short group has a tenth of the text.
    long = {"longword": 20, **{f"f{i}": 20 for i in range(49)}}    # 20 + 980 = 1000 tokens
    short = {"shortword": 2, **{f"f{i}": 2 for i in range(49)}}    # 2 + 98 = 100 tokens
    rest = {f"f{i}": 20 for i in range(50)}                        # 1000 tokens
    assert sum(long.values()) == 1000 and sum(short.values()) == 100
    d = compare.distinctive_terms(counts_frame({"long": long, "short": short, "rest": rest}), min_count=1)
    top = d[d["rank"] == 1].set_index("group")
    assert top.loc["long", "term"] == "longword" and top.loc["short", "term"] == "shortword"
    assert top.loc["short", "z"] < top.loc["long", "z"]
    # (the point estimate is not what ranks: shortword's own prior is small, a_w = 1000 * 2/2100,
    # so its log-odds is 2.14 against longword's 1.19, but its variance 1/2.95 + 1/0.95 keeps z at
    # 1.81 against 3.05 for longword)


def test_ngrams_stay_within_sentences_and_lowercase():
    sents = pd.DataFrame({"file": ["a", "a"], "index": [0, 1], "text": ["The Militia left.", "Iraq’s troops stayed."]})
    c = compare.ngram_counts(sents, {"a": "A"})
    terms = set(c["term"])
    assert {"the militia", "militia left", "iraq troops", "militia"} <= terms
    assert "left iraq" not in terms  # no bigram across the sentence boundary
    assert compare.ngram_counts(sents, {}).empty
    kept = set(compare.ngram_counts(sents, {"a": "A"}, compare.stop_words(["troops"]))["term"])
    assert "the" not in kept and "troops" not in kept and "the militia" in kept and "militia" in kept


def test_rare_terms_are_not_ranked_and_two_units_can_be_contrasted():
    counts = counts_frame({"A": {"x": 5, "y": 1, "once": 1}, "B": {"x": 1, "y": 5}, "C": {"x": 3, "y": 3}})
    d = compare.distinctive_terms(counts)                      # min_count 3: "once" is never ranked
    assert "once" not in set(d["term"]) and set(d["group"]) == {"A", "B", "C"}
    ab = compare.distinctive_terms(counts, groups=compare.check_contrast(["A", "B"], counts))
    assert set(ab["group"]) == {"A", "B"} and ab.set_index(["group", "term"]).loc[("A", "x"), "rank"] == 1
    with pytest.raises(ValueError, match="contrast needs two of"):
        compare.check_contrast(["A", "Z"], counts)
    with pytest.raises(ValueError, match="needs a 'group' column"):
        compare.check_unit("group", pd.DataFrame({"file": ["a"], "group": [""]}))


def test_sum_counts_folds_partitions_to_the_same_totals():
    parts = [pd.DataFrame({"group": g, "term": t, "ngram": 1, "count": c})
             for g, t, c in ((["A", "B"], ["x", "x"], [1, 2]), (["A"], ["x"], [3]), (["B", "A"], ["y", "y"], [4, 5]))]
    whole = pd.concat(parts).groupby(["group", "term", "ngram"], as_index=False)["count"].sum()
    for batch_rows in (1, 2, 10):          # folded after every partition, every other one, or once at the end
        folded = compare.sum_counts(iter(parts), batch_rows=batch_rows).sort_values(["group", "term"])
        assert folded.reset_index(drop=True).equals(whole)
    assert compare.sum_counts(iter([])).empty


def test_keyed_counts_rank_as_the_terms_do():
    # the same sentences counted as text and as 64-bit keys folded partition by partition, the keys named again
    words = "the militia fighters left the resistance camp and the fighters of the militia stayed".split()
    rng = np.random.default_rng(1)
    sents = pd.DataFrame({"file": [f"f{i % 6}" for i in range(60)], "index": range(60),
                          "text": [" ".join(rng.choice(words, 8)) for _ in range(60)]})
    group_of, parts = {f"f{i}": "ABC"[i % 3] for i in range(6)}, [sents[i::4] for i in range(4)]
    text = compare.distinctive_terms(compare.ngram_counts(sents, group_of), min_count=2, keep=5)
    folded = compare.sum_counts((compare.ngram_keys(p, group_of) for p in parts), batch_rows=1)   # merged 4 times
    pd.testing.assert_frame_equal(folded, compare.sum_counts(compare.ngram_keys(p, group_of) for p in parts))
    assert not folded.duplicated(["group", "key"]).any() and folded["count"].sum() == compare.ngram_counts(sents, group_of)["count"].sum()
    asked = []
    keyed = compare.distinctive_terms(folded, min_count=2, keep=5,
                                      names=lambda keys: asked.append(len(keys)) or [compare.ngram_names(sents, keys)])
    pd.testing.assert_frame_equal(keyed.astype({"ngram": "int64"}), text)
    assert asked and asked[0] < folded["key"].nunique()          # only the ranked keys (and ties at the cut) named
    assert len(text) == 15 and text["rank"].max() == 5


def test_ranking_a_few_rows_at_a_time_is_the_same():
    # groups split into chunks of 7 rows (each chunk's best kept, ties too) rank as in one piece; a group of unused
    # category, an unsorted table, and keep cutting through ties (many terms used once by one group)
    rng = np.random.default_rng(3)
    counts = pd.DataFrame({"group": pd.Categorical(rng.choice(list("BCA"), 400), categories=list("ABCZ")),
                           "term": [f"t{i}" for i in rng.integers(0, 90, 400)], "ngram": 1,
                           "count": rng.integers(1, 4, 400)})
    whole = compare.distinctive_terms(counts, min_count=2, keep=6)
    pd.testing.assert_frame_equal(compare.distinctive_terms(counts, min_count=2, keep=6, rows=7), whole)
    assert set(whole["group"]) == set("ABC") and (whole.groupby("group").size() == 6).all()
    as_text = counts.assign(group=counts["group"].astype(str))          # groups as text: categories made
    pd.testing.assert_frame_equal(compare.distinctive_terms(as_text, min_count=2, keep=6, rows=7), whole)


def test_terms_named_from_many_partitions_and_a_shared_key_refused():
    # the ranked keys' terms arrive a partition at a time, each common term in every one (over 100,000 rows: the
    # duplicates are dropped on the way); two terms with one key are refused even when they arrive apart
    counts = counts_frame({"A": {"x": 5, "y": 1}, "B": {"x": 1, "y": 5}})
    keyed = counts.assign(key=compare.term_keys(counts["term"])).drop(columns="term")
    named = pd.DataFrame({"key": compare.term_keys(["x", "y"]), "term": ["x", "y"]})
    parts = [named.iloc[np.tile([0, 1], 30_000)]] * 2
    assert_same = pd.testing.assert_frame_equal
    assert_same(compare.distinctive_terms(keyed, min_count=1, names=lambda keys: iter(parts)),
                compare.distinctive_terms(counts, min_count=1))
    clash = named.assign(term=["x", "z"])
    with pytest.raises(RuntimeError, match="two terms share a key"):
        compare.distinctive_terms(keyed, min_count=1, names=lambda keys: iter([*parts, clash]))


def test_single_group_gives_empty_table():
    assert compare.distinctive_terms(counts_frame({"A": {"x": 1}})).empty


# ---------------------------------------------------------------- similarity
def test_similarity_flags_copies_and_excludes_them_from_outlets():
    arts = articles_frame({"a.txt": "US troops remain in Iraq despite the vote of parliament.",
                           "b.txt": "US troops remain in Iraq despite the vote of parliament!",
                           "c.txt": "Gaza war spreads to the region as drones strike bases."},
                          {"a.txt": "X", "b.txt": "Y", "c.txt": "Z"})
    pairs, copies = compare.similarity(arts, threshold=0.9)
    art = pairs[pairs["level"] == "article"].set_index(["a", "b"])
    assert art.loc[("a.txt", "b.txt"), "near_duplicate"] and art.loc[("a.txt", "b.txt"), "cosine"] > 0.99
    assert not art.loc[("a.txt", "c.txt"), "near_duplicate"]
    assert copies == ["b.txt"]
    outlets = set(pairs.loc[pairs["level"] == "outlet", ["a", "b"]].to_numpy().ravel())
    assert outlets == {"X", "Z"}  # Y's only article is a copy: not an independent voice
    assert list(pairs.columns) == compare.SIMILARITY_COLUMNS


def test_similarity_respects_corpus_duplicate_marks():
    arts = articles_frame({"a.txt": "alpha beta gamma", "b.txt": "delta epsilon zeta", "c.txt": "alpha delta"},
                          status={"b.txt": "near_duplicate"}, duplicate_of={"b.txt": "a.txt"})
    pairs, copies = compare.similarity(arts)
    assert copies == ["b.txt"]
    assert pairs.set_index(["a", "b"]).loc[("a.txt", "b.txt"), "near_duplicate"]
    assert "b.txt" not in set(pairs.loc[pairs["level"] == "outlet", ["a", "b"]].to_numpy().ravel())


def test_similarity_matrix_is_symmetric_and_deterministic():
    arts = articles_frame({f"{i}.txt": t for i, t in enumerate(
        ["troops troops iraq", "troops iraq base", "gaza war israel", "gaza israel war ceasefire"])})
    pairs, _ = compare.similarity(arts)
    m1 = compare.similarity_matrix(pairs, "outlet")
    m2 = compare.similarity_matrix(pairs.sample(frac=1, random_state=1), "outlet")
    assert m1.equals(m2)
    assert np.allclose(m1.to_numpy(), m1.to_numpy().T) and np.allclose(np.diag(m1), 1)
    order = list(m1.index)  # the two Iraq texts sit next to each other, as do the two Gaza texts
    assert abs(order.index("0.txt") - order.index("1.txt")) == 1


def test_similarity_above_all_pairs_max_compares_only_marked_copies():
    texts = {"a.txt": "US troops remain in Iraq despite the vote of parliament.",
             "b.txt": "Gaza war spreads to the region as drones strike bases.",
             "c.txt": "US troops remain in Iraq despite the vote of parliament!",
             "d.txt": "alpha beta gamma", "e.txt": "delta epsilon zeta"}
    arts = articles_frame(texts, {"a.txt": "X", "b.txt": "X", "c.txt": "Y", "d.txt": "Z", "e.txt": "Z"},
                          status={"e.txt": "near_duplicate"}, duplicate_of={"e.txt": "d.txt"})
    full, full_copies = compare.similarity(arts, threshold=0.9)
    assert full_copies == ["c.txt", "e.txt"]          # all pairs: the cosine copy (a, c) and the marked one (d, e)
    pairs, copies = compare.similarity(arts, threshold=0.9, all_pairs_max=4)
    art = pairs[pairs["level"] == "article"]
    # above all_pairs_max (linear time): only the corpus-marked copy (d, e), with the cosine of the full table
    assert list(zip(art["a"], art["b"])) == [("d.txt", "e.txt")] and copies == ["e.txt"]
    expected = full.set_index(["a", "b"]).loc[[("d.txt", "e.txt")], "cosine"].to_numpy()
    assert np.allclose(art["cosine"].to_numpy(), expected) and art["near_duplicate"].all()


def test_similarity_by_partition_is_the_whole_frames_and_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = {"a.txt": "Troops stay; troops vote.", "b.txt": "The vote of parliament.", "c.txt": "Drones strike bases.",
             "d.txt": "Troops strike back at the bases", "e.txt": "Parliament votes on troops"}
    arts = articles_frame(texts, {"a.txt": "X", "b.txt": "Y", "c.txt": "X", "d.txt": "Z", "e.txt": "Y"})
    whole, copies = compare.similarity(arts, all_pairs_max=10)
    parts, part_copies = compare.similarity(iter([arts.iloc[:2], arts.iloc[2:4], arts.iloc[4:]]), all_pairs_max=10)
    assert whole.equals(parts) and copies == part_copies == []
    X = TfidfVectorizer(tokenizer=compare.tokens, token_pattern=None).fit_transform(arts["text"])
    cos = (X @ X.T).toarray()
    art = whole[whole["level"] == "article"].set_index(["a", "b"])["cosine"]
    assert art[("a.txt", "d.txt")] == round(cos[0, 3], 6) and art[("b.txt", "e.txt")] == round(cos[1, 4], 6)
    x = np.asarray(X[[0, 2]].mean(axis=0)).ravel()    # outlet X: the mean of its two articles' unit vectors
    y = np.asarray(X[[1, 4]].mean(axis=0)).ravel()
    outlet = whole[whole["level"] == "outlet"].set_index(["a", "b"])["cosine"]
    assert np.isclose(outlet[("X", "Y")], x @ y / np.linalg.norm(x) / np.linalg.norm(y), atol=1e-6)


def test_own_uses_keeps_only_own_voice_rows_with_a_use(tmp_path):
    path = tmp_path / "term_counts.csv"
    pd.DataFrame({"file": ["a", "a", "a", "b"], "outlet": "X", "family": "f", "variant": ["v", "v", "w", "v"],
                  "voice": ["all", "own", "own", "own"], "count": [2, 2, 0, 1], "words": 10,
                  "rate_per_1k": 0.0}).to_csv(path, index=False)
    own = compare.own_uses(path, chunksize=2)         # chunks of two rows: a row's fate does not depend on its chunk
    assert own[["file", "variant", "count"]].values.tolist() == [["a", "v", 2], ["b", "v", 1]]


# ---------------------------------------------------------------- coverage
@pytest.fixture(scope="module")
def seed_coverage():
    texts = {p.name: p.read_text("utf-8") for p in sorted(paths.SEEDS.glob("*.txt"))}
    arts = articles_frame(texts)
    counts = compare.coverage_counts(sentences_of(arts), compare.load_items(load_lexicon(paths.SEED_STUDY).study["coverage"]))
    return compare.coverage(counts, arts)


def mentions(cov, stem, item):
    row = cov[cov["file"].str.startswith(stem.zfill(3)) & cov["item"].eq(item)]
    return int(row["mentions"].sum())


def test_coverage_numbers_events_actors_on_seeds(seed_coverage):
    cov = seed_coverage
    assert list(cov.columns) == compare.COVERAGE_COLUMNS
    # "2,500 US Soldiers", "2,500 American soldiers" / "troops", "some 2,500 US troops" -> one item
    assert [mentions(cov, s, "2,500 troops") > 0 for s in "01234"] == [True, False, True, False, True]
    assert mentions(cov, "002", "900 in Syria") == 1 and mentions(cov, "001", "110 times") == 1
    soleimani = "Soleimani/al-Muhandis killing, Jan 2020"
    assert [mentions(cov, s, soleimani) > 0 for s in "01234"] == [False, True, True, True, True]
    vote = "parliament vote to expel foreign forces, Jan 2020"
    assert [mentions(cov, s, vote) > 0 for s in "01234"] == [False, False, True, True, True]
    assert mentions(cov, "001", "US strike in Baghdad, Jan 2024") > 0
    assert mentions(cov, "003", "Reuters") == 1 and mentions(cov, "003", "CNN") > 0
    assert mentions(cov, "002", "Qais al-Khazali / Asaib Ahl al-Haq") > 0
    assert mentions(cov, "004", "Hadi al-Amiri / Fatah Alliance") > 0
    assert mentions(cov, "004", "Iraqi prime minister al-Sudani") == 0  # al-Kadhimi, not al-Sudani
    assert mentions(cov, "000", "Pentagon") == 0 and mentions(cov, "001", "Pentagon") == 1
    # listed items appear with 0 mentions too, so omissions are explicit rows
    assert (cov[cov["file"].str.startswith("000") & cov["item"].eq("Gaza war")]["mentions"] == 0).all()
    first = cov[cov["file"].str.startswith("002") & cov["item"].eq("900 in Syria")]["first_sentence"].iloc[0]
    assert "around 900 in Syria" in first


def test_coverage_matrix_shares(seed_coverage):
    texts = {p.name: "" for p in sorted(paths.SEEDS.glob("*.txt"))}
    m = compare.coverage_matrix(seed_coverage, articles_frame(texts))
    assert m["share"].between(0, 1).all() and set(m["articles"]) == {1}
    assert m[m["kind"] == "numbers"]["item"].nunique() <= 15
    as_codes = seed_coverage.astype(dict.fromkeys(["file", "outlet", "kind", "item"], "category"))   # as 04 reads it
    pd.testing.assert_frame_equal(compare.coverage_matrix(as_codes, articles_frame(texts)), m)


# ---------------------------------------------------------------- profiles
def test_outlet_profiles_joins_inputs():
    arts = pd.DataFrame({"file": ["a", "b", "c", "d"], "source": ["Zeta", "Zeta", "Alpha", "unknown (d)"],
                         "words": [100, 50, 80, 40], "status": ["analysed", "near_duplicate", "analysed", "analysed"]})
    pairs = pd.DataFrame({"level": "outlet", "voices": "own", "outlet": ["Zeta", "Alpha", "unknown (d)"],
                          "pair": "resistance_vs_militia", "articles": 1, "a_count": [3, 0, 0],
                          "b_count": [0, 1, 0], "share_a": [1.0, 0.0, math.nan], "ci_low": 0.1, "ci_high": 0.9})
    sent = pd.DataFrame({"file": ["a", "b", "c", "d"] * 2, "engine": ["vader"] * 4 + ["textblob"] * 4,
                         "score": [0.1, 0.9, -0.2, 0.0, 0.3, 0.3, 0.1, 0.0], "score_masked": 0.05, "words": 10})
    dist = pd.DataFrame({"group": ["Zeta"] * 6, "term": list("uvwxyz"), "rank": range(1, 7)})
    cov = pd.DataFrame({"file": ["a", "a", "c", "b"], "outlet": ["Zeta", "Zeta", "Alpha", "Zeta"],
                        "kind": ["events", "actors", "events", "numbers"], "item": ["e1", "a1", "e1", "n1"],
                        "mentions": [2, 1, 0, 5]})
    p = compare.outlet_profiles(arts, pairs, sent, dist, cov)
    assert p["outlet"].tolist() == ["Alpha", "Zeta", "unknown (d)"]
    z = p.set_index("outlet").loc["Zeta"]
    assert (z["articles"], z["words"], z["near_duplicates"]) == (1, 100, 1)  # the copy b is not a voice
    assert z["resistance_vs_militia_share_a"] == 1.0 and z["resistance_vs_militia_a_count"] == 3
    assert z["vader_score"] == 0.1 and z["textblob_score_masked"] == 0.05  # b's 0.9 left out
    assert z["top_terms"] == "u; v; w; x; y"
    assert (z["coverage_items"], z["coverage_events"], z["coverage_actors"]) == (2, 1, 1)
    assert p.set_index("outlet").loc["Alpha", "coverage_items"] == 0 or \
        pd.isna(p.set_index("outlet").loc["Alpha", "coverage_items"])
    assert "resistance_vs_militia_ci_low" not in p.columns and z["pair_voices"] == "own"
    codes = cov.astype(dict.fromkeys(["file", "outlet", "kind", "item"], "category"))   # as 04 reads it
    pd.testing.assert_frame_equal(compare.outlet_profiles(arts, pairs, sent, dist, codes), p)
    # rows pooling every voice are ignored when own-voice rows exist
    both = pd.concat([pairs, pairs.assign(voices="own+quoted", a_count=99)])
    assert compare.outlet_profiles(arts, both).set_index("outlet").loc["Zeta", "resistance_vs_militia_a_count"] == 3


def test_group_tests_by_hand():
    # four articles per group on one measure: A = 0.9, 0.8, 0.7, 0.6; B = 0.1, 0.2, 0.3, 0.4 (every A above every B)
    values = [0.9, 0.8, 0.7, 0.6, 0.1, 0.2, 0.3, 0.4]
    measures = pd.DataFrame({"file": [f"f{i}" for i in range(8)], "measure": "m", "value": values})
    group_of = {f"f{i}": "A" if i < 4 else "B" for i in range(8)}
    row = compare.group_tests(measures, group_of, n_perm=4999, seed=1).iloc[0]
    assert (row["group_a"], row["group_b"], row["articles_a"], row["articles_b"]) == ("A", "B", 4, 4)
    assert row["difference"] == pytest.approx(0.5) and row["auc"] == 1.0
    # pooled SD: each group's squared deviations sum to 0.05, so sd = sqrt(0.1 / 6); d = 0.5 / 0.1291 = 3.873
    assert row["cohens_d"] == pytest.approx(3.873, abs=1e-3)
    # 2 of the 70 splits are as extreme (this one and its mirror): p close to 2/70 = 0.029
    assert row["p_value"] == pytest.approx(2 / 70, abs=0.01) and row["p_holm"] == row["p_value"]
    # Holm over two tests: the smaller p doubled, the larger kept at least as large
    two = compare.group_tests(pd.concat([measures, measures.assign(measure="n", value=[0.5] * 8)]), group_of)
    assert two.set_index("measure").loc["m", "p_holm"] == pytest.approx(2 * two.set_index("measure").loc["m", "p_value"])
    assert two.set_index("measure").loc["n", "p_holm"] == 1.0


# ---------------------------------------------------------------- groups and time
def test_group_means_pool_the_smaller_groups():
    m = pd.DataFrame({"file": list("abcdef"), "measure": "m", "value": [1.0, 3.0, 5.0, 7.0, 2.0, 4.0]})
    g = compare.group_means(m, {"a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "f": "D"}, top=2)
    assert g["group"].tolist() == ["A", "B", "other (2 groups)"] and g["articles"].tolist() == [2, 2, 2]
    # B: 5 and 7, mean 6, sd sqrt(2), se 1, t(0.975, 1) = 12.706205
    assert g.set_index("group").loc["B", ["mean", "ci_low", "ci_high"]].tolist() == pytest.approx([6, -6.706205,
                                                                                                  18.706205])
    # a share all of whose articles agree: Wilson on 3 articles, low = 3 / (3 + z²) = 0.438503, not a point
    agree = compare.group_means(m.assign(measure="share of x (x_vs_y)", value=1.0), {f: "A" for f in "abc"})
    assert agree[["mean", "ci_high"]].values.tolist() == [[1.0, 1.0]] and agree["ci_low"].iloc[0] == pytest.approx(
        0.438503, abs=1e-6)


def timeline_inputs():
    """Six articles: two dated days in January (G1), one a month in February (G2), one a year, one a bound, one
    without a date; a near duplicate left out."""
    arts = pd.DataFrame({"file": list("abcdefg"), "source": list("PPQQQPQ"), "group": ["G1", "G1", "G2", "G2", "G2",
                         "G1", "G2"], "published": ["2024-01-10", "2024-01-20", "2024-02", "2024", "2024-03-01", "",
                                                "2024-01-11"],
                         "date_precision": ["day", "approx_day", "month", "", "not_before_month", "", "day"],
                         "status": ["analysed"] * 6 + ["near_duplicate"]})
    uses = {"a": (2, 0), "b": (1, 1), "c": (0, 3), "d": (1, 0), "e": (0, 0), "f": (0, 0), "g": (9, 0)}
    counts = pd.DataFrame([(f, "armed", v, voice, n if voice == "own" else 5) for f, ab in uses.items()
                           for v, n in zip(("resistance", "militia"), ab) for voice in ("own", "quoted")],
                          columns=["file", "family", "variant", "voice", "count"])
    tone = pd.DataFrame({"file": list("abcdefg"), "engine": "vader", "score": [0.2, 0.4, -0.2, 0.0, 0.1, 0.5, 0.9]})
    return arts, counts, tone, Pair("resistance_vs_militia", "armed", "resistance", "militia")


def test_periods_by_date_precision():
    arts = timeline_inputs()[0]
    assert compare.periods(arts)[1] == "month"                  # 3 of the 4 dated articles fit in a month
    assert compare.periods(arts)[0].tolist() == ["2024-01", "2024-01", "2024-02"] + ["undated at this resolution"] * 3 \
        + ["2024-01"]
    assert compare.periods(arts, "quarter")[0].tolist()[:4] == ["2024Q1"] * 3 + ["undated at this resolution"]
    years = compare.periods(arts, "year")[0]
    assert years["d"] == "2024" and years["e"] == years["f"] == "undated at this resolution"  # a bound; no date
    only_years = arts.assign(published="2023", date_precision="")
    assert compare.periods(only_years)[1] == "year"            # the coarsest resolution the dates allow
    with pytest.raises(ValueError, match="period must be one of"):
        compare.periods(arts, "week")


def test_over_time_by_hand():
    arts, counts, tone, pair = timeline_inputs()
    t = compare.over_time(arts, counts, tone, [pair]).set_index(["period", "unit", "measure"])
    share, vader = "share of resistance (resistance_vs_militia)", "mean sentence score, vader"
    jan = t.loc[("2024-01", "G1", share)]          # a and b: 2/2 and 1/2 own-voice uses, quoted ones ignored
    assert (jan["articles"], jan["n"], jan["value"]) == (2, 4, 0.75)
    assert (jan["ci_low"], jan["ci_high"]) == stats.share_interval([2, 1], [0, 1])[1:3]
    assert t.loc[("2024-01", "G1", vader), ["value", "ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.3, 0.3 - 12.706205 * 0.1, 0.3 + 12.706205 * 0.1])   # sd 0.1414, se 0.1
    feb = t.loc[("2024-02", "G2", share)]          # 0 of 3: Wilson, high = z² / (3 + z²) = 0.561497
    assert (feb["value"], feb["ci_low"], feb["n"]) == (0.0, 0.0, 3)
    assert feb["ci_high"] == pytest.approx(0.561497, abs=1e-6)
    undated = t.xs("undated at this resolution", level="period").xs(vader, level="measure")
    assert undated["articles"].to_dict() == {"G1": 1, "G2": 2}   # f (no date); d (a year) and e (a bound): none lost
    assert t.xs(vader, level="measure")["articles"].sum() == 6 and set(t["resolution"]) == {"month"}
    pooled = compare.over_time(arts, counts, tone, [pair], "year", top=1)
    assert set(pooled["unit"]) == {"G1", "other (1 group)"} and set(pooled["by"]) == {"group"}
    by_outlet = compare.over_time(arts.assign(group=""), counts, tone)
    assert set(by_outlet["unit"]) == {"P", "Q"} and set(by_outlet["measure"]) == {vader}
    rates = compare.over_time(arts.assign(words=[100, 200, 50, 10, 10, 10, 10]), counts, tone, [], families=["armed"])
    jan = rates.set_index(["period", "unit", "measure"]).loc[("2024-01", "G1", "armed uses per 1,000 words")]
    assert (jan["n"], jan["value"]) == (2, 15.0)   # a: 2 own uses in 100 words = 20; b: 2 in 200 = 10 (quoted ignored)
    assert (jan["ci_low"], jan["ci_high"]) == pytest.approx((15 - 12.706205 * 5, 15 + 12.706205 * 5))   # sd 7.07, se 5
    two = compare.over_time(arts, counts, tone, [pair, pair._replace(name="again")])   # every pair, each its own rows
    assert two.groupby("measure").size().to_dict() == t.reset_index().groupby("measure").size().to_dict() | {
        "share of resistance (again)": (t.reset_index()["measure"] == share).sum()}
