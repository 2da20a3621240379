"""The feature ledger: points from the strength table, one feature per rule, grades."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_advisor import RuleFileError, load_rules
from collab_advisor._model.context import Approach
from collab_advisor._rulebook.ledger import break_tie, grade_summary, tie_break_key
from collab_advisor._rulebook.strength import (
    POINTS,
    Direction,
    SourceKind,
    StrengthClass,
    points_for,
)

from .conftest import write_rules

STRICT = "schema_version: 1\nruleset_version: 9.0.0\nledger: strict\n"
LOOSE = "schema_version: 1\nruleset_version: 9.0.0\n"

FEATURES = """\
defining_features:
  - id: cop-informal
    approach: community_of_practice
    text: Little set structure is wanted
    when: {field: formality, equals: informal}
    strength: hedged
    checked: 2026-12-07
    source: [{guidance: Communities of Practice}]
  - id: qic-organised
    approach: qi_collaborative
    text: A clear structure and timetable are wanted
    when: {field: formality, equals: highly_structured}
    strength: defining
    checked: 2026-12-07
    source: [{guidance: Quality Improvement Collaboratives}]
  - id: set-up-on-purpose
    approach: qi_collaborative
    approaches: [qi_collaborative, managed_clinical_network]
    text: It is set up on purpose
    when: {field: origin, equals: intentional}
    strength: design
    checked: 2026-12-07
    source: [{reference: "Scottish Executive Health Department 2002, NHS HDL(2002)69",
              locator: "annex, paragraph 3"}]
"""

RULES = """\
rules:
  - id: r-informal
    title: Little structure is wanted
    status: stable
    feature: cop-informal
    when: {field: formality, equals: informal}
    score:
      - {approach: community_of_practice, direction: for, why: CoPs may be informal.}
    source: [{guidance: Communities of Practice}]
  - id: r-organised
    title: A timetable is wanted
    status: stable
    feature: qic-organised
    when: {field: formality, equals: highly_structured}
    score:
      - {approach: qi_collaborative, direction: for, why: Collaboratives are highly organised.}
    source: [{guidance: Quality Improvement Collaboratives}]
  - id: r-not-organised
    title: No structure is wanted
    status: stable
    feature: qic-organised
    when: {field: formality, equals: informal}
    score:
      - {approach: qi_collaborative, direction: against, why: Collaboratives are highly organised.}
    source: [{guidance: Quality Improvement Collaboratives}]
  - id: r-on-purpose
    title: It is set up on purpose
    status: stable
    feature: set-up-on-purpose
    when: {field: origin, equals: intentional}
    score:
      - {approach: qi_collaborative, direction: for, why: Collaboratives are launched on purpose.}
      - {approach: managed_clinical_network, direction: for, why: Networks are designated.}
    source: [{reference: "Scottish Executive Health Department 2002, NHS HDL(2002)69"}]
"""


def _load(tmp_path: Path, text: str) -> object:
    return load_rules(write_rules(tmp_path, "ledger.yaml", text))


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        _load(tmp_path, text)
    return [str(problem) for problem in caught.value.problems]


def test_the_points_table_is_symmetric_and_orders_the_classes() -> None:
    """Against mirrors for; defining outweighs typical, which outweighs hedged."""
    for strength in StrengthClass:
        assert points_for(strength, Direction.AGAINST) == -points_for(strength, Direction.FOR)
    assert (POINTS[(StrengthClass.DEFINING, Direction.FOR)]
            > POINTS[(StrengthClass.TYPICAL, Direction.FOR)]
            > POINTS[(StrengthClass.HEDGED, Direction.FOR)] > 0)


def test_a_rule_naming_a_feature_takes_its_points_from_the_table(tmp_path: Path) -> None:
    """Each entry's points follow from the feature's class and the entry's direction."""
    rules = load_rules(write_rules(tmp_path, "ledger.yaml", STRICT + FEATURES + RULES))
    points = {(rule.id, e.approach): e.points for rule in rules for e in rule.score or ()}
    assert points[("r-informal", Approach.COMMUNITY_OF_PRACTICE)] == 1
    assert points[("r-organised", Approach.QI_COLLABORATIVE)] == 3
    assert points[("r-not-organised", Approach.QI_COLLABORATIVE)] == -3
    assert points[("r-on-purpose", Approach.MANAGED_CLINICAL_NETWORK)] == 1


def test_grades_name_feature_class_and_source_kind(tmp_path: Path) -> None:
    """The typed lookup gives each rule's feature, class and kind of source."""
    rules = load_rules(write_rules(tmp_path, "ledger.yaml", STRICT + FEATURES + RULES))
    organised = rules.grade("r-organised")
    assert (organised.feature, organised.strength, organised.source_kind) == (
        "qic-organised", StrengthClass.DEFINING, SourceKind.GUIDANCE)
    assert rules.grade("r-on-purpose").source_kind is SourceKind.DESIGN
    assert organised.label.startswith(StrengthClass.DEFINING.symbol + " defining")


def test_the_summary_counts_reasons_by_class(tmp_path: Path) -> None:
    """The one-line summary counts each rule once, firmest class first."""
    rules = load_rules(write_rules(tmp_path, "ledger.yaml", STRICT + FEATURES + RULES))
    line = grade_summary(rules, ["r-on-purpose", "r-organised", "r-informal", "r-organised"])
    assert line == "first place rests on 1 defining, 1 hedged and 1 design-document reasons"
    assert grade_summary(rules, ["r-organised"]) == "first place rests on 1 defining reason"
    assert grade_summary(rules, []) == "first place rests on no reason"


def test_an_organisations_own_rule_still_gives_points_directly(tmp_path: Path) -> None:
    """A file without 'ledger: strict' may give points, graded as a local decision."""
    text = LOOSE + """\
rules:
  - id: our-rule
    title: Our own rule
    status: stable
    when: {field: aim, equals: share_know_how}
    score:
      - {approach: community_of_practice, points: 4, why: Our board prefers communities here.}
    source: [{reference: "Our board minutes 2026, item 4"}]
"""
    rules = load_rules(write_rules(tmp_path, "own.yaml", text))
    grade = rules.grade("our-rule")
    assert (grade.feature, grade.strength, grade.source_kind) == (
        None, StrengthClass.LOCAL, SourceKind.LOCAL)
    assert rules.rule("our-rule").score[0].points == 4  # type: ignore[index]


def test_an_organisation_may_name_a_local_feature(tmp_path: Path) -> None:
    """A local feature gives the table's local points."""
    text = LOOSE + """\
defining_features:
  - id: our-feature
    approach: community_of_practice
    text: Our members already meet monthly
    when: {field: existing_network, equals: true}
    strength: local
    source: [{reference: "Our board minutes 2026, item 4"}]
rules:
  - id: our-rule
    title: Our own rule
    status: stable
    feature: our-feature
    when: {field: existing_network, equals: true}
    score:
      - {approach: community_of_practice, direction: for, why: Our members already meet monthly.}
    source: [{reference: "Our board minutes 2026, item 4"}]
"""
    rules = load_rules(write_rules(tmp_path, "own.yaml", text))
    assert rules.rule("our-rule").score[0].points == 2  # type: ignore[index]
    assert rules.grade("our-rule").strength is StrengthClass.LOCAL


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    feature: cop-informal\n    when: {field: formality, equals: informal}\n",
     "    when: {field: formality, equals: informal}\n",
     "every shipped scoring rule names exactly one feature"),
    ("community_of_practice, direction: for, why: CoPs may be",
     "community_of_practice, points: 2, why: CoPs may be",
     "never 'points'"),
    ("      - {approach: managed_clinical_network, direction: for, why: Networks are "
     "designated.}\n", "",
     "scores each of them or none (missing: managed_clinical_network)"),
    ("    feature: qic-organised\n    when: {field: formality, equals: informal}",
     "    feature: qic-organised\n    when: {field: origin, equals: intentional}",
     "can fire in the same context"),
    ("feature: cop-informal", "feature: cop-informl", "which no rule file declares"),
    ("    strength: hedged\n", "", "needs 'strength'"),
    ("    checked: 2026-12-07\n    source: [{guidance: Communities",
     "    source: [{guidance: Communities", "needs 'checked'"),
    ("{approach: community_of_practice, direction: for, why: CoPs may",
     "{approach: clinical_community, direction: for, why: CoPs may",
     "which feature 'cop-informal' is not tied to"),
])
def test_the_loader_refuses_a_rule_that_breaks_the_ledger(
        tmp_path: Path, old: str, new: str, expected: str) -> None:
    """A strict file breaking a ledger principle is refused with file, line and reason."""
    text = STRICT + FEATURES + RULES
    assert old in text
    messages = _problems(tmp_path, text.replace(old, new, 1))
    assert any(expected in message for message in messages), messages
    assert all("ledger.yaml:" in message for message in messages), messages


def test_direction_without_a_feature_is_refused_anywhere(tmp_path: Path) -> None:
    """Even an organisation's file cannot give a direction with no feature to price it."""
    text = LOOSE + RULES.replace("    feature: cop-informal\n", "")
    messages = _problems(tmp_path, FEATURES.join([text[:len(LOOSE)], text[len(LOOSE):]]))
    assert any("'direction' takes its points from the rule's feature" in m for m in messages)


@given(st.sampled_from(["informal", "moderate", "highly_structured"]),
       st.sampled_from(["emergent", "intentional"]))
def test_the_tie_break_prefers_more_defining_features(formality: str, origin: str) -> None:
    """The tie-break key counts features holding per class, firmest first."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        rules = load_rules(write_rules(Path(folder), "ledger.yaml", STRICT + FEATURES + RULES))
    facts = {"formality": formality, "origin": origin}
    qic = tie_break_key(rules, Approach.QI_COLLABORATIVE, facts)
    cop = tie_break_key(rules, Approach.COMMUNITY_OF_PRACTICE, facts)
    assert qic[0] == (formality == "highly_structured")
    assert cop == (0, 0, int(formality == "informal"))
    kept = break_tie(rules, (Approach.QI_COLLABORATIVE, Approach.COMMUNITY_OF_PRACTICE), facts)
    if qic == cop:
        assert kept == (Approach.QI_COLLABORATIVE, Approach.COMMUNITY_OF_PRACTICE)
    else:
        assert kept == ((Approach.QI_COLLABORATIVE,) if qic > cop
                        else (Approach.COMMUNITY_OF_PRACTICE,))
