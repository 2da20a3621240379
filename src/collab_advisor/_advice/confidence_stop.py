"""When the interview may stop, and which question to ask next: by the spread of first
places over the completions of the open questions (see ``confidence_count``).

The interview stops when one approach comes first alone in at least ``STOP_SHARE`` of
the completions (settable), when one outcome holds in all of them (settled), or when
nothing is left to ask. Its next question is the one after which the fewest questions
are expected before that stop (``expected_questions``): the scored rows of the spread
stand for the answers still to come, each weighted as the count weighs it, and for each
first question the rows are followed level by level, every group of rows that share
their answers so far either stopping as the interview would or asking its own next
question one answer ahead, the one that leaves the outcomes least spread out (the lowest
expected entropy, in bits). That look-ahead costs tens of milliseconds a question, so
the next-question list of every result takes its one-answer-ahead step alone
(``quick_order``).

A question answered "don't know" is held unknown, not completed (``spread_of(held=)``):
the advice will be given without it, so the spread that decides the stop is the spread
of the advice over the questions still to ask.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .._engines.plan import APPROACHES
from .._rulebook.ruleset import RuleSet
from .confidence_count import OUTCOMES, Spread

STOP_SHARE = 0.9
"""The default share of completions at which one approach's first place is clear enough."""

PURPOSE_FIRST = ("aim", "clinical_focus", "improvement_focus")
"""Between questions equal by every figure, the initiative's purpose comes first."""


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
    """The chance (by completions) that its answer lets the interview stop, at once or
    with the best question after it (two steps ahead)."""
    entropy_after: float
    """Averaged over its answers, the entropy (bits) of the outcomes that would remain."""


def single_leader(spread: Spread) -> tuple[int | None, float]:
    """The approach (index) first alone in the most completions, and its share."""
    total = spread.total
    best = max(range(len(APPROACHES)), key=lambda i: (spread.outcomes[1 << i], -i))
    return (best, spread.outcomes[1 << best] / total) if total else (None, 0.0)


def stop_reason(spread: Spread, asked: Collection[str] = (),
                threshold: float = STOP_SHARE, *, proved: bool = False) -> StopReason | None:
    """Why the interview may stop now, or ``None`` to go on (``asked``: fields already
    asked, answered or not; ``proved``: first place is proved settled, ``settled_proof``,
    which stands in for a count too large to be exact)."""
    check_threshold(threshold)
    left = [f for f in spread.fields if f.name not in asked]
    present = [m for m in range(1, OUTCOMES) if spread.outcomes[m] > 0]
    if left and (proved or (spread.exact and len(present) == 1)):
        return StopReason.SETTLED
    _, share = single_leader(spread)
    if left and share >= threshold and threshold < 1:  # 100%: only a proof (settled) will do
        return StopReason.CLEAR
    if not left:
        return StopReason.NOTHING_LEFT
    return None


def settled_proof(rules: RuleSet, facts: Mapping[str, Any], held: Collection[str],
                  spread: Spread) -> bool:
    """Whether the approach first in ``spread``'s most frequent outcome is proved strictly
    ahead on points in every completion of the open fields, the ``held`` ones staying
    unknown (exact, from the parts' tables; ``False`` when the rule set has none)."""
    from .._engines.plan import plan_for
    from .parts import part_gaps, parts_of

    if spread.exact:
        return False
    mask = spread.leader()
    if mask & (mask - 1):  # a tie leads: the tie-break decides, no proof here
        return False
    plan = plan_for(rules)
    parts = parts_of(plan)
    if parts is None:
        return False
    top = mask.bit_length() - 1
    codes = {name: plan.code(position, facts.get(name))
             for position, name in enumerate(plan.fields) if name in facts or name in held}
    gaps = part_gaps(parts, codes, top)
    return all(gap < 0 for approach, gap in enumerate(gaps) if approach != top)


ASKED_FIRST = ("aim",)
"""The question the interview asks first while it is open: the initiative's purpose."""


def interview_order(spread: Spread, field_order: Sequence[str], skip: Collection[str] = (),
                    threshold: float = STOP_SHARE) -> list[str]:
    """The order in which the interview asks: the purpose first while it is open, then
    ``question_order``."""
    order = question_order(spread, field_order, skip=skip, threshold=threshold)
    return [*(name for name in ASKED_FIRST if name in order),
            *(name for name in order if name not in ASKED_FIRST)]


def check_threshold(threshold: float) -> None:
    """Refuse a stop share outside (0, 1]."""
    if not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        from .._errors import CollabAdvisorError

        raise CollabAdvisorError(f"the stop share must be a number above 0 and at most 1 "
                                 f"(0.9 is 90%), not {threshold!r}")


def sharpening(spread: Spread, threshold: float = STOP_SHARE) -> dict[str, Sharpening]:
    """Per open field, what its answer is expected to do to the spread (one answer ahead)."""
    out = {}
    for f in spread.fields:
        expected = reaches = entropy = 0.0
        rows = spread.by_answer[f.name]
        total = sum(sum(row) for row in rows)  # each answer's row sums to its weight
        for row in rows:
            weight = sum(row)
            if weight <= 0:
                continue
            lead = max(row) / weight
            alone = max(row[1 << i] for i in range(len(APPROACHES))) / weight
            expected += weight / total * lead
            reaches += weight / total * (alone >= threshold or lead >= 1.0)
            entropy -= weight / total * sum(c / weight * math.log2(c / weight)
                                            for c in row if c > 0)
        out[f.name] = Sharpening(f.name, round(expected, 9), round(reaches, 9),
                                 round(entropy, 9))
    return out


def _stops(counts: Any, threshold: float, exact: bool) -> Any:
    """Per row of outcome counts, whether the interview could stop there."""
    import numpy as np

    weight = counts.sum(axis=-1)
    safe = np.where(weight > 0, weight, 1.0)
    alone = counts[..., [1 << i for i in range(len(APPROACHES))]].max(axis=-1) / safe
    single = (counts > 0).sum(axis=-1) == 1
    return (alone >= threshold) | (single & exact)


def _xlog2x(values: Any) -> Any:
    """x log2 x elementwise, 0 at 0."""
    import numpy as np

    out = np.zeros_like(values)
    positive = values > 0
    out[positive] = values[positive] * np.log2(values[positive])
    return out


def _bits_left(cells: Any, weights: Any, pairs: int, widest: int) -> Any:
    """Per (group, question) pair, the entropy (bits) of the outcomes expected to remain
    once the question is answered, times the group's weight. ``cells``: per row and
    question, ((pair * widest + answer) * OUTCOMES + outcome). Counted over the cells
    that occur only: sum over answers of w log2 w, less sum over cells of c log2 c."""
    import numpy as np

    size = pairs * widest * OUTCOMES
    if size <= 8 * len(cells):  # a table of every cell is cheaper than sorting the cells
        table = np.bincount(cells, weights=weights, minlength=size)
        keys = np.flatnonzero(table)
        counts = table[keys]
    else:
        keys, inverse = np.unique(cells, return_inverse=True)
        counts = np.bincount(inverse.reshape(-1), weights=weights)
    answers = np.bincount(keys // OUTCOMES, weights=counts, minlength=pairs * widest)
    return (_xlog2x(answers).reshape(pairs, widest).sum(axis=1)
            - np.bincount(keys // (OUTCOMES * widest), weights=_xlog2x(counts),
                          minlength=pairs))


def expected_questions(spread: Spread, threshold: float = STOP_SHARE,
                       skip: Collection[str] = (), field_order: Sequence[str] = ()
                       ) -> dict[str, float]:
    """Per open field not in ``skip``: how many questions the interview is expected to ask
    before it stops if it asks this one now, each later question then chosen one answer
    ahead (the lowest expected entropy of the outcomes left; ``field_order`` breaks ties,
    purpose first). Averaged over the scored rows with their weights, the completions
    standing for the answers still to come."""
    import numpy as np

    rank = _rank(field_order or [f.name for f in spread.fields])
    kept = sorted((j for j, f in enumerate(spread.fields) if f.name not in skip),
                  key=lambda j: rank.get(spread.fields[j].name, len(rank)))
    if not kept or not spread.rows_of:
        return {}
    count = len(spread.fields)
    codes = np.stack([spread.rows_of[j] for j in kept])
    masks, weights = spread.rows_of[count], spread.rows_of[count + 1]
    sizes = [len(spread.fields[j].units) for j in kept]
    return {spread.fields[j].name: _after_first(n, codes, sizes, masks, weights, threshold,
                                               spread.every_row)
            for n, j in enumerate(kept)}


def _after_first(first: int, codes: Any, sizes: list[int], masks: Any, weights: Any,
                 threshold: float, exact: bool) -> float:
    """The questions expected to the stop when question ``first`` is asked now, level by
    level: the rows that share the answers so far form a group; a group stops as the
    interview would, else asks its own lowest-entropy question."""
    import numpy as np

    kinds, widest = len(sizes), max(sizes)
    total = float(weights.sum())
    if total <= 0:
        return 0.0
    rows = np.arange(len(masks))
    group, groups = codes[first].copy(), sizes[first]
    asked = np.zeros((groups, kinds), dtype=bool)
    asked[:, first] = True
    asked_weight = total
    offsets = (np.arange(kinds) * widest)[:, None]
    while True:
        seen = np.bincount(group * OUTCOMES + masks[rows], weights=weights[rows],
                           minlength=groups * OUTCOMES).reshape(groups, OUTCOMES)
        going = ~(_stops(seen, threshold, exact) | asked.all(axis=1))[group]
        rows, group = rows[going], group[going]
        if not len(rows):
            return asked_weight / total
        asked_weight += float(weights[rows].sum())
        slots = (group * kinds * widest)[None, :] + offsets + codes[:, rows]
        bits = _bits_left((slots * OUTCOMES + masks[rows][None, :]).ravel(),
                          np.tile(weights[rows], kinds), groups * kinds, widest)
        weight = seen.sum(axis=1)
        scores = np.round(bits.reshape(groups, kinds)
                          / np.where(weight > 0, weight, 1.0)[:, None], 9)
        scores[asked] = np.inf
        chosen = scores.argmin(axis=1)[group]
        keys, group = np.unique((group * kinds + chosen) * widest + codes[chosen, rows],
                                return_inverse=True)
        group = group.reshape(-1)
        asked = asked[keys // (kinds * widest)].copy()
        asked[np.arange(len(keys)), (keys // widest) % kinds] = True
        groups = len(keys)


def _rank(field_order: Sequence[str]) -> dict[str, int]:
    """Fields by rank between equals: purpose first, then ``field_order``."""
    return {name: i for i, name in enumerate(
        [*(n for n in PURPOSE_FIRST if n in field_order),
         *(n for n in field_order if n not in PURPOSE_FIRST)])}


def question_order(spread: Spread, field_order: Sequence[str], skip: Collection[str] = (),
                   threshold: float = STOP_SHARE,
                   scores: dict[str, Sharpening] | None = None) -> list[str]:
    """The interview's order: the open fields not in ``skip``, the one after which the
    fewest questions are expected to the stop first (``expected_questions``); between
    equals the lowest expected entropy, then purpose first, then ``field_order``.
    ``scores``: ``sharpening`` already worked out."""
    if scores is None:
        scores = sharpening(spread, threshold)
    ahead = expected_questions(spread, threshold, skip, field_order)
    rank = _rank(field_order)
    names = [f.name for f in spread.fields if f.name not in skip]
    return sorted(names, key=lambda n: (round(ahead.get(n, 0.0), 9), scores[n].entropy_after,
                                        rank.get(n, len(rank))))


def quick_order(spread: Spread, field_order: Sequence[str], skip: Collection[str] = (),
                threshold: float = STOP_SHARE,
                scores: dict[str, Sharpening] | None = None) -> list[str]:
    """A cheap order for the next-question list of every result: the open fields not in
    ``skip``, the lowest expected entropy of the outcomes left first (one answer ahead;
    the interview's own base step), then purpose first, then ``field_order``."""
    if scores is None:
        scores = sharpening(spread, threshold)
    rank = _rank(field_order)
    names = [f.name for f in spread.fields if f.name not in skip]
    return sorted(names, key=lambda n: (scores[n].entropy_after, rank.get(n, len(rank))))
