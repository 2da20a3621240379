"""The guidance's practical planning questions, as a checklist against the context."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ._context import Context
from ._wording import describe_value, field_label

_FROZEN = ConfigDict(frozen=True)


class PlanningQuestion(BaseModel):
    """One planning question, and whether the context already answers it."""

    model_config = _FROZEN

    group: str
    """'Purpose and goals' or 'Stakeholders and participation'."""
    number: int
    """Its number in the guidance's list."""
    question: str
    """The question, in our words."""
    answered_by: tuple[str, ...]
    """The context fields that answer it (none: only the planners can)."""
    answered: bool
    """Whether every field that answers it is known."""
    known: str
    """What the context says so far."""


_PURPOSE = "Purpose and goals"
_PEOPLE = "Stakeholders and participation"

# Paraphrased from the guidance's "Practical questions" section.
_QUESTIONS: tuple[tuple[str, int, str, tuple[str, ...]], ...] = (
    (_PURPOSE, 1, "Which specific problem or challenge is the collaboration for?", ("aim",)),
    (_PURPOSE, 2, "What are the short- and long-term objectives, and were they shaped with "
     "the people they affect?", ("time_span", "patient_involvement")),
    (_PURPOSE, 3, "Why would working together do better than each organisation working "
     "alone?", ("single_org_can_solve",)),
    (_PEOPLE, 4, "Who has to take part for the collaboration to work?",
     ("professions", "scope", "sites")),
    (_PEOPLE, 5, "How will members be invited, and by whom?", ("origin", "leadership")),
    (_PEOPLE, 6, "How will patients, service users, carers and staff in different roles "
     "all be heard?", ("patient_involvement", "professions")),
    (_PEOPLE, 7, "How will you keep people taking part and build trust between them?",
     ("resourcing", "existing_network")),
    (_PEOPLE, 8, "How will you meet accessibility needs so everyone can take part on equal "
     "terms?", ()),
)


def checklist(context: Context) -> tuple[PlanningQuestion, ...]:
    """Every planning question, marked answered when the context covers it."""
    known = context.known()
    out = []
    for group, number, question, fields in _QUESTIONS:
        said = [f"{field_label(f)}: {describe_value(f, known[f])}" for f in fields if f in known]
        out.append(PlanningQuestion(
            group=group, number=number, question=question, answered_by=fields,
            answered=bool(fields) and all(f in known for f in fields),
            known="; ".join(said) if said else
            ("only the planners can answer this" if not fields else "not known yet"),
        ))
    return tuple(out)
