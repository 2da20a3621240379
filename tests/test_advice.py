"""Honest confidence and advice: fit on one scale, settled wording, robustness,
considerations every time and a checklist that ticks nothing from a proxy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from collab_advisor import (
    Approach,
    Consideration,
    ConsiderationKind,
    Context,
    Report,
    Robustness,
    load_rules,
    recommend,
)
from collab_advisor._advice.fit import STRONG_LEAD, STRONG_SHARE, WEAK_SHARE, reachable_best
from collab_advisor._engines.plan import APPROACHES, plan_for
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._model.samples import seeded_field_values

from .strategies import contexts

VIGNETTES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "vignettes.yaml").read_text(encoding="utf-8"))
COMPLETE = [v for v in VIGNETTES if len(v["context"]) == len(RULE_FIELDS)]

TEXTBOOK: dict[Approach, dict[str, Any]] = {
    # Each built from the features the guidance names for the approach, nothing else.
    Approach.QI_COLLABORATIVE: {
        "formality": "highly_structured", "time_span": "fixed_term",
        "scope": "multi_organisation", "professions": "multi_professional",
        "aim": "close_practice_gap", "evidence": "established"},
    Approach.COMMUNITY_OF_PRACTICE: {
        "formality": "informal", "origin": "emergent", "agenda_set_by": "members",
        "control": "self_directed", "aim": "share_know_how", "time_span": "open_ended"},
    Approach.MANAGED_CLINICAL_NETWORK: {
        "scope": "multi_organisation", "geographic_reach": "regional",
        "single_org_can_solve": False,
        "aim": "redesign_services", "time_span": "open_ended",
        "professions": "multi_professional", "leadership": "shared"},
    Approach.CLINICAL_COMMUNITY: {
        "aim": "improve_specialty_outcomes", "control": "accountable",
        "leadership": "professional", "agenda_set_by": "members",
        "resourcing": "some_support", "formality": "moderate"},
}


@pytest.mark.parametrize("vignette", COMPLETE, ids=[v["name"] for v in COMPLETE])
def test_a_complete_textbook_vignette_fits_strongly(vignette: dict[str, Any]) -> None:
    """Each complete vignette, one per approach, reads as the fit its note gives (strong
    unless the vignette says otherwise)."""
    rec = recommend(vignette["context"], engine="python")
    assert rec.top.approach is Approach(vignette["expect"])
    assert rec.fit.strength == vignette.get("fit", "strong"), rec.fit.message


@pytest.mark.parametrize("approach", list(TEXTBOOK), ids=[a.value for a in TEXTBOOK])
def test_a_textbook_context_from_the_guidance_fits_strongly(approach: Approach) -> None:
    """A context made only of the guidance's features of an approach ranks it first, strongly."""
    rec = recommend(TEXTBOOK[approach], engine="python")
    assert rec.top.approach is approach
    assert rec.fit.strength == "strong", rec.fit.message


@settings(max_examples=60)
@given(ctx=contexts())
def test_a_strong_fit_needs_half_the_reachable_best_and_a_clear_lead(ctx: Context) -> None:
    """Strong always means a share of at least half and a lead of at least four points; a
    lead of one point or a tie never reads as strong."""
    rec = recommend(ctx, engine="python")
    fit = rec.fit
    assert fit.lead == rec.top.score - rec.ranking[1].score
    assert fit.runner_up is rec.ranking[1].approach
    if fit.strength == "strong":
        assert fit.share >= STRONG_SHARE and fit.lead >= STRONG_LEAD
    if fit.lead <= 1:
        assert fit.strength != "strong"
    if fit.strength == "moderate":
        assert fit.share >= WEAK_SHARE


def test_a_narrow_lead_with_a_high_share_reads_as_close_not_strong() -> None:
    """Contexts where the top approach scores well but leads by a point exist, and none of
    them reads as strong: the message says the two are close."""
    narrow = []
    for values in seeded_field_values(400, seed=8, known=1.0):
        rec = recommend(values, engine="python")
        if rec.fit.lead == 1 and rec.fit.share >= STRONG_SHARE:
            narrow.append(rec)
    assert narrow, "the sample should hold a one-point lead with a high share"
    for rec in narrow:
        assert rec.fit.strength == "moderate"
        assert "close" in rec.fit.message


def test_the_reachable_best_is_reached_and_never_beaten() -> None:
    """Each approach's reachable best is at most its ceiling, no sampled context beats it,
    and the search finds a context that reaches it."""
    rules = load_rules()
    plan = plan_for(rules)
    best = reachable_best(rules)
    assert all(b <= c for b, c in zip(best, plan.ceilings, strict=True))
    seen = [0] * len(APPROACHES)
    for values in seeded_field_values(2000, seed=3, known=1.0, max_sites=120):
        scores, _ = plan.score(values)
        seen = [max(a, b) for a, b in zip(seen, scores, strict=True)]
    assert all(s <= b for s, b in zip(seen, best, strict=True)), (seen, best)


def test_the_reachable_best_is_below_the_ceiling_when_rules_exclude_each_other(
        tmp_path: Path) -> None:
    """Two rules that can never fire together count only the larger towards the best."""
    (tmp_path / "rules.yaml").write_text(
        "schema_version: 1\nruleset_version: 1.0.0\nrules:\n"
        "  - id: short\n    title: A fixed term\n    status: stable\n"
        "    when: {field: time_span, equals: fixed_term}\n"
        "    score: [{approach: qi_collaborative, points: 3, why: An example rule only.}]\n"
        "    source: [{guidance: Quality Improvement Collaboratives}]\n"
        "  - id: long\n    title: No planned end\n    status: stable\n"
        "    when: {field: time_span, equals: open_ended}\n"
        "    score: [{approach: qi_collaborative, points: 2, why: An example rule only.}]\n"
        "    source: [{guidance: Quality Improvement Collaboratives}]\n",
        encoding="utf-8")
    rules = load_rules(tmp_path)
    assert plan_for(rules).ceilings[0] == 5
    assert reachable_best(rules) == (3, 0, 0, 0)


def test_robustness_names_the_fewest_changes_that_hand_first_place_to_the_runner_up() -> None:
    """Applying the robustness changes puts the runner-up first, and no fewer changes do."""
    rec = recommend(COMPLETE[0]["context"], engine="python")
    robust = rec.robustness
    assert isinstance(robust, Robustness)
    assert robust is rec.robustness  # worked out once
    assert robust.runner_up is rec.ranking[1].approach
    assert robust.changes_needed == len(robust.changes) >= 1
    after = rec.what_if(**{c.field: c.after for c in robust.changes}).recommendation
    assert after.top.approach is robust.runner_up
    assert robust.changes_needed == len(rec.path_to(robust.runner_up).changes) == 2
    for change in robust.changes:
        single = rec.what_if(**{change.field: change.after}).recommendation
        assert single.top.approach is not robust.runner_up
    assert robust.message in " ".join(rec.explain().split())
    assert "robustness" in rec.report().model_dump()["analysis"]


def test_results_keep_every_key_they_had() -> None:
    """The report keeps every key the 0.1 result had: the stored ones in its recommendation,
    the analyses in its analysis."""
    report = recommend(aim="share_know_how", engine="python").report()
    dumped = report.model_dump(mode="json")
    assert {"context", "ranking", "findings", "fired_rules", "engine", "rules_version",
            "rules_fingerprint", "tied_for_first"} <= set(dumped["recommendation"])
    assert {"is_settled", "ranges_exact", "next_questions", "fit", "considerations",
            "planning_questions", "robustness", "score_ranges"} <= set(dumped["analysis"])
    assert {"strength", "share", "message"} <= set(dumped["analysis"]["fit"])
    again = Report.model_validate_json(report.model_dump_json())
    assert again == report
    assert again.analysis.fit.strength in ("strong", "moderate", "weak", "unclear")


def test_settled_advice_says_what_settled_means_in_every_output() -> None:
    """Where the advice is settled, explain(), Markdown and HTML all say it is a property of
    the rules and not certainty."""
    values = dict(COMPLETE[0]["context"])
    values.pop("sites")
    rec = recommend(values, engine="python")
    assert rec.is_settled and rec.unknown_fields
    for text in (rec.explain(), rec.to_markdown(), rec.to_html()):
        assert "Settled under these rules" in text
        assert "not a measure of certainty" in text
    assert "Still open (no answer can change first place under these rules)" in rec.explain()


@settings(max_examples=100)
@given(ctx=contexts())
def test_all_eight_considerations_appear_every_time(ctx: Context) -> None:
    """Every result lists the eight key considerations in the guidance's order, each raised
    with its reasons or shown as a reminder with none."""
    considerations = recommend(ctx, engine="python").considerations
    kinds = [c.kind for c in considerations if c.kind is not ConsiderationKind.EVIDENCE]
    assert kinds == [k for k in ConsiderationKind if k is not ConsiderationKind.EVIDENCE]
    for consideration in considerations:
        assert isinstance(consideration, Consideration)
        assert consideration.raised == bool(consideration.reasons)
        if not consideration.raised:
            assert consideration.reminder


def test_nothing_is_raised_on_an_empty_context() -> None:
    """With nothing known, every approach ties at zero, and no consideration or caveat is
    raised by the tie-break: all eight are reminders."""
    rec = recommend(engine="python")
    assert len(rec.tied_at_top) == 4
    assert not any(c.raised for c in rec.considerations)
    assert len(rec.considerations) == 8


def test_a_tie_raises_only_what_holds_for_every_tied_approach() -> None:
    """A context whose first place is tied raises its own considerations but no caveat on
    the approach that won only by the fixed order."""
    rec = recommend(patient_involvement="none", engine="python")
    assert len(rec.tied_at_top) > 1
    raised = {c.kind for c in rec.considerations if c.raised}
    assert raised == {ConsiderationKind.VOICES}
