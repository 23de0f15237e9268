"""Figures: one colour per outlet across every figure, saved as PNG + SVG + the CSV behind them.

>>> colors = source_colors(["Al-Ahed News (English)", "Shafaq News (English)"])
>>> fig, ax = plt.subplots()
>>> save_figure(fig, pd.DataFrame({"x": [1]}), "demo", Path(tempfile.mkdtemp()))  # doctest: +ELLIPSIS
PosixPath('...demo.png')
"""
from __future__ import annotations

import tempfile
from pathlib import Path



import matplotlib.pyplot as plt
import pandas as pd

from . import tables

# Okabe & Ito (2008) colour-blind-safe palette, black last; then a grey ramp for long tails.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
UNKNOWN_COLOR = "#999999"

# Deterministic output: fixed SVG ids, no creation dates, one font and size everywhere.
plt.rcParams.update({
    "svg.hashsalt": "framing-analysis",
    "svg.fonttype": "none",
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
})


def source_order(sources) -> list[str]:
    """Outlets in display order: named outlets alphabetically, then unknown ones."""
    uniq = sorted(set(sources))
    return [s for s in uniq if not s.startswith("unknown")] + [s for s in uniq if s.startswith("unknown")]


def source_colors(sources) -> dict[str, str]:
    """A fixed colour per outlet: the same corpus gives the same colours in every figure."""
    order = source_order(sources)
    colors = {}
    for i, s in enumerate(order):
        colors[s] = OKABE_ITO[i] if i < len(OKABE_ITO) else plt.get_cmap("tab20")(i % 20)
    return colors


def save_figure(fig, data: pd.DataFrame, name: str, figures_dir: Path) -> Path:
    """Save ``fig`` as ``name.png`` and ``name.svg`` and ``data`` as ``name.csv``, all deterministic."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    png = figures_dir / f"{name}.png"
    fig.savefig(png, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(figures_dir / f"{name}.svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    tables.write_csv(data, figures_dir / f"{name}.csv")
    return png
