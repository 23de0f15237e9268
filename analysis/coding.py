"""A coding sheet: counted uses (``terms.kwic`` lines) for a person to judge, read back as the precision of the counts
per family and outlet, correct / coded uses with a Wilson (1927) interval.

>>> uses = pd.DataFrame({"file": ["a.txt"] * 2, "sentence": [0, 1], "start": [4, 30], "outlet": ["X"] * 2,
...                      "family": ["f"] * 2, "variant": ["v"] * 2, "voice": ["own"] * 2, "match": ["w"] * 2})
>>> filled = sheet(uses).assign(code=["correct", "name"])
>>> filled["id"].tolist(), precision(filled, uses)[["coded", "correct", "name"]].values.tolist()
(['a.txt:0:4:f', 'a.txt:1:30:f'], [[2, 1, 1]])
"""
import pandas as pd

from . import stats
from .lexicon import PROPER

CODES = ("correct", "not_a_use", "name", "reported_speech")   # docs/tables.md: coding_sheet.csv
COLUMNS = ["id", "file", "outlet", "group", "family", "variant", "voice", "left", "match", "right", "code", "note"]
KEYS = ["family", "outlet"]

def ids(uses: pd.DataFrame) -> pd.Series:
    """A use's id, the same in every run on the same corpus and lexicon: file, sentence, character offset, family."""
    if missing := {"file", "sentence", "start", "family", "outlet"} - set(uses.columns):
        raise ValueError(f"the uses must be terms.kwic lines; they have no column {', '.join(sorted(missing))}")
    return uses["file"].astype(str).str.cat([uses[c].astype(str) for c in ("sentence", "start", "family")], sep=":")

def sheet(uses: pd.DataFrame, n: int | None = None, seed: int = 0, lines=None) -> pd.DataFrame:
    """Every use, or a seeded random sample of ``n`` per family and outlet, with empty ``code`` and ``note`` to fill;
    ``lines``: the CSV the uses were written to, row for row (``terms.scan``), to read their group and context from."""
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"the sample size must be a whole number of uses per family and outlet, 1 or more, not {n!r}")
    uses = uses.assign(id=ids(uses), code="", note="")
    if n is not None:
        uses = uses.sample(frac=1, random_state=seed).groupby(KEYS, sort=False, observed=True).head(n)
    if lines is not None:   # as written there (a formula made inert stays so): the sheet is only written out
        uses = uses.join(pd.concat(c[c.index.isin(uses.index)] for c in pd.read_csv(
            lines, usecols=["group", "left", "match", "right"], dtype=str, keep_default_na=False, chunksize=100_000)))
    return uses.sort_values([*KEYS, "file", "start"]).reindex(columns=COLUMNS, fill_value="").reset_index(drop=True)

def read(coded, uses: pd.DataFrame) -> pd.DataFrame:
    """A filled sheet (frame or CSV path) checked against the current ``uses``: codes in ``CODES`` (or empty: not coded
    yet), ids unique and all among the uses, else an error naming the sheet's row (1: the first under the header)."""
    name, coded = (("the coding sheet", coded) if isinstance(coded, pd.DataFrame)   # a missing file: FileNotFoundError
                   else (f"coding sheet {coded}", pd.read_csv(coded, dtype=str, keep_default_na=False)))
    if missing := {"id", "code"} - set(coded.columns):
        raise ValueError(f"{name}: no column {', '.join(sorted(missing))}; write it with coding.sheet")
    coded = coded.reset_index(drop=True).assign(code=lambda c: c["code"].fillna("").astype(str).str.strip())
    for bad, why in ((~coded["code"].isin(("",) + CODES), "code {code!r} is not one of " + ", ".join(CODES)),
                     (~coded["id"].isin(ids(uses)), "id {id!r} is not a use in this run (a stale sheet?)"),
                     (coded["id"].duplicated(), "id {id!r} is there twice")):
        if bad.any():
            row = coded[bad].iloc[0]
            raise ValueError(f"{name}, row {row.name + 1}: " + why.format(code=row["code"], id=row["id"]))
    return coded

def precision(coded, uses: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per family and outlet: uses, coded, each code's count, ``precision`` = correct / coded, Wilson (1927)
    interval."""
    coded = uses.assign(id=ids(uses)).merge(read(coded, uses).query("code != ''")[["id", "code"]], on="id")
    table = pd.crosstab([coded["family"], coded["outlet"]], coded["code"]).reindex(columns=list(CODES), fill_value=0)
    table = uses.groupby(KEYS).size().rename("uses").to_frame().join(table).fillna(0).astype("int64")
    table.insert(1, "coded", table[list(CODES)].sum(axis=1))
    ci = [stats.wilson(k, n, level) for k, n in zip(table["correct"], table["coded"])]
    return table.assign(precision=table["correct"] / table["coded"].where(table["coded"] > 0),
                        ci_low=[lo for lo, _ in ci], ci_high=[hi for _, hi in ci]).reset_index()

def apply(coded, uses: pd.DataFrame) -> pd.DataFrame:
    """``uses`` corrected by a filled sheet, to recompute the tables: a use coded ``not_a_use`` is dropped, ``name``
    becomes a proper name (out of every share), ``reported_speech`` gets the ``reported`` voice; the rest as counted."""
    code = ids(uses).map(read(coded, uses).set_index("id")["code"]).fillna("")
    fixed = uses.assign(voice=uses["voice"].astype(str).mask(code.eq("reported_speech"), "reported"),
                        family=uses["family"].astype(str).mask(code.eq("name"), PROPER))
    return fixed[code.ne("not_a_use").to_numpy()].reset_index(drop=True)
