"""Each defect issue 18 found in rules 1.4.0, as a test that failed on 1.4.0."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from collab_advisor import Approach, RuleSet, recommend
from collab_advisor._engines.plan import APPROACHES, plan_for
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._rulebook.strength import POINTS, Direction, StrengthClass

SAMPLE = 1_000_000
"""Complete contexts in the seeded sample the once-per-feature check scores."""


def _reasons(rec: Any, approach: Approach) -> list[tuple[str, int]]:
    ranked = next(r for r in rec.ranking if r.approach is approach)
    return [(r.rule_id, r.points) for r in ranked.reasons]


def test_crossing_a_region_counts_once_for_a_network() -> None:
    """The old scope value regional_or_national no longer gives a network points twice
    (1.4.0: +2 for organisations and +2 for geography)."""
    with pytest.warns(DeprecationWarning, match="regional_or_national"):
        rec = recommend(scope="regional_or_national")
    assert _reasons(rec, Approach.MANAGED_CLINICAL_NETWORK) == [("mcn-across-boundaries", 3)]


def test_an_imposed_agenda_lowers_a_community_of_practice_once() -> None:
    """A sponsor's agenda, accountable control and directing support together take points
    from a Community of Practice through one feature only (1.4.0: three times)."""
    rec = recommend(agenda_set_by="sponsor", control="accountable", enabling_support="directs")
    against = [(rule, points) for rule, points in
               _reasons(rec, Approach.COMMUNITY_OF_PRACTICE) if points < 0]
    assert against == [("cop-activities-imposed", -1)]


def test_support_behind_members_counts_for_a_community_of_practice_too() -> None:
    """Supported control is the guidance's right conditions for a community of practice as
    well as a clinical community's balance, so it scores both (1.4.0: Clinical Community
    alone)."""
    rec = recommend(control="supported")
    assert rec.score_of(Approach.COMMUNITY_OF_PRACTICE) > 0
    assert rec.score_of(Approach.CLINICAL_COMMUNITY) > 0


def test_being_set_up_on_purpose_favours_no_approach_over_another() -> None:
    """Intentional origin, which the guidance ties to no one approach, scores none of them
    (1.4.0: a network and a collaborative, not a clinical community)."""
    rec = recommend(origin="intentional")
    assert [r.score for r in rec.ranking] == [0, 0, 0, 0]


@pytest.mark.parametrize("answers", [
    {"control": "accountable"},
    {"aim": "improve_specialty_outcomes"},
    {"time_span": "open_ended", "formality": "moderate"},
])
def test_clinical_community_features_give_a_network_nothing(answers: dict[str, str]) -> None:
    """Accountability data, one clinical area and a standing body give a network no points:
    the guidance gives the first two to clinical communities and defines networks by none
    (1.4.0: +1, +1 and +2)."""
    assert recommend(answers).score_of(Approach.MANAGED_CLINICAL_NETWORK) == 0


def test_hedged_and_typical_features_weigh_less_than_plain_ones(shipped: RuleSet) -> None:
    """Each rule's points follow its feature's class: a community of practice's hedged
    features give 1, a collaborative's typical ones 2, plain ones 3 (1.4.0: 3, 3 and 3)."""
    points = {(rule.id, e.approach): e.points for rule in shipped.active for e in rule.score or ()}
    assert points[("cop-informal", Approach.COMMUNITY_OF_PRACTICE)] == 1
    assert points[("cop-members-decide", Approach.COMMUNITY_OF_PRACTICE)] == 1
    assert points[("cop-enabling-support", Approach.COMMUNITY_OF_PRACTICE)] == 1
    assert points[("qic-fixed-term", Approach.QI_COLLABORATIVE)] == 2
    assert points[("qic-highly-structured", Approach.QI_COLLABORATIVE)] == 3
    for rule in shipped.active:
        grade = shipped.grade(rule.id)
        for effect in rule.score or ():
            assert effect.direction is not None, rule.id
            assert effect.points == POINTS[(grade.strength, effect.direction)], rule.id


@pytest.mark.parametrize("rule_id", ["cc-evidence-still-forming", "cop-no-network-yet",
                                     "managerial-lead", "qic-no-clinical-topic",
                                     "mcn-not-for-sharing-know-how"])
def test_rules_whose_sources_do_not_state_them_are_gone(shipped: RuleSet,
                                                        rule_id: str) -> None:
    """Rules citing a section that does not state their feature, or added to move a
    casebook case, no longer run."""
    assert rule_id not in {rule.id for rule in shipped.active}


def test_no_reason_speaks_of_the_casebook(shipped: RuleSet) -> None:
    """No title or reason shown to planners says a rule was added for the casebook."""
    for rule in shipped.active:
        texts = [rule.title, *(e.why for e in rule.score or ())]
        assert not any("casebook" in text.lower() for text in texts), rule.id


def test_every_reason_has_a_grade_and_design_documents_are_marked(shipped: RuleSet) -> None:
    """Every shipped scoring rule has a grade from a published source, never local, and a
    rule resting only on one programme's design is graded design."""
    for rule in shipped.active:
        if rule.score is None:
            continue
        grade = shipped.grade(rule.id)
        assert grade.feature is not None and grade.strength is not StrengthClass.LOCAL
        feature = shipped.feature(grade.feature)
        assert feature is not None and feature.checked is not None
        if not any(s.guidance for s in feature.source):
            assert grade.strength is StrengthClass.DESIGN, rule.id


def test_each_feature_scores_each_approach_at_most_once_in_a_million_contexts(
        shipped: RuleSet) -> None:
    """Over a seeded million complete contexts, no two rules naming one feature fire
    together for the same approach, and every scoring rule names a feature."""
    plan = plan_for(shipped)
    rng = np.random.default_rng(18)
    columns = []
    for position, field in enumerate(plan.fields):
        if field in RULE_FIELDS:
            columns.append(rng.integers(0, len(plan.classes[field]), size=SAMPLE,
                                        dtype=np.int8))
        else:
            columns.append(np.full(SAMPLE, plan.code(position, None), dtype=np.int8))
    groups: dict[tuple[str, Approach], list[int]] = {}
    for index, compiled in enumerate(plan.rules):
        rule = shipped.rule(compiled.id)
        if rule.score is None:
            continue
        assert rule.feature is not None, rule.id
        for effect in rule.score:
            groups.setdefault((rule.feature, effect.approach), []).append(index)
    for start in range(0, SAMPLE, 250_000):
        _, fired = plan.score_rows([c[start:start + 250_000] for c in columns])
        for (feature, approach), indices in groups.items():
            assert int(fired[:, indices].sum(axis=1).max()) <= 1, (feature, approach)
    assert len(APPROACHES) == 4


def test_the_strength_table_gives_against_the_mirror_of_for() -> None:
    """A feature contradicted costs what it earns when shown."""
    for strength in StrengthClass:
        assert POINTS[(strength, Direction.AGAINST)] == -POINTS[(strength, Direction.FOR)]
