"""The next questions to ask, and how strongly the top approach fits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ._analysis import FieldImpact, Outlook
from ._fields import FIELDS
from ._plan import APPROACHES, Scores, ScoringPlan
from ._wording import count_classes_text, describe_value, field_label, join_words

_FROZEN = ConfigDict(frozen=True)

STRONG_SHARE = 0.5
"""The top approach fits strongly from half of its ceiling (every positive point its rules
can give it)."""
WEAK_SHARE = 0.3
"""Below this share of its ceiling, the top approach fits weakly."""

INDEPENDENT_QUESTION = (
    "How will collaboration lead to better outcomes than working independently?"
)
"""The guidance's own question (Practical questions: Purpose and goals, question 3)."""


class Question(BaseModel):
    """An unanswered field, with why answering it matters now."""

    model_config = _FROZEN

    field: str
    question: str
    """The field's plain-language question."""
    answers: tuple[str, ...]
    """The answers the rules tell apart."""
    changes_top: int
    """How many of those answers would change the top approach."""
    could_settle: int
    """How many answers would leave the advice settled (0 where not computed exactly)."""
    margin_shift: int
    """The most the top approach's lead could move, in points."""
    open_after: float = 0.0
    """On average over its answers, how many approaches could still rank first once it is
    answered; questions are asked lowest first (purpose before control on a tie)."""
    why: str
    """Why it matters, in plain words."""


def _answers(impact: FieldImpact) -> tuple[str, ...]:
    if FIELDS[impact.field].kind == "count":
        return count_classes_text(tuple(int(v) for v in impact.values))
    return tuple(describe_value(impact.field, value) for value in impact.values)


def build_questions(outlook: Outlook, top: int) -> tuple[Question, ...]:
    """Every unanswered field, most informative first."""
    return tuple(_question(impact, top, outlook.settled) for impact in outlook.impacts)


def _question(impact: FieldImpact, top: int, settled: bool) -> Question:
    answers = _answers(impact)
    new_tops = sorted({t for t in impact.tops if t != top})
    if impact.changes_top:
        names = join_words([APPROACHES[t].display_name for t in new_tops], "or")
        which = [a for a, t in zip(answers, impact.tops, strict=True) if t != top]
        why = (f"{impact.changes_top} of its {len(answers)} answers would change the best fit "
               f"(to {names}): {join_words(which, 'or')}.")
    elif impact.margin_shift:
        points = "point" if impact.margin_shift == 1 else "points"
        why = (f"No single answer changes the best fit, but the answers move "
               f"{APPROACHES[top].display_name}'s lead by up to {impact.margin_shift} {points}.")
    else:
        why = "On its own, no answer moves the ranking at the top."
    if impact.settles and not settled:
        why += f" {impact.settles} of its answers would settle the advice."
    spec = FIELDS[impact.field]
    return Question(
        field=impact.field,
        question=spec.question,
        answers=answers,
        changes_top=impact.changes_top,
        could_settle=impact.settles,
        margin_shift=impact.margin_shift,
        open_after=impact.open_after,
        why=f"{why} ({field_label(impact.field).capitalize()}: {spec.description})",
    )


class Fit(BaseModel):
    """How strongly the top approach fits, against what its rules could give it."""

    model_config = _FROZEN

    strength: Literal["strong", "moderate", "weak", "unclear"]
    share: float
    """The top score as a share of the top approach's ceiling."""
    message: str


def assess_fit(plan: ScoringPlan, scores: Scores, high: Scores, top: int,
               unknown: int) -> Fit:
    """Strong, moderate, weak or unclear, by the documented thresholds."""
    ceiling = plan.ceilings[top]
    share = scores[top] / ceiling if ceiling > 0 else 0.0
    name = APPROACHES[top].display_name
    points = f"{scores[top]} of the {ceiling} points its rules can give"
    if share >= STRONG_SHARE:
        return Fit(strength="strong", share=share,
                   message=f"{name} fits strongly: {points}.")
    if share >= WEAK_SHARE:
        return Fit(strength="moderate", share=share,
                   message=f"{name} fits moderately: {points}.")
    best_case = max(
        (high[i] / plan.ceilings[i] if plan.ceilings[i] > 0 else 0.0)
        for i in range(len(APPROACHES))
    )
    if unknown and best_case >= WEAK_SHARE:
        return Fit(strength="unclear", share=share,
                   message=f"Too little is known to judge the fit yet: {name} has {points}. "
                   "Answer the next questions to see whether any approach fits well.")
    return Fit(strength="weak", share=share,
               message=f"Even the best-ranked approach fits weakly ({name}: {points}). "
               f"Ask first, as the guidance does: {INDEPENDENT_QUESTION}")
