"""Every path the package uses, defined once.

The repository layout is fixed (the package is installed in editable mode from
its checkout), so defaults are computed from this file's location. Notebooks
take ``None`` for a path parameter to mean "the default below".
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
DATA = PACKAGE / "data"
SEEDS = REPO / "seeds"
NOTEBOOKS = REPO / "notebooks"
LEXICON = DATA / "lexicon.yaml"
CHROME_RULES = DATA / "chrome.yaml"
COVERAGE_ITEMS = DATA / "coverage.yaml"
VALIDATION = REPO / "validation" / "sentiment"


@dataclass(frozen=True)
class Outputs:
    """Where one run writes: tables/, figures/, rendered/ and a cache of intermediate Parquet."""

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
        for p in (self.tables, self.figures, self.rendered, self.cache):
            p.mkdir(parents=True, exist_ok=True)
        return self


def corpus_dir(value: str | Path | None) -> Path:
    """The corpus folder a notebook or the CLI was given, or the seeds."""
    return Path(value).expanduser().resolve() if value else SEEDS


def outputs(value: str | Path | None) -> Outputs:
    """The output root a notebook or the CLI was given, or the repository itself."""
    return Outputs(Path(value).expanduser().resolve() if value else REPO).make()


def lexicon(value: str | Path | None) -> Path:
    return Path(value).expanduser().resolve() if value else LEXICON
