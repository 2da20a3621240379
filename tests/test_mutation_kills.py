"""Behaviour that mutation testing (scripts/mutation.py) found no test checking.

Each test here was written against a mutant of the compiler, the engines, the
scoring core or the analyses that the rest of the fast selection let survive.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from collab_advisor import (
    Approach,
    CollabAdvisorError,
    EngineChoice,
    RuleSet,
    load_rules,
    recommend,
)
from collab_advisor._advice.analysis import outlook_for
from collab_advisor._engines.plan import APPROACHES, ScoringPlan, Value, plan_for, top_of

from .conftest import write_rules

_SOURCE = [{"reference": "Our quality team 2026, internal review"}]


def _ruleset(folder: Path, rules: list[dict[str, Any]],
             findings: tuple[str, ...] = ()) -> RuleSet:
    """A rule set from plain rule dictionaries, written as one YAML file."""
    document: dict[str, Any] = {"schema_version": 1, "ruleset_version": "1.0.0"}
    if findings:
        document["findings"] = [{"id": f, "text": f"The finding {f} holds"} for f in findings]
    document["rules"] = [{"status": "experimental", "source": [dict(s) for s in _SOURCE], **rule}
                         for rule in rules]
    return load_rules(write_rules(folder, "rules.yaml", yaml.safe_dump(document)))


def _points(approach: str = "community_of_practice", points: int = 1) -> list[dict[str, Any]]:
    return [{"approach": approach, "points": points, "why": "The condition held."}]


def test_a_compiled_rule_reads_back_with_its_conclusion_points_and_kind(
        tmp_path: Path) -> None:
    """A compiled rule's JSON form names its conditions, the finding it concludes, its points
    and whether it is advice."""
    rules = _ruleset(tmp_path, [
        {"id": "many", "title": "Many sites", "when": {"field": "sites", "gte": 10},
         "concludes": "many-sites"},
        {"id": "wide", "title": "Wide reach", "when": {"finding": "many-sites"},
         "score": _points("managed_clinical_network", 2)},
    ], findings=("many-sites",))
    concluding = rules.compiled_rule("many").to_json()
    assert concluding["id"] == "many"
    assert concluding["concludes"] == "many-sites"
    assert concluding["points"] == {}
    assert concluding["advises"] is False
    assert concluding["when"] == [{"choices": {}, "ranges": {"sites": [10, 1_000_000]},
                                   "findings": []}]
    scoring = rules.compiled_rule("wide").to_json()
    assert scoring["concludes"] is None
    assert scoring["points"] == {"managed_clinical_network": 2}
    assert scoring["when"] == [{"choices": {}, "ranges": {}, "findings": ["many-sites"]}]


def test_a_rule_needing_a_finding_no_rule_concludes_never_fires(
        tmp_path: Path, engine: EngineChoice) -> None:
    """A rule that needs a finding no loaded rule concludes stays silent, on both engines,
    while the other rules still score."""
    rules = _ruleset(tmp_path, [
        {"id": "needs-many", "title": "Needs many sites", "when": {"finding": "many-sites"},
         "score": _points("managed_clinical_network", 3)},
        {"id": "small", "title": "Few sites", "when": {"field": "sites", "lte": 3},
         "score": _points("community_of_practice", 1)},
    ], findings=("many-sites",))
    rec = recommend({"sites": 2}, rules=rules, engine=engine)
    assert "needs-many" not in rec.fired_rules
    assert "small" in rec.fired_rules
    out = outlook_for(plan_for(rules), {"sites": 2})
    assert out.settled
    assert out.high[APPROACHES.index(Approach.MANAGED_CLINICAL_NETWORK)] == 0


def test_over_the_work_budget_the_ranges_are_sound_bounds_not_exact(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """When scoring every completion would exceed the work budget, the ranges are marked
    as bounds, and they still contain every completion's score."""
    from collab_advisor._advice import analysis as _analysis

    plan = plan_for(load_rules())
    facts = {name: values[0] for name, values in plan.classes.items()}
    open_fields = list(plan.classes)[:2]
    for name in open_fields:
        del facts[name]
    exact = outlook_for(plan, facts)
    assert exact.exact
    monkeypatch.setattr(_analysis, "ANALYSIS_BUDGET", 1)
    bounded = outlook_for(plan, facts)
    assert not bounded.exact
    for low, high, true_low, true_high in zip(bounded.low, bounded.high, exact.low,
                                              exact.high, strict=True):
        assert low <= true_low <= true_high <= high


def test_without_durable_rules_the_error_says_to_use_the_python_engine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Where durable-rules cannot be imported, asking for it says why and names the engine
    to use instead."""
    from collab_advisor import EngineUnavailableError
    from collab_advisor._engines import durable as _engine_durable

    monkeypatch.setattr(_engine_durable, "_IMPORT_ERROR", ["ImportError: no durable here"])
    with pytest.raises(EngineUnavailableError) as raised:
        _engine_durable._Runtime()
    message = str(raised.value)
    assert "ImportError: no durable here" in message
    assert "engine='python' (or 'auto')" in message


def _open_context(plan: ScoringPlan) -> tuple[dict[str, Value], list[str]]:
    """Known facts and three unknown fields under which more than one approach can lead."""
    names = list(plan.classes)
    for start in range(len(names) - 2):
        facts = {n: v[min(1, len(v) - 1)] for n, v in plan.classes.items()}
        unknown = names[start:start + 3]
        for name in unknown:
            del facts[name]
        if len(outlook_for(plan, facts).tops) > 1:
            return facts, unknown
    raise AssertionError("no three unknown fields leave first place open")


def test_each_question_says_how_open_first_place_stays_once_answered() -> None:
    """A question's open_after is 2 to the power of the entropy of which approach ranks
    first, averaged over its answers weighted by completions, as counted one by one."""
    plan = plan_for(load_rules())
    facts, unknown = _open_context(plan)
    out = outlook_for(plan, facts)
    assert out.exact
    tops: dict[tuple[Value, ...], int] = {}
    for combo in itertools.product(*(plan.classes[name] for name in unknown)):
        scores, _ = plan.score({**facts, **dict(zip(unknown, combo, strict=True))})
        tops[combo] = top_of(scores)
    assert out.tops == frozenset(tops.values())
    assert out.settled is False
    for impact in out.impacts:
        axis = unknown.index(impact.field)
        expected = 0.0
        for value in plan.classes[impact.field]:
            counts = Counter(top for combo, top in tops.items() if combo[axis] == value)
            weight = sum(counts.values())
            entropy = -sum(c / weight * math.log2(c / weight) for c in counts.values())
            expected += weight / len(tops) * entropy
        assert impact.open_after == pytest.approx(2 ** expected, abs=1e-9)
    keys = [(i.questions_after, i.open_after) for i in out.impacts]
    assert keys == sorted(keys)


def test_restricting_a_field_to_no_answer_is_refused_by_name() -> None:
    """An empty set of allowed answers for an unknown field is refused with a message
    naming the field."""
    plan = plan_for(load_rules())
    with pytest.raises(CollabAdvisorError, match="the domain of 'aim' is empty"):
        outlook_for(plan, {}, domains={"aim": []})
    with pytest.raises(CollabAdvisorError, match="'aim' holds 'nonsense'"):
        outlook_for(plan, {}, domains={"aim": ["nonsense"]})


def test_beyond_the_completion_limit_the_ranges_are_bounds_even_within_the_work_budget(
        ) -> None:
    """More combinations of answers than MAX_EXACT_COMPLETIONS give sound bounds, not exact
    ranges, even when the work budget alone would allow scoring them all."""
    from collab_advisor._advice import analysis as _analysis

    plan = plan_for(load_rules())
    sizes = {name: len(values) for name, values in plan.classes.items()}
    names = list(sizes)
    unknown: list[str] = []
    for name in names:
        trial = {n: sizes[n] for n in [*unknown, name]}
        if _analysis.work_of(plan, trial) > _analysis.ANALYSIS_BUDGET:
            break
        unknown.append(name)
    assert math.prod(sizes[n] for n in unknown) > _analysis.MAX_EXACT_COMPLETIONS
    facts = {n: plan.classes[n][0] for n in names if n not in unknown}
    out = outlook_for(plan, facts)
    assert not out.exact
    assert out.tops == frozenset()
