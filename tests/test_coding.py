import pandas as pd
import pytest

from analysis import coding, tables, terms
from test_terms import LEX, make_articles, make_sentences

# seven counted uses: family f, 4 in X and 2 in Y; family g, 1 in X (left uncoded)
USES = pd.DataFrame({
    "file": ["a.txt"] * 4 + ["b.txt"] * 2 + ["a.txt"], "sentence": [0, 0, 1, 2, 0, 3, 1],
    "start": [4, 20, 31, 60, 0, 90, 31], "outlet": ["X"] * 4 + ["Y"] * 2 + ["X"], "group": "",
    "family": ["f"] * 6 + ["g"], "variant": "v", "voice": "own", "left": "l", "match": "m", "right": "r"})
CODED = ["correct", "correct", "name", "correct", "not_a_use", "reported_speech"]   # the six f uses, in sheet order


def filled(codes=CODED):
    s = coding.sheet(USES)
    s.loc[s["family"] == "f", "code"] = codes
    return s


def test_ids_are_file_sentence_offset_family_and_the_sheet_is_sorted():
    s = coding.sheet(USES)
    assert s.columns.tolist() == coding.COLUMNS and (s[["code", "note"]] == "").all().all()
    assert s["id"].tolist() == ["a.txt:0:4:f", "a.txt:0:20:f", "a.txt:1:31:f", "a.txt:2:60:f", "b.txt:0:0:f",
                                "b.txt:3:90:f", "a.txt:1:31:g"]   # family, outlet, file, offset


def test_precision_of_a_six_row_coded_sheet_by_hand(tmp_path):
    path = tmp_path / "coded.csv"
    filled().to_csv(path, index=False)
    p = coding.precision(path, USES).set_index(["family", "outlet"])
    assert p.loc[("f", "X"), ["uses", "coded", "correct", "name"]].tolist() == [4, 4, 3, 1]
    assert p.loc[("f", "Y"), ["coded", "correct", "not_a_use", "reported_speech"]].tolist() == [2, 0, 1, 1]
    # Wilson (1927), z = 1.96: 3 of 4 -> (0.75 + 0.4802 -+ 0.6409) / 1.9604; 0 of 2 -> [0, 2 * 0.9604 / 2.9208]
    assert p.loc[("f", "X"), ["precision", "ci_low", "ci_high"]].tolist() == pytest.approx([0.75, 0.3006, 0.9544],
                                                                                           abs=1e-4)
    assert p.loc[("f", "Y"), ["precision", "ci_low", "ci_high"]].tolist() == pytest.approx([0, 0, 0.6576], abs=1e-4)
    assert p.loc[("g", "X"), ["uses", "coded"]].tolist() == [1, 0] and p.loc[("g", "X")].isna()["precision"]


@pytest.mark.parametrize("edit, problem", [
    (lambda s: s.assign(code=s["code"].where(s.index != 2, "yes")), "row 3: code 'yes' is not one of correct"),
    (lambda s: s.assign(id=s["id"].where(s.index != 4, "a.txt:9:999:f")), "row 5: id 'a.txt:9:999:f' is not a use"),
    (lambda s: pd.concat([s, s.iloc[[0]]]), "row 8: id 'a.txt:0:4:f' is there twice"),
    (lambda s: s.drop(columns="code"), "no column code")])
def test_bad_codes_stale_and_repeated_ids_are_refused_naming_the_row(edit, problem):
    with pytest.raises(ValueError, match=problem):
        coding.precision(edit(filled()), USES)


def test_the_sample_is_seeded_stable_and_per_family_and_outlet():
    docs = {f"{i}.txt": "The militia and the militias. Militiamen, militia groups and a militia." for i in range(6)}
    arts = make_articles(docs, sources={f: "AB"[int(f[0]) % 2] for f in docs})
    uses = terms.kwic_partition(make_sentences(docs), LEX, 3, arts)
    sample = coding.sheet(uses, n=4, seed=0)
    assert sample.equals(coding.sheet(uses, n=4, seed=0)) and not sample.equals(coding.sheet(uses, n=4, seed=1))
    assert (sample.groupby(["family", "outlet"]).size() == 4).all() and set(sample["outlet"]) == {"A", "B"}
    assert set(sample["id"]) < set(coding.ids(uses)) and len(coding.sheet(uses, n=10 ** 6)) == len(uses)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="sample size"):
            coding.sheet(uses, n=bad)
    with pytest.raises(ValueError, match="terms.kwic lines; they have no column outlet"):
        coding.sheet(uses.drop(columns="outlet"))


def test_apply_drops_non_uses_and_moves_names_and_reported_speech():
    fixed = coding.apply(filled(), USES).set_index(["file", "sentence", "start", "family"])
    assert len(fixed) == 6                                            # the not_a_use (b.txt:0:0) is gone
    assert ("b.txt", 0, 0, "f") not in fixed.index
    assert fixed.loc[("a.txt", 1, 31, "proper_names"), "voice"] == "own"   # the name left family f
    assert fixed.loc[("b.txt", 3, 90, "f"), "voice"] == "reported"
    assert (fixed.xs("f", level="family")["voice"] == "own").sum() == 3    # the three correct uses stay as counted
    assert fixed.loc[("a.txt", 1, 31, "g"), "voice"] == "own"            # uncoded: as counted


def test_a_sheet_of_the_scanned_uses_takes_its_lines_from_the_csv_and_is_the_same(tmp_path):
    docs = {f"{i}.txt": "=The militia and the militias. Militiamen, militia groups -- and a militia." for i in range(6)}
    arts = make_articles(docs, sources={f: "AB"[int(f[0]) % 2] for f in docs}, groups={"1.txt": "g"})
    parts = [terms.kwic_partition(make_sentences({f: t}), LEX, 3, arts) for f, t in docs.items()]
    uses = pd.concat(parts, ignore_index=True)
    hits, _, _ = terms.scan(iter(parts), list(LEX.families), tmp_path / "kwic.csv", 5)
    for n in (None, 2):
        want = tables.write_csv(coding.sheet(uses, n), tmp_path / "want.csv").read_text("utf-8")
        assert n or want.count("'=The") and want.count("'-- and a")   # formulas made inert, not twice
        got = coding.sheet(hits, n, lines=tmp_path / "kwic.csv")
        assert tables.write_csv(got, tmp_path / "got.csv").read_text("utf-8") == want
    coded = coding.sheet(uses).assign(code=lambda s: [coding.CODES[i % 4] for i in range(len(s))])
    assert coding.precision(coded, hits).astype({"family": str, "outlet": str}).equals(coding.precision(coded, uses))
    fixed = coding.apply(coded, hits)
    assert fixed.astype(str).equals(coding.apply(coded, uses)[hits.columns].astype(str)) and len(fixed) < len(uses)
