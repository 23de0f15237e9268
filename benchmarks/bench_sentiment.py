"""Sentences per second for each sentiment engine, raw scoring and the full per-sentence step.

    .venv/bin/python benchmarks/bench_sentiment.py [--n 10000] [--seed 0]

Sentences are resampled (seeded, with replacement) from the seed corpus, split with analysis.text,
so the numbers describe news-length sentences. ``score`` = the engine alone; ``score_sentences`` =
targets + masking + both engines raw and masked + coverage (the step Corpus.map runs).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analysis import paths, sentiment
from analysis.text import count_words, sentence_spans


def seed_sentences() -> list[str]:
    out = []
    for f in sorted(paths.SEEDS.glob("*.txt")):
        text = f.read_text("utf-8")
        out += [text[a:b] for a, b in sentence_spans(text)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    pool = seed_sentences()
    texts = list(np.random.default_rng(args.seed).choice(pool, size=args.n, replace=True))
    print(f"{args.n:,} sentences resampled from {len(pool)} seed sentences (seed {args.seed})")
    for engine in sentiment.ENGINES:
        sentiment.score(["warm up"], engine)  # load the analyzer outside the timing
        t = time.perf_counter()
        sentiment.score(texts, engine)
        dt = time.perf_counter() - t
        print(f"score({engine!r}): {args.n / dt:,.0f} sentences/s ({dt:.2f} s)")
    frame = pd.DataFrame({"file": "bench.txt", "index": range(args.n), "part": "body", "text": texts,
                          "start": 0, "end": 0, "words": [count_words(t) for t in texts]})
    lex = sentiment.load_lexicon(paths.SEED_STUDY)
    sentiment.score_sentences(frame.head(5), lex)
    t = time.perf_counter()
    sentiment.score_sentences(frame, lex)
    dt = time.perf_counter() - t
    print(f"score_sentences (all engines, raw + masked, targets, coverage): {args.n / dt:,.0f} sentences/s ({dt:.2f} s)")


if __name__ == "__main__":
    main()
