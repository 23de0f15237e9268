"""The corpus dataset: what ``01_ingest`` writes to ``OUT/data/`` and ``02``-``04`` read.

``build`` ingests a corpus folder (partitions cached by content, duplicates found, the manifest joined,
every input in the report) and writes ``articles``, ``report``, ``removed``, the sentences and texts
per partition, and last ``dataset.json`` (parameters, input fingerprints, id). ``load`` reads it back;
``require`` checks that the notebooks whose tables a step reads ran on this very dataset.

>>> load("/tmp/nowhere")
Traceback (most recent call last):
analysis.dataset.DatasetError: no corpus dataset in /tmp/nowhere/data: run 01_ingest first with the same out_dir
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import engine, ingest, lexicon, manifest, paths, tables
from .ingest import CorpusError, Limits

FORMAT = 1
ARTICLE_COLUMNS = ["file", "outlet", "source", "title", "published", "date_precision", "country", "group", "url",
                   "words", "sentences", "language", "encoding", "status", "duplicate_of"]
REPORT_COLUMNS = ["input", "file", "status", "reason", "note", "outlet", "bytes", "encoding", "language", "sha256"]
RECORD_COLUMNS = ["file", "bytes", "encoding", "language", "sha256", "reason", "note", "title", "words"]
SENTENCE_COLUMNS = ["file", "index", "part", "paragraph", "start", "end", "words", "text"]

class DatasetError(RuntimeError):
    """The dataset is missing, incomplete or stale; the message names the notebook to run first."""

def analysed(df: pd.DataFrame, articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of ``df`` that belong to analysed articles: near duplicates would count one text twice.

    ``articles`` (with ``status``) says which; by default ``df`` is itself an articles frame.
    """
    articles = df if articles is None else articles
    if "status" not in articles.columns:
        return df
    return df[df["file"].isin(articles.loc[articles["status"] != "near_duplicate", "file"])]

def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]

@dataclass
class Dataset:
    """An ingested corpus on disk: small tables in memory, sentences and texts in per-partition Parquet."""

    root: Path
    info: dict
    articles: pd.DataFrame            # one row per analysed article, no text; ``part`` = its partition
    report: pd.DataFrame
    removed: pd.DataFrame
    scheduler: str | None = None
    _lexicon: lexicon.Lexicon | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.info["id"]

    @property
    def parts(self) -> list[Path]:
        return [self.root / "sentences" / f"{i:05d}.parquet" for i in range(self.info["partitions"])]

    @property
    def sentences(self) -> pd.DataFrame:
        """All sentences in one frame (fine for thousands of articles; use ``map`` beyond)."""
        frames = [pd.read_parquet(p) for p in self.parts]
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else ingest.empty_sentences()[SENTENCE_COLUMNS]

    def head(self, n: int = 10) -> pd.DataFrame:
        """The first ``n`` sentences (from the first partition): a look without reading them all."""
        return pd.read_parquet(self.parts[0]).head(n) if self.parts else ingest.empty_sentences()[SENTENCE_COLUMNS]

    def map(self, func, desc: str = "sentences", **kwargs) -> pd.DataFrame:
        """Concatenate ``func(sentences_partition, **kwargs)`` over the partitions, in-process or on Dask.

        ``func`` must be module-level (or a ``functools.partial`` of one) to pickle for Dask.
        """
        step = functools.partial(_apply, func=func, kwargs=kwargs)
        results = engine.map_partitions(step, self.parts, scheduler=self.scheduler, desc=desc)
        return _concat(results, lambda: func(ingest.empty_sentences()[SENTENCE_COLUMNS], **kwargs))

    def map_articles(self, func, desc: str = "articles", **kwargs) -> pd.DataFrame:
        """Like ``map`` over the articles of each partition with their ``text``: no process holds every text."""
        rows = self.articles.groupby("part").indices
        items = [(self.root / "texts" / f"{i:05d}.parquet", self.articles.iloc[rows.get(i, [])][ARTICLE_COLUMNS])
                 for i in range(self.info["partitions"])]
        step = functools.partial(_apply_articles, func=func, kwargs=kwargs)
        results = engine.map_partitions(step, items, scheduler=self.scheduler, desc=desc)
        return _concat(results, lambda: func(self.articles.head(0)[ARTICLE_COLUMNS].assign(text=""), **kwargs))

    def lexicon(self) -> lexicon.Lexicon:
        """The study (lexicon and settings) the dataset was made with; refused if its file changed since."""
        if self._lexicon is None:
            lex = lexicon.load_lexicon(self.info["parameters"]["study"])
            if lex.sha256 != self.info["study_sha256"]:
                raise DatasetError(f"the study file {lex.source} changed after 01_ingest made the dataset in "
                                   f"{self.root}; run 01_ingest again")
            self._lexicon = lex
        return self._lexicon

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

def _apply(part: Path, func, kwargs):
    return func(pd.read_parquet(part), **kwargs)

def _apply_articles(item, func, kwargs):
    path, meta = item
    texts = pd.read_parquet(path, columns=["file", "text"])
    arts = meta.reset_index(drop=True).merge(texts, on="file", how="left").fillna({"text": ""})
    return func(arts, **kwargs)

# --------------------------------------------------------------------------- reading

def load(out_root, scheduler: str | None = None) -> Dataset:
    """The dataset in ``OUT/data``; a clear error naming ``01_ingest`` when there is none."""
    root = Path(out_root) / "data"
    info_path = root / "dataset.json"
    if not info_path.exists():
        raise DatasetError(f"no corpus dataset in {root}: run 01_ingest first with the same out_dir")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if info.get("format") != FORMAT:
        raise DatasetError(f"{root} was written by another version of the package; run 01_ingest again")
    read = {n: pd.read_parquet(root / f"{n}.parquet") for n in ("articles", "report", "removed")}
    return Dataset(root, info, read["articles"], read["report"], read["removed"],
                   scheduler=scheduler if scheduler is not None else info["parameters"].get("scheduler"))

def publish(ds: Dataset, tables_dir) -> None:
    """Write the ingest tables: articles (no text), ingest_report, removed_chrome, and sentences, the last
    appended a partition at a time (so no process holds every sentence)."""
    for name, df in (("articles", ds.articles[ARTICLE_COLUMNS]), ("ingest_report", ds.report),
                     ("removed_chrome", ds.removed)):
        tables.save(df, name, tables_dir)
    with tables.replacing(Path(tables_dir) / "sentences.csv") as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(",".join(SENTENCE_COLUMNS) + "\n")
            for part in ds.parts:
                pd.read_parquet(part)[SENTENCE_COLUMNS].to_csv(fh, header=False, index=False, lineterminator="\n",
                                                                float_format=tables.FLOAT_FORMAT)

# --------------------------------------------------------------------------- building

def build(corpus_dir, out_root, limits: Limits | None = None, study=None, scheduler: str | None = None,
          cache_dir=None, chrome_rules=None) -> Dataset:
    """Ingest ``corpus_dir`` into ``OUT/data`` (see the module docstring) and return the dataset.

    Memory is bounded by ``limits.partition_size``: files are ingested a partition at a time, each
    written as Parquet (cached in ``OUT/.cache`` by content, so an unchanged corpus is not re-read);
    the corpus-level steps read only the small columns they need.
    """
    root = Path(corpus_dir).expanduser().resolve()
    out_root = Path(out_root).expanduser().resolve()
    if not root.is_dir():
        raise CorpusError(f"corpus folder not found: {root}; pass a folder of .txt/.html files")
    if out_root == root or out_root.is_relative_to(root):
        raise CorpusError(f"the output folder {out_root} is inside the corpus folder {root}: its pages would be "
                          f"read as articles; choose an output folder outside it")
    limits = limits or Limits()
    study = study or (root / "study.yaml" if (root / "study.yaml").is_file() else None)
    lex = lexicon.load_lexicon(study)            # a broken study fails here, before any work
    cache = Path(cache_dir or out_root / ".cache") / "ingest"
    files, skipped = ingest.discover(root)
    rows, manifest_rows = manifest.read_manifest(root)
    rules_path = str(chrome_rules) if chrome_rules else None
    rules_hash = hashlib.sha256(Path(rules_path or paths.CHROME_RULES).read_bytes()
                                + (paths.DATA / "abbreviations.txt").read_bytes()).hexdigest()
    ingest.load_rules(rules_path)  # fail early on a bad rules file
    parts, version = [], ingest.code_version()
    for i in range(0, len(files), limits.partition_size):
        chunk = files[i:i + limits.partition_size]
        fingerprint = [(rel, ingest.fingerprint_file(p)) for rel, p in chunk]   # streamed
        parts.append(([rel for rel, _ in chunk], _key(version, fingerprint, limits, rules_hash)))
    del files   # tasks carry relative paths only: a small task graph, even for 500,000 files
    outputs = engine.map_partitions(functools.partial(_ingest_part, root=str(root), limits=limits,
                                                      rules_path=rules_path, cache=cache),
                                    parts, scheduler=scheduler, desc="ingest")
    params = {"corpus_dir": str(root), "study": lex.source, "scheduler": scheduler,
              "limits": {k: getattr(limits, k) for k in Limits.__dataclass_fields__}}
    info = {"format": FORMAT, "parameters": params, "study_sha256": lex.sha256, "title": lex.study["title"], "partitions": len(outputs),
            "id": _key(FORMAT, params["limits"], lex.sha256, [k for _, k in parts], manifest_rows[:1])}
    data = out_root / "data"
    (data / "dataset.json").unlink(missing_ok=True)     # incomplete until written again, last
    shutil.rmtree(data, ignore_errors=True)
    _assemble(data, info, outputs, skipped, rows, manifest_rows, limits, scheduler)
    ds = load(out_root, scheduler)      # what 02-04 will read, exactly
    ds._lexicon = lex
    return ds

def _ingest_part(part, root, limits, rules_path, cache):
    rels, key = part
    return ingest.ingest_partition([(rel, os.path.join(root, rel)) for rel in rels], limits, rules_path, cache, key)

def _read_records(outputs: list[dict]) -> pd.DataFrame:
    """Every partition's records without ``text`` and ``minhash`` (the big columns), plus ``part``."""
    frames = [pd.read_parquet(o["records"], columns=RECORD_COLUMNS).assign(part=i) for i, o in enumerate(outputs)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in RECORD_COLUMNS}).assign(
            bytes=pd.Series(dtype="int64"), words=pd.Series(dtype="int64"), part=pd.Series(dtype="int64"))
    return pd.concat(frames, ignore_index=True)

def _signatures(outputs: list[dict], files) -> tuple[list[str], np.ndarray]:
    """(sorted files, MinHash signature matrix) for ``files``, read partition by partition."""
    wanted, names, blocks = set(files), [], []
    for o in outputs:
        sig = pd.read_parquet(o["records"], columns=["file", "minhash"])
        sig = sig[sig["file"].isin(wanted)]
        names += sig["file"].tolist()
        blocks.append(np.array(sig["minhash"].tolist(), dtype=np.uint32).reshape(len(sig), ingest.NUM_PERM))
    order = np.argsort(np.array(names, dtype=object), kind="stable")
    return [names[i] for i in order], np.concatenate(blocks)[order] if blocks else np.zeros((0, ingest.NUM_PERM))

def near_duplicates(files, sigs: np.ndarray, threshold: float) -> dict[str, str]:
    """file -> the earlier file it nearly copies: MinHash LSH candidates (datasketch), confirmed when their
    signatures agree on ``threshold`` of the hashes. Only originals are indexed, so a bucket of wire copies
    costs one comparison each, and a copy of a copy points to the original.

    >>> sigs = np.array([[1, 2, 3, 4] * 16, [1, 2, 3, 4] * 16, [5, 6, 7, 8] * 16])
    >>> near_duplicates(["a", "b", "c"], sigs, 0.8)
    {'b': 'a'}
    """
    from datasketch import LeanMinHash, MinHashLSH

    lsh, index, out = MinHashLSH(num_perm=ingest.NUM_PERM, params=(ingest.BANDS, ingest.NUM_PERM // ingest.BANDS)), {}, {}
    need = int(np.ceil(threshold * ingest.NUM_PERM - 1e-9))
    for i, (file, sig) in enumerate(zip(files, sigs)):
        m = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
        hits = sorted(index[k] for k in lsh.query(m) if (sigs[index[k]] == sig).sum() >= need)
        if hits:
            out[file] = files[hits[0]]
        else:
            lsh.insert(file, m)
            index[file] = i
    return out

def _write_partition(item) -> tuple[dict, pd.DataFrame]:
    """Write one partition's sentences and texts (analysed articles only) into the dataset; return
    (sentence counts per file, removed chrome lines of those files)."""
    o, keep, data, i = item
    keep = set(keep)
    s = pd.read_parquet(o["sentences"])
    s = s[s["file"].isin(keep)].reset_index(drop=True)[SENTENCE_COLUMNS]
    texts = pd.read_parquet(o["records"], columns=["file", "text"])
    for name, df in (("sentences", s), ("texts", texts[texts["file"].isin(keep)].reset_index(drop=True))):
        with tables.replacing(Path(data) / name / f"{i:05d}.parquet") as tmp:
            df.to_parquet(tmp, index=False)
    removed = pd.read_parquet(o["removed"])
    return s["file"].value_counts().to_dict(), removed[removed["file"].isin(keep)]

def _assemble(data, info, outputs, skipped, rows, manifest_rows, limits, scheduler) -> None:
    """Corpus-level steps: duplicates, manifest join, report, the dataset's partitions; writes ``data``."""
    records = _read_records(outputs).sort_values("file").reset_index(drop=True)
    ok = records["reason"] == ""
    first_by_hash = records[ok].drop_duplicates("sha256").set_index("sha256")["file"]
    exact = ok & records["sha256"].map(first_by_hash).ne(records["file"])
    records.loc[exact, "reason"] = "duplicate: same bytes as " + records.loc[exact, "sha256"].map(first_by_hash)
    ok = records["reason"] == ""
    near = near_duplicates(*_signatures(outputs, records.loc[ok, "file"]), limits.near_duplicate) if ok.any() else {}
    meta = rows.set_index("file")
    in_manifest = records["file"].isin(meta.index)
    records["note"] = ["; ".join(n for n in (str(old or ""), new) if n)
                       for old, new in zip(records["note"], np.where(in_manifest, "", "not in the manifest: outlet 'unknown'"))]

    arts = records[ok].join(meta, on="file")
    for col in manifest.MANIFEST_COLUMNS[1:]:
        arts[col] = arts[col].fillna("")
    arts["outlet"] = arts["outlet"].replace("", "unknown")
    checked = {v: manifest.check_date(v) for v in arts["published"].unique()}
    dates = arts["published"].map(checked)
    arts["published"] = [d for d, _ in dates]
    date_note = {f: n for f, (_, n) in zip(arts["file"], dates) if n}
    arts["source"] = np.where(arts["outlet"].eq("unknown"),
                              "unknown (" + arts["file"].str.replace(r"\.[^.]+$", "", regex=True) + ")", arts["outlet"])
    arts["duplicate_of"] = arts["file"].map(lambda f: near.get(f, ""))
    arts["status"] = np.where(arts["duplicate_of"].eq(""), "analysed", "near_duplicate")

    keep_by_part = arts.groupby("part")["file"].agg(list).to_dict()
    written = engine.map_partitions(_write_partition, [(o, keep_by_part.get(i, []), str(data), i)
                                                       for i, o in enumerate(outputs)], scheduler=scheduler, desc="write")
    counts = {f: n for c, _ in written for f, n in c.items()}
    removed = [r for _, r in written if len(r)]
    arts["sentences"] = arts["file"].map(counts).fillna(0).astype("int64")
    articles = arts.sort_values("file").reset_index(drop=True)[ARTICLE_COLUMNS + ["part"]]

    report = records.drop(columns="part").assign(input="file", status=np.where(ok, "analysed", "skipped"))
    notes = zip(report["file"].map(lambda f: f"near duplicate of {near[f]}" if f in near else ""), report["note"],
                report["file"].map(lambda f: date_note.get(f, "")))
    report["note"] = ["; ".join(n for n in parts if n) for parts in notes]
    outlets = meta["outlet"].to_dict()
    report["outlet"] = report["file"].map(lambda f: outlets.get(f, "unknown"))
    report = pd.concat([report, pd.DataFrame(skipped), pd.DataFrame(manifest_rows)], ignore_index=True)
    report = report.reindex(columns=REPORT_COLUMNS)
    report["bytes"] = pd.to_numeric(report["bytes"], errors="coerce").astype("Int64")
    text_cols = [c for c in REPORT_COLUMNS if c != "bytes"]
    report[text_cols] = report[text_cols].astype(object).where(report[text_cols].notna(), "").astype(str)
    report = report.sort_values(["input", "file"]).reset_index(drop=True)
    removed = pd.concat(removed, ignore_index=True) if removed else pd.DataFrame(columns=["file", "line", "rule", "text"])
    removed = removed.sort_values(["file", "line"]).reset_index(drop=True)

    for name, df in (("articles", articles), ("report", report), ("removed", removed)):
        with tables.replacing(data / f"{name}.parquet") as tmp:
            df.to_parquet(tmp, index=False)
    with tables.replacing(data / "dataset.json") as tmp:   # last: the dataset is complete
        tmp.write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
