"""Regenerate the screenshots in docs/screenshots/ with Debian's Chromium (Playwright).

    .venv/bin/python tests/screenshots.py                # runs the analysis into a temporary folder first
    .venv/bin/python tests/screenshots.py --out OUT      # uses an existing run's OUT/rendered/

Writes ``index.png`` (OUT/rendered/index.html), ``02_terminology_nocode.png`` (the rendered
terminology notebook without code), ``keyness.png`` (the keyness page, its most distinctive word clicked),
``coding_precision.png`` (02 given ``docs/examples/seeds_coding_sheet.csv``) and ``lab_concordance.png`` (the
concordance explorer in JupyterLab after Run All, its search box used, on a copy of the notebooks whose output goes
to a temporary folder).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import papermill as pm

sys.path.insert(0, str(Path(__file__).resolve().parent))

import test_browser as tb  # noqa: E402  (helpers shared with the browser tests)
from analysis import paths, render  # noqa: E402

SHOTS = paths.REPO / "docs" / "screenshots"
CODED = paths.REPO / "docs" / "examples" / "seeds_coding_sheet.csv"   # a sample of the seed uses, coded by hand


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="an existing run's output folder (default: run the analysis into a temporary one)")
    args = parser.parse_args(argv)
    if not tb.CHROMIUM.exists():
        print("error: needs /usr/bin/chromium (make browser)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out = Path(args.out) if args.out else tb.run_pipeline(tmp / "out")
        with sync_playwright() as p:
            browser = tb.launch(p)
            for name in ("index", "02_terminology_nocode"):
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto((out / "rendered" / f"{name}.html").as_uri(), wait_until="load")
                page.screenshot(path=str(SHOTS / f"{name}.png"))
                page.close()
                print("wrote", SHOTS / f"{name}.png")
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((out / "rendered" / "keyness.html").as_uri(), wait_until="load")
            page.locator("#top-a button").first.click()
            page.screenshot(path=str(SHOTS / "keyness.png"))
            page.close()
            print("wrote", SHOTS / "keyness.png")
            coded = tmp / "coded"   # notebook 02 given the example coding sheet, on a copy of the run's dataset
            shutil.copytree(out / "data", coded / "data")
            executed = coded / "rendered" / "02_terminology.ipynb"
            executed.parent.mkdir(parents=True)
            pm.execute_notebook(str(paths.NOTEBOOKS / "02_terminology.ipynb"), str(executed), progress_bar=False,
                                cwd=str(paths.NOTEBOOKS), parameters={"out_dir": str(coded), "coded_sheet": str(CODED)})
            render.html(executed)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto((coded / "rendered" / "02_terminology_nocode.html").as_uri(), wait_until="load")
            page.locator("h2", has_text="Checking the counts by hand").evaluate("el => el.scrollIntoView()")
            page.screenshot(path=str(SHOTS / "coding_precision.png"))
            page.close()
            print("wrote", SHOTS / "coding_precision.png")
            root = tb.lab_copy(tmp / "lab" / "notebooks", tmp / "lab" / "out")
            tb.run_pipeline(tmp / "lab" / "out", "01_ingest")      # 02 reads the dataset 01 writes
            (tmp / "lab" / "state").mkdir()
            with tb.Lab(root, tmp / "lab" / "state") as lab:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                tb.run_all_in_lab(page, lab, "02_terminology.ipynb")
                explorer = page.locator(".explore").first
                explorer.scroll_into_view_if_needed(timeout=60_000)
                explorer.locator("select").nth(3).select_option(label="own")
                page.wait_for_timeout(500)
                box = explorer.locator("input[type=text]").first   # the search box: a glob over the lines
                box.fill("resist*")
                box.press("Enter")
                page.wait_for_timeout(500)
                explorer.evaluate("el => el.closest('.jp-Cell').scrollIntoView({block: 'start'})")
                page.wait_for_timeout(500)
                page.screenshot(path=str(SHOTS / "lab_concordance.png"))
                page.close()
                print("wrote", SHOTS / "lab_concordance.png")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
