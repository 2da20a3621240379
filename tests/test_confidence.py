"""The confidence measure: first places counted over the ways the open questions could be
answered, checked against brute force, its sample's margin, weights and alternative tables."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab_advisor import (
    Approach,
    CollabAdvisorError,
    Confidence,
    RuleSet,
    analyse,
    confidence,
    load_rules,
    recommend,
)
from collab_advisor._advice import confidence_count
from collab_advisor._advice.confidence import confidence_for
from collab_advisor._advice.confidence_count import SITES_BANDS, spread_of
from collab_advisor._engines.plan import APPROACHES, plan_for
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._result.facts import facts_of
from collab_advisor._rulebook.ledger import break_tie
from collab_advisor._rulebook.strength import StrengthClass

from .conftest import ROOT
from .strategies import contexts

_SHIPPED = load_rules()


def _answers(name: str) -> list[list[tuple[Any, float]]]:
    """Per answer of a field, the values behind it with their part of its weight."""
    if RULE_FIELDS[name].kind == "count":
        return [[(v, 1 / (high - low + 1)) for v in range(low, high + 1)]
                for low, high in ((lo, hi or 100) for lo, hi in SITES_BANDS)]
    return [[(value, 1.0)] for value in RULE_FIELDS[name].values]


def _brute(rules: RuleSet, facts: dict[str, Any],
           weights: dict[str, list[float]] | None = None) -> dict[frozenset[Approach], float]:
    """Outcome weights by scoring every completion one by one with the stated tie-break."""
    plan = plan_for(rules)
    opened = [name for name in RULE_FIELDS if name not in facts]
    out: defaultdict[frozenset[Approach], float] = defaultdict(float)
    per_field = [list(enumerate(_answers(name))) for name in opened]
    for combo in itertools.product(*per_field):
        weight: float = 1.0
        for name, (index, _) in zip(opened, combo, strict=True):
            weight *= (weights or {}).get(name, [1.0] * 10)[index]
        for values in itertools.product(*(answer for _, answer in combo)):
            part = weight
            filled = dict(facts)
            for name, (value, share) in zip(opened, values, strict=True):
                filled[name] = value
                part *= share
            scores, _ = plan.score(filled)
            best = max(scores)
            tied = [a for a, s in zip(APPROACHES, scores, strict=True) if s == best]
            kept = break_tie(rules, tied, filled) if len(tied) > 1 else tied
            out[frozenset(kept)] += part
    return out


def _counted(found: Confidence) -> dict[frozenset[Approach], float]:
    return {frozenset(o.approaches): o.ways for o in found.outcomes}


def _partial(rules: RuleSet, ctx: Any, drop: set[str]) -> dict[str, Any]:
    plan = plan_for(rules)
    complete: dict[str, Any] = {f: plan.classes[f][0] for f in RULE_FIELDS}
    complete.update(facts_of(ctx))
    return {f: v for f, v in complete.items() if f not in drop}


@settings(max_examples=30, deadline=None)
@given(ctx=contexts(), drop=st.sets(st.sampled_from(list(RULE_FIELDS)), min_size=0,
                                    max_size=3))
def test_counts_equal_scoring_every_completion_one_by_one(ctx: Any, drop: set[str]) -> None:
    """On random partial contexts, each outcome's count of ways equals brute force."""
    facts = _partial(_SHIPPED, ctx, drop)
    found = confidence_for(facts, _SHIPPED)
    assert found.exact
    expected = _brute(_SHIPPED, facts)
    assert _counted(found) == pytest.approx({k: v for k, v in expected.items() if v > 1e-9})
    assert found.ways == pytest.approx(sum(expected.values()))


def _rule_file(draw: st.DrawFn) -> dict[str, Any]:
    """A random small custom rule file: choice tests and cuts in sites, points each way."""
    rules = []
    choice_fields = [n for n, s in RULE_FIELDS.items() if s.kind != "count"]
    for number in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            test: dict[str, Any] = {"field": "sites", "gte": draw(st.integers(2, 40))}
        else:
            name = draw(st.sampled_from(choice_fields))
            test = {"field": name, "in": draw(st.lists(
                st.sampled_from(list(RULE_FIELDS[name].values)), min_size=1, max_size=2,
                unique=True))}
        rules.append({
            "id": f"our-rule-{number}", "title": f"Our rule number {number}",
            "status": "experimental",
            "when": test,
            "score": [{"approach": draw(st.sampled_from([a.value for a in Approach])),
                       "points": draw(st.sampled_from([-3, -2, -1, 1, 2, 3])),
                       "why": "Our own review of local programmes found this."}],
            "source": [{"reference": "Our regional quality team 2025, internal review"}],
        })
    return {"schema_version": 1, "ruleset_version": "0.1.0",
            "description": "Random rules for a test.", "rules": rules}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data(), ctx=contexts(),
       drop=st.sets(st.sampled_from(list(RULE_FIELDS)), min_size=1, max_size=3))
def test_counts_equal_brute_force_under_random_custom_rule_sets(
        tmp_path: Path, data: st.DataObject, ctx: Any, drop: set[str]) -> None:
    """With a random organisation's rules beside the shipped ones (cuts of sites inside a
    band included), the counts still equal brute force."""
    path = tmp_path / "ours.yaml"
    path.write_text(yaml.safe_dump(data.draw(st.composite(_rule_file)())), encoding="utf-8")
    rules = load_rules(ROOT / "rules", path)
    facts = _partial(rules, ctx, drop | {"sites"} if data.draw(st.booleans()) else drop)
    found = confidence_for(facts, rules)
    expected = _brute(rules, facts)
    assert found.exact
    shares = {k: v / sum(expected.values()) for k, v in expected.items() if v > 1e-9}
    assert {frozenset(o.approaches): o.share for o in found.outcomes} == pytest.approx(shares)


def test_weights_count_each_answer_as_given_and_are_shown() -> None:
    """Weighted answers give the weighted brute-force shares, and the wording says weights
    were used; an answer weighted 0 never counts."""
    facts = _partial(_SHIPPED, recommend().context, {"aim", "control", "scope"})
    weights = {"aim": {"share_know_how": 3, "close_practice_gap": 1, "redesign_services": 0,
                       "improve_specialty_outcomes": 1}}
    found = confidence_for(facts, _SHIPPED, weights)
    expected = _brute(_SHIPPED, facts, {"aim": [3.0, 1.0, 0.0, 1.0]})
    total = sum(expected.values())
    assert {frozenset(o.approaches): o.share for o in found.outcomes} == pytest.approx(
        {k: v / total for k, v in expected.items() if v > 1e-9})
    assert found.weighted_fields == ("aim",)
    assert "Weights used" in found.assumption and "aim" in found.assumption
    assert "equally likely" in confidence_for(facts, _SHIPPED).assumption


def test_a_weight_for_an_answer_a_field_does_not_have_names_field_and_allowed_answers() -> None:
    """A weight naming an unknown answer is refused with the field and its answers."""
    with pytest.raises(CollabAdvisorError, match=r"'aim'.*'cure_all'.*share_know_how"):
        confidence(recommend(), weights={"aim": {"cure_all": 1.0}})
    with pytest.raises(CollabAdvisorError, match=r"'sites'.*at least 0"):
        confidence(recommend(), weights={"sites": {"1-3": -1.0}})


def test_a_sampled_share_falls_within_its_margin_as_often_as_promised(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Sampled shares, checked against exact counts on 60 contexts, fall within their 95%
    margin at least nine times in ten."""
    exact = []
    for seed in range(60):
        ctx = recommend(_seeded(seed)).context
        facts = _partial(_SHIPPED, ctx, set(list(RULE_FIELDS)[seed % 12:seed % 12 + 6]))
        exact.append((facts, spread_of(_SHIPPED, facts, alternatives=False)))
    monkeypatch.setattr(confidence_count, "EXACT_ROWS", 0)
    monkeypatch.setattr(confidence_count, "SAMPLE_ROWS", 400)
    inside = checked = 0
    for facts, truth in exact:
        found = confidence_for(facts, _SHIPPED)
        if found.exact:  # first place proved settled: the proof stands in for the sample
            assert found.settled and sum(w > 0 for w in truth.outcomes) == 1
            continue
        assert found.sample_size == 400
        for outcome in found.outcomes:
            mask = sum(1 << APPROACHES.index(a) for a in outcome.approaches)
            true_share = truth.outcomes[mask] / truth.total
            assert outcome.margin is not None
            checked += 1
            inside += abs(outcome.share - true_share) <= outcome.margin
    assert checked > 100
    assert inside / checked >= 0.9


def _seeded(seed: int) -> dict[str, Any]:
    import random

    rng = random.Random(seed)
    return {name: (rng.choice(spec.values) if spec.kind != "count" else rng.randint(1, 30))
            for name, spec in RULE_FIELDS.items()}


def _first_under(rules: RuleSet, facts: dict[str, Any], strength: StrengthClass,
                 step: int) -> frozenset[Approach]:
    """First place when every rule scoring a feature of ``strength`` moves one point."""
    from collab_advisor._rulebook.strength import Direction, points_for

    usual = points_for(strength, Direction.FOR)
    plan = plan_for(rules)
    _, fired = plan.score(facts)
    totals = dict.fromkeys(APPROACHES, 0)
    for rule_id in fired:
        rule = rules.rule(rule_id)
        feature = rules.feature(rule.feature) if rule.feature else None
        for approach, points in plan.rules[[r.id for r in plan.rules].index(rule_id)].points:
            if feature is not None and feature.strength is strength and abs(points) == usual:
                points = (1 if points > 0 else -1) * max(0, usual + step)
            totals[approach] += points
    best = max(totals.values())
    return frozenset(break_tie(rules, [a for a in APPROACHES if totals[a] == best], facts))


def test_a_first_place_that_flips_under_an_alternative_table_says_what_it_rests_on() -> None:
    """A complete context whose first place changes when one strength class moves a point
    says it rests on how that class is weighted; one that never changes says it holds."""
    flipped = held = None
    for seed in range(400):
        facts = facts_of(recommend(_seeded(seed)).context)
        now = _brute(_SHIPPED, facts)
        first = next(iter(now))
        moved = {s for s in StrengthClass if s is not StrengthClass.LOCAL for step in (1, -1)
                 if _first_under(_SHIPPED, facts, s, step) != first}
        if moved and flipped is None:
            flipped = (facts, moved)
        if not moved and held is None:
            held = facts
        if flipped and held:
            break
    assert flipped is not None and held is not None
    facts, moved = flipped
    found = confidence_for(facts, _SHIPPED)
    assert not found.holds_under_alternatives
    assert set(found.rests_on) == moved
    assert found.alternatives_text.startswith("It rests on how")
    assert all(s.word in found.alternatives_text for s in moved)
    steady = confidence_for(held, _SHIPPED)
    assert steady.holds_under_alternatives
    assert "holds under every alternative weighting" in steady.alternatives_text


def test_settled_is_the_hundred_percent_case_and_says_so() -> None:
    """A complete context is settled and worded as such; a tie names every tied approach."""
    rec = recommend(_seeded(3))
    found = analyse(rec).confidence
    assert found.settled and found.leader_share == 1.0
    assert found.summary.startswith("Settled: every question is answered")
    open_one = confidence_for({k: v for k, v in facts_of(rec.context).items()
                               if k != "aim"}, _SHIPPED)
    assert open_one.ways == 4
    assert "of the 4 ways the one open question could be answered" in open_one.summary \
        or open_one.summary.startswith("Settled: ")


def test_a_proved_first_place_is_every_one_of_the_ways_even_past_the_exact_count() -> None:
    """Where counting would need a sample but first place is proved settled, every face says
    'every one of the ways', never 'about 100% (±0.2 points)' beside 'settled'."""
    context = {"formality": "informal", "scope": "multi_organisation",
               "aim": "share_know_how", "patient_involvement": "co_produced",
               "clinical_focus": "no_clinical_focus", "shared_domain": True,
               "geographic_reach": "international"}
    rec = recommend(context)
    assert not spread_of(_SHIPPED, facts_of(rec.context)).exact  # too many ways to count
    assert rec.analysis.is_settled
    expected = ("Settled: Community of Practice comes first in every one of the 209,952 ways "
                "the 13 open questions could be answered.")
    for found in (rec.analysis.confidence, rec.confidence, confidence(rec),
                  confidence_for(context, _SHIPPED)):
        assert found.settled and found.exact and found.sample_size is None
        assert found.summary == expected
    for face in (rec.explain(), rec.to_html(), rec.to_markdown()):
        flat = " ".join(face.split())
        assert "every one of the 209,952 ways" in flat and "±" not in flat


def test_the_headline_counts_ways_in_the_issue_s_words() -> None:
    """An exact count reads 'X comes first in N of the M ways the K open questions could be
    answered', with every outcome's count and the counting assumption."""
    facts = _partial(_SHIPPED, recommend(_seeded(8)).context, {"aim", "control", "evidence"})
    found = confidence_for(facts, _SHIPPED)
    first = found.outcomes[0]
    name = first.approaches[0].display_name
    assert f"{name} comes first in {int(first.ways)} of the 36 ways the 3 open questions " \
           "could be answered" in found.summary or found.settled
    assert sum(o.ways for o in found.outcomes) == 36
    assert "Every open answer is counted as equally likely" in found.text


def test_batch_and_frames_add_the_confidence_columns(tmp_path: Path) -> None:
    """batch --confidence and recommend_frame(confidence=True) add each row's leading
    outcome and its share, equal to the library's; a bad row's cells stay blank."""
    import csv
    import io

    import pandas as pd

    from collab_advisor import recommend_frame

    from .test_cli import run

    rows = [{"aim": "share_know_how", "formality": "informal"}, _seeded(4), {"aim": "bogus"}]
    path = tmp_path / "plans.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(RULE_FIELDS))
        writer.writeheader()
        writer.writerows(rows)
    result = run("batch", str(path), "--confidence", "--engine", "python")
    assert result.returncode == 2
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    first = confidence_for(rows[0], _SHIPPED)
    assert table[0]["first_place"] == first.outcomes[0].approaches[0].value
    assert float(table[0]["first_place_share"]) == pytest.approx(first.leader_share, abs=1e-4)
    assert table[1]["first_place_share"] == "1.0" and table[1]["share_exact"] == "True"
    assert table[2]["first_place"] == "" and table[2]["error"]
    frame = recommend_frame(pd.DataFrame(rows[:2]), confidence=True)
    assert list(frame["first_place_share"]) == pytest.approx(
        [first.leader_share, 1.0], abs=1e-4)
    assert frame["holds_under_alternatives"].tolist()[0] == first.holds_under_alternatives


def test_the_interview_rule_is_available_in_python_with_a_settable_share() -> None:
    """interview_stop says 'clear' once one approach comes first in 90% of the ways the
    rest could be answered, asks on at a 100% share, ends when every open question was
    skipped, and refuses a share outside (0, 1] by name."""
    from collab_advisor import interview_stop

    rec = recommend(aim="share_know_how", shared_domain=True, formality="informal")
    clear = interview_stop(rec)
    assert clear.stop and clear.reason == "clear" and clear.leader_share >= 0.9
    assert clear.leader is Approach.COMMUNITY_OF_PRACTICE
    strict = interview_stop(rec, threshold=1.0)
    assert not strict.stop and strict.next_question is not None
    done = interview_stop(rec, skipped=rec.unknown_fields)
    assert done.stop and done.reason in ("nothing_left", "settled")
    assert done.next_question is None
    with pytest.raises(CollabAdvisorError, match="stop share"):
        interview_stop(rec, threshold=1.5)


def test_the_measure_is_on_every_face_with_its_assumption() -> None:
    """Text, Markdown, HTML, the web page (a bar whose shares are also written out), the
    API, the CLI's JSON and one-screen view all carry the same sentence and assumption."""
    import json

    from fastapi.testclient import TestClient

    from collab_advisor.web.app import create_app

    from .test_cli import run

    context = {"aim": "share_know_how", "formality": "informal"}
    rec = recommend(context)
    found = rec.analysis.confidence
    for face in (rec.explain(), rec.to_markdown(), rec.to_html()):
        flat = " ".join(face.split())
        assert found.outcomes[0].approaches[0].display_name + " comes first in about" in flat
        assert "Every open answer is counted as equally likely" in flat
        assert "alternative weighting" in flat
    assert "Could reach" not in rec.to_markdown().split("## ")[0]  # ranges are detail
    with TestClient(create_app(allowed_hosts={"testserver"})) as client:
        page = client.get("/?aim=share_know_how&formality=informal").text
        api = client.post("/api/recommend", json=context).json()
    assert 'class="share-bar" viewBox' in page and 'role="img"' in page
    legend = page.split('<ul class="share-legend">')[1].split("</ul>")[0]
    assert "Community of Practice: about " in legend and "points)" in legend
    assert api["analysis"]["confidence"]["summary"] == found.summary
    shown = run("recommend", "--aim", "share_know_how", "--formality", "informal",
                "--format", "json", "--engine", "python")
    assert json.loads(shown.stdout)["analysis"]["confidence"]["leader"] == [
        a.value for a in found.leader]
    screen = run("recommend", "--aim", "share_know_how", "--formality", "informal",
                 "--engine", "python")
    assert "equally likely" in " ".join(screen.stdout.split())


def test_outcomes_level_in_frequency_are_named_together_never_one_by_order() -> None:
    """When two approaches come first in as many ways each, the measure names both as
    leading and neither ahead of the other."""
    level = None
    for seed in range(300):
        complete = facts_of(recommend(_seeded(seed)).context)
        for drop in itertools.combinations(list(RULE_FIELDS)[:10], 2):
            partial = {k: v for k, v in complete.items() if k not in drop}
            found = confidence_for(partial, _SHIPPED)
            singles = [o for o in found.outcomes if not o.is_tie]
            if len(singles) >= 2 and singles[0].ways == singles[1].ways == found.outcomes[0].ways:
                level = found
                break
        if level is not None:
            break
    assert level is not None
    first, second = level.outcomes[0].approaches[0], level.outcomes[1].approaches[0]
    assert set(level.leader) >= {first, second}
    assert "each come first in" in level.summary and "none of them leads" in level.summary
