"""Considerations for the planner: all eight of the guidance's, every time.

Advice rules (``rules/considerations.yaml``) raise a consideration when this
context gives a reason for it; every consideration no rule raised is still
listed, as a general reminder in our own words. So the planner always sees all
eight, and can tell which the context itself calls for.

Advice rules may test the top approach, so they run in a second pass through
the same engine, with the top approach added to the facts. Findings are
re-established in that pass; scoring rules do not test the top approach, so
nothing else changes. When first place is shared (a tie broken only by the
fixed order of approaches) an advice rule raises its consideration only if it
holds whichever of the tied approaches is taken as first: no consideration or
caveat is ever raised by the tie-break itself.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .._engines.choose import get_engine
from .._result.facts import facts_of
from .._result.record import Recommendation
from .._rulebook.compile import TOP_FIELD
from .._rulebook.evaluation import Facts
from .._rulebook.format import ConsiderationKind, cite_all
from .._rulebook.ruleset import RuleSet

_FROZEN = ConfigDict(frozen=True)

KEY_CONSIDERATIONS = tuple(kind for kind in ConsiderationKind
                           if kind is not ConsiderationKind.EVIDENCE)
"""The guidance's eight key considerations, in its order."""

REMINDERS: dict[ConsiderationKind, str] = {
    ConsiderationKind.BALANCE:
        "Give members enough organisation to get things done, but stop short of the kind "
        "of control that makes them less willing to cooperate.",
    ConsiderationKind.GOODWILL:
        "Make taking part, leading and supporting the work part of people's funded roles, "
        "so it does not hang on spare-time effort.",
    ConsiderationKind.FLEXIBLE:
        "Be clear about the goal and how progress will be measured, and adapt the methods "
        "to each setting instead of following a fixed model.",
    ConsiderationKind.SUSTAINABILITY:
        "Trust and a habit of working together build up slowly; plan for the long run "
        "rather than for quick wins that fade.",
    ConsiderationKind.WIDER_CONTEXT:
        "Think from the outset about outside pressures and competing priorities in the "
        "organisations involved, and how the work will cope with them.",
    ConsiderationKind.INCLUSIVE:
        "Draw in a wide mix of people and roles: it pools more knowledge and gives the "
        "work more weight inside organisations.",
    ConsiderationKind.VOICES:
        "Bring patients, service users and carers in to shape the aims and the work, for "
        "example by designing and producing it together with them.",
    ConsiderationKind.COSTS:
        "Collaborating takes time and money and its pay-off is often uncertain; check it is "
        "the best use of those resources for the improvement wanted.",
}
"""Each key consideration as a general reminder, shown when no rule raised it."""


class AdviceReason(BaseModel):
    """One advice rule that raised a consideration, and why it applies here."""

    model_config = _FROZEN

    rule_id: str
    """The id of the advice rule."""
    why: str
    """Why it applies here, in plain words."""
    source: str
    """The guidance section or published reference it rests on."""


class Consideration(BaseModel):
    """A key consideration from the guidance (or the evidence's caveat).

    Either ``raised`` by this context, with the ``reasons`` (advice rules) that
    raised it, or shown as a general ``reminder`` with no reasons.
    """

    model_config = _FROZEN

    kind: ConsiderationKind
    """Which consideration it is (or the evidence's caveat)."""
    title: str
    """Its title in words."""
    reasons: tuple[AdviceReason, ...]
    """The advice rules that raised it here (empty for a reminder)."""
    raised: bool = True
    """True when something in this context raised it; False for a general reminder."""
    reminder: str = ""
    """The consideration in general terms (our own words)."""


def raise_considerations(rec: Recommendation, rules: RuleSet) -> tuple[Consideration, ...]:
    """The eight key considerations, each raised or as a reminder (the evidence's caveat
    stands apart: ``evidence_caveat``)."""
    return _considerations(_raised(rec, rules))


def evidence_caveat(rec: Recommendation, rules: RuleSet) -> Consideration | None:
    """The caveat on the evidence behind the top approach, if a rule raises one: not one
    of the eight considerations, so shown apart from them."""
    return _caveat(_raised(rec, rules))


def considerations_and_caveat(rec: Recommendation, rules: RuleSet, facts: Facts | None = None
                              ) -> tuple[tuple[Consideration, ...], Consideration | None]:
    """``raise_considerations`` and ``evidence_caveat`` at once, from one pass of the advice
    rules (``facts``: the result's facts, when the caller has them)."""
    grouped = _raised(rec, rules, facts)
    return _considerations(grouped), _caveat(grouped)


_REMINDED = {kind: Consideration(kind=kind, title=kind.heading, reasons=(), raised=False,
                                 reminder=REMINDERS[kind]) for kind in KEY_CONSIDERATIONS}
"""Each consideration as a general reminder (frozen, the same in every result)."""


def _considerations(grouped: dict[ConsiderationKind, list[AdviceReason]]
                    ) -> tuple[Consideration, ...]:
    return tuple(
        Consideration(kind=kind, title=kind.heading, reasons=tuple(grouped[kind]),
                      raised=True, reminder=REMINDERS[kind])
        if kind in grouped else _REMINDED[kind]
        for kind in KEY_CONSIDERATIONS
    )


def _caveat(grouped: dict[ConsiderationKind, list[AdviceReason]]) -> Consideration | None:
    evidence = ConsiderationKind.EVIDENCE
    if evidence not in grouped:
        return None
    return Consideration(kind=evidence, title=evidence.heading,
                         reasons=tuple(grouped[evidence]))


def _raised(rec: Recommendation, rules: RuleSet, facts: Facts | None = None
            ) -> dict[ConsiderationKind, list[AdviceReason]]:
    """The advice rules that fire, by the consideration they raise."""
    if facts is None:
        facts = facts_of(rec.context)
    # The compiled core, as every analysis: it fires the same rules as durable-rules
    # (tests/test_engines.py compares them with first place set) at a fraction of the cost.
    engine = get_engine("python")
    fired: set[str] | None = None
    for approach in rec.tied_at_top:  # a tie: only what holds whichever of them is first
        evaluation = engine.evaluate(rules, {**facts, TOP_FIELD: approach.value})
        fired = set(evaluation.fired) if fired is None else fired & set(evaluation.fired)
    grouped: dict[ConsiderationKind, list[AdviceReason]] = {}
    for rule_id in sorted(fired or ()):
        rule = rules.rule(rule_id)
        if rule.advise is None:
            continue
        grouped.setdefault(rule.advise.consideration, []).append(AdviceReason(
            rule_id=rule.id, why=rule.advise.why,
            source=cite_all(rule.source)))
    return grouped
