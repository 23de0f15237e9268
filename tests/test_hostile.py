"""Hostile article text: nothing from an article is ever executed or rendered as markup.

The corpus below carries script tags, event handlers, javascript: links, Markdown and LaTeX in
titles, bodies, outlet names and a saved web page. The whole pipeline runs on it; every rendered
HTML page is opened in Chromium (Playwright), which must fire no dialog and run no script from the
articles, and every table must show the text escaped.
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
            "[link](javascript:alert(1))", "**bold**", "$x^2$", "$$\\frac{a}{b}$$", "<iframe src=javascript:alert(1)>",
            "\"><script>alert(document.domain)</script>", "</td></tr></table><script>alert(1)</script>",
            "{{7*7}}", "<style>body{display:none}</style>"]
BODY = ("The militia said the resistance would continue, officials reported on Monday in Baghdad. "
        "Armed groups and the so-called resistance were discussed by the government in parliament. ")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def make_hostile(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    body = " ".join(f"{BODY} Quoted text: {p} appears here." for p in PAYLOADS)
    (root / "hostile.txt").write_text("<script>alert('title')</script> Militia news <img src=x onerror=alert(2)>\n\n"
                                      + body + "\n" + ("A very long line about the river <b>and</b> $y$. " * 2000) + "\n",
                                      encoding="utf-8")
    (root / "hostile_md.txt").write_text("**Bold** $x^2$ [click](javascript:alert(3)) heading\n\n# Not a heading\n"
                                         + BODY * 3 + " <b onmouseover=alert(4)>resistance</b>\n", encoding="utf-8")
    (root / "page.html").write_text(
        "<html><head><title>Resistance &lt;script&gt;alert(5)&lt;/script&gt;</title>"
        "<script>alert('page script')</script></head><body><article><h1>Militia report</h1>"
        f"<p>{BODY * 3}</p><p>&lt;script&gt;alert(6)&lt;/script&gt; and &lt;img src=x onerror=alert(7)&gt; were "
        "written as text by the militia.</p><img src=x onerror=alert(8)></article></body></html>", encoding="utf-8")
    (root / "manifest.csv").write_text(
        "file,outlet,published\n"
        "hostile.txt,<script>alert('outlet')</script>,2024-01-05\n"
        "hostile_md.txt,$\\alpha$ **News** [x](javascript:alert(9)),2024-01-06\n"
        "page.html,<img src=x onerror=alert(10)>,2024-01-07\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    corpus, out = make_hostile(base / "corpus"), base / "out"
    result = subprocess.run([sys.executable, "-m", "analysis", "run", "--corpus", str(corpus), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def _pages(out: Path) -> list[Path]:
    pages = sorted((out / "rendered").glob("*.html"))
    assert pages
    return pages


@pytest.mark.slow
def test_tables_show_article_text_escaped(hostile_run):
    """In HTML, payloads from articles appear only escaped; the CSVs keep them verbatim (data, not markup)."""
    for page in _pages(hostile_run):
        doc = page.read_text(encoding="utf-8")
        for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
                        "<script>alert('title')</script>", "<script>alert('outlet')</script>",
                        "<img src=x onerror=alert(10)>", "<b onmouseover=alert(4)>", "<iframe src=javascript"):
            assert payload not in doc, f"{page.name}: unescaped {payload}"
        assert not re.search(r"<a [^>]*href=\"?javascript:", doc, re.I), f"{page.name}: javascript: link"
    ingest = (hostile_run / "rendered" / "01_ingest.html").read_text(encoding="utf-8")
    assert html.escape("<script>alert('outlet')</script>", quote=False) in ingest \
        or html.escape("<script>alert('outlet')</script>") in ingest
    articles = (hostile_run / "tables" / "articles.csv").read_text(encoding="utf-8")
    assert "<script>alert('outlet')</script>" in articles


@pytest.mark.slow
@pytest.mark.browser
def test_no_dialog_and_no_article_script_runs_in_chromium(hostile_run):
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium not installed: run `make browser` (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    dialogs, opened = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for page_file in _pages(hostile_run):
                page = browser.new_page()
                page.on("dialog", lambda d, name=page_file.name: (dialogs.append((name, d.message)), d.dismiss()))
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                           else route.abort())
                page.goto(page_file.as_uri(), wait_until="load")
                page.wait_for_timeout(300)
                found = page.evaluate("""() => ({
                    scripts: [...document.scripts].filter(s => !s.type || /javascript|module/.test(s.type))   // run, not data
                        .map(s => s.textContent).filter(t => /alert\\(/.test(t)),
                    handlers: [...document.querySelectorAll('*')].filter(e =>
                        [...e.attributes].some(a => a.name.startsWith('on') && /alert/.test(a.value))).length,
                    jsLinks: [...document.querySelectorAll('a[href^="javascript:" i]')].length,
                    iframes: document.querySelectorAll('iframe').length,
                    bodyVisible: getComputedStyle(document.body).display !== 'none',
                })""")
                assert found["scripts"] == [], f"{page_file.name}: script from article text: {found['scripts'][:2]}"
                assert found["handlers"] == 0 and found["jsLinks"] == 0 and found["iframes"] == 0, (page_file.name, found)
                assert found["bodyVisible"], f"{page_file.name}: an article's <style> hid the page"
                opened.append(page_file.name)
                page.close()
        finally:
            browser.close()
    assert dialogs == [], f"dialogs fired: {dialogs}"
    assert "01_ingest.html" in opened and "01_ingest_nocode.html" in opened
