"""Every case in tests/badinput.py gets its stated outcome, and no input is ever lost."""
from __future__ import annotations

import csv
import fnmatch
import os
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import pandas as pd
import pytest

import badinput
from analysis import ingest, manifest, params, paths, run
from analysis.lexicon import LexiconError, load_lexicon
from conftest import build_corpus
from badinput import BY_ID, CASES, Expect

SHARED = [c for c in CASES if not c.folder]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    return badinput.make_suite(tmp_path_factory.mktemp("bad") / "corpus")


@pytest.fixture(scope="module")
def ingested(suite, tmp_path_factory):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = build_corpus(suite, tmp_path_factory.mktemp("cache"))
    return c, [str(w.message) for w in caught]


def _row(report: pd.DataFrame, e: Expect) -> pd.Series:
    rows = report[(report["input"] == e.input) & report["file"].map(lambda f: fnmatch.fnmatchcase(f, e.file))]
    if e.input == "manifest row":
        rows = rows[rows["reason"].str.contains(e.text, regex=False)]
    assert len(rows) == 1, f"{e.input} {e.file}: {len(rows)} report rows"
    return rows.iloc[0]


@pytest.mark.parametrize("e", [e for c in SHARED for e in c.expect], ids=lambda e: f"{e.input}:{e.file}:{e.text[:20]}")
def test_each_case_gets_its_stated_outcome(ingested, e):
    c, _ = ingested
    row = _row(c.report, e)
    assert row["status"] == e.status, row.to_dict()
    if e.field == "outlet" and e.status == "analysed":
        assert c.articles.set_index("file").loc[e.file, "outlet"] == e.text
    elif e.field:
        assert e.text in row[e.field], row.to_dict()
    if e.status == "skipped":
        assert row["reason"], "a skipped input always has a reason"


def test_every_case_is_checked_or_documented():
    for case in CASES:
        assert case.expect or case.folder, case.id
        assert case.outcome in ("analysed", "analysed, noted", "skipped", "warning", "error"), case.id


def test_decoded_text_has_the_right_characters(ingested):
    a = ingested[0].texts.set_index("file")["text"]
    assert "He said “no” — the café ‘agreed’." in a["cp1252.txt"]      # bytes 0x93 0x94 0x97 0xe9 0x91 0x92
    assert "The café owner said « no »." in a["latin1.txt"]
    assert "Café “quoted”." in a["utf16le.txt"] and "Café ok." in a["utf16be.txt"]
    assert a["utf8_bom.txt"].startswith("A BOM headline for this test") and "\ufeff" not in a["utf8_bom.txt"]
    assert a["utf16_nobom.txt"].startswith("No mark at all in this file")
    for f in ("crlf.txt", "lone_cr.txt"):
        assert "\r" not in a[f] and a[f].split("\n")[0] in ("Windows lines in this file", "Old Mac lines in this file")
    z = a["zero_width.txt"]
    assert "The foreign forces left." in z and "Iraqs talks went on." in z
    assert not any(ch in z for ch in "\u200b\u200d\u2060\u00a0\u202f")
    assert "\u202e" not in a["bidi.txt"] and "cesrever" in a["bidi.txt"]
    assert "\x00" not in a["nul_stray.txt"] and "Monday, Tuesday and Wednesday." in a["nul_stray.txt"]
    s = ingested[0].sentences
    assert not s["text"].str.contains("[\r\x00\u200b\ufeff]").any()


def test_manifest_bom_and_extra_column_are_read_with_a_warning(ingested):
    c, caught = ingested
    a = c.articles.set_index("file")
    assert a.loc["utf8_bom.txt", "outlet"] == "Outlet A" and a.loc["cp1252.txt", "outlet"] == "Outlet B"
    assert any("extra column(s) ignored: extra_column" in w for w in caught)
    note = c.report.loc[c.report["input"] == "manifest", "note"].tolist()
    assert len(note) == 1 and "extra column(s) ignored: extra_column" in note[0]


def test_one_line_file_is_split_into_sentences_quickly(ingested, suite):
    c, _ = ingested
    n = c.articles.set_index("file").loc["one_line.txt", "sentences"]
    assert n > 10_000
    t0 = time.perf_counter()
    rec = ingest.ingest_file(suite / "one_line.txt", "one_line.txt", ingest.Limits(), ingest.load_rules())
    assert time.perf_counter() - t0 < 60 and rec["reason"] == ""


def test_huge_file_is_skipped_without_being_read(suite):
    tracemalloc.start()
    rec = ingest.ingest_file(suite / "huge.txt", "huge.txt", ingest.Limits(), ingest.load_rules())
    key = ingest.fingerprint_file(suite / "huge.txt")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rec["reason"].startswith("too large") and len(key) == 64
    assert peak < 8 * 1024 * 1024, f"peak {peak:,} bytes while deciding on a {rec['bytes']:,}-byte file"
    small = ingest.ingest_file(suite / "one_line.txt", "one_line.txt", ingest.Limits(max_bytes=1000), ingest.load_rules())
    assert small["reason"].startswith("too large") and small["sha256"] == ""   # decided from the size alone


# --------------------------------------------------------------------------- accounting

def _on_disk(root: Path) -> list[str]:
    """Every file, link, pipe... under ``root`` (not following links), as the report names it."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            rel = Path(dirpath, name).relative_to(root).as_posix()
            rel = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            if rel != "manifest.csv":
                out.append(rel)
    return sorted(out)


def _manifest_rows(root: Path) -> list[tuple[int, str, str]]:
    if not (root / "manifest.csv").exists():
        return []
    text = ingest.normalise(ingest.decode((root / "manifest.csv").read_bytes())[0])
    rows = list(csv.reader(text.splitlines()))
    return [(i + 2, r[0].strip(), r[1].strip()) for i, r in enumerate(rows[1:]) if r]


def assert_accounted(report: pd.DataFrame, root: Path) -> None:
    """inputs = analysed + skipped: each file once; each manifest row matched to a file or listed itself."""
    files = report[report["input"] == "file"]
    assert sorted(files["file"]) == _on_disk(root)
    assert set(files["status"]) <= {"analysed", "skipped"}
    assert (files.loc[files["status"] == "skipped", "reason"] != "").all()
    listed = report[report["input"] == "manifest row"]
    assert len(listed["note"]) == listed["note"].nunique()
    outlet = dict(zip(files["file"], files["outlet"]))
    for line, file, name in _manifest_rows(root):
        rel = manifest._manifest_path(file)
        if f"manifest row {line}" in set(listed["note"]):
            continue
        assert outlet.get(rel) == (name or "unknown"), f"manifest row {line} ({file}) neither matched nor listed"
    assert set(report["input"]) <= {"file", "manifest", "manifest row"}
    itself = report[report["input"] == "manifest"]
    assert itself["status"].tolist() == (["read"] if (root / "manifest.csv").exists() else [])


def test_accounting_in_process(ingested, suite):
    assert_accounted(ingested[0].report, suite)


@pytest.mark.slow
def test_accounting_after_a_run(suite, tmp_path):
    out = tmp_path / "out"
    result = cli("run", "--corpus", str(suite), "--out", str(out), "--only", "01_ingest")
    assert result.returncode == 0, result.stderr
    report = pd.read_csv(out / "tables" / "ingest_report.csv", keep_default_na=False, dtype=str)
    assert_accounted(report, suite)
    analysed = pd.read_csv(out / "tables" / "articles.csv", keep_default_na=False, dtype=str)
    assert set(analysed["file"]) == set(report.loc[report["status"] == "analysed", "file"])


@pytest.mark.slow
def test_twenty_thousand_tiny_files(tmp_path):
    root = badinput.make_tiny(tmp_path / "tiny")
    t0 = time.perf_counter()
    c = build_corpus(root, tmp_path / "cache")
    took = time.perf_counter() - t0
    assert len(c.report) == 20_000 and (c.report["status"] == "analysed").all()
    assert took < 180, f"{took:.0f} s for 20,000 tiny files"
    assert_accounted(c.report, root)


# --------------------------------------------------------------------------- folders of their own

@pytest.mark.parametrize("case_id, outlet, warning", [("manifest_semicolon", "Outlet Semi", None),
                                                      ("manifest_cp1252", "Le Monde édition", "not UTF-8, read as cp1252")])
def test_manifest_variants_are_read(case_id, outlet, warning, tmp_path):
    root = badinput.build_case(BY_ID[case_id], tmp_path / "c")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = build_corpus(root, tmp_path / "cache")
    assert c.articles["outlet"].tolist() == [outlet]
    manifest = c.report[c.report["input"] == "manifest"]
    assert manifest["status"].tolist() == ["read"] and "1 of 1 rows used" in manifest["note"].iloc[0]
    if warning:
        assert any(warning in str(w.message) for w in caught)
        assert warning in manifest["note"].iloc[0]   # recorded in ingest_report.csv, not only printed


@pytest.mark.parametrize("case_id, message", [
    ("manifest_columns", "missing column(s) ['file', 'outlet']; the manifest needs at least 'file' and 'outlet'"),
    ("manifest_empty", "the manifest is empty"),
    ("manifest_ragged", "not a readable CSV"),
])
def test_manifest_errors_name_the_file_and_the_fix(case_id, message, tmp_path):
    root = badinput.build_case(BY_ID[case_id], tmp_path / "c")
    with pytest.raises(ingest.CorpusError) as exc:
        build_corpus(root, tmp_path / "cache")
    assert str(root / "manifest.csv") in str(exc.value) and message in str(exc.value)


BAD_LEXICONS = {
    "lexicon_yaml": ("families:\n  armed_groups:\n    variants: {militia: [militia\n", "YAML syntax error, fix the file"),
    "lexicon_empty_variant": ("families:\n  x:\n    variants:\n      a: []\n      b: [bee]\n", "family 'x', variant 'a' has no entries"),
}


@pytest.mark.parametrize("case_id", sorted(BAD_LEXICONS))
def test_bad_lexicon_names_the_file(case_id, tmp_path):
    content, message = BAD_LEXICONS[case_id]
    path = tmp_path / ("bad.yaml" if case_id == "lexicon_yaml" else "lexicon.yaml")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as exc:
        load_lexicon(path)
    assert str(path) in str(exc.value) and message in str(exc.value)
    result = cli("run", "--lexicon", str(path), "--out", str(tmp_path / "out"))   # refused before any notebook
    assert result.returncode == 1 and str(path) in result.stderr and message in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "tables").exists() or not any((tmp_path / "out" / "tables").iterdir())


@pytest.mark.parametrize("args, message", [
    (["--partition-size", "abc"], "argument --partition-size: invalid int value: 'abc'"),
    (["--max-bytes", "lots"], "argument --max-bytes: invalid int value: 'lots'"),
    (["--max-bytes", "0"], "max_bytes must be a whole number >= 1, not 0"),
])
def test_cli_parameters_of_the_wrong_type(args, message, tmp_path):
    result = cli("run", "--out", str(tmp_path), *args)
    assert result.returncode in (1, 2) and message in result.stderr and "Traceback" not in result.stderr


def test_unknown_or_mistyped_parameters_are_refused_before_running():
    nbs = [nb.stem for nb in run.notebooks()]
    with pytest.raises(params.ParameterError, match=r"unknown parameter 'partition_sise' \(did you mean 'partition_size'\?\)"):
        params.convert({"partition_sise": 500}, nbs)
    with pytest.raises(params.ParameterError, match="parameter 'partition_size' must be int, not str 'abc'"):
        params.convert({"partition_size": "abc"}, nbs)
    with pytest.raises(params.ParameterError, match="parameter 'max_bytes' must be int"):
        params.convert({"max_bytes": 2.5}, nbs)
    assert params.convert({"partition_size": 10, "corpus_dir": "x", "scheduler": None, "max_bytes": 5}, nbs)


@pytest.mark.parametrize("value, message", [("abc", "partition_size must be a whole number >= 1, not 'abc' (str)"),
                                            (0, "partition_size must be a whole number >= 1, not 0")])
def test_limits_check_their_values(value, message):
    with pytest.raises(ingest.CorpusError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ingest.Limits(partition_size=value)


@pytest.mark.slow
def test_papermill_with_a_wrong_type_fails_with_the_parameter_name(tmp_path):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    nb = paths.NOTEBOOKS / "01_ingest.ipynb"
    with pytest.raises(PapermillExecutionError) as exc:
        pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), cwd=str(nb.parent), kernel_name="python3",
                            progress_bar=False, parameters={"partition_size": "abc", "out_dir": str(tmp_path / "o")})
    assert "parameter 'partition_size' must be int, not str 'abc'" in exc.value.evalue
    assert not (tmp_path / "o" / "data").exists()     # refused before anything was read or written


@pytest.mark.slow
def test_papermill_with_a_misspelt_parameter_fails_naming_it(tmp_path):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    nb = paths.NOTEBOOKS / "01_ingest.ipynb"
    with pytest.raises(PapermillExecutionError) as exc:
        pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), cwd=str(nb.parent), kernel_name="python3",
                            progress_bar=False, parameters={"out_dir": str(tmp_path / "o"), "partition_sise": 3})
    assert "unknown parameter 'partition_sise' (did you mean 'partition_size'?)" in exc.value.evalue


def test_doc_lists_every_case():
    doc = badinput.DOC.read_text(encoding="utf-8")
    start, end = badinput.MARKERS
    assert f"{start}\n{badinput.doc().strip()}\n{end}" in doc, "docs/bad-input.md is stale: run python tests/badinput.py"
    for case in CASES:
        assert f"| `{case.id}` |" in doc
    assert "(docs/bad-input.md)" in (badinput.DOC.parents[1] / "README.md").read_text(encoding="utf-8")
