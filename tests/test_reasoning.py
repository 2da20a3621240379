"""Reasoning over unknowns: ranges, settledness, next questions, what-if, path-to, why-not, fit."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_advisor import (
    Approach,
    Context,
    EngineChoice,
    Recommendation,
    analyse,
    recommend,
    what_if,
)
from collab_advisor._advice.questions import INDEPENDENT_QUESTION
from collab_advisor._engines.plan import plan_for
from collab_advisor._model.fields import RULE_FIELDS

from .strategies import contexts


def _completions(ctx: Context, classes: dict[str, tuple[Any, ...]]) -> list[Context]:
    known = ctx.known()
    unknown = [f for f in RULE_FIELDS if f not in known]
    return [
        Context.model_validate({**known, **dict(zip(unknown, values, strict=True))})
        for values in itertools.product(*(classes[f] for f in unknown))
    ]


@given(ctx=contexts(), complete=contexts(include_unknown=False))
def test_completed_scores_fall_inside_the_ranges(ctx: Context, complete: Context) -> None:
    """Whatever the unknown fields turn out to be, each score lands inside its range,
    and a settled recommendation keeps its top approach."""
    rec = recommend(ctx, engine="python")
    filled = recommend({**complete.known(), **ctx.known()}, engine="python")
    for ranked in rec.ranking:
        low, high = ranked.score_range
        assert low <= filled.score_of(ranked.approach) <= high
    if rec.is_settled:
        assert filled.top.approach is rec.top.approach


@settings(max_examples=40)
@given(ctx=contexts(), drop=st.sets(st.sampled_from(list(RULE_FIELDS)), min_size=0, max_size=4))
def test_exact_ranges_match_scoring_every_completion(ctx: Context, drop: set[str]) -> None:
    """With few unknowns, ranges equal brute force over every answer, and settledness is
    sound, and exact wherever no completion ends level at the top."""
    complete_fields = {f: v for f, v in ctx.known().items() if f in RULE_FIELDS}
    for field in RULE_FIELDS:
        complete_fields.setdefault(field, plan_for(_rules()).classes[field][0])
    partial = Context.model_validate({k: v for k, v in complete_fields.items() if k not in drop})
    rec = recommend(partial, engine="python")
    assert rec.ranges_exact
    every = _completions(partial, plan_for(_rules()).classes)
    outcomes = [recommend(c, engine="python") for c in every]
    for ranked in rec.ranking:
        scores = [o.score_of(ranked.approach) for o in outcomes]
        assert ranked.score_range == (min(scores), max(scores))
    same = all(o.tied_for_first == rec.tied_for_first for o in outcomes)
    if rec.is_settled:  # sound: a settled result keeps its first place in every completion
        assert same
    if same and all(o.tie_break is None for o in outcomes):
        assert rec.is_settled  # exact wherever no completion ends level at the top


def _rules() -> Any:
    from collab_advisor._result.build import shipped_rules as _shipped_rules

    return _shipped_rules()


@settings(max_examples=60)
@given(truth=contexts(include_unknown=False))
def test_asking_the_top_question_repeatedly_settles_the_advice(truth: Context) -> None:
    """Answering the first next question, again and again, reaches settled advice that
    matches the advice for the whole truth."""
    answers: dict[str, Any] = {}
    rec = recommend(engine="python")
    asked = 0
    while not rec.is_settled:
        question = rec.next_questions[0]
        assert question.field not in answers
        answers[question.field] = truth.known()[question.field]
        asked += 1
        rec = recommend(answers, engine="python")
    assert asked <= len(RULE_FIELDS)
    assert rec.top.approach is recommend(truth, engine="python").top.approach


def test_a_complete_context_is_settled_with_no_questions() -> None:
    """With everything known there is nothing left to ask and nothing can change."""
    values = {f: plan_for(_rules()).classes[f][0] for f in RULE_FIELDS}
    rec = recommend(values)
    assert rec.is_settled and rec.ranges_exact and rec.next_questions == ()
    assert all(r.score_range == (r.score, r.score) for r in rec.ranking)


def test_next_questions_explain_themselves() -> None:
    """Each question carries the field's question, its answers, why it matters and what
    its answer is expected to do to the spread of first places."""
    rec = recommend(time_span="fixed_term", aim="close_practice_gap")
    assert {q.field for q in rec.next_questions} == set(rec.unknown_fields)
    first = rec.next_questions[0]
    assert first.question.endswith("?")
    assert first.answers and first.why
    assert all(0 <= q.stop_chance <= 1 for q in rec.next_questions)
    assert all(0 < q.lead_after <= 1 for q in rec.next_questions)


def test_what_if_reports_the_new_advice_and_what_changed(engine: EngineChoice) -> None:
    """A what-if gives the new ranking, the changes and every score's movement."""
    rec = recommend({"aim": "share_know_how", "formality": "informal"}, engine=engine)
    result = rec.what_if(aim="redesign_services", formality=None, scope="multi_organisation",
                         geographic_reach="regional",
                         single_org_can_solve=False)
    assert result.recommendation.engine == engine
    assert result.top_changed
    assert result.recommendation.top.approach is Approach.MANAGED_CLINICAL_NETWORK
    assert {c.field for c in result.changes} == {"aim", "formality", "scope",
                                                 "geographic_reach", "single_org_can_solve"}
    for approach in Approach:
        assert result.score_changes[approach] == (
            result.recommendation.score_of(approach) - rec.score_of(approach))
    assert "the best fit becomes Managed Clinical Network" in result.explain()
    assert rec.context.formality is not None  # the original is untouched


def test_what_if_refuses_bad_values_with_the_field_named() -> None:
    """A what-if with a misspelt value raises the usual validation error."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="time_span"):
        recommend(aim="share_know_how").what_if(time_span="fixed")


@pytest.mark.parametrize("target", list(Approach))
def test_path_to_finds_the_fewest_changes(target: Approach, engine: EngineChoice) -> None:
    """path_to's changes put the approach first, and no smaller set of changes would."""
    start = {"formality": "highly_structured", "time_span": "fixed_term",
             "aim": "close_practice_gap", "evidence": "established"}
    rec = recommend(start, engine=engine)
    path = rec.path_to(target)
    if target is rec.top.approach:
        assert path.found and path.changes == ()
        return
    assert path.found, path.message
    assert path.recommendation is not None
    assert path.recommendation.top.approach is target
    assert path.recommendation.engine == engine
    plan = plan_for(_rules())
    smaller = len(path.changes) - 1
    options = [(f, v) for f in RULE_FIELDS for v in plan.classes[f]]
    for combo in itertools.combinations(options, smaller):
        if len({f for f, _ in combo}) < smaller:
            continue
        trial = recommend({**start, **dict(combo)}, engine="python")
        assert trial.top.approach is not target, combo


def test_path_to_says_when_no_path_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    """When three changes are not enough, path_to says so instead of guessing."""
    from collab_advisor._advice import counterfactual as _counterfactual

    monkeypatch.setattr(_counterfactual, "MAX_PATH_CHANGES", 1)
    rec = recommend(formality="informal", aim="share_know_how", agenda_set_by="members",
                    origin="emergent", control="self_directed")
    path = rec.path_to(Approach.MANAGED_CLINICAL_NETWORK)
    assert not path.found and path.recommendation is None
    assert "No other answers to up to" in path.message


def test_why_not_lists_what_held_an_approach_back(engine: EngineChoice) -> None:
    """why_not shows negative reasons, unfired supporting rules with their failed
    conditions, and the gap to the top."""
    rec = recommend({"time_span": "fixed_term", "aim": "close_practice_gap"}, engine=engine)
    answer = rec.why_not("managed_clinical_network")
    assert answer.gap == rec.top.score - rec.score_of("managed_clinical_network")
    assert [r.rule_id for r in answer.held_back] == []  # rules 2.0.0: a term is QIC's alone
    redesign = next(r for r in answer.not_applied if r.rule_id == "mcn-redesign-services")
    assert redesign.unmet == ("aim is close practice gap (needs redesign services)",)
    managed = next(r for r in answer.not_applied if r.rule_id == "mcn-formally-managed")
    assert managed.unmet == ("formality is not known yet (needs highly structured)",)
    assert "4 points behind the top approach" in answer.explain()


def test_fit_is_strong_for_a_textbook_case_and_weak_when_nothing_fits() -> None:
    """A full collaborative vignette fits strongly; a context where every approach is held
    back raises the guidance's question about working independently."""
    strong = recommend(formality="highly_structured", time_span="fixed_term",
                       scope="multi_organisation", aim="close_practice_gap",
                       evidence="established", agenda_set_by="sponsor",
                       resourcing="dedicated_funding", sites=30)
    assert strong.fit.strength == "strong"
    weak_values: dict[str, Any] = {
        "formality": "moderate", "time_span": "fixed_term", "scope": "single_organisation",
        "control": "self_directed", "origin": "intentional", "agenda_set_by": "sponsor",
        "aim": "close_practice_gap", "evidence": "uncertain", "single_org_can_solve": True,
        "professions": "single_profession", "patient_involvement": "none",
        "resourcing": "goodwill_only", "leadership": "managerial", "existing_network": False,
        "sites": 2, "clinical_focus": "no_clinical_focus", "enabling_support": "none",
        "shared_domain": False, "geographic_reach": "local", "improvement_focus": "quality",
    }  # every field known (rules 2.0.0): nothing left that could still raise a score
    weak = recommend(weak_values)
    assert weak.fit.strength == "weak", weak.fit
    assert INDEPENDENT_QUESTION in weak.fit.message
    assert recommend().fit.strength == "unclear"


def test_results_read_back_from_json_still_answer_questions() -> None:
    """A recommendation stored as JSON and read back supports what-if and ranges."""
    rec = recommend(aim="share_know_how", formality="informal")
    again = Recommendation.model_validate_json(rec.model_dump_json())
    assert again == rec
    assert analyse(again).score_range(again.top.approach) == rec.ranking[0].score_range
    assert what_if(again, origin="emergent").recommendation.top.approach is rec.top.approach


def test_both_engines_give_the_same_analysis(durable_engine: EngineChoice) -> None:
    """Ranges, settledness, questions, fit and considerations agree across engines."""
    for values in ({"time_span": "fixed_term", "aim": "close_practice_gap",
                    "formality": "highly_structured", "scope": "multi_organisation",
                    "evidence": "established", "professions": "multi_professional"},
                   {"aim": "share_know_how", "formality": "informal"}, {}):
        by_rete = recommend(values, engine="durable")
        by_python = recommend(values, engine="python")
        assert by_rete.model_dump(exclude={"engine"}) == by_python.model_dump(exclude={"engine"})


@given(ctx=contexts())
def test_the_quick_settledness_check_never_disagrees_with_the_full_one(ctx: Context) -> None:
    """The cheap proof or witness, when it decides, agrees with the full analysis."""
    from collab_advisor._advice.analysis import outlook, quick_settled
    from collab_advisor._advice.facts import facts_of

    plan = plan_for(_rules())
    facts = facts_of(ctx)
    scores, fired = plan.score(facts)
    quick = quick_settled(plan, facts, scores, fired, list(RULE_FIELDS))
    full = outlook(plan, facts, scores, fired, list(RULE_FIELDS))
    if quick is not None and full.exact:
        assert quick == full.settled
    if quick is True:
        assert full.settled or not full.exact
    from collab_advisor._advice.settledness import no_level_at_top

    on_points = full.settled if quick is None else quick
    # first place on points settled, and no completion level at the top (the tie-break's)
    assert recommend(ctx, engine="python").is_settled == (
        on_points and no_level_at_top(plan, facts, scores, fired))


def test_why_not_of_a_tie_break_says_no_approach_stands_out() -> None:
    """why_not for the approach listed first only by the fixed order says no approach stands
    out yet instead of calling it the top approach."""
    text = recommend().why_not("qi_collaborative").explain()
    assert "No approach stands out yet" in text
    assert "the top approach." not in text
    assert "the top approach." in recommend(
        time_span="fixed_term", aim="close_practice_gap").why_not("qi_collaborative").explain()


def test_what_if_that_leaves_no_advice_names_no_winner() -> None:
    """A what-if after which no approach stands out says so instead of naming a best fit."""
    text = recommend(aim="share_know_how").what_if(aim=None).explain()
    assert "no approach stands out yet" in text
    assert "best fit becomes" not in text


def test_why_not_explains_a_missing_finding_by_the_answers_it_needs() -> None:
    """why_not says which answers a finding needs rather than that it was not established,
    and leaves out rule ids unless verbose."""
    answer = recommend(time_span="fixed_term", aim="close_practice_gap", sites=12,
                       scope="multi_organisation").why_not("managed_clinical_network")
    alone = next(r for r in answer.not_applied if r.rule_id == "mcn-beyond-one-organisation")
    assert alone.unmet == ("single org can solve is not known yet (needs no)",)
    purpose = next(r for r in answer.not_applied if r.rule_id == "mcn-redesign-services")
    assert "aim is close practice gap (needs redesign services)" in purpose.unmet
    plain = answer.explain(verbose=False)
    assert "not established" not in plain and "[mcn-" not in plain
    assert "2 points behind the top approach" in plain
    assert "[mcn-beyond-one-organisation]" in answer.explain()
