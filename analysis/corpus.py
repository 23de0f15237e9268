"""Ingestion: a folder of article files plus an optional manifest become a clean, tidy corpus.

Every input file and every manifest row ends up either analysed or in the ingest
report with a reason. The work per file is a pure function (``ingest_file``), run
over partitions of files by ``engine.map_partitions`` and cached as Parquet keyed
by the partition's content, so a re-run with unchanged inputs recomputes nothing.

>>> corpus = load_corpus("seeds", cache_dir="/tmp/cache")       # doctest: +SKIP
>>> corpus.articles[["file", "outlet", "words"]]                  # doctest: +SKIP
"""
from __future__ import annotations

import bisect
import csv
import functools
import hashlib
import io
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import engine, paths, text

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["file", "outlet", "url", "published", "date_precision", "country", "group", "notes"]
ARTICLE_COLUMNS = ["file", "outlet", "source", "title", "published", "date_precision", "country", "group", "url",
                   "words", "sentences", "language", "encoding", "status", "duplicate_of"]
REPORT_COLUMNS = ["input", "file", "status", "reason", "note", "outlet", "bytes", "encoding", "language", "sha256"]
CACHE_VERSION = "1"


def code_version() -> str:
    """Hash of the code that shapes ingested partitions: a change to it invalidates the cache."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    for name in ("corpus.py", "text.py"):
        h.update((paths.PACKAGE / name).read_bytes())
    return h.hexdigest()[:16]
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


@dataclass
class Corpus:
    """The ingested corpus: small tables in memory (``meta``: articles without text, ``report``, ``removed``);
    sentences and article texts as Parquet partitions (``parts``, ``article_parts``)."""

    meta: pd.DataFrame
    report: pd.DataFrame
    removed: pd.DataFrame
    parts: list[Path] = field(default_factory=list)
    scheduler: str | None = None
    article_parts: list[Path] = field(default_factory=list)
    part_of: pd.Series | None = field(default=None, repr=False)   # per ``meta`` row: categorical of article_parts
    _articles: pd.DataFrame | None = field(default=None, repr=False)
    _index: dict | None = field(default=None, repr=False)

    @property
    def articles(self) -> pd.DataFrame:
        """``meta`` plus the ``text`` column, read from the Parquet partitions on first use.

        Fine for thousands of articles; at hundreds of thousands use ``meta`` (no text),
        ``map_articles`` or ``map`` instead, which never hold every text at once.
        """
        if self._articles is None:
            texts = self.texts()
            self._articles = self.meta.assign(text=self.meta["file"].map(dict(zip(texts["file"], texts["text"])))
                                              .fillna("").astype(str))
        return self._articles

    @articles.setter
    def articles(self, value: pd.DataFrame) -> None:
        self._articles = value

    def texts(self) -> pd.DataFrame:
        """``file``, ``text`` of every analysed article (all in memory: small corpora only)."""
        frames = [_read_texts(p, self._rows(i)) for i, p in enumerate(self.article_parts)]
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"file": pd.Series(dtype=str),
                                                                               "text": pd.Series(dtype=str)})

    def _rows(self, i: int) -> pd.DataFrame:
        """The rows of ``meta`` ingested in article partition ``i`` (``article_parts[i]``)."""
        if self.part_of is None:
            return self.meta
        if self._index is None:
            codes = self.part_of.cat.codes.to_numpy()
            self._index = pd.Series(np.arange(len(codes))).groupby(codes).indices
        return self.meta.iloc[self._index.get(i, np.array([], dtype=int))]

    @property
    def sentences(self) -> pd.DataFrame:
        """All sentences in one frame (fine for thousands of articles; use ``map`` beyond)."""
        frames = [pd.read_parquet(p) for p in self.parts]
        return pd.concat(frames, ignore_index=True) if frames else _empty_sentences()

    def map(self, func, desc: str = "sentences", then=None, with_articles: bool = False, **kwargs) -> pd.DataFrame:
        """Concatenate ``func(sentences_partition, **kwargs)`` over the partitions (pandas or Dask).

        ``then`` (optional) is applied to each partition's result where it was computed, before the
        results come back: e.g. a per-article aggregate, so only small partial tables travel and
        stay in memory. ``with_articles=True`` also passes the partition's articles (``meta`` rows, no
        text) as ``articles=``, e.g. for ``terms.term_counts`` per partition. Functions must be
        module-level (or ``functools.partial`` of them) to pickle for Dask.
        """
        if with_articles:   # each task also gets its partition's articles (no text) as ``articles=``
            items = [(s, self._rows(i)[ARTICLE_COLUMNS]) for i, s in enumerate(self.parts)]
            step = functools.partial(_apply_with_articles, func=func, kwargs=kwargs, then=then)
            empty = {"articles": self.meta.head(0)[ARTICLE_COLUMNS]}
        else:
            items, empty = self.parts, {}
            step = functools.partial(_apply, func=func, kwargs=kwargs, then=then)
        results = engine.map_partitions(step, items, scheduler=self.scheduler, desc=desc)
        return _concat(results, lambda: _then(func(_empty_sentences(), **empty, **kwargs), then))

    def map_articles(self, func, desc: str = "articles", then=None, **kwargs) -> pd.DataFrame:
        """Like ``map`` over article partitions: ``func(articles_partition, **kwargs)``, where a partition
        holds the ``articles`` columns (with ``text``) of the articles ingested together."""
        items = [(p, self._rows(i)[ARTICLE_COLUMNS]) for i, p in enumerate(self.article_parts)]
        step = functools.partial(_apply_articles, func=func, kwargs=kwargs, then=then)
        results = engine.map_partitions(step, items, scheduler=self.scheduler, desc=desc)
        empty = self.meta.head(0)[ARTICLE_COLUMNS].assign(text=pd.Series(dtype=str))
        return _concat(results, lambda: _then(func(empty, **kwargs), then))


def _then(df, then):
    return then(df) if then is not None else df


def _concat(results, empty):
    results = [r for r in results if len(r)]
    return pd.concat(results, ignore_index=True) if results else empty()


def _apply(part: Path, func, kwargs, then=None):
    return _then(func(pd.read_parquet(part), **kwargs), then)


def _apply_with_articles(item, func, kwargs, then=None):
    part, articles = item
    return _then(func(pd.read_parquet(part), articles=articles.reset_index(drop=True), **kwargs), then)


def _read_texts(path: Path, meta: pd.DataFrame) -> pd.DataFrame:
    """``file``, ``text`` of the rows of ``meta`` from one records partition, in ``meta``'s order."""
    t = pd.read_parquet(path, columns=["file", "text"])
    return meta[["file"]].merge(t, on="file", how="left").fillna({"text": ""})


def _apply_articles(item, func, kwargs, then=None):
    path, meta = item
    arts = meta.reset_index(drop=True).assign(text=_read_texts(path, meta)["text"].to_numpy())
    return _then(func(arts, **kwargs), then)


def _empty_sentences() -> pd.DataFrame:
    return pd.DataFrame({"file": pd.Series(dtype=str), "index": pd.Series(dtype="int64"),
                         "part": pd.Series(dtype=str), "text": pd.Series(dtype=str),
                         "start": pd.Series(dtype="int64"), "end": pd.Series(dtype="int64"),
                         "words": pd.Series(dtype="int64"), "paragraph": pd.Series(dtype="int64")})


class CorpusError(ValueError):
    """A problem with the corpus as a whole (missing folder, unreadable manifest); says how to fix it."""


# --------------------------------------------------------------------------- rules

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


# --------------------------------------------------------------------------- one file

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
    kept, removed, seen = [], [], set()
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
              "sentences": pd.DataFrame(sentences) if sentences else _empty_sentences(),
              "removed": pd.DataFrame(removed, columns=["file", "line", "rule", "text"])}
    for name, df in frames.items():
        tmp = out[name].with_suffix(".tmp")
        df.to_parquet(tmp, index=False)
        tmp.replace(out[name])
    return {k: str(v) for k, v in out.items()}


# --------------------------------------------------------------------------- the folder

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
        elif rel == MANIFEST:
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


class CorpusWarning(UserWarning):
    """Something in the corpus was read but deserves a look (e.g. a manifest that is not UTF-8)."""


def _manifest_path(value: str) -> str:
    """A manifest ``file`` value as a corpus-relative POSIX path: backslashes and ``./`` normalised."""
    value = value.replace("\\", "/")
    return Path(value).as_posix() if value else value


def read_manifest(root: Path) -> tuple[pd.DataFrame, list[dict]]:
    """The manifest's usable rows (one per file) and report rows: one for the manifest itself (input
    ``manifest``, status ``read``, its warnings in ``note``) and one per row that is not usable.

    Tolerated, with a ``CorpusWarning`` (also in the report): a BOM, another encoding than UTF-8
    (Windows-1252 is detected), a semicolon, tab or bar as separator, extra columns (ignored). Refused,
    with an error naming the manifest and the fix: no 'file' or 'outlet' column, rows that do not
    parse, an empty file.
    """
    import warnings

    path = root / MANIFEST
    if not path.exists():
        return pd.DataFrame(columns=MANIFEST_COLUMNS), []
    raw = path.read_bytes()
    decoded, encoding = decode(raw)
    if decoded is None:
        raise CorpusError(f"{path}: cannot decode the manifest; save it as UTF-8")
    notes = []

    def warn(message):
        notes.append(message)
        warnings.warn(f"{path}: {message}", CorpusWarning, stacklevel=3)

    if encoding not in ("utf-8", "utf-8-sig"):
        warn(f"not UTF-8, read as {encoding}; check outlet names (save it as UTF-8 to be sure)")
    decoded = normalise(decoded)
    if not decoded.strip():
        raise CorpusError(f"{path}: the manifest is empty; give a header row (file,outlet,...) and one row per file, "
                          f"or delete it")
    try:
        try:
            sep = csv.Sniffer().sniff(decoded.split("\n", 1)[0], delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
        df = pd.read_csv(io.StringIO(decoded), sep=sep, dtype=str, keep_default_na=False)
    except (csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorpusError(f"{path}: not a readable CSV ({exc}); one header row, then one row per file") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = {"file", "outlet"} - set(df.columns)
    if missing:
        raise CorpusError(f"{path}: missing column(s) {sorted(missing)}; the manifest needs at least 'file' and 'outlet'"
                          f" (found: {', '.join(df.columns)})")
    extra = [c for c in df.columns if c not in MANIFEST_COLUMNS]
    if extra:
        warn(f"extra column(s) ignored: {', '.join(extra)}")
    df = df[[c for c in MANIFEST_COLUMNS if c in df.columns]].copy().reindex(columns=MANIFEST_COLUMNS, fill_value="")
    df = df.apply(lambda col: col.str.strip())
    df["file"] = df["file"].map(_manifest_path)
    problems, keep, seen = [], [], set()
    real_root = os.path.realpath(root)
    for i, (file, outlet) in enumerate(zip(df["file"].tolist(), df["outlet"].tolist())):
        where = f"manifest row {i + 2}"
        bad = None
        if not file:
            bad = "manifest row with no file name"
        elif os.path.isabs(file) or os.path.commonpath([real_root, os.path.realpath(root / file)]) != real_root:
            bad = "manifest path outside the corpus folder"
        elif file == MANIFEST:
            bad = "manifest row naming the manifest itself"
        elif file in seen:
            bad = "duplicate manifest row (the first row for this file is used)"
        elif not os.path.isfile(root / file):
            bad = "manifest row without a file"
        if bad:
            problems.append({"input": "manifest row", "file": file or where, "status": "skipped",
                             "reason": bad, "note": where, "outlet": outlet})
        else:
            keep.append(i)
            seen.add(file)
    good = df.loc[keep].copy()
    good["outlet"] = good["outlet"].replace("", "unknown")
    itself = {"input": "manifest", "file": MANIFEST, "status": "read", "reason": "", "outlet": "",
              "note": "; ".join(notes + [f"{len(good)} of {len(df)} rows used"]), "bytes": len(raw),
              "encoding": encoding, "sha256": hashlib.sha256(raw).hexdigest()}
    return good.reset_index(drop=True), [itself] + problems


def check_date(value: str) -> tuple[str, str]:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or '' with a note saying why it was dropped."""
    if not value or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) and not pd.isna(
            pd.to_datetime(value + "-01" * (2 - value.count("-")), errors="coerce", format="%Y-%m-%d")):
        return value, ""
    return "", f"published '{value}' is not an ISO date (YYYY-MM-DD); left empty"


def _near_duplicates(files, sigs: np.ndarray, threshold: float) -> dict[str, str]:
    """file -> the earlier file it nearly copies, by MinHash LSH banding then signature agreement.

    ``files`` sorted, ``sigs`` one MinHash signature per file (rows). Bands are bucketed with a
    vectorised group-by, so memory is the signature matrix, not a dict entry per (file, band).
    Within a bucket, members are taken in file order and each is compared only with the bucket's
    *representatives*: the members not near any earlier representative (the first member is one).
    A member over the threshold with a representative is a near copy of it, so it is never compared
    again; the work per bucket is members x representatives, i.e. linear when the bucket holds
    copies of a few originals (a real corpus's wire stories), not members squared. Files are then
    decided in order: a file copies the earliest candidate (not itself a copy) whose signatures
    agree on at least ``threshold`` of the permutations.
    """
    files = list(files)
    rows = NUM_PERM // BANDS
    need = int(np.ceil(threshold * NUM_PERM - 1e-9))   # agreeing permutations for a near duplicate
    similar: dict[int, set[int]] = {}                   # later -> earlier files over the threshold
    for b in range(BANDS):
        band = pd.DataFrame(sigs[:, b * rows:(b + 1) * rows])
        group = band.groupby(list(band.columns), sort=False).ngroup().to_numpy()
        shared = np.flatnonzero(np.bincount(group)[group] > 1)
        if not len(shared):
            continue
        order = shared[np.lexsort((shared, group[shared]))]
        for members in np.split(order, np.flatnonzero(np.diff(group[order])) + 1):
            reps = [int(members[0])]
            for m in members[1:]:
                m = int(m)
                hit = np.flatnonzero((sigs[reps] == sigs[m]).sum(axis=1) >= need)
                if len(hit):
                    similar.setdefault(m, set()).update(reps[h] for h in hit)
                else:
                    reps.append(m)
    dup: dict[int, int] = {}
    for later in sorted(similar):
        first = next((f for f in sorted(similar[later]) if f not in dup), None)
        if first is not None:
            dup[later] = first
    return {files[later]: files[first] for later, first in dup.items()}


def _signatures(outputs: list[dict], files) -> tuple[list[str], np.ndarray]:
    """(sorted files, signature matrix) for ``files``, read partition by partition (file and minhash only)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = set(files)
    names, blocks = [], []
    for o in outputs:
        tbl = pq.read_table(o["records"], columns=["file", "minhash"])
        keep = np.array([f in wanted for f in tbl.column("file").to_pylist()], dtype=bool)
        if not keep.any():
            continue
        tbl = tbl.filter(keep)
        names += tbl.column("file").to_pylist()
        block = pc.list_flatten(tbl.column("minhash").combine_chunks()).to_numpy(zero_copy_only=False)
        block = block.reshape(len(tbl), NUM_PERM)
        # datasketch hash values are 32-bit: narrowed per partition, so 64-bit copies never pile up
        blocks.append(block.astype(np.uint32) if block.max() < 2 ** 32 else block.astype(np.uint64))
    if not names:
        return [], np.zeros((0, NUM_PERM), dtype=np.uint64)
    sigs = np.concatenate(blocks)
    order = np.argsort(np.array(names, dtype=object), kind="stable")
    return [names[i] for i in order], sigs[order]


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def load_corpus(corpus_dir=None, cache_dir=None, limits: Limits | None = None, chrome_rules=None,
                scheduler: str | None = None) -> Corpus:
    """Ingest ``corpus_dir`` (default: the seeds) or load it from the cache; see the module docstring.

    Memory is bounded by ``limits.partition_size``: files are ingested a partition at a time (in
    process, or on Dask with ``scheduler="local"`` / ``"tcp://HOST:PORT"``), each partition written
    as Parquet; the corpus-level steps then read only the small columns they need.
    """
    root = paths.corpus_dir(corpus_dir)
    if not root.is_dir():
        raise CorpusError(f"corpus folder not found: {root}; pass a folder of .txt/.html files")
    limits = limits or Limits()
    cache = Path(cache_dir) if cache_dir else paths.outputs(None).cache
    cache = cache / "ingest"
    cache.mkdir(parents=True, exist_ok=True)
    files, skipped = discover(root)
    manifest, manifest_rows = read_manifest(root)
    rules_path = str(chrome_rules) if chrome_rules else None
    rules_hash = hashlib.sha256(Path(rules_path or paths.CHROME_RULES).read_bytes()
                                + (paths.DATA / "abbreviations.txt").read_bytes()).hexdigest()
    load_rules(rules_path)  # fail early on a bad rules file
    parts, version = [], code_version()
    for i in range(0, len(files), limits.partition_size):
        chunk = files[i:i + limits.partition_size]
        fingerprint = [(rel, fingerprint_file(p)) for rel, p in chunk]   # streamed (issue 8)
        parts.append(([rel for rel, _ in chunk], _key(version, fingerprint, limits, rules_hash)))
    del files   # tasks carry relative paths only: a small task graph, even for 500,000 files
    outputs = engine.map_partitions(
        functools.partial(_ingest_part, root=str(root), limits=limits, rules_path=rules_path, cache=cache), parts,
        scheduler=scheduler, desc="ingest")
    records = _read_records(outputs)
    return _assemble(root, records, outputs, skipped, manifest, manifest_rows, limits, cache, scheduler)


RECORD_COLUMNS = ["file", "bytes", "encoding", "language", "sha256", "reason", "note", "title", "words"]


def _read_records(outputs: list[dict]) -> pd.DataFrame:
    """Every partition's records without ``text`` and ``minhash`` (the big columns), plus ``_part``."""
    frames = [pd.read_parquet(o["records"], columns=RECORD_COLUMNS).assign(_part=i) for i, o in enumerate(outputs)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in RECORD_COLUMNS}).assign(
            bytes=pd.Series(dtype="int64"), words=pd.Series(dtype="int64"), _part=pd.Series(dtype="int64"))
    return pd.concat(frames, ignore_index=True)


def _ingest_part(part, root, limits, rules_path, cache):
    rels, key = part
    return ingest_partition([(rel, os.path.join(root, rel)) for rel in rels], limits, rules_path, cache, key)


def _final_sentences(o: dict, keep: set) -> tuple[Path, dict]:
    """The sentences partition holding only the analysed articles of this partition (cached), and
    sentence counts per file. Named by the kept files too, so a change elsewhere (a new exact
    duplicate in another partition) never reuses a stale one."""
    src = Path(o["sentences"])
    files = pd.read_parquet(src, columns=["file"])["file"]
    files = files[files.isin(keep)]
    counts = files.value_counts().to_dict()
    tag = _key(sorted(counts))[:12]
    final = src.with_name(src.name.replace(".sentences.", f".final-{tag}."))
    if not final.exists():
        s = pd.read_parquet(src)
        s = s[s["file"].isin(keep)].reset_index(drop=True)
        tmp = final.with_suffix(".tmp")
        s.to_parquet(tmp, index=False)
        tmp.replace(final)
    return final, counts


def _select_partition(item) -> tuple[Path, dict, pd.DataFrame]:
    """(final sentences path, sentence counts per file, removed chrome lines) of one partition's kept files."""
    o, keep = item
    keep = set(keep)
    final, counts = _final_sentences(o, keep)
    removed = pd.read_parquet(o["removed"])
    return final, counts, removed[removed["file"].isin(keep)]


def _assemble(root, records, outputs, skipped, manifest, manifest_rows, limits, cache, scheduler) -> Corpus:
    """Corpus-level steps: duplicates, manifest join, report, final sentence partitions.

    Reads only small columns (``records`` has no text; signatures are read as one matrix); sentences
    and texts stay in the per-partition Parquet files.
    """
    records = records.sort_values("file").reset_index(drop=True)
    ok = records["reason"] == ""
    first_by_hash = records[ok].drop_duplicates("sha256").set_index("sha256")["file"]
    exact = ok & records["sha256"].map(first_by_hash).ne(records["file"])
    records.loc[exact, "reason"] = "duplicate: same bytes as " + records.loc[exact, "sha256"].map(first_by_hash)
    ok = records["reason"] == ""
    near = _near_duplicates(*_signatures(outputs, records.loc[ok, "file"]), limits.near_duplicate) if ok.any() else {}
    meta = manifest.set_index("file")
    in_manifest = records["file"].isin(meta.index)
    records["note"] = ["; ".join(n for n in (str(old or ""), new) if n)   # keep ingest_file's notes (issue 8)
                       for old, new in zip(records["note"], np.where(in_manifest, "", "not in the manifest: outlet 'unknown'"))]

    arts = records[ok].copy()
    arts = arts.join(meta, on="file")
    for col in MANIFEST_COLUMNS[1:]:
        arts[col] = arts[col].fillna("")
    arts["outlet"] = arts["outlet"].replace("", "unknown")
    checked = {v: check_date(v) for v in arts["published"].unique()}
    dates = arts["published"].map(checked)
    arts["published"] = [d for d, _ in dates]
    date_by_file = {f: n for f, (_, n) in zip(arts["file"], dates) if n}
    arts["source"] = np.where(arts["outlet"].eq("unknown"), "unknown (" + arts["file"].str.replace(r"\.[^.]+$", "", regex=True) + ")",
                              arts["outlet"])
    arts["duplicate_of"] = arts["file"].map(lambda f: near.get(f, ""))
    arts["status"] = np.where(arts["duplicate_of"].eq(""), "analysed", "near_duplicate")

    # Final sentence partitions (and removed chrome) hold only analysed articles: one task per
    # partition, on the engine, each given only its own partition's files.
    keep_by_part = arts.groupby("_part")["file"].agg(list).to_dict()
    selected = engine.map_partitions(_select_partition, [(o, keep_by_part.get(i, [])) for i, o in enumerate(outputs)],
                                     scheduler=scheduler, desc="select")
    parts, counts, removed = [], {}, []
    for final, c, r in selected:
        counts.update(c)
        parts.append(final)
        removed.append(r)
    arts["sentences"] = arts["file"].map(counts).fillna(0).astype("int64")
    arts = arts.sort_values("file").reset_index(drop=True)
    part_of = pd.Categorical.from_codes(arts["_part"].to_numpy(), [str(o["records"]) for o in outputs])
    part_of = pd.Series(part_of, index=arts.index)
    articles = arts[ARTICLE_COLUMNS]

    report = records.drop(columns="_part").assign(input="file", status=np.where(ok, "analysed", "skipped"))
    near_note = report["file"].map(lambda f: f"near duplicate of {near[f]}" if f in near else "")
    date_note = report["file"].map(lambda f: date_by_file.get(f, ""))
    report["note"] = [("; ".join(n for n in parts if n)) for parts in zip(near_note, report["note"], date_note)]
    outlets = meta["outlet"].to_dict()
    report["outlet"] = report["file"].map(lambda f: outlets.get(f, "unknown"))
    report = pd.concat([report, pd.DataFrame(skipped), pd.DataFrame(manifest_rows)], ignore_index=True)
    report = report.reindex(columns=REPORT_COLUMNS)
    report["bytes"] = pd.to_numeric(report["bytes"], errors="coerce").astype("Int64")
    text_cols = [c for c in REPORT_COLUMNS if c != "bytes"]
    report[text_cols] = report[text_cols].astype(object).where(report[text_cols].notna(), "").astype(str)
    report = report.sort_values(["input", "file"]).reset_index(drop=True)
    removed = [r for r in removed if len(r)]
    removed = pd.concat(removed, ignore_index=True) if removed else pd.DataFrame(columns=["file", "line", "rule", "text"])
    removed = removed.sort_values(["file", "line"]).reset_index(drop=True)
    article_parts = [Path(o["records"]) for o in outputs]
    return Corpus(meta=articles, report=report, removed=removed, parts=parts, scheduler=scheduler,
                  article_parts=article_parts, part_of=part_of)


def published_tables(corpus: Corpus) -> dict[str, pd.DataFrame]:
    """The ingest tables as published: articles (without text), sentences, ingest_report, removed_chrome."""
    return {
        "articles": corpus.meta,
        "sentences": corpus.sentences[["file", "index", "part", "paragraph", "start", "end", "words", "text"]],
        "ingest_report": corpus.report,
        "removed_chrome": corpus.removed,
    }
