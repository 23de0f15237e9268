"""What a user runs, end to end: ``python -m analysis run`` on generated corpora, timed and measured.

    .venv/bin/python benchmarks/bench_run.py --n 1000 10000 100000 --outlets 500 --groups 6 \\
        [--scheduler local] [--workdir /tmp/bench_run]

Each corpus is ``bench_scale.make_corpus`` (resampled, perturbed seed sentences; seeded) with its
manifest rewritten: ``--outlets`` outlets whose sizes follow a Zipf law (a few large, a long tail),
each in one of ``--groups`` groups, dates spread over 2024, and the seeds' ``study.yaml`` (the sentences are
resampled from the seeds, so their lexicon finds its terms). For every run it prints: wall time per
notebook (from the run's own progress lines), total wall and CPU time (the run and every kernel it
waited for), peak RSS of the whole process tree (sampled every 0.1 s), and per notebook, the size of ``rendered/``,
the largest rendered page and the largest figure side in pixels.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def make(n: int, outlets: int, groups: int, root: Path, seed: int = 0) -> Path:
    spec = importlib.util.spec_from_file_location("bench_scale", HERE / "bench_scale.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.make_corpus(n, root, seed)
    m = pd.read_csv(root / "manifest.csv", dtype=str)
    rng = np.random.default_rng(seed + 7)
    weights = 1 / np.arange(1, outlets + 1)
    k = rng.choice(outlets, size=len(m), p=weights / weights.sum())
    m["outlet"] = [f"Outlet {i:03d}" for i in k]
    m["group"] = [f"Group {chr(65 + i % groups)}" for i in k]
    m.to_csv(root / "manifest.csv", index=False)
    shutil.copyfile(HERE.parent / "seeds" / "study.yaml", root / "study.yaml")   # the seed sentences' own study
    return root


class TreePeak:
    """Peak RSS of a process and all its descendants, sampled in a thread, overall and per ``label`` (the notebook
    running, or "02+03" for two side by side; the whole run's peak is the largest of these)."""

    def __init__(self, pid: int):
        import psutil

        self.proc, self.peak, self.stop = psutil.Process(pid), 0, threading.Event()
        self.label, self.peaks = "start", {}
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        import psutil

        while not self.stop.wait(0.1):
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                rss = sum(p.memory_info().rss for p in procs if p.is_running())
                self.peak, self.peaks[self.label] = max(self.peak, rss), max(self.peaks.get(self.label, 0), rss)
            except psutil.Error:
                pass


def png_side(path: Path) -> int:
    w, h = struct.unpack(">II", path.read_bytes()[16:24])
    return max(w, h)


def measure(corpus: Path, out: Path, scheduler: str | None) -> dict:
    cmd = [sys.executable, "-m", "analysis", "run", "--corpus", str(corpus), "--out", str(out)]
    cmd += ["--scheduler", scheduler] if scheduler else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    peak = TreePeak(proc.pid)
    marks, lines = [], []
    for line in proc.stderr:   # "running 01_ingest.ipynb" (or "running 02_... and 03_... side by side") marks starts
        lines.append(line)
        if line.startswith("running "):
            marks.append(("+".join(w[:2] for w in line.split() if w.endswith(".ipynb")), time.perf_counter()))
            peak.label = marks[-1][0]
    proc.wait()
    wall = time.perf_counter() - t0
    peak.stop.set()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"run failed ({proc.returncode}):\n{''.join(lines[-20:])}")
    ends = [t for _, t in marks[1:]] + [t0 + wall]
    rendered = list((out / "rendered").glob("*"))
    return {"wall_s": wall, "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "peak_rss_mb": peak.peak / 2 ** 20, **{f"{nb}_s": e - s for (nb, s), e in zip(marks, ends)},
            **{f"{nb}_peak_mb": v / 2 ** 20 for nb, v in sorted(peak.peaks.items()) if nb != "start"},
            "rendered_mb": sum(p.stat().st_size for p in rendered) / 2 ** 20,
            "largest_page_mb": max(p.stat().st_size for p in rendered if p.suffix == ".html") / 2 ** 20,
            "largest_figure_px": max(png_side(p) for p in (out / "figures").glob("*.png"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1000])
    ap.add_argument("--outlets", type=int, default=500)
    ap.add_argument("--groups", type=int, default=6)
    ap.add_argument("--scheduler", default=None)
    ap.add_argument("--workdir", default="/tmp/bench_run")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout
    print(f"commit {commit.strip()}, load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, "
          f"scheduler {args.scheduler or 'in-process'}", flush=True)
    rows = []
    for n in args.n:
        corpus = make(n, args.outlets, args.groups, Path(args.workdir) / f"corpus_{n}_{args.outlets}")
        out = Path(args.workdir) / f"out_{n}_{args.outlets}_{args.scheduler or 'inproc'}"
        row = {"articles": n, "outlets": args.outlets, **measure(corpus, out, args.scheduler),
               "load_after": os.getloadavg()[0]}
        rows.append(row)
        print(pd.DataFrame([row]).round(1).to_string(index=False), flush=True)
    print(pd.DataFrame(rows).round(1).to_string(index=False))


if __name__ == "__main__":
    main()
