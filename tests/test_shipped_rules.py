"""The shipped rules: their embedded examples, their coverage, and the vignettes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from collab_advisor import Approach, EngineChoice, RuleSet, load_rules, recommend
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._rulebook.format import (
    AllOf,
    AnyOf,
    Condition,
    ConsiderationKind,
    FieldTest,
    GuidanceSection,
    Not,
)

VIGNETTES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "vignettes.yaml").read_text(encoding="utf-8")
)
_SHIPPED = load_rules()
EXAMPLES = [
    pytest.param(rule.id, example.context, example.fires, id=f"{rule.id}-{number}")
    for rule in _SHIPPED.active
    for number, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule_id", "context", "fires"), EXAMPLES)
def test_embedded_examples_hold(rule_id: str, context: dict[str, Any], fires: bool,
                                engine: EngineChoice) -> None:
    """Each example written beside a rule fires (or not) as it says."""
    rec = recommend(context, rules=_SHIPPED, engine=engine)
    if _SHIPPED.rule(rule_id).advise is None:
        assert (rule_id in rec.fired_rules) is fires
    else:
        caveat = rec.evidence_caveat
        raised = {reason.rule_id for c in (*rec.considerations, *((caveat,) if caveat else ()))
                  for reason in c.reasons}
        assert (rule_id in raised) is fires


def test_most_rules_carry_examples(shipped: RuleSet) -> None:
    """Every shipped rule has at least one example, so its meaning is checked."""
    assert [rule.id for rule in shipped.active if not rule.examples] == []


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_each_approach_wins_where_it_should(vignette: dict[str, Any], engine: EngineChoice) -> None:
    """The team's vignettes, drawn from the guidance and evidence, rank as expected."""
    rec = recommend(vignette["context"], engine=engine)
    assert rec.top.approach is Approach(vignette["expect"]), rec.explain()
    assert len(rec.tied_at_top) == 1


def test_vignettes_cover_every_approach() -> None:
    """There is at least one complete and one partial vignette per approach."""
    for approach in Approach:
        mine = [v for v in VIGNETTES if v["expect"] == approach.value]
        assert any(len(v["context"]) == len(RULE_FIELDS) for v in mine), approach
        assert any(len(v["context"]) < len(RULE_FIELDS) for v in mine), approach


def _fields_in(condition: Condition) -> set[str]:
    if isinstance(condition, FieldTest):
        return {condition.field}
    if isinstance(condition, Not):
        return _fields_in(condition.not_)
    if isinstance(condition, AllOf | AnyOf):
        children = condition.all if isinstance(condition, AllOf) else condition.any
        return set().union(*(_fields_in(child) for child in children))
    return set()


ADVICE_ONLY_FIELDS = {"improvement_focus"}
"""Fields the guidance ties to no approach (it says approaches differ in their focus on
quality or safety, but not which way): they may shape advice, never scores."""


def test_every_context_field_is_used_by_some_rule(shipped: RuleSet) -> None:
    """No dimension of the context is ignored by the shipped rules, bar advice-only ones."""
    used = set().union(*(_fields_in(rule.when) for rule in shipped.active))
    assert set(RULE_FIELDS) - used - ADVICE_ONLY_FIELDS == set()


def test_advice_only_fields_never_change_a_score(shipped: RuleSet) -> None:
    """No scoring rule or defining feature tests a field the guidance ties to no approach."""
    scoring = [rule.when for rule in shipped.active if rule.score or rule.concludes]
    features = [feature.when for feature in shipped.defining_features]
    assert all(not _fields_in(c) & ADVICE_ONLY_FIELDS for c in scoring + features)


def test_every_consideration_and_caveat_can_be_raised(shipped: RuleSet) -> None:
    """Each of the guidance's eight considerations, and the evidence caveat, has a rule."""
    raised = {rule.advise.consideration for rule in shipped.active if rule.advise}
    assert raised == set(ConsiderationKind)


def test_every_approach_has_a_published_caveat(engine: EngineChoice) -> None:
    """Whichever approach ranks first, the evidence's caveat on it is raised."""
    for vignette in VIGNETTES[:4]:
        rec = recommend(vignette["context"], engine=engine)
        caveat = rec.evidence_caveat
        assert caveat is not None and caveat.kind is ConsiderationKind.EVIDENCE
        assert caveat.reasons[0].rule_id.startswith("caveat-")
        assert all(c.kind is not ConsiderationKind.EVIDENCE for c in rec.considerations)
        python = recommend(vignette["context"], engine="python")
        assert (rec.considerations, caveat) == (python.considerations, python.evidence_caveat)


def test_every_approach_can_gain_and_lose_points(shipped: RuleSet) -> None:
    """Each approach has rules for it and rules against it."""
    for approach in Approach:
        points = [e.points for r in shipped.active for e in r.score or () if e.approach is approach]
        assert max(points) > 0 and min(points) < 0, approach


def test_each_approach_section_of_the_guidance_is_cited(shipped: RuleSet) -> None:
    """Every approach's section of the guidance grounds at least two rules."""
    sections = [s.guidance for r in shipped.active for s in r.source if s.guidance]
    for section in (GuidanceSection.QIC, GuidanceSection.COP, GuidanceSection.MCN,
                    GuidanceSection.CC):
        assert sections.count(section) >= 2, section


def test_planning_checklist_says_what_informs_each_question_without_ticking_it() -> None:
    """The eight planning questions are listed with the answers that inform them; none is
    ticked off as answered from a field that only bears on it."""
    rec = recommend(aim="share_know_how", resourcing="some_support", existing_network=True)
    checklist = rec.planning_questions
    assert [q.number for q in checklist] == list(range(1, 9))
    assert not any(q.answered for q in checklist)
    assert "aim" in checklist[0].informed_by
    assert "aim: share know how" in checklist[0].known
    assert checklist[0].coverage in ("informed", "partly_informed")
    assert checklist[6].coverage in ("informed", "partly_informed")
    assert checklist[4].coverage == "not_yet_informed"
    assert checklist[7].informed_by == () and checklist[7].coverage == "planners_only"


def test_every_finding_is_concluded_and_used(shipped: RuleSet) -> None:
    """Each declared finding is established by some rule and used by another."""
    concluded = {rule.concludes for rule in shipped.active}
    used = {f for rule in shipped.compiled for d in rule.disjuncts for f in d.findings}
    assert set(shipped.findings) <= concluded
    assert set(shipped.findings) <= used
