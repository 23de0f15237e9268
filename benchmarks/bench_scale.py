"""Throughput and peak memory of the whole per-article pipeline at growing corpus sizes, in-process and on Dask.

    .venv/bin/python benchmarks/bench_scale.py --n 1000 10000 100000 --partition-size 500 \\
        [--sentiment-max-n 10000] [--naive-max-n 10000] [--pairs 5] [--dask-n 100000] [--workdir /tmp/bench_scale] \\
        [--profile]

For each N a synthetic corpus is built (seeded) by resampling sentences of the ingested seed
articles: each article has a short title and 10-40 body sentences (no repeats within an article,
1-4 sentences per paragraph line) and a manifest assigns it to one of 20 outlets. In every resampled
sentence a seeded random 25% of the ordinary words are replaced by words of a pseudo-vocabulary (seed
words with English prefixes and suffixes, ~46,000 words; lexicon and target words are never replaced), so 5-word
shingles rarely repeat across articles and articles are not near duplicates of each other, as in a
real corpus. Each measurement
runs in a fresh child process with an empty ingest cache, and samples the RSS of the whole process
tree (the child plus any Dask workers) with psutil, so peaks of different runs do not mix.

Stages (all through ``Corpus.map``: pure functions over partitions whose partial tables are
concatenated or summed, so memory stays bounded by partition size):

* ingest    - ``corpus.load_corpus`` (decode, clean, sentences, MinHash, duplicates, manifest join)
* terms     - ``terms.match_sentences`` + ``terms.term_counts`` per partition, summed to outlet totals
* sentiment - ``sentiment.score_sentences`` (VADER + TextBlob, raw + masked, targets) per partition,
              reduced to per-article means

``--profile`` also runs each stage (and whole-text sentiment, and the naive loop) once in one process with its
steps' functions wrapped in a CPU timer, and prints where the time goes.

Baseline ("naive"): what a typical notebook does - a Python loop over the files calling TextBlob and
VADER on each whole article and counting every lexicon entry with ``str.count``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUTLETS = [f"Outlet {i:02d}" for i in range(1, 21)]


# --------------------------------------------------------------------------- synthetic corpus

def seed_pool() -> tuple[list[str], list[str]]:
    """(body sentences, titles) of the ingested seed articles."""
    from analysis import dataset, paths

    with tempfile.TemporaryDirectory() as tmp:
        c = dataset.build(paths.SEEDS, tmp)
        s = c.sentences
    body = sorted(set(s.loc[s["part"] == "body", "text"].str.strip()) - {""})
    titles = sorted(set(s.loc[s["part"] == "title", "text"].str.strip()) - {""})
    return body, titles


REPLACE_SHARE = 0.25                  # share of ordinary words replaced in each resampled sentence
PREFIXES = ("", "re", "un", "pre", "over", "co")
SUFFIXES = ("", "s", "ed", "ing", "er", "ly", "ness", "ment", "ful", "ist", "ion", "al")
_TOKEN = re.compile(r"^([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)$")


def protected_words() -> set[str]:
    """Lower-case words of every lexicon entry and sentiment target: never replaced, so term matching
    and target masking find what the seed sentences hold."""
    from analysis import lexicon, paths

    lex = lexicon.load_lexicon(paths.SEED_STUDY)
    out = set()
    entries = [e for vs in lex.families.values() for es in vs.values() for e in es]
    for t in (lex.targets or {}).values():
        entries += list(t) if isinstance(t, (list, tuple, set)) else [str(t)]
    for e in entries:
        out.update(w for w in re.split(r"[^a-z]+", str(e).lower()) if w)
    return out


def pseudo_vocabulary(body: list[str], protected: set[str], seed: int) -> np.ndarray:
    """A large seeded pseudo-vocabulary: every seed word (3+ letters) with English-like suffixes
    and prefixes (so language identification still sees English), minus the protected lexicon words."""
    stems = sorted({w.lower() for s in body for w in re.findall(r"[A-Za-z]{3,}", s)} - protected)
    vocab = sorted({pre + st + suf for pre in PREFIXES for st in stems for suf in SUFFIXES} - protected)
    return np.random.default_rng(seed + 1).permutation(np.array(vocab, dtype=object))


def perturb(tokens: list[tuple], rng, vocab: np.ndarray) -> str:
    """One resampled sentence with a random ``REPLACE_SHARE`` of its replaceable words swapped for
    pseudo-vocabulary words (punctuation and capitalisation kept), so 5-word shingles rarely repeat
    across articles and synthetic articles are not near duplicates of each other."""
    hit = rng.random(len(tokens)) < REPLACE_SHARE
    picks = vocab[rng.integers(len(vocab), size=len(tokens))]
    out = []
    for (raw, pre, core, suf), h, w in zip(tokens, hit, picks):
        if h and core is not None:
            out.append(pre + (w.capitalize() if core[0].isupper() else w) + suf)
        else:
            out.append(raw)
    return " ".join(out)


def _tokenise(sentence: str, protected: set[str]) -> list[tuple]:
    """(raw, prefix, core, suffix) per whitespace token; core None when the token must stay."""
    toks = []
    for raw in sentence.split():
        m = _TOKEN.match(raw)
        ok = m and m.group(2).lower() not in protected and len(m.group(2)) > 1
        toks.append((raw, m.group(1), m.group(2), m.group(3)) if ok else (raw, "", None, ""))
    return toks


def make_corpus(n: int, root: Path, seed: int = 0) -> Path:
    """Write ``n`` synthetic articles plus ``manifest.csv`` under ``root`` (reused when already built)."""
    done = root / ".complete"
    tag = f"{n} {seed} perturb{REPLACE_SHARE}"
    if done.exists() and done.read_text() == tag:
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    body, titles = seed_pool()
    protected = protected_words()
    vocab = pseudo_vocabulary(body, protected, seed)
    body_toks = [_tokenise(s, protected) for s in body]
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        k = int(rng.integers(10, 41))
        picked = rng.choice(len(body), size=min(k, len(body)), replace=False)
        sents = [perturb(body_toks[j], rng, vocab) for j in picked]
        words = sents[int(rng.integers(len(sents)))].split()[:8]
        title = " ".join(w.strip(".,;:!?\"“”") for w in words) + f" {i}"   # unique, no final punctuation
        paras, j = [], 0
        while j < len(sents):
            step = int(rng.integers(1, 5))
            paras.append(" ".join(sents[j:j + step]))
            j += step
        sub = root / f"{i // 1000:04d}"
        sub.mkdir(exist_ok=True)
        rel = f"{sub.name}/a{i:07d}.txt"
        (root / rel).write_text(title + "\n\n" + "\n".join(paras) + "\n", encoding="utf-8")
        month, day = int(rng.integers(1, 13)), int(rng.integers(1, 29))
        rows.append((rel, OUTLETS[int(rng.integers(len(OUTLETS)))], f"2024-{month:02d}-{day:02d}"))
    pd.DataFrame(rows, columns=["file", "outlet", "published"]).to_csv(root / "manifest.csv", index=False)
    done.write_text(tag)
    return root


# --------------------------------------------------------------------------- partition functions

def terms_partition(sentences: pd.DataFrame, articles: pd.DataFrame, lexicon) -> pd.DataFrame:
    """Hits -> per-article counts -> per-outlet sums for one partition (partials add up)."""
    from analysis import terms

    counts = terms.term_counts(terms.match_sentences(sentences, lexicon), articles, lexicon)
    return counts.groupby(["outlet", "family", "variant", "voice"], as_index=False)[["count", "words"]].sum()


def sentiment_partition(sentences: pd.DataFrame, lexicon) -> pd.DataFrame:
    """Per-sentence scores (both engines, raw + masked) -> per-article means (partitions hold whole articles)."""
    from analysis import sentiment

    s = sentiment.score_sentences(sentences, lexicon)
    cols = [f"{e}{x}" for e in sentiment.ENGINES for x in ("", "_masked")]
    return s.groupby("file", as_index=False).agg(sentences=("index", "size"), words=("words", "sum"),
                                                 **{c: (c, "mean") for c in cols})


# --------------------------------------------------------------------------- memory

class PeakRSS:
    """Peak RSS of this process plus all its descendants (Dask nannies and workers), sampled."""

    def __init__(self, every: float = 0.05):
        import psutil

        self.proc, self.every, self.peak, self._stop = psutil.Process(), every, 0, threading.Event()
        self.peak_client = 0   # this process alone (for Dask: the client, which also hosts the scheduler)

    def sample(self) -> int:
        import psutil

        total = own = self.proc.memory_info().rss
        for p in self.proc.children(recursive=True):
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        self.peak, self.peak_client = max(self.peak, total), max(self.peak_client, own)
        return total

    def __enter__(self):
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.every):
            self.sample()

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()

    def cpu(self) -> float:
        """CPU seconds (user + system) used so far by this process and its live descendants."""
        import psutil

        total = 0.0
        for p in [self.proc] + self.proc.children(recursive=True):
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total


# --------------------------------------------------------------------------- one measurement (child)

def warm_up() -> None:
    """Load the models every stage uses lazily (language id, sentence splitter, sentiment lexicons)."""
    from analysis import ingest, lexicon, paths, sentiment

    f = sorted(paths.SEEDS.glob("*.txt"))[0]
    ingest.ingest_file(f, f.name, ingest.Limits(), ingest.load_rules())
    lex = lexicon.load_lexicon(paths.SEED_STUDY)
    sentiment.score_sentences(pd.DataFrame({"file": ["w"], "index": [0], "text": ["warm up"], "words": [2]}), lex)


def reference_s(repeats: int = 10, rounds: int = 3) -> float:
    """Seconds for a fixed single-process workload (ingest the seed files and match their sentences,
    ``repeats`` times; the best of ``rounds``, as ``timeit`` does): the machine's speed just before
    and after a measurement. On a shared or virtual machine it drifts, so read throughput across
    rows and runs against this, not only against N."""
    from analysis import ingest, lexicon, paths, terms

    files, rules, lex = sorted(paths.SEEDS.glob("*.txt")), ingest.load_rules(), lexicon.load_lexicon(paths.SEED_STUDY)
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(repeats):
            recs = [ingest.ingest_file(f, f.name, ingest.Limits(), rules) for f in files]
            terms.match_sentences(pd.DataFrame([s for r in recs for s in r["sentences"]]), lex)
        best = min(best, time.perf_counter() - t)
    return best


def run_pipeline(root: Path, partition_size: int, scheduler: str | None, stages: list[str]) -> dict:
    from analysis import dataset, engine, ingest, lexicon, paths

    lex = lexicon.load_lexicon(paths.SEED_STUDY)
    out = {"load_before": os.getloadavg()[0]}
    t = time.perf_counter()
    warm_up()
    if scheduler:
        engine.get_client(scheduler).run(warm_up)   # a standing cluster has its workers warm
    out["startup_s"] = time.perf_counter() - t
    out["reference_before_s"] = reference_s()
    cache = Path(tempfile.mkdtemp(prefix="bench_scale_cache_"))
    try:
        with PeakRSS() as mem:
            base = mem.sample()
            cpu0 = mem.cpu()
            t0 = time.perf_counter()
            c = dataset.build(root, cache, limits=ingest.Limits(partition_size=partition_size), study=paths.SEED_STUDY,
                              scheduler=scheduler)
            out["ingest_s"], out["ingest_cpu_s"] = time.perf_counter() - t0, mem.cpu() - cpu0
            out["articles"] = int(len(c.articles))
            out["words"] = int(c.articles["words"].sum())
            out["sentences"] = int(c.articles["sentences"].sum())
            out["partitions"] = len(c.parts)
            if "terms" in stages:
                t, cpu = time.perf_counter(), mem.cpu()
                partial = c.map(terms_partition, desc="terms", articles=c.articles, lexicon=lex)
                rates = partial.groupby(["outlet", "family", "variant", "voice"], as_index=False)[["count", "words"]].sum()
                out["terms_s"], out["terms_cpu_s"] = time.perf_counter() - t, mem.cpu() - cpu
                out["term_hits"] = int(rates.loc[rates["voice"] == "all", "count"].sum())
            if "sentiment" in stages:
                t, cpu = time.perf_counter(), mem.cpu()
                arts = c.map(sentiment_partition, desc="sentiment", lexicon=lex)
                out["sentiment_s"], out["sentiment_cpu_s"] = time.perf_counter() - t, mem.cpu() - cpu
                out["sentiment_articles"] = int(len(arts))
            out["total_s"] = time.perf_counter() - t0
            out["cpu_s"] = mem.cpu() - cpu0
        out["load_after"] = os.getloadavg()[0]
        out["reference_after_s"] = reference_s()
        out["peak_rss_mb"] = mem.peak / 2 ** 20
        out["peak_client_mb"] = mem.peak_client / 2 ** 20
        out["base_rss_mb"] = base / 2 ** 20
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return out


def run_naive(root: Path) -> dict:
    """A per-article Python loop: TextBlob and VADER on the whole text, lexicon entries by ``str.count``."""
    from textblob import TextBlob
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from analysis import lexicon, paths

    lex = lexicon.load_lexicon(paths.SEED_STUDY)
    entries = sorted({e.lower() for fam, vs in lex.families.items() if fam != lexicon.PROPER
                      for es in vs.values() for e in es})
    vader = SentimentIntensityAnalyzer()
    files = sorted(p for p in root.rglob("*.txt"))
    TextBlob("warm up").sentiment
    with PeakRSS() as mem:
        cpu0 = mem.cpu()
        t0 = time.perf_counter()
        rows, words = [], 0
        for p in files:
            text = p.read_text("utf-8")
            words += len(text.split())
            row = {"file": p.name, "textblob": TextBlob(text).sentiment.polarity,
                   "vader": vader.polarity_scores(text)["compound"]}
            low = text.lower()
            row.update({e: low.count(e) for e in entries})
            rows.append(row)
        df = pd.DataFrame(rows)
        out = {"total_s": time.perf_counter() - t0, "articles": len(df), "words": words, "cpu_s": mem.cpu() - cpu0}
    out["peak_rss_mb"] = mem.peak / 2 ** 20
    return out


# --------------------------------------------------------------------------- where the time goes

def steps() -> dict:
    """Per stage, the steps timed: (step, owner, attribute), a function or method the stage looks up to call it."""
    from datasketch import MinHash
    from textblob.en.sentiments import PatternAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from analysis import ingest, lexicon, sentiment, terms, text

    vader, pattern = type(sentiment._vader()), type(sentiment._pattern())
    engines = [("VADER", vader, "polarity_scores"), ("TextBlob", pattern, "__call__")]
    return {"ingest": [("per-file steps (ingest_file), of which:", ingest, "ingest_file"),
                       ("decode", ingest, "decode"), ("normalise", ingest, "normalise"),
                       ("clean (chrome rules, title)", ingest, "clean"),
                       ("language id (text.language)", text, "language"),
                       ("sentences (Punkt)", text, "sentence_spans"), ("word counts", text, "count_words"),
                       ("MinHash hashing", MinHash, "update_batch")],
            "terms": [("term matching (match_sentences)", terms, "match_sentences"),
                      ("of which lexicon look-ups (Lexicon.uses)", lexicon.Lexicon, "uses"),
                      ("term counts", terms, "term_counts")],
            "sentiment": [(f"{e} (raw + masked where masking changed what it reads)", o, a) for e, o, a in engines] + [
                ("targets", sentiment, "targets"), ("masking", sentiment, "_mask"),
                ("tokenising (once per sentence, in targets)", lexicon, "tokenised")],
            "whole-text sentiment": engines,
            "naive loop": [("VADER (library, whole text)", SentimentIntensityAnalyzer, "polarity_scores"),
                           ("TextBlob (library, whole text)", PatternAnalyzer, "analyze")]}


def profile(root: Path, partition_size: int) -> list[tuple[str, str, float, float]]:
    """(stage, step, CPU seconds, share of the stage): each stage run once in this process with its steps' functions
    wrapped in a CPU timer (about a microsecond per call: unlike cProfile, it does not inflate many small calls)."""
    from analysis import dataset, ingest, lexicon, paths, sentiment

    warm_up()
    lex, cache = lexicon.load_lexicon(paths.SEED_STUDY), Path(tempfile.mkdtemp(prefix="bench_scale_profile_"))
    spent, c = {}, None

    def timer(owner, attr):
        func = getattr(owner, attr)

        def timed(*args, **kwargs):
            t = time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent[owner, attr] = spent.get((owner, attr), 0.0) + time.process_time() - t
        setattr(owner, attr, timed)

    def build():
        nonlocal c
        c = dataset.build(root, cache, limits=ingest.Limits(partition_size=partition_size), study=paths.SEED_STUDY)

    def naive():
        with contextlib.redirect_stdout(io.StringIO()):
            run_naive(root)

    stages = {"ingest": build, "terms": lambda: c.map(terms_partition, desc="terms", articles=c.articles, lexicon=lex),
              "sentiment": lambda: c.map(sentiment_partition, desc="sentiment", lexicon=lex),
              "whole-text sentiment": lambda: c.map_articles(sentiment.whole_scores), "naive loop": naive}
    timed, rows = steps(), []
    for owner, attr in {(o, a) for fs in timed.values() for _, o, a in fs}:
        timer(owner, attr)
    try:
        for stage, run in stages.items():
            spent.clear()
            t = time.process_time()
            run()
            total = time.process_time() - t
            rows.append((stage, "(stage total)", total, 1.0))
            rows += [(stage, step, spent.get((o, a), 0.0), spent.get((o, a), 0.0) / total)
                     for step, o, a in timed[stage]]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return rows


def child(args) -> None:
    root = Path(args.child_root)
    if args.child_mode == "profile":
        print("RESULT " + json.dumps({"rows": profile(root, args.partition_size)}), flush=True)
        os._exit(0)
    if args.child_mode == "naive":
        res = run_naive(root)
    else:
        sched = None if args.child_mode == "inproc" else args.child_mode
        res = run_pipeline(root, args.partition_size, sched, args.stages.split(","))
    print("RESULT " + json.dumps(res), flush=True)
    os._exit(0)   # do not wait for a Dask cluster's orderly shutdown


def measure(root: Path, mode: str, args, stages: list[str]) -> dict:
    cmd = [sys.executable, __file__, "--child-root", str(root), "--child-mode", mode,
           "--partition-size", str(args.partition_size), "--stages", ",".join(stages)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    line = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
    if proc.returncode or not line:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"measurement failed: {' '.join(cmd)}")
    res = json.loads(line[-1][len("RESULT "):])
    res["load"] = os.getloadavg()[0]   # 1-minute load average after the run: other work on the machine
    return res


# --------------------------------------------------------------------------- parent

def fmt(res: dict, label: str, n: int) -> str:
    rate = res["articles"] / res["total_s"]
    wps = res["words"] / res["total_s"]
    stages = " ".join(f"{k} {res[k + '_s']:.1f}s (CPU {res.get(k + '_cpu_s', float('nan')):.1f}s)"
                      for k in ("ingest", "terms", "sentiment") if k + "_s" in res)
    if res["peak_rss_mb"] > res.get("peak_client_mb", res["peak_rss_mb"]) + 1:   # Dask: workers are separate processes
        stages += f"; client alone peaked at {res['peak_client_mb']:,.0f} MB"
    stages += f"; load {res['load']:.1f}"
    if "reference_before_s" in res:   # the machine's speed before/after (fixed workload; lower is faster)
        stages += f"; reference {res['reference_before_s']:.2f}/{res['reference_after_s']:.2f} s"
    return (f"| {n:>7,} | {label:<22} | {res['total_s']:8.1f} | {res['cpu_s']:7.1f} | {rate:9,.1f} | {wps:11,.0f} | "
            f"{res['peak_rss_mb']:8,.0f} | {stages} |")


def where(rows: list, n: int) -> str:
    """``profile`` as a table: each stage's total, then its steps."""
    out = [f"Where the time goes, N={n:,}, in-process (each stage once, its steps timed; steps may include others):",
           "| stage | step | CPU s | share of stage |", "|---|---|--:|--:|"]
    out += [f"| {stage} | {step} | {t:.2f} | {share:.0%} |" for stage, step, t, share in rows]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000, 10_000])
    ap.add_argument("--partition-size", type=int, default=500)
    ap.add_argument("--sentiment-max-n", type=int, default=10_000,
                    help="run the sentiment stage only for N up to this (it dominates the time)")
    ap.add_argument("--naive-max-n", type=int, default=10_000, help="run the naive baseline for N up to this")
    ap.add_argument("--pairs", type=int, default=1,
                    help="measure the in-process pipeline and the naive loop this many times, alternating, and print "
                         "the median CPU ratio (one pair moves with the machine's load)")
    ap.add_argument("--inprocess-max-n", type=int, default=None,
                    help="run the in-process engine only for N up to this (default: every N)")
    ap.add_argument("--dask-n", type=int, nargs="*", default=None,
                    help="N to also run on a local Dask cluster (2 workers); default: the largest N")
    ap.add_argument("--scheduler", default="local", help="Dask scheduler for the Dask runs (local or tcp://HOST:PORT)")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "bench_scale"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", action="store_true",
                    help="also run each stage (and the naive loop) once under cProfile and print where the time goes")
    ap.add_argument("--stages", default="terms,sentiment", help=argparse.SUPPRESS)
    ap.add_argument("--child-root", help=argparse.SUPPRESS)
    ap.add_argument("--child-mode", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_root:
        return child(args)

    import psutil

    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2 ** 30:.0f} GB RAM; "
          f"partition size {args.partition_size}; seed {args.seed}", flush=True)
    dask_n = args.dask_n if args.dask_n is not None else [max(args.n)]
    header = ("|       N | run                    |  total s |   CPU s | articles/s |     words/s |  peak MB | stages |\n"
              "|--------:|------------------------|---------:|--------:|-----------:|------------:|---------:|--------|")
    lines = []
    for n in args.n:
        t = time.perf_counter()
        root = make_corpus(n, Path(args.workdir) / f"corpus_{n}", args.seed)
        print(f"N={n:,}: corpus ready in {time.perf_counter() - t:.1f}s", flush=True)
        stages = ["terms"] + (["sentiment"] if n <= args.sentiment_max_n else [])
        label = "+".join(["ingest"] + stages)
        runs = {}
        if args.inprocess_max_n is None or n <= args.inprocess_max_n:
            runs["in-process"] = measure(root, "inproc", args, stages)
            lines.append(fmt(runs["in-process"], f"{label}, in-process", n))
            print(lines[-1], flush=True)
        if n in dask_n:
            runs["dask"] = measure(root, args.scheduler, args, stages)
            lines.append(fmt(runs["dask"], f"{label}, Dask 2 workers", n))
            print(lines[-1] + f" (cluster start-up + warm-up {runs['dask'].get('startup_s', 0):.1f}s, not counted)",
                  flush=True)
            if "in-process" in runs:
                print(f"N={n:,}: in-process {runs['in-process']['total_s']:.1f}s vs Dask {runs['dask']['total_s']:.1f}s "
                      f"-> speed-up {runs['in-process']['total_s'] / runs['dask']['total_s']:.2f}x", flush=True)
        if n <= args.naive_max_n and "in-process" in runs:
            naive = measure(root, "naive", args, [])
            lines.append(fmt(naive, "naive loop (whole text)", n))
            print(lines[-1], flush=True)
            print(f"N={n:,}: pipeline in-process / naive time = {runs['in-process']['total_s'] / naive['total_s']:.2f}"
                  f" (CPU {runs['in-process']['cpu_s'] / naive['cpu_s']:.2f})", flush=True)
            cpu = [runs["in-process"]["cpu_s"] / naive["cpu_s"]]
            for _ in range(args.pairs - 1):   # more pairs, alternating: one pair moves with the machine's load
                pipe, base = measure(root, "inproc", args, stages), measure(root, "naive", args, [])
                cpu.append(pipe["cpu_s"] / base["cpu_s"])
                print(f"N={n:,}: pair {len(cpu)}: pipeline {pipe['cpu_s']:.1f} CPU s (ingest {pipe['ingest_cpu_s']:.1f}"
                      + "".join(f", {s} {pipe[s + '_cpu_s']:.1f}" for s in stages) + f"), naive {base['cpu_s']:.1f}"
                      f" -> {cpu[-1]:.2f}; load {pipe['load_before']:.1f}", flush=True)
            if len(cpu) > 1:
                print(f"N={n:,}: pipeline / naive CPU over {len(cpu)} pairs: median {np.median(cpu):.2f}, "
                      f"range {min(cpu):.2f}-{max(cpu):.2f}", flush=True)
        if args.profile:
            lines.append(where(measure(root, "profile", args, [])["rows"], n))
            print(lines[-1], flush=True)
    print("\n" + header + "\n" + "\n".join(l for l in lines if l.startswith("| ")) + "\n")


if __name__ == "__main__":
    main()
