"""The manifest: one row per article file with its outlet, date and group; every row is used or reported."""
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
    return Path(value.replace("\\", "/")).as_posix() if value else value

def read_manifest(root: Path) -> tuple[pd.DataFrame, list[dict]]:
    """Usable rows (one per file) and report rows (the manifest, each row not used); oddities warn, bad ones raise."""
    path = root / MANIFEST
    if not path.exists():
        return pd.DataFrame(columns=MANIFEST_COLUMNS), []
    raw = path.read_bytes()
    decoded, encoding = decode(raw)
    if decoded is None:
        raise CorpusError(f"{path}: cannot decode the manifest; save it as UTF-8")
    notes = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"not UTF-8, read as {encoding}; check outlet names (save it as UTF-8 to be sure)")
        warnings.warn(f"{path}: {notes[-1]}", CorpusWarning, stacklevel=2)
    lines = decoded.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not normalise(decoded).strip():
        raise CorpusError(f"{path}: the manifest is empty; give a header row (file,outlet,...) and one row per file, "
                          f"or delete it")
    try:
        try:
            sep = csv.Sniffer().sniff(lines[0], delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
        # normalise turns tabs into spaces, so a tab-separated manifest is normalised field by field
        body = normalise(decoded) if sep != "\t" else "\n".join("\t".join(map(normalise, l.split("\t"))) for l in lines)
        df = pd.read_csv(io.StringIO(body), sep=sep, dtype=str, keep_default_na=False)
    except (csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorpusError(f"{path}: not a readable CSV ({exc}); one header row, then one row per file") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    if missing := {"file", "outlet"} - set(df.columns):
        raise CorpusError(f"{path}: missing column(s) {sorted(missing)}; the manifest needs at least 'file' and "
                          f"'outlet' (found: {', '.join(df.columns)})")
    if extra := [c for c in df.columns if c not in MANIFEST_COLUMNS]:
        notes.append(f"extra column(s) ignored: {', '.join(extra)}")
        warnings.warn(f"{path}: {notes[-1]}", CorpusWarning, stacklevel=2)
    df = df[[c for c in MANIFEST_COLUMNS if c in df.columns]].reindex(columns=MANIFEST_COLUMNS, fill_value="")
    df = df.apply(lambda col: col.str.strip())
    df["file"] = df["file"].map(_manifest_path)
    problems, keep, real_root = [], {}, os.path.realpath(root)
    for i, (file, outlet) in enumerate(zip(df["file"], df["outlet"])):
        if not file:
            bad = "manifest row with no file name"
        elif os.path.isabs(file) or os.path.commonpath([real_root, os.path.realpath(root / file)]) != real_root:
            bad = "manifest path outside the corpus folder"
        elif file == MANIFEST:
            bad = "manifest row naming the manifest itself"
        elif file in keep:
            bad = "duplicate manifest row (the first row for this file is used)"
        elif not os.path.isfile(root / file):
            bad = "manifest row without a file"
        else:
            keep[file] = i
            continue
        problems.append({"input": "manifest row", "file": file or f"manifest row {i + 2}", "status": "skipped",
                         "reason": bad, "note": f"manifest row {i + 2}", "outlet": outlet})
    good = df.loc[list(keep.values())].reset_index(drop=True)
    good["outlet"] = good["outlet"].replace("", "unknown")
    itself = {"input": "manifest", "file": MANIFEST, "status": "read", "reason": "", "outlet": "",
              "note": "; ".join(notes + [f"{len(good)} of {len(df)} rows used"]), "bytes": len(raw),
              "encoding": encoding, "sha256": hashlib.sha256(raw).hexdigest()}
    return good, [itself] + problems

def check_date(value: str) -> tuple[str, str]:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or '' with a note saying why it was dropped.

    >>> check_date("2008-02-30")
    ('', "published '2008-02-30' is not an ISO date (YYYY-MM-DD); left empty")
    """
    if not value or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) and not pd.isna(
            pd.to_datetime(value + "-01" * (2 - value.count("-")), errors="coerce", format="%Y-%m-%d")):
        return value, ""
    return "", f"published '{value}' is not an ISO date (YYYY-MM-DD); left empty"
