"""The rendered pages and the JupyterLab explorers in a real browser (Debian's Chromium via Playwright).

(a) One full run into a temporary folder; ``index.html`` and every rendered notebook opened from
disk: no console errors, every image loads, every local link resolves, a screenshot each under
``test-artifacts/``. (b) JupyterLab on a copy of the notebooks: ``02_terminology`` run through the
UI (Run → Run All Cells), no error output, and the concordance explorer answers a new selection.

``make test`` installs Chromium first; without ``/usr/bin/chromium`` these tests are skipped.
The helpers here are also used by ``tests/screenshots.py``.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from analysis import paths

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = paths.REPO / "test-artifacts"
VENV_BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="needs Debian's Chromium at /usr/bin/chromium (`make browser` installs it)")]


# --------------------------------------------------------------------------- helpers

def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def run_pipeline(out: Path, *only: str) -> Path:
    result = subprocess.run([sys.executable, "-m", "analysis", "run", "--out", str(out)]
                            + (["--only", *only] if only else []), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def check_page(browser, page_path: Path, screenshot: Path | None = None) -> dict:
    """Open a file:// page; return console errors, failed requests, broken images and local links."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, failed = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(page_path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.currentSrc.slice(0, 80), e.complete, e.naturalWidth])")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    broken_links = []
    for href in hrefs:
        url = urlparse(href)
        if url.scheme in ("http", "https", "mailto"):
            continue  # links out (article URLs) are not fetched offline
        if not url.path:  # "#anchor" on the same page
            ids = {url.fragment, unquote(url.fragment)}  # browsers match the raw fragment, then the decoded one
            if url.fragment and not any(page.query_selector(f'[id="{i}"]') for i in ids):
                broken_links.append(href)
            continue
        target = (page_path.parent / unquote(url.path)).resolve()
        if not target.exists():
            broken_links.append(href)
    if screenshot:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=False)
    page.close()
    return {"errors": errors, "failed": failed, "images": images,
            "broken_images": [i for i in images if not i[1] or i[2] == 0], "broken_links": broken_links}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_copy(root: Path, out: Path) -> Path:
    """The notebooks copied to ``root``, parameters pointed at ``out`` so the repository is not written."""
    import nbformat

    root.mkdir(parents=True, exist_ok=True)
    for nb_path in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        # source notebooks may carry no kernelspec; name the project's kernel so Lab does not ask
        nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                              "language": "python"})
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = re.sub(r"^out_dir: str = None", f"out_dir: str = {str(out)!r}", cell.source, flags=re.M)
        nbformat.write(nb, root / nb_path.name)
    return root


class Lab:
    """A JupyterLab server on a free port with a random token, serving ``root``; stopped on exit."""

    def __init__(self, root: Path, state: Path):
        self.root, self.state = root, state
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.proc = None

    def __enter__(self):
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(self.state / "config"),
               "JUPYTERLAB_SETTINGS_DIR": str(self.state / "settings"),
               "JUPYTERLAB_WORKSPACES_DIR": str(self.state / "workspaces"), "JUPYTER_RUNTIME_DIR": str(self.state / "rt")}
        self.log = open(self.state / "lab.log", "w")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "jupyter"), "lab", "--no-browser", f"--port={self.port}", "--ip=127.0.0.1",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly"] + (["--allow-root"] if os.geteuid() == 0 else []),
            stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {(self.state / 'lab.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=2)
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("jupyter lab did not start within 180 s")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?token={self.token}&reset"

    def __exit__(self, *exc):
        try:  # shut kernels and server down cleanly, then make sure
            req = urllib.request.Request(f"{self.base}/api/shutdown?token={self.token}", method="POST")
            urllib.request.urlopen(req, timeout=5)
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def run_all_in_lab(page, lab: Lab, notebook: str, timeout_s: float = 600) -> None:
    """Open ``notebook``, wait for the kernel, Run → Run All Cells, wait until every code cell ran or one failed."""
    page.goto(lab.url(notebook), wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=180_000)
    dialog = page.locator(".jp-Dialog-button.jp-mod-accept", has_text="Select")
    try:  # a kernel chooser appears if the notebook names no kernel: take the default (the venv's python3)
        dialog.click(timeout=5_000)
    except Exception:
        pass
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000)
    page.wait_for_function("() => /Idle/.test(document.querySelector('#jp-main-statusbar').innerText)",
                           timeout=180_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("li.lm-Menu-item", has_text=re.compile(r"^Run All Cells")).first.click()
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        prompts = page.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt", "els => els.map(e => e.textContent.trim())")
        has_error = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", has_text="Traceback").count() \
            or page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count()
        if has_error or (prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)):
            break
        page.wait_for_timeout(1000)
    else:
        raise AssertionError(f"{notebook} did not finish within {timeout_s} s")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    no_news = page.locator(".jp-toast-button", has_text=re.compile(r"^No$"))
    if no_news.count():  # the "official Jupyter news?" toast would cover part of a screenshot
        no_news.first.click()


def errors_in_lab(page) -> list[str]:
    errs = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error'], "
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent)")
    return [e for e in errs if "Traceback" in e or "Error" in e]


# --------------------------------------------------------------------------- (a) rendered pages from disk

@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    return run_pipeline(tmp_path_factory.mktemp("browser_out"))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def test_index_and_every_rendered_notebook_load_cleanly(full_run, browser):
    rendered = full_run / "rendered"
    pages = [rendered / "index.html"] + sorted(p for p in rendered.glob("*.html") if p.name != "index.html")
    assert len(pages) == 2 + 2 * len(list(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))   # and keyness.html
    problems = {}
    for page_path in pages:
        result = check_page(browser, page_path, ARTIFACTS / "rendered" / f"{page_path.stem}.png")
        bad = {k: result[k] for k in ("errors", "failed", "broken_images", "broken_links") if result[k]}
        if bad:
            problems[page_path.name] = bad
        if page_path.name not in ("index.html", "keyness.html"):
            assert result["images"], f"{page_path.name} shows no figure"
    assert problems == {}


def test_index_links_every_notebook_figure_and_table(full_run, browser):
    page = browser.new_page()
    page.goto((full_run / "rendered" / "index.html").as_uri())
    hrefs = set(page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"))
    page.close()
    for html in (full_run / "rendered").glob("*.html"):
        if html.name != "index.html":
            assert html.name in hrefs
    for png in (full_run / "figures").glob("*.png"):
        assert f"../figures/{png.name}" in hrefs
    for csv in (full_run / "tables").glob("*.csv"):
        assert f"../tables/{csv.name}" in hrefs


def test_keyness_page_searches_and_shows_sentences_offline(full_run, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    path = full_run / "rendered" / "keyness.html"
    page.goto(path.as_uri(), wait_until="load")
    words = page.eval_on_selector_all("#plot circle title", "els => els.map(e => e.textContent.split(':')[0])")
    assert len(words) > 50 and page.locator("#plot circle:visible").count() == len(words)
    query = sorted(words, key=len)[-1][:6]          # part of the longest word: a few matches, not all
    page.fill("#search", query)
    visible = page.locator("#plot circle:visible").count()
    assert 0 < visible < len(words) and visible == sum(query in w for w in words)
    assert page.locator("#count").inner_text() == f"{visible} of {len(words)} words match"
    page.locator("#matches button").first.click()
    assert query in page.locator("#word h2").inner_text() and page.locator("#word mark").count() >= 1
    page.fill("#search", "")
    page.locator("#plot circle").nth(3).dispatch_event("click")   # a point: its word and its sentences
    assert page.locator("#word h2").inner_text() == words[3] and page.locator("#word p.s").count() >= 1
    assert page.locator("#top-a button").count() and page.locator("#top-b button").count()
    assert errors == [] and requests == [path.as_uri()]
    page.close()


def test_keyness_page_runs_no_script_from_the_corpus(tmp_path, browser):
    """Markup in an article's text is shown as text: the sentence of the word "alert" runs nothing."""
    from conftest import build_corpus
    from analysis import keyness

    (tmp_path / "c").mkdir()
    for name, text in {"a.txt": "They said <img src=x onerror=alert(1)> and </script><script>alert(2)</script>.",
                       "b.txt": "Nothing alert here. Quiet words only."}.items():
        (tmp_path / "c" / name).write_text(text)
    build_corpus(tmp_path / "c", tmp_path / "out")
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(keyness.write(tmp_path / "out").as_uri(), wait_until="load")
    page.fill("#search", "alert")
    page.locator("#matches button").first.click()
    assert "onerror=alert(1)" in page.locator("#word").inner_text() and page.locator("#word img").count() == 0
    assert dialogs == []
    page.close()


# --------------------------------------------------------------------------- (b) JupyterLab

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    root = lab_copy(base / "notebooks", base / "out")
    run_pipeline(base / "out", "01_ingest")             # 02 reads the dataset 01 writes
    (base / "state").mkdir()
    with Lab(root, base / "state") as server:
        yield server


def test_terminology_runs_in_jupyterlab_and_concordance_explorer_responds(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        run_all_in_lab(page, lab, "02_terminology.ipynb")
        assert errors_in_lab(page) == []
        explorer = page.locator(".explore").first
        explorer.scroll_into_view_if_needed(timeout=60_000)
        selects = explorer.locator("select")
        assert selects.count() >= 4 and selects.first.is_visible()
        output = explorer.locator(".widget-html-content")
        before = output.inner_text()
        assert "lines" in before
        outlet = selects.nth(2)
        options = outlet.locator("option").all_inner_texts()
        outlet.select_option(label=options[-1])
        page.wait_for_function("([el, old]) => el.innerText !== old", arg=[output.element_handle(), before],
                               timeout=30_000)
        after = output.inner_text()
        assert after != before
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab_concordance.png"))
    finally:
        page.close()


# --------------------------------------------------------------------------- (c) reproducible rendering

def test_second_run_leaves_rendered_and_figures_byte_identical(full_run):
    """Runs last (it re-runs into the shared folder): no timestamps, random ids or staging paths in rendered/."""
    def snapshot():
        return {p.relative_to(full_run): p.read_bytes() for d in ("rendered", "figures") for p in (full_run / d).rglob("*")
                if p.is_file()}

    before = snapshot()
    run_pipeline(full_run)
    after = snapshot()
    assert before.keys() == after.keys()
    assert [str(k) for k in before if before[k] != after[k]] == []
