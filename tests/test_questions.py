"""Exact settledness by parts, and the questions that settle the advice."""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from collab_advisor import Approach, load_rules, recommend
from collab_advisor._advice import analysis
from collab_advisor._advice import parts as parts_module
from collab_advisor._advice.analysis import (
    _enumerate,
    _tops_by_answer,
    codes_of,
    outlook_for,
    settled_exactly,
)
from collab_advisor._advice.confidence_count import spread_of
from collab_advisor._advice.confidence_stop import (
    PURPOSE_FIRST,
    expected_questions,
    question_order,
    quick_order,
    sharpening,
)
from collab_advisor._advice.facts import facts_of
from collab_advisor._advice.parts import (
    lookahead,
    part_gaps,
    part_scores,
    parts_of,
    settled_by_parts,
    tops_apart,
    tops_by_parts,
)
from collab_advisor._engines.plan import plan_for, top_of
from collab_advisor._model.context import Context
from collab_advisor._model.fields import FIELDS, RULE_FIELDS

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
    settled when no answers could change first place (sound bounds alone do not prove it).
    Managers lead, so no completion lets Clinical Community draw level with the network
    (a level finish would go to the stated tie-break)."""
    rec = recommend(time_span="open_ended", leadership="managerial",
                    single_org_can_solve=False, scope="multi_organisation",
                    geographic_reach="regional", aim="redesign_services")
    assert not rec.ranges_exact
    assert rec.is_settled


def _shortfall_of(codes: dict[str, int]) -> int:
    """Points by which other approaches could still catch the leader, worked out directly."""
    assert PARTS is not None
    top = top_of(part_scores(PARTS, codes))
    gaps = part_gaps(PARTS, codes, top)
    return sum(max(0, gap - (0 if other < top else 1) + 1)
               for other, gap in enumerate(gaps) if other != top)


@settings(max_examples=25, deadline=None)
@given(field_values())
def test_the_lookahead_counts_two_questions_ahead_as_its_docstring_says(
        values: dict[str, Any]) -> None:
    """Each field's expected questions still needed match the two-step look-ahead worked
    out answer by answer."""
    assert PARTS is not None
    facts = _facts(values)
    codes = codes_of(PLAN, facts)
    unknown = [name for name in PLAN.classes if name not in facts]
    answers = {name: list(range(len(PLAN.classes[name]))) for name in unknown}
    fast = lookahead(PARTS, codes, answers)
    for name in unknown:
        total = 0.0
        for answer in answers[name]:
            first = {**codes, name: answer}
            if not _shortfall_of(first):
                continue
            best = 0.0
            if len(unknown) > 1:
                best = min(statistics.mean(
                    0.0 if not (left := _shortfall_of({**first, other: code}))
                    else 1 + math.log1p(left) for code in answers[other])
                    for other in unknown if other != name)
            total += 1 + best
        assert fast[name] == pytest.approx(total / len(answers[name]), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(field_values(), st.integers(8, 14), st.data())
def test_completions_scored_by_parts_match_the_rule_by_rule_enumeration(
        values: dict[str, Any], keep: int, data: st.DataObject) -> None:
    """Counting which approach comes first per answer from the parts' tables gives the same
    counts as scoring every completion rule by rule, with answers restricted or not."""
    assert PARTS is not None
    facts = _facts(dict(list(values.items())[:keep]))
    unknown = [name for name in PLAN.classes if name not in facts]
    codes = {name: sorted(data.draw(st.sets(st.sampled_from(range(len(PLAN.classes[name]))),
                                            min_size=1)))
             for name in unknown}
    combinations = math.prod(len(c) for c in codes.values())
    if combinations > 60_000:
        return
    scores, fired = PLAN.score(facts)
    table = _enumerate(PLAN, facts, unknown, codes, scores, fired)
    expected = _tops_by_answer(table.argmax(axis=-1), unknown) if unknown else {}
    assert tops_apart(PARTS, codes_of(PLAN, facts), unknown, codes) == expected


def test_purpose_comes_before_control_when_they_are_equally_informative(
        tmp_path: Path) -> None:
    """With rules that treat clinical focus and control alike, the purpose question comes
    first although control comes first in the context's field order."""
    rules = tmp_path / "twins.yaml"
    rules.write_text(
        "schema_version: 1\nruleset_version: 0.1.0\nrules:\n"
        + "".join(
            f"- id: twin-{field.replace('_', '-')}\n  title: A twin rule on {field}\n"
            "  status: experimental\n"
            f"  when: {{field: {field}, equals: {value}}}\n  score: [{{approach: "
            "community_of_practice, points: 3, why: A test rule.}]\n"
            "  source: [{reference: 'Test 2026, tie-break'}]\n"
            for field, value in (("control", "self_directed"),
                                 ("clinical_focus", "specific_topic"))),
        encoding="utf-8")
    rest = {name: PLAN.classes[name][0] for name in RULE_FIELDS
            if name not in ("control", "clinical_focus")}
    rec = recommend(rest, rules=load_rules(rules), engine="python")
    assert rec.ranges_exact
    first, second = rec.next_questions
    assert (first.field, second.field) == ("clinical_focus", "control")
    assert (first.questions_after, first.open_after, first.changes_top, first.margin_shift) \
        == (second.questions_after, second.open_after, second.changes_top, second.margin_shift)
    assert list(RULE_FIELDS).index("control") < list(RULE_FIELDS).index("clinical_focus")


@settings(max_examples=60, deadline=None)
@given(field_values(), st.integers(6, 14), st.data())
def test_outlooks_by_parts_match_the_rule_by_rule_path(
        values: dict[str, Any], keep: int, data: st.DataObject) -> None:
    """Ranges, settledness, first places and every question's figures are the same whether
    worked out from the parts or rule by rule, for any field order (as teams use) and any
    restriction of the answers."""
    facts = _facts(dict(list(values.items())[:keep]))
    order = data.draw(st.lists(st.sampled_from(list(RULE_FIELDS)), unique=True))
    domains = {name: data.draw(st.sets(st.sampled_from(PLAN.classes[name]), min_size=1))
               for name in order if name not in facts and data.draw(st.booleans())}
    by_parts = outlook_for(PLAN, facts, domains, field_order=order)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis, "parts_of", lambda plan: None)
        by_rules = outlook_for(PLAN, facts, domains, field_order=order)
    assert (by_parts.exact, by_parts.tops) == (by_rules.exact, by_rules.tops)
    if by_parts.exact:
        assert (by_parts.low, by_parts.high, by_parts.settled) \
            == (by_rules.low, by_rules.high, by_rules.settled)
    else:
        assert by_parts.settled or not by_rules.settled  # exact by parts, bounds can only miss
    def figures(impact: analysis.FieldImpact) -> tuple[Any, ...]:
        return (impact.values, impact.tops, impact.changes_top, impact.settles,
                impact.margin_shift, impact.open_after)
    assert {i.field: figures(i) for i in by_parts.impacts} \
        == {i.field: figures(i) for i in by_rules.impacts}


def test_with_too_many_answers_to_pair_questions_look_one_answer_ahead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule set that splits sites into thousands of ranges is too big to pair every two
    answers, so each question's figure looks one answer ahead, as documented."""
    from collab_advisor._rulebook import checks

    from .test_budgets import _rule, _write

    # the loader now refuses such a set; the analyses still bound what they are given
    monkeypatch.setattr(checks, "MAX_COUNT_CLASSES", 10_000)
    monkeypatch.setattr(checks, "MAX_TABLE_CELLS", 10**9)

    path = _write(tmp_path / "thresholds.yaml",
                  [_rule(f"sites-{i}", {"field": "sites", "gt": 3 * i + 1}, 1 if i % 2 else -1)
                   for i in range(2000)])
    plan = plan_for(load_rules(Path(__file__).resolve().parents[1] / "rules", path))
    parts = parts_of(plan)
    assert parts is not None
    facts: dict[str, Any] = {"aim": "share_know_how", "time_span": "fixed_term"}
    codes = codes_of(plan, facts)
    answers = {name: list(range(len(plan.classes[name])))
               for name in plan.classes if name not in facts}
    units = sum(len(a) for a in answers.values())
    assert units * units * 16 > parts_module.LOOKAHEAD_BUDGET
    figures = lookahead(parts, codes, answers)
    for name in ("formality", "control"):
        expected = []
        for code in answers[name]:
            after = {**codes, name: code}
            top = top_of(part_scores(parts, after))
            left = sum(max(0, gap - (0 if other < top else 1) + 1)
                       for other, gap in enumerate(part_gaps(parts, after, top))
                       if other != top)
            expected.append(1 + math.log1p(left) if left else 0.0)
        assert figures[name] == pytest.approx(statistics.mean(expected), abs=1e-9)


def test_a_context_whose_completions_can_end_level_at_the_top_is_not_settled() -> None:
    """Where some completion leaves another approach level on points with the leader, the
    stated tie-break would decide first place, so the result is not called settled."""
    rec = recommend(time_span="open_ended", formality="highly_structured",
                    single_org_can_solve=False, scope="multi_organisation",
                    geographic_reach="regional", aim="redesign_services")
    assert rec.top.approach is Approach.MANAGED_CLINICAL_NETWORK
    assert rec.analysis.score_range(Approach.CLINICAL_COMMUNITY)[1] >= rec.top.score
    assert not rec.is_settled


def _open_spread(values: dict[str, Any], keep: int) -> Any:
    """The spread of first places over the fields of ``values`` after the first ``keep``."""
    facts = _facts(dict(list({**values, **{n: v for n, v in _ALL.items() if n not in values}}
                             .items())[:keep]))
    return spread_of(load_rules(), facts, alternatives=False)


_ALL = {name: PLAN.classes[name][0] for name in RULE_FIELDS}


@settings(max_examples=40, deadline=None)
@given(field_values(include_unknown=False), st.integers(12, 17))
def test_sharpening_averages_each_answer_by_its_own_weight(
        values: dict[str, Any], keep: int) -> None:
    """Averaged over a question's answers, the leader's share after it is at least the share
    now and the entropy left at most the entropy now (a question cannot blur the spread)."""
    spread = _open_spread(values, keep)
    assume(spread.exact)  # a sample's answers come in its own proportions, not the weights
    total = spread.total
    now_share = max(spread.outcomes) / total
    now_bits = -sum(c / total * math.log2(c / total) for c in spread.outcomes if c > 0)
    for name, score in sharpening(spread).items():
        assert now_share - 1e-6 <= score.expected_share <= 1 + 1e-9, name
        assert -1e-9 <= score.entropy_after <= now_bits + 1e-6, name
        assert 0 <= score.reaches_stop <= 1 + 1e-9, name


def _plain_questions(spread: Any, first: str, threshold: float) -> float:
    """``expected_questions`` for ``first``, by plain recursion over the scored rows."""
    names = [f.name for f in spread.fields]
    count = len(names)
    codes, masks, weights = spread.rows_of[:count], spread.rows_of[count], \
        spread.rows_of[count + 1]
    order = sorted(range(count), key=lambda j: (names[j] not in PURPOSE_FIRST, j))

    def branches(rows: list[int], j: int) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for r in rows:
            out.setdefault(int(codes[j][r]), []).append(r)
        return out

    def outcome_weights(rows: list[int]) -> dict[int, float]:
        seen: dict[int, float] = {}
        for r in rows:
            seen[int(masks[r])] = seen.get(int(masks[r]), 0.0) + float(weights[r])
        return seen

    def bits_left(rows: list[int], j: int) -> float:
        total = sum(float(weights[r]) for r in rows)
        bits = 0.0
        for part in branches(rows, j).values():
            seen = outcome_weights(part)
            weight = sum(seen.values())
            bits -= weight / total * sum(c / weight * math.log2(c / weight)
                                         for c in seen.values() if c > 0)
        return bits

    def asked_after(rows: list[int], asked: frozenset[int]) -> float:
        seen = outcome_weights(rows)
        weight = sum(seen.values())
        alone = max((c for m, c in seen.items() if m & (m - 1) == 0), default=0.0)
        if (alone / weight >= threshold or (len(seen) == 1 and spread.exact)
                or len(asked) == count):
            return 0.0
        j = min((j for j in order if j not in asked),
                key=lambda j: (round(bits_left(rows, j), 9), order.index(j)))
        return 1 + _averaged(rows, j, asked | {j})

    def _averaged(rows: list[int], j: int, asked: frozenset[int]) -> float:
        total = sum(float(weights[r]) for r in rows)
        return sum(sum(float(weights[r]) for r in part) / total * asked_after(part, asked)
                   for part in branches(rows, j).values())

    j = names.index(first)
    return 1 + _averaged(list(range(len(masks))), j, frozenset({j}))


@settings(max_examples=25, deadline=None)
@given(field_values(include_unknown=False), st.integers(13, 17),
       st.sampled_from([0.6, 0.8, 0.9]))
def test_expected_questions_to_the_stop_match_a_plain_recursion(
        values: dict[str, Any], keep: int, threshold: float) -> None:
    """The interview's look-ahead (all rows level by level at once) expects as many
    questions to the stop, for every first question, as asking case by case does."""
    spread = _open_spread(values, keep)
    ahead = expected_questions(spread, threshold)
    assert set(ahead) == {f.name for f in spread.fields}
    for name, expected in ahead.items():
        assert expected == pytest.approx(_plain_questions(spread, name, threshold)), name
        assert 1 <= expected <= len(spread.fields)


def test_the_interview_asks_first_the_question_expected_to_stop_it_soonest() -> None:
    """Of the open questions, the interview's order puts first the one after which the
    fewest questions are expected to the stop, and the next-question list stays cheap."""
    spread = spread_of(load_rules(), {"aim": "close_practice_gap",
                                      "single_org_can_solve": False}, alternatives=False)
    ahead = expected_questions(spread)
    order = question_order(spread, list(FIELDS))
    assert ahead[order[0]] == min(ahead.values())
    assert [ahead[n] for n in order] == sorted(ahead.values())
    rec = recommend(aim="close_practice_gap", single_org_can_solve=False)
    assert [q.field for q in rec.next_questions] == quick_order(spread, list(FIELDS))


def test_the_settled_proof_never_claims_what_the_exact_count_denies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On 300 random partial contexts, whenever first place is proved settled over a
    sampled count, counting every way exactly finds that approach first in all of them."""
    import random

    from collab_advisor._advice import confidence_count
    from collab_advisor._advice.confidence_count import spread_of
    from collab_advisor._advice.confidence_stop import settled_proof
    from collab_advisor._model.samples import seeded_field_values

    rules = load_rules()
    rng = random.Random(5)
    cases = []
    for values in seeded_field_values(300, seed=29, known=0.6):
        rec = recommend(values, engine="python")
        facts = dict(facts_of(rec.context))
        held = [name for name in RULE_FIELDS if name not in facts and rng.random() < 0.3]
        exact = spread_of(rules, facts, alternatives=False, held=held)
        if exact.exact:
            cases.append((facts, held, exact))
    monkeypatch.setattr(confidence_count, "EXACT_ROWS", 0)
    proved = 0
    for facts, held, exact in cases:
        sampled = spread_of(rules, facts, alternatives=False, held=held)
        if settled_proof(rules, facts, held, sampled):
            proved += 1
            assert [m for m, w in enumerate(exact.outcomes) if w > 0] == [sampled.leader()]
    assert proved > 10
