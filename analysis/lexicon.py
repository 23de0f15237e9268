"""The lexicon: term families, contested pairs, proper names and targets, and the one matcher over them.

A lexicon file (``data/lexicon.yaml`` or the user's) names term families and their variants.
Matching is case-insensitive and whole-word on ``text.tokens``; the longest entry wins within a
family; a hit that overlaps a proper name ("Islamic Resistance in Iraq") is not a use of the word,
unless it is the whole name. ``terms`` counts hits, ``sentiment`` masks them and finds targets
with the same matcher.

>>> lex = load_lexicon()
>>> [(f, v) for _, _, f, v in lex.matches(text.tokens("The Islamic Resistance in Iraq, a militia"))]
[('proper_names', 'islamic_resistance_in_iraq'), ('armed_groups', 'militia')]
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import paths, text

PROPER = "proper_names"


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Pair:
    name: str
    family: str
    a: str
    b: str


def _keys(entry: str) -> set[tuple[str, ...]]:
    """Token tuples an entry matches: as written, hyphens spaced, and multiword joined by hyphens."""
    toks = tuple(text.tokens(entry))
    spaced = tuple(p for t in toks for p in t.split("-") if p)
    return {toks, spaced, ("-".join(spaced),)} if len(spaced) > 1 else {toks}


def _index(families: dict) -> dict:
    """Per family: first token -> [(token tuple, variant)], longest first."""
    out = {}
    for fam, variants in families.items():
        idx = {}
        for variant, entries in variants.items():
            for key in {k for e in entries for k in _keys(e)}:
                idx.setdefault(key[0], []).append((key, variant))
        out[fam] = {k: sorted(v, key=lambda kv: (-len(kv[0]), kv)) for k, v in idx.items()}
    return out


def find(tokens: list[str], index: dict) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping matches of one family: (first token, end token, variant)."""
    out, i, n = [], 0, len(tokens)
    while i < n:
        for k, v in index.get(tokens[i], ()):     # candidates longest first
            if tuple(tokens[i:i + len(k)]) == k:
                out.append((i, i + len(k), v))
                i += len(k)
                break
        else:
            i += 1
    return out


@dataclass(frozen=True)
class Lexicon:
    """Families ``{family: {variant: (entry, ...)}}`` (proper names last, as family ``proper_names``)."""

    families: dict
    pairs: tuple
    descriptions: dict
    targets: dict
    source: str = ""
    sha256: str = ""

    @functools.cached_property
    def index(self) -> dict:
        return _index(self.families)

    @functools.cached_property
    def target_index(self) -> dict:
        return _index({t: {t: aliases} for t, aliases in self.targets.items()})

    @functools.cached_property
    def capitals(self) -> dict:
        """Per target, the keys of its all-capitals aliases ("US"), which match only in capitals."""
        return {t: {tuple(text.tokens(a)) for a in aliases if a.isupper()} for t, aliases in self.targets.items()}

    def matches(self, tokens: list[str], index: dict | None = None) -> list[tuple[int, int, str, str]]:
        """(start, end, family, variant) of every hit in ``tokens`` (proper names included, as family
        ``proper_names``), in family order; a hit overlapping a proper name, but not the whole name, is dropped."""
        proper = find(tokens, self.index[PROPER])
        out = [(i, j, PROPER, v) for i, j, v in proper] if index is None else []
        for fam, idx in (self.index if index is None else index).items():
            if fam == PROPER:
                continue
            out += [(i, j, fam, v) for i, j, v in find(tokens, idx)
                    if not any(i < pj and pi < j and (i, j) != (pi, pj) for pi, pj, _ in proper)]
        return out

    def variants(self, families=None) -> list[tuple[str, str]]:
        """(family, variant) for the chosen families (None = all), sorted."""
        return sorted((f, v) for f, vs in self.families.items() if families is None or f in families for v in vs)

    def check_families(self, families) -> list[str]:
        """``families`` as a list of known family names (a string is one name); an unknown name is an error."""
        if families is None:
            return list(self.families)
        families = [families] if isinstance(families, str) else list(families)
        unknown = [f for f in families if f not in self.families]
        if unknown:
            raise LexiconError(f"{self.source}: unknown famil{'y' if len(unknown) == 1 else 'ies'} {unknown}; "
                               f"the lexicon has {sorted(self.families)}")
        return families


def load_lexicon(path=None) -> Lexicon:
    """Read and check a lexicon file (default ``analysis/data/lexicon.yaml``).

    >>> sorted(load_lexicon().families)[:2]
    ['armed_groups', 'death']
    """
    path = Path(path).expanduser().resolve() if path else paths.LEXICON

    def fail(problem):
        raise LexiconError(f"{path}: {problem}")

    try:
        data = path.read_bytes()
        raw = yaml.safe_load(data.decode("utf-8"))
    except OSError as exc:
        fail(f"cannot read the lexicon ({exc.strerror})")
    except UnicodeDecodeError:
        fail("not UTF-8 text; save the lexicon as UTF-8 YAML")
    except yaml.YAMLError as exc:
        fail(f"YAML syntax error, fix the file: {exc}")
    if not isinstance(raw, dict) or not isinstance(raw.get("families"), dict) or not raw["families"]:
        fail("needs a non-empty 'families:' mapping (see the comments at the top of the default lexicon)")
    if PROPER in raw["families"]:
        fail(f"'{PROPER}' is reserved for the top-level proper_names section")

    def entries(where, value):
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not value:
            fail(f"{where} has no entries; give a list such as [militia, militias]")
        for e in value:
            if not isinstance(e, str) or not text.words(e):
                fail(f"{where} has an empty or non-text entry {e!r}")
        return tuple(value)

    families, descriptions = {}, {}
    for fam, spec in raw["families"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("variants"), dict) or not spec["variants"]:
            fail(f"family '{fam}' needs a non-empty 'variants:' mapping")
        families[fam] = {v: entries(f"family '{fam}', variant '{v}'", e) for v, e in spec["variants"].items()}
        descriptions[fam] = str(spec.get("description", ""))
    names = raw.get("proper_names") or {}
    if not isinstance(names, dict):
        fail("'proper_names' must map a name id to its spellings")
    families[PROPER] = {n: entries(f"proper name '{n}'", e) for n, e in names.items()}
    descriptions[PROPER] = "Names and fixed phrases containing a contested word that are not descriptive uses of it."
    for fam, variants in families.items():
        seen = {}
        for v, es in variants.items():
            for key in {k for e in es for k in _keys(e)}:
                if seen.setdefault(key, v) != v:
                    fail(f"family '{fam}': '{' '.join(key)}' is listed under both '{seen[key]}' and '{v}'")
    pairs = []
    for p in raw.get("pairs") or []:
        if not isinstance(p, dict) or not {"name", "family", "a", "b"} <= set(p):
            fail(f"pair {p!r} needs name, family, a and b")
        if p["family"] not in families or p["family"] == PROPER:
            fail(f"pair '{p['name']}': unknown family '{p['family']}' (families: {', '.join(raw['families'])})")
        for side in ("a", "b"):
            if p[side] not in families[p["family"]]:
                fail(f"pair '{p['name']}': '{p[side]}' is not a variant of family '{p['family']}' "
                     f"(variants: {', '.join(families[p['family']])})")
        pairs.append(Pair(str(p["name"]), p["family"], p["a"], p["b"]))
    targets = raw.get("targets") or {}
    if not isinstance(targets, dict):
        fail("'targets' must map a target name to its aliases")
    targets = {t: entries(f"target '{t}'", e) for t, e in targets.items()}
    return Lexicon(families, tuple(pairs), descriptions, targets, str(path), hashlib.sha256(data).hexdigest())
