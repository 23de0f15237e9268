import io
import math

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from analysis import ingest, paths, tables, terms, text
from analysis.sentiment import mask as S_mask
from analysis.lexicon import LexiconError, load_lexicon
from conftest import build_corpus

LEX = load_lexicon(paths.SEED_STUDY)


def make_sentences(docs: dict[str, str]) -> pd.DataFrame:
    """Sentences like Corpus.sentences for small test articles (no title)."""
    rows = []
    for file, t in docs.items():
        for i, (a, b) in enumerate(text.sentence_spans(t)):
            rows.append({"file": file, "index": i, "part": "body", "text": t[a:b], "start": a, "end": b,
                         "words": text.count_words(t[a:b])})
    return pd.DataFrame(rows, columns=["file", "index", "part", "text", "start", "end", "words"])


def make_articles(docs: dict[str, str], sources=None, groups=None) -> pd.DataFrame:
    return pd.DataFrame({"file": list(docs), "source": [(sources or {}).get(f, f"unknown ({f})") for f in docs],
                         "group": [(groups or {}).get(f, "") for f in docs],
                         "words": [text.count_words(t) for t in docs.values()], "text": list(docs.values())})


def hits_of(doc: str, lex=LEX) -> pd.DataFrame:
    return terms.match_sentences(make_sentences({"a.txt": doc}), lex)


def variant_hits(doc, family, variant, lex=LEX):
    h = hits_of(doc, lex)
    return h[(h["family"] == family) & (h["variant"] == variant)]


# --------------------------------------------------------------------------- seeds

@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    c = build_corpus(paths.SEEDS, tmp_path_factory.mktemp("cache"))
    hits = c.map(terms.match_sentences, lexicon=LEX)
    return c, hits


def test_seed_counts_match_provenance(seeds):
    c, hits = seeds
    counts = terms.term_counts(hits, c.articles, LEX)
    allv = counts[(counts["family"] == "armed_groups") & (counts["voice"] == "all")]
    by = allv.pivot(index="file", columns="variant", values="count").sort_index()
    assert by["resistance"].tolist() == [0, 0, 4, 4, 0]   # title of 002 counted once
    assert by["militia"].tolist() == [0, 1, 0, 0, 0]


def test_seed_hits_in_kwic_with_voice(seeds):
    c, hits = seeds
    k = terms.kwic(hits, c.texts)
    res = k[(k["family"] == "armed_groups") & (k["variant"].isin(["resistance", "militia"]))]
    assert len(res) == 9
    assert all(res["match"].str.lower().str.contains("resistance|militia"))
    quoted = res[res["voice"] == "quoted"]
    assert quoted["file"].tolist() == ["002_5978e2cbd07aa920.txt"]
    assert quoted["left"].iloc[0].endswith("“The military actions of the")
    # 003's CNN paragraph ends ", the report said.": the report's words, reported, not the outlet's own
    assert res.loc[res["voice"] == "reported", "file"].tolist() == ["003_4fb25f17430b9f0d.txt"] * 2
    assert res["voice"].value_counts().to_dict() == {"own": 6, "reported": 2, "quoted": 1}
    assert set(res["outlet"]) >= {"Al-Ahed News (English)", "unknown (001_8dddd403051cc578)"}
    assert terms.candidate_names(k, LEX).empty        # no unlisted name in the seeds ("Daesh" is written so)


def test_seed_proper_names_kept_apart(seeds):
    _, hits = seeds
    pmf = hits[hits["family"] == terms.PROPER]
    assert set(pmf["variant"]) == {"popular_mobilization", "israeli_occupation"}
    # 003's "Israeli occupation" is not a US-forces "occupation": only its "occupying force" counts
    occ = hits[(hits["family"] == "us_forces") & (hits["variant"] == "occupation")]
    assert occ.groupby("file").size().to_dict() == {"000_a09b85ca267c3209.txt": 1, "002_5978e2cbd07aa920.txt": 1,
                                                     "003_4fb25f17430b9f0d.txt": 1}
    # "Popular Mobilization Forces" is never also a descriptive hit
    for h in pmf.itertuples():
        other = hits[(hits["file"] == h.file) & (hits["family"] != terms.PROPER)]
        assert not ((other["start"] < h.end) & (other["end"] > h.start)).any()


def test_partitions_give_the_same_hits(seeds):
    c, hits = seeds
    s = c.sentences
    parts = [terms.match_sentences(g, LEX) for _, g in s.groupby("file")]
    assert pd.concat(parts, ignore_index=True).equals(hits)


# --------------------------------------------------------------------------- matching rules

def test_proper_names_not_descriptive():
    doc = ("The Islamic Resistance in Iraq claimed the attack. The Axis of Resistance grew. "
           "The Popular Mobilization Forces were there. The resistance fought on.")
    h = hits_of(doc)
    assert len(h[(h["variant"] == "resistance")]) == 1
    assert sorted(h[h["family"] == terms.PROPER]["variant"]) == [
        "axis_of_resistance", "islamic_resistance_in_iraq", "popular_mobilization"]


def test_other_occupiers_not_counted_as_us_occupation():
    h = hits_of("The Israeli occupation goes on. US occupation forces stay. Israeli-occupied land.")
    us = h[h["family"] == "us_forces"]
    assert us["match"].tolist() == ["occupation forces"]
    assert h.loc[h["family"] == terms.PROPER, "variant"].tolist() == ["israeli_occupation"] * 2


def test_voices():
    doc = ('He said "the resistance will win this war" in Baghdad. '
           "The so-called resistance struck. They call it “resistance” now. "
           "Iraq’s resistance grew, and it's ‘the resistance that the people chose’ they said. "
           "The resistance won't stop.")
    h = variant_hits(doc, "armed_groups", "resistance")
    assert h["voice"].tolist() == ["quoted", "scare", "scare", "own", "quoted", "own"]


def test_names_recognised_as_names_even_when_not_listed():
    doc = ("Troops shelled Resistance Front positions. The Islamic Resistance claimed it, and the Coordinating "
           "Committee of the Resistance agreed. Resistance groups and the resistance fought on. Iraqi Resistance "
           "Leader Speaks Out Against Foreign Troops Today. Militias and the Resistance left. The ISIS Resistance.")
    h = hits_of(doc)
    assert h.loc[h["variant"] == "(unlisted)", "match"].tolist() == [
        "Resistance Front", "Islamic Resistance", "Coordinating Committee of the Resistance", "ISIS Resistance"]
    assert variant_hits(doc, "islamic_state", "isis").empty       # inside a name
    # sentence-initial, lower case, alone, or in a title-case headline: still the outlet's word
    assert variant_hits(doc, "armed_groups", "resistance")["match"].tolist() == ["Resistance groups", "resistance",
                                                                                 "Resistance", "Resistance"]
    names = terms.candidate_names(terms.kwic(h, make_articles({"a.txt": doc})), LEX)
    assert names[["name", "count", "contains"]].values.tolist()[0] == ["Coordinating Committee of the Resistance", 1,
                                                                      "armed_groups:resistance"]
    assert "[Islamic Resistance] claimed it" in names.set_index("name").loc["Islamic Resistance", "example"]


def test_an_entry_written_with_a_capital_is_a_name_itself(tmp_path):
    assert variant_hits("to combat the Wahhabi Daesh group", "islamic_state", "daesh")["match"].tolist() == ["Daesh"]
    (tmp_path / "study.yaml").write_text("families: {x: {variants: {a: [daesh], b: [foo]}}}", encoding="utf-8")
    lex = load_lexicon(tmp_path / "study.yaml")
    assert variant_hits("to combat the Wahhabi Daesh group", "x", "a", lex).empty          # lower case: in a name


@pytest.mark.parametrize("doc, voices", [
    ("The group said the resistance would fight on. The resistance said it would fight on.", ["reported", "own"]),
    ("He argued that the militia had left. The militia maintains that position. The militia maintains a base.",
     ["reported", "own", "own"]),
    ("The militia fired rockets, police said on Sunday. In Baghdad, officials said the militia left.",
     ["reported", "reported"]),
    ("According to the ministry, the militia left. The militia left, according to the ministry.", ["reported"] * 2),
    ('"The militia is gone," said a man who saw the militia. ‘We said no,’ the militia replied.',
     ["quoted", "own", "own"]),
    ("The group said in a statement: The resistance will continue. The resistance is strong.\n\nThe statement "
     "came after the resistance struck. A militia left.", ["quoted", "quoted", "own", "own"]),
    ("Here is the full text:\n\nThe militia must go.\n\nOur militia stands.", ["quoted", "quoted"]),
])
def test_reported_speech_and_statement_blocks(doc, voices):
    h = hits_of(doc)
    assert h[h["family"] == "armed_groups"]["voice"].tolist() == voices


def test_quote_spans_sentences_in_a_paragraph():
    doc = "He said, “We will fight. The resistance is strong.” Then the resistance left."
    assert variant_hits(doc, "armed_groups", "resistance")["voice"].tolist() == ["quoted", "own"]


def test_unclosed_quote_does_not_leak_past_its_sentence():
    doc = "He said “we will go on. The militia stayed."
    assert variant_hits(doc, "armed_groups", "militia")["voice"].tolist() == ["own"]


def test_phrase_not_double_counted():
    doc = "Armed factions and a militant militia met resistance groups."
    h = hits_of(doc)
    h = h[h["family"] == "armed_groups"]
    assert h[["variant", "match"]].values.tolist() == [
        ["neutral", "Armed factions"], ["militia", "militant militia"], ["resistance", "resistance groups"]]


def test_a_month_next_to_a_number_is_a_date():
    protest = load_lexicon(paths.REPO / "tests" / "fixtures" / "protest" / "study.yaml")   # "march" is a term there
    doc = ("The march on March 9 ended; on 9 March, and March 2025 too. March on, they said, and the May 1 march "
           "went on. March 3-4 crowds: a march 5 miles long.")
    m = [(a, b, v) for a, b, f, v, _ in protest.uses(doc) if v == "demonstration"]
    assert [doc[a:b] for a, b, _ in m] == ["march", "March", "march", "march"]   # not the dates; "March on" stays
    assert S_mask(doc, protest).count("March") == 4   # masking in sentiment uses the same matcher


def test_hyphenated_and_plural_forms():
    doc = "Iran-backed militias, Iran backed militiamen and Iranian-backed paramilitaries; US-led strikes."
    h = hits_of(doc)
    assert h[h["family"] == "iran_link"]["match"].tolist() == ["Iran-backed", "Iran backed", "Iranian-backed"]
    assert h[h["variant"] == "militia"]["match"].tolist() == ["militias", "militiamen", "paramilitaries"]
    # a hyphenated entry also matches its spaced spelling
    assert variant_hits("They are pro Iran and pro-Iran.", "iran_link", "iran_link")["match"].tolist() == [
        "pro Iran", "pro-Iran"]


def test_offsets_point_into_article_text():
    doc = "Nothing here. Later the militia came."
    h = variant_hits(doc, "armed_groups", "militia")
    assert doc[h["start"].iloc[0]:h["end"].iloc[0]] == "militia"


# --------------------------------------------------------------------------- tables

def test_outlet_without_uses_gets_empty_share():
    docs = {"a.txt": "The resistance and the militia.", "b.txt": "Nothing contested happens here."}
    arts = make_articles(docs, sources={"a.txt": "Alpha"})
    ps = terms.pair_shares(terms.match_sentences(make_sentences(docs), LEX), arts, LEX)
    row = ps[(ps["pair"] == "resistance_vs_militia")].set_index("outlet")
    assert row.loc["Alpha", "share_a"] == 0.5 and row.loc["Alpha", "method"] == "wilson"
    empty = row.loc["unknown (b.txt)"]
    assert math.isnan(empty["share_a"]) and math.isnan(empty["ci_low"]) and empty["method"] == "none"
    assert empty["a_count"] == 0 and empty["b_count"] == 0


def test_clustered_interval_for_several_articles_and_groups():
    docs = {"a.txt": "The resistance rose.", "b.txt": "The militia and the resistance.", "c.txt": "A militia."}
    arts = make_articles(docs, sources={f: "Alpha" for f in docs}, groups={"a.txt": "G1", "b.txt": "G1"})
    hits = terms.match_sentences(make_sentences(docs), LEX)
    ps = terms.pair_shares(hits, arts, LEX)
    ps = ps[ps["pair"] == "resistance_vs_militia"].set_index(["level", "outlet"])
    alpha = ps.loc[("outlet", "Alpha")]
    assert (alpha["a_count"], alpha["b_count"], alpha["articles"]) == (2, 2, 3) and alpha["method"] != "wilson"
    assert alpha["share_a"] == 0.5 and 0 <= alpha["ci_low"] <= 0.5 <= alpha["ci_high"] <= 1
    assert ps.loc[("group", "G1"), "share_a"] == pytest.approx(2 / 3)
    assert terms.pair_shares(hits, arts, LEX).equals(terms.pair_shares(hits, arts, LEX))  # deterministic


def test_voices_parameter():
    docs = {"a.txt": 'He said "the resistance is here for now". The militia left.'}
    hits = terms.match_sentences(make_sentences(docs), LEX)
    arts = make_articles(docs)
    own = terms.pair_shares(hits, arts, LEX).set_index("pair").loc["resistance_vs_militia"]
    every = terms.pair_shares(hits, arts, LEX, voices=terms.VOICES).set_index("pair").loc["resistance_vs_militia"]
    assert (own["a_count"], own["b_count"]) == (0, 1)
    assert (every["a_count"], every["b_count"]) == (1, 1)


def test_term_counts_grid_and_rates():
    docs = {"a.txt": "The resistance, the resistance and the militia.", "b.txt": "Quiet day."}
    hits = terms.match_sentences(make_sentences(docs), LEX)
    tc = terms.term_counts(hits, make_articles(docs), LEX)
    n_variants = len(LEX.variants())
    assert len(tc) == 2 * n_variants * (1 + len(terms.VOICES))
    r = tc.set_index(["file", "family", "variant", "voice"])
    assert r.loc[("a.txt", "armed_groups", "resistance", "all"), "count"] == 2
    assert r.loc[("a.txt", "armed_groups", "resistance", "all"), "rate_per_1k"] == pytest.approx(2 / 7 * 1000)
    assert r.loc[("b.txt", "armed_groups", "resistance", "own"), "count"] == 0


def test_wildcard_entries_give_the_seed_counts(seeds, tmp_path):
    c, hits = seeds
    study = paths.SEED_STUDY.read_text("utf-8").replace(
        "militia: [militia, militias, militiaman, militiamen,", "militia: [militia*,").replace(
        "paramilitary, paramilitaries]", "paramilitar*]").replace("martyr: [martyr, martyrs, martyred, martyrdom]",
                                                                 "martyr: [martyr*]")
    assert study.count("[militia*,") == study.count("paramilitar*]") == study.count("[martyr*]") == 1
    path = tmp_path / "study.yaml"
    path.write_text(study, encoding="utf-8")
    wild = c.map(terms.match_sentences, lexicon=load_lexicon(path))
    assert wild.equals(hits)
    lex = load_lexicon(path)     # the longest entry still wins; a wildcard only where the word is whole
    assert hits_of("A militant militia, militias and militiamen; milit.", lex)["match"].tolist() == [
        "militant militia", "militias", "militiamen"]


def test_concordance_of_any_pattern_in_words_with_voice():
    docs = {"a.txt": "The militiamen left. He said “the militias are gone” and an anti-militia law passed.",
            "b.txt": "Militia groups, a MILITIA."}
    s, arts = make_sentences(docs), make_articles(docs, sources={"a.txt": "Alpha"}, groups={"a.txt": "G"})
    k = terms.kwic_partition(s, pattern="militia*", window=2, articles=arts)
    assert k[["file", "outlet", "group", "match", "voice"]].values.tolist() == [
        ["a.txt", "Alpha", "G", "militiamen", "own"], ["a.txt", "Alpha", "G", "militias", "quoted"],
        ["b.txt", "unknown (b.txt)", "", "Militia", "own"], ["b.txt", "unknown (b.txt)", "", "MILITIA", "own"]]
    assert k[["left", "right"]].values.tolist()[1] == ["said “the", "are gone”"]
    assert terms.kwic_partition(s, pattern="militia groups", articles=arts)["match"].tolist() == ["Militia groups"]
    assert terms.kwic_partition(s, pattern=r"/anti-\w+/", articles=arts)["match"].tolist() == ["anti-militia"]
    with pytest.raises(ValueError, match="not a regular expression"):
        terms.kwic_partition(s, pattern="/(/", articles=arts)


def test_kwic_command_reads_the_dataset_not_the_corpus(seeds, capsys, tmp_path):
    from analysis import run
    c, _ = seeds
    assert run.main(["kwic", "militia*", "--out", str(c.root.parent), "--window", "3"]) == 0
    lines = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert lines[["outlet", "published", "match", "voice", "left", "right"]].values.tolist() == [
        ["unknown (001_8dddd403051cc578)", "2024-01-05", "militia", "own", "of a high-ranking", "commander in Baghdad,"]]
    assert run.main(["kwic", "the", "--out", str(c.root.parent), "--limit", "2"]) == 0
    assert len(pd.read_csv(io.StringIO(capsys.readouterr().out))) == 2
    parts = build_corpus(paths.SEEDS, tmp_path / "parts", limits=ingest.Limits(partition_size=2)).root.parent
    assert run.main(["kwic", "the", "--out", str(parts)]) == 0   # written a partition at a time: the same
    assert capsys.readouterr().out == terms.search(parts, "the").to_csv(index=False, lineterminator="\n")
    assert run.main(["kwic", "the", "--out", str(c.root.parent), "--limit", "0"]) == 0
    assert capsys.readouterr().out.count("\n") == 1   # the header
    assert run.main(["kwic", "/[/", "--out", str(c.root.parent)]) == 1
    assert "not a regular expression" in capsys.readouterr().err
    assert run.main(["kwic", "x", "--out", str(tmp_path)]) == 1
    assert "run 01_ingest first" in capsys.readouterr().err


def test_new_family_needs_no_code(tmp_path):
    block = "\n  weather:\n    description: test\n    variants:\n      rain: [rain, rainy]\n      sun: [sunny]\n"
    path = tmp_path / "lex.yaml"
    path.write_text(paths.SEED_STUDY.read_text("utf-8").replace("\npairs:", block + "\npairs:", 1), encoding="utf-8")
    lex = load_lexicon(path)
    docs = {"a.txt": "A rainy day, then rain and a sunny evening."}
    tc = terms.term_counts(terms.match_sentences(make_sentences(docs), lex), make_articles(docs), lex)
    w = tc[(tc["family"] == "weather") & (tc["voice"] == "all")].set_index("variant")["count"]
    assert w.to_dict() == {"rain": 2, "sun": 1}
    assert "weather" not in LEX.families


@pytest.mark.parametrize("body, problem", [
    ("families: {a: {variants: {x: [foo]}}\n  bad: [", "YAML syntax error"),
    ("families: {a: {variants: {x: [foo], y: [bar]}}}\npairs: [{name: p, family: a, a: x, b: z}]",
     "'z' is not a variant of family 'a'"),
    ("families: {a: {variants: {x: []}}}", "variant 'x' has no entries"),
    ("families: {a: {variants: {}}}", "needs a non-empty 'variants:'"),
    ("families: {a: {variants: {x: [foo], y: [Foo]}}}", "listed under both"),
])
def test_lexicon_errors_name_file_and_problem(tmp_path, body, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_lexicon(path)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_kwic_from_sentences_and_doc_frequency():
    docs = {"a.txt": "First the militia. Then the resistance.", "b.txt": "The militia again."}
    s, arts = make_sentences(docs), make_articles(docs, sources={f: "Alpha" for f in docs})
    hits = terms.match_sentences(s, LEX)
    k = terms.kwic(hits, s, window=2, articles=arts)
    assert k[["left", "match", "right"]].values.tolist()[0] == ["First the", "militia", ". Then the"]
    assert terms.kwic(hits, arts, window=2)[["left", "match", "right"]].equals(k[["left", "match", "right"]])
    df = terms.doc_frequency(terms.term_counts(hits, arts, LEX), arts).set_index(["outlet", "family", "variant"])
    assert df.loc[("Alpha", "armed_groups", "militia"), "articles_with"] == 2
    assert df.loc[("Alpha", "armed_groups", "resistance"), "share_articles"] == 0.5


def test_collocations():
    s = make_sentences({"a.txt": "Brave resistance fighters rose. Brave resistance fighters won. A militia fled."})
    col = terms.collocations(s, ["resistance", "militia"], window=3)
    assert list(col.columns) == ["term", "neighbour", "position", "together", "neighbour_count", "llr", "rank"]
    top = col[col["term"] == "resistance"].iloc[0]
    assert top["neighbour"] in {"brave", "fighters"} and top["together"] == 2
    assert set(col[col["term"] == "militia"]["neighbour"]) == {"fled"}


# --------------------------------------------------------------------------- properties

WORDS = ["the", "resistance", "militia", "armed", "groups", "so-called", "Iraq’s", "said", '"', "“", "”",
         "Islamic", "Resistance", "in", "Iraq", "presence", "occupation", "Iran-backed", ".", ","]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25), min_size=1, max_size=4))
def test_counts_equal_kwic_lines_and_rates(docs_words):
    docs = {f"{i}.txt": " ".join(ws) for i, ws in enumerate(docs_words)}
    s, arts = make_sentences(docs), make_articles(docs)
    hits = terms.match_sentences(s, LEX)
    k = terms.kwic(hits, arts)
    tc = terms.term_counts(hits, arts, LEX)
    assert tc[tc["voice"] == "all"]["count"].sum() == len(k)
    assert tc[tc["voice"] != "all"]["count"].sum() == len(k)
    for (f, fam, v), n in k.groupby(["file", "family", "variant"]).size().items():
        assert tc.set_index(["file", "family", "variant", "voice"]).loc[(f, fam, v, "all"), "count"] == n
    with_words = tc[tc["words"] > 0]
    assert (with_words["rate_per_1k"] >= 0).all()
    assert with_words["rate_per_1k"].tolist() == pytest.approx((with_words["count"] / with_words["words"] * 1000).tolist())
    assert set(hits["voice"]) <= set(terms.VOICES)


def test_kwic_partition_matches_whole_corpus_path(seeds):
    c, hits = seeds
    per_part = terms.kwic_partition(c.sentences, LEX, window=60, articles=c.articles)
    assert per_part.equals(terms.kwic(hits, c.texts, window=60))
    assert terms.term_counts(per_part, c.articles, LEX).equals(terms.term_counts(hits, c.articles, LEX))


def test_collocation_counts_add_up_over_partitions(seeds):
    c, _ = seeds
    s = c.sentences
    words = terms.pair_words(LEX)
    parts = pd.concat([terms.collocation_counts(g, words) for _, g in s.groupby("file")], ignore_index=True)
    assert terms.collocations(parts, words).equals(terms.collocations(s, words))
    assert terms.collocations(s, words).query("term == 'militia'")["neighbour"].iloc[0] == "high-ranking"


def test_unknown_family_is_refused_and_a_string_is_one_family():
    assert LEX.check_families("armed_groups") == ["armed_groups"]
    with pytest.raises(LexiconError, match="unknown family .'armed_group'.*armed_groups"):
        LEX.check_families(["armed_group"])


def test_scan_writes_every_line_and_keeps_the_uses_and_the_first_lines_of_each_family(seeds, tmp_path):
    c, _ = seeds
    parts = [terms.kwic_partition(g, LEX, 5, c.articles) for _, g in c.sentences.groupby("file")]
    every = pd.concat(parts, ignore_index=True)
    fams = ["armed_groups", "us_forces", terms.PROPER]
    mine = every[every["family"].isin(fams)].reset_index(drop=True)
    hits, held, names = terms.scan(iter(parts), fams, tmp_path / "kwic.csv", 12)
    assert (tmp_path / "kwic.csv").read_text("utf-8") == tables.write_csv(mine, tmp_path / "all.csv").read_text("utf-8")
    assert hits.astype(str).equals(mine[hits.columns].astype(str)) and hits["start"].dtype == "int32"
    assert list(hits["outlet"].cat.categories) == sorted(set(mine["outlet"]))   # sorted: tables sort as text
    per = mine["family"].value_counts()
    cap = terms.per_family(per.tolist(), 12)
    assert cap is not None and len(held) <= 12 and held.equals(mine[mine.groupby("family").cumcount() < cap]
                                                                .reset_index(drop=True))
    assert names.empty and terms.scan(iter(parts), fams, tmp_path / "k.csv", 10 ** 6)[1].equals(mine)
    assert terms.term_counts(hits, c.articles, LEX).equals(terms.term_counts(mine, c.articles, LEX))
    for voices in (("own",), terms.VOICES):
        assert terms.pair_shares(hits, c.articles, LEX, voices).equals(terms.pair_shares(mine, c.articles, LEX, voices))


def test_find_takes_the_best_candidate_that_fits():
    """``lexicon.find`` (candidates tried best first) gives the rule as written: the maximum (longer, then without a
    wildcard, then the longer pattern) over every candidate that fits, leftmost first, without overlaps."""
    import fnmatch
    import random

    from analysis.lexicon import _index, find

    def reference(tokens, index):
        out, wild = [], index.get("*", [])
        for i in range(len(tokens)):
            hit = (not out or i >= out[-1][1]) and max(
                ((len(k), "*" not in "".join(k), len("".join(k)), v) for k, v in index.get(tokens[i], []) + wild
                 if len(t := tokens[i:i + len(k)]) == len(k) and all(
                    a == w or "*" in w and fnmatch.fnmatchcase(a, w) for a, w in zip(t, k))), default=None)
            if hit:
                out.append((i, i + hit[0], hit[3]))
        return out

    def refuse(problem):
        raise ValueError(problem)
    rng, words = random.Random(0), ["a", "b", "ab", "ba", "abc", "a-b"]
    for case in range(400):
        pats = words + ["a*", "*b", "b*", "*", "a?"] * (case % 2)
        try:
            index = _index({"f": {f"v{j}": [" ".join(rng.choices(pats, k=rng.randint(1, 3))) for _ in range(3)]
                                  for j in range(4)}}, refuse)["f"]
        except ValueError:
            continue
        for _ in range(10):
            tokens = rng.choices(words, k=rng.randint(0, 12))
            assert find(tokens, index) == reference(tokens, index), (index, tokens)


def test_matches_skips_only_families_that_cannot_match():
    """``Lexicon.matches`` tries only the families one of whose first words is present (or with a wildcard first
    word): the same hits as trying every family (a plain dict index), for the families and for the targets."""
    import dataclasses
    import random

    from analysis.lexicon import _index
    lex = dataclasses.replace(LEX, index=_index({"w": {"x": ["milit*", "*men fought"]}, **LEX.families}))
    rng = random.Random(0)
    words = sorted({w for ix in (lex.index, lex.target_index) for idx in ix.values() for c in idx.values()
                    for k, _ in c for w in k}) + ["the", "fought", "militaryish"]
    for _ in range(3000):
        tokens = rng.choices(words, k=rng.randint(0, 8))
        for index in (None, lex.target_index):
            plain = dataclasses.replace(lex, index=dict(lex.index)).matches(tokens, index and dict(index))
            assert lex.matches(tokens, index) == plain, tokens
    assert lex.matches(["militaryish"])   # a wildcard family is always tried
