"""The corpus dataset: what ``01_ingest`` writes to ``OUT/data/`` (``build``) and ``02``-``04`` read (``load``).

>>> load("/tmp/nowhere")
Traceback (most recent call last):
analysis.dataset.DatasetError: no corpus dataset in /tmp/nowhere/data: run 01_ingest first with the same out_dir
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from . import engine, ingest, lexicon, manifest, paths, table_corpus, tables
from .ingest import SENTENCE_COLUMNS, CorpusError, Limits

FORMAT = 2
ARTICLE_COLUMNS = ["file", "outlet", "source", "title", "author", "published", "date_precision", "country", "group",
                   "url", "words", "sentences", "language", "encoding", "status", "duplicate_of"]
REPORT_COLUMNS = ["input", "file", "status", "reason", "note", "outlet", "bytes", "encoding", "language", "sha256",
                  "metadata"]
RECORD_COLUMNS = [c for c in ingest.RECORD_COLUMNS if c != "text"]   # all but the texts

class DatasetError(RuntimeError):
    """The dataset is missing, incomplete, empty or stale; the message names the notebook to run first."""

def analysed(df: pd.DataFrame, articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of ``df`` of analysed articles (by ``status`` of ``articles``, default ``df``): not near duplicates."""
    articles = df if articles is None else articles
    if "status" not in articles:
        return df
    return df[df["file"].isin(articles.loc[articles["status"] != "near_duplicate", "file"])]

def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]

class Dataset:
    """An ingested corpus on disk (``OUT/data``): small tables in memory (``articles``: one row per analysed article,
    no text, ``part`` its partition), sentences and texts in per-partition Parquet."""

    def __init__(self, root: Path, scheduler: str | None = None, lex: lexicon.Lexicon | None = None):
        if not (root / "dataset.json").exists():
            raise DatasetError(f"no corpus dataset in {root}: run 01_ingest first with the same out_dir")
        self.root, self.info, self._lexicon = root, json.loads((root / "dataset.json").read_text("utf-8")), lex
        if self.info.get("format") != FORMAT:
            raise DatasetError(f"{root} was written by another version of the package; run 01_ingest again")
        self.articles, self.report, self.removed = (pd.read_parquet(root / f"{n}.parquet")
                                                    for n in ("articles", "report", "removed"))
        self.scheduler = self.info["parameters"]["scheduler"] if scheduler is None else scheduler
        self.id = self.info["id"]
        self.parts = [root / "sentences" / f"{i:05d}.parquet" for i in range(self.info["partitions"])]

    @property
    def sentences(self) -> pd.DataFrame:
        """All sentences in one frame (fine for thousands of articles; use ``map`` beyond)."""
        return _concat([pd.read_parquet(p) for p in self.parts], ingest.empty_sentences)

    def head(self, n: int = 10) -> pd.DataFrame:
        """The first ``n`` sentences (from the first partition): a look without reading them all."""
        return pd.read_parquet(self.parts[0]).head(n) if self.parts else ingest.empty_sentences()

    def map(self, func, desc: str = "sentences", **kwargs) -> pd.DataFrame:
        """Concatenate ``func(sentences_partition, **kwargs)`` over the partitions, in-process or on Dask (it must
        pickle: module-level, or a ``functools.partial`` of one)."""
        return self._map(func, kwargs, desc, self.parts, ingest.empty_sentences)

    def imap(self, func, desc: str = "sentences", **kwargs):
        """``func`` of each sentences partition, in order, as each is done (a generator): to write or fold the results
        (``tables.save``, ``compare.sum_counts``) without holding them all."""
        step = functools.partial(_apply, func=func, kwargs=kwargs)
        return (result for _, result in engine.imap_partitions(step, self.parts, self.scheduler, desc))

    def map_articles(self, func, desc: str = "articles", **kwargs) -> pd.DataFrame:
        """Like ``map`` over the articles of each partition with their ``text``: no process holds every text."""
        empty = self.articles[ARTICLE_COLUMNS].head(0).assign(text="")
        return self._map(func, kwargs, desc, self._texts(ARTICLE_COLUMNS), lambda: empty)

    def with_text(self, columns=ARTICLE_COLUMNS):
        """The articles (``columns``) with their ``text``, a partition's frame at a time (a generator): a corpus-level
        step reads every text once without holding them all."""
        return (_apply(item, lambda a: a, {}) for item in self._texts(list(columns)))

    def _texts(self, columns) -> list:   # (texts partition, its articles' columns), per partition
        rows = self.articles.groupby("part").indices
        return [(p.parent.with_name("texts") / p.name, self.articles.iloc[rows.get(i, [])][columns])
                for i, p in enumerate(self.parts)]

    def _map(self, func, kwargs, desc, items, empty):
        step = functools.partial(_apply, func=func, kwargs=kwargs)
        results = engine.map_partitions(step, items, scheduler=self.scheduler, desc=desc)
        return _concat(results, lambda: func(empty(), **kwargs))

    def lexicon(self) -> lexicon.Lexicon:
        """The study (lexicon and settings) the dataset was made with; refused if its file changed since."""
        lex = self._lexicon or lexicon.load_lexicon(self.info["parameters"]["study"])
        if lex.sha256 != self.info["study_sha256"]:
            raise DatasetError(f"the study file {lex.source} changed after 01_ingest made the dataset in {self.root}; "
                               f"run 01_ingest again")
        self._lexicon = lex
        return lex

    def done(self, step: str) -> None:
        """Record that notebook ``step`` finished on this dataset (its tables may now be read by later ones)."""
        with tables.replacing(self.root / "steps" / f"{step}.json") as tmp:
            tmp.write_text(json.dumps({"dataset": self.id}) + "\n")

    def require(self, *steps: str) -> None:
        """Stop unless each notebook in ``steps`` finished on this dataset."""
        for step in steps:
            path = self.root / "steps" / f"{step}.json"
            made = json.loads(path.read_text()).get("dataset") if path.exists() else None
            if made != self.id:
                why = "has not run" if made is None else "ran on another dataset"
                raise DatasetError(f"{step} {why} in {self.root.parent}; run {step} first (its tables are read here)")

def _concat(results, empty):
    results = [r for r in results if len(r)]
    return pd.concat(results, ignore_index=True) if results else empty()

def _apply(item, func, kwargs):
    """``func`` of a sentences partition (a path), or of (texts partition, its articles) with their text, the memory
    freed since the last partition given back to the system first (``engine.release``)."""
    engine.release()
    if isinstance(item, Path):
        return func(pd.read_parquet(item), **kwargs)
    texts = pd.read_parquet(item[0], columns=["file", "text"])
    return func(item[1].reset_index(drop=True).merge(texts, on="file", how="left").fillna({"text": ""}), **kwargs)

def load(out_root, scheduler: str | None = None) -> Dataset:
    """The dataset in ``OUT/data`` for 02-04; an error names ``01_ingest`` if none, the ingest report if all skipped."""
    ds = Dataset(Path(out_root) / "data", scheduler)
    if ds.articles.empty:
        raise DatasetError(f"no analysable articles: every input of {ds.info['parameters']['corpus_dir']} was "
                           f"skipped; see {Path(out_root) / 'tables' / 'ingest_report.csv'} for why")
    return ds

def publish(ds: Dataset, tables_dir) -> None:
    """Write the ingest tables: articles (no text), ingest_report, removed_chrome, sentences (a partition at a time)."""
    for name, df in (("articles", ds.articles[ARTICLE_COLUMNS]), ("ingest_report", ds.report),
                     ("removed_chrome", ds.removed)):
        tables.save(df, name, tables_dir)
    parts = (pd.read_parquet(p, columns=SENTENCE_COLUMNS) for p in ds.parts)   # read one at a time, as written
    tables.write_csv(itertools.chain([ingest.empty_sentences()], parts), Path(tables_dir) / "sentences.csv")

def build(corpus_dir, out_root, limits: Limits | None = None, study=None, scheduler: str | None = None,
          cache_dir=None, chrome_rules=None, columns: str | None = None) -> Dataset:
    """Ingest ``corpus_dir`` into ``OUT/data`` a partition at a time (memory bounded by ``limits.partition_size``),
    each cached as Parquet by content (an unchanged corpus is not re-read); return the dataset."""
    root, out_root = (Path(p).expanduser().resolve() for p in (corpus_dir, out_root))
    if not root.is_dir() and not (root.is_file() and root.suffix.lower() in table_corpus.SUFFIXES):
        raise CorpusError(f"corpus not found: {root}; pass a folder of .txt/.html files or a .csv/.jsonl/.parquet "
                          f"table")
    if out_root.is_relative_to(root):
        raise CorpusError(f"the output folder {out_root} is inside the corpus folder {root}: its pages would be "
                          f"read as articles; choose an output folder outside it")
    limits, cache = limits or Limits(), Path(cache_dir or out_root / ".cache") / "ingest"
    beside = (root if root.is_dir() else root.parent) / "study.yaml"   # a table's study is the study.yaml beside it
    lex = lexicon.load_lexicon(study or (beside if beside.is_file() else None))   # a broken study fails here, first
    size, version = limits.partition_size, ingest.code_version()
    rules_path = str(chrome_rules) if chrome_rules else None
    rules_hash = hashlib.sha256(Path(rules_path or paths.CHROME_RULES).read_bytes()
                                + (paths.DATA / "abbreviations.txt").read_bytes()).hexdigest()
    ingest.load_rules(rules_path)  # fail early on a bad rules file
    if root.is_file():   # a table of articles: its rows are the files, its other columns their manifest
        parts, skipped, rows, manifest_rows = table_corpus.split(root, columns, size, cache,
                                                                 [version, limits, rules_hash])
    else:
        files, skipped = ingest.discover(root)
        rows, manifest_rows = manifest.read_manifest(root, [rel for rel, _ in files] + [s["file"] for s in skipped])
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        parts = [([rel for rel, _ in c], _key(version, [(rel, ingest.fingerprint_file(p)) for rel, p in c], limits,
                                              rules_hash)) for c in chunks]   # files hashed streamed
        del files, chunks   # tasks carry relative paths only: a small task graph, even for 500,000 files
    step = functools.partial(table_corpus.ingest_part if root.is_file() else _ingest_part, root=str(root),
                             limits=limits, rules_path=rules_path, cache=cache)
    outputs = engine.map_partitions(step, parts, scheduler=scheduler, desc="ingest")
    params = {"corpus_dir": str(root), "study": lex.source, "scheduler": scheduler, "columns": columns,
              "limits": {k: getattr(limits, k) for k in Limits.__dataclass_fields__}}
    info = {"format": FORMAT, "parameters": params, "study_sha256": lex.sha256, "title": lex.study["title"],
            "partitions": len(outputs), "id": _key(FORMAT, params["limits"], lex.sha256, [k for _, k in parts],
                                                   manifest_rows[:1])}
    data = out_root / "data"
    (data / "dataset.json").unlink(missing_ok=True)     # incomplete until written again, last
    shutil.rmtree(data, ignore_errors=True)
    _assemble(data, info, outputs, skipped, rows, manifest_rows, limits, scheduler)
    return Dataset(data, scheduler, lex)      # what 02-04 will read, exactly

def _ingest_part(part, root, limits, rules_path, cache):
    rels, key = part
    return ingest.ingest_partition([(rel, str(Path(root, rel))) for rel in rels], limits, rules_path, cache, key)

def near_duplicates(files, sigs: np.ndarray, threshold: float) -> dict[str, str]:
    """file -> the earlier file it nearly copies: MinHash LSH (``ingest.BANDS`` bands) candidates whose signatures
    agree on ``threshold`` of the hashes. Only originals are indexed (a copy of a copy points to the original), and
    only buckets two files share: memory follows the copies, not the corpus.

    >>> sigs = np.array([[1, 2, 3, 4] * 16, [1, 2, 3, 4] * 16, [5, 6, 7, 8] * 16])
    >>> near_duplicates(["a", "b", "c"], sigs, 0.8)
    {'b': 'a'}
    """
    n, need = len(files), int(np.ceil(threshold * ingest.NUM_PERM - 1e-9))
    ids = np.zeros((n, ingest.BANDS), dtype=np.int64)
    for b, band in enumerate(np.split(sigs.reshape(n, ingest.NUM_PERM), ingest.BANDS, axis=1) if n else ()):
        ids[:, b] = np.unique(band, axis=0, return_inverse=True)[1].ravel() + b * n   # equal band, same bucket
    shared = np.bincount(ids.ravel(), minlength=1)[ids] > 1
    originals, out = {}, {}   # bucket -> the originals in it, in file order
    for i in np.flatnonzero(shared.any(axis=1)):
        buckets = ids[i][shared[i]]
        if hits := sorted({j for k in buckets for j in originals.get(k, ()) if (sigs[j] == sigs[i]).sum() >= need}):
            out[files[i]] = files[hits[0]]
        else:
            for k in buckets:
                originals.setdefault(k, []).append(i)
    return out

def _write_partition(item) -> tuple[dict, pd.DataFrame]:
    """Write a partition's sentences and texts of the ``keep`` files (the cached files as they are if ``whole``: it
    keeps every file the cache has a text of); return (sentence counts, their removed lines)."""
    o, keep, whole, data, i = item
    for name in ("sentences", "texts"):
        with tables.replacing(Path(data) / name / f"{i:05d}.parquet") as tmp:
            if whole:
                shutil.copyfile(o[name], tmp)
            else:
                df = pd.read_parquet(o[name])
                df[df["file"].isin(set(keep))].reset_index(drop=True).to_parquet(tmp, index=False)
    removed = pd.read_parquet(o["removed"])
    counts = pd.read_parquet(Path(data) / "sentences" / f"{i:05d}.parquet", columns=["file"])["file"].value_counts()
    return counts.to_dict(), removed[removed["file"].isin(set(keep))].reset_index(drop=True)

def _metadata(m: pd.DataFrame, rows: pd.DataFrame, near: dict) -> pd.DataFrame:
    """Records with the manifest's columns, filled from a page's own metadata where the manifest gives none,
    ``metadata`` saying where each value came from, and the notes on duplicates, the manifest and dates."""
    cols = manifest.MANIFEST_COLUMNS[1:]
    m = m.join(rows.set_index("file")[cols], on="file")
    m[cols] = m[cols].fillna("")
    m["outlet"] = m["outlet"].replace("unknown", "")
    said = {"title": np.where(m["title"].eq(m["page_title"]), "title: page", "title: text"), "author": "author: page"}
    for col in ("outlet", "url", "published"):     # a date from the page is to the day
        page = m[col].eq("") & m[f"page_{col}"].ne("")
        said[col] = np.where(page, f"{col}: page", f"{col}: manifest")
        m[col] = m[col].mask(page, m[f"page_{col}"])
    m["date_precision"] = m["date_precision"].mask(page, "day")
    m["metadata"] = ["; ".join(filter(None, s)) for s in zip(*(np.where(m[c].ne(""), said[c], "") for c in (
        "title", "author", "outlet", "published", "url")))]
    unlisted = np.where(m["outlet"].eq(""), "not in the manifest: outlet 'unknown'", "not in the manifest")
    notes = [[f"near duplicate of {near[f]}" if f in near else "" for f in m["file"]], m["note"],
             np.where(m["file"].isin(rows["file"]), "", unlisted)]
    for col, check in (("published", manifest.check_date), ("date_precision", manifest.check_precision)):
        checked = {v: check(v) for v in m[col].unique()}
        notes.append([checked[v][1] for v in m[col]])
        m[col] = m[col].map(lambda v: checked[v][0])
    m["note"] = ["; ".join(filter(None, n)) for n in zip(*notes)]
    return m.assign(outlet=m["outlet"].replace("", "unknown"))

def _assemble(data, info, outputs, skipped, rows, manifest_rows, limits, scheduler) -> None:
    """Corpus-level steps: duplicates, metadata, report, the dataset's partitions; writes ``data``."""
    frames = [pd.read_parquet(o["records"], columns=RECORD_COLUMNS).assign(part=i) for i, o in enumerate(outputs)]
    records = _concat(frames, lambda: pd.DataFrame(columns=[*RECORD_COLUMNS, "part"], dtype=str))
    records = records.sort_values("file").reset_index(drop=True)
    ok = records["reason"] == ""
    cached = records[ok].groupby("part")["file"].agg(set).to_dict()   # the files each partition's cache has text of
    first = records[ok].groupby("sha256")["file"].transform("first")
    exact = first[first.ne(records.loc[ok, "file"])]
    records.loc[exact.index, "reason"] = "duplicate: same bytes as " + exact
    ok, sigs = records["reason"] == "", records.pop("minhash")   # MinHash signatures: only this step needs them
    sigs = np.stack(sigs[ok].to_numpy()).astype(np.uint32) if ok.any() else np.zeros((0, ingest.NUM_PERM), np.uint32)
    near = near_duplicates(records.loc[ok, "file"].tolist(), sigs, limits.near_duplicate)
    records = _metadata(records, rows, near)
    arts = records[ok].assign(duplicate_of=records.loc[ok, "file"].map(lambda f: near.get(f, "")))
    arts["source"] = arts["outlet"].mask(arts["outlet"].eq("unknown"), "unknown (" + arts["file"].str.replace(
        r"\.[^.]+$", "", regex=True) + ")")
    arts["status"] = np.where(arts["duplicate_of"].eq(""), "analysed", "near_duplicate")
    keep = arts.groupby("part")["file"].agg(list).to_dict()
    written = engine.map_partitions(_write_partition, [(o, keep.get(i, []), set(keep.get(i, [])) == cached.get(i, set()),
                                                        str(data), i) for i, o in enumerate(outputs)],
                                    scheduler=scheduler, desc="write")
    counts = {f: n for c, _ in written for f, n in c.items()}
    arts["sentences"] = arts["file"].map(counts).fillna(0).astype("int64")
    report = pd.concat([records.assign(input="file", status=np.where(ok, "analysed", "skipped")),
                        pd.DataFrame(skipped), pd.DataFrame(manifest_rows)], ignore_index=True)[REPORT_COLUMNS]
    report = report.astype(object).where(report.notna(), "").astype(str).assign(
        bytes=pd.to_numeric(report["bytes"], errors="coerce").astype("Int64"))
    removed = _concat([r for _, r in written], lambda: pd.DataFrame(columns=["file", "line", "rule", "text"]))
    for name, df in (("articles", arts[ARTICLE_COLUMNS + ["part"]]), ("report", report.sort_values(["input", "file"])),
                     ("removed", removed.sort_values("file", kind="stable"))):   # each file's lines in order
        with tables.replacing(data / f"{name}.parquet") as tmp:
            df.reset_index(drop=True).to_parquet(tmp, index=False)
    with tables.replacing(data / "dataset.json") as tmp:   # last: the dataset is complete
        tmp.write_text(json.dumps({**info, "articles": len(arts)}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
