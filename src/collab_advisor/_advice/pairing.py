"""Pairing a result with its rule set (the check every analysis starts with), and the
cheap facts about first place that several analyses share."""

from __future__ import annotations

from .._engines.plan import Scores, ScoringPlan, plan_for
from .._errors import RulesMismatchError
from .._result.build import shipped_rules
from .._result.facts import facts_of
from .._result.record import Recommendation
from .._rulebook.evaluation import Facts
from .._rulebook.ruleset import RuleSet
from .features import reads_as_advice

Scored = tuple[ScoringPlan, Facts, Scores, frozenset[str]]
"""The compiled plan, the facts, the scores and the fired rules of one result."""


def rules_for(rec: Recommendation, rules: RuleSet | None = None) -> RuleSet:
    """The rule set to analyse ``rec`` with: ``rules``, or the shipped rules, checked to be
    the ones that made it (by fingerprint)."""
    chosen = rules if rules is not None else shipped_rules()
    if not isinstance(chosen, RuleSet):
        raise TypeError(f"rules must be a RuleSet from load_rules(), not {type(chosen).__name__}")
    if chosen.fingerprint != rec.rules_fingerprint:
        which = "the shipped rules" if rules is None else f"rules {chosen.version}"
        raise RulesMismatchError(
            f"this recommendation was made with rules {rec.rules_version} (fingerprint "
            f"{rec.rules_fingerprint[:12]}), not with {which} (fingerprint "
            f"{chosen.fingerprint[:12]}); pass the rule set that made it as rules=, "
            "or run recommend() again with these rules")
    return chosen


def scored(rec: Recommendation, rules: RuleSet) -> Scored:
    """What every analysis starts from: the compiled plan, the facts, scores, fired rules."""
    plan = plan_for(rules)
    facts = facts_of(rec.context)
    scores, fired = plan.score(facts)
    return plan, facts, scores, fired


def has_advice(rec: Recommendation, rules: RuleSet | None = None) -> bool:
    """True when the first place is advice: one of the top approach's defining features
    holds (with nothing known, or nothing defining, no approach stands out yet)."""
    chosen = rules_for(rec, rules)
    facts = facts_of(rec.context)
    return reads_as_advice(chosen, rec.top.approach, facts, rec.top.score)


def advice_and_features(rec: Recommendation, rules: RuleSet, facts: Facts
                        ) -> tuple[bool, tuple[str, ...]]:
    """``has_advice`` and ``top_features`` at once (one test of the top approach's
    defining features), for ``rules`` already paired with ``rec`` and its ``facts``."""
    holding = rules.features_holding(rec.top.approach, facts)
    advice = bool(holding) if rules.features_of(rec.top.approach) else rec.top.score > 0
    return advice, tuple(feature.text for feature in holding)


def top_features(rec: Recommendation, rules: RuleSet | None = None) -> tuple[str, ...]:
    """The first-listed top approach's defining features that hold here, in plain words."""
    chosen = rules_for(rec, rules)
    return tuple(feature.text for feature in
                 chosen.features_holding(rec.top.approach, facts_of(rec.context)))
