"""Outlet order and colours, without matplotlib: the same corpus gets the same order and colours everywhere.

>>> source_order(["unknown (x.com)", "B", "A"]), source_colors(["B", "A"])
(['A', 'B', 'unknown (x.com)'], {'A': '#E69F00', 'B': '#56B4E9'})
>>> top_units({"A": 3, "B": 9, "C": 3}, 2)
(['A', 'B'], ['C'], 'other (1 outlet)')
"""
# Okabe & Ito (2008) colour-blind-safe palette, black last: one colour per unit up to 8 units.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
NEUTRAL = "#4477AA"        # every unit when there are too many to tell apart and no groups
UNKNOWN_COLOR = "#999999"  # a unit outside every group; also the pooled "other" row
UNDATED = "undated at this resolution"  # the period of articles dated more coarsely than the bins

def source_order(sources) -> list[str]:
    """Named outlets alphabetically, then those starting with "unknown"."""
    return sorted({str(s) for s in sources}, key=lambda s: (s.startswith("unknown"), s))

def source_colors(sources, groups=None) -> dict[str, str]:
    """unit -> colour: Okabe-Ito up to 8 units, else one per group (``groups``: unit -> group), else neutral."""
    order = source_order(sources)
    if len(order) <= len(OKABE_ITO):
        return dict(zip(order, OKABE_ITO))
    if not groups:
        return dict.fromkeys(order, NEUTRAL)
    names = source_order(str(groups[u]) for u in order if u in groups)
    palette = dict(zip(names, OKABE_ITO)) if len(names) <= len(OKABE_ITO) else {}
    return {u: palette.get(str(groups[u]), NEUTRAL) if u in groups else UNKNOWN_COLOR for u in order}

def top_units(sizes, n: int, noun: str = "outlet") -> tuple[list[str], list[str], str]:
    """(the ``n`` largest units, the rest, each in ``source_order`` which breaks ties; the row pooling the rest)."""
    sizes = dict(sizes)
    order = source_order(sizes)
    keep = set(sorted(order, key=lambda u: -sizes[u])[:n])
    rest = [u for u in order if u not in keep]
    return [u for u in order if u in keep], rest, f"other ({len(rest)} {noun}{'' if len(rest) == 1 else 's'})"
