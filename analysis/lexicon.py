"""The study file: its lexicon, its settings, and ``Lexicon.matches``, the one matcher (whole words, longest first,
none inside part of a proper name; ``*`` in an entry: any letters). A study file is a lexicon (families, pairs, proper
names, targets) plus what the study is about (``STUDY_KEYS``); ``analysis/data/study.yaml`` documents every key.

>>> lex = load_lexicon(paths.SEEDS / "study.yaml")
>>> [(f, v) for _, _, f, v in lex.matches(text.tokens("The Islamic Resistance in Iraq, a militia"))]
[('proper_names', 'islamic_resistance_in_iraq'), ('armed_groups', 'militia')]
>>> find(["militiamen", "fought"], _index({"f": {"m": ["militia*"], "x": ["militiamen fought"]}})["f"])
[(0, 2, 'x')]
>>> lex.pairs[0].name, lex.study["compare_by"]
('resistance_vs_militia', 'source')
"""
import fnmatch
import functools
import hashlib
from collections import namedtuple
from dataclasses import dataclass, field
from pathlib import Path
import yaml
from . import paths, text

MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"}
PROPER, UNLISTED = "proper_names", "(unlisted)"   # UNLISTED: the variant of names found, not listed (terms.py)
LEXICON_KEYS = {"families", "pairs", "proper_names", "targets"}
STUDY_KEYS = {"title": str, "question": str, "lead": str, "collocation_terms": list, "stop_words": list,
              "compare_by": str, "coverage": dict}
Pair = namedtuple("Pair", "name family a b")

class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file and the problem."""

def _keys(entry: str) -> set[tuple[str, ...]]:
    """Token tuples an entry matches: as written, hyphens spaced, multiword hyphenated; with a wildcard: as written."""
    if "*" in entry:
        return {tuple(text.norm(w) for w in entry.split())}
    toks = tuple(text.tokens(entry))
    spaced = tuple(p for t in toks for p in t.split("-") if p)
    return {toks, spaced, ("-".join(spaced),)} if len(spaced) > 1 else {toks}

class _Index(dict):
    """``_index``: per family, first token -> candidates; ``firsts``: every family's first tokens."""

def _index(families: dict, fail=None) -> dict:
    """Per family: first token -> [(token tuple, variant)], best first (``_rank``); ``fail`` on a key under two
    variants."""
    out = _Index()
    for fam, variants in families.items():
        seen, idx = {}, {}
        for v, entries in variants.items():
            for key in {k for e in entries for k in _keys(e)}:
                if seen.setdefault(key, v) != v:
                    fail(f"family '{fam}': '{' '.join(key)}' is listed under both '{seen[key]}' and '{v}'")
                idx.setdefault("*" if "*" in key[0] else key[0], []).append((key, v))
        out[fam] = {k: sorted(c, key=_rank, reverse=True) for k, c in idx.items()}   # the first that fits wins
    out.firsts = frozenset(k for idx in out.values() for k in idx)
    return out

def _fits(tokens, key) -> bool:
    """As many tokens as the key has words, each the word or matching its wildcard."""
    return tuple(tokens) == key or len(tokens) == len(key) and "*" in "".join(key) and all(
        t == w or "*" in w and fnmatch.fnmatchcase(t, w) for t, w in zip(tokens, key))

def _rank(kv) -> tuple:
    """A candidate (key, variant) before another: longer, without a wildcard, the longer pattern, then the variant."""
    return len(kv[0]), "*" not in "".join(kv[0]), len("".join(kv[0])), kv[1]

def find(tokens: list[str], index: dict) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping matches of one family: (first token, end token, variant); of two entries
    of one length, one without a wildcard wins, then the longer pattern."""
    out, wild = [], index.get("*", [])
    if not wild and index.keys().isdisjoint(tokens):   # the common case, checked in C
        return out
    for i in range(len(tokens)) if wild else [i for i, t in enumerate(tokens) if t in index]:
        if out and i < out[-1][1]:
            continue
        found = index.get(tokens[i], [])
        found = sorted(found + wild, key=_rank, reverse=True) if wild else found
        if hit := next((kv for kv in found if _fits(tokens[i:i + len(kv[0])], kv[0])), None):   # the best that fits
            out.append((i, i + len(hit[0]), hit[1]))
    return out

@functools.lru_cache(maxsize=2)   # a sentence's targets, masking and known words (sentiment) tokenise it once
def tokenised(s: str) -> tuple[list, list]:
    """Word offsets (token i: 2i to 2i + 1) and ``text.norm`` tokens of ``s`` (``text.tokens``; read only: cached).

    >>> tokenised("US-led forces")
    ([0, 6, 7, 13, 13], ['us-led', 'forces'])
    """
    return text.tokens(s, bounds=True)

@dataclass(frozen=True)
class Lexicon:
    """Families ``{family: {variant: (entry, ...)}}``, proper names last as family ``proper_names``."""
    families: dict
    pairs: tuple
    targets: dict
    index: dict = field(repr=False)           # ``_index`` of the families
    target_index: dict = field(repr=False)    # ``_index`` of the targets, one family each
    capitals: dict = field(repr=False)        # per target, its all-capitals aliases ("US"): they match only so
    source: str = ""
    sha256: str = ""
    study: dict = field(default_factory=dict)   # the study's settings: STUDY_KEYS, defaults filled in
    named: frozenset = frozenset()              # keys of entries written with a capital (Daesh): names themselves

    def matches(self, tokens: list[str], index: dict | None = None) -> list[tuple[int, int, str, str]]:
        """(start, end, family, variant) of every hit (proper names as family ``proper_names``) in family order;
        a hit overlapping part of a proper name is dropped. ``index`` (e.g. ``target_index``) replaces the families."""
        fams = self.index if index is None else index
        seen = fams.firsts.intersection(tokens) if isinstance(fams, _Index) else tokens   # the first words present:
        if not (hit := [f for f, idx in fams.items() if "*" in idx or not idx.keys().isdisjoint(seen)]):   # a family
            return []   # without one of its first words finds nothing (``find``)
        proper = find(tokens, self.index[PROPER])
        out = [(i, j, PROPER, v) for i, j, v in proper] if index is None else []
        for fam in hit:
            if fam != PROPER:
                out += [(i, j, fam, v) for i, j, v in find(tokens, fams[fam])
                        if not proper or not any(i < pj and pi < j and (i, j) != (pi, pj) for pi, pj, _ in proper)]
        return out

    def uses(self, s: str, index: dict | None = None) -> list[tuple[int, int, str, str, tuple]]:
        """``matches`` in text ``s``: (start, end) characters, family, variant and the tokens matched; a month name
        with a capital next to a number ("March 9", "9 May 2024") is a date, not a use of the word."""
        at, toks = tokenised(s)
        return [(at[2 * i], at[2 * j - 1], f, v, tuple(toks[i:j])) for i, j, f, v in self.matches(toks, index)
                if not (j == i + 1 and toks[i] in MONTHS and s[at[2 * i]].isupper() and any(
                    t[:1].isdigit() for t in toks[max(0, i - 1):i] + toks[j:j + 1]))]

    def variants(self, families=None) -> list[tuple[str, str]]:
        """(family, variant) for the chosen families (None = all; proper names with ``UNLISTED``), sorted."""
        return sorted((f, v) for f, vs in self.families.items() if families is None or f in families
                      for v in (*vs, UNLISTED)[:len(vs) + (f == PROPER)])

    def check_families(self, families) -> list[str]:
        """``families`` as a list of known family names (None: all; a string is one name); unknown ones are refused."""
        families = list(self.families if families is None else [families] if isinstance(families, str) else families)
        if unknown := [f for f in families if f not in self.families]:
            raise LexiconError(f"{self.source}: unknown famil{'y' if len(unknown) == 1 else 'ies'} {unknown}; "
                               f"the lexicon has {sorted(self.families)}")
        return families

def load_lexicon(path=None) -> Lexicon:
    """Read and check a study file (default: ``analysis/data/study.yaml``); an error names the file, key and fix."""
    path = Path(path).expanduser().resolve() if path else paths.STUDY
    def fail(problem):
        raise LexiconError(f"{path}: {problem}")
    def need(ok, problem):
        return ok or fail(problem)
    def entries(where, value):
        value = [value] if isinstance(value, str) else value
        need(isinstance(value, list) and value, f"{where} has no entries; give a list such as [protester, protesters]")
        for e in value:
            need(isinstance(e, str) and text.words(e), f"{where} has an empty or non-text entry {e!r}")
        return tuple(value)
    try:
        data = path.read_bytes()
        raw = yaml.safe_load(data.decode("utf-8"))
    except OSError as exc:
        fail(f"cannot read the lexicon ({exc.strerror})")
    except UnicodeDecodeError:
        fail("not UTF-8 text; save the lexicon as UTF-8 YAML")
    except yaml.YAMLError as exc:
        fail(f"YAML syntax error, fix the file: {exc}")
    need(isinstance(raw, dict) and isinstance(raw.get("families", {}), dict),
         "needs a 'families:' mapping (see analysis/data/study.yaml for every key)")
    unknown = sorted(set(raw) - LEXICON_KEYS - set(STUDY_KEYS))
    need(not unknown, f"unknown key(s) {unknown}; a study file takes {sorted(LEXICON_KEYS | set(STUDY_KEYS))}")
    for key, kind in STUDY_KEYS.items():
        need((v := raw.get(key)) is None or isinstance(v, kind), f"'{key}' must be a {kind.__name__}, not {v!r}")
    raw["families"] = raw.get("families") or {}
    need(PROPER not in raw["families"], f"'{PROPER}' is reserved for the top-level proper_names section")
    families = {}
    for fam, spec in raw["families"].items():
        need(isinstance(spec, dict) and isinstance(spec.get("variants"), dict) and spec["variants"],
             f"family '{fam}' needs a non-empty 'variants:' mapping")
        families[fam] = {v: entries(f"family '{fam}', variant '{v}'", e) for v, e in spec["variants"].items()}
    need(isinstance(names := raw.get("proper_names") or {}, dict), "'proper_names' must map a name id to its spellings")
    families[PROPER] = {n: entries(f"proper name '{n}'", e) for n, e in names.items()}
    index = _index(families, fail)     # refuses an entry under two variants
    pairs = []
    for p in raw.get("pairs") or []:
        need(isinstance(p, dict) and {"name", "family", "a", "b"} <= set(p), f"pair {p!r} needs name, family, a and b")
        need(p["family"] in families and p["family"] != PROPER,
             f"pair '{p['name']}': unknown family '{p['family']}' (families: {', '.join(map(str, raw['families']))})")
        for side in ("a", "b"):
            need(p[side] in families[p["family"]], f"pair '{p['name']}': '{p[side]}' is not a variant of family "
                 f"'{p['family']}' (variants: {', '.join(map(str, families[p['family']]))})")
        pairs.append(Pair(str(p["name"]), p["family"], p["a"], p["b"]))
    lead = raw.get("lead") or (pairs[0].name if pairs else None)
    need(lead is None or lead in {p.name for p in pairs}, f"'lead: {lead}' is not a pair (pairs: "
         f"{', '.join(p.name for p in pairs) or 'none'})")
    pairs.sort(key=lambda p: p.name != lead)       # the lead pair first, the others in file order
    need(raw.get("compare_by") in (None, "source", "group"), "'compare_by' must be source or group")
    study = {"title": "", "question": "", "collocation_terms": None, "stop_words": [], "compare_by": "source",
             "coverage": None} | {k: raw[k] for k in STUDY_KEYS if raw.get(k) is not None} | {"lead": lead}
    need(isinstance(targets := raw.get("targets") or {}, dict), "'targets' must map a target name to its aliases")
    targets = {t: entries(f"target '{t}'", e) for t, e in targets.items()}
    capitals = {t: {tuple(text.tokens(a)) for a in aliases if a.isupper()} for t, aliases in targets.items()}
    named = frozenset(k for es in (es for f, vs in families.items() if f != PROPER for es in vs.values())
                      for e in es if e[:1].isupper() for k in _keys(e))
    return Lexicon(families, tuple(pairs), targets, index, _index({t: {t: a} for t, a in targets.items()}), capitals,
                   str(path), hashlib.sha256(data).hexdigest(), study, named)
