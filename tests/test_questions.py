"""Exact settledness by parts, and the questions that settle the advice."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from collab_advisor import load_rules, recommend
from collab_advisor._advice.analysis import (
    codes_of,
    outlook_for,
    part_scores,
    parts_of,
    settled_by_parts,
    settled_exactly,
    tops_by_parts,
)
from collab_advisor._advice.facts import facts_of
from collab_advisor._engines.plan import plan_for, top_of
from collab_advisor._model.context import Context

from .strategies import field_values

PLAN = plan_for(load_rules())
PARTS = parts_of(PLAN)


def _facts(values: dict[str, Any]) -> dict[str, Any]:
    return facts_of(Context.model_validate(values))


@settings(max_examples=150, deadline=None)
@given(field_values())
def test_scores_by_parts_are_the_engine_scores(values: dict[str, Any]) -> None:
    """Summing the parts' points gives the plain engine's scores for any context."""
    assert PARTS is not None
    facts = _facts(values)
    assert part_scores(PARTS, codes_of(PLAN, facts)) == PLAN.score(facts)[0]


@settings(max_examples=120, deadline=None)
@given(field_values(), st.integers(8, 14))
def test_settled_and_firsts_by_parts_match_scoring_every_completion(
        values: dict[str, Any], keep: int) -> None:
    """Where every completion is scored, the parts give the same settledness and the same
    approaches that could come first."""
    assert PARTS is not None
    facts = _facts(dict(list(values.items())[:keep]))
    scores, fired = PLAN.score(facts)
    exact = settled_exactly(PLAN, facts, scores, fired, list(PLAN.classes))
    outlook = outlook_for(PLAN, facts)
    if exact is None or not outlook.exact:
        return
    codes = codes_of(PLAN, facts)
    assert settled_by_parts(PARTS, codes, top_of(scores)) is exact
    assert tops_by_parts(PARTS, codes) == outlook.tops


def test_a_settled_context_beyond_the_exact_limit_is_called_settled() -> None:
    """A context with too many unknown fields to score every completion is still called
    settled when no answers could change first place (sound bounds alone do not prove it)."""
    rec = recommend(time_span="open_ended", formality="highly_structured",
                    single_org_can_solve=False, scope="regional_or_national",
                    aim="redesign_services")
    assert not rec.ranges_exact
    assert rec.is_settled
