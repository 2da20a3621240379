"""Shared wording for first place, ties, the stated tie-break and reasons' grades, so that
every face (text, Markdown, HTML, web, CLI, team reports, batch) says the same thing.

No face calls one approach the best fit because of list order: a tie that stands is named
as a tie, with every tied approach; a tie settled by the stated tie-break says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._model.wording import field_label, join_words, points_text

if TYPE_CHECKING:
    from .._advice.analyse import Analysis
    from .._advice.ties import TieOutlook
    from .._result.record import Recommendation


def first_names(rec: Recommendation) -> list[str]:
    """The names of every approach first after the stated tie-break, in the fixed order."""
    return [rec.ranked(a).name for a in rec.tied_for_first]


def verdict(rec: Recommendation) -> str:
    """The verdict in a few words, for titles and headings: 'Community of Practice fits
    best', 'Tie: Community of Practice and Clinical Community', or, on a tie the stated
    tie-break settled, 'Clinical Community fits best on the tie-break'."""
    names = first_names(rec)
    if len(names) == len(rec.ranking) and len(names) > 1:
        return "No approach is ahead yet"
    if len(names) > 1:
        return f"Tie: {join_words(names)}"
    if rec.tie_break is not None:
        return f"{names[0]} fits best on the tie-break"
    return f"{names[0]} fits best"


def verdict_parts(rec: Recommendation) -> tuple[str, str]:
    """The verdict split for emphasis: the names (or 'Tie: ...') and the words after them,
    so that ``strong + rest`` is ``verdict(rec)``."""
    text = verdict(rec)
    names = first_names(rec)
    if len(names) == 1 and text.startswith(names[0]):
        return names[0], text[len(names[0]):]
    return text, ""


def tie_break_text(rec: Recommendation) -> str:
    """What the stated tie-break did, in a sentence or three; empty when no approaches
    were level on points at the top."""
    tie = rec.tie_break
    if tie is None:
        return ""
    level = [rec.ranked(a).name for a in tie.level_on_points]
    counts = "; ".join(
        f"{rec.ranked(c.approach).name} {c.defining} defining, {c.typical} typical, "
        f"{c.hedged} hedged" for c in tie.counts)
    score = rec.ranked(tie.level_on_points[0]).score
    text = (f"{join_words(level)} were level on {points_text(score)}. "
            f"Stated tie-break (rules/PRINCIPLES.md): {tie.principle} Features holding: "
            f"{counts}.")
    if tie.separated:
        return text + f" It puts {rec.ranked(tie.first[0]).name} first."
    if len(tie.first) < len(tie.level_on_points):
        return text + f" It leaves {join_words(first_names(rec))} tied."
    return text + " It leaves them tied: the tie stands."


def tie_outlook_text(rec: Recommendation, an: Analysis) -> str:
    """For a tie that stands: whether anything left to ask could separate it, and how the
    tied approaches differ in the guidance; empty when first place is one approach."""
    outlook: TieOutlook | None = an.tie
    if outlook is None or not rec.is_tie:
        return ""
    if outlook.separable:
        fields = join_words([field_label(name) for name in outlook.open_fields])
        text = f"The tie stands; answering the open questions may separate them: {fields}."
    else:
        text = ("The tie stands, and nothing left to ask can separate them: no open question "
                "bears on their points or their features.")
    return text + " " + differences_text(outlook)


def differences_text(outlook: TieOutlook) -> str:
    """How the tied approaches differ in the guidance: each one's defining and typical
    features from the ledger, marked where they hold here."""
    parts = []
    for tied in outlook.tied:
        features = "; ".join(
            f"{_lowered(f.text)} ({f.strength.value}{', holds here' if f.holds else ''})"
            for f in tied.features) or "no firm feature in the ledger"
        parts.append(f"{tied.name}: {features}")
    return "How they differ in the guidance. " + ". ".join(parts) + "."


def grade_text(grade: str) -> str:
    """A reason's grade as shown beside it: 'grade: ●●● defining, guidance'."""
    return f"grade: {grade}"


def _lowered(text: str) -> str:
    """A feature's statement inside a sentence: no full stop, first letter lower case
    (unless the first word is an abbreviation)."""
    text = text.rstrip(".")
    first = text.split(" ", 1)[0]
    return text if first.isupper() else text[:1].lower() + text[1:]
