"""The per-part tables behind the confidence count give what scoring rule by rule gives:
the same points, tie-break keys and alternative shifts, and the same first places."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from collab_advisor import RuleSet, load_rules
from collab_advisor._advice import confidence_count
from collab_advisor._advice.confidence_count import _tally_by_rules, _tie_keys, spread_of
from collab_advisor._advice.count_rows import row_masks
from collab_advisor._advice.count_tables import (
    ALTERNATIVE_CLASSES,
    WIDTH,
    class_shifts,
    count_tables,
)
from collab_advisor._engines.plan import APPROACHES, plan_for
from collab_advisor._model.fields import RULE_FIELDS

from .conftest import ROOT
from .strategies import contexts
from .test_confidence import _partial, _rule_file

_SHIPPED = load_rules()

_ACROSS = {
    "schema_version": 1, "ruleset_version": "0.1.0",
    "description": "A feature that reads fields no rule links.",
    "defining_features": [{
        "id": "our-feature-across", "approach": "clinical_community",
        "text": "Professionally led where the work spans several sites",
        "when": {"all": [{"field": "leadership", "equals": "professional"},
                         {"field": "sites", "gte": 7}]},
        "strength": "hedged",
        "source": [{"reference": "Our regional quality team 2025, internal review"}]}],
    "rules": [{
        "id": "our-rule-across", "title": "Our rule across", "status": "experimental",
        "when": {"field": "origin", "in": ["emergent"]},
        "score": [{"approach": "clinical_community", "points": 1,
                   "why": "Our own review of local programmes found this."}],
        "source": [{"reference": "Our regional quality team 2025, internal review"}]}],
}


def _rules(tmp_path: Path, data: st.DataObject) -> RuleSet:
    """The shipped rules, with a random organisation's rules and a feature that joins two
    parts beside them (or not)."""
    files: list[Path] = []
    if data.draw(st.booleans()):
        ours = tmp_path / "ours.yaml"
        ours.write_text(yaml.safe_dump(data.draw(st.composite(_rule_file)())),
                        encoding="utf-8")
        files.append(ours)
    if data.draw(st.booleans()):
        across = tmp_path / "across.yaml"
        across.write_text(yaml.safe_dump(_ACROSS), encoding="utf-8")
        files.append(across)
    return load_rules(ROOT / "rules", *files) if files else _SHIPPED


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), ctx=contexts(),
       drop=st.sets(st.sampled_from(list(RULE_FIELDS)), min_size=0, max_size=8))
def test_first_places_from_the_tables_equal_scoring_each_row_rule_by_rule(
        tmp_path: Path, data: st.DataObject, ctx: Any, drop: set[str]) -> None:
    """Every scored row (exact grids and seeded samples alike) gets the same first place
    from the tables as from its rules one by one, under every alternative table."""
    rules = _rules(tmp_path, data)
    facts = _partial(rules, ctx, drop)
    spread = spread_of(rules, facts)
    opened = spread.fields
    picks = list(spread.rows_of[:len(opened)])
    rows = len(spread.rows_of[-1])
    every_row = spread.exact and spread.rows == math.prod(len(f.units) for f in opened)
    found = row_masks(rules, facts, [f.name for f in opened], [len(f.units) for f in opened],
                      None if every_row else picks, rows, True)
    assert found is not None
    code, firsts, alternatives, _ = found
    expected_code, expected, expected_alternatives, _ = _tally_by_rules(
        rules, facts, opened, picks, rows, True)
    assert np.array_equal(firsts[code], expected[expected_code])
    assert set(alternatives) == set(expected_alternatives)
    for key, masks in alternatives.items():
        assert np.array_equal(masks[code], expected_alternatives[key][expected_code])


@settings(max_examples=30, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), ctx=contexts(),
       drop=st.sets(st.sampled_from(list(RULE_FIELDS)), min_size=9, max_size=12),
       weigh=st.booleans())
def test_counting_by_part_classes_equals_counting_every_combination_of_answers(
        tmp_path: Path, data: st.DataObject, ctx: Any, drop: set[str], weigh: bool) -> None:
    """Past the rows counted one by one, a count over the combinations of part classes
    gives every outcome's weight, by answer and under every alternative table, as
    scoring every combination of answers does."""
    rules = _rules(tmp_path, data)
    facts = _partial(rules, ctx, drop)
    weights = {"aim": {"share_know_how": 3.0, "close_practice_gap": 0.5}} \
        if weigh and "aim" not in facts else None
    found = spread_of(rules, facts, weights)
    if not found.exact or found.rows == math.prod(len(f.units) for f in found.fields):
        return  # sampled, or every combination counted already: nothing to compare
    with pytest.MonkeyPatch.context() as patch:  # not the fixture: examples share it
        patch.setattr(confidence_count, "EXACT_ROWS", 10**7)
        every = spread_of(rules, facts, weights)
    assert every.rows == math.prod(len(f.units) for f in every.fields) > found.rows
    assert np.allclose(found.outcomes, every.outcomes, rtol=1e-9, atol=1e-6)
    for name, rows in every.by_answer.items():
        assert np.allclose(found.by_answer[name], rows, rtol=1e-9, atol=1e-6)
    assert list(found.alternatives) == list(every.alternatives)
    for key, outcomes in every.alternatives.items():
        assert np.allclose(found.alternatives[key], outcomes, rtol=1e-9, atol=1e-6)
    masks = found.rows_of[len(found.fields)]  # the sample kept for looking ahead
    assert len(masks) == confidence_count.SAMPLE_ROWS


def _class_path_facts(count: int) -> list[dict[str, Any]]:
    """Seeded partial contexts whose count goes by part classes (exact, rows a sample)."""
    from collab_advisor import Context
    from collab_advisor._model.samples import seeded_field_values
    from collab_advisor._result.facts import facts_of

    found = []
    for values in seeded_field_values(200, seed=17):
        facts = dict(facts_of(Context.model_validate(values)))
        spread = spread_of(_SHIPPED, facts, alternatives=False)
        if spread.exact and spread.rows < math.prod(len(f.units) for f in spread.fields):
            found.append(facts)
        if len(found) == count:
            break
    assert len(found) == count
    return found


def test_the_look_ahead_does_not_take_a_sample_of_rows_for_every_row() -> None:
    """Where the count is exact by part classes but the look-ahead's rows are a sample,
    a group of sampled rows with one outcome is not taken as settled: the expected
    questions are those of the same rows marked as a sample (they came out lower)."""
    from dataclasses import replace

    from collab_advisor._advice.confidence_stop import expected_questions

    for facts in _class_path_facts(12):
        spread = spread_of(_SHIPPED, facts, alternatives=False)
        assert expected_questions(spread) == expected_questions(replace(spread, exact=False))


def test_the_look_ahead_sample_is_drawn_from_the_facts_as_they_were_counted() -> None:
    """The sample drawn when first asked for is that of the facts given to ``spread_of``,
    whatever the caller did to its dictionaries since, and a spread pickles before it is
    drawn."""
    import pickle

    facts = _class_path_facts(1)[0]
    held: list[str] = []
    first = spread_of(_SHIPPED, facts, alternatives=False, held=held)
    again = spread_of(_SHIPPED, dict(facts), alternatives=False)
    restored = pickle.loads(pickle.dumps(spread_of(_SHIPPED, dict(facts),
                                                   alternatives=False)))
    facts.clear()
    held.append("aim")
    for other in (again, restored):
        for mine, theirs in zip(first.rows_of, other.rows_of, strict=True):
            assert np.array_equal(mine, theirs)


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), ctx=contexts())
def test_each_cells_points_keys_and_shifts_equal_the_rules_one_by_one(
        tmp_path: Path, data: st.DataObject, ctx: Any) -> None:
    """For a complete context, the tables' cells add up to its points, its tie-break key
    (features holding, by class) and what each alternative class moves."""
    rules = _rules(tmp_path, data)
    facts = _partial(rules, ctx, set())
    tables = count_tables(rules)
    assert tables is not None
    vector = tables.constant.copy()
    for names, table in zip(tables.fields, tables.tables, strict=True):
        index = [tables.unit_of(rules, name, facts[name]) for name in names]
        assert None not in index
        vector = vector + table[tuple(index)]
    assert vector.shape == (WIDTH,)
    count = len(APPROACHES)
    plan = plan_for(rules)
    scores, fired = plan.score(facts)
    assert vector[:count].tolist() == list(scores)
    keys = _tie_keys(rules, facts, (), [], 1)[0]
    assert vector[count:2 * count].tolist() == keys.tolist()
    ids = [rule.id for rule in plan.rules]
    for place, strength in enumerate(ALTERNATIVE_CLASSES):
        chosen, signs = class_shifts(rules, plan)[strength]
        moved = sum((sign for r, sign in zip(chosen, signs, strict=True)
                     if ids[int(r)] in fired), np.zeros(count, dtype=np.int64))
        start = count * (2 + place)
        assert vector[start:start + count].tolist() == moved.tolist()


@settings(max_examples=30, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), ctx=contexts(),
       drop=st.sets(st.sampled_from(list(RULE_FIELDS)), min_size=1, max_size=5))
def test_each_answers_outcomes_equal_counting_the_rows_one_by_one(
        tmp_path: Path, data: st.DataObject, ctx: Any, drop: set[str]) -> None:
    """Each open answer's weight of each outcome (what the next questions are chosen by)
    equals adding up the scored rows that give that answer."""
    rules = _rules(tmp_path, data)
    facts = _partial(rules, ctx, drop)
    weights = {"aim": {"share_know_how": 3, "redesign_services": 0}} if data.draw(
        st.booleans()) else None
    spread = spread_of(rules, facts, weights)
    assume(spread.every_row or not spread.exact)  # exact by part classes: rows a sample
    count = len(spread.outcomes)
    masks, row_weight = spread.rows_of[len(spread.fields)], spread.rows_of[-1]
    for f, picks in zip(spread.fields, spread.rows_of, strict=False):
        per_unit = np.zeros((len(f.units), count))
        np.add.at(per_unit, (picks, masks), row_weight)
        expected = [
            [sum(w * row[u] * per_unit[u][m] / per_unit[u].sum()
                 for u in range(len(f.units)) if per_unit[u].sum() > 0)
             for m in range(count)]
            for w, row in zip(f.weights, f.share, strict=True)]
        found = spread.by_answer[f.name]
        assert np.allclose(found, expected, rtol=1e-9, atol=1e-9)


def test_the_kept_cell_classes_stay_within_their_byte_budget(tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    """A custom rule set joining seven fields in one part makes a new pattern for almost
    every context; the classes kept for them stay within the byte budget (they grew to
    about 100 MB over 50,000 contexts) and the counts stay as they were."""
    import json
    import random

    from collab_advisor._advice import count_rows
    from collab_advisor._advice.count_tables import count_tables

    pairs = [("control", "agenda_set_by"), ("agenda_set_by", "resourcing"),
             ("resourcing", "leadership"), ("leadership", "enabling_support"),
             ("enabling_support", "patient_involvement"), ("patient_involvement", "evidence")]
    rules = [{"id": f"our-rule-{i}", "title": f"Our rule number {i}", "status": "experimental",
              "when": {"any": [{"field": a, "equals": RULE_FIELDS[a].values[0]},
                               {"field": b, "equals": RULE_FIELDS[b].values[1]}]},
              "score": [{"approach": "qi_collaborative", "points": i + 1,
                         "why": "Our own review of local programmes found this."}],
              "source": [{"reference": "Our regional quality team 2025, internal review"}]}
             for i, (a, b) in enumerate(pairs)]
    path = tmp_path / "ours.yaml"
    path.write_text(json.dumps({"schema_version": 1, "ruleset_version": "0.1.0",
                                "description": "Joined part.", "rules": rules}))
    budget = 64 << 10
    monkeypatch.setattr(count_rows, "BLOCK_BYTES_KEPT", budget)
    joined = load_rules(ROOT / "rules", path)
    fresh = load_rules(ROOT / "rules", path)
    rng = random.Random(2)
    for _ in range(400):
        facts = {n: (rng.randint(1, 200) if s.kind == "count" else rng.choice(s.values))
                 for n, s in RULE_FIELDS.items() if rng.random() < 0.5}
        found = spread_of(joined, facts)
        kept, cleared = count_tables(joined), count_tables(fresh)
        assert kept is not None and cleared is not None
        assert sum(a.nbytes + b.nbytes for a, b in kept.blocks.values()) <= budget
        cleared.blocks.clear()
        cleared.blocks_bytes[0] = 0
        assert found.outcomes == spread_of(fresh, facts).outcomes
