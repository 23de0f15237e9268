"""Every path the package uses, defined once.

The package is installed in editable mode from its checkout, so defaults are computed from this
file's location. A notebook run without ``out_dir`` writes into ``SCRATCH`` (git-ignored);
``python -m analysis run`` publishes into the repository by default.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
DATA = PACKAGE / "data"
SEEDS = REPO / "seeds"
NOTEBOOKS = REPO / "notebooks"
SCRATCH = REPO / "scratch"
STUDY = DATA / "study.yaml"          # the study a corpus without study.yaml gets: it names no words
SEED_STUDY = SEEDS / "study.yaml"
CHROME_RULES = DATA / "chrome.yaml"
VALIDATION = REPO / "validation" / "sentiment"

class Outputs(SimpleNamespace):
    """Where one run writes: ``root``, its ``tables``, ``figures`` and ``rendered`` folders (made on creation)
    and ``cache`` of ingested partitions.

    >>> Outputs(SCRATCH).figures.name
    'figures'
    """

    def __init__(self, root: Path):
        root = Path(root)
        super().__init__(root=root, tables=root / "tables", figures=root / "figures", rendered=root / "rendered",
                         cache=root / ".cache")
        for p in (self.tables, self.figures, self.rendered):
            p.mkdir(parents=True, exist_ok=True)
