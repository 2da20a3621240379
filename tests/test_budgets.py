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
from collab_advisor._rulebook.compile import (
    MAX_DISJUNCTS,
    MAX_SET_EXPANSION,
    ConditionTooComplexError,
    compile_condition,
    expansion_of,
)
from collab_advisor._rulebook.format import Rule
from collab_advisor._rulebook.loader import MAX_COUNT_CLASSES, MAX_TABLE_CELLS

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


def test_thousands_of_thresholds_are_refused_at_load_naming_file_and_line(
        thresholds: Path) -> None:
    """Splitting sites into thousands of ranges is refused at load, at the rule whose
    threshold goes past the budget (a recommendation on it took minutes to explain)."""
    with pytest.raises(RuleFileError) as caught:
        load_rules(ROOT / "rules", thresholds)
    (problem,) = caught.value.problems
    assert problem.path == thresholds and problem.line is not None
    assert problem.rule_id is not None and problem.rule_id.startswith("sites-")
    assert f"more than the {MAX_COUNT_CLASSES}" in problem.message


def _pairs(rule_id: str, offset: int) -> dict[str, Any]:
    """A rule that is an 'all' of eight 'any'-pairs of choices: 256 alternatives."""
    fields = [("formality", ["informal", "moderate"]), ("scope", ["single_organisation",
              "multi_organisation"]), ("control", ["self_directed", "supported"]),
              ("origin", ["emergent", "intentional"]), ("evidence", ["established",
              "emerging"]), ("leadership", ["professional", "managerial"]),
              ("resourcing", ["goodwill_only", "some_support"]),
              ("professions", ["single_profession", "multi_professional"])]
    return _rule(rule_id, {"all": [
        {"any": [{"field": field, "equals": values[(offset + k) % 2]},
                 {"field": field, "equals": values[(offset + k + 1) % 2]}]}
        for k, (field, values) in enumerate(fields)]})


def test_wide_rules_are_analysed_on_python_and_refused_on_durable(tmp_path: Path) -> None:
    """Past durable-rules' alternatives, 'auto' falls back to the python engine (recorded in
    rec.engine), 'durable' gives a clear error, and the analyses finish within budgets."""
    path = _write(tmp_path / "pairs.yaml", [_pairs(f"pairs-{i}", i) for i in range(2)])
    rules = load_rules(ROOT / "rules", path)
    assert sum(len(r.disjuncts) for r in rules.compiled) > DURABLE_MAX_ALTERNATIVES
    rec = recommend({"aim": "share_know_how", "time_span": "fixed_term"}, rules=rules)
    assert rec.engine == "python"
    with pytest.raises(EngineUnavailableError, match="durable-rules"):
        recommend({"sites": 4}, rules=rules, engine="durable")
    low, high = rec.ranking[0].score_range
    assert low <= rec.ranking[0].score <= high
    assert isinstance(rec.is_settled, bool)
    assert {q.field for q in rec.next_questions} == set(rec.unknown_fields)
    path_to = rec.path_to("community_of_practice")
    assert path_to.found or "budget" in path_to.message or "No combination" in path_to.message


def _issue_rule_file(path: Path, count: int) -> Path:
    """The issue's file: ``count`` rules, each an 'all' of eight 'any'-pairs."""
    return _write(path, [_pairs(f"pairs-{i}", i) for i in range(count)])


def test_the_issues_780_wide_rules_are_refused_by_the_work_they_cause(tmp_path: Path) -> None:
    """780 rules of 256 alternatives (under the alternatives cap) are refused for the table
    cells the analyses would need, at the rule that passes the budget, before compiling."""
    path = _issue_rule_file(tmp_path / "wide.yaml", 780)
    assert MAX_SET_EXPANSION >= 780 * 256
    with pytest.raises(RuleFileError) as caught:
        load_rules(ROOT / "rules", path)
    (problem,) = caught.value.problems
    assert problem.path == path and problem.line is not None
    assert f"more than the {MAX_TABLE_CELLS:,}" in problem.message
    assert problem.rule_id is not None and f"'{problem.rule_id}'" in str(caught.value)


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


def _wide(rule_id: str, start: int) -> dict[str, Any]:
    """A rule whose 'when' expands into 256 alternatives (four 'any' of four thresholds)."""
    return _rule(rule_id, {"all": [
        {"any": [{"field": "sites", "gt": start + 7 * k + j} for j in range(4)]}
        for k in range(4)]})


def test_rules_that_together_expand_too_far_are_refused_naming_them(tmp_path: Path) -> None:
    """Rules each within their own limit but together over the set's budget are refused
    at load, naming the rules that expand most, before any is compiled."""
    count = MAX_SET_EXPANSION // MAX_DISJUNCTS + 1
    path = _write(tmp_path / "wide.yaml", [_wide(f"wide-{i}", i) for i in range(count)])
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert f"more than the {MAX_SET_EXPANSION:,}" in message
    assert "'wide-0' (256)" in message and "'wide-4' (256)" in message


@settings(max_examples=200)
@given(when=_CONDITIONS)
def test_the_counted_expansion_bounds_the_compile(when: dict[str, Any]) -> None:
    """The alternatives counted before compiling bound the ones compiling keeps, and a
    condition the compile refuses is counted over the limit."""
    rule = Rule.model_validate(_rule("counted", when))
    counted = expansion_of(rule.when)
    try:
        kept = len(compile_condition(rule.when))
    except ConditionTooComplexError:
        assert counted > MAX_DISJUNCTS
    else:
        assert kept <= counted


_THRESHOLD_SETS = st.lists(
    st.one_of(
        _CONDITIONS,
        st.builds(lambda low, width: {"all": [{"field": "sites", "gt": low},
                                              {"field": "sites", "lt": low + width}]},
                  st.integers(0, 10_000), st.integers(1, 50)),
        st.builds(lambda lows: {"any": [{"field": "sites", "gte": low} for low in lows]},
                  st.lists(st.integers(0, 10_000), min_size=1, max_size=40)),
    ),
    min_size=1, max_size=8)


@settings(max_examples=25, deadline=None)
@given(whens=_THRESHOLD_SETS, copies=st.integers(1, 120))
def test_every_expanding_rule_set_is_analysed_or_refused(
        whens: list[dict[str, Any]], copies: int,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """A set of many rules of nested all/any and many thresholds on sites (each shape
    repeated up to 120 times) either loads and is analysed on the python engine within
    its budgets, or is refused with a RuleFileError naming a rule."""
    rules = [_rule(f"r{i}-{j}", when, 1 if j % 2 else -1)
             for i, when in enumerate(whens) for j in range(copies)]
    path = _write(tmp_path_factory.mktemp("fuzzset") / "rules.yaml", rules)
    refused: RuleFileError | None = None
    try:
        loaded = load_rules(ROOT / "rules", path)
    except RuleFileError as error:
        refused = error
    if refused is not None:
        assert refused.problems and all(
            problem.rule_id is not None and f"'{problem.rule_id}'" in refused.report()
            for problem in refused.problems)
        return
    assert sum(min(expansion_of(rule.when), MAX_DISJUNCTS + 1)
               for rule in loaded.active) <= MAX_SET_EXPANSION
    rec = recommend({"time_span": "open_ended"}, rules=loaded, engine="python")
    low, high = rec.ranking[0].score_range
    assert low <= rec.ranking[0].score <= high
    assert isinstance(rec.is_settled, bool)
    assert rec.next_questions
