"""Writing outputs so that the same inputs give byte-identical files, each replaced atomically.

>>> save(pd.DataFrame({"a": [1.0 / 3]}), "demo", Path(tempfile.mkdtemp())).read_text()
'a\\n0.333333\\n'
"""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

FLOAT_FORMAT = "%.6g"
FORMULA = re.compile(r"(?![+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z)[=+\-@\t\r].", re.DOTALL)   # see ``inert``

@contextmanager
def replacing(path):
    """Yield a temporary path beside ``path``; once the block succeeds it replaces ``path`` atomically (readers never
    see a half-written file; a failure leaves the old file in place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:   # a full disk or a read-only folder: say which file
        raise OSError(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)

def inert(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each text cell (and column name) a spreadsheet would run as a formula (2+ characters starting with
    = + - @ tab or CR, not a number) written after a ``'``. ``ANALYSIS_KEEP_FORMULAS=1`` keeps them raw.

    >>> inert(pd.DataFrame({"=x": ["=cmd|' /C calc'!A0", "@SUM(A1)", "-0.25", "+1", "-", "- a"]}))["'=x"].tolist()
    ["'=cmd|' /C calc'!A0", "'@SUM(A1)", '-0.25', '+1', '-', "'- a"]
    """
    if os.environ.get("ANALYSIS_KEEP_FORMULAS") == "1":
        return df
    safe = lambda v: f"'{v}" if isinstance(v, str) and FORMULA.match(v) else v  # noqa: E731
    names, df = df.columns.map(safe), df.set_axis(range(df.shape[1]), axis=1)   # a copy; names may repeat
    text = df.select_dtypes(["object", "string", "category"]).columns
    df[text] = df[text].map(safe)
    return df.set_axis(names, axis=1)

def write_csv(df, path: Path) -> Path:
    """Write ``df`` (or each frame of an iterable, streamed; the first gives the header) as UTF-8 CSV, fixed float
    format, formulas made ``inert``, atomically. Callers sort rows first."""
    if isinstance(df, pd.DataFrame):   # a slice (a view) at a time: ``inert`` copies only that much of a large table
        df = [df.iloc[i:i + 200_000] for i in range(0, max(len(df), 1), 200_000)]
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        for i, part in enumerate(df):
            inert(part).to_csv(fh, header=not i, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return Path(path)

def save(df: pd.DataFrame, name: str, tables_dir: Path) -> Path:
    """Publish ``df`` as ``tables_dir/name.csv``; returns the path."""
    return write_csv(df, Path(tables_dir) / f"{name}.csv")
