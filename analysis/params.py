"""Notebook parameters: declared once, typed and commented, in each notebook's tagged cell; checked on use.

papermill only warns about a misspelt name and passes any value through. ``check`` refuses names no notebook
declares and converts or refuses each value by its annotation: a string for ``list[str]`` is one item, not letters.

>>> check("02_terminology", {"families": "armed_groups", "kwic_window": 60}).families
['armed_groups']
"""
import ast
import difflib
import json
import types
from pathlib import Path

from . import paths

IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open", "display"}
TYPES = {"int": int, "float": float, "str": str, "bool": bool}

class ParameterError(ValueError):
    """A notebook parameter that is unknown or of the wrong type; the message names it and the fix."""

def declared(notebook: str) -> dict[str, tuple[str, object]]:
    """name -> (annotation, default) from the parameters cell of ``notebooks/NOTEBOOK.ipynb``."""
    nb = json.loads((paths.NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    return {node.target.id: (ast.unparse(node.annotation), ast.literal_eval(node.value))
            for node in ast.parse("".join(cell["source"])).body if isinstance(node, ast.AnnAssign)}

def convert(values: dict, notebooks: list[str]) -> dict:
    """``values`` checked against the parameters the ``notebooks`` declare: unknown names and wrong types refused."""
    spec = {k: v for nb in reversed(notebooks) for k, v in declared(nb).items()}   # the first declaring one wins
    if unknown := sorted(set(values) - set(spec)):
        everywhere = {n: nb.stem for nb in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
                      for n in declared(nb.stem)}
        hints = [f"{u!r}" + (f" (a parameter of {everywhere[u]}: set it there)" if u in everywhere else
                             f" (did you mean {close[0]!r}?)" if (close := difflib.get_close_matches(u, spec, 1))
                             else "") for u in unknown]
        raise ParameterError(f"{', '.join(notebooks)}: unknown parameter {', '.join(hints)}; "
                             f"{'it takes' if len(notebooks) == 1 else 'they take'} {', '.join(spec)}")
    return {name: _convert(name, *spec[name], value) for name, value in values.items()}

def _convert(name: str, kind: str, default, value):
    if value is None and default is None:
        return None
    if kind == "list[str]" and isinstance(value, str):
        value = [value]   # one item, never its letters
    if kind == "list[str]" and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    if kind != "list[str]" and isinstance(value, bool) == (kind == "bool") \
            and isinstance(value, (int, float) if kind == "float" else TYPES[kind]):
        return float(value) if kind == "float" and isinstance(value, int) else value
    raise ParameterError(f"parameter {name!r} must be {kind}, not {type(value).__name__} {value!r}")

def check(notebook: str, namespace: dict) -> types.SimpleNamespace:
    """The notebook's parameters from its ``globals()``, checked, and ``out``: the outputs (``scratch/`` by default)."""
    given = {k: v for k, v in namespace.items() if not k.startswith("_") and k not in IPYTHON_NAMES
             and not isinstance(v, (types.ModuleType, types.FunctionType, type))}
    values = {n: default for n, (_, default) in declared(notebook).items()} | convert(given, [notebook])
    out = Path(values.get("out_dir") or paths.SCRATCH).expanduser().resolve()
    return types.SimpleNamespace(**values, out=paths.Outputs(out))
