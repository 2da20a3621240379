"""The next questions to ask (fit lives in ``_fit``, re-exported here)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .._engines.plan import APPROACHES
from .._model.fields import FIELDS
from .._model.wording import count_classes_text, describe_value, field_label, join_words
from .analysis import FieldImpact, Outlook
from .confidence_count import Spread
from .confidence_stop import STOP_SHARE, quick_order, sharpening
from .fit import INDEPENDENT_QUESTION, STRONG_SHARE, WEAK_SHARE, Fit, assess_fit

_FROZEN = ConfigDict(frozen=True)

class Question(BaseModel):
    """An unanswered field, with why answering it matters now."""

    model_config = _FROZEN

    field: str
    """The context field it asks about."""
    question: str
    """The field's plain-language question."""
    answers: tuple[str, ...]
    """The answers the rules tell apart."""
    changes_top: int
    """How many of those answers would change the top approach."""
    could_settle: int
    """How many answers would leave first place settled: no later answer could change it under
    these rules (0 where not computed exactly)."""
    margin_shift: int
    """The most the top approach's lead could move, in points."""
    open_after: float = 0.0
    """On average over its answers, how many approaches could still rank first once it is
    answered."""
    questions_after: float = 0.0
    """About how many more questions first place needs to be settled (no later answer
    could change it) once this one is answered, looking two questions ahead. A figure
    about settling, kept for callers who read it: the questions are not ordered by it
    (see ``next_questions``), and the interview stops before settling when first place is
    clear enough."""
    stop_chance: float = 0.0
    """The chance, over the ways the open questions could be answered, that its answer
    makes first place clear enough to stop (see the interview)."""
    lead_after: float = 0.0
    """Averaged over its answers, the share of those ways in which the leading outcome
    would then come about."""
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
        why += f" {impact.settles} of its answers would settle first place under these rules."
    spec = FIELDS[impact.field]
    return Question(
        field=impact.field,
        question=spec.question,
        answers=answers,
        changes_top=impact.changes_top,
        could_settle=impact.settles,
        margin_shift=impact.margin_shift,
        open_after=impact.open_after,
        questions_after=impact.questions_after,
        why=f"{why} ({field_label(impact.field).capitalize()}: {spec.description})",
    )


def order_by_sharpening(questions: tuple[Question, ...], spread: Spread,
                        threshold: float = STOP_SHARE) -> tuple[Question, ...]:
    """The questions, the one whose answer is expected to leave first place least spread
    out first (``confidence_stop.quick_order``: one answer ahead, the interview's own base
    step; the interview itself looks further, which costs too much for every result),
    with their figures."""
    scores = sharpening(spread, threshold)
    order = quick_order(spread, list(FIELDS), threshold=threshold, scores=scores)
    rank = {name: i for i, name in enumerate(order)}
    updated = [q.model_copy(update={"stop_chance": scores[q.field].reaches_stop,
                                    "lead_after": scores[q.field].expected_share})
               if q.field in scores else q for q in questions]
    return tuple(sorted(updated, key=lambda q: rank.get(q.field, len(rank))))


__all__ = ["INDEPENDENT_QUESTION", "STRONG_SHARE", "WEAK_SHARE", "Fit", "Question",
           "assess_fit", "build_questions"]
