"""A generator of bad, odd and hostile inputs, each with the outcome the ingest must give it.

``CASES`` lists every case: what it is, the files (or manifest rows) it creates, and what must
happen to each: ``analysed``, ``analysed, noted`` (a warning in the report's ``note``), ``skipped``
(with a reason in ``reason``), or ``error`` (the run stops with a message naming the file and the fix).
``make_suite(root)`` writes every case that shares one corpus folder into ``root``; cases that
need a folder of their own (a manifest variant, an error) have ``folder=True`` and are built by
``build_case(case, root)``. ``python tests/badinput.py`` writes ``docs/bad-input.md`` from ``CASES``.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ENGLISH = ("The committee met in Baghdad on Monday to discuss the future of foreign forces in the country. "
           "Officials said the talks would continue next week, and that no decision had been taken yet. ")
ARABIC = "قالت الحكومة العراقية إن المحادثات مع الولايات المتحدة ستستمر الأسبوع المقبل في بغداد. "
BIG_BYTES = 50 * 1024 * 1024
ONE_LINE_BYTES = 2 * 1024 * 1024
LONG_LINE_BYTES = 10 * 1024 * 1024
DOC = Path(__file__).resolve().parent.parent / "docs" / "bad-input.md"
MARKERS = ("<!-- bad-input:start -->", "<!-- bad-input:end -->")


WORDS = ("river port oil wheat election court school bridge hospital market farmers teachers drivers "
         "soldiers lawyers budget drought harvest power water fuel prices border museum stadium railway "
         "airport factory council police doctors students workers pilgrims bank ministry parliament").split()


def article(title: str, sentences: int = 3, extra: str = "") -> str:
    """A small English article: a title line, a blank line, a paragraph (``extra`` appended).

    Sentences are drawn from a word list seeded by the title, so two articles with different
    titles are not near duplicates of each other.
    """
    import random

    rng = random.Random(title)
    body = " ".join(f"The {rng.choice(WORDS)} and the {rng.choice(WORDS)} of {rng.choice(WORDS)} were "
                    f"discussed with {rng.choice(WORDS)} and {rng.choice(WORDS)} officials on day {rng.randint(1, 999)}."
                    for _ in range(sentences * 2))
    return f"{title}\n\n{body} {extra}".rstrip() + "\n"


@dataclass
class Expect:
    """What must happen to one input: ``input`` is ``file``, ``manifest`` or ``manifest row``; ``field`` holds ``text``."""

    file: str
    status: str                 # analysed / skipped / read (the manifest)
    field: str = ""             # reason / note / encoding ... ('' = nothing to check)
    text: str = ""
    input: str = "file"


@dataclass
class Case:
    id: str
    what: str
    outcome: str                                  # analysed / analysed, noted / skipped / error / warning
    detail: str                                   # for the doc: reason, note or message
    build: Callable[[Path], None]
    expect: list[Expect] = field(default_factory=list)
    manifest: list[str] = field(default_factory=list)   # rows for the shared manifest (file,outlet,published,extra)
    folder: bool = False                          # needs a corpus folder of its own
    slow: bool = False


def w(root: Path, rel: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return p


def _big(root: Path) -> None:
    """50 MB of English text, written in chunks (never held whole in memory)."""
    chunk = (article("Big file") + "\n").encode() * 1000
    with open(root / "huge.txt", "wb") as f:
        written = 0
        while written < BIG_BYTES:
            f.write(chunk)
            written += len(chunk)


def _one_line(root: Path) -> None:
    line = (ENGLISH * (ONE_LINE_BYTES // len(ENGLISH) + 1))[:ONE_LINE_BYTES]
    w(root, "one_line.txt", "One line only " + line.rstrip() + ".")


def _long_line(root: Path) -> None:
    s = "On Monday the convoy was delayed by officials near the border, residents said. "
    w(root, "long_line.txt", s * (LONG_LINE_BYTES // len(s)))


def _unreadable(root: Path) -> None:
    """A folder and a file nobody may read (``chmod 000``); tests run as root simulate the refusal."""
    w(root, "locked/inside.txt", article("Behind a locked door"))
    w(root, "unreadable.txt", article("Cannot be read"))
    os.chmod(root / "locked", 0)
    os.chmod(root / "unreadable.txt", 0)


def _page(root: Path) -> None:
    body = "".join(f"<p>Paragraph {i} of the report says the ministers met again on {d} to discuss the budget.</p>"
                   for i, d in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday"]))
    w(root, "page.html", '<html><head><title>Budget talks resume</title><meta property="og:site_name" '
      'content="The Daily Example"><meta name="author" content="Jane Roe"><meta property="article:published_time" '
      'content="2024-03-05T10:00:00Z"></head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>'
      f'<article><h1>Budget talks resume</h1>{body}</article><footer>Most read: a different story entirely'
      '</footer></body></html>')


def _all_skipped(root: Path) -> None:
    w(root, "empty.txt", b"")
    w(root, "binary.txt", bytes(range(256)) * 8)
    w(root, "arabic.txt", "عنوان الخبر\n\n" + ARABIC * 5)


def _symlinks(root: Path) -> None:
    w(root, "link_target.txt", article("Linked article", extra="It is reachable under two names."))
    os.symlink("link_target.txt", root / "link_to_target.txt")
    (root / "folder_inside").mkdir()
    w(root, "folder_inside/in_folder.txt", article("In a folder"))
    os.symlink("folder_inside", root / "link_folder_inside")
    outside = root.parent / f"{root.name}_outside"
    w(outside, "secret.txt", article("Outside article"))
    os.symlink(outside / "secret.txt", root / "link_outside.txt")
    os.symlink("no_such_target.txt", root / "link_broken.txt")
    os.symlink(outside, root / "link_folder")
    os.symlink("link_loop.txt", root / "link_loop.txt")


def _bad_name(root: Path) -> None:
    name = os.fsencode(str(root)) + b"/bad_name_\xff.txt"
    with open(name, "wb") as f:
        f.write(article("Odd name").encode())


def _manifest_folder(manifest: bytes) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        w(root, "a.txt", article("Outlet test"))
        w(root, "manifest.csv", manifest)
    return build


FORMULAS = ("=cmd|' /C calc'!A0", '+HYPERLINK("http://example.com/x","click here")', "@SUM(1+1)*cmd|' /C calc'!A0")
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj << /Length 60 >>\nstream\n"
       b"BT /F1 12 Tf (The committee met in Baghdad on Monday to discuss the talks.) Tj ET\nendstream\nendobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")
RTF = (b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}}\\f0 The committee met in Baghdad on Monday to discuss the "
       b"talks.\\par }")


def quoted(field: str) -> str:
    """``field`` as one CSV field (quoted, quotes doubled)."""
    return '"' + field.replace('"', '""') + '"'


def _formulas(root: Path) -> None:
    for i, formula in enumerate(FORMULAS, 1):
        title = "@SUM(1+1) in a headline" if i == 3 else f"Formula outlet {i}"
        w(root, f"formula_{i}.txt", article(title, extra=f"Story {i} about the {WORDS[i]} and the {WORDS[-i]}."))


def _precision(root: Path) -> None:
    w(root, "a.txt", article("Precision banana", extra="A story about the bridge."))
    w(root, "b.txt", article("Precision month", extra="A story about the harbour."))
    w(root, "manifest.csv", "file,outlet,published,date_precision\na.txt,Outlet P,2024-03-05,banana\n"
                            "b.txt,Outlet P,2024-03,approx_month\n")


CASES: list[Case] = [
    Case("empty", "empty file (0 bytes)", "skipped", "empty file",
         lambda r: w(r, "empty.txt", b""), [Expect("empty.txt", "skipped", "reason", "empty file")]),
    Case("whitespace", "whitespace-only file (spaces, tabs, blank lines)", "skipped", "empty file",
         lambda r: w(r, "blank.txt", "  \n\n \t\n\r\n"), [Expect("blank.txt", "skipped", "reason", "empty file")]),
    Case("invisible_only", "only zero-width and no-break spaces", "skipped", "empty file",
         lambda r: w(r, "invisible.txt", "\u200b\u00a0\u200d\n\ufeff"),
         [Expect("invisible.txt", "skipped", "reason", "empty file")]),
    Case("binary", "binary data (PNG header and every byte value) saved as .txt", "skipped", "not text: binary content",
         lambda r: w(r, "binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
         [Expect("binary.txt", "skipped", "reason", "not text")]),
    Case("nul_heavy", "text with NUL bytes every few characters (over 1%)", "skipped", "not text: binary content",
         lambda r: w(r, "nul_heavy.txt", article("Nulls").replace(" ", " \x00")),
         [Expect("nul_heavy.txt", "skipped", "reason", "not text")]),
    Case("nul_stray", "a few stray NUL bytes in a text file (under 1%)", "analysed, noted", "3 stray NUL byte(s) removed",
         lambda r: w(r, "nul_stray.txt", article("Stray nulls", 6, extra="Mon\x00day, Tues\x00day and Wednes\x00day.")),
         [Expect("nul_stray.txt", "analysed", "note", "3 stray NUL byte(s) removed")]),
    Case("utf8_bom", "UTF-8 with a byte order mark", "analysed", "encoding utf-8-sig, BOM not in the text",
         lambda r: w(r, "utf8_bom.txt", b"\xef\xbb\xbf" + article("A BOM headline for this test").encode()),
         [Expect("utf8_bom.txt", "analysed", "encoding", "utf-8-sig")]),
    Case("utf16le", "UTF-16 little-endian with BOM", "analysed", "encoding utf-16",
         lambda r: w(r, "utf16le.txt", article("Sixteen bits little", extra=" Caf\u00e9 \u201cquoted\u201d.").encode("utf-16")),
         [Expect("utf16le.txt", "analysed", "encoding", "utf-16")]),
    Case("utf16be", "UTF-16 big-endian with BOM", "analysed", "encoding utf-16",
         lambda r: w(r, "utf16be.txt", b"\xfe\xff" + article("Sixteen bits big", extra=" Caf\u00e9 ok.").encode("utf-16-be")),
         [Expect("utf16be.txt", "analysed", "encoding", "utf-16")]),
    Case("utf16_nobom", "UTF-16 little-endian without a BOM", "analysed, noted", "no byte order mark: read as utf-16-le",
         lambda r: w(r, "utf16_nobom.txt", article("No mark at all in this file").encode("utf-16-le")),
         [Expect("utf16_nobom.txt", "analysed", "note", "no byte order mark: read as utf-16-le")]),
    Case("latin1", "Latin-1 (ISO-8859-1) with é « »", "analysed, noted", "not UTF-8: decoded as cp1252 (a superset of Latin-1)",
         lambda r: w(r, "latin1.txt", article("Caf\u00e9 news", extra="The caf\u00e9 owner said \u00ab no \u00bb."), "latin-1"),
         [Expect("latin1.txt", "analysed", "note", "not UTF-8: decoded as cp1252")]),
    Case("cp1252", "Windows-1252 with smart quotes (0x93/0x94), dashes and é", "analysed, noted",
         "decoded as cp1252; text has “ ” — é",
         lambda r: w(r, "cp1252.txt", article("Smart quotes", extra="He said \u201cno\u201d \u2014 the caf\u00e9 \u2018agreed\u2019."),
                     "cp1252"),
         [Expect("cp1252.txt", "analysed", "note", "not UTF-8: decoded as cp1252")]),
    Case("crlf", "Windows line endings (CRLF)", "analysed", "no carriage return left in text or sentences",
         lambda r: w(r, "crlf.txt", article("Windows lines in this file").replace("\n", "\r\n")),
         [Expect("crlf.txt", "analysed")]),
    Case("lone_cr", "old Mac line endings (lone CR)", "analysed", "CR read as a line break: title found",
         lambda r: w(r, "lone_cr.txt", article("Old Mac lines in this file").replace("\n", "\r")),
         [Expect("lone_cr.txt", "analysed")]),
    Case("zero_width", "zero-width spaces/joiners, no-break and narrow no-break spaces inside words and between them",
         "analysed, noted", "invisible characters removed, no-break spaces made plain",
         lambda r: w(r, "zero_width.txt", article("Zero\u00a0width", extra="The for\u200beign\u00a0forces\u202fleft. "
                                                                       "Iraq\u2060s talks\u200d went on.")),
         [Expect("zero_width.txt", "analysed", "note", "invisible or control character(s) removed")]),
    Case("bidi", "bidirectional override characters (U+202E) that reorder displayed text", "analysed, noted",
         "controls removed", lambda r: w(r, "bidi.txt", article("Bidi", extra="The \u202ecesrever\u202c word.")),
         [Expect("bidi.txt", "analysed", "note", "invisible or control character(s) removed")]),
    Case("arabic_mostly", "a mostly Arabic page with one English paragraph", "skipped",
         "not English: detected on the whole text; the reason gives the share of Latin-script letters",
         lambda r: w(r, "arabic_mostly.txt", "عنوان الخبر\n\n" + ARABIC * 12 + "\n" + ENGLISH + "\n" + ARABIC * 12),
         [Expect("arabic_mostly.txt", "skipped", "reason", "% of its letters are Latin script")]),
    Case("english_with_arabic", "an English article quoting one Arabic sentence", "analysed, noted",
         "mixed script: N% of letters are not Latin script",
         lambda r: w(r, "english_arabic.txt", article("Mixed script", 6, extra="\nThe banner read: " + ARABIC)),
         [Expect("english_arabic.txt", "analysed", "note", "mixed script")]),
    Case("huge", "a 50 MB file (default limit 20 MB)", "skipped",
         "too large: … bytes over the limit of 20,000,000 (raise it with --max-bytes N …); never read", _big,
         [Expect("huge.txt", "skipped", "reason", "bytes over the limit of 20,000,000 (raise it with --max-bytes N")]),
    Case("one_line", "2 MB of sentences on one line, no line break at all", "analysed",
         "thousands of sentences, in seconds", _one_line, [Expect("one_line.txt", "analysed")]),
    Case("long_line", "10 MB of sentences on one line", "analysed",
         "130,000 sentences in about 40 s: a line is cut into pieces of at most 10,000 characters (after a full "
         "stop where there is one) before Punkt, whose regular expressions have a time limit", _long_line,
         [Expect("long_line.txt", "analysed")], folder=True, slow=True),
    Case("any_failure", "a file whose processing fails in any way (e.g. a regular-expression time limit)", "skipped",
         "could not be processed: TimeoutError: … (the error, named; the run goes on)", lambda r: None, folder=True),
    Case("unreadable", "a folder and a file without read permission (chmod 000), a manifest row for a file in the "
         "folder", "skipped", "unreadable folder: Permission denied (its files were not read …) / unreadable: "
         "Permission denied / manifest row for a file in the unreadable folder locked/", _unreadable,
         [Expect("locked/", "skipped", "reason", "unreadable folder: Permission denied"),
          Expect("unreadable.txt", "skipped", "reason", "unreadable: Permission denied"),
          Expect("locked/inside.txt", "skipped", "reason", "manifest row for a file in the unreadable folder locked/",
                 "manifest row")],
         manifest=["locked/inside.txt,Outlet Locked,"]),
    Case("chrome_only", "a page that is only page chrome", "skipped", "empty after cleaning",
         lambda r: w(r, "chrome_only.txt", "Leave a Reply\nBack to top button\n"),
         [Expect("chrome_only.txt", "skipped", "reason", "empty after cleaning")]),
    Case("duplicate", "the same bytes under two names", "skipped", "duplicate: same bytes as dup_a.txt",
         lambda r: (w(r, "dup_a.txt", article("Twice saved")), w(r, "dup_b.txt", article("Twice saved"))),
         [Expect("dup_a.txt", "analysed"), Expect("dup_b.txt", "skipped", "reason", "duplicate: same bytes as dup_a.txt")]),
    Case("symlinks", "symbolic links: to a file inside, outside, broken, looping, to a folder", "skipped",
         "inside: duplicate of its target; outside / broken / folder: skipped with that reason", _symlinks,
         [Expect("link_target.txt", "analysed"),
          Expect("link_to_target.txt", "skipped", "reason", "duplicate: same bytes as link_target.txt"),
          Expect("link_outside.txt", "skipped", "reason", "symbolic link to a file or folder outside the corpus folder"),
          Expect("folder_inside/in_folder.txt", "analysed"),
          Expect("link_folder_inside", "skipped", "reason", "symbolic link to a folder (not followed"),
          Expect("link_broken.txt", "skipped", "reason", "broken symbolic link"),
          Expect("link_loop.txt", "skipped", "reason", "broken symbolic link"),
          Expect("link_folder", "skipped", "reason", "symbolic link to a file or folder outside")]),
    Case("hidden_temp", "hidden and temporary files (.DS_Store, .git/…, ~$x.txt, x.txt~, x.swp)", "skipped",
         "hidden file / temporary file",
         lambda r: (w(r, ".DS_Store", b"\x00\x00\x00\x01Bud1"), w(r, ".git/HEAD.txt", "ref"),
                    w(r, "~$draft.txt", b"\x05owner"), w(r, "draft.txt~", article("Backup")), w(r, "x.swp", b"b0VIM")),
         [Expect(".DS_Store", "skipped", "reason", "hidden file"), Expect(".git/HEAD.txt", "skipped", "reason", "hidden file"),
          Expect("~$draft.txt", "skipped", "reason", "temporary file"),
          Expect("draft.txt~", "skipped", "reason", "temporary file"), Expect("x.swp", "skipped", "reason", "temporary file")]),
    Case("unsupported", "other file types (.docx, .pdf, no extension)", "skipped", "unsupported file type",
         lambda r: (w(r, "notes.docx", b"PK\x03\x04"), w(r, "paper.pdf", b"%PDF-1.4"), w(r, "README", "read me")),
         [Expect("notes.docx", "skipped", "reason", "unsupported file type '.docx'"),
          Expect("paper.pdf", "skipped", "reason", "unsupported file type '.pdf'"),
          Expect("README", "skipped", "reason", "unsupported file type '(none)'")]),
    Case("bad_name", "a file name that is not valid UTF-8", "skipped", "file name is not valid UTF-8 (rename the file)",
         _bad_name, [Expect("bad_name_\ufffd.txt", "skipped", "reason", "file name is not valid UTF-8")]),
    Case("fifo", "a named pipe called .txt (reading it would block forever)", "skipped", "not a regular file",
         lambda r: os.mkfifo(r / "pipe.txt"), [Expect("pipe.txt", "skipped", "reason", "not a regular file")]),
    Case("subfolder", "articles in subfolders, named in the manifest as ./sub/x.txt and sub\\y.txt", "analysed",
         "paths normalised; outlets from the manifest",
         lambda r: (w(r, "sub/x.txt", article("Sub x", extra="Sub x story.")),
                    w(r, "sub/y.txt", article("Sub y", 2, extra="A different sub story about rivers."))),
         [Expect("sub/x.txt", "analysed", "outlet", "Outlet Sub"), Expect("sub/y.txt", "analysed", "outlet", "Outlet Sub")],
         manifest=["./sub/x.txt,Outlet Sub,2024-01-02", "sub\\y.txt,Outlet Sub,2024-01-03"]),
    Case("dotdot_row", "a manifest row naming sub/../m2.txt", "analysed", "resolved to m2.txt; its outlet applied",
         lambda r: w(r, "m2.txt", article("Dot dot", extra="A story about the harbour and its cranes.")),
         [Expect("m2.txt", "analysed", "outlet", "Outlet Dotdot")], manifest=["sub/../m2.txt,Outlet Dotdot,2024-01-04"]),
    Case("nfd_name", "a file named in decomposed Unicode (NFD: e + U+0301) and in composed form (NFC: é) in the "
         "manifest", "analysed", "names compared in one normal form (NFC); the outlet applied",
         lambda r: w(r, "cafe\u0301_nfd.txt", article("Decomposed name", extra="A story about a cafe in Mosul.")),
         [Expect("cafe\u0301_nfd.txt", "analysed", "outlet", "Outlet NFD")], manifest=["caf\u00e9_nfd.txt,Outlet NFD,"]),
    Case("page_metadata", "a saved web page (.html) without a manifest row", "analysed, noted",
         "title, outlet (site name), author and date from its markup, the manifest winning where both exist; the "
         "report's `metadata` says where each came from; every line the extractor cut is in removed_chrome.csv",
         _page, [Expect("page.html", "analysed", "metadata", "title: page; author: page; outlet: page; published: page"),
                 Expect("page.html", "analysed", "outlet", "The Daily Example")]),
    Case("not_in_manifest", "an article without a manifest row", "analysed, noted", "not in the manifest: outlet 'unknown'",
         lambda r: w(r, "orphan.txt", "Orphan story\n\nA different story entirely, about the weather in Basra and the "
                                      "river levels that rose after heavy rain this week."),
         [Expect("orphan.txt", "analysed", "note", "not in the manifest")]),
    Case("bad_dates", "manifest dates that are not ISO (\"sometime\", 2024-02-30, 05/01/2024)", "analysed, noted",
         "published left empty; note says why",
         lambda r: (w(r, "date1.txt", article("Date one", 2, extra="First dated story about oil.")),
                    w(r, "date2.txt", article("Date two", 2, extra="Second dated story about wheat prices.")),
                    w(r, "date3.txt", article("Date three", 2, extra="Third dated story about the elections."))),
         [Expect(f"date{i}.txt", "analysed", "note", "is not an ISO date") for i in (1, 2, 3)],
         manifest=["date1.txt,Outlet D,sometime", "date2.txt,Outlet D,2024-02-30", "date3.txt,Outlet D,05/01/2024"]),
    Case("manifest_rows", "manifest rows: duplicate, file missing, no file name, outside the folder (../, absolute), "
         "the manifest itself", "skipped", "listed as 'manifest row' with the reason",
         lambda r: w(r, "listed.txt", article("Listed twice", extra="Listed story about the port of Umm Qasr.")),
         [Expect("listed.txt", "analysed", "outlet", "Outlet L"),
          Expect("listed.txt", "skipped", "reason", "duplicate manifest row", "manifest row"),
          Expect("missing.txt", "skipped", "reason", "manifest row without a file", "manifest row"),
          Expect("manifest row ?*", "skipped", "reason", "manifest row with no file name", "manifest row"),
          Expect("../outside.txt", "skipped", "reason", "manifest path outside the corpus folder", "manifest row"),
          Expect("/etc/passwd", "skipped", "reason", "manifest path outside the corpus folder", "manifest row"),
          Expect("manifest.csv", "skipped", "reason", "manifest row naming the manifest itself", "manifest row")],
         manifest=["listed.txt,Outlet L,2024-01-05", ",Outlet Nobody,2024-01-05", "listed.txt,Outlet L2,2024-01-05",
                   "missing.txt,Outlet M,2024-02-01", "../outside.txt,Outlet F,2024-02-01", "/etc/passwd,Outlet F,",
                   "manifest.csv,Outlet F,"]),
    Case("newline_name", "an outlet name with line breaks in a quoted manifest field (`Outlet NL`, then `- injected` "
         "and `# Heading` on lines of their own)", "analysed",
         "outlet `Outlet NL - injected # Heading`: the manifest's text fields (outlet, url, country, group, notes…) "
         "are read on one line, runs of whitespace made one space; Markdown output (findings, notebooks) also puts "
         "each value from the data on one line",
         lambda r: w(r, "newline_name.txt", article("Line breaks in a name", extra="A story about the ferry crew.")),
         [Expect("newline_name.txt", "analysed", "outlet", "Outlet NL - injected # Heading")],
         manifest=["newline_name.txt," + quoted("Outlet NL\n- injected\n\n# Heading") + ",2024-01-07"]),
    Case("formulas", "outlet names and a title a spreadsheet would run as formulas (`=cmd|' /C calc'!A0`, "
         "`+HYPERLINK(…)`, `@SUM(…)`)", "analysed",
         "analysed under the names as given; every published CSV (tables, sentences, figure CSVs) writes a text cell "
         "that starts with = + - @ tab or CR, has two characters or more and is not a number after a `'` "
         "(`'=cmd…`); `-0.25`, `+1` and a lone `-` stay as they are; `ANALYSIS_KEEP_FORMULAS=1` writes them raw",
         _formulas, [Expect(f"formula_{i}.txt", "analysed", "outlet", f) for i, f in enumerate(FORMULAS, 1)],
         manifest=[f"formula_{i}.txt,{quoted(f)},2024-01-08" for i, f in enumerate(FORMULAS, 1)]),
    Case("pdf_rtf", "a PDF (uncompressed: its text is readable) and an RTF document saved as .txt", "skipped",
         "unsupported file type: PDF content, not text (convert it to plain text) / … RTF content …, recognised by "
         "their first bytes (`%PDF-`, `{\\rtf`)",
         lambda r: (w(r, "paper_pdf.txt", PDF), w(r, "letter_rtf.txt", RTF)),
         [Expect("paper_pdf.txt", "skipped", "reason", "unsupported file type: PDF content"),
          Expect("letter_rtf.txt", "skipped", "reason", "unsupported file type: RTF content")]),
    Case("date_precision", "a manifest `date_precision` that is not a precision (`banana`)", "analysed, noted",
         "date_precision 'banana' is unknown (day, month, quarter or year, e.g. approx_month); left empty "
         "(`day`, `month`, `quarter`, `year`, alone or after `approx_`, `before_`, `after_`, `not_before_`, "
         "`not_after_`, are read)", _precision,
         [Expect("a.txt", "analysed", "note", "date_precision 'banana' is unknown"), Expect("b.txt", "analysed")],
         folder=True),
    Case("manifest_bom_extra", "manifest with a BOM before the header and an extra column", "warning",
         "read; extra column ignored with a warning, also in the report's `manifest` row (shared manifest of the suite)",
         lambda r: None, [Expect("manifest.csv", "read", "note", "extra column(s) ignored: extra_column", "manifest")]),
    Case("manifest_semicolon", "semicolon-separated manifest", "analysed", "separator detected; outlets assigned",
         _manifest_folder("file;outlet;published\na.txt;Outlet Semi;2024-01-05\n".encode()),
         [Expect("a.txt", "analysed", "outlet", "Outlet Semi")], folder=True),
    Case("manifest_tab", "tab-separated manifest", "analysed", "separator detected; outlets assigned",
         _manifest_folder("file\toutlet\tpublished\na.txt\tOutlet Tab\t2024-01-05\n".encode()),
         [Expect("a.txt", "analysed", "outlet", "Outlet Tab")], folder=True),
    Case("manifest_cp1252", "manifest saved as Windows-1252 with é in an outlet name", "warning",
         "outlet read as 'Le Monde édition'; warning: not UTF-8 (printed and in the report's `manifest` row)",
         _manifest_folder("file,outlet\na.txt,Le Monde \u00e9dition\n".encode("cp1252")),
         [Expect("a.txt", "analysed", "outlet", "Le Monde \u00e9dition")], folder=True),
    Case("manifest_columns", "manifest without the required 'file' and 'outlet' columns", "error",
         "manifest.csv: missing column(s) ['file', 'outlet']; the manifest needs at least 'file' and 'outlet'",
         _manifest_folder(b"filename,source\na.txt,X\n"), folder=True),
    Case("manifest_random", "a manifest of random bytes", "error",
         "manifest.csv: not a text file (binary or undecodable); the manifest must be a CSV saved as UTF-8",
         _manifest_folder(__import__("random").Random(1).randbytes(8192)), folder=True),
    Case("all_skipped", "a corpus whose every file is skipped (empty, binary, not English)", "error",
         "the dataset and the ingest report are written; `python -m analysis run` publishes them and stops: "
         "`nothing to analyse: every input of … was skipped …; see why in OUT/tables/ingest_report.csv`; notebooks "
         "02-04 run directly stop with `no analysable articles … see …/ingest_report.csv`", _all_skipped, folder=True),
    Case("out_inside", "--out inside (or equal to) the corpus folder", "error",
         "the output folder … is inside the corpus folder …: choose --out outside it (before anything runs)",
         lambda r: w(r, "a.txt", article("Inside")), folder=True),
    Case("manifest_empty", "empty manifest file", "error", "manifest.csv: the manifest is empty; give a header row …",
         _manifest_folder(b""), folder=True),
    Case("manifest_ragged", "manifest row with more fields than the header", "error",
         "manifest.csv: not a readable CSV (… line 3 …)",
         _manifest_folder(b"file,outlet\na.txt,X\nb.txt,Y,extra,more\n"), folder=True),
    Case("lexicon_yaml", "lexicon file with a YAML syntax error (--lexicon)", "error",
         "bad.yaml: YAML syntax error, fix the file", lambda r: None, folder=True),
    Case("lexicon_empty_variant", "lexicon with an empty variant", "error",
         "lexicon.yaml: family 'x', variant 'a' has no entries", lambda r: None, folder=True),
    Case("params_type", "--partition-size abc; papermill partition_size='abc'", "error",
         "argument --partition-size: invalid int value: 'abc'; in the notebook: parameter 'partition_size' must be int, not str 'abc'",
         lambda r: None, folder=True),
    Case("params_unknown", "a parameter no notebook declares (partition_sise)", "error",
         "unknown parameter 'partition_sise' (did you mean 'partition_size'?), from the command line and in the "
         "notebook", lambda r: None, folder=True),
    Case("many_tiny", "20,000 tiny files", "analysed", "all analysed and accounted for (about 40 s to ingest; the test allows 180 s)",
         lambda r: None, folder=True, slow=True),
]

BY_ID = {c.id: c for c in CASES}
SHARED_MANIFEST_HEADER = "\ufefffile,outlet,published,extra_column"


def make_suite(root: Path) -> Path:
    """Every shared-folder case in ``root``, with one manifest (BOM in the header, an extra column)."""
    root.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        if not case.folder:
            case.build(root)
    rows = [SHARED_MANIFEST_HEADER, "utf8_bom.txt,Outlet A,2024-01-05,x", "cp1252.txt,Outlet B,2024-01-06,y"]
    rows += [r + "," for c in CASES if not c.folder for r in c.manifest]
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def build_case(case: Case, root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    case.build(root)
    return root


def make_tiny(root: Path, n: int = 20_000) -> Path:
    """``n`` tiny, distinct English articles in 20 subfolders."""
    for i in range(n):
        w(root, f"d{i % 20:02d}/t{i:05d}.txt", f"Story {i}\n\nReport number {i} says the talks on item {i} continue.")
    return root


def doc() -> str:
    """The bad-input document, from ``CASES``."""
    lines = ["# Bad input: cases tried and what each gets",
             "",
             "Generated by `python tests/badinput.py` from `tests/badinput.py` (`CASES`); "
             "`tests/test_bad_input.py` builds every case, checks the outcome below, and checks that "
             "every file on disk and every manifest row is accounted for in `ingest_report.csv` "
             "(inputs = analysed + skipped, no file lost). Outcomes: **analysed**; **analysed, noted** "
             "(a warning in the report's `note`); **skipped** (listed with a `reason`); **warning** (read, "
             "with a warning printed); **error** (the run stops with one message naming the file and the fix).",
             "",
             "| case | input | outcome | reason, note or message |",
             "|---|---|---|---|"]
    for c in CASES:
        what, cell = (t.replace("|", "\\|") for t in (c.what, c.detail))
        lines.append(f"| `{c.id}` | {what} | {c.outcome} | {cell} |")
    lines += ["",
              "Rules behind the less obvious outcomes:",
              "",
              "* **NUL bytes**: more than 1% of the first 64 KB (or more than 5% other control bytes) is binary; "
              "fewer NULs are stripped and noted (`ingest.MAX_NUL_SHARE`).",
              "* **Encodings**: UTF-8 (BOM or not), UTF-16 by BOM, UTF-16 without BOM by its NUL pattern; "
              "otherwise detected (charset-normalizer), and a Western single-byte guess is read as "
              "Windows-1252, so bytes 0x93/0x94 become “ ”. Anything not UTF-8 is noted.",
              "* **Invisible characters**: zero-width characters, soft hyphens, bidirectional controls and other "
              "control characters are removed (noted); no-break and other fixed-width spaces become spaces; "
              "CRLF, lone CR, form feed and Unicode line separators become line breaks.",
              "* **Language**: detected (py3langid) on the whole body. A page is analysed only if that is English; "
              "a mostly Arabic page with an English paragraph is skipped (`not English`, with the share of "
              "Latin-script letters, so the English part can be saved as its own file). An English article "
              "with some non-Latin text is analysed with a `mixed script` note.",
              "* **Size**: files over `max_bytes` (default 20,000,000; `--max-bytes N`) are skipped from their size "
              "alone, before any byte is read; cache keys hash files in 1 MB chunks.",
              "* **Links**: a link to a file inside the folder is read (and is a duplicate of its target); links "
              "outside, broken or looping links, and links to folders are skipped. Manifest paths outside the "
              "folder are refused.",
              "* **Manifest**: BOM, Windows-1252 and `;`/tab/`|` separators are accepted (a non-UTF-8 manifest "
              "and extra columns give a warning); a missing `file`/`outlet` column, an empty or binary manifest or "
              "a row that does not parse stop the run with the manifest's path and the fix. A row's path is "
              "resolved (`./`, `\\`, `sub/../`) and compared with the names on disk in one Unicode form (NFC).",
              "* **Failures**: a folder that cannot be listed is one skipped entry (its files unseen, its manifest "
              "rows say so); a file that cannot be read, or whose processing fails in any way, is skipped with the "
              "error; no single file stops the run. A corpus with nothing left to analyse still gets its dataset "
              "and ingest report.",
              "* **Content passed on**: the manifest's text fields are read on one line, and text from the data is "
              "put on one line in Markdown (no injected list items or headings); a CSV cell a spreadsheet would run "
              "as a formula is written after a `'` ([tables](tables.md)); a file whose first bytes are `%PDF-` or "
              "`{\\rtf` is skipped as an unsupported type whatever its name; an unknown `date_precision` is left "
              "empty with a note.",
              "* **Parameters**: `python -m analysis run` refuses unknown parameter names and values of the wrong "
              "type before any notebook runs. Notebook parameters are typed (`papermill --help-notebook "
              "notebooks/02_terminology.ipynb` lists them); a notebook run directly (papermill, JupyterLab) with "
              "a wrong type or an unknown parameter or term family stops in its first code cell with a message "
              "naming it.",
              "",
              "## Hostile text and interrupted runs",
              "",
              "| case | outcome | test |",
              "|---|---|---|",
              "| article titles, bodies, outlet names and a saved page carrying `<script>`, `<img onerror>`, `<svg onload>`, "
              "`javascript:` links, Markdown, LaTeX, `<style>`, a 70 KB line | the whole pipeline runs; in every rendered "
              "page Chromium fires no dialog and finds no script, handler or `javascript:` link from the articles; "
              "tables show the text escaped | `tests/test_hostile.py` |",
              "| a run killed (SIGKILL) while notebooks run | previous outputs byte-identical; the lock left behind is "
              "taken over by the next run, which succeeds | `tests/test_interrupt.py` |",
              "| a run killed while copying its outputs into place | the next run finishes the copy before starting "
              "| `tests/test_interrupt.py` |",
              "| a run that fails (bad manifest) | one-line error naming the notebook, the manifest and the fix; "
              "previous outputs unchanged | `tests/test_interrupt.py` |",
              "| two runs into one output folder | the second stops at once: `another run (process N) ... holds the "
              "lock OUT/.run.lock` | `tests/test_interrupt.py` |",
              ""]
    return "\n".join(lines)


def write_doc(path: Path = DOC) -> bool:
    """Write ``doc()`` between the bad-input markers of ``path`` (created if missing); True if it changed."""
    start, end = MARKERS
    old = path.read_text(encoding="utf-8") if path.exists() else f"{start}\n{end}\n"
    head, rest = old.split(start, 1)
    new = f"{head}{start}\n{doc().strip()}\n{end}{rest.split(end, 1)[1]}"
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old


if __name__ == "__main__":
    write_doc()
    print(f"wrote {DOC}")
