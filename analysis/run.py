"""Run every notebook on a corpus with papermill: ``python -m analysis run --corpus DIR --out OUT``.

Notebooks run in order, each with the same parameters, writing into a staging
folder; the tables, figures and rendered copies are copied into ``OUT`` only once
every notebook has finished (each file replaced atomically; a run killed while
copying is completed by the next one), so a failed or interrupted run leaves the
previous complete outputs in place. A lock (``OUT/.run.lock``, released by the
kernel when the process dies) stops two runs writing into one folder.
"""
from __future__ import annotations

import argparse
import ast
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
    """An exclusive lock on an output folder (``OUT/.run.lock``), held until the run ends.

    The lock is an ``flock`` on the file, so the kernel releases it when the process dies, however
    it dies: a lock file left by a killed run is simply taken over. The file names the holder's
    process id, for the message a second run gets.
    """

    def __init__(self, out: Path):
        self.path = out / LOCK
        self.fd = None

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise RunError(f"another run (process {holder}) is writing to {self.path.parent} and holds the lock "
                               f"{self.path}; wait for it to finish (the lock is released when that process ends)") \
                    from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:          # the holder removed the file between our open and our lock: retry
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            self.fd = fd
            return self
        raise RunError(f"cannot take the lock {self.path}; is another run starting and stopping there?")

    def __exit__(self, *exc):
        if self.fd is not None:
            self.path.unlink(missing_ok=True)     # unlink while still locked, then release
            os.close(self.fd)
            self.fd = None


COMPLETE = ".complete"


def _publish(staging: Path, out: Path) -> None:
    """Copy every file from a complete ``staging`` to the same place under ``out``, each by an atomic rename.

    Called once, after every notebook of the run has finished, so ``out`` never mixes notebooks of
    two runs. ``staging`` is marked complete first: if the process dies half-way through copying,
    the next run (holding the lock) finishes the copy before it starts (``_recover``).
    """
    (staging / COMPLETE).write_text("complete\n")
    for src in sorted(p for p in staging.rglob("*") if p.is_file() and p.name != COMPLETE):
        dest = out / src.relative_to(staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    (staging / COMPLETE).unlink()


def _recover(staging: Path, out: Path) -> bool:
    """Finish publishing a run that died while copying its outputs; drop an unfinished one. True if finished."""
    finished = (staging / COMPLETE).exists()
    if finished:
        _publish(staging, out)
    shutil.rmtree(staging, ignore_errors=True)
    for tmp in out.glob("*/.*.tmp"):               # half-copied files of a killed publish
        tmp.unlink(missing_ok=True)
    return finished


def check_params(params: dict, nbs: list[Path] | None = None) -> dict:
    """Refuse parameters no notebook declares, or of another type than the notebooks' defaults.

    papermill only warns about unknown names, and a string where a number belongs fails deep inside
    a notebook; this says which parameter, what was given and what is expected, before anything runs.
    ``None`` is accepted for any parameter (it means the default).
    """
    import papermill as pm

    declared = {}
    for nb in nbs if nbs is not None else notebooks():
        for name, spec in pm.inspect_notebook(str(nb)).items():
            declared.setdefault(name, (spec.get("default"), nb.name))
    unknown = sorted(set(params) - set(declared))
    if unknown:
        import difflib

        hints = [f"{u!r}" + (f" (did you mean {m[0]!r}?)" if (m := difflib.get_close_matches(u, declared, 1)) else "")
                 for u in unknown]
        raise RunError(f"unknown parameter(s) {', '.join(hints)}; the notebooks take {', '.join(sorted(declared))}")
    for name, value in params.items():
        default = declared[name][0]
        if value is None or default in (None, "None"):
            continue
        try:
            expected = type(ast.literal_eval(default))  # a literal: 500, "en", 0.8
        except Exception:
            continue
        ok = isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise RunError(f"parameter {name!r} must be {expected.__name__} (default {default} in {declared[name][1]}), "
                           f"not {type(value).__name__} {value!r}")
    return params


def _shown(path: Path) -> str:
    """A path as the rendered notebooks show it: relative to notebooks/ inside the repository, else absolute."""
    path = Path(path)
    return os.path.relpath(path, paths.NOTEBOOKS) if path.is_relative_to(paths.REPO) else str(path)


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
    from .corpus import file_sha256

    inputs = {p.relative_to(corpus_dir).as_posix(): file_sha256(p)
              for p in sorted(corpus_dir.rglob("*")) if p.is_file() and not p.is_symlink()}
    shown = {k: os.path.relpath(v, paths.REPO) if isinstance(v, str) and Path(v).is_relative_to(paths.REPO) else v
             for k, v in params.items()}          # repository paths relative, so any checkout records the same
    rec = {"parameters": shown, "python": platform.python_version(), "packages": versions, "inputs": inputs,
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

    final = Path(parameters.get("final_out") or staging)
    shown = {str(staging): _shown(final), str(paths.REPO): _shown(paths.REPO)}
    render.html(tidy(executed, shown))
    return executed


def tidy(executed: Path, replace: dict[str, str]) -> Path:
    """Make an executed notebook reproducible: no run timings, and paths shown as they will be read.

    ``replace`` maps absolute paths (the staging folder, the repository) to what a reader should
    see (the final output folder, ``..`` from notebooks/), everywhere in the notebook: sources,
    outputs and papermill's metadata. So a run into the repo renders the same on any checkout.
    """
    import re

    import nbformat

    nb = nbformat.read(executed, as_version=4)
    nb.metadata.get("papermill", {}).update(start_time=None, end_time=None, duration=None, input_path=None,
                                            output_path=None, environment_variables={})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "papermill" in cell.metadata:
            cell.metadata.papermill.update(start_time=None, end_time=None, duration=None)
    text = nbformat.writes(nb)
    for old, new in replace.items():  # in order: the staging folder before the repository that holds it
        text = re.sub(re.escape(old) + r"(?![\w.-])", new.replace("\\", "\\\\"), text)
    tmp = executed.with_name(f".{executed.name}.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, executed)
    return executed


def run(corpus=None, out=None, scheduler=None, partition_size=500, lexicon=None,
        only: list[str] | None = None, quiet: bool = False, max_bytes: int | None = None) -> Path:
    """Run the notebooks on ``corpus`` into ``out``; see the module docstring. Returns ``out``.

    Arguments are checked before anything runs (folder, lexicon, parameter types); the outputs
    are published only once every notebook has finished, so a failed or killed run leaves the
    previous complete outputs as they were.
    """
    corpus_dir = paths.corpus_dir(corpus)
    if not corpus_dir.is_dir():
        raise RunError(f"corpus folder not found: {corpus_dir}")
    if not any(p.is_file() and p.name != "manifest.csv" for p in corpus_dir.rglob("*")):
        raise RunError(f"corpus folder is empty: {corpus_dir} (put .txt or .html articles in it)")
    if lexicon and not Path(lexicon).is_file():
        raise RunError(f"lexicon file not found: {lexicon}")
    if isinstance(partition_size, bool) or not isinstance(partition_size, int) or partition_size < 1:
        raise RunError(f"partition size must be a positive whole number, not {partition_size!r}")
    if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1):
        raise RunError(f"max bytes must be a positive whole number, not {max_bytes!r}")
    if lexicon:
        from . import terms

        try:
            terms.load_lexicon(lexicon)          # a broken lexicon fails here, naming the file, not in notebook 02
        except terms.LexiconError as exc:
            raise RunError(str(exc)) from None
    nbs = notebooks(only)
    outputs = paths.outputs(out)
    params = {"corpus_dir": str(corpus_dir), "scheduler": scheduler, "partition_size": partition_size,
              "lexicon": str(Path(lexicon).resolve()) if lexicon else None, "notebooks": only}
    if max_bytes is not None:
        params["max_bytes"] = max_bytes
    run_params = {**params, "out_dir": None, "cache_dir": None, "final_out": None}
    check_params({k: v for k, v in run_params.items() if k not in ("notebooks", "final_out")})
    with Lock(outputs.root):
        staging = outputs.root / ".staging"  # one name: the lock makes it ours alone
        _recover(staging, outputs.root)
        try:
            for nb in nbs:
                if not quiet:
                    print(f"running {nb.name}", file=sys.stderr, flush=True)
                execute(nb, {**params, "out_dir": str(staging), "cache_dir": str(outputs.cache),
                             "final_out": str(outputs.root)}, staging)
            record(params, corpus_dir, staging)
            _publish(staging, outputs.root)
            from . import findings, render

            render.index(outputs.root)
            if outputs.root == paths.REPO:          # the repo's own run: the README shows its findings
                findings.embed(paths.REPO / "README.md", outputs.root)
        finally:
            if not (staging / COMPLETE).exists():
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
    p.add_argument("--max-bytes", type=int, default=None,
                   help="skip (and report) article files larger than this (default 20000000)")
    p.add_argument("--lexicon", help="term lexicon YAML (default: analysis/data/lexicon.yaml)")
    p.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="run only these notebooks, e.g. 01_ingest")
    args = parser.parse_args(argv)
    try:
        out = run(args.corpus, args.out, args.scheduler, args.partition_size, args.lexicon, args.only,
                  max_bytes=args.max_bytes)
    except RunError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the previous outputs were left as they were", file=sys.stderr)
        return 130
    except (OSError, ValueError) as exc:   # e.g. an output folder we may not write to, a bad manifest
        print(f"error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    print(f"done: tables, figures and rendered notebooks in {out}", file=sys.stderr)
    return 0
