"""The guidance's own descriptions of each approach rank that approach first."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from collab_advisor import Approach, Context, EngineChoice, recommend
from collab_advisor._advice.facts import facts_of

from .conftest import ROOT

PROTOTYPES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (ROOT / "casebook" / "prototypes.yaml").read_text(encoding="utf-8"))


def test_three_prototypes_per_approach_and_six_ambiguous_contexts() -> None:
    """Every approach has three prototypes, there are six ambiguous contexts, all valid."""
    counts = {approach: 0 for approach in Approach}
    for prototype in PROTOTYPES["prototypes"]:
        counts[Approach(prototype["approach"])] += 1
        Context.model_validate(prototype["context"])
    assert set(counts.values()) == {3}
    assert len(PROTOTYPES["ambiguous"]) == 6
    for case in PROTOTYPES["ambiguous"]:
        Context.model_validate(case["context"])
        assert len({Approach(a) for a in case["acceptable"]}) >= 2


@pytest.mark.parametrize("prototype", PROTOTYPES["prototypes"],
                         ids=[p["id"] for p in PROTOTYPES["prototypes"]])
def test_every_prototype_ranks_its_approach_first(prototype: dict[str, Any],
                                                  engine: EngineChoice) -> None:
    """A context drawn from the guidance's description of an approach ranks it first,
    alone at the top, as advice."""
    rec = recommend(prototype["context"], engine=engine)
    assert rec.top.approach is Approach(prototype["approach"]), rec.explain()
    assert rec.tied_at_top == (rec.top.approach,)
    assert rec.has_advice


@pytest.mark.parametrize("case", PROTOTYPES["ambiguous"],
                         ids=[c["id"] for c in PROTOTYPES["ambiguous"]])
def test_ambiguous_contexts_rank_within_their_acceptable_set(case: dict[str, Any],
                                                             engine: EngineChoice) -> None:
    """A context that mixes two approaches' features ranks one of them first, the other
    no lower than the approaches outside the set, and each has a feature that holds."""
    rec = recommend(case["context"], engine=engine)
    acceptable = {Approach(a) for a in case["acceptable"]}
    assert rec.top.approach in acceptable, rec.explain()
    lowest = min(rec.score_of(a) for a in acceptable)
    also = {Approach(a) for a in case.get("also_ranks", [])}  # named, with the reason
    outside = [r for r in rec.ranking if r.approach not in acceptable | also]
    assert all(r.score <= lowest for r in outside), rec.explain()
    facts = facts_of(rec.context)
    for approach in acceptable:
        assert rec.rules().features_holding(approach, facts), approach
