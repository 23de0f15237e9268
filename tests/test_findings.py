"""Tests for analysis.findings: every number in the overview comes from the tables."""
import re

import pandas as pd
import pytest

from analysis import findings, tables


@pytest.fixture()
def out(tmp_path):
    t = tmp_path / "tables"
    prof = pd.DataFrame({
        "outlet": ["Alpha", "Beta", "unknown (x)"], "articles": [2, 1, 1], "words": [812, 402, 377],
        "near_duplicates": [0, 0, 1],
        "resistance_vs_militia_a_count": [7, 0, 0], "resistance_vs_militia_b_count": [0, 3, 0],
        "resistance_vs_militia_share_a": [1.0, 0.0, None], "pair_voices": "own",
        "vader_score": [-0.4123, 0.1377, -0.05], "vader_score_masked": [-0.2211, 0.1402, -0.01],
    })
    tables.save(prof, "outlet_profiles", t)
    tables.save(pd.DataFrame({"level": "outlet", "outlet": ["Alpha"], "pair": "resistance_vs_militia"}),
                "pair_shares", t)
    tables.save(pd.DataFrame({"group": ["Alpha"] * 4 + ["Beta"] * 4, "term": list("abcdefgh"),
                              "rank": [1, 2, 3, 4] * 2, "z": 1.0}), "distinctive_terms", t)
    tables.save(pd.DataFrame({"a": ["f1", "Alpha", "Alpha", "Beta"], "b": ["f2", "Beta", "unknown (x)", "unknown (x)"],
                              "level": ["article", "outlet", "outlet", "outlet"],
                              "cosine": [0.95, 0.4321, 0.61, 0.2899], "near_duplicate": [True, False, False, False]}),
                "similarity", t)
    cov = pd.DataFrame({"file": ["f1", "f1", "f3", "f4", "f3", "f1", "f3"],
                        "outlet": ["Alpha", "Alpha", "Beta", "unknown (x)", "Beta", "Alpha", "Beta"],
                        "kind": ["events", "events", "events", "events", "events", "numbers", "numbers"],
                        "item": ["vote", "invasion", "vote", "vote", "invasion", "2,500 troops", "2,500 troops"],
                        "mentions": [2, 0, 1, 1, 0, 1, 1]})
    tables.save(cov, "coverage", t)
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "distinctive_terms.png").write_bytes(b"")
    return tmp_path


def test_numbers_in_text_come_from_tables(out):
    md = findings.render(out / "tables")
    text = re.sub(r"\]\([^)]*\)", "]", md)  # drop link targets
    assert "4 articles from 3 sources (1,591 words)" in text  # 2+1+1, 3 rows, 812+402+377
    assert "Alpha (7 uses)" in text and "Beta (3 uses)" in text and "neither: unknown (x)" in text
    assert "In their own voice" in text
    assert "Alpha: “a”, “b”, “c”; Beta: “e”, “f”, “g”" in text and "“d”" not in text
    assert "Alpha and unknown (x) (0.61)" in text and "Beta and unknown (x) (0.29)" in text
    assert "1 article pair is flagged" in text
    assert "at most 2 articles each" in text and "not how the sources cover the story in general" in text
    assert "Of 2 listed events" in text and "(3 of 3 sources) is vote" in text and "1 is mentioned by no source (invasion)" in text
    assert "“2,500 troops” (2)" in text
    assert "VADER from -0.41 (Alpha, 2 articles) to 0.14 (Beta, 1 article), -0.22 and 0.14 with the contested terms " \
           "masked" in text
    allowed = {"4", "3", "1,591", "7", "1", "0.61", "0.29", "2", "2,500", "-0.41", "0.14", "-0.22", "-1"}
    numbers = set(re.findall(r"-?\d[\d,]*(?:\.\d+)?", re.sub(r"\(x\)|“[^”]*”", "", text)))
    assert numbers <= allowed, numbers - allowed


def test_links_are_relative_and_only_to_existing_files(out):
    md = findings.render(out / "tables")
    links = re.findall(r"\]\(([^)]+)\)", md)
    assert links and all(not l.startswith("/") for l in links)
    assert all((out / l).exists() for l in links)
    assert "figures/distinctive_terms.png" in links and "figures/similarity_heatmap.png" not in links
    rendered = re.findall(r"\]\(([^)]+)\)", findings.render(out / "tables", link_prefix="../"))
    assert rendered == [f"../{l}" for l in links]  # for the page shown from OUT/rendered/


def test_write_puts_findings_next_to_tables(out):
    path = findings.write(out)
    assert path == out / "findings.md" and path.read_text("utf-8") == findings.render(out / "tables")


def test_missing_tables_say_so(tmp_path):
    assert "No tables found" in findings.render(tmp_path / "tables")


def test_embed_replaces_only_the_marked_section(tmp_path):
    from analysis import findings

    (tmp_path / "findings.md").write_text("## Findings\n\nNew text.\n", encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("# T\n\n<!-- findings:start -->\nold\n<!-- findings:end -->\n\n## Rest\n", encoding="utf-8")
    assert findings.embed(readme, tmp_path)
    assert readme.read_text() == "# T\n\n<!-- findings:start -->\n## Findings\n\nNew text.\n<!-- findings:end -->\n\n## Rest\n"
    assert not findings.embed(readme, tmp_path)  # unchanged the second time


def test_readme_findings_are_those_of_the_committed_tables():
    """The README's findings section is generated from tables/ of the repo's last run, not typed."""
    from analysis import findings, paths

    readme = (paths.REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(findings.README_START, 1)[1].split(findings.README_END, 1)[0]
    assert findings.render(paths.REPO / "tables").strip() in section


def test_names_from_the_data_stay_on_one_line(out):
    """An outlet name with line breaks (e.g. from a table corpus) adds no list item or heading to the Markdown."""
    prof = pd.read_csv(out / "tables" / "outlet_profiles.csv", keep_default_na=False)
    prof["outlet"] = prof["outlet"].replace("Alpha", "Alpha\n- injected item\n\n# Injected heading")
    tables.save(prof, "outlet_profiles", out / "tables")
    md = findings.render(out / "tables")
    assert "Alpha - injected item \\# Injected heading (7 uses)" in md
    assert not re.search(r"^\s*(- injected|#+ Injected)", md, re.MULTILINE)
    assert findings.md_escape("a\r\nb\tc\u2028d") == "a b c d"


def _profiles(n_outlets: int, articles) -> pd.DataFrame:
    a, b = [(7 * i) % 23 for i in range(n_outlets)], [(5 * i) % 11 for i in range(n_outlets)]
    return pd.DataFrame({"outlet": [f"Outlet {i:03d}" for i in range(n_outlets)], "articles": articles,
                         "words": 600, "resistance_vs_militia_a_count": a, "resistance_vs_militia_b_count": b,
                         "pair_voices": "own", "vader_score": 0.1234, "vader_score_masked": -0.0456})


def test_many_sources_are_named_up_to_a_bound(tmp_path):
    """At 500 outlets each list names at most ``NAMED`` sources, those with most uses, and says how many more; the
    manifest groups' shares come from the group rows in the profiles' voices, each group once."""
    t = tmp_path / "tables"
    prof = _profiles(500, 20)
    prof.loc[0, ["resistance_vs_militia_a_count", "resistance_vs_militia_b_count"]] = [1581, 344]
    tables.save(prof, "outlet_profiles", t)
    groups = pd.DataFrame({"level": "group", "outlet": ["G1", "G2", "G1", "G2"], "pair": "resistance_vs_militia",
                           "a_variant": "resistance", "b_variant": "militia", "voices": ["own", "own", "all", "all"],
                           "share_a": [0.8213, 0.5, 0.1, 0.1], "ci_low": [0.8036, 0.4, 0, 0],
                           "ci_high": [0.8378, 0.6, 1, 1]})
    tables.save(groups, "pair_shares", t)
    tables.save(pd.DataFrame({"level": ["outlet", "group", "group"], "outlet": ["Outlet 000", "G1", "G2"],
                              "engine": "vader", "score": [0.5, -0.1049, 0.2], "score_low": [0.4, -0.1071, None],
                              "score_high": [0.6, -0.0992, None]}), "sentiment_outlets", t)
    tables.save(pd.DataFrame({"group": prof["outlet"].repeat(3), "term": "w", "rank": [1, 2, 3] * 500, "z": 1.0}),
                "distinctive_terms", t)
    md = findings.render(t)
    pair = next(line for line in md.splitlines() if line.startswith("- **resistance or militia?**"))
    a, b = prof["resistance_vs_militia_a_count"], prof["resistance_vs_militia_b_count"]
    both = prof[(a > 0) & (b > 0)]
    top = both.assign(n=a + b).sort_values("n", ascending=False, kind="stable").head(findings.NAMED)
    assert f"both: {len(both):,} sources, most uses first: Outlet 000 (1,581 and 344), " in pair
    assert all(o in pair for o in top["outlet"]) and f"and {len(both) - findings.NAMED:,} more;" in pair
    assert sum(f"Outlet {i:03d} (" in pair for i in range(500)) <= 3 * findings.NAMED
    assert "by manifest group, the share that is “resistance” (95% interval): G1 0.82 (0.80-0.84) and G2 0.50 " \
           "(0.40-0.60) (" in pair and pair.count("G1") == 1
    assert "; by manifest group (mean over articles, 95% Student-t interval): VADER G1 -0.10 (-0.11 to -0.10) and " \
           "G2 0.20. Lexicon" in md
    assert "VADER from 0.12 (Outlet 000, 20 articles) to 0.12 (Outlet 000, 20 articles)" in md
    assert f"; {500 - findings.NAMED} more sources in the table" in md
    assert len(md) < 5_000


def test_one_source_reads_as_one(tmp_path):
    """One source: no comparison is claimed, its tone is its mean (not a range), counts have thousands separators."""
    t = tmp_path / "tables"
    prof = _profiles(1, 10_000)
    prof.loc[0, ["resistance_vs_militia_a_count", "resistance_vs_militia_b_count"]] = [10808, 2451]
    tables.save(prof, "outlet_profiles", t)
    tables.save(pd.DataFrame({"level": ["outlet"], "outlet": "Outlet 000", "pair": "resistance_vs_militia",
                              "voices": "own"}), "pair_shares", t)
    md = findings.render(t)
    assert "10,000 articles from 1 source (600 words)" in md
    assert "With one source (10,000 articles), they describe these texts" in md
    assert "nothing below compares sources" in md and "statistical test" not in md
    assert "both: Outlet 000 (10,808 and 2,451)" in md
    assert "**Tone.** Mean sentence score (-1 to 1) of Outlet 000: VADER 0.12, -0.05 with the contested terms " \
           "masked" in md


def test_group_differences_never_read_p_zero():
    tests = pd.DataFrame({"measure": "share", "group_a": "A", "group_b": "B", "mean_a": 0.6, "mean_b": 0.7,
                          "articles_a": [1341, 20], "articles_b": [914, 30], "auc": 0.46,
                          "p_value": [0.00004, 0.02], "p_holm": [0.00008, 0.04]})
    note = findings.groups_note(tests)
    assert "(articles 1,341 and 914; AUC 0.46; p < 0.001, < 0.001 after Holm's adjustment for 2 tests)" in note
    assert "p = 0.020, 0.040 after" in note and "0.000" not in note


def test_describe_counts_with_thousands_separators():
    arts = pd.DataFrame({"file": [f"f{i}" for i in range(1203)], "source": ["A"] * 1200 + ["B"] * 3, "words": 10})
    assert findings.describe(arts) == "1,203 articles (12,030 words) from 2 sources, 3 to 1,200 articles per source."


def test_readme_stays_a_front_page():
    """The README, with its generated findings, stays within the 15,000 characters of a front page."""
    from analysis import paths

    assert len((paths.REPO / "README.md").read_text(encoding="utf-8")) <= 15_000
