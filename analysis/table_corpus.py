"""A corpus given as one table of articles (CSV, JSON Lines, Parquet): rows are articles, columns their manifest.

``split`` reads it a chunk at a time (no process holds it whole); ``ingest_part`` ingests each row as a file.

>>> resolve(["ID", "Body", "media_name"], "outlet=media_name", "t.csv")
{'text': 'Body', 'id': 'ID', 'outlet': 'media_name'}
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd

from . import ingest, manifest, tables
from .ingest import CorpusError

SUFFIXES = (".csv", ".jsonl", ".parquet")
FIELDS = ["text", "html", "id", "title", *manifest.MANIFEST_COLUMNS[1:]]
TEXT_NAMES = ("text", "body", "content", "article", "full_text", "html", "raw_html")   # candidate text columns

def resolve(columns, mapping: str | None, name: str) -> dict[str, str]:
    """field -> column: the ``mapping`` ("text=body,outlet=media_name"), then fields by their own name (any case)."""
    if len(lower := {c.lower(): c for c in columns}) < len(columns):
        raise CorpusError(f"{name}: column names that differ only in case ({', '.join(columns)}); rename one")
    pairs = [[s.strip() for s in item.partition("=")[::2]] for item in (mapping or "").split(",") if item.strip()]
    for field, col in pairs:
        if field.lower() not in FIELDS or col.lower() not in lower:
            raise CorpusError(f"{name}: columns {field}={col}: " + (
                f"no column {col!r} (its columns: {', '.join(columns)})" if field.lower() in FIELDS
                else f"unknown field {field!r} (fields: {', '.join(FIELDS)})"))
    chosen = {field.lower(): lower[col.lower()] for field, col in pairs}
    if not {"text", "html"} & chosen.keys():
        if len(found := [lower[n] for n in TEXT_NAMES if n in lower]) != 1:
            raise CorpusError(f"{name}: {'more than one candidate text column' if found else 'no text column'} ("
                              f"{', '.join(found) or 'none of ' + ', '.join(TEXT_NAMES)}); name the one to read with "
                              f"--columns text=COLUMN (or html=COLUMN for web pages)")
        chosen["html" if "html" in found[0].lower() else "text"] = found[0]
    if {"text", "html"} <= chosen.keys():
        raise CorpusError(f"{name}: columns names both a text and an html column; give one")
    chosen |= {f: lower[f] for f in FIELDS[2:] if f not in chosen and f in lower and lower[f] not in chosen.values()}
    return {f: chosen[f] for f in FIELDS if f in chosen}

def _chunks(path: Path, size: int):
    """The table ``size`` rows at a time as strings ('' where missing, dates as ISO dates), or an error naming it."""
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq
            chunks = (batch.to_pandas() for batch in pq.ParquetFile(path).iter_batches(batch_size=size))
        elif path.suffix.lower() == ".csv":
            chunks = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=size, encoding="utf-8-sig")
        else:
            chunks = pd.read_json(path, lines=True, chunksize=size, dtype=False, encoding="utf-8-sig")
        for chunk in chunks:
            chunk = chunk.reset_index(drop=True).apply(lambda c: c.dt.strftime("%F") if c.dtype.kind == "M" else c)
            yield chunk.astype(object).where(chunk.notna(), "").astype(str)
    except (OSError, ValueError) as exc:   # pyarrow's errors are among them
        raise CorpusError(f"{path}: cannot read the table ({exc}); " + ("save it as UTF-8" if isinstance(
            exc, UnicodeDecodeError) else f"is it complete, and a {path.suffix} file?")) from exc

def split(path: Path, columns: str | None, size: int, cache: Path, salt) -> tuple[list, list, pd.DataFrame, list]:
    """Read the table a chunk at a time: (partitions, rows skipped on sight, manifest rows, its report row)."""
    salt = json.dumps([salt, hashlib.sha256(Path(__file__).read_bytes()).hexdigest()], default=str)
    parts, skipped, metas, fields, n = [], [], [], None, 0
    for chunk in _chunks(path, size):
        fields = fields or resolve(chunk.columns, columns, path.name)
        got = pd.DataFrame({f: chunk.get(c, "") for f, c in fields.items()}, index=chunk.index)
        got = got.reindex(columns=FIELDS, fill_value="").apply(lambda c: c.str.strip() if c.name != "text" else c)
        ids = got["id"] if "id" in fields else pd.Series([f"row {n + i + 1:06d}" for i in chunk.index])
        meta = got[manifest.MANIFEST_COLUMNS[1:]].assign(file=ids.values)
        meta["published"] = meta["published"].str.replace(r"^(\d{4}-\d\d-\d\d)[T ]\d\d:\d\d\S*$", r"\1", regex=True)
        body, suffix = got["text"] + got["html"], ".txt" if "text" in fields else ".html"
        empty = body.str.strip().eq("")
        skipped += [{"input": "file", "file": ids[i], "status": "skipped", "reason": "empty text", "outlet": meta[
            "outlet"][i] or "unknown", "note": f"{path.name} row {n + i + 1}"} for i in empty[empty].index]
        body = body.where(got["title"].eq("") | (suffix == ".html"), got["title"] + "\n\n" + body)   # as in a file
        rows = pd.DataFrame({"file": ids.values, "text": body.values})[~empty.values]
        if len(rows):
            key = hashlib.sha256(json.dumps([salt, suffix, rows.values.tolist()]).encode()).hexdigest()[:24]
            with tables.replacing(cache / f"{key}.table.parquet") as tmp:
                rows.to_parquet(tmp, index=False)
            parts.append(((str(cache / f"{key}.table.parquet"), suffix), key))
        metas, n = metas + [meta], n + len(chunk)
    if not n:
        raise CorpusError(f"{path}: the table has no rows")
    note = [f"{n} rows", "columns: " + ", ".join(f"{f}={c}" for f, c in fields.items())]
    note += [f"ignored column(s): {', '.join(sorted(extra))}"] if (extra := set(chunk) - set(fields.values())) else []
    note += [] if "outlet" in fields else ["no outlet column: every outlet is 'unknown'"]
    rows = pd.concat(metas, ignore_index=True)[manifest.MANIFEST_COLUMNS].replace({"outlet": {"": "unknown"}})
    if len(bad := rows["file"][rows["file"].eq("") | rows["file"].duplicated()]):
        raise CorpusError(f"{path}: row {bad.index[0] + 1}: id {bad.iloc[0]!r} is empty or not unique (column "
                          f"{fields['id']!r}); give unique ids, or drop the column to number the rows")
    return parts, skipped, rows, [{"input": "table", "file": path.name, "status": "read", "reason": "", "outlet": "",
                                   "note": "; ".join(note), "bytes": path.stat().st_size,
                                   "sha256": ingest.fingerprint_file(path)}]

def ingest_part(part, limits, rules_path, cache, root=None) -> dict:
    """Ingest one partition of rows: each text is written to a file and read by ``ingest.ingest_partition``."""
    (chunk, suffix), key = part
    rows = pd.read_parquet(chunk)
    with tempfile.TemporaryDirectory() as tmp:
        for i, body in enumerate(rows["text"]):
            Path(tmp, f"{i}{suffix}").write_bytes(body.encode("utf-8", "surrogatepass"))
        out = ingest.ingest_partition([(file, f"{tmp}/{i}{suffix}") for i, file in enumerate(rows["file"])],
                                      limits, rules_path, Path(cache), key)
    Path(chunk).unlink(missing_ok=True)
    return out
