"""Team advice: agreement, disputes, exact ranges over proposed answers, the decisive dispute."""

from __future__ import annotations

import html
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from collab_advisor import (
    CollabAdvisorError,
    Context,
    TeamMember,
    TeamRecommendation,
    recommend,
    recommend_team,
    rules_for,
)
from collab_advisor._advice.facts import facts_of
from collab_advisor._engines.plan import APPROACHES, plan_for
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._rulebook.ledger import first_place

from .strategies import field_values
from .test_cli import run

CHOICE_FIELDS = [name for name, spec in RULE_FIELDS.items() if spec.kind != "count"]


@st.composite
def small_teams(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Two to four members who start from one context and differ on a few fields."""
    base = draw(field_values(include_unknown=False))
    base.pop("name", None)
    open_fields = draw(st.lists(st.sampled_from(CHOICE_FIELDS), max_size=2, unique=True))
    for name in open_fields:
        base.pop(name, None)
    disputed = draw(st.lists(st.sampled_from(
        [f for f in CHOICE_FIELDS if f not in open_fields]), min_size=1, max_size=3, unique=True))
    size = draw(st.integers(2, 4))
    members = []
    for index in range(size):
        answers = dict(base)
        for name in disputed:
            answers[name] = draw(st.sampled_from(RULE_FIELDS[name].values))
        members.append({"member": f"M{index}", **answers})
    return members


def _completions(team_members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every combination of the proposed answers and of answers to the open fields."""
    options: dict[str, list[Any]] = {}
    for name in CHOICE_FIELDS:
        proposed = []
        for member in team_members:
            value = facts_of(Context.model_validate(
                {k: v for k, v in member.items() if k != "member"})).get(name)
            if value is not None and value not in proposed:
                proposed.append(value)
        options[name] = proposed or list(RULE_FIELDS[name].values)
    sites = {m.get("sites") for m in team_members} - {None}
    names = list(options)
    out = []
    for combo in itertools.product(*(options[n] for n in names)):
        facts = dict(zip(names, combo, strict=True))
        for count in sites or {None}:
            out.append({**facts, **({"sites": count} if count is not None else {})})
    return out


@settings(max_examples=40)
@given(small_teams())
def test_team_ranges_hold_every_combination_of_proposed_answers(
        members: list[dict[str, Any]]) -> None:
    """Each approach's team range is exactly the span of its scores over every combination."""
    team = recommend_team(members, engine="python")
    plan = plan_for(recommend(engine="python").rules())
    combos = _completions(members)
    assume(len(combos) <= 5000)
    scores = [plan.score(c)[0] for c in combos]
    for index, approach in enumerate(APPROACHES):
        low, high = team.score_range_of(approach)
        values = [s[index] for s in scores]
        assert low <= min(values) and max(values) <= high
        if team.ranges_exact:
            assert (low, high) == (min(values), max(values))


@settings(max_examples=40)
@given(field_values())
def test_one_member_gets_exactly_the_single_context_advice(values: dict[str, Any]) -> None:
    """A team of one gets the same ranking, ranges and settledness as recommend()."""
    values.pop("name", None)
    single = recommend(values, engine="python")
    team = recommend_team([values], engine="python")
    assert team.advice.ranking == single.ranking
    assert not team.disputed
    assert team.settled_across_disputes
    assert team.is_settled == single.is_settled
    for ranked in single.ranking:
        assert team.score_range_of(ranked.approach) == ranked.score_range


def test_a_team_of_one_is_not_settled_where_a_level_top_could_still_arise() -> None:
    """A team of one is not called settled when open answers could leave another approach
    level on points at the top (the single-context advice says so too)."""
    values = {"professions": "multi_professional", "control": "self_directed",
              "enabling_support": "directs", "scope": "multi_organisation",
              "clinical_focus": "specific_topic", "geographic_reach": "national",
              "time_span": "fixed_term", "patient_involvement": "co_produced",
              "leadership": "professional", "improvement_focus": "both",
              "agenda_set_by": "sponsor", "existing_network": True,
              "single_org_can_solve": True, "resourcing": "some_support",
              "shared_domain": False}
    single = recommend(values, engine="python")
    team = recommend_team([values], engine="python")
    assert single.is_settled is False
    assert team.is_settled is False


@settings(max_examples=30)
@given(field_values(), st.integers(2, 5))
def test_a_team_that_agrees_gets_the_single_context_advice(values: dict[str, Any],
                                                            size: int) -> None:
    """Members who all give the same answers get the advice one of them would get alone."""
    values.pop("name", None)
    single = recommend(values, engine="python")
    team = recommend_team([{"member": f"M{i}", **values} for i in range(size)], engine="python")
    assert team.advice.ranking == single.ranking
    assert team.disputed == ()
    assert all(view.agrees_on_top and view.distance == 0 for view in team.member_views)


@settings(max_examples=60)
@given(small_teams())
def test_the_first_disagreement_can_change_first_place_when_any_can(
        members: list[dict[str, Any]]) -> None:
    """If settling some single disputed field can change first place (after the stated
    tie-break), the first one listed can."""
    team = recommend_team(members, engine="python")
    rules = rules_for(team.advice)
    plan = plan_for(rules)
    agreed = facts_of(team.agreed)

    def first(facts: dict[str, Any]) -> Any:
        scores = dict(zip(APPROACHES, plan.score(facts)[0], strict=True))
        return first_place(rules, scores, facts).first[0]

    top = first(agreed)
    assert top is team.advice.top.approach
    changers = set()
    for dispute in team.disputed:
        for option in dispute.options:
            if first({**agreed, dispute.field: option.value}) is not top:
                changers.add(dispute.field)
    if changers:
        assert team.disputed[0].field in changers
        assert team.disputed[0].changes_top
    else:
        assert not any(d.changes_top for d in team.disputed)


def test_disputed_fields_say_who_proposed_what() -> None:
    """Each disputed answer lists the members who gave it and the approach it leads to."""
    team = recommend_team([
        {"member": "Asha", "role": "clinician", "aim": "share_know_how",
         "control": "self_directed"},
        {"member": "Ben", "role": "Manager", "aim": "share_know_how", "control": "accountable"},
    ], engine="python")
    assert team.agreed.aim is not None and team.agreed.aim.value == "share_know_how"
    [dispute] = team.disputed
    assert dispute.field == "control"
    assert [(o.value, o.members) for o in dispute.options] == [
        ("self_directed", ("Asha",)), ("accountable", ("Ben",))]
    assert team.roles == ("clinician", "manager")
    assert team.voices_note is not None and "patient" in team.voices_note


def test_a_patient_voice_removes_the_reminder() -> None:
    """When a patient or carer takes part, no reminder about their voice is given."""
    team = recommend_team([TeamMember(label="Dee", role="Carer", context=Context()),
                           TeamMember(label="Eve", role="nurse", context=Context())],
                          engine="python")
    assert team.voices_note is None


def test_bad_input_is_refused_with_a_clear_message() -> None:
    """An empty team, a wrong value or a wrong type is refused, naming the problem."""
    with pytest.raises(CollabAdvisorError, match="at least one"):
        recommend_team([])
    with pytest.raises(ValueError, match="time_span"):
        recommend_team([{"time_span": "someday"}])
    with pytest.raises(TypeError, match="TeamMember"):
        recommend_team([42])  # type: ignore[list-item]


def test_reports_read_as_one_story() -> None:
    """Text, Markdown and HTML all name the decisive disagreement and escape member text."""
    team = recommend_team([
        {"member": "<b>Asha</b>", "aim": "share_know_how", "control": "self_directed"},
        {"member": "Ben", "aim": "share_know_how", "control": "accountable"},
    ], engine="python")
    text = team.explain()
    assert "control" in text and "Asha" in text
    assert team.to_markdown().startswith("# ")
    html = team.to_html()
    assert "<b>Asha</b>" not in html and "&lt;b&gt;Asha&lt;/b&gt;" in html
    assert "TeamRecommendation" in repr(team)


def test_the_team_command_reads_member_files_and_a_team_csv(tmp_path: Path) -> None:
    """`collab-advisor team` combines YAML files and CSV rows, labelled by member."""
    (tmp_path / "asha.yaml").write_text(
        "role: clinician\naim: improve_specialty_outcomes\nagenda_set_by: members\n"
        "control: self_directed\n", encoding="utf-8")
    (tmp_path / "team.csv").write_text(  # rules 2.0.0: control decides between CoP and CC
        "Member,Role,aim,agenda_set_by,control\n"
        "Ben,manager,improve_specialty_outcomes,members,accountable\n", encoding="utf-8")
    result = run("team", str(tmp_path / "asha.yaml"), str(tmp_path / "team.csv"),
                 "--engine", "python", "--format", "json")
    assert result.returncode == 0, result.stderr
    team = TeamRecommendation.model_validate_json(result.stdout)
    assert [m.label for m in team.members] == ["asha", "Ben"]
    assert [d.field for d in team.disputed] == ["control"]
    text = run("team", str(tmp_path / "asha.yaml"), str(tmp_path / "team.csv"),
               "--engine", "python").stdout
    assert "Settling control decides the advice" in " ".join(text.split())


def test_the_team_command_names_a_bad_column_in_one_line(tmp_path: Path) -> None:
    """A misspelt team CSV column is one line naming the file and a suggestion, exit 2."""
    (tmp_path / "team.csv").write_text("Membr,aim\nBen,share_know_how\n", encoding="utf-8")
    result = run("team", str(tmp_path / "team.csv"))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "did you mean 'member'?" in result.stderr


def test_member_labels_cannot_drive_a_terminal_or_split_a_table() -> None:
    """Control characters and newlines in member labels are shown as escapes in every format."""
    team = recommend_team([
        {"member": "Ann\x1b[2J", "role": "nurse", "aim": "share_know_how"},
        {"member": "Bob\nEvil", "role": "manager", "aim": "redesign_services"},
    ], engine="python")
    for text in (team.explain(), team.to_markdown(), team.to_html()):
        assert "\x1b" not in text and "Bob\nEvil" not in text
        assert "\\x1b" in text and "\\x0a" in text


def test_score_ranges_say_they_cover_the_fields_nobody_answered() -> None:
    """Every report says a score range also spans the fields nobody answered, if any."""
    open_team = recommend_team([{"member": "Asha", "control": "self_directed"},
                                {"member": "Ben", "control": "accountable"}], engine="python")
    for report in (open_team.explain(), open_team.to_markdown(), open_team.to_html()):
        assert "the fields nobody answered" in report
    full: dict[str, Any] = {name: spec.values[0] for name, spec in RULE_FIELDS.items()
                            if spec.kind != "count"}
    full["sites"] = 4
    closed_team = recommend_team([{"member": "Asha", **full},
                                  {"member": "Ben", **full, "control": "accountable"}],
                                 engine="python")
    for report in (closed_team.explain(), closed_team.to_markdown(),
                   html.unescape(closed_team.to_html())):
        assert "across the team's answers" in report
        assert "the fields nobody answered" not in report
