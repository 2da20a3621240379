"""Two or more contexts side by side: rankings, scores, differing answers, changed reasons."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .._model.context import Approach
from .._model.fields import RULE_FIELDS
from .._result.record import Recommendation, RuleReference
from .._rulebook.ruleset import RuleSet
from .pairing import has_advice

_FROZEN = ConfigDict(frozen=True)

Value = str | bool | int


class AnswerDifference(BaseModel):
    """A field answered differently (``None``: not known) in the contexts compared."""

    model_config = _FROZEN

    field: str
    values: tuple[Value | None, ...]
    """The answer in each context, in the order compared."""


class ReasonDifference(RuleReference):
    """A reason (one rule's points for one approach) that holds in some contexts only."""

    approach: Approach
    present: tuple[bool, ...]
    """Whether the reason holds, in each context in the order compared."""


class Comparison(BaseModel):
    """The advice for several contexts, and what differs between them."""

    model_config = _FROZEN

    labels: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]
    answers: tuple[AnswerDifference, ...]
    """Only the fields whose answers differ, in the context's field order."""
    reasons: tuple[ReasonDifference, ...]
    """Only the reasons that do not hold in every context, by approach order, then points."""
    has_advice: tuple[bool, ...] = ()
    """Whether first place is advice, in each context in the order compared."""

    @property
    def same_top(self) -> bool:
        """Whether every context gets the same best fit (a context where no approach stands
        out yet has none, so it matches only other such contexts)."""
        advice = self.has_advice or (True,) * len(self.recommendations)
        return len({rec.tied_for_first if holds else None
                    for rec, holds in zip(self.recommendations, advice, strict=True)}) == 1


def compare(recommendations: list[Recommendation], labels: list[str],
            rules: RuleSet | None = None) -> Comparison:
    """Line up the recommendations and list the answers and reasons that differ."""
    if len(recommendations) < 2 or len(labels) != len(recommendations):
        raise ValueError("compare needs two or more recommendations, each with a label")
    knowns = [rec.context.known() for rec in recommendations]
    answers = []
    for name in RULE_FIELDS:
        values = tuple(known.get(name) for known in knowns)
        if len(set(values)) > 1:
            answers.append(AnswerDifference(field=name, values=values))
    found: dict[tuple[Approach, str], ReasonDifference] = {}
    held: dict[tuple[Approach, str], list[bool]] = {}
    for position, rec in enumerate(recommendations):
        for ranked in rec.ranking:
            for reason in ranked.reasons:
                key = (ranked.approach, reason.rule_id)
                if key not in found:
                    found[key] = ReasonDifference(
                        approach=ranked.approach, rule_id=reason.rule_id, title=reason.title,
                        points=reason.points, text=reason.text, present=())
                    held[key] = [False] * len(recommendations)
                held[key][position] = True
    order = list(Approach)
    reasons = sorted(
        (found[key].model_copy(update={"present": tuple(held[key])})
         for key in found if not all(held[key])),
        key=lambda r: (order.index(r.approach), -abs(r.points), r.rule_id))
    return Comparison(labels=tuple(labels), recommendations=tuple(recommendations),
                      answers=tuple(answers), reasons=tuple(reasons),
                      has_advice=tuple(has_advice(rec, rules) for rec in recommendations))
