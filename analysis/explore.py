"""Tables and explorers for notebooks: ``show`` displays an escaped table of a frame's first rows; ``concordance``
(KWIC lines) and ``sentence_browser`` (scored sentences) are dropdowns over such a table that keep a static copy.

>>> k = pd.DataFrame({"file": ["a", "b"], "voice": ["own", "quoted"], "left": ["<b>", "l"]})
>>> select(k, voice="own", file=ALL)["file"].tolist(), options(pd.Series(["police;mayor", "", None]), sep=";")
(['a'], ['(all)', 'mayor', 'police'])
"""
import functools
import html
from importlib import resources

import pandas as pd

from . import terms

ALL = "(all)"
LIMIT = 100  # rows shown at once; the CSV tables hold every row
LINES = 250_000  # concordance lines held in memory at most (``terms.scan``); kwic.csv holds every line
STYLE = resources.files("analysis.data").joinpath("explore.css").read_text("utf-8").replace("\n", "")

def options(values, sep: str | None = None) -> list[str]:
    """``ALL`` then the distinct non-empty values, sorted as text; with ``sep``, each value is a list."""
    return [ALL] + sorted({i for v in values if pd.notna(v) for i in (str(v).split(sep) if sep else [str(v)]) if i})

def select(df: pd.DataFrame, lists=(), **selection) -> pd.DataFrame:
    """Rows whose columns equal the selected values (``ALL``/``None``: any; columns in ``lists``: ``;``-separated)."""
    keep = pd.Series(True, index=df.index)
    for col, value in ((c, str(v)) for c, v in selection.items() if v not in (None, ALL)):
        cells = df[col].fillna("").astype(str)
        keep &= cells.str.split(";").apply(lambda xs: value in xs) if col in lists else cells == value
    return df[keep]

def _e(value) -> str:
    return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else html.escape(str(value))

def table_html(rows: pd.DataFrame, columns, what: str, limit: int = LIMIT, kind: str = "", total=None) -> str:
    """The first ``limit`` rows as an HTML table under a caption counting them all (or ``total``, of which they are
    the first). ``columns``: ``(header, column[, td class[, format]])``, ``format`` giving escaped HTML."""
    cols, head, total = [(*c, None, None)[:4] for c in columns], rows.head(limit), len(rows) if total is None else total
    more = f" (first {len(head)} shown; the CSV table has them all)" if len(head) < total else ""
    cells = [[(f'<td class="{cls}">' if cls else "<td>") + (fmt or _e)(v) + "</td>" for v in head[c]]
             for _, c, cls, fmt in cols]
    return (f"{STYLE}<p><strong>{total}</strong> {html.escape(what)}{more}</p>"
            f'<table class="explore-table {kind}"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h, *_ in cols)
            + "</tr></thead><tbody>" + "".join(f"<tr>{''.join(r)}</tr>" for r in zip(*cells)) + "</tbody></table>")

def show(df: pd.DataFrame, limit: int = LIMIT, what: str = "rows", total: int | None = None) -> None:
    """Display ``df``'s first ``limit`` rows as an escaped HTML table under a caption counting them all (``total``)."""
    from IPython.display import HTML, display
    num = {c: "num" for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and df[c].dtype != bool}
    display(HTML(table_html(df, [(c, c, num.get(c)) for c in df.columns], what, limit, total=total)))

def kwic_html(rows: pd.DataFrame, limit: int = LIMIT) -> str:
    """KWIC lines as an HTML table: file, outlet, variant, voice, then left context, match (bold), right context."""
    return table_html(rows, [*((c, c) for c in ("file", "outlet", "variant", "voice")), ("left", "left", "left"),
                             ("match", "match", "match", lambda v: f"<strong>{_e(v)}</strong>"),
                             ("right", "right", "right")], "lines", limit, "kwic")

def sentences_html(rows: pd.DataFrame, limit: int = LIMIT) -> str:
    """Sentences with the raw and masked score (3 decimals) of every engine (a column ``E`` with ``E_masked``)."""
    scores = [(c.replace("_masked", " masked"), c, "num", lambda v: "" if pd.isna(v) else f"{float(v):+.3f}")
              for e in rows.columns if f"{e}_masked" in rows.columns for c in (e, f"{e}_masked")]
    cols = [("file", "file"), ("sentence", "index", "num"), ("targets", "targets"), *scores, ("text", "text")]
    return table_html(rows, cols, "sentences", limit, "sentences")

def explorer(df: pd.DataFrame, filters: dict[str, str], render, label: str, defaults: dict, lists=(), narrows=None,
             find=()):
    """Dropdowns (``filters``: description -> column; first values ``defaults``; ``narrows``: dropdown -> the one that
    limits its options) and a box (``terms.pattern_regex`` in ``find`` columns) over ``render(rows)``; static too."""
    import ipywidgets as widgets
    narrows, drops, out = narrows or {}, {}, widgets.HTML()
    box = widgets.Text(description="find", placeholder="word, phrase, glob* or /regex/", continuous_update=False)
    # the columns searched, one string per row: made on the first search (a static view never needs it)
    text = functools.cache(lambda: (df[list(find)].fillna("").astype(str) + " ").sum(axis=1))
    def fill(name, value=None):  # the options within the value of the dropdown narrowing this one, if any
        parent = narrows.get(name)
        rows = select(df, lists, **{filters[parent]: drops[parent].value}) if parent else df
        drops[name].options = options(rows[filters[name]], ";" if filters[name] in lists else None)
        drops[name].value = value if value in drops[name].options else ALL
    def current():
        rows, q = select(df, lists, **{filters[n]: d.value for n, d in drops.items()}), box.value.strip()
        try:
            rows = rows[text()[rows.index].str.contains(terms.pattern_regex(q))] if q else rows
        except ValueError as exc:   # a bad /regex/: said where the lines would be
            return f"<p>{_e(exc)}</p>"
        return render(rows)
    def update(change):
        for child in [c for c, parent in narrows.items() if change.owner is drops[parent]]:
            fill(child)
        out.value = current()
    for name in filters:
        drops[name] = widgets.Dropdown(description=name, layout={"width": "auto"},
                                       style={"description_width": "initial"})
        fill(name, defaults.get(name))
        drops[name].observe(update, "value")
    box.observe(update, "value")
    out.value = current()
    class Explorer(widgets.VBox):
        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            return bundle and {**bundle, "text/plain": f"{label} (interactive in JupyterLab)", "text/html":
                               f"<p><em>{html.escape(label)}: static view of the default selection (open the "
                               f"notebook in JupyterLab to choose).</em></p>{current()}"}
    return Explorer([widgets.HBox(list(drops.values()) + [box] * bool(find)), out]).add_class("explore")

def concordance(kwic: pd.DataFrame, family: str | None = None, limit: int = LIMIT):
    """Concordance explorer over ``terms.kwic`` lines, searchable; ``family``: the default (else the one with most)."""
    family = family or (kwic["family"].value_counts().sort_index().idxmax() if len(kwic) else None)
    return explorer(kwic, {c: c for c in ("family", "variant", "outlet", "voice")}, lambda r: kwic_html(r, limit),
                    "Concordance explorer", {"family": family}, narrows={"variant": "family"},
                    find=("left", "match", "right"))

def sentence_browser(sentences: pd.DataFrame, outlet: str | None = None, target: str | None = None,
                     limit: int = LIMIT):
    """Sentence browser over ``sentiment.sentence_table`` (default: first outlet and target), raw and masked scores."""
    first = [(o[1:] or [ALL])[0] for o in (options(sentences["outlet"]), options(sentences["targets"], ";"))]
    return explorer(sentences, {"outlet": "outlet", "target": "targets"}, lambda r: sentences_html(r, limit),
                    "Sentence browser", {"outlet": outlet or first[0], "target": target or first[1]},
                    lists=("targets",))
