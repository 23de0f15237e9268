"""Reading article files: discover, decode, clean, split into sentences, one file or partition at a time.

Every candidate file becomes a record (``ingest_file``): analysed, or skipped with a ``reason``.
The work per file is pure, so partitions of files run in-process or on Dask (``engine``); each
partition's records, sentences and removed lines are written as Parquet, cached by content
(``ingest_partition``). ``dataset.build`` turns the partitions into the corpus dataset.

>>> rec = ingest_file(Path("seeds/000_a09b85ca267c3209.txt"), "000.txt", Limits(), load_rules())  # doctest: +SKIP
"""
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
        whole = {"max_bytes": 1, "min_words": 0, "partition_size": 1}
        for name, low in whole.items():
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
    h = hashlib.sha256()
    for name in ("ingest.py", "text.py"):
        h.update((paths.PACKAGE / name).read_bytes())
    return h.hexdigest()[:16]


def empty_sentences() -> pd.DataFrame:
    """A sentences frame with no rows and the right column types."""
    return pd.DataFrame({c: pd.Series(dtype=str if c in ("file", "part", "text") else "int64")
                         for c in ("file", "index", "part", "text", "start", "end", "words", "paragraph")})


class CorpusError(ValueError):
    """A problem with the corpus as a whole (missing folder, unreadable manifest); says how to fix it."""


@functools.lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> dict:
    """Chrome rules (``data/chrome.yaml`` or the user's file), patterns compiled."""
    path = Path(path) if path else paths.CHROME_RULES
    try:
        rules = yaml.safe_load(path.read_text("utf-8"))
        rules["compiled"] = {name: re.compile(rf"(?:{pat})", re.IGNORECASE) for name, pat in rules["line_patterns"].items()}
    except (yaml.YAMLError, re.error, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: cannot read chrome rules ({exc}); fix the file or pass another") from exc
    return rules


# Single-byte encodings charset_normalizer may guess for Western text; cp1252 is preferred among them
# because it is what Windows saves English (and French, German...) text in, smart quotes included.
_WESTERN = re.compile(r"^(cp125[0-8]|iso8859_\d+|latin_1|mac_\w+|cp8\d\d|windows_125\d)$")


def decode(raw: bytes) -> tuple[str | None, str]:
    r"""Text and the encoding used: UTF-8 (with or without BOM), UTF-16 by BOM, else a detected one.

    When detection picks a Western single-byte code page, Windows-1252 is used if it decodes the
    bytes (it maps 0x93/0x94 to “ ” where Latin-1 would give control characters).

    >>> decode("He said \u201cno\u201d \u2014 caf\u00e9".encode("cp1252"))
    ('He said “no” — café', 'cp1252')
    >>> decode("\ufeffHi".encode("utf-16-be"))
    ('Hi', 'utf-16')
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None, ""
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None or _WESTERN.match(best.encoding):
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    if best is None:
        return None, ""
    return str(best), best.encoding


def nul_share(raw: bytes) -> float:
    """Share of NUL bytes in ``raw`` (0 for UTF-16 with a BOM, where NULs are part of the encoding)."""
    if not raw or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return 0.0
    return raw.count(b"\x00") / len(raw)


def looks_binary(raw: bytes, max_nul_share: float = 0.01) -> bool:
    r"""Binary, not text: judged on the first 64 KB (UTF-16 with a BOM aside).

    Binary when NUL bytes are more than ``max_nul_share`` of it, or when other control bytes
    (not tab, line feed, vertical tab, form feed, carriage return or escape) are more than 5%.
    A few stray NULs in a text file are not binary: ``ingest_file`` strips them and notes it.

    >>> looks_binary(b"One stray NUL\x00 in a page. " + b"Otherwise plain text. " * 20)
    False
    >>> looks_binary(bytes(range(256)))
    True
    """
    head = raw[:65536]
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = sum(head.count(bytes([b])) for b in (*range(1, 9), *range(14, 27), *range(28, 32)))
    return nul_share(head) > max_nul_share or controls > 0.05 * len(head)


# Invisible characters dropped: zero-width spaces and joiners, word joiner, BOM, soft hyphen, NUL,
# bidirectional controls (which can make text display in another order than it is stored), other
# C0 controls and C1 controls. Vertical tab, form feed, and Unicode line/paragraph separators become
# line breaks; no-break and other fixed-width spaces, and tabs, become plain spaces.
_DROP = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069"
                   "\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BREAK = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SPACE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def normalise(s: str) -> str:
    r"""Unicode NFC, one kind of line break, invisible characters dropped, odd spaces made plain.

    >>> normalise("a\u00a0b\u200bc\r\nd\re\x00f\u202eg")
    'a bc\nd\nefg'
    """
    s = unicodedata.normalize("NFC", s).replace("\r\n", "\n").replace("\r", "\n")
    s = _BREAK.sub("\n", s)
    s = _DROP.sub("", s)
    return _SPACE.sub(" ", s)


def clean(raw_text: str, rules: dict, title: str | None = None) -> tuple[str, str, list[dict]]:
    """Split page text into (title, body, removed lines), removing chrome by generic rules.

    >>> clean("World\\nIraq votes\\nIraq votes\\nIt happened. Really.\\nLeave a Reply", load_rules())[:2]
    ('Iraq votes', 'It happened. Really.')
    """
    lines = [(i + 1, re.sub(r"\s+", " ", l).strip()) for i, l in enumerate(raw_text.split("\n"))]
    kept, removed = [], []
    seen = {" ".join(title.split()).casefold()} if title else set()   # a page's headline repeated in its body
    for no, line in lines:
        if not line:
            continue
        rule = next((name for name, pat in rules["compiled"].items() if pat.fullmatch(line)), None)
        key = line.casefold()
        if rule is None and key in seen:
            rule = "repeated line"
        if rule:
            removed.append({"line": no, "rule": rule, "text": line})
        else:
            seen.add(key)
            kept.append((no, line))

    def is_label(line: str) -> bool:
        return len(text.words(line)) <= rules["edge_label_max_words"] and not re.search(r"[.!?\"”:]$", line)

    repeated = {r["text"].casefold() for r in removed if r["rule"] == "repeated line"}
    # section labels above the title (a short line the page repeats is a title, not a label)
    while len(kept) > 1 and is_label(kept[0][1]) and kept[0][1].casefold() not in repeated:
        removed.append({"line": kept[0][0], "rule": "leading label", "text": kept.pop(0)[1]})
    while len(kept) > 1 and is_label(kept[-1][1]):           # widgets below the last paragraph
        removed.append({"line": kept[-1][0], "rule": "trailing label", "text": kept.pop()[1]})
    if title is None and kept:
        first = kept[0][1]
        repeated = any(r["rule"] == "repeated line" and r["text"].casefold() == first.casefold() for r in removed)
        short = len(text.words(first)) <= rules["title_max_words"]
        if short and (repeated or not re.search(r"[.!?]$", first)):
            title = first
            kept.pop(0)
    removed.sort(key=lambda r: r["line"])
    return (title or "").strip(), "\n".join(l for _, l in kept), removed


def extract_html(raw_text: str) -> tuple[str, str]:
    """Title and main text of a saved web page, via trafilatura's boilerplate removal."""
    import trafilatura

    body = trafilatura.extract(raw_text, output_format="txt", include_comments=False, include_tables=False) or ""
    meta = trafilatura.extract_metadata(raw_text)
    return (meta.title if meta and meta.title else ""), body


def minhash(words: list[str]) -> np.ndarray:
    """MinHash signature of the article's 5-word shingles (datasketch), for near-duplicate search."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1)
    toks = [w.lower() for w in words]
    shingles = {" ".join(toks[i:i + 5]) for i in range(max(1, len(toks) - 4))}
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m.hashvalues.astype(np.uint64)


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, read in 1 MB chunks (never the whole file in memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def fingerprint_file(path: Path) -> str:
    """Cache key of one input file: its SHA-256, streamed; size and time if it cannot be read (reported later)."""
    try:
        return file_sha256(path)
    except OSError:
        try:
            st = path.stat()
            return f"unreadable:{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            return "unreadable"


def utf16_without_bom(raw: bytes) -> str:
    """'utf-16-le' / 'utf-16-be' for UTF-16 text saved without a byte order mark (NULs in every other
    byte, mostly ASCII), else ''. Such files would otherwise look binary."""
    head = raw[:4096]
    if len(head) < 8 or len(head) % 2 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ""
    even, odd = head[0::2], head[1::2]
    for enc, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > 0.9 * len(zeros) and chars.count(0) < 0.05 * len(chars):
            try:
                raw.decode(enc)
            except UnicodeDecodeError:
                return ""
            return enc
    return ""


def latin_share(s: str) -> float:
    """Share of the letters in ``s`` that are Latin script (1.0 when there are no letters)."""
    letters = len(_LETTER.findall(s))
    return len(_LATIN.findall(s)) / letters if letters else 1.0


def ingest_file(path: Path, rel: str, limits: Limits, rules: dict) -> dict:
    """Read, decode, clean and split one file. Returns a record; ``reason`` set when it is skipped.

    ``note`` carries warnings that did not stop the file: stray NUL bytes or invisible characters
    removed, a guessed (non-UTF-8) encoding, mixed scripts. The size limit is checked before
    anything is read. The language is detected on the whole body: a page that is mostly another
    language is skipped even if it holds an English paragraph (the reason says how much is Latin script).
    """
    rec = {"file": rel, "bytes": 0, "encoding": "", "language": "", "sha256": "",
           "reason": "", "note": "", "title": "", "text": "", "removed": [], "sentences": [], "minhash": None,
           "words": 0}
    notes = []
    try:
        rec["bytes"] = path.stat().st_size
        if rec["bytes"] > limits.max_bytes:
            rec["reason"] = (f"too large: {rec['bytes']:,} bytes over the limit of {limits.max_bytes:,} "
                             f"(raise it with --max-bytes N, the notebook parameter max_bytes, or split the file)")
            return rec
        raw = path.read_bytes()
    except OSError as exc:
        rec["reason"] = f"unreadable: {exc.strerror or exc} (check the file's permissions)"
        return rec
    rec["sha256"] = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        rec["reason"] = "empty file"
        return rec
    bomless = utf16_without_bom(raw)
    if bomless:
        raw = (b"\xff\xfe" if bomless == "utf-16-le" else b"\xfe\xff") + raw
        notes.append(f"no byte order mark: read as {bomless}")
    if looks_binary(raw, limits.max_nul_share):
        rec["reason"] = "not text: binary content"
        return rec
    nuls = 0 if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.count(b"\x00")
    if nuls:
        raw = raw.replace(b"\x00", b"")
        notes.append(f"{nuls} stray NUL byte(s) removed")
    decoded, rec["encoding"] = decode(raw)
    if decoded is None:
        rec["reason"] = "undecodable: not UTF-8 and no encoding detected (save the file as UTF-8)"
        return rec
    if rec["encoding"] not in ("utf-8", "utf-8-sig", "utf-16"):
        notes.append(f"not UTF-8: decoded as {rec['encoding']} (check accented letters and quotes)")
    invisible = len(_DROP.findall(decoded[1:] if decoded.startswith("\ufeff") else decoded))
    if invisible:
        notes.append(f"{invisible} invisible or control character(s) removed (zero-width, bidirectional, control)")
    decoded = normalise(decoded)
    rec["note"] = "; ".join(notes)
    if not decoded.strip():
        rec["reason"] = "empty file"
        return rec
    html_title = None
    if path.suffix.lower() in HTML_SUFFIXES:
        html_title, decoded = extract_html(decoded)
        decoded = normalise(decoded)
    title, body, removed = clean(decoded, rules, title=html_title)
    clean_text = f"{title}\n\n{body}" if title else body
    n_words = text.count_words(clean_text)
    if n_words < limits.min_words:
        rec["reason"] = "empty after cleaning: no words left once page chrome was removed"
        rec["removed"] = removed
        return rec
    import py3langid

    rec["language"] = py3langid.classify(body or title)[0]
    latin = latin_share(body or title)
    if limits.language and rec["language"] != limits.language:
        rec["reason"] = f"not English: detected language '{rec['language']}' on the whole text"
        if limits.language == "en" and latin >= 0.05:
            rec["reason"] += (f" ({latin:.0%} of its letters are Latin script; save an English part "
                              f"as a file of its own to analyse it)")
        return rec
    if latin < 0.95:
        notes.append(f"mixed script: {1 - latin:.0%} of letters are not Latin script")
        rec["note"] = "; ".join(notes)
    sents = []
    if title:
        sents.append(("title", 0, len(title)))
    offset = len(title) + 2 if title else 0
    sents += [("body", offset + a, offset + b) for a, b in text.sentence_spans(body)]
    breaks = [m.start() for m in re.finditer("\n", clean_text)]  # paragraph = line of the clean text
    rec.update(title=title, text=clean_text, removed=removed, words=n_words, minhash=minhash(text.words(clean_text)),
               sentences=[{"file": rel, "index": i, "part": part, "text": clean_text[a:b], "start": a, "end": b,
                           "words": text.count_words(clean_text[a:b]), "paragraph": bisect.bisect(breaks, a)}
                          for i, (part, a, b) in enumerate(sents)])
    return rec


def ingest_partition(items: list[tuple[str, str]], limits: Limits, rules_path: str | None,
                     cache: Path, key: str) -> dict:
    """Ingest one partition of (relative path, absolute path) and write its Parquet files; cached by ``key``."""
    out = {name: cache / f"{key}.{name}.parquet" for name in ("records", "sentences", "removed")}
    if all(p.exists() for p in out.values()):
        return {k: str(v) for k, v in out.items()}
    rules = load_rules(rules_path)
    recs = [ingest_file(Path(p), rel, limits, rules) for rel, p in items]
    sentences = [s for r in recs for s in r["sentences"]]
    removed = [{"file": r["file"], **x} for r in recs for x in r["removed"]]
    records = pd.DataFrame([{k: v for k, v in r.items() if k not in ("sentences", "removed")} for r in recs])
    records["minhash"] = [None if m is None else m.tolist() for m in records["minhash"]]
    frames = {"records": records,
              "sentences": pd.DataFrame(sentences) if sentences else empty_sentences(),
              "removed": pd.DataFrame(removed, columns=["file", "line", "rule", "text"])}
    for name, df in frames.items():
        with tables.replacing(out[name]) as tmp:
            df.to_parquet(tmp, index=False)
    return {k: str(v) for k, v in out.items()}


def discover(root: Path) -> tuple[list[tuple[str, Path]], list[dict]]:
    """Candidate article files under ``root`` (sorted) and the files skipped on sight, with reasons.

    Symbolic links are followed only to files inside ``root`` (so a link is analysed, or reported as
    a duplicate of its target); links to folders are not followed. Pipes, sockets and devices are
    never opened. File names that are not valid UTF-8 are reported, not read.
    """
    files, skipped = [], []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_dir() and not p.is_symlink():
            continue
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            rel = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            skipped.append({"input": "file", "file": rel, "status": "skipped",
                            "reason": "file name is not valid UTF-8 (rename the file)"})
            continue
        target = _resolve(p) if p.is_symlink() else p
        if any(part.startswith(".") for part in p.relative_to(root).parts):
            reason = "hidden file"
        elif p.name.startswith("~$") or p.name.endswith(("~", ".tmp", ".swp")):
            reason = "temporary file"
        elif p.is_symlink() and target is None:
            reason = "broken symbolic link (its target does not exist or links back to itself)"
        elif p.is_symlink() and not _inside(target, root):
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
        skipped.append({"input": "file", "file": rel, "status": "skipped", "reason": reason})
    return files, skipped


def _resolve(p: Path) -> Path | None:
    """Where a link points, or None if it is broken or loops."""
    try:
        target = p.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return target


def _inside(p: Path, root: Path) -> bool:
    try:
        p.relative_to(root.resolve())
        return True
    except ValueError:
        return False

