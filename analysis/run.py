"""``python -m analysis run --corpus DIR --out OUT``: every notebook, in order, with papermill.

Notebooks run into ``OUT/.staging``; their outputs move into ``OUT`` only once all have finished (a run killed while
moving is completed by the next one), so a failed or interrupted run leaves the previous outputs in place. A lock
(``OUT/.run.lock``, an ``flock`` the kernel releases when the process dies) stops two runs writing into one folder.
On a dataset of at most ``SIDE_BY_SIDE_MAX`` articles, 02 and 03 (both read only 01's dataset) run at once, each in
its own kernel, and every kernel starts at once, making its notebook's imports while it waits for its turn; on a
larger one, one after the other, as their memory would add up. Each notebook's HTML pages are exported while the next
one runs.
"""
import argparse
import ast
import asyncio
import contextlib
import functools
import hashlib
import importlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from importlib import metadata
from pathlib import Path

from . import paths, tables

RECORD, LOCK, COMPLETE = "run_record.json", ".run.lock", ".complete"
SIDE_BY_SIDE, SIDE_BY_SIDE_MAX = ("02_terminology", "03_sentiment"), 2_000   # run at once up to this many articles

class RunError(RuntimeError):
    """A run that cannot start or did not finish; the message says which notebook or input and why."""

def notebooks(selected: list[str] | None = None) -> list[Path]:
    """The analysis notebooks in run order (numbered file names), optionally only those named."""
    nbs = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if unknown := set(selected or ()) - {nb.stem for nb in nbs}:
        raise RunError(f"unknown notebook(s) {sorted(unknown)}; choose from {[nb.stem for nb in nbs]}")
    return [nb for nb in nbs if not selected or nb.stem in selected]

class Lock:
    """An exclusive ``flock`` on ``OUT/.run.lock`` for the run; the file names the holder's process id."""

    def __init__(self, out: Path):
        self.path = out / LOCK

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(self.fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                os.close(self.fd)
                raise RunError(f"another run (process {holder}) is writing to {self.path.parent} and holds the lock "
                               f"{self.path}; wait for it to finish (the lock goes when that process ends)") from None
            if self.path.exists() and os.stat(self.path).st_ino == os.fstat(self.fd).st_ino:
                break
            os.close(self.fd)     # the holder removed the file between our open and our lock: again
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)     # unlink while still locked, then release
        os.close(self.fd)

def _publish(staging: Path, out: Path) -> None:
    """Move a complete ``staging`` into ``out`` (marked complete first: ``_recover`` ends it); drop stale partitions."""
    (staging / COMPLETE).write_text("complete\n")
    for src in sorted(p for p in staging.rglob("*") if p.is_file() and p.name != COMPLETE):
        (out / src.relative_to(staging)).parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, out / src.relative_to(staging))
    (staging / COMPLETE).unlink()
    info = out / "data" / "dataset.json"
    n = json.loads(info.read_text())["partitions"] if info.exists() else 0
    for p in (out / "data").glob("[st]e[nx]t*/*.parquet"):     # sentences/, texts/
        if int(p.stem) >= n:
            p.unlink()

def _recover(staging: Path, out: Path) -> bool:
    """Finish publishing a run that died while moving its outputs; drop an unfinished one. True if finished."""
    if finished := (staging / COMPLETE).exists():
        _publish(staging, out)
    shutil.rmtree(staging, ignore_errors=True)
    for tmp in out.glob("*/.*.tmp"):               # half-written files of a killed run
        tmp.unlink(missing_ok=True)
    return finished

def _seed(staging: Path, out: Path) -> None:
    """A run of later notebooks only (no 01_ingest) starts from the published dataset and tables (hard links)."""
    for src in (p for d in ("data", "tables", "figures") for p in (out / d).rglob("*") if p.is_file()):
        (staging / src.relative_to(out)).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, staging / src.relative_to(out))
        except OSError:
            shutil.copyfile(src, staging / src.relative_to(out))

def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None

def record(params: dict, out: Path) -> Path:
    """Write the run record: parameters, versions, SHA-256 of every input (from the ingest report) and data file."""
    import pandas as pd

    req = [l.split("==")[0] for l in (paths.REPO / "requirements.txt").read_text().splitlines() if "==" in l]
    report = pd.read_parquet(out / "data" / "report.parquet")
    info = json.loads((out / "data" / "dataset.json").read_text())
    data = (info["parameters"]["study"], paths.CHROME_RULES, paths.DATA / "abbreviations.txt")
    rel = lambda v: os.path.relpath(v, paths.REPO) if Path(v).is_relative_to(paths.REPO) else str(v)  # noqa: E731
    rec = {"parameters": {k: rel(v) if isinstance(v, str) and os.path.isabs(v) else v for k, v in params.items()},
           "python": sys.version.split()[0], "packages": {n: _version(n) for n in req},
           "inputs": dict(sorted((f, h) for f, h in zip(report["file"], report["sha256"]) if h)),
           "data_files": {rel(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in data},
           "dataset": info["id"], "title": info["title"],
           "notebooks": [nb.name for nb in notebooks(params.get("notebooks"))]}
    with tables.replacing(out / RECORD) as tmp:
        tmp.write_text(json.dumps(rec, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out / RECORD

def _shown(path: Path) -> str:
    """A path as the rendered notebooks show it: relative to notebooks/ inside the repository, else absolute."""
    return os.path.relpath(path, paths.NOTEBOOKS) if Path(path).is_relative_to(paths.REPO) else str(path)

def tidy(executed: Path, replace: dict[str, str]) -> Path:
    """An executed notebook made reproducible: no timings or widget state, fixed ids, ``replace``'s paths shown."""
    import nbformat

    from .render import WIDGET_VIEW, write

    nb = nbformat.read(executed, as_version=4)
    nb.metadata.pop("widgets", None)
    nb.metadata.get("papermill", {}).update(start_time=None, end_time=None, duration=None, input_path=None,
                                            output_path=None, environment_variables={})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).update(start_time=None, end_time=None, duration=None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives the cell it inserts a random id
        if cell.cell_type == "code":  # a bare widget goes whole; beside a static view, only the view goes
            cell.outputs = [o for o in cell.outputs
                            if not (WIDGET_VIEW in o.get("data", {}) and set(o.data) <= {WIDGET_VIEW, "text/plain"})]
            for o in cell.outputs:
                o.get("data", {}).pop(WIDGET_VIEW, None)
    text = nbformat.writes(nb)
    for old, new in replace.items():  # in order: the staging folder before the repository that holds it
        text = re.sub(re.escape(old) + r"(?![\w.-])", new.replace("\\", "\\\\"), text)
    return write(executed, text + "\n")

@functools.cache
def _quiet_kernels():
    """A kernel manager whose kernel writes its own log to nowhere: output and errors come over its channels.
    ``Quiet.kill()`` ends the kernels it started that still run (the other notebook when one of two fails)."""
    from jupyter_client import AsyncKernelManager

    class Quiet(AsyncKernelManager):
        started = []

        async def start_kernel(self, **kw):
            await super().start_kernel(**{"stderr": subprocess.DEVNULL, **kw})
            Quiet.started.append(self.provisioner.process)

        @classmethod
        def kill(cls):
            while cls.started:
                cls.started.pop().kill()   # a no-op for a kernel already ended
    return Quiet

def imports(nb: Path) -> str:
    """The import statements at the top level of ``nb``'s code cells (a cell in IPython's own syntax is passed over).

    >>> imports(notebooks(["04_source_comparison"])[0]).splitlines()[1]
    'import pandas as pd'
    """
    import nbformat

    found = []
    for source in (c.source for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code"):
        with contextlib.suppress(SyntaxError):   # e.g. a %magic: its imports are made in their turn
            found += [ast.get_source_segment(source, node) for node in ast.parse(source).body
                      if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(found)

def execute(nb: Path, parameters: dict, staging: Path, final: Path, turn: Future | None = None,
            early: bool = False) -> Path:
    """Execute one notebook into ``staging/rendered``; a failed one is kept in ``OUT/.failed/``. Given ``turn``, its
    kernel starts at once but no cell runs before ``turn`` is resolved (or raises ``turn``'s exception); ``early``:
    the kernel makes the notebook's ``imports`` as it starts, while it waits."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .params import declared

    executed = staging / "rendered" / nb.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(str(nb), str(executed), cwd=str(nb.parent), kernel_name="python3", progress_bar=False,
                            parameters={k: v for k, v in parameters.items() if k in declared(nb.stem)},
                            request_save_on_cell_execute=False, kernel_manager_class=_quiet_kernels(),
                            on_cell_start=turn and (lambda **_: asyncio.wrap_future(turn)),   # nbclient awaits it
                            extra_arguments=[f"--IPKernelApp.exec_lines={imports(nb)}"] * early)
    except PapermillExecutionError as exc:
        failed, report = final / ".failed", staging / "tables" / "ingest_report.csv"
        failed.mkdir(parents=True, exist_ok=True)
        # the report too: what was read and skipped stays accounted for, though nothing is published
        kept = [shutil.copyfile(f, failed / f.name) for f in (executed, report) if f.exists()]
        raise RunError(f"{nb.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} (executed copy: "
                       + "; this run's ingest report: ".join(map(str, kept)) + ")") from None
    return executed

def _export(executed: Path, staging: Path, final: Path) -> list[Path]:
    """The executed notebook made reproducible (``tidy``) and its HTML pages (``render.html``)."""
    from . import render

    return render.html(tidy(executed, {str(staging): _shown(final), str(paths.REPO): _shown(paths.REPO)}))

def _articles(staging: Path) -> int | None:
    """The number of articles in the staged dataset (None before 01 has made one)."""
    info = staging / "data" / "dataset.json"
    return json.loads(info.read_text())["articles"] if info.exists() else None

def _small(staging: Path, corpus) -> bool:
    """At most ``SIDE_BY_SIDE_MAX`` articles in the staged dataset or, before 01 has made it, files in the corpus
    folder (a table corpus counts as large until then).

    >>> _small(Path("no_dataset_yet"), paths.SEEDS), _small(Path("no_dataset_yet"), None)
    (True, False)
    """
    if (n := _articles(staging)) is None and corpus and Path(corpus).is_dir():
        n = len(list(itertools.islice((p for p in Path(corpus).rglob("*") if p.is_file()), SIDE_BY_SIDE_MAX + 1)))
    return n is not None and n <= SIDE_BY_SIDE_MAX

def _batches(nbs: list[Path], staging: Path):
    """``nbs`` in order, in lists run at once: ``SIDE_BY_SIDE`` together when both are due and the dataset (read when
    they are reached, after 01) is small, else one notebook at a time.

    >>> [[nb.stem[:2] for nb in batch] for batch in _batches(notebooks(), Path("no_dataset_yet"))]
    [['01'], ['02', '03'], ['04']]
    """
    while nbs:
        both = [nb for nb in nbs if nb.stem in SIDE_BY_SIDE]
        small = len(both) == len(SIDE_BY_SIDE) and nbs[0] in both and (_articles(staging) or 0) <= SIDE_BY_SIDE_MAX
        batch = both if small else nbs[:1]
        nbs = [nb for nb in nbs if nb not in batch]
        yield batch

def _execute_all(nbs: list[Path], params: dict, staging: Path, final: Path, quiet: bool) -> tuple[bool, Path | None]:
    """Execute ``nbs`` batch by batch (``_batches``), each notebook's pages exported while the next runs; on a small
    dataset (``_small``) every kernel starts with the first batch and makes its imports while it waits. When one fails
    (or on an interrupt) the other kernels are killed and the first failure is raised. (True if 01 found no article to
    analyse, the keyness page if it was written here)."""
    turns, runs, exports, nothing, keyness = {}, {}, [], False, None
    with ThreadPoolExecutor(1) as pages, ThreadPoolExecutor(len(nbs)) as kernels:
        try:
            for batch in _batches(nbs, staging):
                if not quiet:
                    print(f"running {' and '.join(nb.name for nb in batch)}" + " side by side" * (len(batch) > 1),
                          file=sys.stderr, flush=True)
                if len(batch) > 1:   # a small dataset: the keyness page too, while they run
                    keyness = pages.submit(lambda: importlib.import_module(f"{__package__}.keyness").write(staging))
                small = _small(staging, params.get("corpus_dir"))   # then every kernel starts now
                for nb in nbs if small else batch:
                    if nb not in runs:
                        turns[nb] = Future()
                        runs[nb] = kernels.submit(execute, nb, params, staging, final, turns[nb], small)
                for nb in batch:
                    turns[nb].set_result(None)
                for finished in as_completed(runs[nb] for nb in batch):   # pages exported as each one finishes
                    if failed := finished.exception():
                        if isinstance(failed, RunError) and (others := [nb.name for nb in batch if runs[nb].running()]):
                            failed = RunError(f"{failed}; {' and '.join(others)}, running beside it, was stopped")
                        raise failed
                    exports.append(pages.submit(_export, finished.result(), staging, final))
                if nothing := batch[0].stem == "01_ingest" and not _articles(staging):
                    break   # every input was skipped
        except BaseException:
            _quiet_kernels().kill()   # the notebook beside the failed one
            raise
        finally:
            for turn in turns.values():   # a kernel started ahead whose turn will not come ends
                if not turn.done():
                    turn.set_exception(RunError("not run: an earlier notebook stopped the run"))
            wait(runs.values())
        for f in exports:   # every page written before publishing
            f.result()
    return nothing, keyness and keyness.result()

def _check(nbs: list[Path], root: Path, corpus, params: dict) -> dict:
    """The run's parameters, checked before anything runs: folders, lexicon, names, types and values."""
    from .ingest import CorpusError, Limits
    from .lexicon import LexiconError, load_lexicon
    from .params import ParameterError, convert
    from .table_corpus import SUFFIXES

    if nbs[0].stem == "01_ingest":
        corpus = Path(corpus).expanduser().resolve() if corpus else paths.SEEDS
        if not corpus.is_dir() and not (corpus.is_file() and corpus.suffix.lower() in SUFFIXES):
            raise RunError(f"corpus not found: {corpus} (a folder of articles, or a {'/'.join(SUFFIXES)} table)")
        if root.is_relative_to(corpus):
            raise RunError(f"the output folder {root} is inside the corpus folder {corpus}; its pages would be "
                           f"read as articles: choose --out outside it")
        if corpus.is_dir() and not any(p.is_file() and p.name != "manifest.csv" for p in corpus.rglob("*")):
            raise RunError(f"corpus folder is empty: {corpus} (put .txt or .html articles in it)")
        params["corpus_dir"] = str(corpus)
    elif corpus:
        raise RunError("--corpus is read by 01_ingest only; include it in --only, or leave --corpus out")
    try:
        if params.get("study"):
            params["study"] = str(Path(params["study"]).expanduser().resolve())
            load_lexicon(params["study"])        # a broken study file fails here, naming the file
        params = convert(params, [nb.stem for nb in nbs])
        Limits(**{k: params[k] for k in ("max_bytes", "partition_size") if k in params})   # values, not only types
    except (ParameterError, CorpusError, LexiconError) as exc:
        raise RunError(str(exc)) from None
    return params

def run(corpus=None, out=None, only: list[str] | None = None, quiet: bool = False, **options) -> Path:
    """Run the notebooks on ``corpus`` into ``out``; ``options``: notebook parameters (None: the default)."""
    nbs = notebooks(only)
    root = Path(out).expanduser().resolve() if out else paths.REPO
    params = _check(nbs, root, corpus, {k: v for k, v in options.items() if v is not None})
    with Lock(root):
        staging = root / ".staging"  # one name: the lock makes it ours alone
        _recover(staging, root)
        try:
            (root / ".cache").mkdir(exist_ok=True)   # the notebooks' OUT/.cache (03's sentiment validation) is the
            staging.mkdir()                           # output folder's, kept from run to run: a link, never published
            (staging / ".cache").symlink_to(root / ".cache", target_is_directory=True)
            if nbs[0].stem != "01_ingest":
                _seed(staging, root)
            nothing, keyness = _execute_all(nbs, {**params, "out_dir": str(staging), "cache_dir": str(root / ".cache")},
                                            staging, root, quiet)   # nothing: every input skipped: report only
            record({**params, "notebooks": only}, staging)
            _publish(staging, root)
            if nothing:   # no index page either: there is nothing to show but the ingest report
                raise RunError(f"nothing to analyse: every input of {params['corpus_dir']} was skipped, so the later "
                               f"notebooks did not run; see why in {root / 'tables' / 'ingest_report.csv'}")
            from . import findings, render

            render.index(root, keyness_page=keyness is None)   # else written beside 02 and 03
            if root == paths.REPO and (root / "findings.md").exists():   # the repo's own run: README findings
                findings.embed(paths.REPO / "README.md", root)
        finally:
            if not (staging / COMPLETE).exists():
                shutil.rmtree(staging, ignore_errors=True)
    return root

def main(argv: list[str] | None = None) -> int:
    """``python -m analysis run`` (every notebook) or ``kwic`` (a concordance from a run's dataset)."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    k = sub.add_parser("kwic", help="concordance of a word, phrase, glob (word*) or /regex/ in OUT/data, as CSV")
    k.add_argument("pattern", help="a word, a phrase, a glob (* any letters, ? one) or /a regular expression/")
    k.add_argument("--out", required=True, help="the output folder of a run (its data/ is read, not the corpus)")
    k.add_argument("--window", type=int, default=10, help="words of context each side (default 10)")
    k.add_argument("--limit", type=int, help="print at most this many lines (default: all)")
    p = sub.add_parser("run", help="run every notebook on a corpus")
    p.add_argument("--corpus", help="folder of .txt/.html articles and an optional manifest.csv, or one table "
                   "of articles (.csv, .jsonl, .parquet) (default: seeds/)")
    p.add_argument("--out", help="output folder for tables/, figures/, rendered/ (default: the repository)")
    p.add_argument("--study", "--lexicon", help="study file: lexicon and settings (default: study.yaml in the corpus "
                   "folder, else analysis/data/study.yaml, which names no words)")
    p.add_argument("--columns", help="for a table corpus (.csv/.jsonl/.parquet): its columns for the manifest "
                   "fields, e.g. text=body,outlet=media_name,published=publish_date (default: by name)")
    p.add_argument("--max-bytes", type=int, help="skip (and report) article files larger than this (default 20000000)")
    p.add_argument("--partition-size", type=int, help="articles per partition (bounds memory; default 500)")
    p.add_argument("--scheduler", help="Dask: 'local' for a local cluster or tcp://HOST:PORT (default: in-process)")
    p.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="run only these notebooks, e.g. 01_ingest")
    args = vars(parser.parse_args(argv))
    # nbformat's schemas check no IRI, yet jsonschema would build an IRI grammar on import (1-2 s): not in this process
    sys.modules.setdefault("rfc3987_syntax", None)
    if args.pop("command") == "kwic":
        from .terms import kwic_main
        return kwic_main(**args)
    try:
        out = run(**args)
    except KeyboardInterrupt:
        print("error: interrupted; the previous outputs were left as they were", file=sys.stderr)
        return 130
    except (RunError, OSError, ValueError) as exc:   # OSError, ValueError: e.g. an unwritable --out, a bad manifest
        kind = "" if isinstance(exc, RunError) else f"{type(exc).__name__}: "
        print(f"error: {kind}{' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    print(f"done: tables, figures and rendered notebooks in {out}", file=sys.stderr)
    return 0
