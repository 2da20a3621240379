"""``print(rec)`` is a short verdict that names every tie; bad context input is one error type."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from collab_advisor import (
    Approach,
    CollabAdvisorError,
    ContextError,
    recommend,
    recommend_team,
)
from collab_advisor._result.build import recommend as plain_recommend

TIED = {"aim": "share_know_how", "leadership": "professional"}
"""Community of Practice and Clinical Community level on points (rules 2.0)."""


def test_print_gives_a_one_line_verdict_not_the_whole_record() -> None:
    """``str(rec)`` is one short line naming the leader, its points and what is known."""
    rec = recommend(aim="redesign_services", single_org_can_solve=False, existing_network=True,
                    sites=12, name="Renal network")
    text = str(rec)
    assert "\n" not in text and len(text) < 300
    assert text.startswith(f"Renal network: {rec.ranking[0].name} fits best with "
                           f"{rec.ranking[0].score} points")
    known = 20 - len(rec.unknown_fields)
    assert f"{known} of 20 answers known" in text and f"rules {rec.rules_version}" in text
    assert "ranking=" not in text and "Context(" not in text


@pytest.mark.parametrize("make", [recommend, plain_recommend])
def test_a_tie_prints_as_a_tie_naming_every_tied_approach(make: object) -> None:
    """On a tie the verdict says tied, prefers none, and names each tied approach."""
    rec = make(TIED)  # type: ignore[operator]
    assert rec.tied_for_first == (Approach.COMMUNITY_OF_PRACTICE, Approach.CLINICAL_COMMUNITY)
    text = str(rec)
    assert text.startswith("Tied for first at")
    assert "Community of Practice and Clinical Community" in text and "fits best" not in text


def test_an_empty_context_prints_a_four_way_tie() -> None:
    """With nothing known, all four approaches are named as tied; none is called the best."""
    text = str(recommend())
    assert text.startswith("Tied for first at 0 points")
    for approach in Approach:
        assert recommend().ranked(approach).name in text


@pytest.mark.parametrize(("given", "field", "suggestion"), [
    ({"aim": "share_knowhow"}, "aim", "share_know_how"),
    ({"formalty": "informal"}, "formalty", "formality"),
    ({"single_org_can_solve": "maybe"}, "single_org_can_solve", None),
    ({"sites": 0}, "sites", None),
])
def test_bad_context_input_is_one_library_error_that_is_still_pydantics(
        given: dict[str, object], field: str, suggestion: str | None) -> None:
    """Any bad input to ``recommend()`` raises ContextError: a CollabAdvisorError naming the
    field, the value, what is expected and a near miss's suggestion, which old code catching
    pydantic's ValidationError or ValueError still catches."""
    with pytest.raises(CollabAdvisorError) as caught:
        recommend(given)
    error = caught.value
    assert isinstance(error, ContextError)
    assert isinstance(error, ValidationError) and isinstance(error, ValueError)
    assert error.field == field and error.suggestion == suggestion
    assert error.errors()[0]["loc"] == (field,)
    message = str(error)
    assert field in message and "\n" not in message
    if suggestion:
        assert f"did you mean '{suggestion}'" in message


def test_the_error_lists_allowed_values_and_every_problem() -> None:
    """A choice field's allowed values come with the error, and two bad fields are both
    reported."""
    with pytest.raises(ContextError) as caught:
        recommend(aim="world_peace", scope="galactic")
    error = caught.value
    assert len(error.problems) == 2
    aim = next(problem for problem in error.problems if problem.field == "aim")
    assert set(aim.allowed) == {"close_practice_gap", "share_know_how", "redesign_services",
                                  "improve_specialty_outcomes"}
    assert "aim" in str(error) and "scope" in str(error)
    with pytest.raises(ContextError) as team:
        recommend_team([{"aim": "share_know_how"}, {"aim": "nope"}])
    assert team.value.field == "aim"


def test_a_bad_what_if_change_is_the_same_library_error() -> None:
    """A what-if with a misspelt field or a bad value raises ContextError with its
    suggestion, as recommend() does (it was pydantic's error)."""
    rec = recommend(aim="share_know_how")
    with pytest.raises(ContextError) as caught:
        rec.what_if(formalty="informal")
    assert caught.value.field == "formalty" and caught.value.suggestion == "formality"
    with pytest.raises(ContextError) as bad:
        rec.what_if(aim="share_knowhow")
    assert bad.value.suggestion == "share_know_how"


def test_an_unknown_approach_name_is_the_same_library_error() -> None:
    """why_not and path_to with a name that is not an approach raise ContextError naming the
    four and the nearest (it was the enum's bare ValueError)."""
    rec = recommend(aim="share_know_how")
    with pytest.raises(ContextError) as caught:
        rec.why_not("comunity_of_practice")
    assert caught.value.field == "approach"
    assert caught.value.suggestion == "community_of_practice"
    assert set(caught.value.allowed) == {a.value for a in Approach}
    with pytest.raises(ValueError, match="committee"):  # still a ValueError, as before
        rec.path_to("committee")


def test_print_of_a_team_is_its_verdict_in_one_line() -> None:
    """``str(team)`` is one line: the size, the advice on the agreed answers with every tied
    approach named, and the disputes (it dumped the whole record, about 3 KB)."""
    team = recommend_team([{"member": "A", "aim": "share_know_how"},
                           {"member": "B", "aim": "redesign_services"}])
    text = str(team)
    assert "\n" not in text and len(text) < 400
    assert text.startswith("A team of 2, on its agreed answers: Tied for first")
    for ranked in team.advice.ranking:
        assert ranked.name in text
    assert "1 disputed answer, 1 of which could change first place" in text
