"""Settledness from the gap tables (the batch path, ``survey``, ``recommend_many`` and
``Recommendation.is_settled``) equals the full analysis, which scores every completion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_advisor import Approach, RuleSet, load_rules, recommend, recommend_many
from collab_advisor._advice import analysis, rowproofs
from collab_advisor._advice import parts as parts_module
from collab_advisor._advice.batch import survey
from collab_advisor._engines.plan import plan_for
from collab_advisor._model.fields import FIELDS, RULE_FIELDS
from collab_advisor._reasoning import gaps as gaps_module
from collab_advisor._reasoning.gaps import gap_tables

from .conftest import ROOT, write_rules
from .strategies import _value, field_values

_SHIPPED = load_rules()

_LINKED = """\
schema_version: 1
ruleset_version: 0.1.0
findings:
  - id: planned-hub
    text: A planned effort with a hub
rules:
  - id: planned-hub-holds
    title: A planned, formal effort
    status: experimental
    when:
      all:
        - {field: origin, equals: intentional}
        - any:
            - {field: formality, equals: highly_structured}
            - {field: resourcing, equals: dedicated_funding}
    concludes: planned-hub
    source: [{reference: "Test 2025, settledness"}]
  - id: hub-and-many-sites
    title: A hub across many sites
    status: experimental
    when:
      all:
        - {finding: planned-hub}
        - {field: sites, gt: 12}
        - not: {field: control, equals: self_directed}
    score:
      - {approach: community_of_practice, points: 6, why: A test rule.}
      - {approach: managed_clinical_network, points: -2, why: A test rule.}
    source: [{reference: "Test 2025, settledness"}]
  - id: hub-and-an-aim
    title: A hub with a purpose
    status: experimental
    when:
      any:
        - all: [{finding: planned-hub}, {field: aim, equals: share_know_how}]
        - {field: evidence, equals: established}
    score:
      - {approach: clinical_community, points: 5, why: A test rule.}
    source: [{reference: "Test 2025, settledness"}]
"""


_LOADED: dict[str, RuleSet] = {}


def _linked(folder: Path) -> RuleSet:
    if "linked" not in _LOADED:
        _LOADED["linked"] = load_rules(ROOT / "rules",
                                       write_rules(folder, "linked.yaml", _LINKED))
    return _LOADED["linked"]


def _partial() -> st.SearchStrategy[dict[str, Any]]:
    """Contexts with any subset of the rule fields known: from none to all of them."""
    names = sorted(RULE_FIELDS)
    return st.sets(st.sampled_from(names)).flatmap(
        lambda known: st.fixed_dictionaries({name: _value(name) for name in sorted(known)}))


def _full_analysis(rules: RuleSet, values: dict[str, Any]) -> bool:
    """The settledness the full analysis gives: every completion scored when within the
    exact limits, else what the sound bounds prove; and no completion level at the top
    (where the stated tie-break would decide first place)."""
    from collab_advisor._advice.settledness import no_level_at_top

    plan = plan_for(rules)
    facts = {name: value for name, value in values.items() if name in plan.classes}
    scores, fired = plan.score(facts)
    return analysis.outlook_for(plan, facts).settled and no_level_at_top(plan, facts, scores,
                                                                         fired)


def _check(rules: RuleSet, rows: list[dict[str, Any]]) -> None:
    expected = [_full_analysis(rules, row) for row in rows]
    surveyed = list(survey(rows, rules=rules, chunk_size=5))
    many = recommend_many(rows, rules=rules, engine="python")
    for row, want, got, item in zip(rows, expected, surveyed, many, strict=True):
        assert not isinstance(got, str)
        rec = recommend(row, rules=rules, engine="python")
        assert got.settled == want, row
        assert rec.is_settled == want, row
        assert item.recommendation is not None and item.is_settled == want
        assert got.scores == {a: rec.score_of(a) for a in Approach}
        assert got.top is rec.top.approach


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_partial(), min_size=1, max_size=8))
def test_batch_settledness_equals_the_full_analysis_row_by_row(
        rows: list[dict[str, Any]]) -> None:
    """For contexts with any number of unknown fields, the batch path, recommend_many and
    is_settled say settled exactly when the full analysis does."""
    _check(_SHIPPED, rows)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(_partial(), min_size=1, max_size=6))
def test_settledness_is_exact_when_findings_tie_fields_together(
        rows: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Rules that read several fields through a finding (with a 'not') are settled exactly
    as the full analysis says."""
    _check(_linked(tmp_path_factory.mktemp("linked")), rows)


def test_fields_read_through_a_finding_share_one_table(tmp_path: Path) -> None:
    """A rule reading a finding is tabled with the fields behind that finding, so its
    best case is taken over their answers together."""
    rules = _linked(tmp_path)
    plan = plan_for(rules)
    tables = gap_tables(plan)
    assert tables is not None
    together = {plan.fields.index(name) for name in
                ("origin", "formality", "resourcing", "sites", "control", "aim")}
    assert any(together <= set(axes) for axes in tables.positions)


def test_past_the_table_budget_settledness_falls_back_to_enumeration(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule set whose tables would exceed their budget is settled completion by
    completion instead, with the same answers."""
    rules = load_rules()
    monkeypatch.setattr(gaps_module, "SETTLE_TABLE_BUDGET", 10)
    assert gap_tables(plan_for(rules)) is None
    rows: list[dict[str, Any]] = [
        {"aim": "share_know_how", "formality": "informal"},
        {"aim": "redesign_services", "scope": "multi_organisation",
         "geographic_reach": "regional", "sites": 40,
         "control": "accountable", "time_span": "open_ended"},
        {}, {name: spec.values[0] if spec.values else 3
             for name, spec in RULE_FIELDS.items()}]
    _check(rules, rows)


def test_beyond_the_exact_limits_settled_is_exact_by_parts_else_by_bounds(
        tmp_path: Path) -> None:
    """With too many unknown fields to score every completion, settled is exact where the
    rule set splits into parts, and otherwise only what the sound bounds prove, in the
    batch as in a single recommendation."""
    row: dict[str, Any] = {"sites": 500}
    plan = plan_for(_SHIPPED)
    assert not rowproofs.exact_allowed(plan, plan.encode([row]), 1)[0]
    assert parts_module.parts_of(plan) is not None
    _check(_SHIPPED, [row])
    linked = _linked(tmp_path)
    assert parts_module.parts_of(plan_for(linked)) is None
    assert gap_tables(plan_for(linked)) is not None
    bounded = analysis.outlook_for(plan_for(linked), row)
    assert not bounded.exact
    _check(linked, [row, {"aim": "share_know_how"}, {}])


@settings(max_examples=80, deadline=None)
@given(values=_partial())
def test_a_result_starts_its_analyses_from_a_fresh_scoring(values: dict[str, Any]) -> None:
    """The scores the analyses start from (the compiled core scoring the context again)
    are the result's own scores, and its scoring rules are among the fired ones."""
    from collab_advisor._advice.pairing import scored
    from collab_advisor._result.facts import facts_of

    rec = recommend(values, engine="python")
    plan, facts, scores, fired = scored(rec, rec.rules())
    assert plan is plan_for(rec.rules())
    assert facts == facts_of(rec.context)
    assert scores == tuple(rec.score_of(a) for a in Approach)
    assert {r.rule_id for ranked in rec.ranking for r in ranked.reasons} <= fired


@settings(max_examples=150, deadline=None)
@given(values=field_values(), loose=st.dictionaries(
    st.sampled_from(sorted(FIELDS)), st.one_of(st.none(), st.integers(-2, 3), st.booleans(),
                                               st.text(max_size=3), st.just("yes")),
    max_size=3))
def test_a_context_built_without_validation_equals_a_validated_one(
        values: dict[str, Any], loose: dict[str, Any]) -> None:
    """recommend_many builds a Context directly only from answers a Context holds as they
    are, and then it equals the validated one in every way; other input is validated."""
    from pydantic import ValidationError

    from collab_advisor import Context
    from collab_advisor._advice.batch import _as_built

    for given_values in (values, {**values, **loose}):
        built = _as_built(given_values)
        if built is given_values:
            continue
        validated = Context.model_validate(given_values)
        assert built == validated
        assert built.model_fields_set == validated.model_fields_set
        assert built.model_dump_json() == validated.model_dump_json()
        assert hash(built) == hash(validated)
    try:
        Context.model_validate({**values, **loose})
    except ValidationError:
        assert _as_built({**values, **loose}) == {**values, **loose}


_UNTABLED = load_rules()
plan_for(_UNTABLED).keep("gap_tables", None)  # as if past SETTLE_TABLE_BUDGET


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(_partial(), min_size=1, max_size=8))
def test_without_tables_settledness_still_equals_the_full_analysis(
        rows: list[dict[str, Any]]) -> None:
    """Where a rule set has no gap tables, the bounds, witnesses, field-by-field proofs
    and enumeration give the full analysis's answer, row by row."""
    assert gap_tables(plan_for(_UNTABLED)) is None
    _check(_UNTABLED, rows)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=_partial(), by_parts=st.booleans())
def test_settledness_read_after_the_next_questions_is_the_analysis_own(
        values: dict[str, Any], by_parts: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked after the next questions (as the results page does), ``is_settled`` reuses
    their look-ahead where it can tell and still says what the full analysis says, also
    for rules too large to split into parts (where the look-ahead's bounds may be loose)."""
    with monkeypatch.context() as patched:
        if not by_parts:
            patched.setattr(analysis, "parts_of", lambda plan: None)
        rec = recommend(values, engine="python")
        assert rec.next_questions is not None  # works out the look-ahead first
        assert rec.is_settled == recommend(values, engine="python").analysis.is_settled
