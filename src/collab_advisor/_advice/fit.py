"""How well the top approach fits, on one scale for all four approaches.

Two figures make the scale, and both mean the same for every approach:

- the **share**: the top approach's score as a share of the highest score that
  approach reaches in any complete context under these rules (its reachable
  best), so an approach with many rules is not judged against a ceiling no
  context can reach;
- the **lead**: how many points the top approach is ahead of the runner-up.

The thresholds (``STRONG_SHARE``, ``STRONG_LEAD``, ``WEAK_SHARE``) are documented in
the README and tested: a textbook case of each approach fits strongly, and a
lead of one point never does.
"""

from __future__ import annotations

import functools
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .._engines.plan import APPROACHES, Scores, ScoringPlan, plan_for
from .._model.context import Approach
from .._model.fields import RULE_FIELDS
from .._model.wording import join_words, points_text
from .._rulebook.ruleset import RuleSet

_FROZEN = ConfigDict(frozen=True)

STRONG_SHARE = 0.5
"""A strong fit needs at least half of the top approach's reachable best..."""
STRONG_LEAD = 4
"""...and a lead of at least this many points over the runner-up."""
WEAK_SHARE = 0.3
"""Below this share of its reachable best, the top approach fits weakly (or, while
answers are missing, unclearly)."""
SEARCH_BUDGET = 100_000
"""Most partial contexts visited when finding an approach's reachable best; past it the
best is the sum of its positive points (a sound upper bound)."""

INDEPENDENT_QUESTION = (
    "Would working together achieve more than each team could by working on its own?"
)
"""The guidance's third practical question (Purpose and goals), in our own words."""


class Fit(BaseModel):
    """How strongly the top approach fits, on one scale shared by all four approaches."""

    model_config = _FROZEN

    strength: Literal["strong", "moderate", "weak", "unclear"]
    """The fit in one word, by the documented thresholds: strong, moderate, weak or
    unclear."""
    share: float
    """The top score as a share of the top approach's reachable best (0 when negative)."""
    message: str
    """The fit in plain words, in points."""
    lead: int = 0
    """Points the top approach is ahead of the runner-up (0 for a tie)."""
    runner_up: Approach | None = None
    """The approach ranked second."""
    best: int = 0
    """The highest score the top approach reaches in any complete context."""


@functools.lru_cache(maxsize=32)
def reachable_best(rules: RuleSet) -> Scores:
    """Per approach, the highest score any complete context gives it under ``rules``.

    Found by a branch-and-bound search over the rules' value classes: a branch is
    cut when even every still-possible rule firing could not beat the best found.
    Where the search would pass ``SEARCH_BUDGET`` partial contexts, the sum of the
    approach's positive points is used instead (never lower than the truth).
    """
    plan = plan_for(rules)
    return tuple(_best(plan, index) for index in range(len(APPROACHES)))


class _OverBudgetError(Exception):
    pass


def _best(plan: ScoringPlan, index: int) -> int:
    fields = list(RULE_FIELDS)
    gains = [(rule.id, vector[index]) for rule, vector in zip(plan.rules, plan.vectors,
                                                                 strict=True)
             if vector[index] > 0]
    found: list[int] = []
    visited = 0

    def visit(depth: int, facts: dict[str, str | bool | int]) -> None:
        nonlocal visited
        visited += 1
        if visited > SEARCH_BUDGET:
            raise _OverBudgetError
        scores, fired = plan.score(facts)
        if depth == len(fields):
            if not found or scores[index] > found[0]:
                found[:] = [scores[index]]
            return
        possible = plan.possible(facts)
        bound = scores[index] + sum(points for rule_id, points in gains
                                    if rule_id in possible and rule_id not in fired)
        if found and bound <= found[0]:
            return
        field = fields[depth]
        for value in plan.classes[field]:
            facts[field] = value
            visit(depth + 1, facts)
        del facts[field]

    try:
        visit(0, {})
    except _OverBudgetError:
        return plan.ceilings[index]
    return found[0]


def assess_fit(rules: RuleSet, scores: Scores, high: Scores, top: int, runner_up: int,
               unknown: int, tied: tuple[int, ...] = ()) -> Fit:
    """Strong, moderate, weak or unclear, by the documented thresholds. ``tied`` lists the
    approaches (indices) sharing first place on a tie that stands: the message names them
    all and judges the fit of the first listed, saying so."""
    best = reachable_best(rules)
    share = _share(scores[top], best[top])
    lead = scores[top] - scores[runner_up]
    name = APPROACHES[top].display_name
    second = APPROACHES[runner_up].display_name
    points = (f"{points_text(scores[top])} of the {best[top]} it can reach in any "
              "context")
    ahead = (f"level with {second}" if lead == 0
             else f"{points_text(lead)} ahead of {second}")
    subject, fits, has = name, "fits", "has"
    if len(tied) > 1:
        subject = f"{join_words([APPROACHES[i].display_name for i in tied])} (tied for first)"
        fits, has = "fit", "have"
        points = (f"{points_text(scores[top])} each; for {name}, {share:.0%} of the most it "
                  f"reaches in any context ({best[top]})")
        ahead = "level with each other"
    strength: Literal["strong", "moderate", "weak", "unclear"]
    if share >= STRONG_SHARE and lead >= STRONG_LEAD:
        strength = "strong"
        message = f"{subject} {fits} strongly{_so_far(unknown)}: {points}, and {ahead}."
    elif share >= WEAK_SHARE:
        close = (f"; it is only {ahead}, so the two are close" if lead < STRONG_LEAD
                 else f"; it is {ahead}")
        if len(tied) > 1:
            close = f"; they are {ahead}"
        strength = "moderate"
        message = f"{subject} {fits} moderately{_so_far(unknown)}: {points}{close}."
    elif unknown and max(_share(high[i], best[i]) for i in range(len(APPROACHES))) >= WEAK_SHARE:
        strength = "unclear"
        message = (f"Too little is known to judge the fit yet: {subject} {has} {points}. "
                   "Answer the next questions to see whether any approach fits well.")
    else:
        strength = "weak"
        message = (f"Even the best-ranked approach fits weakly ({subject}: {points}). "
                   f"Ask first: {INDEPENDENT_QUESTION}")
    return Fit(strength=strength, share=share, message=message, lead=lead,
               runner_up=APPROACHES[runner_up], best=best[top])


def _so_far(unknown: int) -> str:
    """Words that keep a fit judged on some answers from reading as final."""
    return f" on the answers so far ({unknown} still open)" if unknown else ""


def _share(score: int, best: int) -> float:
    return max(score, 0) / best if best > 0 else 0.0
