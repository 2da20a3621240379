"""Every kind of condition, compiled from a small rule file and run on both engines.

Each test writes one rule whose ``when`` is the condition under test, loads it
with ``load_rules`` and checks on which contexts the rule fires. A test on an
unknown field is neither true nor false, and neither is its negation: a rule
fires only when what is known makes its condition certainly true. A reference
evaluator written here in three-valued (Kleene) logic is the oracle for a
sweep over many contexts.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from collab_advisor import EngineChoice, RuleSet, load_rules, recommend

from .conftest import write_rules

RULE = "rule-under-test"
FINDING = "many-sites"
FINDING_WHEN = {"field": "sites", "gte": 10}

_HEADER = """schema_version: 1
ruleset_version: 1.0.0
findings:
  - {id: many-sites, text: Ten or more sites take part}
rules:
  - id: many-sites-rule
    title: Ten or more sites is many
    status: experimental
    when: %s
    concludes: many-sites
    source: [{reference: "Our quality team 2026, internal review"}]
  - id: rule-under-test
    title: The condition under test
    status: experimental
    when: %s
    score: [{approach: community_of_practice, points: 1, why: The condition under test held.}]
    source: [{reference: "Our quality team 2026, internal review"}]
"""

_CACHE: dict[str, RuleSet] = {}


def _rules(condition: dict[str, Any], folder: Path) -> RuleSet:
    key = json.dumps(condition, sort_keys=True)
    if key not in _CACHE:
        folder = folder / str(len(_CACHE))
        path = write_rules(folder, "rules.yaml",
                           _HEADER % (json.dumps(FINDING_WHEN), json.dumps(condition)))
        _CACHE[key] = load_rules(path)
    return _CACHE[key]


def _fires(condition: dict[str, Any], ctx: dict[str, Any], engine: EngineChoice,
           folder: Path) -> bool:
    rules = _rules(condition, folder)
    return RULE in recommend(ctx, rules=rules, engine=engine).fired_rules


def _check(condition: dict[str, Any], cases: list[tuple[dict[str, Any], bool]],
           engine: EngineChoice, folder: Path) -> None:
    got = [(ctx, _fires(condition, ctx, engine, folder)) for ctx, _ in cases]
    assert got == cases, condition


# -- each operator at its boundaries, known and unknown --------------------------------


def test_equals(engine: EngineChoice, tmp_path: Path) -> None:
    """equals holds for that value only; other values and unknown do not fire."""
    _check({"field": "aim", "equals": "share_know_how"},
           [({"aim": "share_know_how"}, True), ({"aim": "redesign_services"}, False),
            ({}, False)], engine, tmp_path)
    _check({"field": "single_org_can_solve", "equals": False},
           [({"single_org_can_solve": False}, True), ({"single_org_can_solve": True}, False),
            ({}, False)], engine, tmp_path)
    _check({"field": "sites", "equals": 3},
           [({"sites": 3}, True), ({"sites": 2}, False), ({"sites": 4}, False), ({}, False)],
           engine, tmp_path)


def test_in(engine: EngineChoice, tmp_path: Path) -> None:
    """in holds for any listed value; an unlisted value or unknown does not fire."""
    _check({"field": "aim", "in": ["share_know_how", "close_practice_gap"]},
           [({"aim": "share_know_how"}, True), ({"aim": "close_practice_gap"}, True),
            ({"aim": "redesign_services"}, False), ({}, False)], engine, tmp_path)


def test_gt(engine: EngineChoice, tmp_path: Path) -> None:
    """gt 3 holds from 4 up: 3 itself does not fire."""
    _check({"field": "sites", "gt": 3},
           [({"sites": 4}, True), ({"sites": 3}, False), ({"sites": 1}, False),
            ({"sites": 1_000_000}, True), ({}, False)], engine, tmp_path)


def test_gte(engine: EngineChoice, tmp_path: Path) -> None:
    """gte 3 holds from 3 up: 2 does not fire."""
    _check({"field": "sites", "gte": 3},
           [({"sites": 3}, True), ({"sites": 2}, False), ({"sites": 4}, True), ({}, False)],
           engine, tmp_path)


def test_lt(engine: EngineChoice, tmp_path: Path) -> None:
    """lt 3 holds up to 2: 3 itself does not fire."""
    _check({"field": "sites", "lt": 3},
           [({"sites": 2}, True), ({"sites": 1}, True), ({"sites": 3}, False), ({}, False)],
           engine, tmp_path)


def test_lte(engine: EngineChoice, tmp_path: Path) -> None:
    """lte 3 holds up to 3: 4 does not fire."""
    _check({"field": "sites", "lte": 3},
           [({"sites": 3}, True), ({"sites": 4}, False), ({"sites": 1}, True), ({}, False)],
           engine, tmp_path)


def test_not(engine: EngineChoice, tmp_path: Path) -> None:
    """not holds when the field is known to fail the test; never when it is unknown."""
    _check({"not": {"field": "aim", "equals": "share_know_how"}},
           [({"aim": "redesign_services"}, True), ({"aim": "share_know_how"}, False),
            ({}, False)], engine, tmp_path)
    _check({"not": {"field": "single_org_can_solve", "equals": True}},
           [({"single_org_can_solve": False}, True), ({"single_org_can_solve": True}, False),
            ({}, False)], engine, tmp_path)
    _check({"not": {"field": "sites", "gt": 3}},
           [({"sites": 3}, True), ({"sites": 4}, False), ({}, False)], engine, tmp_path)
    _check({"not": {"field": "sites", "gte": 3}},
           [({"sites": 2}, True), ({"sites": 3}, False), ({}, False)], engine, tmp_path)
    _check({"not": {"field": "sites", "lt": 3}},
           [({"sites": 3}, True), ({"sites": 2}, False), ({}, False)], engine, tmp_path)
    _check({"not": {"field": "sites", "lte": 3}},
           [({"sites": 4}, True), ({"sites": 3}, False), ({}, False)], engine, tmp_path)
    _check({"not": {"field": "sites", "equals": 3}},
           [({"sites": 2}, True), ({"sites": 4}, True), ({"sites": 3}, False), ({}, False)],
           engine, tmp_path)
    _check({"not": {"not": {"field": "aim", "equals": "share_know_how"}}},
           [({"aim": "share_know_how"}, True), ({"aim": "redesign_services"}, False),
            ({}, False)], engine, tmp_path)


def test_any(engine: EngineChoice, tmp_path: Path) -> None:
    """any holds when one part certainly holds, whatever the others; unknown parts
    alone never make it fire."""
    condition = {"any": [{"field": "aim", "equals": "share_know_how"},
                         {"field": "sites", "gt": 3}]}
    _check(condition,
           [({"aim": "share_know_how"}, True), ({"sites": 4}, True),
            ({"aim": "redesign_services", "sites": 4}, True),
            ({"aim": "redesign_services", "sites": 3}, False),
            ({"aim": "redesign_services"}, False), ({}, False)], engine, tmp_path)


def test_all(engine: EngineChoice, tmp_path: Path) -> None:
    """all holds only when every part certainly holds; one unknown part stops it."""
    condition = {"all": [{"field": "aim", "equals": "share_know_how"},
                         {"field": "sites", "lte": 3}]}
    _check(condition,
           [({"aim": "share_know_how", "sites": 3}, True),
            ({"aim": "share_know_how", "sites": 4}, False),
            ({"aim": "share_know_how"}, False), ({"sites": 2}, False),
            ({"aim": "redesign_services", "sites": 2}, False)], engine, tmp_path)


def test_not_of_all_and_not_of_any(engine: EngineChoice, tmp_path: Path) -> None:
    """not all holds when one part is known false; not any needs every part known false."""
    parts = [{"field": "aim", "equals": "share_know_how"}, {"field": "sites", "gt": 3}]
    _check({"not": {"all": parts}},
           [({"aim": "redesign_services"}, True), ({"sites": 3}, True),
            ({"aim": "share_know_how", "sites": 4}, False),
            ({"aim": "share_know_how"}, False), ({}, False)], engine, tmp_path)
    _check({"not": {"any": parts}},
           [({"aim": "redesign_services", "sites": 3}, True),
            ({"aim": "redesign_services"}, False), ({"sites": 3}, False),
            ({"aim": "share_know_how", "sites": 3}, False), ({}, False)], engine, tmp_path)


def test_finding(engine: EngineChoice, tmp_path: Path) -> None:
    """A finding holds once the rule concluding it has fired, alone or with other parts."""
    _check({"finding": FINDING},
           [({"sites": 10}, True), ({"sites": 9}, False), ({}, False)], engine, tmp_path)
    _check({"all": [{"finding": FINDING}, {"field": "aim", "equals": "share_know_how"}]},
           [({"sites": 12, "aim": "share_know_how"}, True),
            ({"sites": 12}, False), ({"sites": 2, "aim": "share_know_how"}, False)],
           engine, tmp_path)
    _check({"any": [{"finding": FINDING}, {"field": "aim", "equals": "share_know_how"}]},
           [({"sites": 12}, True), ({"aim": "share_know_how"}, True),
            ({"sites": 2, "aim": "redesign_services"}, False), ({}, False)],
           engine, tmp_path)


# -- a sweep against a three-valued reference ----------------------------------------


def _kleene(condition: dict[str, Any], ctx: dict[str, Any]) -> bool | None:
    """True, False, or None (not known) under Kleene's three-valued logic."""
    if "not" in condition:
        inner = _kleene(condition["not"], ctx)
        return None if inner is None else not inner
    if "all" in condition or "any" in condition:
        children: list[dict[str, Any]] = condition["all" if "all" in condition else "any"]
        parts = [_kleene(part, ctx) for part in children]
        decisive = "all" not in condition  # a False decides all, a True decides any
        if decisive in parts:
            return decisive
        return None if None in parts else not decisive
    if "finding" in condition:
        sites = ctx.get("sites")
        return None if sites is None else sites >= FINDING_WHEN["gte"]
    value = ctx.get(condition["field"])
    if value is None:
        return None
    for operator, test in (("equals", lambda v, o: v == o), ("in", lambda v, o: v in o),
                           ("gt", lambda v, o: v > o), ("gte", lambda v, o: v >= o),
                           ("lt", lambda v, o: v < o), ("lte", lambda v, o: v <= o)):
        if operator in condition:
            return bool(test(value, condition[operator]))
    raise AssertionError(condition)  # pragma: no cover


_AIM = {"field": "aim", "in": ["share_know_how", "close_practice_gap"]}
_ALONE = {"field": "single_org_can_solve", "equals": True}
SWEEP: list[dict[str, Any]] = [
    {"any": [{"not": _AIM}, {"all": [{"field": "sites", "gt": 2}, {"not": _ALONE}]}]},
    {"not": {"all": [_AIM, {"any": [{"field": "sites", "lte": 2}, _ALONE]}]}},
    {"all": [{"not": {"field": "sites", "lt": 3}}, {"not": {"field": "sites", "gte": 10}}]},
    {"any": [{"finding": FINDING}, {"all": [{"not": _ALONE}, _AIM]}]},
]
CONTEXTS = [
    {k: v for k, v in zip(("aim", "single_org_can_solve", "sites"), values, strict=True)
     if v is not None}
    for values in itertools.product(
        [None, "share_know_how", "redesign_services"], [None, True, False],
        [None, 1, 2, 3, 9, 10, 11])
]


@pytest.mark.parametrize("condition", SWEEP, ids=[f"sweep{n}" for n in range(len(SWEEP))])
def test_nested_conditions_fire_exactly_when_certainly_true(
        condition: dict[str, Any], engine: EngineChoice, tmp_path: Path) -> None:
    """Over every mix of known and unknown answers, a nested condition fires exactly
    when three-valued logic says it is certainly true."""
    expected = [(ctx, _kleene(condition, ctx) is True) for ctx in CONTEXTS]
    assert any(fired for _, fired in expected) and not all(fired for _, fired in expected)
    _check(condition, expected, engine, tmp_path)


def test_learning_more_never_stops_a_rule_firing(tmp_path: Path) -> None:
    """Monotonicity: if a rule fires on a context, it fires on every fuller context."""
    for condition in SWEEP:
        for ctx in CONTEXTS:
            if not _fires(condition, ctx, "python", tmp_path):
                continue
            fuller = [other for other in CONTEXTS
                      if all(other.get(k) == v for k, v in ctx.items())]
            assert all(_fires(condition, other, "python", tmp_path) for other in fuller)
