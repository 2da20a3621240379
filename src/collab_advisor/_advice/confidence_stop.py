"""When the interview may stop, and which question to ask next: by the spread of first
places over the completions of the open questions (see ``confidence_count``).

Each open field is scored by how much its answer is expected to sharpen that spread,
averaged over its answers (each with the weight of the completions that give it): first
the chance that its answer lets the interview stop, then how spread out first place is
expected to stay (the entropy of the outcomes, in bits; lower is sharper). The most
sharpening question comes first. The interview stops when one approach comes first
alone in at least ``STOP_SHARE`` of the completions (settable), when one outcome holds in
all of them (settled), or when nothing is left to ask.

A question answered "don't know" is held unknown, not completed (``spread_of(held=)``):
the advice will be given without it, so the spread that decides the stop is the spread
of the advice over the questions still to ask.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .._engines.plan import APPROACHES
from .confidence_count import OUTCOMES, Spread

STOP_SHARE = 0.9
"""The default share of completions at which one approach's first place is clear enough."""

LOOKAHEAD_FIRSTS = 8
"""Questions looked at two steps ahead: the most promising one step ahead (by the chance
of stopping, then the entropy left); the others are ranked one step ahead."""

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
                threshold: float = STOP_SHARE) -> StopReason | None:
    """Why the interview may stop now, or ``None`` to go on (``asked``: fields already
    asked, answered or not)."""
    check_threshold(threshold)
    left = [f for f in spread.fields if f.name not in asked]
    present = [m for m in range(1, OUTCOMES) if spread.outcomes[m] > 0]
    if left and spread.exact and len(present) == 1:
        return StopReason.SETTLED
    _, share = single_leader(spread)
    if left and share >= threshold and threshold < 1:  # 100%: only a proof (settled) will do
        return StopReason.CLEAR
    if not left:
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
        expected = reaches = entropy = 0.0
        for row in spread.by_answer[f.name]:
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
    firsts = sorted(out, key=lambda n: (-out[n].reaches_stop, out[n].entropy_after))
    ahead = two_steps(spread, threshold, firsts=firsts[:LOOKAHEAD_FIRSTS])
    for name, chance in ahead.items():
        now = out[name]
        out[name] = Sharpening(name, now.expected_share,
                               round(max(now.reaches_stop, chance), 9), now.entropy_after)
    return out


def _stops(counts: Any, threshold: float, exact: bool) -> Any:
    """Per row of outcome counts, whether the interview could stop there."""
    import numpy as np

    weight = counts.sum(axis=-1)
    safe = np.where(weight > 0, weight, 1.0)
    alone = counts[..., [1 << i for i in range(len(APPROACHES))]].max(axis=-1) / safe
    single = (counts > 0).sum(axis=-1) == 1
    return (alone >= threshold) | (single & exact)


def two_steps(spread: Spread, threshold: float = STOP_SHARE,
              skip: Collection[str] = (), firsts: Collection[str] | None = None
              ) -> dict[str, float]:
    """Per open field (of ``firsts``, when given), the chance that its answer, then the
    best next question for that answer, lets the interview stop (from the scored rows,
    pair by pair)."""
    import numpy as np

    if not spread.rows_of:
        return {}
    fields = list(spread.fields)
    picks = spread.rows_of[:len(fields)]
    masks, weights = spread.rows_of[len(fields)], spread.rows_of[len(fields) + 1]
    total = float(weights.sum())
    if total <= 0:
        return {}
    kept = [j for j, f in enumerate(fields) if f.name not in skip]
    sizes = [len(fields[j].units) for j in kept]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    span = int(starts[-1])
    offsets = np.stack([(starts[n] + picks[j]) * OUTCOMES for n, j in enumerate(kept)]
                       ) if kept else np.zeros((0, len(masks)), dtype=np.int64)
    out = {}
    for i in kept:
        if firsts is not None and fields[i].name not in firsts:
            continue
        units = len(fields[i].units)
        alone = np.bincount(picks[i] * OUTCOMES + masks, weights=weights,
                            minlength=units * OUTCOMES).reshape(units, OUTCOMES)
        best = np.where(_stops(alone, threshold, spread.exact), alone.sum(axis=1), 0.0)
        others = [n for n, j in enumerate(kept) if j != i]
        if not others:
            out[fields[i].name] = float(best.sum()) / total
            continue
        # Every second question at once: its units side by side on one axis.
        codes = ((picks[i] * span * OUTCOMES + masks)[None, :] + offsets[others]).ravel()
        pair = np.bincount(codes, weights=np.tile(weights, len(others)),
                           minlength=units * span * OUTCOMES).reshape(units, span, OUTCOMES)
        reached = np.where(_stops(pair, threshold, spread.exact), pair.sum(axis=2), 0.0)
        per_second = np.add.reduceat(reached, starts[:-1], axis=1)
        best = np.maximum(best, per_second[:, others].max(axis=1))
        out[fields[i].name] = float(best.sum()) / total
    return out


def question_order(spread: Spread, field_order: Sequence[str], skip: Collection[str] = (),
                   threshold: float = STOP_SHARE,
                   scores: dict[str, Sharpening] | None = None) -> list[str]:
    """The open fields not in ``skip``, the most sharpening first (purpose first, then the
    context's field order, between equals); ``scores``: ``sharpening`` already worked
    out."""
    if scores is None:
        scores = sharpening(spread, threshold)
    rank = {name: i for i, name in enumerate(
        [*(n for n in PURPOSE_FIRST if n in field_order),
         *(n for n in field_order if n not in PURPOSE_FIRST)])}
    names = [f.name for f in spread.fields if f.name not in skip]
    return sorted(names, key=lambda n: (-scores[n].reaches_stop, scores[n].entropy_after,
                                        rank.get(n, len(rank))))
