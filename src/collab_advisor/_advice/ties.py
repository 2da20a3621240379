"""A tie at the top that stands after the stated tie-break: whether an answer still open
could separate it, and how the tied approaches differ in the guidance (from the ledger)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from .._engines.plan import APPROACHES, plan_for
from .._model.context import Approach, Context
from .._model.fields import RULE_FIELDS
from .._result.record import Recommendation
from .._rulebook.ledger import first_place
from .._rulebook.ruleset import RuleSet
from .._rulebook.strength import StrengthClass

_FROZEN = ConfigDict(frozen=True)

_DESCRIBED = (StrengthClass.DEFINING, StrengthClass.TYPICAL)
"""The classes used to say how tied approaches differ: what the guidance states firmly."""


class GuidanceFeature(BaseModel):
    """One feature the guidance gives an approach, and whether it holds here."""

    model_config = _FROZEN

    feature: str
    """The feature's id in the ledger (rules/*.yaml)."""
    text: str
    """The feature in plain words."""
    strength: StrengthClass
    """How firmly the sources give it to the approach."""
    holds: bool
    """Whether it holds in this context."""


class TiedApproach(BaseModel):
    """An approach in a tie that stands, with its firm features in the guidance."""

    model_config = _FROZEN

    approach: Approach
    """The approach."""
    name: str
    """Its name in words."""
    features: tuple[GuidanceFeature, ...]
    """Its defining, then typical features in the ledger (rules/*.yaml), each marked
    as holding here or not."""


class TieOutlook(BaseModel):
    """A tie at the top that the stated tie-break left standing."""

    model_config = _FROZEN

    tied: tuple[TiedApproach, ...]
    """The approaches tied for first, each with its firm features."""
    open_fields: tuple[str, ...]
    """The unanswered rule fields that bear on a tied approach's points or features: only
    answers to these could separate the tie. Empty when nothing left to ask would."""

    @property
    def separable(self) -> bool:
        """True when an answer still open could separate the tied approaches."""
        return bool(self.open_fields)


def tie_outlook(rec: Recommendation, rules: RuleSet) -> TieOutlook | None:
    """For a result whose tie at the top stands (``rec.is_tie``): which open questions could
    separate it and each tied approach's firm features; ``None`` when first place is one
    approach."""
    if not rec.is_tie:
        return None
    tied = rec.tied_for_first
    bearing = _fields_bearing_on(rules, tied)
    open_fields = tuple(name for name in rec.unknown_fields if name in bearing)
    return TieOutlook(
        tied=tuple(_described(rules, approach, rec) for approach in tied),
        open_fields=open_fields)


def _fields_bearing_on(rules: RuleSet, approaches: tuple[Approach, ...]) -> set[str]:
    """Every rule field read by a rule that scores one of ``approaches`` (through findings
    too) or by one of their features."""
    plan = plan_for(rules)
    wanted = [APPROACHES.index(approach) for approach in approaches]
    fields: set[str] = set()
    for index, vector in enumerate(plan.vectors):
        if any(vector[i] for i in wanted):
            fields |= plan.fields_of[index]
    for approach in approaches:
        for feature in rules.features_of(approach):
            fields |= _condition_fields(feature.when)
    return fields & set(RULE_FIELDS)


def _condition_fields(condition: object) -> set[str]:
    """The fields a feature's condition reads."""
    from .._rulebook.compile import compile_condition, fields_read

    return fields_read(compile_condition(condition))  # type: ignore[arg-type]


def _described(rules: RuleSet, approach: Approach, rec: Recommendation) -> TiedApproach:
    from .._result.facts import facts_of

    holding = {f.id for f in rules.features_holding(approach, facts_of(rec.context))}
    features = [
        GuidanceFeature(feature=f.id, text=f.text, strength=f.strength or StrengthClass.DEFINING,
                        holds=f.id in holding)
        for f in rules.features_of(approach)
        if (f.strength or StrengthClass.DEFINING) in _DESCRIBED
    ]
    features.sort(key=lambda f: _DESCRIBED.index(f.strength))
    return TiedApproach(approach=approach, name=approach.display_name,
                        features=tuple(features))


def row_first_places(rules: RuleSet, scores: Any, tops: list[int],
                     context_of: Callable[[int], Context | str | None]
                     ) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """For the rows of a (rows, approaches) score array level on points at the top: the
    indices in ``Approach`` of the approaches level on points and of those first after the
    stated tie-break, as ``recommend`` decides (``first_place``); ``tops`` is set to the
    first of those still first. ``context_of(row)`` gives a row's context (anything else:
    the row is skipped, its error recorded elsewhere)."""
    from .._result.facts import facts_of

    level_rows = ((scores == scores.max(axis=1, keepdims=True)).sum(axis=1) > 1).nonzero()[0]
    places: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for row in level_rows.tolist():
        context = context_of(row)
        if not isinstance(context, Context):
            continue
        placed = first_place(rules, dict(zip(APPROACHES, scores[row].tolist(), strict=True)),
                             facts_of(context))
        level = tuple(APPROACHES.index(a) for a in placed.level_on_points)
        first = tuple(APPROACHES.index(a) for a in placed.first)
        places[row] = (level, first)
        tops[row] = first[0]
    return places
