"""House rules for the source notebooks: clean, one parseable parameters cell, thin cells, no path hacks."""
import ast

import nbformat
import papermill as pm
import pytest

from analysis import params, paths, run

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
    assert all(p["inferred_type_name"] in ("int", "float", "str", "bool", "list[str]") for p in declared.values()), \
        "type every parameter: papermill --help-notebook shows it"
    assert "out_dir" in declared
    assert ("corpus_dir" in declared) == (path.stem == "01_ingest"), "only 01_ingest reads the corpus"


def test_parameters_are_read_by_their_declared_type():
    p = params.check("02_terminology", {"families": "armed_groups", "collocation_terms": "resistance",
                                        "kwic_window": 30, "out_dir": None})
    assert p.families == ["armed_groups"] and p.collocation_terms == ["resistance"]   # one item, not letters
    assert p.kwic_window == 30 and p.kwic_rows == 40 and p.out.root == paths.SCRATCH  # never the published outputs
    assert params.check("04_source_comparison", {"alpha0": 500}).alpha0 == 500.0


@pytest.mark.parametrize("given, message", [
    ({"kwic_window": "abc"}, "parameter 'kwic_window' must be int, not str 'abc'"),
    ({"kwic_window": True}, "parameter 'kwic_window' must be int"),
    ({"families": [1, 2]}, "parameter 'families' must be list[str]"),
    ({"kwic_windw": 5}, "unknown parameter 'kwic_windw' (did you mean 'kwic_window'?)"),
    ({"max_bytes": 5}, "unknown parameter 'max_bytes' (a parameter of 01_ingest: set it there)"),
])
def test_wrong_parameters_are_refused_with_their_name(given, message):
    with pytest.raises(params.ParameterError) as err:
        params.check("02_terminology", given)
    assert message in str(err.value)
