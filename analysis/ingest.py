"""Reading article files: discover, decode, clean, split into sentences; each file analysed or skipped with a reason."""
from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import paths, tables, text

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
CONFIG_FILES = {"manifest.csv", "study.yaml"}   # corpus-folder files that are settings, not articles
NUM_PERM = 64          # MinHash permutations for near-duplicate detection
BANDS = 16             # LSH bands (4 rows each): pairs sharing a band are compared
BOMS = (b"\xff\xfe", b"\xfe\xff")               # UTF-16 byte order marks (little, big endian)
# Western single-byte code pages charset_normalizer may guess: Windows-1252 is tried first (smart quotes).
_WESTERN = re.compile(r"^(cp125[0-8]|iso8859_\d+|latin_1|mac_\w+|cp8\d\d|windows_125\d)$")
# Dropped: zero-width characters, BOM, soft hyphen, bidirectional controls, C0 and C1 controls.
# Vertical tab, form feed and Unicode line/paragraph separators become line breaks; odd spaces and tabs, spaces.
_DROP = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069"
                   "\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BREAK = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SPACE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_CONTROLS = tuple(bytes([b]) for b in (*range(1, 9), *range(14, 27), *range(28, 32)))  # not \t\n\v\f\r or ESC
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")

class CorpusError(ValueError):
    """A problem with the corpus as a whole (missing folder, unreadable manifest); says how to fix it."""

@dataclass(frozen=True)
class Limits:
    """Ingest parameters. Anything over a limit is skipped and reported, never truncated."""

    max_bytes: int = 20_000_000       # larger files are skipped as "too large"
    min_words: int = 1                # fewer words after cleaning: "empty after cleaning"
    language: str = "en"              # other languages are skipped as "not English"
    near_duplicate: float = 0.8       # estimated Jaccard of 5-word shingles at or above: near duplicate
    partition_size: int = 500         # files per partition (bounds memory)
    max_nul_share: float = 0.01       # NUL bytes above this share of the file: binary; below: stripped, noted

    def __post_init__(self):
        for name, low in {"max_bytes": 1, "min_words": 0, "partition_size": 1}.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise CorpusError(f"{name} must be a whole number >= {low}, not {value!r} "
                                  f"({type(value).__name__}); e.g. {name}={Limits.__dataclass_fields__[name].default}")
        for name in ("near_duplicate", "max_nul_share"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value <= 1:
                raise CorpusError(f"{name} must be a number between 0 and 1, not {value!r}")
        if not isinstance(self.language, str):
            raise CorpusError(f"language must be a language code such as 'en' (or '' for any), not {self.language!r}")

def code_version() -> str:
    """Hash of the code that shapes ingested partitions: a change to it invalidates the cache."""
    code = b"".join((paths.PACKAGE / name).read_bytes() for name in ("ingest.py", "text.py"))
    return hashlib.sha256(code).hexdigest()[:16]

def empty_sentences() -> pd.DataFrame:
    """A sentences frame with no rows and the right column types."""
    return pd.DataFrame({c: pd.Series(dtype=str if c in ("file", "part", "text") else "int64")
                         for c in ("file", "index", "part", "text", "start", "end", "words", "paragraph")})

@functools.lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> dict:
    """Chrome rules (``data/chrome.yaml`` or the user's file), patterns compiled."""
    path = Path(path) if path else paths.CHROME_RULES
    try:
        rules = yaml.safe_load(path.read_text("utf-8"))
        rules["compiled"] = {name: re.compile(rf"(?:{pattern})", re.IGNORECASE)
                             for name, pattern in rules["line_patterns"].items()}
    except (yaml.YAMLError, re.error, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: cannot read chrome rules ({exc}); fix the file or pass another") from exc
    return rules

def decode(raw: bytes) -> tuple[str | None, str]:
    r"""Text and encoding used: UTF-8 (BOM or not), UTF-16 by BOM, else detected; (None, '') if nothing fits.

    >>> decode("He said \u201cno\u201d \u2014 caf\u00e9".encode("cp1252"))
    ('He said “no” — café', 'cp1252')
    """
    try:
        if raw.startswith(BOMS):
            return raw.decode("utf-16"), "utf-16"
        return raw.decode("utf-8-sig"), "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        if raw.startswith(BOMS):
            return None, ""
    from charset_normalizer import from_bytes
    best = from_bytes(raw).best()
    if best is not None and not _WESTERN.match(best.encoding):
        return str(best), best.encoding
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return (None, "") if best is None else (str(best), best.encoding)

def normalise(s: str) -> str:
    """Unicode NFC, one kind of line break, invisible characters dropped, odd spaces made plain."""
    s = unicodedata.normalize("NFC", s).replace("\r\n", "\n").replace("\r", "\n")
    return _SPACE.sub(" ", _DROP.sub("", _BREAK.sub("\n", s)))

def clean(raw_text: str, rules: dict, title: str | None = None) -> tuple[str, str, list[dict]]:
    """Split page text into (title, body, removed lines), removing chrome by generic rules."""
    lines, seen = [], {" ".join(title.split()).casefold()} if title else set()   # the headline, repeated in the body
    for no, line in enumerate(raw_text.split("\n"), 1):
        if line := re.sub(r"\s+", " ", line).strip():
            rule = next((name for name, pat in rules["compiled"].items() if pat.fullmatch(line)),
                        "repeated line" if line.casefold() in seen else None)
            lines.append({"line": no, "rule": rule, "text": line})
            seen.add(line.casefold())
    kept = [r for r in lines if not r["rule"]]
    repeated = {r["text"].casefold() for r in lines if r["rule"] == "repeated line"}

    def is_label(line: str) -> bool:
        return len(text.words(line)) <= rules["edge_label_max_words"] and not re.search(r"[.!?\"”:]$", line)

    # section labels above the title (a short line the page repeats is a title, not a label); widgets below the text
    while len(kept) > 1 and is_label(kept[0]["text"]) and kept[0]["text"].casefold() not in repeated:
        kept.pop(0)["rule"] = "leading label"
    while len(kept) > 1 and is_label(kept[-1]["text"]):
        kept.pop()["rule"] = "trailing label"
    first = kept[0]["text"] if kept else ""
    if title is None and first and len(text.words(first)) <= rules["title_max_words"] and (
            first.casefold() in repeated or not re.search(r"[.!?]$", first)):
        title = kept.pop(0)["text"]
    return (title or "").strip(), "\n".join(r["text"] for r in kept), [r for r in lines if r["rule"]]

def fingerprint_file(path: Path) -> str:
    """Cache key of one input file: its SHA-256, streamed; size and time if it cannot be read (reported later)."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        try:
            st = path.stat()
        except OSError:
            return "unreadable"
        return f"unreadable:{st.st_size}:{st.st_mtime_ns}"

def _utf16_without_bom(raw: bytes) -> str:
    """'utf-16-le' or 'utf-16-be' for mostly-ASCII UTF-16 saved without a BOM (NUL every other byte), else ''."""
    head = raw[:4096]
    if len(head) < 8 or len(head) % 2 or head.startswith(BOMS):
        return ""
    for enc, zeros, chars in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
        if zeros.count(0) > 0.9 * len(zeros) and chars.count(0) < 0.05 * len(chars):
            try:
                raw.decode(enc)
            except UnicodeDecodeError:
                return ""
            return enc
    return ""

def ingest_file(path: Path, rel: str, limits: Limits, rules: dict) -> dict:
    """Read, decode, clean and split one file into a record: ``reason`` set if skipped, ``note`` for warnings."""
    rec = {"file": rel, "bytes": 0, "encoding": "", "language": "", "sha256": "", "reason": "", "note": "",
           "title": "", "text": "", "removed": [], "sentences": [], "minhash": None, "words": 0}
    notes = []
    try:
        rec["bytes"] = path.stat().st_size
        if rec["bytes"] > limits.max_bytes:
            return {**rec, "reason": f"too large: {rec['bytes']:,} bytes over the limit of {limits.max_bytes:,} (raise "
                                     f"it with --max-bytes N, the notebook parameter max_bytes, or split the file)"}
        raw = path.read_bytes()
    except OSError as exc:
        return {**rec, "reason": f"unreadable: {exc.strerror or exc} (check the file's permissions)"}
    rec["sha256"] = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        return {**rec, "reason": "empty file"}
    if bomless := _utf16_without_bom(raw):
        raw = (b"\xff\xfe" if bomless == "utf-16-le" else b"\xfe\xff") + raw
        notes.append(f"no byte order mark: read as {bomless}")
    head = raw[:65536]   # binary: in the first 64 KB, too many NULs or more than 5% other control bytes
    if not raw.startswith(BOMS) and (head.count(0) / len(head) > limits.max_nul_share
                                     or sum(map(head.count, _CONTROLS)) > 0.05 * len(head)):
        return {**rec, "reason": "not text: binary content"}
    if nuls := (0 if raw.startswith(BOMS) else raw.count(0)):
        raw = raw.replace(b"\x00", b"")
        notes.append(f"{nuls} stray NUL byte(s) removed")
    decoded, rec["encoding"] = decode(raw)
    if decoded is None:
        return {**rec, "reason": "undecodable: not UTF-8 and no encoding detected (save the file as UTF-8)"}
    if rec["encoding"] not in ("utf-8", "utf-8-sig", "utf-16"):
        notes.append(f"not UTF-8: decoded as {rec['encoding']} (check accented letters and quotes)")
    if invisible := len(_DROP.findall(decoded[1:] if decoded.startswith("\ufeff") else decoded)):
        notes.append(f"{invisible} invisible or control character(s) removed (zero-width, bidirectional, control)")
    decoded, rec["note"] = normalise(decoded), "; ".join(notes)
    if not decoded.strip():
        return {**rec, "reason": "empty file"}
    html_title = None
    if path.suffix.lower() in HTML_SUFFIXES:   # a saved web page: trafilatura removes its boilerplate
        import trafilatura
        meta = trafilatura.extract_metadata(decoded)
        html_title = meta.title if meta and meta.title else ""
        decoded = normalise(trafilatura.extract(decoded, output_format="txt", include_comments=False,
                                                include_tables=False) or "")
    title, body, removed = clean(decoded, rules, title=html_title)
    clean_text = f"{title}\n\n{body}" if title else body
    n_words = text.count_words(clean_text)
    if n_words < limits.min_words:
        return {**rec, "removed": removed,
                "reason": "empty after cleaning: no words left once page chrome was removed"}
    import py3langid
    rec["language"] = py3langid.classify(body or title)[0]
    letters = len(_LETTER.findall(body or title))
    latin = len(_LATIN.findall(body or title)) / letters if letters else 1.0
    if limits.language and rec["language"] != limits.language:
        hint = (f" ({latin:.0%} of its letters are Latin script; save an English part as a file of its own to "
                f"analyse it)" if limits.language == "en" and latin >= 0.05 else "")
        return {**rec, "reason": f"not English: detected language '{rec['language']}' on the whole text{hint}"}
    if latin < 0.95:
        notes.append(f"mixed script: {1 - latin:.0%} of letters are not Latin script")
    offset = len(title) + 2 if title else 0
    sents = ([("title", 0, len(title))] if title else []) + [
        ("body", offset + a, offset + b) for a, b in text.sentence_spans(body)]
    breaks = [m.start() for m in re.finditer("\n", clean_text)]  # paragraph = line of the clean text
    from datasketch import MinHash   # a signature of the 5-word shingles, for near-duplicate search
    sig, toks = MinHash(num_perm=NUM_PERM, seed=1), [w.lower() for w in text.words(clean_text)]
    sig.update_batch([s.encode("utf-8") for s in {" ".join(toks[i:i + 5]) for i in range(max(1, len(toks) - 4))}])
    rec.update(note="; ".join(notes), title=title, text=clean_text, removed=removed, words=n_words,
               minhash=sig.hashvalues.astype(np.uint64),
               sentences=[{"file": rel, "index": i, "part": part, "text": clean_text[a:b], "start": a, "end": b,
                           "words": text.count_words(clean_text[a:b]), "paragraph": bisect.bisect(breaks, a)}
                          for i, (part, a, b) in enumerate(sents)])
    return rec

def ingest_partition(items: list[tuple[str, str]], limits: Limits, rules_path: str | None,
                     cache: Path, key: str) -> dict:
    """Ingest one partition of (relative path, absolute path) and write its Parquet files; cached by ``key``."""
    out = {name: cache / f"{key}.{name}.parquet" for name in ("records", "sentences", "removed")}
    if not all(p.exists() for p in out.values()):
        rules = load_rules(rules_path)
        recs = [ingest_file(Path(p), rel, limits, rules) for rel, p in items]
        sentences = [s for r in recs for s in r["sentences"]]
        records = pd.DataFrame([{k: v for k, v in r.items() if k not in ("sentences", "removed")} for r in recs])
        records["minhash"] = [None if m is None else m.tolist() for m in records["minhash"]]
        frames = {"records": records, "sentences": pd.DataFrame(sentences) if sentences else empty_sentences(),
                  "removed": pd.DataFrame([{"file": r["file"], **x} for r in recs for x in r["removed"]],
                                          columns=["file", "line", "rule", "text"])}
        for name, df in frames.items():
            with tables.replacing(out[name]) as tmp:
                df.to_parquet(tmp, index=False)
    return {k: str(v) for k, v in out.items()}

def discover(root: Path) -> tuple[list[tuple[str, Path]], list[dict]]:
    """Article files under ``root`` (sorted) and files skipped on sight with reasons; links followed only inside."""
    files, skipped, real_root = [], [], root.resolve()
    for p in sorted(root.rglob("*")):
        rel, link = p.relative_to(root).as_posix(), p.is_symlink()
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # differs if not valid UTF-8
        if p.is_dir() and not link:
            continue
        if shown != rel:
            reason = "file name is not valid UTF-8 (rename the file)"
        elif any(part.startswith(".") for part in p.relative_to(root).parts):
            reason = "hidden file"
        elif p.name.startswith("~$") or p.name.endswith(("~", ".tmp", ".swp")):
            reason = "temporary file"
        elif link and not p.exists():
            reason = "broken symbolic link (its target does not exist or links back to itself)"
        elif link and not p.resolve().is_relative_to(real_root):
            reason = "symbolic link to a file or folder outside the corpus folder"
        elif p.is_dir():
            reason = "symbolic link to a folder (not followed; put the files in the corpus folder)"
        elif rel in CONFIG_FILES:
            continue
        elif not p.is_file():
            reason = "not a regular file (a pipe, socket or device)"
        elif p.suffix.lower() not in TEXT_SUFFIXES | HTML_SUFFIXES:
            reason = f"unsupported file type '{p.suffix or '(none)'}': only .txt, .html and .htm are read"
        else:
            files.append((rel, p))
            continue
        skipped.append({"input": "file", "file": shown, "status": "skipped", "reason": reason})
    return files, skipped
