"""Scale: the same tables in-process and on Dask, and a re-run that reuses the ingest cache."""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import dataset, engine, ingest, paths, sentiment, terms
from analysis.lexicon import load_lexicon
from conftest import build_corpus

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scale.py"


def _bench(path: Path = BENCH):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """30 synthetic articles (resampled seed sentences, 20 outlets) plus an exact and a near copy."""
    root = _bench().make_corpus(30, tmp_path_factory.mktemp("scale") / "corpus", seed=1)
    files = sorted(root.rglob("*.txt"))
    (root / "0000" / "z_exact.txt").write_bytes(files[0].read_bytes())
    (root / "0000" / "z_near.txt").write_text(files[1].read_text("utf-8") + "Reporting by a news agency.\n", "utf-8")
    return root


LIMITS = ingest.Limits(partition_size=7)   # several partitions


def pipeline(root: Path, cache: Path, scheduler: str | None) -> dict[str, pd.DataFrame]:
    c = build_corpus(root, cache, limits=LIMITS, scheduler=scheduler)
    lex = load_lexicon(paths.SEED_STUDY)
    hits = c.map(terms.match_sentences, lexicon=lex)
    return {
        "articles": c.articles.drop(columns="part"), "report": c.report, "removed": c.removed,
        "sentences": c.sentences, "hits": hits, "counts": terms.term_counts(hits, c.articles, lex),
        "counts_by_partition": c.map(_counts, articles=c.articles, lexicon=lex),
        "sentiment": c.map(sentiment.score_sentences, lexicon=lex),
        "texts": c.map_articles(_lengths),
        "whole_text_sentiment": c.map_articles(sentiment.whole_scores),
    }


def _counts(sentences, articles, lexicon):
    mine = articles[articles["file"].isin(sentences["file"])]
    return terms.term_counts(terms.match_sentences(sentences, lexicon), mine, lexicon)


def _lengths(articles):
    return articles.assign(chars=articles["text"].str.len())[["file", "chars"]]


@pytest.fixture(scope="module")
def in_process(small, tmp_path_factory):
    return pipeline(small, tmp_path_factory.mktemp("cache_a"), None)


def test_partitions_and_duplicates(small, in_process, tmp_path):
    c = build_corpus(small, tmp_path, limits=LIMITS)
    assert len(c.parts) == 5
    assert c.articles.set_index("file").loc["0000/z_near.txt", "duplicate_of"] == "0000/a0000001.txt"
    assert "0000/z_exact.txt" not in set(c.articles["file"])
    assert "text" not in c.articles.columns and "text" in c.texts.columns
    assert c.articles["outlet"].nunique() > 10
    # per-partition term counts are the corpus-level ones, row for row (as text: each has its own categories)
    text = lambda df: df.astype({c: str for c in ("file", "outlet", "family", "variant", "voice")})  # noqa: E731
    by_part = text(in_process["counts_by_partition"]).sort_values(["file", "family", "variant", "voice"])
    pd.testing.assert_frame_equal(by_part.reset_index(drop=True), text(in_process["counts"]))
    assert (in_process["texts"]["chars"].to_numpy() == c.texts["text"].str.len().to_numpy()).all()


def test_second_load_reuses_the_cache(small, tmp_path, monkeypatch):
    first = build_corpus(small, tmp_path, limits=LIMITS)
    calls = []
    real = ingest.ingest_file

    def counting(path, rel, limits, rules):
        calls.append(rel)
        return real(path, rel, limits, rules)

    monkeypatch.setattr(ingest, "ingest_file", counting)
    second = build_corpus(small, tmp_path, limits=LIMITS)
    assert calls == []
    pd.testing.assert_frame_equal(first.articles, second.articles)
    pd.testing.assert_frame_equal(first.report, second.report)
    # a changed limit re-ingests everything; the original limits still hit the cache
    build_corpus(small, tmp_path, limits=ingest.Limits(partition_size=7, min_words=2))
    assert len(calls) == len(list(small.rglob("*.txt")))


def test_changed_file_reingests_only_its_partition(small, tmp_path, monkeypatch):
    root = tmp_path / "copy"
    import shutil

    shutil.copytree(small, root)
    build_corpus(root, tmp_path / "out", limits=LIMITS)
    calls = []
    real = ingest.ingest_file
    monkeypatch.setattr(ingest, "ingest_file", lambda p, rel, l, r: calls.append(rel) or real(p, rel, l, r))
    target = sorted(root.rglob("*.txt"))[10]
    target.write_text(target.read_text("utf-8") + "One more sentence was added here.\n", "utf-8")
    c = build_corpus(root, tmp_path / "out", limits=LIMITS)
    assert len(calls) == LIMITS.partition_size and target.relative_to(root).as_posix() in calls
    assert c.texts.set_index("file").loc[target.relative_to(root).as_posix(), "text"].endswith("added here.")


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_tables(small, in_process, tmp_path):
    try:
        on_dask = pipeline(small, tmp_path, "local")
    finally:
        engine.shutdown()
    assert on_dask.keys() == in_process.keys()
    for name, df in in_process.items():
        pd.testing.assert_frame_equal(on_dask[name], df, obj=name)


def _slow_first(item: tuple[int, float]) -> int:
    """Sleeps ``item[1]`` seconds, returns ``item[0]``: early items finish last."""
    time.sleep(item[1])
    return item[0]


@pytest.mark.slow
def test_dask_results_come_back_in_order_and_are_released(capsys):
    items = [(0, 1.0), (1, 0.5), (2, 0.0), (3, 0.0), (4, 0.0)]
    try:
        client = engine.get_client("local")
        assert engine.map_partitions(_slow_first, items, scheduler="local") == [0, 1, 2, 3, 4]
        deadline = time.monotonic() + 10   # releases reach the client's event loop asynchronously
        while client.futures and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not client.futures   # every result's future released: nothing left on the workers
        # the same cluster addressed as a standing one (tcp://...)
        address = client.scheduler.address
        assert engine.map_partitions(_slow_first, items[2:], scheduler=address, desc="step") == [2, 3, 4]
        assert capsys.readouterr().out.startswith(f"step: 3 partitions on {address}")
    finally:
        engine.shutdown()


@pytest.mark.slow
def test_whole_run_stays_bounded_at_500_outlets(tmp_path):
    """What a reader opens, end to end: with 500 outlets in 6 groups (Zipf sizes, most with one article) every
    figure is at most 4,000 px a side and every rendered page at most 5 MB."""
    from analysis import run

    bench = _bench(BENCH.with_name("bench_run.py"))
    out = run.run(bench.make(600, 500, 6, tmp_path / "corpus"), tmp_path / "out", quiet=True)
    sides = {p.name: bench.png_side(p) for p in (out / "figures").glob("*.png")}
    assert len(sides) >= 10 and max(sides.values()) <= 4000, sides
    pages = {p.name: p.stat().st_size for p in (out / "rendered").glob("*.html")}
    assert len(pages) >= 5 and max(pages.values()) <= 5 * 2 ** 20, pages


def test_near_duplicates_as_datasketch_lsh_finds_them():
    """The numpy LSH finds exactly what datasketch's MinHashLSH (same bands, only originals indexed) finds."""
    from datasketch import LeanMinHash, MinHashLSH

    from analysis import ingest

    def reference(files, sigs, threshold):
        lsh = MinHashLSH(num_perm=ingest.NUM_PERM, params=(ingest.BANDS, ingest.NUM_PERM // ingest.BANDS))
        index, out, need = {}, {}, int(np.ceil(threshold * ingest.NUM_PERM - 1e-9))
        for i, (file, sig) in enumerate(zip(files, sigs)):
            m = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
            if hits := sorted(index[k] for k in lsh.query(m) if (sigs[index[k]] == sig).sum() >= need):
                out[file] = files[hits[0]]
            else:
                lsh.insert(file, m)
                index[file] = i
        return out

    rng = np.random.default_rng(0)
    for n, changed in ((1, 0.1), (60, 0.05), (200, 0.2), (300, 0.5)):
        base = rng.integers(0, 6, size=(n, ingest.NUM_PERM)).astype(np.uint32)   # few values: many shared bands
        mixed = rng.random(base.shape) < changed
        sigs = np.where(mixed, base, base[rng.integers(0, n, size=n)]).astype(np.uint32)
        files = [f"f{i:03d}" for i in range(n)]
        for threshold in (0.5, 0.8, 0.95):
            assert dataset.near_duplicates(files, sigs, threshold) == reference(files, sigs, threshold)
    assert dataset.near_duplicates([], np.zeros((0, ingest.NUM_PERM), np.uint32), 0.8) == {}
