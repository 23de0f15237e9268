"""Ingestion on the seeds (checked by reading the files) and on a folder of bad inputs."""
import pandas as pd
import pytest

from analysis import dataset, ingest
from conftest import build_corpus

SEED_FILES = ["000_a09b85ca267c3209.txt", "001_8dddd403051cc578.txt", "002_5978e2cbd07aa920.txt",
              "003_4fb25f17430b9f0d.txt", "004_38e3874df6d92890.txt"]


def test_seed_articles_outlets_and_titles(seeds):
    a = seeds.articles.set_index("file")
    assert list(a.index) == SEED_FILES
    assert a["outlet"].tolist() == ["Shafaq News (English)", "unknown", "Al-Ahed News (English)", "unknown",
                                    "Syria Truths (republishing)"]
    assert a.loc["002_5978e2cbd07aa920.txt", "title"] == "Resistance Leader: Military Action Essential for Expelling US Forces from Iraq"
    assert a.loc["001_8dddd403051cc578.txt", "title"] == "Iraq is aiming to remove US forces from its territory"
    assert a.loc["003_4fb25f17430b9f0d.txt", "title"] == ""  # first line reads as a sentence: no title invented
    # unknown outlets are kept apart, one source per article
    assert a.loc["001_8dddd403051cc578.txt", "source"] != a.loc["003_4fb25f17430b9f0d.txt", "source"]
    assert (a["status"] == "analysed").all() and (a["language"] == "en").all()
    assert a.loc["003_4fb25f17430b9f0d.txt", "date_precision"] == "approx_month"


def test_seed_chrome_removed_and_title_counted_once(seeds):
    text = seeds.texts.set_index("file")["text"]
    t002 = text["002_5978e2cbd07aa920.txt"]
    assert t002.count("Resistance Leader: Military Action") == 1
    for chrome in ["Please Wait", "No Script", "Add to favorites", "By Staff, Agencies", "access_time", "Comments"]:
        assert chrome not in t002
    assert "Leave a Reply" not in text["004_38e3874df6d92890.txt"] and "Back to top" not in text["004_38e3874df6d92890.txt"]
    assert "radio icon" not in text["000_a09b85ca267c3209.txt"] and "Shafaq Live" not in text["000_a09b85ca267c3209.txt"]
    assert not text["001_8dddd403051cc578.txt"].startswith("World")
    removed = seeds.removed
    assert set(removed["file"]) == {SEED_FILES[i] for i in (0, 1, 2, 4)}
    assert "repeated line" in set(removed.loc[removed["file"] == SEED_FILES[2], "rule"])


def test_seed_sentences_keep_abbreviations(seeds):
    s = seeds.sentences
    hit = s[s["text"].str.startswith("Following the withdrawal of U.S. troops")]
    assert hit["text"].tolist() == ["Following the withdrawal of U.S. troops in 2011, they returned in 2014 to aid in the fight against ISIS."]
    assert not s["text"].str.fullmatch(r".*\bU\.").any()
    # offsets point into the article text
    text = seeds.texts.set_index("file")["text"]
    for row in s.sample(20, random_state=0).itertuples():
        assert text[row.file][row.start:row.end] == row.text
    title_rows = s[s["part"] == "title"]
    assert len(title_rows) == 4 and (title_rows["index"] == 0).all()


def test_seed_report_accounts_for_every_file(seeds):
    r = seeds.report.set_index("file")
    assert sorted(r.index) == sorted(SEED_FILES + ["README.md", "manifest.csv"]) or sorted(r.index) == sorted(SEED_FILES + ["README.md"])
    assert (r.loc[SEED_FILES, "status"] == "analysed").all()
    assert r.loc["README.md", "status"] == "skipped" and "unsupported file type" in r.loc["README.md", "reason"]


@pytest.mark.parametrize("size", [1, 3, 1000])   # whole partitions are copied from the cache, others filtered
def test_dataset_holds_the_analysed_files_only(bad_corpus, tmp_path, size):
    c = build_corpus(bad_corpus, tmp_path / "out", limits=ingest.Limits(partition_size=size))
    analysed = sorted(c.articles["file"])
    assert "good_copy.txt" not in analysed and "empty.txt" not in analysed and "near_copy.txt" in analysed
    assert sorted(c.texts["file"]) == analysed and (c.texts["text"].str.len() > 0).all()
    assert sorted(c.sentences["file"].unique()) == analysed
    assert c.articles.set_index("file")["sentences"].to_dict() == c.sentences["file"].value_counts().to_dict()


def test_bad_inputs_each_get_a_reason(bad_corpus, tmp_path):
    c = build_corpus(bad_corpus, tmp_path / "out")
    r = c.report.set_index(["input", "file"])
    reason = lambda f, kind="file": r.loc[(kind, f), "reason"]
    assert reason("empty.txt") == "empty file"
    assert reason("blank.txt") == "empty file"
    assert reason("binary.txt").startswith("not text")
    assert reason("good_copy.txt") == "duplicate: same bytes as good.txt"
    assert reason("arabic.txt").startswith("not English")
    assert reason("notes.docx").startswith("unsupported file type")
    assert reason("missing.txt", "manifest row") == "manifest row without a file"
    assert reason("../outside.txt", "manifest row") == "manifest path outside the corpus folder"
    assert "duplicate manifest row" in r.xs("manifest row")["reason"].str.cat()
    assert r.loc[("file", "latin1.txt"), "status"] == "analysed"
    assert r.loc[("file", "latin1.txt"), "encoding"] not in ("utf-8", "")
    assert "not an ISO date" in r.loc[("file", "latin1.txt"), "note"]
    assert "not in the manifest" in r.loc[("file", "not_in_manifest.txt"), "note"]
    assert "near duplicate of good.txt" in r.loc[("file", "near_copy.txt"), "note"]
    a = c.texts.set_index("file")
    assert a.loc["near_copy.txt", "status"] == "near_duplicate" and a.loc["near_copy.txt", "duplicate_of"] == "good.txt"
    assert a.loc["not_in_manifest.txt", "outlet"] == "unknown"
    assert "café" in a.loc["latin1.txt", "text"]
    # accounting: every file in the folder (but the manifest) is in the report exactly once
    on_disk = sorted(p.name for p in bad_corpus.iterdir() if p.name != "manifest.csv")
    assert sorted(c.report.loc[c.report["input"] == "file", "file"]) == on_disk
    assert set(c.articles["file"]) == set(c.report.loc[c.report["status"] == "analysed", "file"])


def test_missing_manifest_columns_is_a_clear_error(tmp_path):
    (tmp_path / "a.txt").write_text("Title\n\nSome words here.", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("filename,source\na.txt,X\n", encoding="utf-8")
    with pytest.raises(ingest.CorpusError, match="needs at least 'file' and 'outlet'"):
        build_corpus(tmp_path, tmp_path.parent / "out")


def test_cache_reused_and_invalidated(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    (root / "a.txt").write_text("A title\n\nThe first version of the story is here.", encoding="utf-8")
    first = build_corpus(root, tmp_path / "cache")
    again = build_corpus(root, tmp_path / "cache")
    pd.testing.assert_frame_equal(first.articles, again.articles)
    (root / "a.txt").write_text("A title\n\nThe second version of the story is longer than the first one.", encoding="utf-8")
    changed = build_corpus(root, tmp_path / "cache")
    assert changed.articles["words"].iloc[0] > first.articles["words"].iloc[0]


def test_dataset_is_read_back_and_later_steps_are_checked(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    (root / "a.txt").write_text("A title\n\nThe story is here. It has two sentences.", encoding="utf-8")
    with pytest.raises(dataset.DatasetError, match="run 01_ingest first"):
        dataset.load(tmp_path / "out")
    built = dataset.build(root, tmp_path / "out")
    ds = dataset.load(tmp_path / "out")
    assert ds.id == built.id and ds.articles.equals(built.articles) and len(ds.sentences) == 2
    with pytest.raises(dataset.DatasetError, match="run 02_terminology first"):
        ds.require("02_terminology")
    ds.done("02_terminology")
    ds.require("02_terminology")
    (root / "b.txt").write_text("Another title\n\nA second story, told differently.", encoding="utf-8")
    dataset.build(root, tmp_path / "out")          # a new dataset: 02's tables are stale now
    with pytest.raises(dataset.DatasetError, match="run 02_terminology first"):
        dataset.load(tmp_path / "out").require("02_terminology")


PAGE = ("<html><head><title>Talks resume | The Daily Example</title>"
        '<meta property="og:site_name" content="The Daily Example"><meta name="author" content="Jane Roe">'
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        '<link rel="canonical" href="https://example.org/talks"></head>'
        '<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><div class="share">Share on Facebook</div>'
        "<article><h1>Talks resume</h1>{body}</article><aside>Most read: a different story entirely</aside>"
        "<footer>Copyright 2024 The Daily Example</footer></body></html>")


def test_saved_page_headline_once_every_cut_line_listed_and_its_own_metadata(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    for name, words in (("page.html", "talks went on for another"), ("listed.html", "budget was cut by a")):
        body = "".join(f"<p>Paragraph {i} of the {name} report says the {words} {i + 2}{'th' * i} time.</p>"
                       for i in range(6))
        (root / name).write_text(PAGE.format(body=body), encoding="utf-8")
    (root / "manifest.csv").write_text("file,outlet,published\nlisted.html,Listed Outlet,2024-04-01\n")
    ds = build_corpus(root, tmp_path / "out")
    s = ds.sentences[ds.sentences["file"] == "page.html"]
    assert s["text"].tolist().count("Talks resume") == 1 and s["text"].iloc[0] == "Talks resume"
    cut = ds.removed[(ds.removed["file"] == "page.html") & (ds.removed["rule"] == "page extractor (trafilatura)")]
    assert cut["text"].tolist() == ["Home World", "Share on Facebook", "Most read: a different story entirely",
                                    "Copyright 2024 The Daily Example"]
    text = ds.texts.set_index("file")["text"]["page.html"]
    assert not any(line in text for line in cut["text"])
    a = ds.articles.set_index("file")
    assert a.loc["page.html", ["outlet", "title", "author", "published", "date_precision", "url"]].tolist() == [
        "The Daily Example", "Talks resume", "Jane Roe", "2024-03-05", "day", "https://example.org/talks"]
    assert a.loc["listed.html", ["outlet", "published"]].tolist() == ["Listed Outlet", "2024-04-01"]  # manifest wins
    r = ds.report.set_index("file")
    assert r.loc["page.html", "metadata"] == "title: page; author: page; outlet: page; published: page; url: page"
    assert r.loc["listed.html", "metadata"] == ("title: page; author: page; outlet: manifest; published: manifest; "
                                                "url: page")
    assert r.loc["page.html", "note"] == "not in the manifest"      # the outlet came from the page


def test_plain_text_metadata_says_where_it_came_from(seeds):
    r = seeds.report.set_index("file")["metadata"]
    assert r["000_a09b85ca267c3209.txt"] == "title: text; outlet: manifest; published: manifest; url: manifest"
    assert r["001_8dddd403051cc578.txt"] == "title: text; published: manifest"       # outlet 'unknown' is none


def test_letter_counts_are_the_findall_counts_on_every_code_point():
    import re
    import sys
    chars = "".join(map(chr, range(sys.maxunicode + 1)))   # kept by removal == found: the same characters
    assert ingest._NOT_LETTER.sub("", chars) == "".join(re.findall(r"[^\W\d_]", chars))
    assert ingest._LATIN.sub("", chars) == "".join(re.findall(r"[^A-Za-z\u00c0-\u024f\u1e00-\u1eff]", chars))


def test_sentence_word_counts_are_the_counts_of_their_text(tmp_path):
    """A sentence's ``words`` (counted from the article's words, or on its own where one crosses its edge) is
    ``count_words`` of its text; one ends inside a word."""
    from analysis import text
    body = ("The U.S.-led coalition said 2,500 troops left. Jean-Luc's team stayed.\nU.S. Officials said no. "
            "A.B.C.D. rose 3.5%.\"Yes,\" he said.Then nothing; e.g. this. Attack! Why? ok.\n_____\nEnd.\n"
            + "the soldiers said " * 700)   # Punkt reads 10,000 characters at a time: a sentence ends inside a word
    (path := tmp_path / "a.txt").write_text(f"Title\n\n{body}\n", encoding="utf-8")
    rec = ingest.ingest_file(path, path.name, ingest.Limits(), ingest.load_rules())
    got, t = [(s["text"], s["words"]) for s in rec["sentences"]], rec["text"]
    assert len(got) > 5 and got == [(s, text.count_words(s)) for s, _ in got]
    assert any(t[s["end"] - 1:s["end"] + 1].isalpha() for s in rec["sentences"])
    assert rec["words"] == len(text.words(rec["text"]))
