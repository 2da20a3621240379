"""Shared wording for settledness and the planning checklist, used by every output."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._model.wording import field_label, join_words

if TYPE_CHECKING:
    from .._advice.analyse import Analysis
    from .._advice.checklist import PlanningQuestion
    from .._result.record import Recommendation

def settled_text(rec: Recommendation, an: Analysis) -> str:
    """Whether the open questions could still change first place, in plain words."""
    unknown = len(rec.unknown_fields)
    if not unknown:
        return ("Every question is answered, so nothing left open can change first place. "
                "The advice is still only as good as the rules and the answers given.")
    questions = "question" if unknown == 1 else "questions"
    if an.is_settled:
        return (f"Settled under these rules: no answer to the {unknown} open {questions} could "
                "change which approach ranks first. That is a property of the rules, not a "
                "measure of certainty: changed answers still could (see robustness).")
    return (f"Not settled: answers to the {unknown} open {questions} could still change which "
            "approach ranks first.")


def checklist_note(item: PlanningQuestion) -> str:
    """Which answers inform a planning question, and what they say so far."""
    if not item.informed_by:
        return "no answer in the context bears on this; only the planners can answer it"
    fields = join_words([field_label(f) for f in item.informed_by])
    if item.coverage == "not_yet_informed":
        return f"informed by {fields}: none known yet"
    return f"informed by {fields}; so far: {item.known}"
