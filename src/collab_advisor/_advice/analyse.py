"""The reasoning floor's front door: every analysis of a result, as a function of the
result and its rule set, and the frozen records they fill.

``analyse(rec, rules=None)`` gives an ``Analysis``: what ``explain()`` shows beyond the
ranking (score ranges, settledness, next questions, fit, considerations, robustness,
the planning checklist). ``report_of`` pairs a result with its analysis, as the JSON
outputs write it. The rule set defaults to the shipped rules; a result made with
other rules is refused, naming both fingerprints.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .._engines.plan import APPROACHES
from .._model.context import Approach
from .._model.fields import RULE_FIELDS
from .._result.facts import facts_of
from .._result.record import RESULT_SCHEMA_VERSION, Recommendation
from .._rulebook.ruleset import RuleSet
from .analysis import Outlook, outlook
from .checklist import PlanningQuestion, checklist
from .confidence import Confidence, confidence_of_spread
from .confidence_count import Spread, Weights, spread_of
from .considerations import (
    Consideration,
    considerations_and_caveat,
    evidence_caveat,
    raise_considerations,
)
from .pairing import advice_and_features, has_advice, rules_for, scored, top_features
from .questions import Fit, Question, assess_fit, build_questions, order_by_sharpening
from .robustness import Robustness, robustness_of
from .settledness import is_settled, no_level_at_top
from .ties import TieOutlook, tie_outlook

_FROZEN = ConfigDict(frozen=True)

def outlook_of(rec: Recommendation, rules: RuleSet | None = None) -> Outlook:
    """Score ranges, settledness and field impacts for the unknown fields of ``rec``."""
    return outlook(*scored(rec, rules_for(rec, rules)), list(RULE_FIELDS))


class ScoreRange(BaseModel):
    """The lowest and highest score an approach could reach once everything is known."""

    model_config = _FROZEN

    approach: Approach
    """The approach."""
    low: int
    """The lowest score it could reach once every open question is answered."""
    high: int
    """The highest score it could reach."""


class Analysis(BaseModel):
    """What the reasoning floor says about one result: everything ``explain()`` shows
    beyond the ranking itself. Frozen, plain data, made by ``analyse``."""

    model_config = _FROZEN

    rules_fingerprint: str
    """The fingerprint of the rule set analysed with (the result's own)."""
    score_ranges: tuple[ScoreRange, ...]
    """Per approach, in the ranking's order."""
    ranges_exact: bool
    """True when ranges and ``is_settled`` come from scoring every combination of answers;
    otherwise they are sound bounds (never narrower than the truth)."""
    is_settled: bool
    """True when no answers to the unknown fields could change which approaches rank first."""
    has_advice: bool
    """True when first place is advice: a defining feature of an approach at the top holds."""
    top_features: tuple[str, ...]
    """The defining features of the first-listed top approach that hold, in plain words."""
    confidence: Confidence
    """How often first place holds over the ways the open questions could be answered: the
    headline measure (score ranges are detail)."""
    fit: Fit
    """How strongly the top approach fits, in points of what it can reach (never a
    percentage)."""
    next_questions: tuple[Question, ...]
    """The unanswered questions, the one expected to make first place clearest first."""
    considerations: tuple[Consideration, ...]
    """The guidance's eight key considerations, each raised here or as a reminder."""
    evidence_caveat: Consideration | None = None
    """A caveat on the evidence behind the top approach, apart from the considerations."""
    robustness: Robustness
    """How many answers would have to differ for the runner-up to come first."""
    planning_questions: tuple[PlanningQuestion, ...]
    """The guidance's planning questions, each with what the context says about it so far."""
    tie: TieOutlook | None = None
    """When a tie at the top stands after the stated tie-break: whether an open question
    could separate it, and how the tied approaches differ in the guidance."""

    def score_range(self, approach: Approach | str) -> tuple[int, int]:
        """The lowest and highest score ``approach`` could reach."""
        wanted = Approach(approach)
        found = next(r for r in self.score_ranges if r.approach is wanted)
        return found.low, found.high


def fit_of(rec: Recommendation, rules: RuleSet | None = None,
           known_outlook: Outlook | None = None) -> Fit:
    """How strongly the top approach fits, by the documented thresholds."""
    chosen = rules_for(rec, rules)
    seen = known_outlook if known_outlook is not None else outlook_of(rec, chosen)
    vector = tuple(rec.score_of(approach) for approach in APPROACHES)
    tied = tuple(APPROACHES.index(a) for a in rec.tied_for_first) if rec.is_tie else ()
    return assess_fit(chosen, vector, seen.high, APPROACHES.index(rec.top.approach),
                      APPROACHES.index(rec.ranking[1].approach), len(seen.impacts), tied)


def next_questions(rec: Recommendation, rules: RuleSet | None = None,
                   known_outlook: Outlook | None = None,
                   spread: Spread | None = None) -> tuple[Question, ...]:
    """The unanswered fields, the one whose answer is expected to sharpen the spread of
    first places most first (the interview's order)."""
    chosen = rules_for(rec, rules)
    seen = known_outlook if known_outlook is not None else outlook_of(rec, chosen)
    found = spread if spread is not None else spread_of(chosen, facts_of(rec.context),
                                                        alternatives=False)
    return order_by_sharpening(build_questions(seen, APPROACHES.index(rec.top.approach)),
                               found)


def analyse(rec: Recommendation, rules: RuleSet | None = None, *,
            weights: Weights | None = None) -> Analysis:
    """Every analysis of ``rec`` at once, with ``rules`` (default: the shipped rules, which
    must be the ones that made it); ``weights`` weigh the open answers of the confidence
    measure (per field, a weight per answer; by default every answer counts equally)."""
    chosen = rules_for(rec, rules)
    found = scored(rec, chosen)
    spread = spread_of(chosen, found[1], weights)
    seen = outlook(*found, list(RULE_FIELDS))
    settled = seen.settled
    if not seen.exact and not settled:  # the bounds may be loose: the exact proofs may tell
        settled = is_settled(rec, chosen)
    settled = settled and no_level_at_top(*found)  # a tie on points goes to the tie-break
    advice, features = advice_and_features(rec, chosen, found[1])
    considerations, caveat = considerations_and_caveat(rec, chosen, found[1])
    return Analysis(
        rules_fingerprint=chosen.fingerprint,
        score_ranges=tuple(
            ScoreRange(approach=r.approach, low=seen.low[APPROACHES.index(r.approach)],
                       high=seen.high[APPROACHES.index(r.approach)]) for r in rec.ranking),
        ranges_exact=seen.exact,
        is_settled=settled,
        has_advice=advice,
        top_features=features,
        confidence=confidence_of_spread(spread, rec.top.approach if settled else None),
        fit=fit_of(rec, chosen, seen),
        next_questions=next_questions(rec, chosen, seen, spread),
        considerations=considerations,
        evidence_caveat=caveat,
        robustness=robustness_of(rec, chosen),
        planning_questions=checklist(rec.context),
        tie=tie_outlook(rec, chosen),
    )


class Report(BaseModel):
    """A recommendation with its analysis: what ``--format json``, the HTTP API, batch and
    team outputs write. Its JSON Schema is published (``collab-advisor schema --report``)."""

    model_config = _FROZEN

    schema_version: int = RESULT_SCHEMA_VERSION
    """The version of this report's serialised form."""
    recommendation: Recommendation
    """The ranking and the reasons for it."""
    analysis: Analysis
    """What the reasoning says beyond the ranking: confidence, next questions, fit,
    considerations, robustness."""


def report_of(rec: Recommendation, rules: RuleSet | None = None) -> Report:
    """``rec`` with ``analyse(rec, rules)``."""
    return Report(recommendation=rec, analysis=analyse(rec, rules))



__all__ = ["Analysis", "Report", "ScoreRange", "analyse", "checklist", "confidence_of_spread",
           "evidence_caveat", "fit_of", "has_advice", "is_settled", "next_questions",
           "outlook_of", "raise_considerations", "report_of", "robustness_of", "scored",
           "tie_outlook", "top_features"]
"""Its own names and, as before, each analysis one by one (the floor's front door)."""
