"""Executed notebooks to self-contained HTML pages (with and without code) and ``rendered/index.html``: they work
from disk (figures as data URIs; no MathJax, require.js, Mermaid or widget manager: a widget shows the static view
its explorer put beside it), text escaped, with a title and contents; the same inputs give the same bytes.

>>> toc_html('<h2 id="B">B &amp; c<a class="anchor-link" href="#B">¶</a></h2><p>x</p>').split("<ul>")[1]
'<li class="toc-h2"><a href="#B">B &amp; c</a></li></ul></nav>'
"""
from __future__ import annotations

import os
import re
from html import escape as esc
from pathlib import Path

import jinja2
import mistune
import nbformat
from nbconvert import HTMLExporter

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The lab template minus everything that would load from the network.
_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock -%}{%- block jupyter_widgets -%}{%- endblock -%}
{%- block html_head_js_mathjax -%}{%- endblock -%}{%- block html_head_js_mermaidjs -%}{%- endblock -%}
{%- block extra_css -%}
<style type="text/css">
main { max-width: 1100px; margin: 0 auto; }
nav.toc { margin: 1em 1em 1.5em; padding: 0.6em 1em; border: 1px solid #ddd; border-radius: 4px; background: #fafafa; }
nav.toc, p.toc-other { font-family: var(--jp-content-font-family, sans-serif); font-size: 0.95em; }
nav.toc ul { list-style: none; margin: 0.3em 0 0 0; padding: 0; } nav.toc li.toc-h2 { padding-left: 1.2em; }
nav.toc li.toc-h3 { padding-left: 2.4em; font-size: 0.92em; }
p.toc-other { margin: 0 1em 1em; color: #555; font-size: 0.9em; }
nav.toc a, p.toc-other a { color: #0b5394; text-decoration: none; }
nav.toc a:hover, p.toc-other a:hover { text-decoration: underline; }
</style>
{%- endblock extra_css -%}
"""
_INDEX_CSS = """body { font-family: -apple-system, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5;
 color: #1a1a1a; max-width: 1000px; margin: 2em auto; padding: 0 1em; } h1 { font-size: 1.7em; } .muted { color: #555; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; } img.lead { max-width: 100%; }
table { border-collapse: collapse; } td, th { padding: 0.25em 0.8em; border-bottom: 1px solid #eee; text-align: left; }
code { background: #f4f4f4; padding: 0 0.2em; }"""
_HEADING = re.compile(r'<h([1-3])\s+id="([^"]*)"\s*>(.*?)</h\1>', re.S)
_ANCHOR, _TAG = re.compile(r'<a class="anchor-link".*?</a>', re.S), re.compile(r"<[^>]+>")

def toc_html(body: str) -> str:
    """A ``<nav>`` table of contents from the ``<h1>``–``<h3>`` headings (with ids) in ``body``."""
    items = "".join(f'<li class="toc-h{level}"><a href="#{ident}">{_TAG.sub("", _ANCHOR.sub("", text)).strip()}</a>'
                    "</li>" for level, ident, text in _HEADING.findall(body))
    return items and f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>{items}</ul></nav>'

def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)

def html(executed: Path) -> list[Path]:
    """Write ``NAME.html`` (with code) and ``NAME_nocode.html`` beside the executed notebook, after making the
    notebook itself reproducible: a fixed id for papermill's cell, no widget views or state (random ids)."""
    executed, pages = Path(executed), []
    nb, name = nbformat.read(executed, as_version=4), executed.stem
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives the cell it inserts a random id
        if cell.cell_type == "code":  # an explorer's static view stays; a bare widget goes whole
            cell.outputs = [o for o in cell.outputs
                            if not (WIDGET_VIEW in o.get("data", {}) and set(o.data) <= {WIDGET_VIEW, "text/plain"})]
            for o in cell.outputs:
                o.get("data", {}).pop(WIDGET_VIEW, None)
    _write(executed, nbformat.writes(nb) + "\n")
    headings = (re.search(r"^#{1,6}[ \t]+(.*\S)", c.source, re.M) for c in nb.cells if c.cell_type == "markdown")
    title = next((m[1] for m in headings if m), None)  # the first Markdown heading, as plain text
    nb.metadata["title"] = re.sub(r"[*_`]", "", title).strip() if title else name
    for suffix, hide in (("", False), ("_nocode", True)):
        exporter = HTMLExporter(template_name="lab", template_file="offline.html.j2", embed_images=True,
                                extra_loaders=[jinja2.DictLoader({"offline.html.j2": _TEMPLATE})],
                                exclude_input=hide, exclude_input_prompt=hide, exclude_output_prompt=hide)
        body = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})[0]
        other = (f'Code hidden. <a href="{esc(name)}.html">Version with code</a>' if hide
                 else f'<a href="{esc(name)}_nocode.html">Version without code</a>')
        pages.append(executed.with_name(f"{name}{suffix}.html"))
        _write(pages[-1], body.replace("<main>", f'<main>\n{toc_html(body)}<p class="toc-other">{other}</p>', 1))
    return pages

def index(out_root: Path | str, lead: str | None = None) -> Path:
    """Write ``OUT/rendered/index.html``: the findings, the lead figure (``lead``, a PNG in ``OUT/figures``; default
    the first ``lead_*.png``), every notebook, figure and table; links relative and on disk, file text escaped."""
    root = Path(out_root)
    rendered, figures, findings = root / "rendered", root / "figures", root / "findings.md"
    rendered.mkdir(parents=True, exist_ok=True)

    def link(path: Path, label: str | None = None) -> str:  # relative to rendered/, or "" if the file is missing
        href = esc(os.path.relpath(path, rendered))
        return f'<a href="{href}">{esc(label or path.name)}</a>' if path.exists() else ""

    def section(title: str, header: list[str], rows: list[list[str]]) -> str:  # cells already escaped
        head = "".join(f"<th>{h}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        none = f'<p class="muted">No {title.lower()}.</p>'
        return f'<h2 id="{title.lower()}">{title}</h2>' + (table if rows else none)

    title = "How outlets frame the same story: results"
    parts = [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n<meta name="viewport" '
             f'content="width=device-width, initial-scale=1.0">\n<title>{title}</title>\n<style>{_INDEX_CSS}</style>'
             f"\n</head>\n<body>\n<main>\n<h1>{title}</h1>"]
    body = ('<h2>Findings</h2><p class="muted">No findings yet: <code>findings.md</code> is written when the '
            "comparison notebook has run.</p>")
    if findings.exists():  # Markdown with raw HTML escaped; links relative to OUT made relative to OUT/rendered
        body = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])(findings.read_text("utf-8"))
        body = re.sub(r'(href|src)="(?![a-z]+:|/|#|\.\./)([^"]*)"', r'\1="../\2"', body)
    parts.append(f'<section id="findings">{body}</section>')
    lead = lead or next((p.name for p in sorted(figures.glob("lead_*.png"))), None)
    if lead and (figures / lead).is_file():
        alt = "Lead figure: " + Path(lead).stem.removeprefix("lead_").replace("_", " ")
        parts.append(f'<figure><a href="../figures/{esc(lead)}"><img class="lead" src="../figures/{esc(lead)}" '
                     f'alt="{esc(alt)}"></a></figure>')
    nbs = sorted(p for p in rendered.glob("*.html") if p.name != "index.html" and not p.stem.endswith("_nocode"))
    parts.append(section("Notebooks", ["notebook", "for readers", "with code", "notebook file"], [
        [esc(p.stem), link(p.with_name(f"{p.stem}_nocode.html"), "without code"), link(p, "with code"),
         link(p.with_suffix(".ipynb"))] for p in nbs]))
    parts.append(section("Figures", ["figure", "image", "vector", "numbers"], [
        [esc(png.stem)] + [link(png.with_suffix(f".{x}"), x.upper()) for x in ("png", "svg", "csv")]
        for png in sorted(figures.glob("*.png"))]))
    parts.append(section("Tables", ["table"], [[link(c)] for c in sorted((root / "tables").glob("*.csv"))]))
    if (root / "run_record.json").exists():
        parts.append('<p class="muted">Parameters, package versions and input hashes: '
                     '<a href="../run_record.json">run_record.json</a>.</p>')
    _write(rendered / "index.html", "\n".join(parts) + "\n</main>\n</body>\n</html>\n")
    return rendered / "index.html"
