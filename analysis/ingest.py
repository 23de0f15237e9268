"""Reading article files: discover, decode, clean, split into sentences; each file analysed or skipped with a reason."""
from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import itertools
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import paths, tables, text

HTML_SUFFIXES = {".html", ".htm"}
CONFIG_FILES = {"manifest.csv", "study.yaml"}   # corpus-folder files that are settings, not articles
NUM_PERM, BANDS = 64, 16   # MinHash permutations for near-duplicate detection; LSH bands (4 rows each)
BOMS = (b"\xff\xfe", b"\xfe\xff")               # UTF-16 byte order marks (little, big endian)
MAGIC = {b"%PDF-": "PDF", b"{\\rtf": "RTF"}     # documents saved under a text name: skipped as unsupported
MAX_NUL_SHARE = 0.01   # NUL bytes above this share of the first 64 KB: binary; below: stripped, noted
_WESTERN = re.compile(r"^(cp125[0-8]|iso8859_\d+|latin_1|mac_\w+|cp8\d\d|windows_125\d)$")   # guessed: try cp1252 first
# normalise drops zero-width characters, BOM, soft hyphen, bidi, C0 and C1 controls; makes line breaks and spaces
_DROP = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069"
                   "\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BREAK = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_NOT_LETTER, _LATIN = re.compile(r"[\W\d_]+"), re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")   # counted as removed
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")
_NOT_ASCII_LETTER = bytes(c for c in range(256) if c > 127 or not chr(c).isalpha())   # bytes deleted to count A-Za-z
_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_CONTROLS = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")   # control bytes, not \t\n\v\f\r or ESC
_BLOCKS = ("p div br li tr td th h1 h2 h3 h4 h5 h6 section article header footer nav aside main blockquote pre "
           "figure figcaption form dt dd hr").split()
SENTENCE_COLUMNS = ["file", "index", "part", "paragraph", "start", "end", "words", "text"]
PAGE_FIELDS = {"author": "author", "page_title": "title", "page_outlet": "sitename", "page_published": "date",
               "page_url": "url"}   # a saved page's own metadata: record field -> trafilatura's name

class CorpusError(ValueError):
    """A problem with the corpus as a whole (missing folder, unreadable manifest); says how to fix it."""

@dataclass(frozen=True)
class Limits:
    """Ingest parameters. Anything over a limit is skipped and reported, never truncated."""
    max_bytes: int = 20_000_000       # larger files are skipped as "too large"
    min_words: int = 1                # fewer words after cleaning: "empty after cleaning"
    near_duplicate: float = 0.8       # estimated Jaccard of 5-word shingles at or above: near duplicate
    partition_size: int = 500         # files per partition (bounds memory)

    def __post_init__(self):
        for name in ("max_bytes", "min_words", "partition_size"):
            value, low = getattr(self, name), int(name != "min_words")
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise CorpusError(f"{name} must be a whole number >= {low}, not {value!r} ({type(value).__name__}); "
                                  f"e.g. {name}={getattr(Limits, name)}")

def code_version() -> str:
    """Hash of the code that shapes ingested partitions: a change to it invalidates the cache."""
    return hashlib.sha256(b"".join((paths.PACKAGE / n).read_bytes() for n in ("ingest.py", "text.py"))).hexdigest()[:16]

def empty_sentences() -> pd.DataFrame:
    """A sentences frame with no rows and the right column types."""
    return pd.DataFrame({c: pd.Series(dtype=str if c in ("file", "part", "text") else "int64")
                         for c in SENTENCE_COLUMNS})

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

def binary(raw: bytes) -> bool:
    """Not text: in the first 64 KB, too many NULs or over 5% other control bytes (UTF-16 with a BOM is text).

    >>> binary(bytes(range(256)) * 4), binary("café".encode("utf-16"))
    (True, False)
    """
    head = raw[:65536]
    return bool(head) and not raw.startswith(BOMS) and (
        head.count(0) > MAX_NUL_SHARE * len(head) or len(_CONTROLS.findall(head)) > 0.05 * len(head))

def decode(raw: bytes) -> tuple[str | None, str]:
    r"""Text and encoding used: UTF-8 (BOM or not), UTF-16 by BOM, else detected; (None, '') if nothing fits.

    >>> decode("He said \u201cno\u201d \u2014 caf\u00e9".encode("cp1252"))
    ('He said “no” — café', 'cp1252')
    """
    with contextlib.suppress(UnicodeDecodeError):
        return (raw.decode("utf-16"), "utf-16") if raw.startswith(BOMS) else (
            raw.decode("utf-8-sig"), "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8")
    if raw.startswith(BOMS):
        return None, ""
    from charset_normalizer import from_bytes
    best = from_bytes(raw).best()
    if best is None or _WESTERN.match(best.encoding):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode("cp1252"), "cp1252"
    return (None, "") if best is None else (str(best), best.encoding)

def normalise(s: str) -> str:
    """Unicode NFC, one kind of line break, invisible characters dropped, odd spaces made plain."""
    s = unicodedata.normalize("NFC", s).replace("\r\n", "\n").replace("\r", "\n")
    return _SPACE.sub(" ", _DROP.sub("", _BREAK.sub("\n", s)))

def clean(raw_text: str, rules: dict, title: str | None = None) -> tuple[str, str, list[dict]]:
    """Split page text into (title, body, removed lines), removing chrome by generic rules."""
    lines, seen = [], {" ".join(title.split()).casefold()} if title else set()   # the headline, repeated in the body
    for no, line in enumerate(raw_text.split("\n"), 1):
        if line := " ".join(line.split()):
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
    if title is None and kept and len(text.words(first := kept[0]["text"])) <= rules["title_max_words"] and (
            first.casefold() in repeated or not re.search(r"[.!?]$", first)):
        title = kept.pop(0)["text"]
    return (title or "").strip(), "\n".join(r["text"] for r in kept), [r for r in lines if r["rule"]]

def page(html: str) -> tuple[str, dict, list[dict]]:
    """A saved web page: its main text (trafilatura), its own metadata, and each line of its body the extractor cut."""
    import trafilatura
    from lxml import etree

    meta, tree = trafilatura.extract_metadata(html), trafilatura.load_html(html)
    kept = normalise(trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=False) or "")
    body = next(tree.iter("body"), tree) if tree is not None else etree.Element("body")
    etree.strip_elements(body, etree.Comment, "script", "style", "noscript", "template", with_tail=False)
    for el in body.iter(_BLOCKS):
        el.text, el.tail = "\n" + (el.text or ""), "\n" + (el.tail or "")
    shown = [" ".join(line.split()) for line in normalise("".join(body.itertext())).split("\n")]
    kept_lines = {" ".join(line.split()) for line in kept.split("\n")}
    whole = " ".join(kept_lines)
    cut = [{"line": no, "rule": "page extractor (trafilatura)", "text": line}   # line: counts non-empty lines
           for no, line in enumerate(filter(None, shown), 1) if line not in kept_lines and line not in whole]
    return kept, {f: " ".join(normalise(getattr(meta, k, None) or "").split()) for f, k in PAGE_FIELDS.items()}, cut

def fingerprint_file(path: Path) -> str:
    """Cache key of one file: its SHA-256, streamed; if unreadable, its status-change time (fixing it changes it)."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return f"unreadable:{os.stat(path).st_ctime_ns}" if os.path.exists(path) else "unreadable"

RECORD_COLUMNS = ["file", "bytes", "encoding", "language", "sha256", "reason", "note", "title", "words", *PAGE_FIELDS,
                  "text", "minhash"]   # a partition's records

def ingest_file(path: Path, rel: str, limits: Limits, rules: dict) -> dict:
    """One file read, decoded, cleaned and split; any failure skips it with its reason (``note``: warnings)."""
    rec = {**dict.fromkeys(RECORD_COLUMNS, ""), "file": rel, "bytes": 0, "words": 0, "minhash": None, "removed": [],
           "sentences": []}
    try:
        return _ingest(path, rec, limits, rules)
    except Exception as exc:   # noqa: BLE001 - one odd file must never abort the run: it is skipped, with the error
        if isinstance(exc, OSError) and exc.filename:
            return {**rec, "reason": f"unreadable: {exc.strerror or exc} (check the file's permissions)"}
        return {**rec, "reason": f"could not be processed: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"}

def _ingest(path: Path, rec: dict, limits: Limits, rules: dict) -> dict:
    rec["bytes"], notes = path.stat().st_size, []
    if rec["bytes"] > limits.max_bytes:
        return {**rec, "reason": f"too large: {rec['bytes']:,} bytes over the limit of {limits.max_bytes:,} (raise "
                                 f"it with --max-bytes N, the notebook parameter max_bytes, or split the file)"}
    raw = path.read_bytes()
    rec["sha256"] = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        return {**rec, "reason": "empty file"}
    if kind := next((k for m, k in MAGIC.items() if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(m)), None):
        return {**rec, "reason": f"unsupported file type: {kind} content, not text (convert it to plain text)"}
    head = raw[:4096]   # mostly-ASCII UTF-16 saved without a byte order mark: a NUL every other byte
    for bom, enc, zeros, chars in ((BOMS[0], "le", head[1::2], head[::2]), (BOMS[1], "be", head[::2], head[1::2])):
        if len(head) >= 8 and not raw.startswith(BOMS) and zeros.count(0) > 0.9 * len(zeros) and \
                chars.count(0) < 0.05 * len(chars):
            raw = bom + raw   # an odd byte count fails to decode later: "undecodable"
            notes.append(f"no byte order mark: read as utf-16-{enc}")
    if binary(raw):
        return {**rec, "reason": "not text: binary content"}
    if nuls := (0 if raw.startswith(BOMS) else raw.count(0)):
        raw = raw.replace(b"\x00", b"")
        notes.append(f"{nuls} stray NUL byte(s) removed")
    decoded, rec["encoding"] = decode(raw)
    if decoded is None:
        return {**rec, "reason": "undecodable: not UTF-8 and no encoding detected (save the file as UTF-8)"}
    if rec["encoding"] not in ("utf-8", "utf-8-sig", "utf-16"):
        notes.append(f"not UTF-8: decoded as {rec['encoding']} (check accented letters and quotes)")
    if invisible := len(_DROP.findall(decoded.removeprefix("\ufeff"))):
        notes.append(f"{invisible} invisible or control character(s) removed (zero-width, bidirectional, control)")
    decoded, rec["note"], cut = normalise(decoded), "; ".join(notes), []
    if not decoded.strip():
        return {**rec, "reason": "empty file"}
    if html := path.suffix.lower() in HTML_SUFFIXES:   # a saved web page: trafilatura removes its boilerplate
        decoded, meta, cut = page(decoded)
        rec.update(meta)
    title, body, removed = clean(decoded, rules, title=rec["page_title"] if html else None)
    clean_text, removed = f"{title}\n\n{body}" if title else body, cut + removed
    pieces = text.SPLIT_RE.split(clean_text)   # text between words, a word, ...: word k at[2k] to at[2k + 1]
    if (n_words := len(tokens := pieces[1::2])) < limits.min_words:
        return {**rec, "removed": removed, "reason": "empty after cleaning: no words left once page chrome was removed"}
    sample = body or title
    rec["language"], latin = text.language(sample), latin_share(sample)
    if rec["language"] != "en":
        hint = f" ({latin:.0%} of its letters are Latin script; save an English part as a file of its own to " \
               "analyse it)" if latin >= 0.05 else ""
        return {**rec, "reason": f"not English: detected language '{rec['language']}' on the whole text{hint}"}
    if latin < 0.95:
        notes.append(f"mixed script: {1 - latin:.0%} of letters are not Latin script")
    offset = len(title) + 2 if title else 0
    spans = ([("title", 0, len(title))] if title else []) + [
        ("body", offset + a, offset + b) for a, b in text.sentence_spans(body)]
    breaks = [m.start() for m in re.finditer("\n", clean_text)]  # paragraph = line of the clean text
    at = list(itertools.accumulate(map(len, pieces)))
    starts, ends = at[::2], at[1::2]   # a sentence's words: those of the text within it, unless one crosses its edge

    def words(a, b):
        i, j = bisect.bisect_left(starts, a), bisect.bisect_right(ends, b)
        return text.count_words(clean_text[a:b]) if i and ends[i - 1] > a or starts[j] < b else j - i
    sig, toks = _minhash().copy(), [w.lower() for w in tokens]   # 5-word shingles' signature
    sig.update_batch([s.encode("utf-8") for s in {" ".join(toks[i:i + 5]) for i in range(max(1, len(toks) - 4))}])
    return {**rec, "note": "; ".join(notes), "title": title, "text": clean_text, "removed": removed, "words": n_words,
            "minhash": sig.hashvalues.astype(np.uint64).tolist(),
            "sentences": [{"file": rec["file"], "index": i, "part": part, "text": clean_text[a:b], "start": a, "end": b,
                           "words": words(a, b), "paragraph": bisect.bisect(breaks, a)}
                          for i, (part, a, b) in enumerate(spans)]}

def latin_share(s: str) -> float:
    """Share of the letters of ``s`` in Latin script (1.0 without letters); ASCII letters are counted as bytes.

    >>> latin_share("Straße дом"), latin_share("42")
    (0.6666666666666666, 1.0)
    """
    rest = "".join(_BEYOND_ASCII.findall(s))
    ascii_letters = len(s.encode("utf-8", "surrogatepass").translate(None, _NOT_ASCII_LETTER))
    letters = ascii_letters + len(_NOT_LETTER.sub("", rest))
    return (ascii_letters + len(rest) - len(_LATIN.sub("", rest))) / letters if letters else 1.0

@functools.lru_cache(maxsize=1)
def _minhash():
    """An empty MinHash signature: copied, not made, for each file (making one draws its permutations)."""
    from datasketch import MinHash
    return MinHash(num_perm=NUM_PERM, seed=1)

@text.without_gc
def ingest_partition(items: list[tuple[str, str]], limits: Limits, rules_path: str | None, cache: Path, key) -> dict:
    """Ingest one partition of (relative path, absolute path) and write its Parquet files; cached by ``key``."""
    out = {name: cache / f"{key}.{name}.parquet" for name in ("records", "texts", "sentences", "removed")}
    if not all(p.exists() for p in out.values()):
        recs = [ingest_file(Path(p), rel, limits, load_rules(rules_path)) for rel, p in items]
        sentences = [s for r in recs for s in r["sentences"]]
        kept = [r for r in recs if not r["reason"]]   # texts and sentences as the dataset keeps them (``dataset``)
        frames = {"records": pd.DataFrame(recs, columns=[c for c in RECORD_COLUMNS if c != "text"]),
                  "texts": pd.DataFrame({c: pd.Series([r[c] for r in kept], dtype=str) for c in ("file", "text")}),
                  "sentences": pd.DataFrame(sentences, columns=SENTENCE_COLUMNS) if sentences else empty_sentences(),
                  "removed": pd.DataFrame([{"file": r["file"], **x} for r in recs for x in r["removed"]],
                                          columns=["file", "line", "rule", "text"])}
        for name, df in frames.items():
            with tables.replacing(out[name]) as tmp:
                df.to_parquet(tmp, index=False)
    return {k: str(v) for k, v in out.items()}

def discover(root: Path) -> tuple[list[tuple[str, Path]], list[dict]]:
    """Article files under ``root`` (sorted) and what was skipped on sight (unreadable folders, links out...), why."""
    files, skipped, errors, real_root = [], [], [], root.resolve()
    for folder, dirs, names in os.walk(root, onerror=errors.append):   # sorted at the end
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            p = Path(folder, name)
            rel, link = p.relative_to(root).as_posix(), p.is_symlink()
            shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # differs if not valid UTF-8
            if shown != rel:
                reason = "file name is not valid UTF-8 (rename the file)"
            elif any(part.startswith(".") for part in rel.split("/")):
                reason = "hidden file"
            elif name.startswith("~$") or name.endswith(("~", ".tmp", ".swp")):
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
            elif p.suffix.lower() not in {".txt"} | HTML_SUFFIXES:
                reason = f"unsupported file type '{p.suffix or '(none)'}': only .txt, .html and .htm are read"
            else:
                files.append((rel, p))
                continue
            skipped.append({"input": "file", "file": shown, "status": "skipped", "reason": reason})
    skipped += [{"input": "file", "file": Path(e.filename).relative_to(root).as_posix() + "/", "status": "skipped",
                 "reason": f"unreadable folder: {e.strerror or e} (its files were not read; check its permissions)"}
                for e in errors]
    return sorted(files), sorted(skipped, key=lambda r: r["file"])
