"""Run every notebook on a corpus with papermill: ``python -m analysis run --corpus DIR --out OUT``.

Notebooks run in order, each with the same parameters, writing into a staging
folder; a notebook's tables, figures and rendered copy are moved into ``OUT``
only once it has finished, so a failed or interrupted run leaves the previous
complete outputs in place. A lock file stops two runs writing into one folder.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sys
from importlib import metadata
from pathlib import Path

from . import paths

RECORD = "run_record.json"
LOCK = ".run.lock"


class RunError(RuntimeError):
    """A run that cannot start or did not finish; the message says which notebook or input and why."""


def notebooks(selected: list[str] | None = None) -> list[Path]:
    """The analysis notebooks in run order (numbered file names), optionally only those named."""
    nbs = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if selected:
        unknown = set(selected) - {nb.stem for nb in nbs}
        if unknown:
            raise RunError(f"unknown notebook(s) {sorted(unknown)}; choose from {[nb.stem for nb in nbs]}")
        nbs = [nb for nb in nbs if nb.stem in selected]
    return nbs


class Lock:
    """An exclusive lock on an output folder, released on exit; a stale lock (dead process) is taken over."""

    def __init__(self, out: Path):
        self.path = out / LOCK

    def __enter__(self):
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                return self
            except FileExistsError:
                pid = self.path.read_text().strip()
                if pid.isdigit() and _alive(int(pid)):
                    raise RunError(f"another run (process {pid}) is writing to {self.path.parent}; "
                                   f"wait for it to finish, or delete {self.path} if it is gone")
                self.path.unlink(missing_ok=True)
        raise RunError(f"cannot take the lock {self.path}")

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _publish(staging: Path, out: Path) -> None:
    """Copy every file from ``staging`` to the same place under ``out``, each replaced by an atomic rename.

    Staging keeps its copies so later notebooks of the same run read the tables earlier ones wrote.
    """
    for src in sorted(p for p in staging.rglob("*") if p.is_file()):
        dest = out / src.relative_to(staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)


def record(params: dict, corpus_dir: Path, out: Path) -> Path:
    """Write the run record: parameters, Python and package versions, SHA-256 of every input file."""
    req = (paths.REPO / "requirements.txt").read_text().splitlines()
    names = [l.split("==")[0] for l in req if "==" in l and not l.startswith("#")]
    versions = {}
    for n in names:
        try:
            versions[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            versions[n] = None
    inputs = {p.relative_to(corpus_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted(corpus_dir.rglob("*")) if p.is_file() and not p.is_symlink()}
    rec = {"parameters": params, "python": platform.python_version(), "packages": versions, "inputs": inputs,
           "notebooks": [nb.name for nb in notebooks(params.get("notebooks"))]}
    path = out / RECORD
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def execute(nb: Path, parameters: dict, staging: Path) -> Path:
    """Execute one notebook with papermill into ``staging/rendered`` and export it as HTML."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    declared = pm.inspect_notebook(str(nb))
    params = {k: v for k, v in parameters.items() if k in declared}
    executed = staging / "rendered" / nb.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(str(nb), str(executed), parameters=params, cwd=str(nb.parent), kernel_name="python3",
                            progress_bar=False, request_save_on_cell_execute=False)
    except PapermillExecutionError as exc:
        raise RunError(f"{nb.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                       f"(executed copy: {executed})") from None
    from . import render

    render.html(tidy(executed, {str(staging): parameters.get("final_out", str(staging))}))
    return executed


def tidy(executed: Path, replace: dict[str, str]) -> Path:
    """Make an executed notebook reproducible: drop run timings, show final paths instead of staging ones."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    nb.metadata.get("papermill", {}).update(start_time=None, end_time=None, duration=None, input_path=None,
                                            output_path=None, environment_variables={})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "papermill" in cell.metadata:
            cell.metadata.papermill.update(start_time=None, end_time=None, duration=None)
        for old, new in replace.items():
            cell.source = cell.source.replace(old, new)
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    for key, value in params.items():
        for old, new in replace.items():
            if isinstance(value, str):
                params[key] = value.replace(old, new)
    nbformat.write(nb, executed)
    return executed


def run(corpus=None, out=None, scheduler=None, partition_size=500, lexicon=None,
        only: list[str] | None = None, quiet: bool = False) -> Path:
    """Run the notebooks on ``corpus`` into ``out``; see the module docstring. Returns ``out``."""
    corpus_dir = paths.corpus_dir(corpus)
    if not corpus_dir.is_dir():
        raise RunError(f"corpus folder not found: {corpus_dir}")
    if not any(p.is_file() and p.name != "manifest.csv" for p in corpus_dir.rglob("*")):
        raise RunError(f"corpus folder is empty: {corpus_dir} (put .txt or .html articles in it)")
    if lexicon and not Path(lexicon).is_file():
        raise RunError(f"lexicon file not found: {lexicon}")
    if not isinstance(partition_size, int) or partition_size < 1:
        raise RunError(f"partition size must be a positive whole number, not {partition_size!r}")
    outputs = paths.outputs(out)
    params = {"corpus_dir": str(corpus_dir), "scheduler": scheduler, "partition_size": partition_size,
              "lexicon": str(Path(lexicon).resolve()) if lexicon else None, "notebooks": only}
    with Lock(outputs.root):
        staging = outputs.root / ".staging"  # one name: the lock makes it ours alone
        shutil.rmtree(staging, ignore_errors=True)
        try:
            for nb in notebooks(only):
                if not quiet:
                    print(f"running {nb.name}", file=sys.stderr, flush=True)
                execute(nb, {**params, "out_dir": str(staging), "cache_dir": str(outputs.cache),
                             "final_out": str(outputs.root)}, staging)
                _publish(staging, outputs.root)
            record(params, corpus_dir, outputs.root)
            from . import render

            render.index(outputs.root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return outputs.root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run every notebook on a corpus folder")
    p.add_argument("--corpus", help="folder of .txt/.html articles and an optional manifest.csv (default: seeds/)")
    p.add_argument("--out", help="output folder for tables/, figures/, rendered/ (default: the repository)")
    p.add_argument("--scheduler", help="Dask scheduler: 'local' for a local cluster or tcp://HOST:PORT (default: in-process)")
    p.add_argument("--partition-size", type=int, default=500, help="articles per partition (bounds memory; default 500)")
    p.add_argument("--lexicon", help="term lexicon YAML (default: analysis/data/lexicon.yaml)")
    p.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="run only these notebooks, e.g. 01_ingest")
    args = parser.parse_args(argv)
    try:
        out = run(args.corpus, args.out, args.scheduler, args.partition_size, args.lexicon, args.only)
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"done: tables, figures and rendered notebooks in {out}", file=sys.stderr)
    return 0
