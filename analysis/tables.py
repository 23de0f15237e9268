"""Writing outputs so that the same inputs give byte-identical files, each replaced atomically."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

FLOAT_FORMAT = "%.6g"

@contextmanager
def replacing(path):
    """Yield a temporary path beside ``path``; once the block succeeds it replaces ``path`` atomically.

    Readers never see a half-written file, and a failure leaves the old file in place.

    >>> p = Path(tempfile.mkdtemp()) / "x.txt"
    >>> with replacing(p) as tmp:
    ...     _ = tmp.write_text("done")
    >>> p.read_text()
    'done'
    """
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

def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` as UTF-8 CSV with a fixed float format, atomically. Callers sort rows first."""
    with replacing(path) as tmp:
        df.to_csv(tmp, index=False, float_format=FLOAT_FORMAT, lineterminator="\n", encoding="utf-8")
    return Path(path)

def save(df: pd.DataFrame, name: str, tables_dir: Path) -> Path:
    """Publish ``df`` as ``tables_dir/name.csv``; returns the path.

    >>> save(pd.DataFrame({"a": [1.0 / 3]}), "demo", Path(tempfile.mkdtemp())).read_text()
    'a\\n0.333333\\n'
    """
    return write_csv(df, Path(tables_dir) / f"{name}.csv")
