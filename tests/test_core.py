"""The compiled core: every path (durable-rules, the python engine, the array path and the
analyses) gives the same answers, and results keep their rule set."""

from __future__ import annotations

import gc
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_advisor import Approach, Context, RuleSet, load_rules, recommend
from collab_advisor._advice.analysis import MAX_EXACT_COMPLETIONS, outlook_for
from collab_advisor._advice.facts import facts_of
from collab_advisor._engines.plan import plan_for, top_of
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._rulebook.compile import TOP_FIELD
from collab_advisor._rulebook.evaluation import Evaluation, Facts, first_holding

from .conftest import ROOT
from .strategies import contexts

_SHIPPED = load_rules()
_WITH_OWN = load_rules(ROOT / "rules", ROOT / "examples" / "custom_rules" / "our_rules.yaml")
_RULE_SETS = {"shipped": _SHIPPED, "shipped+own": _WITH_OWN}


def _fixed_point(rules: RuleSet, facts: Facts) -> Evaluation:
    """The textbook fixed point, one rule at a time: the oracle the core must equal."""
    findings: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in rules.compiled:
            if rule.concludes is None or rule.concludes in findings:
                continue
            if first_holding(rule, facts, findings) is not None:
                findings.add(rule.concludes)
                changed = True
    fired = {}
    for rule in rules.compiled:
        index = first_holding(rule, facts, findings)
        if index is not None:
            fired[rule.id] = index
    return Evaluation(fired, frozenset(findings))


@settings(max_examples=60)
@given(batch=st.lists(st.tuples(contexts(), st.sampled_from([None, *Approach])),
                      min_size=1, max_size=12),
       which=st.sampled_from(sorted(_RULE_SETS)))
def test_every_path_agrees_with_the_fixed_point(
        batch: list[tuple[Context, Approach | None]], which: str,
        durable_engine: str) -> None:
    """durable-rules, the python engine and the array path fire the same rules, through
    the same alternatives, and give the same scores, advice rules included."""
    from collab_advisor._engines.durable import DurableEngine
    from collab_advisor._engines.python import PythonEngine

    rules = _RULE_SETS[which]
    plan = plan_for(rules)
    rows: list[dict[str, Any]] = []
    for ctx, top in batch:
        facts: dict[str, Any] = dict(facts_of(ctx))
        if top is not None:
            facts[TOP_FIELD] = top.value
        rows.append(facts)
        expected = _fixed_point(rules, facts)
        assert PythonEngine().evaluate(rules, facts) == expected
        if len(rules.compiled) < 400:
            assert DurableEngine().evaluate(rules, facts) == expected
    scores, fired = plan.score_rows(plan.encode(rows))
    scoring_ids = [rule.id for rule in plan.all_rules if not rule.advises]
    for row, facts, ctx_top in zip(range(len(rows)), rows, batch, strict=True):
        expected = _fixed_point(rules, facts)
        assert {rule_id for rule_id, hit in zip(scoring_ids, fired[row], strict=True) if hit} \
            == {rule_id for rule_id in expected.fired if not rules.rule(rule_id).advise}
        if ctx_top[1] is None:
            rec = recommend(ctx_top[0], rules=rules, engine="python")
            assert [int(s) for s in scores[row]] == [rec.score_of(a) for a in Approach]


def _brute(rules: RuleSet, facts: Facts,
           domains: dict[str, list[Any]]) -> tuple[list[tuple[int, ...]], int]:
    plan = plan_for(rules)
    unknown = [f for f in RULE_FIELDS if f not in facts]
    options = [domains.get(f, list(plan.classes[f])) for f in unknown]
    every = [plan.score({**facts, **dict(zip(unknown, values, strict=True))})[0]
             for values in itertools.product(*options)]
    return every, top_of(plan.score(facts)[0])


@settings(max_examples=40)
@given(data=st.data(), ctx=contexts(),
       drop=st.sets(st.sampled_from(list(RULE_FIELDS)), min_size=1, max_size=5))
def test_the_outlook_over_restricted_domains_equals_brute_force(
        data: st.DataObject, ctx: Context, drop: set[str]) -> None:
    """Ranges, settledness and the approaches that can come first, with some unknown fields
    restricted to a few of their values, equal scoring every allowed completion."""
    plan = plan_for(_SHIPPED)
    complete = {f: plan.classes[f][0] for f in RULE_FIELDS}
    complete.update(facts_of(ctx))
    facts = {f: v for f, v in complete.items() if f not in drop}
    domains: dict[str, list[Any]] = {}
    for name in sorted(drop):
        if data.draw(st.booleans()):
            values = data.draw(st.lists(st.sampled_from(plan.classes[name]), min_size=1,
                                        max_size=3, unique=True))
            domains[name] = values
    result = outlook_for(plan, facts, domains)
    every, top = _brute(_SHIPPED, facts, domains)
    assert result.exact
    assert result.low == tuple(min(s[i] for s in every) for i in range(len(Approach)))
    assert result.high == tuple(max(s[i] for s in every) for i in range(len(Approach)))
    assert result.tops == {top_of(s) for s in every}
    assert result.settled == all(top_of(s) == top for s in every)
    for impact in result.impacts:
        if impact.field in domains:
            assert len(impact.values) == len(set(domains[impact.field]))


def test_ranges_are_exact_far_beyond_the_old_limit_of_20000() -> None:
    """A context with more than 100,000 combinations of answers still gets exact ranges."""
    plan = plan_for(_SHIPPED)
    known: dict[str, object] = {"time_span": "fixed_term", "origin": "intentional",
                                "existing_network": False}
    combinations = 1
    for name in RULE_FIELDS:
        if name not in known:
            combinations *= len(plan.classes[name])
    for name in RULE_FIELDS:  # answer fields, in order, until the rest fit the exact limit
        if combinations <= MAX_EXACT_COMPLETIONS:
            break
        if name not in known and RULE_FIELDS[name].kind != "count":
            known[name] = plan.classes[name][0]
            combinations //= len(plan.classes[name])
    assert 100_000 < combinations <= MAX_EXACT_COMPLETIONS
    rec = recommend(known, engine="python")
    assert rec.ranges_exact


def test_a_result_keeps_its_rules_after_the_caller_drops_them() -> None:
    """explain(), is_settled, what_if(), to_html() and JSON keep working after the custom
    rule set that made the result is dropped and garbage-collected."""
    rules: RuleSet | None = load_rules(
        ROOT / "rules", ROOT / "examples" / "custom_rules" / "our_rules.yaml")
    assert rules is not None
    rec = recommend({"aim": "share_know_how", "formality": "informal"}, rules=rules,
                    engine="python")
    rules = None
    gc.collect()
    assert "Community of Practice" in rec.explain()
    assert isinstance(rec.is_settled, bool)
    changed = rec.what_if(scope="multi_organisation", geographic_reach="regional")
    assert changed.recommendation.rules_fingerprint == rec.rules_fingerprint
    assert "<html" in rec.to_html()
    assert '"schema_version":3' in rec.model_dump_json()


def test_a_result_read_back_from_json_finds_the_shipped_rules() -> None:
    """A serialised result carries its schema version and reads back with working analyses."""
    from collab_advisor import Recommendation, analyse

    rec = recommend({"aim": "share_know_how"}, engine="python")
    again = Recommendation.model_validate_json(rec.model_dump_json())
    assert again.schema_version == 3
    assert analyse(again).is_settled == rec.is_settled
    assert analyse(again).next_questions == rec.next_questions


def test_an_unknown_value_in_a_domain_is_refused_with_the_field_named() -> None:
    """A domain naming a value the field does not have is a clear error."""
    from collab_advisor import CollabAdvisorError

    with pytest.raises(CollabAdvisorError, match=r"'aim'.*'cure_all'"):
        outlook_for(plan_for(_SHIPPED), {}, {"aim": ["cure_all"]})


@settings(max_examples=25)
@given(batch=st.lists(contexts(), min_size=1, max_size=40))
def test_the_survey_path_gives_what_recommend_gives(batch: list[Context]) -> None:
    """For every row, the array path's top, scores, settledness and fired rules equal a full
    recommendation's."""
    from collab_advisor._advice.batch import survey

    for ctx, row in zip(batch, survey(batch, chunk_size=7), strict=True):
        assert not isinstance(row, str)
        rec = recommend(ctx, engine="python")
        assert row.top is rec.top.approach
        assert row.tied_for_first == rec.tied_for_first
        assert row.level_on_points == rec.level_on_points
        assert row.scores == {a: rec.score_of(a) for a in Approach}
        assert row.fired_rules == rec.fired_rules
        assert row.settled == rec.is_settled


def test_a_dataframe_gets_its_advice_columns_and_errors_per_row() -> None:
    """recommend_frame keeps the input columns and adds the advice, a bad row's error named."""
    pd = pytest.importorskip("pandas")
    from collab_advisor import recommend_frame

    frame = pd.DataFrame({"aim": ["share_know_how", None, "cure_all"],
                          "sites": [3, 40, None]})
    out = recommend_frame(frame)
    assert list(out.columns[:2]) == ["aim", "sites"]
    first = recommend(aim="share_know_how", sites=3)
    assert out.loc[0, "top"] == first.top.approach.value
    assert out.loc[0, "settled"] == first.is_settled
    assert out.loc[1, "score_managed_clinical_network"] == recommend(sites=40).score_of(
        "managed_clinical_network")
    assert "aim" in out.loc[2, "error"] and pd.isna(out.loc[2, "top"])


def test_a_dataframe_with_an_id_column_gets_advice_and_keeps_the_ids() -> None:
    """recommend_frame passes a column that is not a context field through untouched."""
    pd = pytest.importorskip("pandas")
    from collab_advisor import recommend_frame

    frame = pd.DataFrame({"aim": ["share_know_how", "redesign_services"], "team_id": [7, 9]})
    out = recommend_frame(frame)
    assert out["team_id"].tolist() == [7, 9]
    assert out["error"].isna().all()
    assert out["top"].tolist() == [recommend(aim="share_know_how").top.approach.value,
                                   recommend(aim="redesign_services").top.approach.value]


def test_a_dataframe_run_twice_has_each_advice_column_once() -> None:
    """recommend_frame on its own output overwrites the advice columns instead of adding more."""
    pd = pytest.importorskip("pandas")
    from collab_advisor import recommend_frame

    once = recommend_frame(pd.DataFrame({"aim": ["share_know_how"], "sites": [3]}))
    twice = recommend_frame(once)
    assert list(twice.columns) == list(once.columns)
    assert twice.equals(once)


@given(ctx=contexts())
def test_the_cores_possible_rules_equal_the_rule_by_rule_check(ctx: Context) -> None:
    """The bit-set check of which rules could still fire agrees with checking each rule."""
    from collab_advisor._engines.plan import possible_rules

    plan = plan_for(_WITH_OWN)
    facts = facts_of(ctx)
    assert plan.possible(facts) == possible_rules(plan.rules, facts)
