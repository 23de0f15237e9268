"""Writing published tables so that the same inputs give byte-identical files."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

FLOAT_FORMAT = "%.6g"


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` as UTF-8 CSV with a fixed float format, atomically (temp file + rename).

    Callers sort rows first; this function never reorders them.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save(df: pd.DataFrame, name: str, tables_dir: Path) -> Path:
    """Publish ``df`` as ``tables_dir/name.csv``; returns the path.

    >>> save(pd.DataFrame({"a": [1.0 / 3]}), "demo", Path(tempfile.mkdtemp())).read_text()
    'a\\n0.333333\\n'
    """
    return write_csv(df, Path(tables_dir) / f"{name}.csv")
