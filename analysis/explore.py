"""Tables and explorers for notebooks: ``show(df, limit, what)`` displays an escaped table of the first rows.

``concordance(kwic)`` (family, variant, outlet, voice: KWIC lines) and ``sentence_browser(sentences)``
(outlet, target: sentences with each engine's scores) are ipywidgets built by ``explorer``; displayed, each
also carries a static table of its selection, which executed copies and rendered HTML keep.

>>> k = pd.DataFrame({"file": ["a", "b"], "outlet": ["X", "Y"], "variant": ["v", "w"], "voice": ["own", "quoted"],
...                   "left": ["<b>", "l"], "match": ["militia", "resistance"], "right": ["r", "&"]})
>>> select(k, voice="own", outlet=ALL)["file"].tolist()
['a']
>>> "&lt;b&gt;" in kwic_html(k), "first 1 shown" in kwic_html(k, limit=1)
(True, True)
>>> options(pd.Series(["us;iran", "", None]), sep=";")
['(all)', 'iran', 'us']
"""
from __future__ import annotations

import html

import pandas as pd

ALL = "(all)"
LIMIT = 100  # rows shown at once; the CSV tables hold every row
_STYLE = ("<style>.explore-table td, .explore-table th {text-align: left; vertical-align: top; padding: 2px 6px;}"
          " .explore-table .left {text-align: right; color: #444;} .explore-table .right {color: #444;}"
          " .explore-table .match {white-space: nowrap;} .explore-table .num {text-align: right;}</style>")


def options(values, sep: str | None = None) -> list[str]:
    """``ALL`` then the distinct non-empty values, sorted as text; with ``sep``, each value is a list."""
    return [ALL] + sorted({i for v in values if pd.notna(v) for i in (str(v).split(sep) if sep else [str(v)]) if i})


def select(df: pd.DataFrame, lists=(), **selection) -> pd.DataFrame:
    """Rows whose columns equal the selected values (``ALL``/``None``: any; ``lists``: ``;``-separated)."""
    keep = pd.Series(True, index=df.index)
    for column, value in selection.items():
        if value is not None and value != ALL:
            cells = df[column].fillna("").astype(str)
            keep &= cells.str.split(";").apply(lambda xs: str(value) in xs) if column in lists else cells == str(value)
    return df[keep]


def _e(value) -> str:
    return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else html.escape(str(value))


def table_html(rows: pd.DataFrame, columns, what: str, limit: int = LIMIT, kind: str = "") -> str:
    """The first ``limit`` rows as an HTML table under a caption counting them all. ``columns``:
    ``(header, column[, td class[, format]])``, ``format`` giving escaped HTML (default: the value escaped)."""
    cols = [tuple(c) + (None,) * (4 - len(c)) for c in columns]
    head = rows.head(limit)
    more = f" (first {len(head)} shown; the CSV table has them all)" if len(head) < len(rows) else ""
    td = [(f'<td class="{cls}">' if cls else "<td>", fmt or _e) for _, _, cls, fmt in cols]
    body = "".join("<tr>" + "".join(f"{tag}{fmt(v)}</td>" for (tag, fmt), v in zip(td, values)) + "</tr>"
                   for values in zip(*(head[c] for _, c, _, _ in cols)))
    return (f"{_STYLE}<p><strong>{len(rows)}</strong> {html.escape(what)}{more}</p>"
            f'<table class="explore-table {kind}"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h, *_ in cols)
            + f"</tr></thead><tbody>{body}</tbody></table>")


def show(df: pd.DataFrame, limit: int = LIMIT, what: str = "rows") -> None:
    """Display ``df``'s first ``limit`` rows as an escaped HTML table under a caption counting them all."""
    from IPython.display import HTML, display

    num = lambda c: "num" if pd.api.types.is_numeric_dtype(df[c]) and df[c].dtype != bool else None  # noqa: E731
    display(HTML(table_html(df, [(c, c, num(c)) for c in df.columns], what, limit)))


def kwic_html(rows: pd.DataFrame, limit: int = LIMIT) -> str:
    """KWIC lines as an HTML table: file, outlet, voice, then left context, match (bold), right context."""
    cols = [("file", "file"), ("outlet", "outlet"), ("variant", "variant"), ("voice", "voice"),
            ("left", "left", "left"), ("match", "match", "match", lambda v: f"<strong>{_e(v)}</strong>"),
            ("right", "right", "right")]
    return table_html(rows, cols, "lines", limit, "kwic")


def engines_in(sentences: pd.DataFrame) -> list[str]:
    """Engines with a raw and a masked score column (``vader``, ``vader_masked``, ...), in column order."""
    return [c for c in sentences.columns if f"{c}_masked" in sentences.columns]


def target_options(sentences: pd.DataFrame) -> list[str]:
    """``ALL``, then every target named in the ``;``-separated ``targets`` column."""
    return options(sentences["targets"], sep=";")


def select_sentences(sentences: pd.DataFrame, outlet: str | None = ALL, target: str | None = ALL) -> pd.DataFrame:
    """Sentences of one outlet (or all) that mention ``target`` (or any sentence)."""
    return select(sentences, lists=("targets",), outlet=outlet, targets=target)


def sentences_html(rows: pd.DataFrame, limit: int = LIMIT) -> str:
    """Sentences with every engine's raw and masked score (3 decimals) as an HTML table."""
    score = lambda v: "" if pd.isna(v) else f"{float(v):+.3f}"  # noqa: E731
    scores = [(c.replace("_masked", " masked"), c, "num", score) for e in engines_in(rows) for c in (e, f"{e}_masked")]
    cols = [("file", "file"), ("sentence", "index", "num"), ("targets", "targets"), *scores, ("text", "text")]
    return table_html(rows, cols, "sentences", limit, "sentences")


def explorer(df: pd.DataFrame, filters: dict[str, str], render, label: str, defaults: dict | None = None,
             lists=(), narrows: dict[str, str] | None = None):
    """Dropdowns (``filters``: description -> column) over ``render(selected rows)``, also shown as static HTML.
    ``defaults``: first values; ``lists``: as in ``select``; ``narrows``: dropdown -> the one limiting its options."""
    import ipywidgets as widgets

    defaults, narrows, drops, out = defaults or {}, narrows or {}, {}, widgets.HTML()

    def opts(name):
        parent = narrows.get(name)
        rows = select(df, lists, **{filters[parent]: drops[parent].value}) if parent else df
        return options(rows[filters[name]], ";" if filters[name] in lists else None)

    def current():
        return render(select(df, lists, **{filters[n]: d.value for n, d in drops.items()}))

    def update(change=None):
        for child, parent in narrows.items():
            if change is not None and change.owner is drops[parent]:
                drops[child].options, drops[child].value = opts(child), ALL
        out.value = current()

    for name in filters:
        o = opts(name)
        drops[name] = widgets.Dropdown(description=name, options=o, value=defaults.get(name) if defaults.get(
            name) in o else o[0], layout=widgets.Layout(width="auto"), style={"description_width": "initial"})
        drops[name].observe(update, "value")

    class Explorer(widgets.VBox):
        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            return bundle and {**bundle, "text/plain": f"{label} (interactive in JupyterLab)", "text/html":
                               f"<p><em>{html.escape(label)}: static view of the default selection (open the "
                               f"notebook in JupyterLab to choose).</em></p>{current()}"}

    update()
    return Explorer([widgets.HBox(list(drops.values())), out]).add_class("explore")


def concordance(kwic: pd.DataFrame, family: str | None = None, limit: int = LIMIT):
    """Concordance explorer over ``terms.kwic`` output; ``family`` is the default (else the one with most lines)."""
    if family is None and len(kwic):
        family = kwic["family"].value_counts().sort_index().idxmax()
    return explorer(kwic, {c: c for c in ("family", "variant", "outlet", "voice")}, lambda r: kwic_html(r, limit),
                    "Concordance explorer", {"family": family}, narrows={"variant": "family"})


def sentence_browser(sentences: pd.DataFrame, outlet: str | None = None, target: str | None = None,
                     limit: int = LIMIT):
    """Sentence browser over ``sentiment.sentence_table`` (default: first outlet and target), raw and masked scores."""
    first = lambda o: o[1] if len(o) > 1 else ALL  # noqa: E731
    defaults = {"outlet": outlet or first(options(sentences["outlet"])),
                "target": target or first(target_options(sentences))}
    return explorer(sentences, {"outlet": "outlet", "target": "targets"}, lambda r: sentences_html(r, limit),
                    "Sentence browser", defaults, lists=("targets",))
