"""Every path the package uses, defined once, from this file's location (the package is installed editable)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
DATA = PACKAGE / "data"
SEEDS = REPO / "seeds"
NOTEBOOKS = REPO / "notebooks"
SCRATCH = REPO / "scratch"           # where a notebook run without ``out_dir`` writes (git-ignored)
STUDY = DATA / "study.yaml"          # the study a corpus without study.yaml gets: it names no words
SEED_STUDY = SEEDS / "study.yaml"
CHROME_RULES = DATA / "chrome.yaml"
VALIDATION = REPO / "validation" / "sentiment"

class Outputs(SimpleNamespace):
    """Where one run writes: ``root``, its ``tables``, ``figures``, ``rendered`` (made here) and ``cache`` folders.

    >>> Outputs(SCRATCH).figures.name
    'figures'
    """

    def __init__(self, root: Path):
        made = {name: Path(root) / name for name in ("tables", "figures", "rendered")}
        super().__init__(root=Path(root), **made, cache=Path(root) / ".cache")
        for p in made.values():
            p.mkdir(parents=True, exist_ok=True)
