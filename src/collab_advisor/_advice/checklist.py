"""The guidance's practical planning questions, as a checklist for the planners.

No context field answers one of these questions: the answers are the planners'
own (who to invite, how to build trust, ...). Some fields *inform* a question,
and the checklist says which, and what the context says so far, without ticking
the question off.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .._model.context import Context
from .._model.fields import FIELDS
from .._model.wording import describe_value, field_label

_FROZEN = ConfigDict(frozen=True)

Coverage = Literal["informed", "partly_informed", "not_yet_informed", "planners_only"]
"""How far the context informs a planning question: every informing field known, some,
none, or no field bears on it at all."""


class PlanningQuestion(BaseModel):
    """One planning question, the context fields that inform it, and what they say so far."""

    model_config = _FROZEN

    group: str
    """'Purpose and goals' or 'Stakeholders and participation'."""
    number: int
    """Its number in the guidance's list."""
    question: str
    """The question, in our words."""
    answered_by: tuple[str, ...]
    """The context fields that answer the question outright: none does today, since the
    answers are the planners' own (kept for compatibility; see ``informed_by``)."""
    answered: bool
    """Whether the context answers the question outright (never from a field that only
    bears on it; see ``coverage``)."""
    informed_by: tuple[str, ...] = ()
    """The context fields that bear on the question, without answering it."""
    coverage: Coverage = "not_yet_informed"
    """How far those fields are known."""
    known: str
    """What the context says so far."""


_PURPOSE = "Purpose and goals"
_PEOPLE = "Stakeholders and participation"

# The guidance's "Practical questions", each put in our own words, with the context
# fields that bear on it. Fields not (yet) in the context are left out.
_QUESTIONS: tuple[tuple[str, int, str, tuple[str, ...]], ...] = (
    (_PURPOSE, 1, "What exactly is the problem you want to work on together?",
     ("aim", "clinical_focus", "improvement_focus")),
    (_PURPOSE, 2, "What should be achieved soon, and what in the long run? Did the people "
     "affected help to set those aims?", ("time_span", "patient_involvement")),
    (_PURPOSE, 3, "Why would joining forces achieve more than each team tackling this on "
     "its own?", ("single_org_can_solve", "scope")),
    (_PEOPLE, 4, "Whose participation is essential for this to work?",
     ("professions", "scope", "sites", "shared_domain")),
    (_PEOPLE, 5, "How will people be asked to join, and who should ask them? The sender of "
     "an invitation can count as much as its wording.", ("origin", "leadership")),
    (_PEOPLE, 6, "How will patients, carers, service users and staff from every kind of "
     "role get a say?", ("patient_involvement", "professions")),
    (_PEOPLE, 7, "How will you keep members involved over time, and help trust grow "
     "among them?", ("resourcing", "existing_network", "enabling_support")),
    (_PEOPLE, 8, "What will it take for everyone to be able to take part fairly, whatever "
     "their access needs?", ()),
)


def checklist(context: Context) -> tuple[PlanningQuestion, ...]:
    """Every planning question, with what the context says about it so far."""
    known = context.known()
    out = []
    for group, number, question, wanted in _QUESTIONS:
        fields = tuple(f for f in wanted if f in FIELDS)
        said = [f"{field_label(f)}: {describe_value(f, known[f])}" for f in fields if f in known]
        if not fields:
            coverage: Coverage = "planners_only"
        elif len(said) == len(fields):
            coverage = "informed"
        elif said:
            coverage = "partly_informed"
        else:
            coverage = "not_yet_informed"
        out.append(PlanningQuestion(
            group=group, number=number, question=question, answered_by=(), answered=False,
            informed_by=fields, coverage=coverage,
            known="; ".join(said) if said else
            ("only the planners can answer this" if not fields else "nothing known yet"),
        ))
    return tuple(out)
