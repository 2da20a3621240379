"""The analyses computed part by part (from the structure of the rules) equal scoring
every candidate one by one, on the shipped rules and on random custom rule sets."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_advisor import Approach, RuleSet, load_rules, path_to, recommend
from collab_advisor._advice import pathsearch
from collab_advisor._model.fields import RULE_FIELDS

from .strategies import _value

_SHIPPED = load_rules()
_CHOICES = sorted(name for name, spec in RULE_FIELDS.items() if spec.kind == "choice")
_APPROACHES = [approach.value for approach in Approach]


def _within_limits() -> st.SearchStrategy[dict[str, Any]]:
    """Contexts with at most nine rule fields unknown (within the exact limits)."""
    return st.sets(st.sampled_from(sorted(RULE_FIELDS)), max_size=9).flatmap(
        lambda unknown: st.fixed_dictionaries({name: _value(name) for name in
                                               sorted(RULE_FIELDS) if name not in unknown}))


def _partial() -> st.SearchStrategy[dict[str, Any]]:
    """Contexts with any subset of the rule fields known."""
    return st.sets(st.sampled_from(sorted(RULE_FIELDS))).flatmap(
        lambda known: st.fixed_dictionaries({name: _value(name) for name in sorted(known)}))


@st.composite
def _test(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"field": "sites", "gt": draw(st.integers(1, 60))}
    name = draw(st.sampled_from(_CHOICES))
    return {"field": name, "equals": draw(st.sampled_from(RULE_FIELDS[name].values))}


@st.composite
def _rule_file(draw: st.DrawFn) -> str:
    """A rule file of 1 to 6 scoring rules over a few fields, one of them maybe behind a
    finding that another rule concludes."""
    rules: list[dict[str, Any]] = []
    count = draw(st.integers(1, 6))
    with_finding = draw(st.booleans())
    if with_finding:
        rules.append({"id": "leads-to-x", "title": "Concludes x", "status": "experimental",
                      "when": {"all": draw(st.lists(_test(), min_size=1, max_size=2,
                                                          unique_by=lambda t: t["field"]))},
                      "concludes": "x", "source": [{"reference": "Test 2026"}]})
    for index in range(count):
        tests: list[Any] = draw(st.lists(_test(), min_size=1, max_size=3,
                                         unique_by=lambda t: t["field"]))
        if with_finding and index == 0:
            tests.append({"finding": "x"})
        score: list[dict[str, Any]] = [{"approach": approach, "points": draw(st.sampled_from(
            [-6, -4, -2, -1, 1, 2, 3, 5, 8])), "why": "A test rule."}
            for approach in draw(st.sets(st.sampled_from(_APPROACHES), min_size=1,
                                         max_size=2))]
        when: Any = ({"any": tests} if draw(st.booleans()) and len(tests) > 1
                     else {"all": tests})
        rules.append({"id": f"rule-{index}", "title": f"Rule {index}", "status": "experimental",
                      "when": when, "score": sorted(score, key=lambda s: s["approach"]),
                      "source": [{"reference": "Test 2026"}]})
    document: dict[str, Any] = {"schema_version": 1, "ruleset_version": "0.1.0",
                                "rules": rules}
    if with_finding:
        document["findings"] = [{"id": "x", "text": "A test finding"}]
    return json.dumps(document)  # JSON is YAML


def _load(text: str) -> RuleSet:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        return load_rules(path)


@settings(max_examples=40, deadline=None)
@given(text=_rule_file(), values=_partial())
def test_one_changed_answer_is_scored_as_a_row_of_codes_would_be(
        text: str, values: dict[str, Any]) -> None:
    """Scoring every single changed answer from the parts' lines gives the scores that
    listing a row of codes per candidate gives, on random rule sets and contexts."""
    import numpy as np

    from collab_advisor._advice.parts import parts_of
    from collab_advisor._engines.plan import plan_for

    for rules in (_SHIPPED, _load(text)):
        plan = plan_for(rules)
        parts = parts_of(plan)
        if parts is None:  # fields that interact too widely: no parts, searched one by one
            continue
        base = {name: code for name, code in zip(plan.fields, plan.codes_of(values),
                                                 strict=True) if name in values}
        options = [(name, code) for name in plan.classes
                   for code in range(len(plan.classes[name]) + 1)]
        chosen = np.arange(len(options), dtype=np.int64)[:, None]
        assert (pathsearch.single_scores(parts, base, options)
                == pathsearch._score_candidates(parts, base, options, chosen)).all()


def _one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pathsearch, "MAX_VECTOR_CELLS", 0)  # every candidate on the core


def _paths(rules: RuleSet, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    rec = recommend(values, rules=rules, engine="python")
    found = []
    for approach in Approach:
        path = path_to(rec, approach, rules=rules)
        found.append((path.found, path.changes, path.message))
    return found


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=_partial())
def test_path_to_by_parts_equals_scoring_each_candidate_on_the_shipped_rules(
        values: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """For any partial context and any approach, path_to finds the same changes when
    candidates are scored part by part as when each is scored on the compiled core."""
    fast = _paths(_SHIPPED, values)
    with monkeypatch.context() as patched:
        _one_by_one(patched)
        assert _paths(_SHIPPED, values) == fast


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_rule_file(), values=_partial())
def test_path_to_by_parts_equals_scoring_each_candidate_on_random_rule_sets(
        text: str, values: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """On random custom rule sets (findings included), path_to by parts gives exactly the
    changes that scoring every candidate one by one gives."""
    rules = _load(text)
    fast = _paths(rules, values)
    with monkeypatch.context() as patched:
        _one_by_one(patched)
        assert _paths(rules, values) == fast


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(
           st.text(st.sampled_from("ab -\t\n\x1c\u00a0é"), max_size=200),
           st.lists(st.text("ab-", max_size=100), max_size=12).map(" ".join),
           st.lists(st.text("abc", max_size=12), max_size=40).map("  ".join),
           st.lists(st.text("ab-é", min_size=1, max_size=95), min_size=1,
                    max_size=12).map(" ".join),
           st.lists(st.one_of(st.text("a", min_size=1, max_size=95),
                              st.text(" ", min_size=1, max_size=95)), max_size=12).map("".join)),
       indent=st.sampled_from(["", "  ", " " * 9]),
       first=st.sampled_from([None, "", "  1. ", "   +3  ", " " * 87]))
def test_the_explanations_wrapping_gives_textwraps_lines(text: str, indent: str,
                                                          first: str | None) -> None:
    """The explanation's line wrapping (a fast path for short texts, by position for words
    and spaces) gives exactly the lines textwrap gives."""
    import textwrap

    from collab_advisor._present.explain import _WIDTH, _wrap

    expected = textwrap.wrap(text, _WIDTH, initial_indent=first if first is not None
                             else indent, subsequent_indent=indent, break_on_hyphens=False)
    assert _wrap(text, indent, first) == expected


def _outlook_figures(rules: RuleSet, values: dict[str, Any]) -> tuple[Any, ...]:
    from collab_advisor._advice import analysis
    from collab_advisor._engines.plan import plan_for

    plan = plan_for(rules)
    seen = analysis.outlook_for(plan, {k: v for k, v in values.items() if k in plan.classes})
    impacts = sorted((i.field, i.tops, i.settles, i.open_after, i.changes_top)
                     for i in seen.impacts)
    return seen.low, seen.high, seen.exact, seen.settled, seen.tops, impacts


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_rule_file(), values=_within_limits())
def test_first_places_counted_by_parts_equal_every_completion_scored(
        text: str, values: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Ranges, settledness and each answer's first places, counted part by part over
    classes of equal points, equal scoring every completion one by one, on random custom
    rule sets."""
    from collab_advisor._advice import analysis

    rules = _load(text)
    fast = _outlook_figures(rules, values)
    with monkeypatch.context() as patched:
        patched.setattr(analysis, "parts_of", lambda plan: None)  # every completion scored
        slow = _outlook_figures(rules, values)
    assert fast[2] and slow[2]  # exact both ways
    assert fast == slow


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=_within_limits())
def test_first_places_counted_by_parts_equal_every_completion_on_the_shipped_rules(
        values: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same on the shipped rules, for contexts within the exact limits."""
    from collab_advisor._advice import analysis

    fast = _outlook_figures(_SHIPPED, values)
    assert fast[2]
    with monkeypatch.context() as patched:
        patched.setattr(analysis, "parts_of", lambda plan: None)
        assert _outlook_figures(_SHIPPED, values) == fast


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.none(), _rule_file()), values=_within_limits())
def test_first_places_from_one_flat_product_equal_the_pairwise_count(
        text: str | None, values: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each answer's first places counted over one flat product of the parts' classes are
    tops_apart's counts, however big the product, on the shipped and random rule sets."""
    from collab_advisor._advice import analysis, outlook_counts
    from collab_advisor._advice.parts import parts_of, tops_apart
    from collab_advisor._engines.plan import plan_for

    plan = plan_for(_SHIPPED if text is None else _load(text))
    parts = parts_of(plan)
    if parts is None:  # fields that interact too widely: the outlook scores every completion
        return
    facts = {k: v for k, v in values.items() if k in plan.classes}
    unknown = [name for name in plan.classes if name not in facts]
    codes = {name: list(range(len(plan.classes[name]))) for name in unknown}
    known = analysis.codes_of(plan, facts, unknown)
    monkeypatch.setattr(outlook_counts, "FLAT_CELLS", 10 ** 9)
    assert (outlook_counts.first_places_by_answer(parts, known, unknown, codes)
            == tops_apart(parts, known, unknown, codes))


def _beyond_limits() -> st.SearchStrategy[dict[str, Any]]:
    """Contexts with at most six rule fields known (most beyond the exact limits)."""
    return st.sets(st.sampled_from(sorted(RULE_FIELDS)), max_size=6).flatmap(
        lambda known: st.fixed_dictionaries({name: _value(name) for name in sorted(known)}))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.none(), _rule_file()), values=_beyond_limits())
def test_sampled_first_places_by_parts_equal_scoring_each_sample(
        text: str | None, values: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the exact limits, the seeded sample's first places per answer are the same
    whether its completions are scored from the parts' tables or rule by rule."""
    from collab_advisor._advice import analysis
    from collab_advisor._engines.plan import plan_for

    plan = plan_for(_SHIPPED if text is None else _load(text))
    facts = {k: v for k, v in values.items() if k in plan.classes}
    unknown = [name for name in plan.classes if name not in facts]
    codes = {name: list(range(len(plan.classes[name]))) for name in unknown}
    by_parts = analysis._sampled_tops(plan, facts, unknown, codes)
    with monkeypatch.context() as patched:
        patched.setattr(analysis, "parts_of", lambda plan: None)  # rule by rule
        assert analysis._sampled_tops(plan, facts, unknown, codes) == by_parts


def test_the_kept_lines_and_classes_stay_within_their_byte_bounds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With small byte bounds, the per-pattern lines and classes kept stop growing at
    them, and the outlook and robustness come out the same as with nothing kept."""
    from collab_advisor import analyse
    from collab_advisor._advice import outlook_counts
    from collab_advisor._advice.parts import parts_of
    from collab_advisor._engines.plan import plan_for
    from collab_advisor._model.samples import seeded_field_values

    rules = load_rules()  # a rule set of its own: nothing kept for it yet
    parts = parts_of(plan_for(rules))
    assert parts is not None
    contexts = seeded_field_values(60, seed=23)
    before = [analyse(recommend(v, rules=rules, engine="python"), rules)
              for v in contexts]
    monkeypatch.setattr(pathsearch, "LINE_BYTES_KEPT", 3_000)
    monkeypatch.setattr(outlook_counts, "CLASS_BYTES_KEPT", 3_000)
    pathsearch._lines_kept.pop(parts, None)
    pathsearch._lines_bytes.pop(parts, None)
    outlook_counts._kept.pop(parts, None)
    outlook_counts._kept_bytes.pop(parts, None)
    after = [analyse(recommend(v, rules=rules, engine="python"), rules) for v in contexts]
    assert [(a.score_ranges, a.next_questions, a.robustness) for a in after] == [
        (a.score_ranges, a.next_questions, a.robustness) for a in before]
    assert 0 < pathsearch._lines_bytes[parts] <= 3_000
    assert 0 < outlook_counts._kept_bytes[parts] <= 3_000
