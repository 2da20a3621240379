"""Every face names a tie as a tie, shows the stated tie-break when it applied, and grades
every reason with a symbol and a word (issue 18, point 3 and 4)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from collab_advisor import (
    Approach,
    analyse,
    explain,
    recommend,
    recommend_frame,
    recommend_team,
    to_html,
    to_markdown,
)

TIED = {"aim": "share_know_how", "leadership": "professional"}
"""Community of Practice and Clinical Community level on 3 points, and on one defining
feature each: the stated tie-break leaves them tied."""
DECIDED = {"formality": "highly_structured", "time_span": "open_ended"}
"""Quality Improvement Collaborative and Managed Clinical Network level on 1 point; the
collaborative has a defining feature holding, the network none: the tie-break decides."""
GRADE = "●●● defining, guidance"


def test_text_names_both_tied_approaches_and_the_tie_break() -> None:
    """The text explanation says the two are tied, shows the stated tie-break leaving them
    level, grades each reason and never says one fits best."""
    text = " ".join(explain(recommend(TIED, engine="python")).split())
    assert ("Community of Practice and Clinical Community are tied for first place, with 3 "
            "points each") in text
    assert "Stated tie-break" in text and "It leaves them tied: the tie stands." in text
    assert f"grade: {GRADE}" in text
    assert "fits best" not in text
    assert "How they differ in the guidance." in text


def test_text_shows_the_tie_break_when_it_decides() -> None:
    """When the tie-break separates approaches level on points, the text says so and counts
    the features that separated them."""
    text = " ".join(explain(recommend(DECIDED, engine="python")).split())
    assert ("Quality Improvement Collaborative fits best on the stated tie-break: level on 1 "
            "point with Managed Clinical Network") in text
    assert ("Features holding: Quality Improvement Collaborative 1 defining, 0 typical, 0 "
            "hedged; Managed Clinical Network 0 defining, 0 typical, 0 hedged. It puts Quality "
            "Improvement Collaborative first.") in text


def test_html_and_markdown_name_the_tie_and_grade_reasons() -> None:
    """to_html and to_markdown (and so the notebook display) head with the tie, both names,
    the tie-break and a grade on each reason."""
    rec = recommend(TIED, engine="python")
    html = to_html(rec)
    assert "Tie: Community of Practice and Clinical Community" in html
    assert "It leaves them tied: the tie stands." in html
    assert f"grade: {GRADE}" in html
    assert "fits best" not in html
    markdown = to_markdown(rec)
    assert "**First place:** Tie: Community of Practice and Clinical Community." in markdown
    assert f"grade: {GRADE}" in markdown
    assert rec._repr_html_().count("Tie: Community of Practice and Clinical Community") == 1


def test_json_carries_the_tie_the_tie_break_and_grades() -> None:
    """The serialised report lists both tied approaches, the tie-break's counts and principle,
    every reason's grade, the ranking's grade summary and what could separate the tie."""
    report = json.loads(recommend(TIED, engine="python").report().model_dump_json())
    rec = report["recommendation"]
    assert rec["tied_for_first"] == ["community_of_practice", "clinical_community"]
    assert [r["rank"] for r in rec["ranking"]] == [1, 1, 3, 3]
    assert rec["tie_break"]["first"] == rec["tied_for_first"]
    assert {c["defining"] for c in rec["tie_break"]["counts"]} == {1}
    assert all(reason["grade"] == GRADE for r in rec["ranking"] for reason in r["reasons"])
    assert rec["grade_summary"].startswith("Community of Practice's share of first place")
    assert "shared_domain" in report["analysis"]["tie"]["open_fields"]


def test_a_tie_nothing_left_open_can_separate_says_so() -> None:
    """With every answer given, a tie the stated tie-break leaves standing is reported as one
    that nothing left to ask can separate, with how the two differ in the guidance."""
    rec = recommend(COMPLETE_TIE, engine="python")
    assert rec.tied_for_first == (Approach.MANAGED_CLINICAL_NETWORK,
                                  Approach.CLINICAL_COMMUNITY)
    outlook = analyse(rec).tie
    assert outlook is not None and not outlook.separable
    text = " ".join(explain(rec).split())
    assert "nothing left to ask can separate them" in text
    assert "Managed Clinical Network: " in text and "Clinical Community: " in text


COMPLETE_TIE = {
    "formality": "moderate", "time_span": "fixed_term", "scope": "multi_organisation",
    "control": "supported", "origin": "emergent", "agenda_set_by": "shared",
    "aim": "improve_specialty_outcomes", "evidence": "emerging", "single_org_can_solve": False,
    "professions": "multi_professional", "patient_involvement": "none",
    "resourcing": "some_support", "leadership": "shared", "existing_network": False,
    "sites": 1, "clinical_focus": "area_or_population", "enabling_support": "none",
    "shared_domain": True, "geographic_reach": "local", "improvement_focus": "both"}
"""A complete context (a seeded search) where a network and a clinical community are level
on 6 points and on their feature counts."""


@pytest.fixture(scope="module")
def client() -> object:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from collab_advisor.web import create_app

    with TestClient(create_app(allowed_hosts={"testserver"})) as test_client:
        yield test_client


def test_web_page_title_and_verdict_name_the_tie(client: object) -> None:
    """The result page's title and verdict name both tied approaches, with the tie-break and
    graded reasons; an empty form says no approach is ahead rather than name one."""
    page = client.get("/?" + urlencode(TIED)).text  # type: ignore[attr-defined]
    assert "<title>Tie: Community of Practice and Clinical Community" in page
    assert '<p class="verdict"><strong>Tie: Community of Practice and Clinical Community' in page
    assert "It leaves them tied: the tie stands." in page
    assert f"Grade: {GRADE}" in page
    empty = client.get("/").text  # type: ignore[attr-defined]
    assert "fits best" not in empty.split("<h3>Ranking</h3>")[0]
    assert "No approach is ahead yet" in empty


def test_compare_view_names_the_tie(client: object) -> None:
    """The compare view's first-place row names a tie, not the first in the fixed order."""
    query = urlencode({"n": 2, **{f"p0.{k}": v for k, v in TIED.items()},
                       "p1.aim": "close_practice_gap"})
    page = client.get("/compare?" + query).text  # type: ignore[attr-defined]
    assert "Tie: Community of Practice and Clinical Community" in page
    assert "Quality Improvement Collaborative fits best" in page


def test_team_report_names_the_tie_and_grades() -> None:
    """The team's text report names both tied approaches, with the grades, and each member's
    first place as a tie."""
    team = recommend_team([{"member": "Ann", **TIED}, {"member": "Bo", **TIED}],
                          engine="python")
    text = " ".join(team.explain().split())
    assert "Community of Practice and Clinical Community (tied) share first place" in text
    assert f"grade: {GRADE}" in text
    assert "Ann: Community of Practice and Clinical Community (tied) first" in text
    assert "Community of Practice and Clinical Community (tied)" in team.to_markdown()
    assert "Community of Practice and Clinical Community (tied)" in team.to_html()


def test_batch_columns_say_tied_and_tie_break(tmp_path: Path) -> None:
    """Batch output keeps its columns and adds who is tied for first and what the tie-break
    did, on the array path and with recommend_frame."""
    rows = tmp_path / "rows.csv"
    rows.write_text("name,aim,leadership,formality,time_span\n"
                    "tied,share_know_how,professional,,\n"
                    "decided,,,highly_structured,open_ended\n"
                    "clear,share_know_how,,informal,\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "collab_advisor", "batch", str(rows),
                           "--engine", "python", "--format", "csv"],
                          capture_output=True, text=True, timeout=120, check=True)
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["tied_for_first"] for r in table] == [
        "community_of_practice clinical_community", "qi_collaborative", "community_of_practice"]
    assert [r["tie_break"] for r in table] == ["tie stands", "decided", ""]
    assert {"top", "settled", "rules_fired", "error"} <= set(table[0])
    pd = pytest.importorskip("pandas")
    frame = recommend_frame(pd.DataFrame([TIED, DECIDED]))
    assert list(frame["tied_for_first"]) == ["community_of_practice clinical_community",
                                             "qi_collaborative"]
    assert list(frame["tie_break"]) == ["tie stands", "decided"]
    assert list(frame["top"]) == [Approach.COMMUNITY_OF_PRACTICE.value,
                                  Approach.QI_COLLABORATIVE.value]


def test_the_grade_summary_reads_as_a_sentence_of_its_own() -> None:
    """After the verdict, the summary of grades starts with a capital on HTML and Markdown."""
    rec = recommend({"aim": "share_know_how"}, engine="python")
    assert rec.grade_summary.startswith("first place rests on")
    assert ". First place rests on" in to_markdown(rec)
    assert ". First place rests on" in to_html(rec)
