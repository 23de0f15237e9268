"""A seed run against its floor, side by side: what the analysis costs beyond starting four notebooks.

    .venv/bin/python benchmarks/bench_seed.py [--pairs 3] [--workdir /tmp/bench_seed]

The floor is the four notebooks reduced to their import statements, executed one after another with papermill
exactly as ``python -m analysis run`` executes the real ones (a fresh kernel each). After one warm-up of each (the
run then re-uses its ingest and validation caches, as a user's second run does), the two commands are timed in turn
``--pairs`` times; it prints each pair, the medians, their ratio and the median of the pairs' ratios (each pair's
two timed back to back), with the commit and the machine's load. CPU time (user + system, the command and every
kernel it ran) is printed too: on a machine shared with other work the wall-time ratio moves with the load (the
run's kernels side by side get a larger share of the cores than the floor's one at a time), the CPU ratio much less.
"""
from __future__ import annotations

import argparse
import ast
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent


def floor_notebooks(folder: Path) -> list[Path]:
    """Each analysis notebook reduced to one code cell holding its top-level imports."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for nb_path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        imports = [ast.get_source_segment(c.source, node) for c in nb.cells if c.cell_type == "code"
                   for node in ast.parse(c.source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
        floor = nbformat.v4.new_notebook(metadata=nb.metadata, cells=[nbformat.v4.new_code_cell("\n".join(imports))])
        nbformat.write(floor, folder / nb_path.name)
        made.append(folder / nb_path.name)
    return made


def cpu() -> float:
    """User + system seconds of every finished child process (and the descendants each waited for)."""
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``cmd`` and its descendants."""
    t0, c0 = time.perf_counter(), cpu()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - t0, cpu() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/bench_seed")
    args = ap.parse_args()
    work = Path(args.workdir)
    nbs = floor_notebooks(work / "floor")
    run = [sys.executable, "-m", "analysis", "run", "--out", str(work / "run")]
    floor = [sys.executable, "-c", "import papermill as pm, sys\nfor nb in sys.argv[1:]:\n"
             "    pm.execute_notebook(nb, nb + '.out.ipynb', kernel_name='python3', progress_bar=False)", *map(str, nbs)]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout
    print(f"commit {commit.strip()}, load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores", flush=True)
    timed(run), timed(floor)   # warm-up: caches, imports in the page cache
    pairs = []
    for i in range(args.pairs):
        (r, rc), (f, fc) = timed(run), timed(floor)
        pairs.append((r, f, rc, fc))
        print(f"pair {i + 1}: run {r:.1f} s, floor {f:.1f} s, ratio {r / f:.2f} (CPU {rc:.1f} s, {fc:.1f} s, ratio "
              f"{rc / fc:.2f}; load average {os.getloadavg()[0]:.2f})", flush=True)
    r, f, rc, fc = (statistics.median(p[i] for p in pairs) for i in range(4))
    each = statistics.median(p[0] / p[1] for p in pairs)   # a pair's two are timed back to back, under one load
    print(f"median: run {r:.1f} s, floor {f:.1f} s, ratio {r / f:.2f}; CPU {rc:.1f} s, {fc:.1f} s, ratio {rc / fc:.2f} "
          f"(load average {os.getloadavg()[0]:.2f}); median of the pairs' wall ratios {each:.2f}")


if __name__ == "__main__":
    main()
