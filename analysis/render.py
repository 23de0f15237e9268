"""Executed notebooks to self-contained HTML, with and without code, for readers who never run code.

Every page works from disk with no network: figures are embedded as data URIs, no script or style
is loaded from a CDN (MathJax, require.js, Mermaid and the widget manager are left out; a widget
shows the static HTML view its explorer put beside it), and each page has a title and a table of
contents built from its headings. Rendering is deterministic: the same executed notebook gives the
same bytes. ``index`` writes ``rendered/index.html``: findings, the lead figure, and links to every
rendered notebook, figure and table.

>>> toc_html('<h1 id="A">A<a class="anchor-link" href="#A">¶</a></h1><h2 id="B-&amp;-c">B &amp; c</h2>')
'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul><li class="toc-h1"><a href="#A">A</a></li><li class="toc-h2"><a href="#B-&amp;-c">B &amp; c</a></li></ul></nav>'
"""
from __future__ import annotations

import html as htmlmod
import os
import re
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LEAD_FIGURE = "lead_resistance_vs_militia"

# The lab template minus everything that would load from the network.
_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
main { max-width: 1100px; margin: 0 auto; }
nav.toc { margin: 1em 1em 1.5em 1em; padding: 0.6em 1em; border: 1px solid #ddd; border-radius: 4px;
          background: #fafafa; font-family: var(--jp-content-font-family, sans-serif); font-size: 0.95em; }
nav.toc ul { list-style: none; margin: 0.3em 0 0 0; padding: 0; }
nav.toc li.toc-h2 { padding-left: 1.2em; }
nav.toc li.toc-h3 { padding-left: 2.4em; font-size: 0.92em; }
nav.toc a, p.toc-other a { color: #0b5394; text-decoration: none; }
p.toc-other { margin: 0 1em 1em 1em; font-family: var(--jp-content-font-family, sans-serif); font-size: 0.9em;
              color: #555; }
nav.toc a:hover, p.toc-other a:hover { text-decoration: underline; }
</style>
{%- endblock extra_css -%}
"""

_HEADING = re.compile(r'<h([1-3])\s+id="([^"]*)"\s*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    """Plain text of an HTML fragment (anchor pilcrow removed), still HTML-escaped."""
    return _TAG.sub("", re.sub(r'<a class="anchor-link".*?</a>', "", fragment, flags=re.S)).strip()


def toc_html(body: str) -> str:
    """A ``<nav>`` table of contents from the ``<h1>``–``<h3>`` headings (with ids) in ``body``."""
    items = [f'<li class="toc-h{level}"><a href="#{ident}">{_text(inner)}</a></li>'
             for level, ident, inner in _HEADING.findall(body)]
    if not items:
        return ""
    return '<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>' + "".join(items) + "</ul></nav>"


def title_of(nb, default: str) -> str:
    """The notebook's first Markdown heading, as plain text (or ``default``)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = re.match(r"#{1,6}\s+(.*\S)", line)
                if m:
                    return re.sub(r"[*_`]", "", m.group(1)).strip()
    return default


def normalise(nb):
    """Make an executed notebook reproducible and readable without a kernel, in place.

    Papermill's injected-parameters cell gets a fixed id instead of a random one. Widget views and
    the saved widget state (random model ids) are dropped: every explorer in
    ``analysis.explore`` carries a static HTML view of its default selection, which is what stays.
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives the cell it inserts a random id
        if cell.cell_type != "code":
            continue
        keep = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
                if set(data) <= {"text/plain"}:
                    continue  # a bare widget with no static view: nothing a reader can use
            keep.append(out)
        cell.outputs = keep
    return nb


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def to_html(nb, name: str, exclude_code: bool = False) -> str:
    """One notebook node as a self-contained, offline HTML page with a title and a table of contents."""
    nb = nbformat.from_dict(nb)  # a copy: the title is set on it only
    nb.metadata["title"] = title_of(nb, name)
    exporter = HTMLExporter(template_name="lab", template_file="offline.html.j2",
                            extra_loaders=[jinja2.DictLoader({"offline.html.j2": _TEMPLATE})],
                            exclude_input=exclude_code, exclude_input_prompt=exclude_code,
                            exclude_output_prompt=exclude_code, embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    nav = toc_html(body)
    if exclude_code:
        other = f'<p class="toc-other">Code hidden. <a href="{htmlmod.escape(name)}.html">Version with code</a></p>'
    else:
        other = f'<p class="toc-other"><a href="{htmlmod.escape(name)}_nocode.html">Version without code</a></p>'
    body = body.replace("<main>", f"<main>\n{nav}{other}", 1)
    return body


def html(executed: Path) -> list[Path]:
    """Write ``NAME.html`` (with code) and ``NAME_nocode.html`` (prose, tables, figures) beside ``executed``.

    The executed notebook itself is rewritten by ``normalise`` first (widget state out, staging
    paths replaced by the final output folder), so the shared ``.ipynb`` is reproducible too.
    """
    executed = Path(executed)
    nb = nbformat.read(executed, as_version=4)
    normalise(nb)
    _atomic_write(executed, nbformat.writes(nb) + "\n")
    written = []
    for suffix, exclude in (("", False), ("_nocode", True)):
        path = executed.with_name(f"{executed.stem}{suffix}.html")
        _atomic_write(path, to_html(nb, executed.stem, exclude))
        written.append(path)
    return written


# --------------------------------------------------------------------------- index.html

def markdown_html(text: str) -> str:
    """Markdown to HTML with raw HTML escaped (mistune, as shipped with nbconvert)."""
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])(text)


def _relink(fragment: str, prefix: str = "../") -> str:
    """Links written relative to the output folder (``figures/x.png``) made relative to ``rendered/``."""
    return re.sub(r'(href|src)="(?![a-z]+:|/|#|\.\./)([^"]*)"', lambda m: f'{m.group(1)}="{prefix}{m.group(2)}"',
                  fragment)


def _table(header: list[str], rows: list[list[str]], empty: str) -> str:
    """An HTML table of already-escaped cells, or a muted note when there are no rows."""
    if not rows:
        return f'<p class="muted">{htmlmod.escape(empty)}</p>'
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _link(href: str, label: str) -> str:
    return f'<a href="{htmlmod.escape(href)}">{htmlmod.escape(label)}</a>'


_INDEX_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.5;
       color: #1a1a1a; max-width: 1000px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.7em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
img.lead { max-width: 100%; border: 1px solid #eee; }
table { border-collapse: collapse; } td, th { padding: 0.25em 0.8em; border-bottom: 1px solid #eee; text-align: left; }
code { background: #f4f4f4; padding: 0 0.2em; }
.muted { color: #555; }
"""


def index(out_root: Path | str) -> Path:
    """Write ``OUT/rendered/index.html``: the findings, the lead figure, every notebook, figure and table.

    Every link is relative and resolves from disk; text read from files is escaped.
    """
    root = Path(out_root)
    rendered, figures, tables = root / "rendered", root / "figures", root / "tables"
    rendered.mkdir(parents=True, exist_ok=True)
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8" />',
             '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
             "<title>How outlets frame the same story: results</title>", f"<style>{_INDEX_CSS}</style>", "</head>",
             "<body>", "<main>", "<h1>How outlets frame the same story: results</h1>"]
    findings = root / "findings.md"
    if findings.exists():
        parts.append('<section id="findings">' + _relink(markdown_html(findings.read_text(encoding="utf-8")))
                     + "</section>")
    else:
        parts.append('<section id="findings"><h2>Findings</h2><p class="muted">No findings yet: '
                     "<code>findings.md</code> is written when the comparison notebook has run.</p></section>")
    lead = figures / f"{LEAD_FIGURE}.png"
    if lead.exists():
        parts.append(f'<figure><a href="../figures/{LEAD_FIGURE}.png"><img class="lead" src="../figures/{LEAD_FIGURE}.png"'
                     ' alt="Lead figure: share of &quot;resistance&quot; vs &quot;militia&quot; by outlet"></a>'
                     "</figure>")

    parts.append('<h2 id="notebooks">Notebooks</h2>')
    nbs = sorted(p for p in rendered.glob("*.html") if p.name != "index.html" and not p.stem.endswith("_nocode"))
    rows = [[htmlmod.escape(p.stem),
             _link(f"{p.stem}_nocode.html", "without code") if p.with_name(f"{p.stem}_nocode.html").exists() else "",
             _link(p.name, "with code"),
             _link(f"{p.stem}.ipynb", f"{p.stem}.ipynb") if p.with_suffix(".ipynb").exists() else ""] for p in nbs]
    parts.append(_table(["notebook", "for readers", "with code", "notebook file"], rows, "No rendered notebooks."))

    parts.append('<h2 id="figures">Figures</h2>')
    pngs = sorted(figures.glob("*.png")) if figures.is_dir() else []
    rows = [[htmlmod.escape(png.stem)] + [_link(f"../figures/{png.stem}.{ext}", ext.upper())
                                          if png.with_suffix(f".{ext}").exists() else "" for ext in ("png", "svg", "csv")]
            for png in pngs]
    parts.append(_table(["figure", "image", "vector", "numbers"], rows, "No figures."))

    parts.append('<h2 id="tables">Tables</h2>')
    csvs = sorted(tables.glob("*.csv")) if tables.is_dir() else []
    if csvs:
        parts.append("<ul>" + "".join(f"<li>{_link(f'../tables/{c.name}', c.name)}</li>" for c in csvs) + "</ul>")
    else:
        parts.append('<p class="muted">No tables.</p>')
    if (root / "run_record.json").exists():
        parts.append(f'<p class="muted">Parameters, package versions and input hashes: '
                     f'{_link("../run_record.json", "run_record.json")}.</p>')
    parts += ["</main>", "</body>", "</html>", ""]
    path = rendered / "index.html"
    _atomic_write(path, "\n".join(parts))
    return path
