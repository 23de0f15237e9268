"""Rendered HTML (offline, titled, with contents, reproducible), index.html, and the explorers' pure parts."""
import base64
import html
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis import explore, render, run

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a1c2f1b70000000049454e44ae426082")).decode()


def executed_notebook(folder: Path, staging: Path) -> Path:
    """A small "executed" notebook: headings, a figure, a widget with a static view, a staging path."""
    nb = new_notebook(cells=[
        new_markdown_cell("# 09 · Demo: <script>alert(1)</script> title\n\nIntro."),
        new_code_cell("out_dir = None", metadata={"tags": ["parameters"]}),
        new_code_cell("out_dir = 'x'", metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell("## First section\n\nText.\n\n### A detail"),
        new_code_cell("plot()", execution_count=2, outputs=[
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            new_output("execute_result", execution_count=2,
                       data={"text/plain": f"PosixPath('{staging}/figures/x.png')"})]),
        new_markdown_cell("## Second section"),
        new_code_cell("explorer", execution_count=3, outputs=[
            new_output("display_data", data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "0123abcd", "version_major": 2,
                                                             "version_minor": 0},
                "text/html": "<table><tr><td>static view</td></tr></table>", "text/plain": "Explorer"}),
            new_output("display_data", data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "fff", "version_major": 2,
                                                             "version_minor": 0},
                "text/plain": "IntSlider(value=0)"})]),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"0123abcd": {}}}}
    nb.metadata["papermill"] = {"parameters": {"out_dir": str(folder.parent)}}
    path = staging / "rendered" / "09_demo.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture()
def rendered(tmp_path):
    staging = tmp_path / "out" / ".staging"
    executed = executed_notebook(tmp_path / "out" / "rendered", staging)
    return executed, render.html(run.tidy(executed, {str(staging): str(staging.parent)}))


def test_html_is_offline_titled_with_contents(rendered):
    executed, (with_code, nocode) = rendered
    assert [p.name for p in (with_code, nocode)] == ["09_demo.html", "09_demo_nocode.html"]
    for page in (with_code, nocode):
        text = page.read_text(encoding="utf-8")
        assert "<script src" not in text and "require.js" not in text and "mathjax" not in text.lower()
        assert not re.search(r'(src|href)="(https?:)?//', text)
        assert "<title>09 · Demo: &lt;script&gt;alert(1)&lt;/script&gt; title</title>" in text
        assert "<script>alert(1)" not in text
        nav = re.search(r'<nav class="toc".*?</nav>', text).group(0)
        assert nav.count("<li") == 4 and "First section" in nav and "A detail" in nav
        for anchor in re.findall(r'href="#([^"]+)"', nav):
            assert f'id="{anchor}"' in text
        assert "data:image/png;base64," in text
        assert "static view" in text and "widget-view" not in text and "IntSlider" not in text
    assert "hl-ipython3" in with_code.read_text() and "hl-ipython3" not in nocode.read_text()


def test_executed_copy_is_made_reproducible(rendered):
    executed, _ = rendered
    nb = nbformat.read(executed, as_version=4)
    assert "widgets" not in nb.metadata
    text = executed.read_text()
    assert ".staging" not in text and "model_id" not in text
    assert nb.cells[2].id == "injected-parameters"
    assert f"PosixPath('{executed.parent.parent.parent}/figures/x.png')" in text


def test_rendering_twice_gives_the_same_bytes(rendered):
    executed, pages = rendered
    first = [p.read_bytes() for p in pages] + [executed.read_bytes()]
    again = render.html(executed)
    assert [p.read_bytes() for p in again] + [executed.read_bytes()] == first


def test_index_links_findings_figures_tables_and_escapes(tmp_path):
    out = tmp_path / "out"
    (out / "rendered").mkdir(parents=True)
    for name in ("01_a.html", "01_a_nocode.html", "01_a.ipynb"):
        (out / "rendered" / name).write_text("x")
    (out / "figures").mkdir()
    for ext in ("png", "svg", "csv"):
        (out / "figures" / f"lead_resistance_vs_militia.{ext}").write_bytes(b"x")
    (out / "figures" / "lead_z_<other>.png").write_bytes(b"x")  # a later lead_*: not the lead figure
    (out / "tables").mkdir()
    (out / "tables" / "articles.csv").write_text("file\n")
    (out / "findings.md").write_text("## Findings\n\n- **Words.** <script>x</script> ([figure](figures/"
                                     "lead_resistance_vs_militia.png), [table](tables/articles.csv)).\n")
    page = render.index(out)
    text = page.read_text()
    assert page == out / "rendered" / "index.html"
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert text.index("Findings") < text.index("Notebooks")
    assert '<img class="lead" src="../figures/lead_resistance_vs_militia.png" alt="Lead figure: resistance vs militia"' \
        in text and text.count('<img class="lead"') == 1
    assert "<other>" not in text and "lead_z_&lt;other&gt;" in text  # listed with the figures, escaped
    hrefs = re.findall(r'(?:href|src)="([^"#]+)"', text)
    assert {"01_a.html", "01_a_nocode.html", "01_a.ipynb", "../tables/articles.csv",
            "../figures/lead_resistance_vs_militia.svg", "../figures/lead_resistance_vs_militia.csv"} <= set(hrefs)
    for href in hrefs:
        assert (page.parent / html.unescape(href)).exists(), href
    assert render.index(out).read_bytes() == text.encode()


def test_index_lead_figure_is_an_argument_or_none(tmp_path):
    (tmp_path / "figures").mkdir()
    for name in ("a_first.png", "lead_b.png", "share_of_x.png"):
        (tmp_path / "figures" / name).write_bytes(b"x")
    text = render.index(tmp_path, lead="share_of_x.png").read_text()
    assert '<img class="lead" src="../figures/share_of_x.png" alt="Lead figure: share of x"' in text
    assert 'src="../figures/lead_b.png"' in render.index(tmp_path).read_text()
    (tmp_path / "figures" / "lead_b.png").unlink()
    assert '<img class="lead"' not in render.index(tmp_path).read_text()  # no lead_*.png: no lead figure


def test_index_without_findings_or_figures(tmp_path):
    text = render.index(tmp_path).read_text()
    assert "No findings yet" in text and "No figures" in text and "No tables" in text and "No notebooks" in text


# --------------------------------------------------------------------------- explore.py, pure parts

KWIC = pd.DataFrame({
    "file": ["a.txt", "a.txt", "b.txt", "c.txt"], "outlet": ["X", "X", "Y", "Z"],
    "family": ["armed", "armed", "armed", "forces"], "variant": ["militia", "resistance", "militia", "occupation"],
    "voice": ["own", "quoted", "own", "own"], "left": ["<img src=x onerror=alert(1)>", "l", "l", "l"],
    "match": ["militia", "resistance", "militias", "occupation"], "right": ["r & co", "r", "r", "r"]})


def test_select_filters_and_all_means_any():
    assert explore.options(KWIC["family"]) == [explore.ALL, "armed", "forces"]
    assert len(explore.select(KWIC, family="armed")) == 3
    assert explore.select(KWIC, family="armed", variant="militia", outlet=explore.ALL, voice=None)["file"].tolist() \
        == ["a.txt", "b.txt"]
    assert explore.select(KWIC, family="armed", voice="quoted")["match"].tolist() == ["resistance"]
    assert explore.select(KWIC, outlet="nobody").empty


def test_kwic_html_escapes_article_text_and_names_the_file():
    out = explore.kwic_html(KWIC)
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out and "r &amp; co" in out
    assert "<td>a.txt</td>" in out and "<strong>militia</strong></td>" in out
    assert "<strong>4</strong> lines" in out
    assert "first 2 shown" in explore.kwic_html(KWIC, limit=2)


SENT = pd.DataFrame({"file": ["a.txt", "a.txt", "b.txt"], "outlet": ["X", "X", "Y"], "index": [0, 1, 0],
                     "text": ["US <b>forces</b> left.", "Iran spoke.", "US and Iran."],
                     "targets": ["us", "iran", "iran;us"], "multi_target": [False, False, True], "words": [3, 2, 3],
                     "vader": [0.1, -0.2, 0.0], "vader_masked": [0.0, -0.1, 0.0], "vader_known": [1, 1, 0],
                     "textblob": [0.5, float("nan"), 0.0], "textblob_masked": [0.4, 0.0, 0.0],
                     "textblob_known": [1, 0, 0]})


def test_sentence_selection_by_outlet_and_target():
    assert explore.options(SENT["targets"], sep=";") == [explore.ALL, "iran", "us"]
    by = lambda **sel: explore.select(SENT, lists=("targets",), **sel)  # noqa: E731
    assert by(targets="us")["text"].tolist() == ["US <b>forces</b> left.", "US and Iran."]
    assert by(outlet="X", targets="iran")["index"].tolist() == [1]
    assert len(by(outlet=explore.ALL, targets=explore.ALL)) == 3


def test_sentences_html_shows_raw_and_masked_scores_escaped():
    out = explore.sentences_html(explore.select(SENT, outlet="X"))
    assert "&lt;b&gt;forces&lt;/b&gt;" in out and "<b>forces" not in out
    assert "<th>vader</th><th>vader masked</th><th>textblob</th><th>textblob masked</th>" in out
    assert "+0.100" in out and "-0.200" in out and "+0.400" in out


def test_widgets_carry_a_static_view_of_the_default_selection():
    w = explore.concordance(KWIC, family="forces")
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "occupation" in bundle["text/html"] and "militia" not in bundle["text/html"]
    family, variant, outlet, voice, find = w.children[0].children
    family.value = "armed"
    assert variant.options == (explore.ALL, "militia", "resistance")
    voice.value = "quoted"
    assert "<strong>1</strong> lines" in w.children[1].value and "resistance" in w.children[1].value
    assert "resistance" in w._repr_mimebundle_()["text/html"]
    s = explore.sentence_browser(SENT, outlet="Y", target="us")
    assert "US and Iran." in s._repr_mimebundle_()["text/html"]
    outlet, target = s.children[0].children
    assert (outlet.value, target.value) == ("Y", "us")
    target.value = "iran"
    assert "<strong>1</strong> sentences" in s.children[1].value and "US and Iran." in s.children[1].value
    default = explore.sentence_browser(SENT, limit=1)  # first outlet and first target, one row shown
    assert [d.value for d in default.children[0].children] == ["X", "iran"]
    assert "Iran spoke." in default._repr_mimebundle_()["text/html"]
    assert "first 1 shown" not in default.children[1].value
    assert "first 1 shown" in explore.concordance(KWIC, limit=1).children[1].value
    assert not hasattr(explore, "outlet_picker")


def test_concordance_box_finds_a_word_glob_or_regex_in_the_lines():
    w = explore.concordance(KWIC, family=explore.ALL)
    *_, find = w.children[0].children
    static = w._repr_mimebundle_()["text/html"]
    assert find.value == "" and "<strong>4</strong> lines" in static
    for query, lines in [("militia*", 2), ("co", 1), ("R", 4), ("/occup|resist/", 2), ("militia co", 0)]:
        find.value = query   # whole words, any case, in the left context, match or right context
        assert f"<strong>{lines}</strong> lines" in w.children[1].value, query
        assert w.children[1].value in w._repr_mimebundle_()["text/html"]   # the static view follows the box
    find.value = "/(/"
    assert "not a regular expression" in w.children[1].value and "<table" not in w.children[1].value
    find.value = "r"
    w.children[0].children[0].value = "forces"   # the box and the dropdowns together
    assert "<strong>1</strong> lines" in w.children[1].value and "occupation" in w.children[1].value
    assert len(explore.sentence_browser(SENT).children[0].children) == 2   # no box where none is asked for


def test_show_displays_an_escaped_table_of_the_first_rows(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    explore.show(KWIC, 2, "uses <of> terms")
    explore.show(SENT[["file", "words", "multi_target", "textblob"]], what="sentences")
    explore.show(KWIC.head(3), 5, "lines", total=4000)   # the first lines of 4,000
    few, every, first = (s.data for s in shown)
    assert "<strong>4000</strong> lines (first 3 shown; the CSV table has them all)" in first
    assert "<strong>4</strong> uses &lt;of&gt; terms (first 2 shown; the CSV table has them all)" in few
    assert "&lt;img src=x onerror=alert(1)&gt;" in few and "<img" not in few and few.count("<tr>") == 3
    assert '<td class="num">3</td>' in every and "<td>False</td>" in every and '<td class="num"></td>' in every  # NaN
    assert "shown" not in every


# --------------------------------------------------------------------------- keyness.py

def test_keyness_words_are_the_log_odds_of_a_against_b_by_hand():
    from analysis import keyness

    counts = pd.DataFrame({"group": list("AABBB"), "term": ["x", "y", "x", "z", "x y"], "ngram": [1, 1, 1, 1, 2],
                           "count": [5, 1, 1, 4, 9]})
    w = keyness.words(counts, "A", "B", alpha0=10)
    assert w[["term", "count_a", "count_b"]].values.tolist() == [["x", 5, 1], ["y", 1, 0], ["z", 0, 4]]  # no pairs
    # x: y_a = 5 of n_a = 6, y_b = 1 of n_b = 5, alpha_x = 10 * 6/11 (Monroe et al. 2008, eq. 16-22)
    al = 10 * 6 / 11
    delta = np.log((5 + al) / (6 + 10 - 5 - al)) - np.log((1 + al) / (5 + 10 - 1 - al))
    assert w.loc[0, "z"] == pytest.approx(delta / np.sqrt(1 / (5 + al) + 1 / (1 + al)), abs=1e-4)
    al = 10 * 4 / 11   # z: used by B only, so negative: the z of B against A, negated
    delta = np.log((0 + al) / (6 + 10 - 0 - al)) - np.log((4 + al) / (5 + 10 - 4 - al))
    assert w.loc[2, "z"] == pytest.approx(delta / np.sqrt(1 / (0 + al) + 1 / (4 + al)), abs=1e-4) and delta < 0


def test_keyness_plots_a_bounded_number_of_words():
    from analysis import keyness

    w = pd.DataFrame({"term": list("abcdef"), "count_a": [50, 40, 1, 0, 2, 3], "count_b": [50, 40, 0, 9, 2, 3],
                      "z": [0.1, -0.2, 0.5, -3.0, 0.0, 2.0]})
    assert keyness.shown(w, 4)["term"].tolist() == ["a", "b", "d", "f"]   # the 2 most used, then the 2 largest |z|
    assert keyness.shown(w, 100)["term"].tolist() == list("abcdef")


def test_keyness_examples_are_bounded_and_cut_around_the_word():
    from analysis import keyness

    sents = pd.DataFrame({"file": ["f", "f", "f", "g"], "index": [2, 0, 1, 0],
                          "text": ["Riots again.", "The riots began " + "x" * 200, "Riots, riots.", "No riots."]})
    ex = keyness.examples(sents, {"f": "a", "g": "b"}, frozenset({"riots"}), k=2, width=10)
    assert ex[["side", "file", "index"]].values.tolist() == [["a", "f", 0], ["a", "f", 1], ["b", "g", 0]]
    assert ex["text"].tolist() == ["The riots began xxx…", "Riots, riots.", "No riots."]


@pytest.fixture(scope="module")
def keyness_out(tmp_path_factory):
    """A tiny corpus in three outlets and two groups, one article with markup in its text."""
    from conftest import build_corpus

    root, out = tmp_path_factory.mktemp("corpus"), tmp_path_factory.mktemp("out")
    texts = {"a.txt": "The protesters marched. The protesters sang loudly.",
             "b.txt": "The protesters marched again. <script>alert(1)</script> said the protesters.",
             "c.txt": "The rioters burned cars. The rioters ran.", "d.txt": "The rioters ran away."}
    for name, text in texts.items():
        (root / name).write_text(text)
    pd.DataFrame({"file": list(texts), "outlet": ["X", "X", "Y", "Z"], "group": ["g1", "g1", "g2", "g2"]}).to_csv(
        root / "manifest.csv", index=False)
    build_corpus(root, out)
    return out


def test_keyness_page_compares_the_two_largest_groups_escaped(keyness_out):
    from analysis import keyness

    page = keyness.write(keyness_out)
    text, csv = page.read_text("utf-8"), pd.read_csv(page.with_name("keyness.csv"))
    assert page == keyness_out / "rendered" / "keyness.html" and "<title>Keyness: g1 against g2</title>" in text
    assert csv.set_index("term").loc["protesters", ["count_a", "count_b"]].tolist() == [4, 0]
    assert csv.set_index("term").loc["rioters", "z"] < 0 < csv.set_index("term").loc["protesters", "z"]
    assert "<script>alert" not in text and "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in text
    assert text.count("<script") == 2 and "http" not in text.replace("http://www.w3.org/2000/svg", "")
    assert keyness.write(keyness_out).read_bytes() == text.encode()        # the same bytes again
    assert "Keyness: Y against Z" in keyness.write(keyness_out, by="source", a="Y", b="Z").read_text("utf-8")
    render.index(keyness_out, keyness_page=False)   # the run wrote it already: kept
    assert "Keyness: Y against Z" in page.read_text("utf-8")
    with pytest.raises(ValueError, match=r"two of \['X', 'Y', 'Z'\]"):
        keyness.write(keyness_out, by="source", a="X", b="W")
    assert keyness.sides(pd.DataFrame({"file": ["a"], "source": ["X"], "group": [""]})) is None  # one outlet
    assert 'href="keyness.html">The keyness page</a>' in render.index(keyness_out).read_text()


def test_keyness_of_fewer_than_two_units_leaves_no_page_or_table(keyness_out, tmp_path, monkeypatch):
    from analysis import keyness

    out = Path(shutil.copytree(keyness_out, tmp_path / "out"))
    page = keyness.write(out)
    assert page.exists() and page.with_name("keyness.csv").exists()
    monkeypatch.setattr(keyness, "sides", lambda *args: None)   # as for a corpus of one outlet in one group
    assert keyness.write(out) is None and not page.exists() and not page.with_name("keyness.csv").exists()
