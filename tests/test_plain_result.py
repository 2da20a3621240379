"""The result as plain data: it copies, pickles and dumps alone; analyses are functions of
(result, rules); ties are data; old spellings still work, with a warning."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings

from collab_advisor import (
    Analysis,
    Approach,
    CollabAdvisorError,
    Context,
    Recommendation,
    Report,
    RulesMismatchError,
    UnknownEngineError,
    analyse,
    explain,
    load_rules,
    path_to,
    recommend,
    recommend_many,
    recommend_team,
    rules_for,
    what_if,
    why_not,
)
from collab_advisor._advice import analyse as analyse_module
from collab_advisor._advice import analysis as analysis_module
from collab_advisor._advice import settledness as settledness_module
from collab_advisor._engines.choose import get_engine
from collab_advisor._engines.plan import ScoringPlan
from collab_advisor._result.build import recommend as plain_recommend
from collab_advisor._result.build import shipped_rules
from collab_advisor._result.facts import facts_of
from collab_advisor._rulebook.ledger import TIE_BREAK_PRINCIPLE, break_tie, tie_break_key

from .conftest import ROOT
from .strategies import contexts

TIED = {"aim": "share_know_how", "leadership": "professional"}
"""Community of Practice and Clinical Community level on points, 3 each (rules 2.0)."""
_CUSTOM = (ROOT / "rules", ROOT / "examples" / "custom_rules" / "our_rules.yaml")


def _parts(rec: Recommendation) -> list[Any]:
    ranked = rec.ranking[0]
    parts: list[Any] = [rec, ranked, *ranked.reasons]
    for trace in rec.findings:
        parts += [trace, *trace.established_by]
    return parts


@pytest.mark.parametrize("make", [plain_recommend, recommend], ids=["plain", "recommend"])
def test_a_result_and_each_part_pickle_copy_and_dump_alone(make: Any) -> None:
    """The record, its ranked approaches, reasons and traces survive pickle and deepcopy and
    dump without any rule set in reach."""
    rec = make({"aim": "redesign_services", "scope": "multi_organisation",
                "geographic_reach": "regional",
                "formality": "highly_structured", "control": "accountable"}, engine="python")
    assert rec.findings, "the context should establish findings, so traces are covered"
    for part in _parts(rec):
        assert pickle.loads(pickle.dumps(part)) == part
        assert copy.deepcopy(part) == part
        assert copy.copy(part) == part
        assert type(part).model_validate(part.model_dump()) == part
        json.dumps(part.model_dump(mode="json"))


def test_what_recommend_returns_still_analyses_after_a_copy_or_a_pickle() -> None:
    """The notebook result keeps its methods through deepcopy and pickle (re-paired with the
    shipped rules after a pickle)."""
    rec = recommend(aim="share_know_how", formality="informal", engine="python")
    copied = copy.deepcopy(rec)
    thawed = pickle.loads(pickle.dumps(rec))
    for other in (copied, thawed):
        assert other == rec
        assert other.is_settled == rec.is_settled
        assert other.ranking[0].score_range == rec.ranking[0].score_range
        assert other.explain() == rec.explain()


def test_dumping_a_result_runs_no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """model_dump and model_dump_json on a result, plain or as recommend() returns it, score
    nothing and analyse nothing."""
    calls: list[str] = []

    def counting(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)
        return wrapper

    for module, name in [(analysis_module, "outlook"), (analyse_module, "outlook"),
                         (settledness_module, "settled_of"),
                         (settledness_module, "quick_settled"),
                         (settledness_module, "settled_exactly"),
                         (analyse_module, "robustness_of"),
                         (analyse_module, "raise_considerations")]:
        monkeypatch.setattr(module, name, counting(name, getattr(module, name)))
    monkeypatch.setattr(ScoringPlan, "score", counting("score", ScoringPlan.score))
    for rec in (plain_recommend(aim="share_know_how", engine="python"),
                recommend(aim="share_know_how", engine="python")):
        rec.model_dump()
        rec.model_dump(mode="json")
        rec.model_dump_json()
    assert calls == []
    analyse(rec)
    assert {"outlook", "score", "robustness_of"} <= set(calls), "the counters must count"


def test_an_analysis_with_the_wrong_rules_is_refused_naming_both_fingerprints() -> None:
    """A result made with one rule set cannot be analysed with another: the error names
    both fingerprints."""
    custom = load_rules(*_CUSTOM)
    shipped = load_rules()
    mine = plain_recommend(aim="share_know_how", rules=custom, engine="python")
    theirs = plain_recommend(aim="share_know_how", engine="python")
    for rec, rules in ((mine, None), (mine, shipped), (theirs, custom)):
        with pytest.raises(RulesMismatchError) as caught:
            analyse(rec, rules)
        message = str(caught.value)
        assert rec.rules_fingerprint[:12] in message
        assert (rules or shipped).fingerprint[:12] in message
        with pytest.raises(RulesMismatchError):
            what_if(rec, rules=rules, origin="emergent")
        with pytest.raises(RulesMismatchError):
            why_not(rec, Approach.CLINICAL_COMMUNITY, rules=rules)
    assert analyse(mine, custom).rules_fingerprint == custom.fingerprint
    assert rules_for(mine, custom) is custom
    assert path_to(mine, Approach.CLINICAL_COMMUNITY, rules=custom).approach \
        is Approach.CLINICAL_COMMUNITY


def test_the_analysis_is_what_the_notebook_result_shows() -> None:
    """analyse() gives a frozen record equal to the notebook result's parts and words."""
    rec = recommend(aim="share_know_how", formality="informal", engine="python")
    found = analyse(rec)
    assert isinstance(found, Analysis)
    assert found == rec.analysis
    assert found.is_settled == rec.is_settled
    assert found.next_questions == rec.next_questions
    assert found.robustness == rec.robustness
    assert explain(rec, found) == rec.explain()
    with pytest.raises(Exception, match="frozen"):
        found.is_settled = not found.is_settled


@settings(max_examples=150, deadline=None)
@given(ctx=contexts())
def test_tied_approaches_share_a_rank_and_are_listed_as_tied(ctx: Context) -> None:
    """Ranks are competition ranks on points, the stated tie-break ordering only those level
    at the top; ``tied_for_first`` lists the approaches it keeps first, in the fixed order."""
    rules = shipped_rules()
    rec = plain_recommend(ctx, engine="python")
    scores = [r.score for r in rec.ranking]
    assert scores == sorted(scores, reverse=True)
    best = max(scores)
    level = tuple(a for a in Approach if rec.score_of(a) == best)
    assert rec.level_on_points == level
    facts = facts_of(ctx)
    first = break_tie(rules, level, facts)
    assert rec.tied_for_first == first
    assert (rec.tie_break is None) == (len(level) == 1)

    def standing(approach: Approach) -> tuple[int, tuple[int, ...]]:
        key = tie_break_key(rules, approach, facts) if approach in level else ()
        return rec.score_of(approach), key
    for ranked in rec.ranking:
        assert ranked.rank == 1 + sum(standing(a) > standing(ranked.approach) for a in Approach)
    assert rec.top.approach is rec.tied_for_first[0]
    assert rec.is_tie == (len(rec.tied_for_first) > 1)


def test_a_two_way_tie_is_data_not_a_preference() -> None:
    """A two-way tie (community of practice and clinical community level) gives both
    rank 1 and names both in ``tied_for_first``."""
    rec = plain_recommend(TIED, engine="python")
    top_two = [(r.approach, r.rank) for r in rec.ranking[:2]]
    assert top_two == [(Approach.COMMUNITY_OF_PRACTICE, 1), (Approach.CLINICAL_COMMUNITY, 1)]
    assert rec.tied_for_first == (Approach.COMMUNITY_OF_PRACTICE, Approach.CLINICAL_COMMUNITY)
    assert rec.ranking[2].rank == 3


def test_the_stated_tie_break_is_applied_and_recorded() -> None:
    """A tie on points that the defining features separate ranks the approach with more of
    them first alone, and the result records the counts and the principle."""
    rec = plain_recommend(formality="highly_structured", time_span="open_ended",
                          engine="python")
    assert rec.score_of(Approach.QI_COLLABORATIVE) == rec.score_of(
        Approach.MANAGED_CLINICAL_NETWORK)
    assert rec.tied_for_first == (Approach.QI_COLLABORATIVE,)
    assert not rec.is_tie
    assert [(r.approach, r.rank) for r in rec.ranking[:2]] == [
        (Approach.QI_COLLABORATIVE, 1), (Approach.MANAGED_CLINICAL_NETWORK, 2)]
    assert rec.tie_break is not None and rec.tie_break.separated
    assert rec.tie_break.level_on_points == (Approach.QI_COLLABORATIVE,
                                             Approach.MANAGED_CLINICAL_NETWORK)
    assert rec.tie_break.count_of(Approach.QI_COLLABORATIVE).defining == 1
    assert rec.tie_break.count_of(Approach.MANAGED_CLINICAL_NETWORK).defining == 0
    assert rec.tie_break.principle == TIE_BREAK_PRINCIPLE
    again = Recommendation.model_validate_json(rec.model_dump_json())
    assert again == rec


def test_a_tie_the_tie_break_cannot_separate_stays_a_tie() -> None:
    """With nothing known every approach is level and no feature holds: all four stay first,
    share rank 1, and the record says the tie-break left them level."""
    rec = plain_recommend(engine="python")
    assert rec.tied_for_first == tuple(Approach)
    assert {r.rank for r in rec.ranking} == {1}
    assert rec.tie_break is not None and not rec.tie_break.separated


def test_a_schema_2_result_reads_back_without_a_tie_break() -> None:
    """A result saved under schema 2 (no tie_break key) still loads, its tie kept as saved."""
    rec = plain_recommend(TIED, engine="python")
    old = rec.model_dump(mode="json")
    del old["tie_break"]
    old["schema_version"] = 2
    again = Recommendation.model_validate(old)
    assert again.tie_break is None
    assert again.tied_for_first == rec.tied_for_first


def test_a_result_saved_before_schema_2_reads_back_with_its_ties() -> None:
    """A schema-1 result (distinct ranks, no tie field) reads back with shared ranks and its
    tied approaches listed."""
    rec = plain_recommend(TIED, engine="python")
    old = rec.model_dump(mode="json")
    del old["tied_for_first"]
    old["schema_version"] = 1
    for place, entry in enumerate(old["ranking"], start=1):
        entry["rank"] = place
    again = Recommendation.model_validate(old)
    assert again.tied_for_first == rec.tied_for_first
    assert [r.rank for r in again.ranking] == [r.rank for r in rec.ranking]


@pytest.mark.parametrize("name", ["is_settled", "next_questions", "fit", "has_advice",
                                  "considerations", "robustness", "planning_questions"])
def test_old_spellings_on_the_plain_record_warn_and_still_answer(name: str) -> None:
    """An analysis read through a plain record in the 0.1 way gives the same answer, with a
    DeprecationWarning that names the new spelling."""
    rec = plain_recommend(aim="share_know_how", engine="python")
    with pytest.warns(DeprecationWarning, match=rf"analyse\(rec\)\.{name}"):
        old = getattr(rec, name)
    assert old == getattr(analyse(rec), name)


def test_old_methods_on_the_plain_record_warn_and_still_answer() -> None:
    """explain(), what_if() and why_not() on a plain record work as in 0.1, with a warning
    naming the function to call instead."""
    rec = plain_recommend(aim="share_know_how", engine="python")
    with pytest.warns(DeprecationWarning, match=r"explain\(rec\)"):
        assert rec.explain() == explain(rec)
    with pytest.warns(DeprecationWarning, match=r"what_if\(rec"):
        assert rec.what_if(origin="emergent") == what_if(rec, origin="emergent")
    with pytest.warns(DeprecationWarning, match=r"why_not\(rec"):
        assert rec.why_not("clinical_community") == why_not(rec, "clinical_community")


def test_an_unknown_engine_is_a_library_error_naming_the_choices() -> None:
    """get_engine refuses an unknown name with a CollabAdvisorError (still a ValueError)."""
    with pytest.raises(UnknownEngineError, match="'auto', 'durable', 'python'"):
        get_engine("drools")
    assert issubclass(UnknownEngineError, CollabAdvisorError)
    assert issubclass(UnknownEngineError, ValueError)


def _report_schema() -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "collab_advisor", "schema", "--report"],
                          capture_output=True, text=True, timeout=120, check=True)
    schema: dict[str, Any] = json.loads(done.stdout)
    return schema


def test_the_published_report_schema_accepts_real_outputs(tmp_path: Path) -> None:
    """The CLI's JSON, the API's answer and a Report dump validate against the schema the
    CLI publishes, and carry schema version 3."""
    from fastapi.testclient import TestClient

    from collab_advisor._present.schema_notes import described_schema
    from collab_advisor.web import create_app

    schema = _report_schema()
    assert schema == described_schema(Report)  # the model's schema, fields described
    validator = jsonschema.Draft202012Validator(schema)
    context = tmp_path / "context.json"
    context.write_text(json.dumps(TIED), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "collab_advisor", "recommend", "--context",
                           str(context), "--format", "json"],
                          capture_output=True, text=True, timeout=120, check=True)
    outputs = [json.loads(done.stdout)]
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        answer = client.post("/api/recommend", json={"aim": "share_know_how"})
        assert answer.status_code == 200
        outputs.append(answer.json())
        assert client.get("/api/report-schema").json() == schema
    outputs.append(recommend(aim="redesign_services").report().model_dump(mode="json"))
    for output in outputs:
        validator.validate(output)
        assert output["schema_version"] == 3
        assert output["recommendation"]["schema_version"] == 3
    assert outputs[0]["recommendation"]["tied_for_first"] == [
        "community_of_practice", "clinical_community"]


def test_batch_items_and_team_results_carry_plain_records() -> None:
    """recommend_many and recommend_team hold plain, picklable records; batch items carry
    settledness as a field."""
    items = recommend_many([{"aim": "share_know_how"}, {"sites": 0}], engine="python")
    assert items[0].recommendation is not None
    assert items[0].is_settled is analyse(items[0].recommendation).is_settled
    assert items[1].is_settled is None and items[1].error
    team = recommend_team([{"aim": "share_know_how"}, {"aim": "redesign_services"}],
                          engine="python")
    assert pickle.loads(pickle.dumps(team)) == team
    assert pickle.loads(pickle.dumps(items)) == items


def test_markdown_and_html_name_every_tied_approach_and_prefer_none() -> None:
    """On a tie the Markdown and HTML reports say both approaches share first place and give
    each one's reasons, not only those of the first listed."""
    rec = recommend(TIED, engine="python")
    for text in (rec.to_markdown(), rec.to_html()):
        assert "Tied for first" in text and "not a preference" in text
        assert "Why Community of Practice" in text
        assert "Why Clinical Community" in text


def _published(flag: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "collab_advisor", "schema", flag],
                          capture_output=True, text=True, timeout=120, check=True)
    schema: dict[str, Any] = json.loads(done.stdout)
    return schema


def test_the_published_team_schema_accepts_real_team_outputs(tmp_path: Path) -> None:
    """The team command's JSON and the API's team answer validate against the schema
    ``collab-advisor schema --team`` publishes, and carry the result schema version."""
    from fastapi.testclient import TestClient

    from collab_advisor.web import create_app

    schema = _published("--team")
    validator = jsonschema.Draft202012Validator(schema)
    (tmp_path / "team.csv").write_text(
        "Member,Role,aim,control\nAsha,clinician,improve_specialty_outcomes,self_directed\n"
        "Ben,manager,improve_specialty_outcomes,accountable\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "collab_advisor", "team",
                           str(tmp_path / "team.csv"), "--format", "json"],
                          capture_output=True, text=True, timeout=120, check=True)
    outputs = [json.loads(done.stdout)]
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        answer = client.post("/api/team", json={"members": [
            {"member": "Asha", "control": "supported"},
            {"member": "Ben", "control": "accountable"}]})
        assert answer.status_code == 200, answer.text
        outputs.append(answer.json())
        assert client.get("/api/team-schema").json() == schema
    for output in outputs:
        validator.validate(output)
        assert output["schema_version"] == 3
    assert [d["field"] for d in outputs[0]["disputed"]] == ["control"]


def test_the_published_batch_schema_accepts_every_row_batch_writes(tmp_path: Path) -> None:
    """Each JSON Lines row of ``collab-advisor batch``, advice or error, validates against
    the schema ``collab-advisor schema --batch`` publishes and carries the schema version."""
    validator = jsonschema.Draft202012Validator(_published("--batch"))
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in (
        {"aim": "share_know_how"}, {"sites": "many"},
        {"name": "Ward 3", "control": "accountable", "sites": 4})) + "\n",
        encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "collab_advisor", "batch", str(source),
                           "--engine", "python"],
                          capture_output=True, text=True, timeout=120, check=False)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 3, done.stderr
    for row in rows:
        validator.validate(row)
        assert row["schema_version"] == 3
    assert "error" in rows[1] and "top" not in rows[1]
    assert rows[2]["name"] == "Ward 3" and rows[2]["top"] in {a.value for a in Approach}
