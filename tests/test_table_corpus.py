"""A corpus given as one table (CSV, JSON Lines, Parquet): the folder's dataset; bad tables refused or reported."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import dataset, paths, table_corpus
from analysis.ingest import CorpusError

from conftest import ENGLISH

def seed_table() -> pd.DataFrame:
    """The seeds as one table: the manifest's columns, ``id`` the file name, ``text`` the file's text."""
    table = pd.read_csv(paths.SEEDS / "manifest.csv", dtype=str, keep_default_na=False)
    table["text"] = [(paths.SEEDS / f).read_text("utf-8") for f in table["file"]]
    return table.rename(columns={"file": "id"})

def write(table: pd.DataFrame, path):
    {".csv": lambda: table.to_csv(path, index=False),
     ".jsonl": lambda: table.to_json(path, orient="records", lines=True, force_ascii=False),
     ".parquet": lambda: table.to_parquet(path, index=False)}[path.suffix]()
    return path

@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_seeds_as_a_table_give_the_folder_dataset(seeds, tmp_path, suffix):
    table = write(seed_table(), tmp_path / f"seeds{suffix}")
    ds = dataset.build(table, tmp_path / "out", study=paths.SEEDS / "study.yaml",
                       limits=dataset.Limits(partition_size=2))     # three partitions: chunks, not one read
    pd.testing.assert_frame_equal(ds.articles.drop(columns="part"), seeds.articles.drop(columns="part"))
    pd.testing.assert_frame_equal(ds.sentences, seeds.sentences)
    files = ["input", "file", "status", "reason", "note", "outlet", "bytes", "encoding", "language", "sha256"]
    folder = seeds.report[seeds.report["file"].str.endswith(".txt")].reset_index(drop=True)  # not seeds/README.md
    pd.testing.assert_frame_equal(ds.report[ds.report["input"] == "file"].reset_index(drop=True)[files], folder[files])
    (itself,) = ds.report[ds.report["input"] == "table"].to_dict("records")
    assert itself["file"] == table.name
    assert itself["note"].startswith("5 rows; columns: text=text, id=id, outlet=outlet")

def test_every_row_is_analysed_or_reported_with_its_reason(tmp_path):
    rows = pd.DataFrame({
        "Body": ["Talks\n\n" + ENGLISH * 2, "", "Talks\n\n" + ENGLISH * 2,
                 "عنوان\n\n" + "قالت الحكومة إن المحادثات ستستمر. " * 5,
                 "Weather\n\nHeavy rain fell on Basra this week and the river rose."],
        "media_name": ["A", "B", "C", "D", ""],
        "publish_date": pd.to_datetime(["2024-01-05 10:30", "2024-01-06 00:00", "2024-01-07 00:00", None, None]),
        "extra": [1, 2, 3, 4, 5]})
    ds = dataset.build(write(rows, tmp_path / "t.parquet"), tmp_path / "out",
                       columns="text=Body, outlet=media_name,published=publish_date")
    report = ds.report.set_index("file")
    assert report.loc["row 000001", "status"] == "analysed"
    assert report.loc["row 000002", "reason"] == "empty text"
    assert report.loc["row 000002", ["note", "outlet"]].tolist() == ["t.parquet row 2", "B"]
    assert report.loc["row 000003", "reason"] == "duplicate: same bytes as row 000001"
    assert report.loc["row 000004", "reason"].startswith("not English")
    assert report.loc["t.parquet", "note"].endswith("; ignored column(s): extra")
    arts = ds.articles.set_index("file")
    assert arts.loc["row 000001", ["outlet", "published"]].tolist() == ["A", "2024-01-05"]
    assert arts.loc["row 000005", ["outlet", "source", "published"]].tolist() == ["unknown", "unknown (row 000005)", ""]
    assert len(report) == 6                    # five rows and the table itself: nothing lost

def test_title_column_and_html_column(tmp_path):
    text = pd.DataFrame({"title": ["Talks resume in the capital"], "content": [ENGLISH], "published": ["sometime"]})
    ds = dataset.build(write(text, tmp_path / "t.jsonl"), tmp_path / "out")     # the title is the text's first line
    assert "published 'sometime' is not an ISO date" in ds.report.set_index("file").loc["row 000001", "note"]
    assert ds.articles[["file", "title"]].values.tolist() == [["row 000001", "Talks resume in the capital"]]
    html = pd.DataFrame({"id": [7], "HTML": [f"<html><head><title>Talks resume</title></head><body><article>"
                                             f"<h1>Talks resume</h1><p>{ENGLISH}</p></article></body></html>"]})
    ds = dataset.build(write(html, tmp_path / "h.csv"), tmp_path / "out2")
    assert ds.articles[["file", "title"]].values.tolist() == [["7", "Talks resume"]]

@pytest.mark.parametrize("columns, mapping, message", [
    (["id", "outlet"], None, r"t.csv: no text column \(none of text, body"),
    (["text", "Body", "outlet"], None, "more than one candidate text column \\(text, Body\\); name the one"),
    (["body", "Outlet", "outlet"], None, r"column names that differ only in case \(body, Outlet, outlet\)"),
    (["body"], "author=body", r"columns author=body: unknown field 'author' \(fields: text, html, id, title, outlet"),
    (["body"], "text=Text", r"t.csv: columns text=Text: no column 'Text' \(its columns: body\)"),
    (["body", "html"], "text=body, html=html", "names both a text and an html column"),
])
def test_columns_are_resolved_or_refused_by_name(columns, mapping, message):
    with pytest.raises(CorpusError, match=message):
        table_corpus.resolve(columns, mapping, "t.csv")

def test_resolve_by_name_and_mapping():
    assert table_corpus.resolve(["Text", "Published", "site"], "outlet=SITE", "t") == {
        "text": "Text", "outlet": "site", "published": "Published"}
    assert table_corpus.resolve(["body", "text"], "text=body", "t") == {"text": "body"}   # the mapping decides
    assert table_corpus.resolve(["raw_html"], None, "t") == {"html": "raw_html"}

def test_bad_tables_are_refused_naming_the_file(tmp_path):
    csv = tmp_path / "latin.csv"
    csv.write_bytes("id,text\n1,Caf\u00e9 owners said \u00ab no \u00bb to the plan.\n".encode("cp1252"))
    with pytest.raises(CorpusError, match=r"latin.csv: cannot read the table \('utf-8' codec can't decode .*as UTF-8"):
        dataset.build(csv, tmp_path / "out")
    good = write(seed_table(), tmp_path / "seeds.parquet")
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(CorpusError, match="cut.parquet: cannot read the table .*is it complete"):
        dataset.build(cut, tmp_path / "out")
    dup = write(pd.DataFrame({"id": ["a", "b", "a"], "text": [ENGLISH] * 3}), tmp_path / "dup.csv")
    with pytest.raises(CorpusError, match="dup.csv: row 3: id 'a' is empty or not unique"):
        dataset.build(dup, tmp_path / "out", limits=dataset.Limits(partition_size=2))   # across chunks too
    (tmp_path / "empty.csv").write_text("id,text\n")
    with pytest.raises(CorpusError, match="empty.csv: the table has no rows"):
        dataset.build(tmp_path / "empty.csv", tmp_path / "out")
    with pytest.raises(CorpusError, match="corpus not found: .*t.xlsx"):
        dataset.build(tmp_path / "t.xlsx", tmp_path / "out")
