"""Executed notebooks to self-contained HTML pages (with and without code) and ``rendered/index.html``: they work
from disk (figures as data URIs; no MathJax, require.js, Mermaid or widget manager: a widget shows the static view
its explorer put beside it), text escaped, with a title and contents; the same inputs give the same bytes.

>>> toc_html('<h2 id="B">B &amp; c<a class="anchor-link" href="#B">¶</a></h2><p>x</p>').split("<ul>")[1]
'<li class="toc-h2"><a href="#B">B &amp; c</a></li></ul></nav>'
"""
import os
import re
from pathlib import Path

import jinja2
import mistune
import nbformat
from markupsafe import Markup
from nbconvert import HTMLExporter

from . import tables

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TEMPLATES = jinja2.PackageLoader("analysis", "data")   # the pages' static HTML, CSS and JS: analysis/data/*.j2
_PAGES = jinja2.Environment(loader=TEMPLATES, autoescape=True, keep_trailing_newline=True)
_PAGES.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}  # tojson
_HEADING = re.compile(r'<h([1-3])\s+id="([^"]*)"\s*>(.*?)</h\1>', re.S)
_ANCHOR, _TAG = re.compile(r'<a class="anchor-link".*?</a>', re.S), re.compile(r"<[^>]+>")

class _Compiled(jinja2.BytecodeCache):
    """Compiled templates kept for the process: nbconvert makes a new Jinja environment for every page."""
    code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()

class _Exporter(HTMLExporter):
    def _create_environment(self):
        env = super()._create_environment()
        env.bytecode_cache = _Compiled()
        return env

def toc_html(body: str) -> str:
    """A ``<nav>`` table of contents from the ``<h1>``–``<h3>`` headings (with ids) in ``body``."""
    items = "".join(f'<li class="toc-h{level}"><a href="#{ident}">{_TAG.sub("", _ANCHOR.sub("", text)).strip()}</a>'
                    "</li>" for level, ident, text in _HEADING.findall(body))
    return items and f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>{items}</ul></nav>'

def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (``tables.replacing``), UTF-8 with ``\\n`` line ends; the path."""
    with tables.replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)

def page(template: str, path: Path, **values) -> Path:
    """Write ``path`` from the Jinja template ``analysis/data/<template>``, every value escaped unless Markup."""
    return write(path, _PAGES.get_template(template).render(**values))

def html(executed: Path) -> list[Path]:
    """Write ``NAME.html`` (with code) and ``NAME_nocode.html`` beside the executed notebook (``run.tidy`` first)."""
    executed, pages = Path(executed), []
    nb, name = nbformat.read(executed, as_version=4), executed.stem
    nb.metadata["title"] = next((re.sub(r"[*_`]", "", m[1]).strip() for c in nb.cells if c.cell_type == "markdown"
                                 and (m := re.search(r"^#{1,6}[ \t]+(.*\S)", c.source, re.M))), name)  # 1st heading
    for suffix, hide in (("", False), ("_nocode", True)):
        exporter = _Exporter(template_name="lab", template_file="notebook.html.j2", embed_images=True,
                                extra_loaders=[TEMPLATES], exclude_input=hide, exclude_input_prompt=hide,
                                exclude_output_prompt=hide)
        body = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})[0]
        body = body.replace("<main>", f"<main>\n{toc_html(body)}", 1)   # the template put the other version's link
        pages.append(write(executed.with_name(f"{name}{suffix}.html"), body))
    return pages

def index(out_root: Path | str, lead: str | None = None, keyness_page: bool = True) -> Path:
    """Write ``OUT/rendered/index.html`` (and, unless ``keyness_page`` is False, the keyness page given a dataset): the
    findings, the lead figure
    (``lead`` in ``OUT/figures``; default the first ``lead_*.png``), every notebook, figure and table, escaped."""
    root = Path(out_root)
    rendered, figures, findings = root / "rendered", root / "figures", root / "findings.md"
    if keyness_page and (root / "data" / "dataset.json").exists():
        from . import keyness   # it writes its page with ``page``
        keyness.write(root)

    def href(path: Path, label: str | None = None):  # (href relative to rendered/, label), None if it is missing
        return (os.path.relpath(path, rendered), label or path.name) if path.exists() else None
    markdown = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])   # raw HTML escaped
    body = findings.exists() and Markup(re.sub(r'(href|src)="(?![a-z]+:|/|#|\.\./)([^"]*)"', r'\1="../\2"',
                                               markdown(findings.read_text("utf-8"))))   # links made relative
    lead = lead or next((p.name for p in sorted(figures.glob("lead_*.png"))), None)
    lead = lead if lead and (figures / lead).is_file() else None
    alt = lead and "Lead figure: " + Path(lead).stem.removeprefix("lead_").replace("_", " ")
    nbs = sorted(p for p in rendered.glob("*.html") if p.stem not in ("index", "keyness")
                 and not p.stem.endswith("_nocode"))
    return page("results.html.j2", rendered / "index.html", findings=body, lead=lead, alt=alt, href=href,
                keyness=href(rendered / "keyness.html", "The keyness page"), keyness_csv=href(rendered / "keyness.csv"),
                notebooks=nbs, figures=sorted(figures.glob("*.png")), tables=sorted((root / "tables").glob("*.csv")),
                record=(root / "run_record.json").exists())
