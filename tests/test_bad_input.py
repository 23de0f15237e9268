"""Every case in tests/badinput.py gets its stated outcome, and no input is ever lost."""
from __future__ import annotations

import builtins
import csv
import errno
import fnmatch
import io
import os
import subprocess
import sys
import time
import tracemalloc
import unicodedata
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import badinput
from analysis import dataset, ingest, manifest, params, paths, run, tables, text
from analysis.lexicon import LexiconError, load_lexicon
from conftest import build_corpus
from badinput import BY_ID, CASES, Expect

SHARED = [c for c in CASES if not c.folder]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    return badinput.make_suite(tmp_path_factory.mktemp("bad") / "corpus")


def _denied(path) -> bool:
    try:
        return not os.stat(path).st_mode & 0o444
    except (OSError, TypeError, ValueError):
        return False


@contextmanager
def as_a_user():
    """Root may read anything: when the tests run as root, refuse to list or open what has no read permission,
    as the kernel does for everyone else (``os.scandir`` is what ``os.walk`` calls)."""
    if os.geteuid() != 0:
        yield
        return
    scandir, real_open = os.scandir, io.open

    def guard(func):
        def guarded(path=".", *args, **kwargs):
            if isinstance(path, (str, os.PathLike)) and _denied(path):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            return func(path, *args, **kwargs)
        return guarded
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "scandir", guard(scandir))
        mp.setattr(io, "open", guard(real_open))
        mp.setattr(builtins, "open", guard(real_open))
        yield


@pytest.fixture(scope="module")
def ingested(suite, tmp_path_factory):
    with warnings.catch_warnings(record=True) as caught, as_a_user():
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

def test_formulas_are_inert_in_every_published_csv(ingested, tmp_path, monkeypatch):
    c, _ = ingested
    dataset.publish(c, tmp_path / "safe")
    cells = {f.name: [v for row in csv.reader(f.open(encoding="utf-8", newline="")) for v in row]
             for f in (tmp_path / "safe").glob("*.csv")}
    assert {"articles.csv", "ingest_report.csv", "sentences.csv"} <= set(cells)
    for formula in badinput.FORMULAS:
        assert "'" + formula in cells["articles.csv"] and "'" + formula in cells["ingest_report.csv"]
    assert "'@SUM(1+1) in a headline" in cells["articles.csv"] and "'@SUM(1+1) in a headline" in cells["sentences.csv"]
    assert not [(f, v) for f, vs in cells.items() for v in vs if tables.FORMULA.match(v)]
    monkeypatch.setenv("ANALYSIS_KEEP_FORMULAS", "1")        # the documented way to keep them raw
    dataset.publish(c, tmp_path / "raw")
    raw = (tmp_path / "raw" / "articles.csv").read_text(encoding="utf-8")
    assert "\n=cmd|' /C calc'!A0," not in raw and ",=cmd|' /C calc'!A0," in raw and "'=cmd" not in raw


def test_only_text_a_spreadsheet_would_run_is_neutralised(tmp_path):
    df = pd.DataFrame({"text": ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://x\",\"y\")", "@SUM(A1:A2)", "-0.25", "-",
                                "+1", "-1e-05", "- a dash", "\tTab", "a=b", "'=quoted"],
                       "number": [-0.25, 1.0, -3.0, 0.0, 2.0, -1.0, 0.5, 1.5, 2.5, 3.5, 4.5], "=SUM(1)": "x"})
    got = pd.read_csv(tables.write_csv(df, tmp_path / "t.csv"), dtype=str, keep_default_na=False)
    assert got.columns.tolist() == ["text", "number", "'=SUM(1)"]
    assert got["text"].tolist() == ["'=cmd|' /C calc'!A0", "'+HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1:A2)", "-0.25",
                                    "-", "+1", "-1e-05", "'- a dash", "'\tTab", "a=b", "'=quoted"]
    assert got["number"].tolist()[:3] == ["-0.25", "1", "-3"] and df["text"][0] == "=cmd|' /C calc'!A0"
    assert tables.inert(pd.DataFrame({"t": ["\rCR", "\r"]}))["t"].tolist() == ["'\rCR", "\r"]
    # a large table is written a slice at a time, byte for byte as in one piece
    big = pd.DataFrame({"k": pd.Categorical(["a", "=b"] * 250_001), "x": np.arange(500_002) / 7})
    assert tables.write_csv(big, tmp_path / "big.csv").read_text() == \
        tables.inert(big).to_csv(index=False, float_format=tables.FLOAT_FORMAT, lineterminator="\n")


def test_manifest_text_fields_are_read_on_one_line(tmp_path):
    (tmp_path / "manifest.csv").write_text('file,outlet,notes,group\n"two  spaces.txt","Outlet\n- item\n# Head",'
                                           '"note\r\n\n## two",\t g \n', encoding="utf-8")
    rows, _ = manifest.read_manifest(tmp_path, ["two  spaces.txt"])
    assert rows[["file", "outlet", "notes", "group"]].values.tolist() == [["two  spaces.txt", "Outlet - item # Head",
                                                                           "note ## two", "g"]]


@pytest.mark.parametrize("head", [b"", b"\xef\xbb\xbf", b" \r\n"])
def test_pdf_and_rtf_saved_as_text_are_unsupported(head, tmp_path):
    for name, data, kind in (("a.txt", badinput.PDF, "PDF"), ("b.html", badinput.RTF, "RTF")):
        path = badinput.w(tmp_path, name, head + data)
        rec = ingest.ingest_file(path, name, ingest.Limits(), ingest.load_rules())
        assert rec["reason"] == f"unsupported file type: {kind} content, not text (convert it to plain text)"


def test_unknown_date_precision_is_reported_and_cleared(tmp_path):
    case = BY_ID["date_precision"]
    c = build_corpus(badinput.build_case(case, tmp_path / "c"), tmp_path / "out")
    for e in case.expect:
        row = _row(c.report, e)
        assert row["status"] == e.status and e.text in row[e.field or "note"]
    a = c.articles.set_index("file")
    assert a.loc["a.txt", "date_precision"] == "" and a.loc["a.txt", "published"] == "2024-03-05"
    assert a.loc["b.txt", "date_precision"] == "approx_month"
    assert "date_precision" not in _row(c.report, case.expect[1])["note"]


# --------------------------------------------------------------------------- accounting

def _on_disk(root: Path, user: bool = True) -> list[str]:
    """Every file, link, pipe... under ``root`` (not following links), as the report names it; a folder nobody
    may read is one entry, "folder/" (as for a user; root reads it when ``user`` is False)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        if user and _denied(dirpath):
            out.append(Path(dirpath).relative_to(root).as_posix() + "/")
            dirnames.clear()
            continue
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
    rows = list(csv.reader(io.StringIO(text)))     # a quoted field may hold line breaks: read on one line
    return [(i + 2, r[0].strip(), " ".join(r[1].split())) for i, r in enumerate(rows[1:]) if r]


def assert_accounted(report: pd.DataFrame, root: Path, user: bool = True, published: bool = False) -> None:
    """inputs = analysed + skipped: each file once; each manifest row matched to a file or listed itself (in a
    ``published`` report, outlet names a spreadsheet would run start with ')."""
    files = report[report["input"] == "file"]
    assert sorted(files["file"]) == _on_disk(root, user)
    assert set(files["status"]) <= {"analysed", "skipped"}
    assert (files.loc[files["status"] == "skipped", "reason"] != "").all()
    listed = report[report["input"] == "manifest row"]
    assert len(listed["note"]) == listed["note"].nunique()
    outlet = dict(zip(files["file"].map(lambda f: unicodedata.normalize("NFC", f)), files["outlet"]))
    for line, file, name in _manifest_rows(root):
        rel = manifest._manifest_path(file)
        if f"manifest row {line}" in set(listed["note"]):
            continue
        want = name or "unknown"
        want = f"'{want}" if published and tables.FORMULA.match(want) else want
        assert outlet.get(rel) == want, f"manifest row {line} ({file}) neither matched nor listed"
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
    assert_accounted(report, suite, user=os.geteuid() != 0, published=True)   # a subprocess as root reads everything
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
                                                      ("manifest_tab", "Outlet Tab", None),
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
    ("manifest_random", "not a text file (binary or undecodable); the manifest must be a CSV saved as UTF-8"),
])
def test_manifest_errors_name_the_file_and_the_fix(case_id, message, tmp_path):
    root = badinput.build_case(BY_ID[case_id], tmp_path / "c")
    with pytest.raises(ingest.CorpusError) as exc:
        build_corpus(root, tmp_path / "cache")
    assert str(root / "manifest.csv") in str(exc.value) and message in str(exc.value)
    assert len(str(exc.value)) < 400, "a short message, not the manifest's content"


def test_garbage_columns_are_not_echoed_whole(tmp_path):
    (tmp_path / "manifest.csv").write_text(",".join(f"column{i}" * 20 for i in range(50)) + "\n", encoding="utf-8")
    with pytest.raises(ingest.CorpusError, match=r"missing column\(s\)") as exc:
        manifest.read_manifest(tmp_path)
    assert len(str(exc.value)) < 800 and str(exc.value).endswith(", ...)")


def test_any_failure_skips_the_file_and_names_the_error(tmp_path, monkeypatch):
    root = tmp_path / "c"
    badinput.w(root, "fine.txt", badinput.article("Fine"))
    badinput.w(root, "slow.txt", badinput.article("Slow", extra="Punkt would time out on this one."))
    spans = text.sentence_spans

    def timing_out(s):
        if "time out" in s:
            raise TimeoutError("regular-expression match exceeded its 5.0s time limit")
        return spans(s)
    monkeypatch.setattr(text, "sentence_spans", timing_out)
    c = build_corpus(root, tmp_path / "out")
    r = c.report.set_index("file")
    assert r.loc["fine.txt", "status"] == "analysed" and r.loc["slow.txt", "status"] == "skipped"
    assert r.loc["slow.txt", "reason"] == ("could not be processed: TimeoutError: regular-expression match exceeded "
                                           "its 5.0s time limit")


@pytest.mark.slow
def test_a_ten_megabyte_line_is_analysed(tmp_path):
    root = badinput.build_case(BY_ID["long_line"], tmp_path / "c")
    c = build_corpus(root, tmp_path / "out")
    assert c.report["status"].tolist() == ["analysed"] and c.articles["sentences"].iloc[0] > 100_000
    assert c.sentences["text"].str.len().max() < 200      # pieces are cut between sentences, not inside them


def test_nothing_analysable_still_gives_the_dataset_and_the_report(tmp_path):
    root = badinput.build_case(BY_ID["all_skipped"], tmp_path / "c")
    c = build_corpus(root, tmp_path / "out")
    assert c.articles.empty and sorted(c.report["file"]) == ["arabic.txt", "binary.txt", "empty.txt"]
    assert (c.report["status"] == "skipped").all() and (c.report["reason"] != "").all()
    with pytest.raises(dataset.DatasetError, match=r"no analysable articles: every input of .* was skipped; see "
                                                   r".*tables/ingest_report.csv"):
        dataset.load(tmp_path / "out")


@pytest.mark.slow
def test_a_run_with_nothing_analysable_publishes_the_report_and_stops(tmp_path):
    root = badinput.build_case(BY_ID["all_skipped"], tmp_path / "c")
    result = cli("run", "--corpus", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = tmp_path / "out" / "tables" / "ingest_report.csv"
    assert f"nothing to analyse: every input of {root} was skipped" in result.stderr and str(report) in result.stderr
    assert len(pd.read_csv(report)) == 3 and (tmp_path / "out" / "rendered" / "01_ingest.html").exists()
    assert not (tmp_path / "out" / "rendered" / "02_terminology.html").exists()


def test_output_folder_inside_the_corpus_is_refused(tmp_path):
    root = badinput.build_case(BY_ID["out_inside"], tmp_path / "c")
    for out in (root, root / "out"):
        with pytest.raises(ingest.CorpusError, match="inside the corpus folder"):
            build_corpus(root, out)
        result = cli("run", "--corpus", str(root), "--out", str(out))
        assert result.returncode == 1 and "inside the corpus folder" in result.stderr and "choose --out" in result.stderr
    assert sorted(p.name for p in root.iterdir()) == ["a.txt"]     # nothing written into the corpus


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
