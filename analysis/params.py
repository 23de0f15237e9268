"""Notebook parameters: declared once, typed and commented, in each notebook's tagged cell; checked on use.

papermill only warns about a misspelt name and passes any value through, so a string given where
a list belongs would be iterated letter by letter. ``check`` reads the notebook's own parameters
cell (the one place they are declared), refuses names no notebook declares, and converts or refuses
each value by its annotation: a string for ``list[str]`` is one item, never its letters.

>>> check("02_terminology", {"families": "armed_groups", "kwic_window": 60}).families
['armed_groups']
"""
from __future__ import annotations

import ast
import difflib
import json
import types
from pathlib import Path

from . import paths

IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open", "display"}


class ParameterError(ValueError):
    """A notebook parameter that is unknown or of the wrong type; the message names it and the fix."""


def declared(notebook: str) -> dict[str, tuple[str, object, str]]:
    """name -> (annotation, default, comment) from the parameters cell of ``notebooks/NOTEBOOK.ipynb``."""
    nb = json.loads((paths.NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    lines = source.splitlines()
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign):
            comment = lines[node.lineno - 1].partition("#")[2].strip()
            out[node.target.id] = (ast.unparse(node.annotation), ast.literal_eval(node.value), comment)
    return out


def _convert(name: str, kind: str, value, default):
    if value is None and default is None:
        return None
    wrong = ParameterError(f"parameter {name!r} must be {kind}, not {type(value).__name__} {value!r}")
    if kind == "list[str]":
        value = [value] if isinstance(value, str) else value   # one item, never its letters
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise wrong
        return list(value)
    if isinstance(value, bool) and kind != "bool":
        raise wrong
    if kind == "float" and isinstance(value, int):
        return float(value)
    if not isinstance(value, {"int": int, "float": float, "str": str, "bool": bool, "dict": dict}[kind]):
        raise wrong
    return value


def check(notebook: str, namespace: dict) -> types.SimpleNamespace:
    """The notebook's parameters from ``namespace`` (its ``globals()``), converted and checked.

    Also ``out``: the output folder (``paths.Outputs``), the git-ignored ``scratch/`` when
    ``out_dir`` is None, so a direct papermill or JupyterLab run never overwrites published outputs.
    """
    spec = declared(notebook)
    given = {k for k, v in namespace.items() if not k.startswith("_") and k not in IPYTHON_NAMES
             and not isinstance(v, (types.ModuleType, types.FunctionType, type))}
    unknown = sorted(given - set(spec))
    if unknown:
        hints = []
        for u in unknown:
            other = [nb.stem for nb in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
                     if nb.stem != notebook and u in declared(nb.stem)]
            close = difflib.get_close_matches(u, spec, 1)
            hints.append(f"{u!r}" + (f" (a parameter of {other[0]}: set it there)" if other else
                                     f" (did you mean {close[0]!r}?)" if close else ""))
        raise ParameterError(f"{notebook}: unknown parameter {', '.join(hints)}; it takes {', '.join(spec)}")
    values = {n: _convert(n, kind, namespace.get(n, default), default) for n, (kind, default, _) in spec.items()}
    out = Path(values.get("out_dir") or paths.SCRATCH).expanduser().resolve()
    return types.SimpleNamespace(**values, out=paths.Outputs(out).make())
