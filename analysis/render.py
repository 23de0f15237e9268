"""Executed notebooks to self-contained HTML, with and without code, for readers who never run code."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter


def html(executed: Path) -> list[Path]:
    """Write ``NAME.html`` (with code) and ``NAME_nocode.html`` (prose, tables, figures) beside ``executed``."""
    nb = nbformat.read(executed, as_version=4)
    written = []
    for suffix, exclude in (("", False), ("_nocode", True)):
        exporter = HTMLExporter(template_name="lab", exclude_input=exclude, exclude_input_prompt=exclude,
                                exclude_output_prompt=exclude)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": executed.stem}})
        path = executed.with_name(f"{executed.stem}{suffix}.html")
        tmp = path.with_suffix(".tmp")
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    return written
