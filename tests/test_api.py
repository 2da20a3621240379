"""The public API: recommend(), its inputs, its result and its errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import collab_advisor
from collab_advisor import (
    Approach,
    CollabAdvisorError,
    Context,
    EngineChoice,
    EngineError,
    EngineUnavailableError,
    Recommendation,
    RuleFileError,
    RuleSet,
    load_rules,
    recommend,
)

from .conftest import write_rules


def test_three_ways_of_giving_a_context_agree() -> None:
    """A Context, a mapping and keywords describing the same context give the same result."""
    fields: dict[str, Any] = {"time_span": "fixed_term", "aim": "close_practice_gap", "sites": 20}
    by_model = recommend(Context(**fields), engine="python")
    by_mapping = recommend(fields, engine="python")
    by_keywords = recommend(engine="python", **fields)
    assert by_model == by_mapping == by_keywords
    assert by_model.top.approach is Approach.QI_COLLABORATIVE


def test_every_approach_is_ranked_even_with_nothing_known(engine: EngineChoice) -> None:
    """An empty context still ranks all four approaches: listed in the documented order,
    all sharing first place (a tie is a tie, not a preference by list order)."""
    rec = recommend(engine=engine)
    assert [r.approach for r in rec.ranking] == list(Approach)
    assert [r.rank for r in rec.ranking] == [1, 1, 1, 1]
    assert rec.tied_for_first == tuple(Approach) and rec.is_tie
    assert all(r.score == 0 and r.reasons == () for r in rec.ranking)
    assert rec.tied_at_top == tuple(Approach)


def test_ties_are_broken_by_the_order_of_approach(engine: EngineChoice) -> None:
    """Approaches with equal scores keep the order in which Approach declares them."""
    rec = recommend({"formality": "moderate"}, engine=engine)
    scores = [r.score for r in rec.ranking]
    assert scores == sorted(scores, reverse=True)
    for first, second in zip(rec.ranking, rec.ranking[1:], strict=False):
        if first.score == second.score:
            order = list(Approach)
            assert order.index(first.approach) < order.index(second.approach)


def test_each_score_is_the_sum_of_its_reasons(engine: EngineChoice) -> None:
    """Every point in a score is accounted for by a listed reason."""
    rec = recommend(
        {"formality": "highly_structured", "time_span": "fixed_term", "scope": "multi_organisation",
         "single_org_can_solve": False, "resourcing": "goodwill_only"},
        engine=engine,
    )
    for ranked in rec.ranking:
        assert ranked.score == sum(reason.points for reason in ranked.reasons)
        assert all(reason.source and reason.text for reason in ranked.reasons)


CHAINED_RULES = """\
schema_version: 1
ruleset_version: 1.0.0
findings:
  - {id: member-led-ethos, text: Members set the agenda and professionals lead}
  - {id: central-support, text: A supporting hub gives administrative and managerial help}
  - id: supported-member-led-community
    text: "A member-led, professionally run effort is backed by a supporting hub"
rules:
  - id: members-lead-and-decide
    title: Members decide the agenda, with professionals leading
    status: stable
    when: {all: [{field: agenda_set_by, equals: members},
                 {field: leadership, equals: professional}]}
    concludes: member-led-ethos
    source: [{guidance: Clinical Communities}]
  - id: hub-gives-support
    title: Resources and managerial support stand behind the members
    status: stable
    when: {all: [{field: resourcing, equals: some_support},
                 {field: control, equals: accountable}]}
    concludes: central-support
    source: [{guidance: Clinical Communities}]
  - id: member-led-with-hub
    title: A member-led ethos backed by a supporting hub
    status: stable
    when: {all: [{finding: member-led-ethos}, {finding: central-support}]}
    concludes: supported-member-led-community
    source: [{guidance: Clinical Communities}]
  - id: cc-member-led-with-support
    title: Members lead, with backing behind them
    status: stable
    when: {finding: supported-member-led-community}
    score:
      - {approach: clinical_community, points: 3, why: Our board counts a backed member-led group.}
    source: [{guidance: Clinical Communities}]
"""


def test_reasons_trace_the_findings_they_came_through(engine: EngineChoice,
                                                      tmp_path: Path) -> None:
    """A rule that fired through a finding shows the finding and the rules behind it (the
    shipped rules 2.0.0 score from fields only, so an organisation's own chain is used)."""
    rules = load_rules(write_rules(tmp_path, "chain.yaml", CHAINED_RULES))
    rec = recommend(
        {"agenda_set_by": "members", "leadership": "professional",
         "resourcing": "some_support", "control": "accountable"}, engine=engine, rules=rules
    )
    community = next(r for r in rec.ranking if r.approach is Approach.CLINICAL_COMMUNITY)
    reason = next(r for r in community.reasons if r.rule_id == "cc-member-led-with-support")
    (trace,) = reason.via
    assert trace.finding == "supported-member-led-community"
    (inference,) = trace.established_by
    assert inference.rule_id == "member-led-with-hub"
    assert {t.finding for t in inference.via} == {"member-led-ethos", "central-support"}
    text = rec.explain()
    assert "because: A member-led, professionally run effort is backed by a supporting hub" in text
    assert "[members-lead-and-decide]" in text


def test_result_records_engine_version_and_fingerprint(
    engine: EngineChoice, shipped: RuleSet
) -> None:
    """The result says which engine ran and which rules it used."""
    rec = recommend({"aim": "share_know_how"}, engine=engine)
    assert rec.engine == engine
    assert rec.rules_version == shipped.version == "2.0.0"
    assert rec.rules_fingerprint == shipped.fingerprint
    assert f"Rules {shipped.version}" in rec.explain()


def test_recommendation_is_a_frozen_model_that_round_trips_through_json() -> None:
    """model_dump(mode='json') is plain JSON and validates back to an equal result."""
    rec = recommend({"control": "accountable", "aim": "improve_specialty_outcomes"})
    dumped = rec.model_dump(mode="json")
    again = Recommendation.model_validate(json.loads(json.dumps(dumped)))
    assert again == rec
    with pytest.raises(ValidationError):
        rec.engine = "python"


def test_a_misspelt_value_names_the_field_and_lists_allowed_values() -> None:
    """Bad context input raises pydantic's ValidationError naming field and values."""
    with pytest.raises(ValidationError) as caught:
        recommend({"time_span": "fixed"})
    message = str(caught.value)
    assert "time_span" in message
    assert "'fixed_term'" in message and "'open_ended'" in message


def test_an_unknown_field_is_refused() -> None:
    """A field the context does not have is an error, not silently ignored."""
    with pytest.raises(ValidationError, match="timespan"):
        recommend(timespan="fixed_term")


@pytest.mark.parametrize("sites", [0, -3, 1_000_001])
def test_sites_out_of_range_is_refused(sites: int) -> None:
    """Sites must be a whole number from 1 to 1,000,000."""
    with pytest.raises(ValidationError, match="sites"):
        Context(sites=sites)


def test_context_and_keywords_together_is_a_clear_error() -> None:
    """Giving a context and keywords at once is refused rather than merged silently."""
    with pytest.raises(TypeError, match="not both"):
        recommend({"aim": "share_know_how"}, sites=3)


def test_a_context_of_the_wrong_type_is_a_clear_error() -> None:
    """Passing text instead of a context names what was expected."""
    with pytest.raises(TypeError, match="Context or a mapping"):
        recommend("fixed_term")  # type: ignore[arg-type]


def test_an_unknown_engine_lists_the_choices() -> None:
    """The engine argument lists its allowed values when it is wrong."""
    with pytest.raises(ValueError, match="'auto', 'durable', 'python'"):
        recommend(engine="rete")  # type: ignore[arg-type]


def test_rules_must_be_a_rule_set() -> None:
    """Passing a path instead of a loaded rule set says how to load one."""
    with pytest.raises(TypeError, match="load_rules"):
        recommend(rules="rules/")  # type: ignore[arg-type]


def test_error_classes_share_one_base() -> None:
    """Rule-file and engine errors can be caught as CollabAdvisorError."""
    assert issubclass(RuleFileError, CollabAdvisorError)
    assert issubclass(EngineError, CollabAdvisorError)
    assert issubclass(EngineUnavailableError, EngineError)


def test_context_is_frozen_and_describes_itself_in_its_schema() -> None:
    """Every field and every value carries a plain-language description."""
    ctx = Context(aim="share_know_how")
    with pytest.raises(ValidationError):
        ctx.aim = None  # type: ignore[misc]
    schema = Context.model_json_schema()
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name
        assert prop.get("question"), name
    for definition in schema["$defs"].values():
        assert len(definition["enumDescriptions"]) == len(definition["enum"])
        assert all(definition["enumDescriptions"])


def test_approaches_have_names_and_descriptions() -> None:
    """Each approach has its display name and a paragraph describing it."""
    assert [a.value for a in Approach] == [
        "qi_collaborative", "community_of_practice", "managed_clinical_network",
        "clinical_community",
    ]
    for approach in Approach:
        assert approach.display_name[0].isupper()
        assert len(approach.description) > 150


def test_public_names_are_exported_and_private_modules_are_not() -> None:
    """__all__ lists the public API and every listed name exists."""
    for name in collab_advisor.__all__:
        assert hasattr(collab_advisor, name), name
    assert not any(name.startswith("_") and name != "__version__"
                   for name in collab_advisor.__all__)


def test_reloading_rules_in_a_notebook_never_fails() -> None:
    """Loading the same rules again gives an equal, independent rule set."""
    first, second = load_rules(), load_rules()
    assert first == second and first is not second
    assert recommend({"aim": "share_know_how"}, rules=first) == recommend(
        {"aim": "share_know_how"}, rules=second
    )
