"""Executed notebooks to self-contained HTML pages (with and without code) and ``rendered/index.html``.

Pages work from disk (figures as data URIs; no MathJax, require.js, Mermaid or widget manager: a widget shows
the static view its explorer put beside it), text escaped, with a title and contents; same inputs, same bytes.

>>> toc_html('<h1 id="A">A<a class="anchor-link" href="#A">¶</a></h1><h2 id="B-&amp;-c">B &amp; c</h2>')
'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul><li class="toc-h1"><a href="#A">A</a></li><li class="toc-h2"><a href="#B-&amp;-c">B &amp; c</a></li></ul></nav>'
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
_HEADING = re.compile(r'<h([1-3])\s+id="([^"]*)"\s*>(.*?)</h\1>', re.S)
_ANCHOR, _TAG = re.compile(r'<a class="anchor-link".*?</a>', re.S), re.compile(r"<[^>]+>")


def toc_html(body: str) -> str:
    """A ``<nav>`` table of contents from the ``<h1>``–``<h3>`` headings (with ids) in ``body``."""
    items = "".join(f'<li class="toc-h{level}"><a href="#{ident}">{_TAG.sub("", _ANCHOR.sub("", text)).strip()}</a>'
                    "</li>" for level, ident, text in _HEADING.findall(body))
    return items and f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>{items}</ul></nav>'


def title_of(nb, default: str) -> str:
    """The notebook's first Markdown heading, as plain text (or ``default``)."""
    for cell in (c for c in nb.cells if c.cell_type == "markdown"):
        if m := re.search(r"^#{1,6}[ \t]+(.*\S)", cell.source, re.M):
            return re.sub(r"[*_`]", "", m.group(1)).strip()
    return default


def normalise(nb):
    """Make an executed notebook reproducible and readable without a kernel, in place: a fixed id for papermill's
    cell; widget views and state (random ids) out, keeping an explorer's static view (a bare widget goes whole)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives the cell it inserts a random id
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (WIDGET_VIEW in o.get("data", {}) and set(o.data) <= {WIDGET_VIEW, "text/plain"})]
            for o in cell.outputs:
                o.get("data", {}).pop(WIDGET_VIEW, None)
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
    other = (f'Code hidden. <a href="{esc(name)}.html">Version with code</a>' if exclude_code
             else f'<a href="{esc(name)}_nocode.html">Version without code</a>')
    return body.replace("<main>", f'<main>\n{toc_html(body)}<p class="toc-other">{other}</p>', 1)


def html(executed: Path) -> list[Path]:
    """Write ``NAME.html`` (with code) and ``NAME_nocode.html`` (prose, tables, figures) beside ``executed``,
    after rewriting the executed notebook through ``normalise``, so the shared ``.ipynb`` is reproducible too."""
    executed = Path(executed)
    nb = normalise(nbformat.read(executed, as_version=4))
    _atomic_write(executed, nbformat.writes(nb) + "\n")
    pages = [executed.with_name(f"{executed.stem}{suffix}.html") for suffix in ("", "_nocode")]
    for page, exclude in zip(pages, (False, True)):
        _atomic_write(page, to_html(nb, executed.stem, exclude))
    return pages


def markdown_html(text: str) -> str:
    """Markdown to HTML with raw HTML escaped (mistune, as shipped with nbconvert)."""
    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])(text)


def _relink(fragment: str, prefix: str = "../") -> str:
    """Links written relative to the output folder (``figures/x.png``) made relative to ``rendered/``."""
    return re.sub(r'(href|src)="(?![a-z]+:|/|#|\.\./)([^"]*)"', lambda m: f'{m[1]}="{prefix}{m[2]}"', fragment)


def _link(href: str, label: str, exists: bool = True) -> str:
    return f'<a href="{esc(href)}">{esc(label)}</a>' if exists else ""


def _section(title: str, header: list[str], rows: list[list[str]]) -> str:
    """A heading and a table of already-escaped cells, or a muted "No <title>." when there are no rows."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<h2 id="{title.lower()}">{title}</h2>' + (table if rows else f'<p class="muted">No {title.lower()}.</p>')


_INDEX_CSS = """body { font-family: -apple-system, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5;
 color: #1a1a1a; max-width: 1000px; margin: 2em auto; padding: 0 1em; } h1 { font-size: 1.7em; } .muted { color: #555; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; } img.lead { max-width: 100%; }
table { border-collapse: collapse; } td, th { padding: 0.25em 0.8em; border-bottom: 1px solid #eee; text-align: left; }
code { background: #f4f4f4; padding: 0 0.2em; }"""


def index(out_root: Path | str, lead: str | None = None) -> Path:
    """Write ``OUT/rendered/index.html``: the findings, the lead figure, every notebook, figure and table.
    ``lead``: a PNG's name in ``OUT/figures/`` (default: the first ``lead_*.png`` in sorted order), alt text
    from its name. Every link is relative and resolves from disk; text read from files is escaped."""
    root = Path(out_root)
    rendered, figures, tables = root / "rendered", root / "figures", root / "tables"
    rendered.mkdir(parents=True, exist_ok=True)
    title = "How outlets frame the same story: results"
    parts = [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n<meta name="viewport" '
             f'content="width=device-width, initial-scale=1.0">\n<title>{title}</title>\n<style>{_INDEX_CSS}</style>'
             f"\n</head>\n<body>\n<main>\n<h1>{title}</h1>"]
    findings = root / "findings.md"
    parts.append('<section id="findings">' + (_relink(markdown_html(findings.read_text(encoding="utf-8")))
                 if findings.exists() else '<h2>Findings</h2><p class="muted">No findings yet: <code>findings.md'
                 "</code> is written when the comparison notebook has run.</p>") + "</section>")
    lead = lead or next((p.name for p in sorted(figures.glob("lead_*.png"))), None)
    if lead and (figures / lead).is_file():
        alt = "Lead figure: " + Path(lead).stem.removeprefix("lead_").replace("_", " ")
        parts.append(f'<figure><a href="../figures/{esc(lead)}"><img class="lead" src="../figures/{esc(lead)}" '
                     f'alt="{esc(alt)}"></a></figure>')
    nbs = sorted(p for p in rendered.glob("*.html") if p.name != "index.html" and not p.stem.endswith("_nocode"))
    parts.append(_section("Notebooks", ["notebook", "for readers", "with code", "notebook file"], [
        [esc(p.stem), _link(f"{p.stem}_nocode.html", "without code", p.with_name(f"{p.stem}_nocode.html").exists()),
         _link(p.name, "with code"), _link(f"{p.stem}.ipynb", f"{p.stem}.ipynb", p.with_suffix(".ipynb").exists())]
        for p in nbs]))
    parts.append(_section("Figures", ["figure", "image", "vector", "numbers"], [
        [esc(png.stem)] + [_link(f"../figures/{png.stem}.{x}", x.upper(), png.with_suffix(f".{x}").exists())
                           for x in ("png", "svg", "csv")] for png in sorted(figures.glob("*.png"))]))
    parts.append(_section("Tables", ["table"], [[_link(f"../tables/{c.name}", c.name)]
                                                for c in sorted(tables.glob("*.csv"))]))
    if (root / "run_record.json").exists():
        parts.append('<p class="muted">Parameters, package versions and input hashes: '
                     '<a href="../run_record.json">run_record.json</a>.</p>')
    parts.append("</main>\n</body>\n</html>\n")
    _atomic_write(rendered / "index.html", "\n".join(parts))
    return rendered / "index.html"
