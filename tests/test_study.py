"""The study file: validated on load, and a study on another story speaks only of that story."""
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.lexicon import LexiconError, load_lexicon

PROTEST = Path(__file__).parent / "fixtures" / "protest"
# words of the seed story: none may reach a page or finding of another study
SEED_WORDS = ["Iraq", "Iraqi", "Baghdad", "militia", "Soleimani", "Pentagon", "Hezbollah", "PMF", "Sudani", "Iran",
              "occupation", "Kataib"]


def test_study_settings_and_lead_pair():
    study = load_lexicon(PROTEST / "study.yaml")
    assert [p.name for p in study.pairs] == ["protesters_vs_rioters", "crackdown_vs_policing", "demonstration_vs_riot"]
    assert study.study["title"] == "The Riverton fare protests" and study.study["stop_words"] == ["riverton"]
    assert study.study["coverage"] is None and study.study["compare_by"] == "source"
    empty = load_lexicon()                     # a corpus without study.yaml: no words of any story
    assert empty.families == {"proper_names": {}} and empty.pairs == () and empty.targets == {}


@pytest.mark.parametrize("body, problem", [
    ("famillies: {}\n", "unknown key(s) ['famillies']"),
    ("title: [a, b]\n", "'title' must be a str"),
    ("families: {a: {variants: {x: [foo], y: [bar]}}}\npairs: [{name: p, family: a, a: x, b: y}]\nlead: q\n",
     "'lead: q' is not a pair (pairs: p)"),
    ("compare_by: outlet\n", "'compare_by' must be source or group"),
])
def test_bad_study_files_name_the_file_the_key_and_the_fix(tmp_path, body, problem):
    path = tmp_path / "study.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_lexicon(path)
    assert str(path) in str(err.value) and problem in str(err.value)


def _visible_text(path: Path) -> str:
    """What a reader sees of a page or a notebook: embedded images (base64) left out."""
    return re.sub(r"data:[\w/+.-]+;base64,[\w+/=]+|\"image/png\": \"[\w+/=\\n]+\"", "", path.read_text("utf-8"))


@pytest.mark.slow
def test_a_study_on_another_story_speaks_only_of_it(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "analysis", "run", "--corpus", str(PROTEST), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    pages = [out / "findings.md", *sorted((out / "rendered").glob("*.html")), *sorted((out / "rendered").glob("*.ipynb"))]
    for page in pages:
        found = [w for w in SEED_WORDS if re.search(rf"\b{w}\b", _visible_text(page))]
        assert not found, f"{page.name} speaks of the seed story: {found}"
    findings = (out / "findings.md").read_text("utf-8")
    assert "*The Riverton fare protests.*" in findings and "8 articles from 3 sources" in findings
    for a, b in (("protesters", "rioters"), ("crackdown", "policing"), ("demonstration", "riot")):
        assert f"**{a} or {b}?**" in findings          # every pair reported, not only the first two
    assert findings.index("protesters or rioters") < findings.index("crackdown or policing")   # the lead first
    assert (out / "figures" / "lead_protesters_vs_rioters.png").exists()
    assert "lead_protesters_vs_rioters.png" in (out / "rendered" / "index.html").read_text("utf-8")
    shares = pd.read_csv(out / "tables" / "pair_shares.csv")
    own = shares[(shares["level"] == "outlet") & (shares["voices"] == "own")].set_index(["outlet", "pair"])
    assert own.loc[("Metro Voice", "protesters_vs_rioters"), "share_a"] == 0      # calls them rioters only
    assert set(shares.loc[shares["level"] == "group", "outlet"]) == {"agency", "broadsheet", "tabloid"}
    kwic = pd.read_csv(out / "tables" / "kwic.csv").set_index(["file", "match"])
    assert kwic.loc[("wire_1.txt", "crackdown"), "voice"] == "reported"   # Open Streets said the police crackdown…
    assert kwic.loc[("herald_1.txt", "protesters"), "group"] == "broadsheet"
    assert pd.read_csv(out / "tables" / "candidate_names.csv").empty      # "Fare Protest Committee" is listed
    distinctive = pd.read_csv(out / "tables" / "distinctive_terms.csv")
    assert not distinctive["term"].isin(["the", "riverton", "of"]).any()      # stop words, the study's own too
