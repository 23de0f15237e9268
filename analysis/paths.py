"""Every path the package uses, defined once.

The package is installed in editable mode from its checkout, so defaults are computed from this
file's location. A notebook run without ``out_dir`` writes into ``SCRATCH`` (git-ignored);
``python -m analysis run`` publishes into the repository by default.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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

@dataclass(frozen=True)
class Outputs:
    """Where one run writes: tables/, figures/, rendered/, the dataset in data/ and a cache of ingested partitions."""

    root: Path

    @property
    def tables(self) -> Path:
        return self.root / "tables"

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    @property
    def rendered(self) -> Path:
        return self.root / "rendered"

    @property
    def cache(self) -> Path:
        return self.root / ".cache"

    def make(self) -> "Outputs":
        for p in (self.tables, self.figures, self.rendered):
            p.mkdir(parents=True, exist_ok=True)
        return self
