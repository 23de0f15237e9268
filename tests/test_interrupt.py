"""Killed, failed and concurrent runs: the previous complete outputs survive, the next run succeeds."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import paths, run

NOTEBOOKS = ["01_ingest", "02_terminology"]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True)


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def snapshot(out: Path) -> dict[str, bytes]:
    """Every published file (the cache and the lock aside) and its bytes."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).parts[0].startswith(".")}


def wait_for(condition, timeout: float, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"run ended early ({proc.returncode}): {proc.stderr.read()}")
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture()
def corpus_copy(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(paths.SEEDS, root)
    return root


@pytest.fixture()
def baseline(corpus_copy, tmp_path):
    out = tmp_path / "out"
    result = cli("run", "--corpus", str(corpus_copy), "--out", str(out), "--only", *NOTEBOOKS)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_killed_run_leaves_previous_outputs_and_next_run_takes_over(baseline, corpus_copy):
    out = baseline
    before = snapshot(out)
    assert "tables/articles.csv" in before and "rendered/01_ingest.html" in before
    # change the corpus, so a completed run would change the tables
    first = sorted(corpus_copy.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nAn added paragraph about the militia and the resistance.\n",
                     encoding="utf-8")
    proc = start("run", "--corpus", str(corpus_copy), "--out", str(out), "--only", *NOTEBOOKS)
    try:
        wait_for(lambda: (out / ".staging" / "rendered" / "01_ingest.html").exists(), 120, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert (out / ".run.lock").exists()                     # left behind, naming a dead process
    time.sleep(2)                                           # the orphaned kernel notices its parent is gone
    assert snapshot(out) == before, "a killed run changed the published outputs"
    assert not list(out.glob("*/.*.tmp"))

    result = cli("run", "--corpus", str(corpus_copy), "--out", str(out), "--only", *NOTEBOOKS)
    assert result.returncode == 0, result.stderr
    after = snapshot(out)
    assert after.keys() >= before.keys()
    assert after["tables/articles.csv"] != before["tables/articles.csv"]
    assert not (out / ".staging").exists() and not (out / ".run.lock").exists()


@pytest.mark.slow
def test_second_run_into_the_same_folder_fails_fast_naming_the_lock(corpus_copy, tmp_path):
    out = tmp_path / "out"
    proc = start("run", "--corpus", str(corpus_copy), "--out", str(out), "--only", "01_ingest")
    try:
        lock = out / ".run.lock"
        wait_for(lambda: lock.exists() and lock.read_text().strip() == str(proc.pid), 60, proc)
        t0 = time.monotonic()
        second = cli("run", "--corpus", str(corpus_copy), "--out", str(out), "--only", "01_ingest")
        took = time.monotonic() - t0
        assert second.returncode == 1
        assert f"another run (process {proc.pid})" in second.stderr and str(lock) in second.stderr
        assert second.stderr.strip().count("\n") == 0 and "Traceback" not in second.stderr
        assert took < 30
    finally:
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err                        # the first run was not disturbed
    assert (out / "tables" / "articles.csv").exists() and not lock.exists()


@pytest.mark.slow
def test_failed_run_leaves_previous_outputs(corpus_copy, tmp_path):
    baseline = tmp_path / "out"
    result = cli("run", "--corpus", str(corpus_copy), "--out", str(baseline), "--only", "01_ingest")
    assert result.returncode == 0, result.stderr
    before = snapshot(baseline)
    (corpus_copy / "manifest.csv").write_text("filename,source\nx.txt,X\n", encoding="utf-8")
    result = cli("run", "--corpus", str(corpus_copy), "--out", str(baseline), "--only", "01_ingest")
    assert result.returncode == 1
    assert "01_ingest.ipynb failed" in result.stderr and "needs at least 'file' and 'outlet'" in result.stderr
    assert str(corpus_copy / "manifest.csv") in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error:") and "Traceback" not in result.stderr
    assert snapshot(baseline) == before
    assert not (baseline / ".staging").exists() and not (baseline / ".run.lock").exists()


def test_lock_is_exclusive_and_a_dead_holder_is_taken_over(tmp_path):
    lock = tmp_path / ".run.lock"
    lock.write_text("999999999")                 # a lock file left by a killed run
    with run.Lock(tmp_path):
        assert lock.read_text() == str(os.getpid())
        other = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from analysis import run\n"
                                f"with run.Lock(Path({str(tmp_path)!r})): pass"], capture_output=True, text=True)
        assert other.returncode != 0 and f"another run (process {os.getpid()})" in other.stderr
    assert not lock.exists()
    with run.Lock(tmp_path):                     # released: can be taken again
        pass


def _staging(tmp_path) -> tuple[Path, Path]:
    staging, out = tmp_path / "out" / ".staging", tmp_path / "out"
    for i in range(6):
        p = staging / ("tables" if i % 2 else "figures") / f"f{i}.csv"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"new {i}\n")
        (out / p.relative_to(staging)).parent.mkdir(parents=True, exist_ok=True)
        (out / p.relative_to(staging)).write_text(f"old {i}\n")
    return staging, out


def test_publish_killed_half_way_is_finished_by_the_next_run(tmp_path, monkeypatch):
    staging, out = _staging(tmp_path)
    real, calls = os.replace, []

    def dying_move(src, dst):
        calls.append(src)
        if len(calls) == 3:
            real(src, dst)
            raise KeyboardInterrupt          # killed half-way through moving the outputs
        return real(src, dst)

    monkeypatch.setattr(os, "replace", dying_move)
    with pytest.raises(KeyboardInterrupt):
        run._publish(staging, out)
    monkeypatch.setattr(os, "replace", real)
    assert (staging / run.COMPLETE).exists()
    assert run._recover(staging, out) is True
    assert sorted(p.read_text() for p in out.rglob("f*.csv")) == [f"new {i}\n" for i in range(6)]
    assert not staging.exists() and not list(out.rglob(".*.tmp"))


def test_unfinished_staging_is_dropped_not_published(tmp_path):
    staging, out = _staging(tmp_path)
    assert run._recover(staging, out) is False
    assert sorted(p.read_text() for p in out.rglob("f*.csv")) == [f"old {i}\n" for i in range(6)]
    assert not staging.exists()
