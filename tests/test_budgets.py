"""Budgets, never hangs: rule files that would make a call run away are refused or bounded,
counted in units of work, never timed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_advisor import (
    CollabAdvisorError,
    EngineUnavailableError,
    RuleFileError,
    load_rules,
    recommend,
)
from collab_advisor._engines.durable import DURABLE_MAX_ALTERNATIVES
from collab_advisor._rulebook.compile import MAX_DISJUNCTS

from .conftest import ROOT

_HEADER = {"schema_version": 1, "ruleset_version": "0.1.0"}
_SOURCE = [{"reference": "Test 2025, budgets"}]


def _rule(rule_id: str, when: Any, points: int = 1) -> dict[str, Any]:
    return {"id": rule_id, "title": f"Rule {rule_id}", "status": "experimental", "when": when,
            "score": [{"approach": "managed_clinical_network", "points": points,
                       "why": "A test rule."}],
            "source": _SOURCE}


class _NoAliases(yaml.SafeDumper):
    """Writes shared values out in full: rule files refuse anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _write(path: Path, rules: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.dump({**_HEADER, "rules": rules}, Dumper=_NoAliases, sort_keys=False),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def thresholds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two thousand threshold rules on ``sites``, as in the issue's runaway case."""
    rules = [_rule(f"sites-{i}", {"field": "sites", "gt": 3 * i + 1}, 1 if i % 2 else -1)
             for i in range(2000)]
    return _write(tmp_path_factory.mktemp("rules") / "thresholds.yaml", rules)


def test_thousands_of_thresholds_are_analysed_on_python_and_refused_on_durable(
        thresholds: Path) -> None:
    """'auto' falls back to the python engine (recorded in rec.engine), 'durable' gives a
    clear error naming rules, and the analyses and path_to finish within their budgets."""
    rules = load_rules(ROOT / "rules", thresholds)
    assert sum(len(r.disjuncts) for r in rules.compiled) > DURABLE_MAX_ALTERNATIVES
    rec = recommend({"aim": "share_know_how", "time_span": "fixed_term"}, rules=rules)
    assert rec.engine == "python"
    with pytest.raises(EngineUnavailableError, match="durable-rules"):
        recommend({"sites": 4}, rules=rules, engine="durable")
    low, high = rec.ranking[0].score_range
    assert low <= rec.ranking[0].score <= high
    assert isinstance(rec.is_settled, bool)
    assert {q.field for q in rec.next_questions} == set(rec.unknown_fields)
    path = rec.path_to("community_of_practice")
    assert path.found or "budget" in path.message or "No combination" in path.message


def test_a_huge_nested_rule_is_refused_at_load_naming_the_rule(tmp_path: Path) -> None:
    """A rule of thousands of nested any/all whose alternatives mostly contradict each other
    is refused when loaded, counted before contradictions are discarded."""
    pair = ("    - any: [{field: aim, equals: share_know_how}, "
            "{field: aim, equals: redesign_services}]\n")
    path = tmp_path / "nested.yaml"
    path.write_text(
        "schema_version: 1\nruleset_version: 0.1.0\nrules:\n- id: huge-nest\n"
        "  title: A huge nest\n  status: experimental\n  score: [{approach: "
        "managed_clinical_network, points: 1, why: A test rule.}]\n"
        "  source: [{reference: 'Test 2025, budgets'}]\n  when:\n   all:\n"
        + pair * 18_000, encoding="utf-8")
    assert path.stat().st_size > 1_500_000
    with pytest.raises(RuleFileError, match=rf"'huge-nest'.*more than {MAX_DISJUNCTS}"):
        load_rules(path)


def _tests() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(lambda v: {"field": "aim", "equals": v},
                  st.sampled_from(["share_know_how", "redesign_services", "close_practice_gap"])),
        st.builds(lambda v: {"field": "sites", "gt": v}, st.integers(0, 50)),
        st.builds(lambda v: {"field": "formality", "equals": v},
                  st.sampled_from(["informal", "moderate", "highly_structured"])),
    )


_CONDITIONS = st.recursive(
    _tests(),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=6)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=6)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=60,
)


@settings(max_examples=60)
@given(when=_CONDITIONS)
def test_every_expanding_rule_shape_is_analysed_or_refused(when: dict[str, Any],
                                                          tmp_path_factory: pytest.TempPathFactory
                                                          ) -> None:
    """Any nesting of all/any/not either loads and is analysed, or is refused with an error
    that names the rule."""
    path = _write(tmp_path_factory.mktemp("fuzz") / "rule.yaml", [_rule("fuzzed", when)])
    refused: RuleFileError | None = None
    try:
        rules = load_rules(ROOT / "rules", path)
    except RuleFileError as error:
        refused = error
    if refused is not None:
        assert "'fuzzed'" in str(refused)
        return
    for rule in rules.compiled:
        assert len(rule.disjuncts) <= MAX_DISJUNCTS
    rec = recommend({"time_span": "open_ended"}, rules=rules, engine="python")
    assert isinstance(rec.is_settled, bool)
    assert rec.next_questions


def test_an_unknown_domain_value_is_a_library_error() -> None:
    """Restricting a field to a value it does not have raises CollabAdvisorError."""
    from collab_advisor._advice.analysis import outlook_for
    from collab_advisor._engines.plan import plan_for

    with pytest.raises(CollabAdvisorError, match="sites"):
        outlook_for(plan_for(load_rules()), {}, {"sites": [0]})
