"""Considerations for the planner, raised by advice rules once the ranking is known.

Advice rules may test the top approach, so they run in a second pass through
the same engine, with the top approach added to the facts. Findings are
re-established in that pass; scoring rules do not test the top approach, so
nothing else changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from ._compile import TOP_FIELD
from ._engines import get_engine
from ._ruleformat import ConsiderationKind, cite_all
from ._ruleset import RuleSet

if TYPE_CHECKING:
    from ._recommend import Recommendation

_FROZEN = ConfigDict(frozen=True)


class AdviceReason(BaseModel):
    """One advice rule that raised a consideration, and why it applies here."""

    model_config = _FROZEN

    rule_id: str
    why: str
    source: str


class Consideration(BaseModel):
    """A key consideration from the guidance (or the evidence's caveat), tailored here."""

    model_config = _FROZEN

    kind: ConsiderationKind
    title: str
    reasons: tuple[AdviceReason, ...]


def raise_considerations(rec: Recommendation, rules: RuleSet) -> tuple[Consideration, ...]:
    """Run the advice rules with the top approach known; group what fired by consideration."""
    from ._recommend import facts_of

    facts = {**facts_of(rec.context), TOP_FIELD: rec.top.approach.value}
    evaluation = get_engine(rec.engine).evaluate(rules, facts)
    grouped: dict[ConsiderationKind, list[AdviceReason]] = {}
    for rule_id in sorted(evaluation.fired):
        rule = rules.rule(rule_id)
        if rule.advise is None:
            continue
        grouped.setdefault(rule.advise.consideration, []).append(AdviceReason(
            rule_id=rule.id, why=rule.advise.why,
            source=cite_all(rule.source)))
    return tuple(
        Consideration(kind=kind, title=kind.heading, reasons=tuple(grouped[kind]))
        for kind in ConsiderationKind if kind in grouped
    )
