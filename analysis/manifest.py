"""The manifest: one row per article file with its outlet, date and group; checked row by row.

Every row ends up used or in the ingest report with a reason; tolerated oddities (a BOM, another
encoding, another separator, extra columns) are warned about and noted in the report.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import warnings
from pathlib import Path

import pandas as pd

from .ingest import CorpusError, decode, normalise

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["file", "outlet", "url", "published", "date_precision", "country", "group", "notes"]


class CorpusWarning(UserWarning):
    """Something in the corpus was read but deserves a look (e.g. a manifest that is not UTF-8)."""


def _manifest_path(value: str) -> str:
    """A manifest ``file`` value as a corpus-relative POSIX path: backslashes and ``./`` normalised."""
    value = value.replace("\\", "/")
    return Path(value).as_posix() if value else value


def read_manifest(root: Path) -> tuple[pd.DataFrame, list[dict]]:
    """The manifest's usable rows (one per file) and report rows: one for the manifest itself (input
    ``manifest``, status ``read``, its warnings in ``note``) and one per row that is not usable.

    Tolerated, with a ``CorpusWarning`` (also in the report): a BOM, another encoding than UTF-8
    (Windows-1252 is detected), a semicolon, tab or bar as separator, extra columns (ignored). Refused,
    with an error naming the manifest and the fix: no 'file' or 'outlet' column, rows that do not
    parse, an empty file.
    """
    path = root / MANIFEST
    if not path.exists():
        return pd.DataFrame(columns=MANIFEST_COLUMNS), []
    raw = path.read_bytes()
    decoded, encoding = decode(raw)
    if decoded is None:
        raise CorpusError(f"{path}: cannot decode the manifest; save it as UTF-8")
    notes = []

    def warn(message):
        notes.append(message)
        warnings.warn(f"{path}: {message}", CorpusWarning, stacklevel=3)

    if encoding not in ("utf-8", "utf-8-sig"):
        warn(f"not UTF-8, read as {encoding}; check outlet names (save it as UTF-8 to be sure)")
    lines = decoded.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = lines[0]
    decoded = normalise(decoded)
    if not decoded.strip():
        raise CorpusError(f"{path}: the manifest is empty; give a header row (file,outlet,...) and one row per file, "
                          f"or delete it")
    try:
        try:
            sep = csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
        if sep == "\t":   # normalise turns tabs into spaces: normalise field by field instead
            decoded = "\n".join("\t".join(normalise(f) for f in line.split("\t")) for line in lines)
        df = pd.read_csv(io.StringIO(decoded), sep=sep, dtype=str, keep_default_na=False)
    except (csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorpusError(f"{path}: not a readable CSV ({exc}); one header row, then one row per file") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = {"file", "outlet"} - set(df.columns)
    if missing:
        raise CorpusError(f"{path}: missing column(s) {sorted(missing)}; the manifest needs at least 'file' and 'outlet'"
                          f" (found: {', '.join(df.columns)})")
    extra = [c for c in df.columns if c not in MANIFEST_COLUMNS]
    if extra:
        warn(f"extra column(s) ignored: {', '.join(extra)}")
    df = df[[c for c in MANIFEST_COLUMNS if c in df.columns]].copy().reindex(columns=MANIFEST_COLUMNS, fill_value="")
    df = df.apply(lambda col: col.str.strip())
    df["file"] = df["file"].map(_manifest_path)
    problems, keep, seen = [], [], set()
    real_root = os.path.realpath(root)
    for i, (file, outlet) in enumerate(zip(df["file"].tolist(), df["outlet"].tolist())):
        where = f"manifest row {i + 2}"
        bad = None
        if not file:
            bad = "manifest row with no file name"
        elif os.path.isabs(file) or os.path.commonpath([real_root, os.path.realpath(root / file)]) != real_root:
            bad = "manifest path outside the corpus folder"
        elif file == MANIFEST:
            bad = "manifest row naming the manifest itself"
        elif file in seen:
            bad = "duplicate manifest row (the first row for this file is used)"
        elif not os.path.isfile(root / file):
            bad = "manifest row without a file"
        if bad:
            problems.append({"input": "manifest row", "file": file or where, "status": "skipped",
                             "reason": bad, "note": where, "outlet": outlet})
        else:
            keep.append(i)
            seen.add(file)
    good = df.loc[keep].copy()
    good["outlet"] = good["outlet"].replace("", "unknown")
    itself = {"input": "manifest", "file": MANIFEST, "status": "read", "reason": "", "outlet": "",
              "note": "; ".join(notes + [f"{len(good)} of {len(df)} rows used"]), "bytes": len(raw),
              "encoding": encoding, "sha256": hashlib.sha256(raw).hexdigest()}
    return good.reset_index(drop=True), [itself] + problems


def check_date(value: str) -> tuple[str, str]:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or '' with a note saying why it was dropped."""
    if not value or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) and not pd.isna(
            pd.to_datetime(value + "-01" * (2 - value.count("-")), errors="coerce", format="%Y-%m-%d")):
        return value, ""
    return "", f"published '{value}' is not an ISO date (YYYY-MM-DD); left empty"

