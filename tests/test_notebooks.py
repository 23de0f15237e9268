"""House rules for the source notebooks: clean, one parseable parameters cell, thin cells, no path hacks."""
import ast

import nbformat
import papermill as pm
import pytest

from analysis import run

NOTEBOOKS = run.notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean_with_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0], "exactly one tagged parameters cell, the first code cell"
    for c in code:
        assert len(c.source.splitlines()) <= 25, "logic belongs in analysis/"
        assert "sys.path" not in c.source and "nltk.download" not in c.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_is_documented_and_parsed_by_papermill(path):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assigned = [t.id for node in ast.parse(cell.source).body if isinstance(node, (ast.Assign, ast.AnnAssign))
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])]
    declared = pm.inspect_notebook(str(path))
    # papermill drops a line it cannot parse (e.g. '=' inside the comment) from --help-notebook
    assert sorted(declared) == sorted(assigned)
    assert all(p["help"] for p in declared.values()), "comment every parameter"
    assert {"corpus_dir", "out_dir"} <= set(declared)
