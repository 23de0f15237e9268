"""Shared fixtures: the seed corpus ingested once, and a folder of bad inputs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import dataset, paths

ENGLISH = ("The committee met in Baghdad on Monday to discuss the future of foreign forces in the country. "
           "Officials said the talks would continue next week, and that no decision had been taken yet. ")


def _same(articles):
    return articles


def build_corpus(root, out, **kwargs) -> dataset.Dataset:
    """``dataset.build`` of ``root`` into ``out``, with ``texts``: the articles and their text, for tests."""
    ds = dataset.build(root, out, **kwargs)
    ds.texts = ds.map_articles(_same)
    return ds


@pytest.fixture(scope="session")
def seeds(tmp_path_factory):
    """The five seed articles, ingested into a throwaway output folder."""
    return build_corpus(paths.SEEDS, tmp_path_factory.mktemp("out"))


def make_bad_corpus(root: Path) -> Path:
    """A corpus folder with one file (or manifest row) of each kind of bad input the ingest must report."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.txt").write_text("Good headline\n\n" + ENGLISH * 3, encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_text("  \n\n \t\n", encoding="utf-8")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (root / "latin1.txt").write_bytes(("Caf\u00e9 news\n\n" + ENGLISH * 2 + "The caf\u00e9 owner said \u00ab no \u00bb.").encode("latin-1"))
    shutil.copyfile(root / "good.txt", root / "good_copy.txt")
    (root / "near_copy.txt").write_text("Good headline\n\n" + ENGLISH * 3 + "Reporting by a news agency.", encoding="utf-8")
    (root / "arabic.txt").write_text("عنوان الخبر\n\n" + "قالت الحكومة العراقية إن المحادثات مع الولايات المتحدة ستستمر الأسبوع المقبل في بغداد. " * 5,
                                     encoding="utf-8")
    (root / "not_in_manifest.txt").write_text("Another headline\n\nA different story entirely, about the weather in Basra and the "
                                              "river levels that rose after heavy rain this week.", encoding="utf-8")
    (root / "notes.docx").write_bytes(b"PK\x03\x04 not really a document")
    (root / "manifest.csv").write_text(
        "file,outlet,published\n"
        "good.txt,Outlet A,2024-01-05\n"
        "latin1.txt,Outlet B,sometime\n"
        "good_copy.txt,Outlet C,2024-01-06\n"
        "near_copy.txt,Outlet C,2024-01\n"
        "arabic.txt,Outlet D,2024\n"
        "missing.txt,Outlet E,2024-02-01\n"
        "../outside.txt,Outlet F,2024-02-01\n"
        "good.txt,Outlet A,2024-01-05\n",
        encoding="utf-8")
    return root


@pytest.fixture()
def bad_corpus(tmp_path):
    return make_bad_corpus(tmp_path / "corpus")
