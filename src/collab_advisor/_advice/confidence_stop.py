"""When the interview may stop, and which question to ask next: by the spread of first
places over the completions of the open questions (see ``confidence_count``).

Each open field is scored by how much its answer is expected to sharpen that spread:
averaged over its answers (each with the weight of the completions that give it), the
share of the outcome that would then lead. The question with the highest expected
share comes first. The interview stops when one approach comes first alone in at least
``STOP_SHARE`` of the completions (settable), when one outcome holds in all of them
(settled), or when nothing is left to ask.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .._engines.plan import APPROACHES
from .confidence_count import OUTCOMES, Spread

STOP_SHARE = 0.9
"""The default share of completions at which one approach's first place is clear enough."""

PURPOSE_FIRST = ("aim", "clinical_focus", "improvement_focus")
"""Between equally sharpening questions, the initiative's purpose comes first."""


class StopReason(StrEnum):
    """Why an interview stopped."""

    SETTLED = "settled"
    CLEAR = "clear"
    NOTHING_LEFT = "nothing_left"


@dataclass(frozen=True)
class Sharpening:
    """What answering one open field is expected to do to the spread of first places."""

    field: str
    expected_share: float
    """Averaged over its answers, the share of the outcome that would then lead."""
    reaches_stop: float
    """The chance (by completions) that its answer lets the interview stop."""


def single_leader(spread: Spread) -> tuple[int | None, float]:
    """The approach (index) first alone in the most completions, and its share."""
    total = spread.total
    best = max(range(len(APPROACHES)), key=lambda i: (spread.outcomes[1 << i], -i))
    return (best, spread.outcomes[1 << best] / total) if total else (None, 0.0)


def stop_reason(spread: Spread, asked: Collection[str] = (),
                threshold: float = STOP_SHARE) -> StopReason | None:
    """Why the interview may stop now, or ``None`` to go on (``asked``: fields already
    asked, answered or not)."""
    check_threshold(threshold)
    present = [m for m in range(1, OUTCOMES) if spread.outcomes[m] > 0]
    if spread.exact and len(present) == 1:
        return StopReason.SETTLED
    _, share = single_leader(spread)
    if share >= threshold:
        return StopReason.CLEAR
    if all(f.name in asked for f in spread.fields):
        return StopReason.NOTHING_LEFT
    return None


def check_threshold(threshold: float) -> None:
    """Refuse a stop share outside (0, 1]."""
    if not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        from .._errors import CollabAdvisorError

        raise CollabAdvisorError(f"the stop share must be a number above 0 and at most 1 "
                                 f"(0.9 is 90%), not {threshold!r}")


def sharpening(spread: Spread, threshold: float = STOP_SHARE) -> dict[str, Sharpening]:
    """Per open field, what its answer is expected to do to the spread."""
    total = spread.total
    out = {}
    for f in spread.fields:
        expected = reaches = 0.0
        for row in spread.by_answer[f.name]:
            weight = sum(row)
            if weight <= 0:
                continue
            lead = max(row) / weight
            alone = max(row[1 << i] for i in range(len(APPROACHES))) / weight
            expected += weight / total * lead
            reaches += weight / total * (alone >= threshold or lead >= 1.0)
        out[f.name] = Sharpening(f.name, round(expected, 9), round(reaches, 9))
    return out


def question_order(spread: Spread, field_order: Sequence[str], skip: Collection[str] = (),
                   threshold: float = STOP_SHARE) -> list[str]:
    """The open fields not in ``skip``, the most sharpening first (purpose first, then the
    context's field order, between equals)."""
    scores = sharpening(spread, threshold)
    rank = {name: i for i, name in enumerate(
        [*(n for n in PURPOSE_FIRST if n in field_order),
         *(n for n in field_order if n not in PURPOSE_FIRST)])}
    names = [f.name for f in spread.fields if f.name not in skip]
    return sorted(names, key=lambda n: (-scores[n].reaches_stop, -scores[n].expected_share,
                                        rank.get(n, len(rank))))
