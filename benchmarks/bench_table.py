"""A corpus given as one big table: ``dataset.build`` on generated Parquet files, wall time and peak memory.

    .venv/bin/python benchmarks/bench_table.py --n 50000 500000 [--partition-size 500] [--workdir /tmp/bench_table]

Each table (seeded) has one row per article: ``id``, ``text`` (a title line and 4-7 sentences of 8-16 words
drawn from the seed articles' vocabulary, so the text is English and no two rows are near duplicates),
``outlet`` (one of 50) and ``published`` (a date in 2024); it is written 10,000 rows at a time, so the
generator never holds it either. Two steps are measured, each in a fresh child process with an empty cache
(peak RSS from ``os.wait4``): ``read``, ``table_corpus.split`` alone (the table read a chunk at a time, chunks
written to the cache, metadata kept), and ``build``, the whole ``dataset.build`` (ingest, duplicates, report).
Bounded memory means the peak of ``read`` does not grow with the table the way its size does.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

def make(n: int, path: Path, seed: int = 0) -> Path:
    """A Parquet table of ``n`` generated articles, written in row groups of 10,000."""
    from analysis import paths, text

    vocab = sorted({w.lower() for f in sorted(paths.SEEDS.glob("*.txt")) for w in text.words(f.read_text("utf-8"))
                    if w.isalpha()})
    rng = np.random.default_rng(seed)
    schema = pa.schema([(name, pa.string()) for name in ("id", "text", "outlet", "published")])
    with pq.ParquetWriter(path.with_suffix(".tmp"), schema) as writer:   # complete or absent
        for start in range(0, n, 10_000):
            rows = []
            for i in range(start, min(n, start + 10_000)):
                sents = [" ".join(rng.choice(vocab, rng.integers(8, 17))).capitalize() + "."
                         for _ in range(rng.integers(4, 8))]
                date = f"2024-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"
                rows.append((f"a{i:07d}", " ".join(rng.choice(vocab, 6)).capitalize() + "\n\n" + " ".join(sents),
                             f"Outlet {rng.integers(50):02d}", date))
            writer.write_table(pa.table(list(zip(*rows)), schema=schema))
    return path.with_suffix(".tmp").replace(path)

STEPS = {"read": """
import sys
from pathlib import Path
from analysis import table_corpus
parts, skipped, rows, _ = table_corpus.split(Path(sys.argv[1]), None, int(sys.argv[3]), Path(sys.argv[2]), [])
print(len(rows), len(skipped))
""", "build": """
import sys
from analysis import dataset
ds = dataset.build(sys.argv[1], sys.argv[2], limits=dataset.Limits(partition_size=int(sys.argv[3])))
print(len(ds.articles), (ds.report["status"] == "skipped").sum())
"""}

def measure(step: str, table: Path, out: Path, partition_size: int) -> dict:
    """Run ``step`` on ``table`` in a child process: wall seconds, peak RSS (MB), articles (rows read), skipped."""
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", STEPS[step], str(table), str(out), str(partition_size)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status:
        raise SystemExit(f"build of {table} failed (status {status})")
    articles, skipped = map(int, output.split())
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "articles": articles, "skipped": skipped}

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--partition-size", type=int, default=500)
    parser.add_argument("--steps", nargs="+", default=list(STEPS), choices=list(STEPS))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_table"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>8} {'table MB':>9} {'step':>6} {'wall s':>8} {'rows/s':>7} {'peak RSS MB':>12} {'articles':>9} "
          f"{'skipped':>8}")
    for n in args.n:
        table = args.workdir / f"table_{n}.parquet"
        table = table if table.exists() else make(n, table)   # seeded: the same table every time
        for step in args.steps:
            r = measure(step, table, args.workdir / f"{step}_{n}", args.partition_size)
            print(f"{n:>8,} {table.stat().st_size / 1e6:>9.1f} {step:>6} {r['wall_s']:>8.1f} {n / r['wall_s']:>7.0f} "
                  f"{r['peak_rss_mb']:>12.0f} {r['articles']:>9,} {r['skipped']:>8,}", flush=True)

if __name__ == "__main__":
    main()
