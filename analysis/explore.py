"""Interactive explorers for JupyterLab (ipywidgets), each with a static view for rendered HTML.

Each explorer takes a DataFrame the notebook already has and returns a widget:

* ``concordance(kwic)``: pick family, variant, outlet and voice; read the KWIC lines (``terms.kwic``).
* ``sentence_browser(sentences)``: pick outlet and target; read the sentences with every engine's raw
  and masked score (``sentiment.sentence_table``).
* ``outlet_picker(profiles)``: pick two outlets; their profile rows side by side (``compare.outlet_profiles``).

Displayed, an explorer carries two views in one output: the live widget (JupyterLab shows it) and
an HTML table of its current selection (what papermill's executed copy and the rendered HTML keep,
since widgets need a kernel). All text from the articles is HTML-escaped.

The selection and formatting functions are plain pandas and can be used on their own:

>>> k = pd.DataFrame({"file": ["a.txt", "b.txt"], "outlet": ["X", "Y"], "family": ["f", "f"],
...                   "variant": ["v", "w"], "voice": ["own", "quoted"], "left": ["<b>", "l"],
...                   "match": ["militia", "resistance"], "right": ["r", "&"]})
>>> select(k, family="f", outlet=ALL)["file"].tolist()
['a.txt', 'b.txt']
>>> "&lt;b&gt;" in kwic_html(select(k, voice="own"))
True
"""
from __future__ import annotations

import html

import pandas as pd

ALL = "(all)"
LIMIT = 100  # rows shown at once; the CSV tables hold every row
_STYLE = ("<style>table.explore-table tbody td, table.explore-table thead th, table.explore-table tbody th"
          " {text-align: left; vertical-align: top; padding: 2px 6px;}"
          " table.explore-table tbody td.left {text-align: right; color: #444;}"
          " table.explore-table tbody td.right {color: #444;}"
          " table.explore-table tbody td.match {white-space: nowrap;}"
          " table.explore-table tbody td.num {text-align: right; font-variant-numeric: tabular-nums;}</style>")


# --------------------------------------------------------------------------- pure parts

def options(values) -> list[str]:
    """``ALL`` then the distinct non-empty values, sorted as text."""
    return [ALL] + sorted({str(v) for v in values if pd.notna(v) and str(v) != ""})


def select(df: pd.DataFrame, **selection) -> pd.DataFrame:
    """Rows whose columns equal the selected values; ``ALL`` or ``None`` leaves a column unfiltered."""
    keep = pd.Series(True, index=df.index)
    for column, value in selection.items():
        if value is not None and value != ALL:
            keep &= df[column].astype(str) == str(value)
    return df[keep]


def _e(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else html.escape(str(value))


def _caption(shown: int, total: int, what: str) -> str:
    more = f" (first {shown} shown; the CSV table has them all)" if shown < total else ""
    return f"<p><strong>{total}</strong> {html.escape(what)}{more}</p>"


def kwic_html(rows: pd.DataFrame, limit: int = LIMIT) -> str:
    """KWIC lines as an HTML table: file, outlet, voice, then left context, match (bold), right context."""
    head = rows.head(limit)
    body = "".join(
        f'<tr><td>{_e(r.file)}</td><td>{_e(r.outlet)}</td><td>{_e(r.variant)}</td><td>{_e(r.voice)}</td>'
        f'<td class="left">{_e(r.left)}</td><td class="match"><strong>{_e(r.match)}</strong></td><td class="right">{_e(r.right)}</td></tr>'
        for r in head.itertuples(index=False))
    return (_STYLE + _caption(len(head), len(rows), "lines") +
            '<table class="explore-table kwic"><thead><tr><th>file</th><th>outlet</th><th>variant</th><th>voice</th>'
            '<th>left</th><th>match</th><th>right</th></tr></thead><tbody>' + body + "</tbody></table>")


def engines_in(sentences: pd.DataFrame) -> list[str]:
    """Engines with a raw and a masked score column (``vader``, ``vader_masked``, ...), in column order."""
    return [c for c in sentences.columns if f"{c}_masked" in sentences.columns]


def target_options(sentences: pd.DataFrame) -> list[str]:
    """``ALL``, then every target named in the ``;``-separated ``targets`` column."""
    found = {t for ts in sentences["targets"].fillna("").astype(str) for t in ts.split(";") if t}
    return [ALL] + sorted(found)


def select_sentences(sentences: pd.DataFrame, outlet: str | None = ALL, target: str | None = ALL) -> pd.DataFrame:
    """Sentences of one outlet (or all) that mention ``target`` (or any sentence)."""
    rows = select(sentences, outlet=outlet)
    if target is not None and target != ALL:
        rows = rows[rows["targets"].fillna("").astype(str).str.split(";").apply(lambda ts: target in ts)]
    return rows


def sentences_html(rows: pd.DataFrame, limit: int = LIMIT) -> str:
    """Sentences with every engine's raw and masked score (3 decimals) as an HTML table."""
    engines = engines_in(rows)
    head = rows.head(limit)
    score_cols = [c for e in engines for c in (e, f"{e}_masked")]

    def num(v):
        return "" if pd.isna(v) else f"{float(v):+.3f}"

    body = "".join(
        "<tr>" + f"<td>{_e(r['file'])}</td><td class=\"num\">{_e(r['index'])}</td><td>{_e(r['targets'])}</td>"
        + "".join(f'<td class="num">{num(r[c])}</td>' for c in score_cols) + f"<td>{_e(r['text'])}</td></tr>"
        for _, r in head.iterrows())
    heads = "".join(f"<th>{html.escape(c.replace('_masked', ' masked'))}</th>" for c in score_cols)
    return (_STYLE + _caption(len(head), len(rows), "sentences") +
            '<table class="explore-table sentences"><thead><tr><th>file</th><th>sentence</th><th>targets</th>'
            + heads + "<th>text</th></tr></thead><tbody>" + body + "</tbody></table>")


def side_by_side(profiles: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Two outlets' profile rows as columns, one row per profile measure (``compare.outlet_profiles``)."""
    p = profiles.assign(outlet=profiles["outlet"].astype(str)).set_index("outlet")
    out = p.loc[[o for o in dict.fromkeys([a, b]) if o in p.index]].T
    out.index.name = "measure"
    return out


def profiles_html(table: pd.DataFrame) -> str:
    """A side-by-side profile table as escaped HTML; numbers with up to 4 significant decimals."""
    def fmt(v):
        if isinstance(v, float):
            return "" if pd.isna(v) else f"{v:.4g}"
        return _e(v)

    heads = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    body = "".join(f"<tr><th>{_e(i)}</th>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>"
                   for i, row in zip(table.index, table.itertuples(index=False)))
    return (_STYLE + '<table class="explore-table profiles"><thead><tr><th>measure</th>' + heads
            + "</tr></thead><tbody>" + body + "</tbody></table>")


# --------------------------------------------------------------------------- widgets

def _explorer(controls, output, render, label: str):
    """A VBox of ``controls`` and ``output`` whose display also carries ``render()`` as static HTML."""
    import ipywidgets as widgets

    class Explorer(widgets.VBox):
        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            if bundle is None:
                return None
            bundle = dict(bundle)
            bundle["text/html"] = (f"<p><em>{html.escape(label)}: static view of the default selection "
                                   "(open the notebook in JupyterLab to choose).</em></p>" + render())
            bundle["text/plain"] = f"{label} (interactive in JupyterLab)"
            return bundle

    box = Explorer([widgets.HBox(controls), output])
    box.add_class("explore")
    return box


def _dropdown(description: str, opts, value=None):
    import ipywidgets as widgets

    return widgets.Dropdown(description=description, options=list(opts), value=value if value in opts else opts[0],
                            layout=widgets.Layout(width="auto"), style={"description_width": "initial"})


def concordance(kwic: pd.DataFrame, family: str | None = None, limit: int = LIMIT):
    """Concordance explorer over ``terms.kwic`` output: dropdowns for family, variant, outlet and voice.

    ``family`` is the default selection (else the family with the most lines).
    """
    import ipywidgets as widgets

    fams = options(kwic["family"])
    if family is None and len(kwic):
        family = kwic["family"].value_counts().sort_index().idxmax()
    d_family = _dropdown("family", fams, family)
    d_variant = _dropdown("variant", options(select(kwic, family=d_family.value)["variant"]))
    d_outlet = _dropdown("outlet", options(kwic["outlet"]))
    d_voice = _dropdown("voice", options(kwic["voice"]))
    out = widgets.HTML()

    def current():
        return kwic_html(select(kwic, family=d_family.value, variant=d_variant.value, outlet=d_outlet.value,
                                voice=d_voice.value), limit)

    def update(_=None):
        out.value = current()

    def family_changed(_):
        d_variant.unobserve(update, "value")
        d_variant.options = options(select(kwic, family=d_family.value)["variant"])
        d_variant.value = ALL
        d_variant.observe(update, "value")
        update()

    d_family.observe(family_changed, "value")
    for d in (d_variant, d_outlet, d_voice):
        d.observe(update, "value")
    update()
    return _explorer([d_family, d_variant, d_outlet, d_voice], out, current, "Concordance explorer")


def sentence_browser(sentences: pd.DataFrame, outlet: str | None = None, target: str | None = None,
                     limit: int = LIMIT):
    """Sentence browser over ``sentiment.sentence_table``: pick outlet and target; raw and masked scores."""
    import ipywidgets as widgets

    outs = options(sentences["outlet"])
    d_outlet = _dropdown("outlet", outs, outlet if outlet else (outs[1] if len(outs) > 1 else ALL))
    tgts = target_options(sentences)
    d_target = _dropdown("target", tgts, target if target else (tgts[1] if len(tgts) > 1 else ALL))
    out = widgets.HTML()

    def current():
        return sentences_html(select_sentences(sentences, d_outlet.value, d_target.value), limit)

    def update(_=None):
        out.value = current()

    for d in (d_outlet, d_target):
        d.observe(update, "value")
    update()
    return _explorer([d_outlet, d_target], out, current, "Sentence browser")


def outlet_picker(profiles: pd.DataFrame, a: str | None = None, b: str | None = None):
    """Two outlets' rows of ``compare.outlet_profiles`` side by side."""
    import ipywidgets as widgets

    outs = [str(o) for o in profiles["outlet"]] or [ALL]
    d_a = _dropdown("outlet A", outs, a if a else outs[0])
    d_b = _dropdown("outlet B", outs, b if b else outs[min(1, len(outs) - 1)])
    out = widgets.HTML()

    def current():
        return profiles_html(side_by_side(profiles, d_a.value, d_b.value))

    def update(_=None):
        out.value = current()

    for d in (d_a, d_b):
        d.observe(update, "value")
    update()
    return _explorer([d_a, d_b], out, current, "Outlet comparison")
