"""Regenerate the screenshots in docs/screenshots/ with Debian's Chromium (Playwright).

    .venv/bin/python tests/screenshots.py                # runs the analysis into a temporary folder first
    .venv/bin/python tests/screenshots.py --out OUT      # uses an existing run's OUT/rendered/

Writes ``index.png`` (OUT/rendered/index.html), ``02_terminology_nocode.png`` (the rendered
terminology notebook without code), ``keyness.png`` (the keyness page, its most distinctive word clicked) and ``lab_concordance.png`` (the concordance explorer in
JupyterLab after Run All, on a copy of the notebooks whose output goes to a temporary folder).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import test_browser as tb  # noqa: E402  (helpers shared with the browser tests)
from analysis import paths  # noqa: E402

SHOTS = paths.REPO / "docs" / "screenshots"


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
                explorer.evaluate("el => el.closest('.jp-Cell').scrollIntoView({block: 'start'})")
                page.wait_for_timeout(500)
                page.screenshot(path=str(SHOTS / "lab_concordance.png"))
                page.close()
                print("wrote", SHOTS / "lab_concordance.png")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
