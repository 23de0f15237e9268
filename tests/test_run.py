"""The run command end to end: every notebook executed by papermill, asserting on the tables it writes."""
import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths, run
from conftest import make_bad_corpus

pytestmark = pytest.mark.slow


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = cli("run", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_seed_run_writes_tables_rendered_notebooks_and_record(seed_run):
    articles = pd.read_csv(seed_run / "tables" / "articles.csv")
    assert len(articles) == 5
    assert articles["outlet"].tolist() == ["Shafaq News (English)", "unknown", "Al-Ahed News (English)", "unknown",
                                           "Syria Truths (republishing)"]
    report = pd.read_csv(seed_run / "tables" / "ingest_report.csv")
    assert (report.loc[report["file"].str.endswith(".txt"), "status"] == "analysed").all()
    for nb in run.notebooks():
        assert (seed_run / "rendered" / f"{nb.stem}.html").stat().st_size > 0
        assert (seed_run / "rendered" / f"{nb.stem}_nocode.html").stat().st_size > 0
    assert (seed_run / "run_record.json").exists() and (seed_run / "rendered" / "keyness.html").exists()
    assert not (seed_run / ".staging").exists() and not (seed_run / ".run.lock").exists()


def test_second_run_is_byte_identical(seed_run, tmp_path):
    before = {p.relative_to(seed_run): p.read_bytes() for d in ("tables", "figures") for p in (seed_run / d).rglob("*")
              if p.is_file()}
    validation = {p: p.stat().st_mtime_ns for p in (seed_run / ".cache").glob("validation-*.csv")}
    result = cli("run", "--out", str(seed_run))
    assert result.returncode == 0, result.stderr
    assert validation and validation == {p: p.stat().st_mtime_ns for p in validation}   # read again, not made again
    after = {p.relative_to(seed_run): p.read_bytes() for d in ("tables", "figures") for p in (seed_run / d).rglob("*")
             if p.is_file()}
    assert before.keys() == after.keys()
    changed = [str(k) for k in before if before[k] != after[k]]
    assert changed == []


def test_run_on_an_unprepared_folder_reports_every_file(tmp_path):
    corpus = make_bad_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    result = cli("run", "--corpus", str(corpus), "--out", str(out), "--only", "01_ingest")
    assert result.returncode == 0, result.stderr
    report = pd.read_csv(out / "tables" / "ingest_report.csv", keep_default_na=False)
    files = report.loc[report["input"] == "file", "file"]
    assert sorted(files) == sorted(p.name for p in corpus.iterdir() if p.name != "manifest.csv")
    assert set(report["status"]) == {"analysed", "skipped", "read"}   # read: the manifest itself


@pytest.mark.parametrize("args, message", [
    (["--corpus", "/no/such/folder"], "corpus not found"),
    (["--only", "99_nothing"], "unknown notebook"),
    (["--partition-size", "0"], "partition_size must be a whole number >= 1, not 0"),
    (["--only", "02_terminology", "--corpus", "seeds"], "--corpus is read by 01_ingest only"),
])
def test_wrong_arguments_give_one_clear_line(args, message, tmp_path):
    result = cli("run", "--out", str(tmp_path), *args)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_corpus_folder_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("run", "--corpus", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "corpus folder is empty" in result.stderr


def test_every_table_describes_the_same_articles(tmp_path):
    """One dataset between the notebooks: a size limit given once reaches every table and the findings."""
    out = tmp_path / "out"
    result = cli("run", "--out", str(out), "--max-bytes", "3000")
    assert result.returncode == 0, result.stderr
    read = lambda name: pd.read_csv(out / "tables" / f"{name}.csv", keep_default_na=False)  # noqa: E731
    files = set(read("articles")["file"])
    assert len(files) == 3
    for name in ("term_counts", "sentiment_articles", "sentiment_sentences", "coverage", "kwic"):
        assert set(read(name)["file"]) <= files and set(read(name)["file"]), name
    assert read("outlet_profiles")["articles"].sum() == 3
    assert "describe 3 articles" in (out / "findings.md").read_text(encoding="utf-8")
    report = read("ingest_report")
    assert (report["reason"].str.startswith("too large")).sum() == 2
    # a later notebook alone reads the published dataset; the corpus cannot be changed under it
    result = cli("run", "--out", str(out), "--only", "02_terminology")
    assert result.returncode == 0, result.stderr
    assert set(read("term_counts")["file"]) == files


def test_a_later_notebook_failing_keeps_its_copy_and_the_ingest_report(tmp_path):
    """Nothing is published, but the error names the executed copy and this run's ingest report, which exist."""
    with pytest.raises(run.RunError) as err:
        run.run(None, tmp_path / "out", ["01_ingest", "02_terminology"], quiet=True, families=["no_such_family"])
    failed = tmp_path / "out" / ".failed"
    assert "02_terminology.ipynb failed" in str(err.value) and "no_such_family" in str(err.value)
    assert str(failed / "02_terminology.ipynb") in str(err.value) and str(failed / "ingest_report.csv") in str(err.value)
    report = pd.read_csv(failed / "ingest_report.csv")
    assert (report.loc[report["file"].str.endswith(".txt"), "status"] == "analysed").sum() == 5
    assert not (tmp_path / "out" / "tables").exists() and not (tmp_path / "out" / ".staging").exists()


def test_02_and_03_run_side_by_side_only_on_a_small_dataset(tmp_path):
    def batches(only=None):
        return [[nb.stem[:2] for nb in batch] for batch in run._batches(run.notebooks(only), tmp_path)]
    (tmp_path / "data").mkdir()
    for n, expected in ((run.SIDE_BY_SIDE_MAX, [["01"], ["02", "03"], ["04"]]),
                        (run.SIDE_BY_SIDE_MAX + 1, [["01"], ["02"], ["03"], ["04"]])):
        (tmp_path / "data" / "dataset.json").write_text(json.dumps({"articles": n}))
        assert batches() == expected
    (tmp_path / "data" / "dataset.json").write_text(json.dumps({"articles": 5}))
    assert batches(["03_sentiment", "04_source_comparison"]) == [["03"], ["04"]]


def test_a_failure_beside_another_notebook_stops_it_and_names_the_failed_one(tmp_path, monkeypatch):
    """02 fails at once; 03, running beside it, is stopped (its kernel killed), not waited for; nothing is published."""
    import psutil

    finished, execute = [], run.execute

    def recorded(nb, *args):   # the notebooks that ran to their end
        executed = execute(nb, *args)
        finished.append(nb.stem)
        return executed
    monkeypatch.setattr(run, "execute", recorded)
    with pytest.raises(run.RunError) as err:
        run.run(None, tmp_path / "out", quiet=True, families=["no_such_family"])
    assert str(err.value).startswith("02_terminology.ipynb failed in cell") and "no_such_family" in str(err.value)
    assert str(err.value).endswith("03_sentiment.ipynb, running beside it, was stopped")
    assert sorted(p.name for p in (tmp_path / "out" / ".failed").iterdir()) == ["02_terminology.ipynb",
                                                                               "ingest_report.csv"]
    assert not psutil.Process().children(recursive=True)    # no kernel left running
    assert finished == ["01_ingest"]   # 03 (its sentiment validation alone takes ~40 s here) did not run to its end
    assert not (tmp_path / "out" / "tables").exists() and not (tmp_path / "out" / ".staging").exists()


def test_a_kernel_started_early_has_made_its_notebooks_imports_before_the_first_cell(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [new_code_cell('import sys\nprint(sorted({"wave", "colorsys"} & set(sys.modules)))'),
             new_code_cell("%matplotlib inline"), new_markdown_cell("import json"),
             new_code_cell("x = 1\nimport wave\nfrom colorsys import (\n    rgb_to_hsv)")]
    nb = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=cells), nb)
    assert run.imports(nb) == "import sys\nimport wave\nfrom colorsys import (\n    rgb_to_hsv)"  # no magic
    for early, printed in ((False, "[]"), (True, "['colorsys', 'wave']")):
        executed = nbformat.read(run.execute(nb, {}, tmp_path / str(early), tmp_path, early=early), as_version=4)
        assert executed.cells[0].outputs[0]["text"].strip() == printed
