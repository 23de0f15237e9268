"""The manifest: one row per article file with its outlet, date and group; every row is used or reported."""
from __future__ import annotations

import hashlib
import io
import posixpath
import re
import unicodedata
import warnings
from pathlib import Path

import pandas as pd

from .ingest import CorpusError, binary, decode, normalise

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["file", "outlet", "url", "published", "date_precision", "country", "group", "notes"]

class CorpusWarning(UserWarning):
    """Something in the corpus was read but deserves a look (e.g. a manifest that is not UTF-8)."""

def _manifest_path(value: str) -> str:
    """A manifest ``file`` value as a corpus-relative POSIX path in NFC: backslashes, ``./`` and ``..`` resolved.

    >>> _manifest_path(r".\\sub\\..\\m2.txt"), _manifest_path("../x.txt")
    ('m2.txt', '../x.txt')
    """
    return unicodedata.normalize("NFC", posixpath.normpath(value.replace("\\", "/"))) if value else value

def read_manifest(root: Path, names=()) -> tuple[pd.DataFrame, list[dict]]:
    """Usable rows (one per file, ``file`` as ``names`` spells it) and report rows (the manifest, each row not used).
    ``names``: what discovery found (a folder ends in "/"), matched in NFC. Oddities warn, bad files raise."""
    path, notes = root / MANIFEST, []
    if not path.is_file():
        return pd.DataFrame(columns=MANIFEST_COLUMNS), []
    raw = path.read_bytes()
    decoded, encoding = decode(raw)
    if decoded is None or binary(raw):
        raise CorpusError(f"{path}: not a text file (binary or undecodable); the manifest must be a CSV saved as UTF-8")
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"not UTF-8, read as {encoding}; check outlet names (save it as UTF-8 to be sure)")
    if not (body := normalise(decoded)).strip():   # tabs stay: they may separate the columns
        raise CorpusError(f"{path}: the manifest is empty; give a header row (file,outlet,...) and one row per file, "
                          f"or delete it")
    sep = max(",;\t|", key=body.split("\n", 1)[0].count)   # the separator the header uses most (a comma if none)
    try:
        df = pd.read_csv(io.StringIO(body), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorpusError(f"{path}: not a readable CSV ({exc}); one header row, then one row per file") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    if missing := {"file", "outlet"} - set(df.columns):
        found = ", ".join(c[:40] for c in df.columns[:10]) + (", ..." if len(df.columns) > 10 else "")
        raise CorpusError(f"{path}: missing column(s) {sorted(missing)}; the manifest needs at least 'file' and "
                          f"'outlet' (found: {found})")
    if extra := [c for c in df.columns if c not in MANIFEST_COLUMNS]:
        notes.append(f"extra column(s) ignored: {', '.join(extra)}")
    for note in notes:
        warnings.warn(f"{path}: {note}", CorpusWarning, stacklevel=2)
    df = df.reindex(columns=MANIFEST_COLUMNS, fill_value="").apply(   # names, notes on one line (safe in Markdown)
        lambda col: col.str.strip() if col.name == "file" else col.str.split().str.join(" "))
    on_disk, problems, keep = {unicodedata.normalize("NFC", n): n for n in names}, [], {}
    folders = [n for n in on_disk if n.endswith("/")]
    for i, given in enumerate(df["file"]):
        file = _manifest_path(given)
        if not file:
            bad = "manifest row with no file name"
        elif file.split("/")[0] in ("", ".."):
            bad = "manifest path outside the corpus folder"
        elif file == MANIFEST:
            bad = "manifest row naming the manifest itself"
        elif on_disk.get(file) in keep:
            bad = "duplicate manifest row (the first row for this file is used)"
        elif file in on_disk:
            keep[on_disk[file]] = i
            continue
        else:
            bad = next((f"manifest row for a file in the unreadable folder {d}" for d in folders
                        if file.startswith(d)), "manifest row without a file")
        problems.append({"input": "manifest row", "file": given or f"manifest row {i + 2}", "status": "skipped",
                         "reason": bad, "note": f"manifest row {i + 2}", "outlet": df["outlet"][i]})
    good = df.loc[list(keep.values())].assign(file=list(keep)).reset_index(drop=True)
    itself = {"input": "manifest", "file": MANIFEST, "status": "read", "reason": "", "outlet": "",
              "note": "; ".join(notes + [f"{len(good)} of {len(df)} rows used"]), "bytes": len(raw),
              "encoding": encoding, "sha256": hashlib.sha256(raw).hexdigest()}
    return good, [itself] + problems

def check_date(value: str) -> tuple[str, str]:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or '' with a note saying why it was dropped.

    >>> check_date("2008-02-30")
    ('', "published '2008-02-30' is not an ISO date (YYYY-MM-DD); left empty")
    """
    ok = not value or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) and not pd.isna(
        pd.to_datetime(value + "-01" * (2 - value.count("-")), errors="coerce", format="%Y-%m-%d"))
    return (value, "") if ok else ("", f"published '{value}' is not an ISO date (YYYY-MM-DD); left empty")

def check_precision(value: str) -> tuple[str, str]:
    """A ``date_precision`` that ``compare.periods`` reads, or '' with a note saying why it was dropped.

    >>> check_precision("approx_day"), check_precision("banana")[1][:34]
    (('approx_day', ''), "date_precision 'banana' is unknown")
    """
    if not value or re.fullmatch(r"((approx|before|after|not_before|not_after)_)?(day|month|quarter|year)", value):
        return value, ""
    return "", f"date_precision '{value}' is unknown (day, month, quarter or year, e.g. approx_month); left empty"
