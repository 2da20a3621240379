"""Settledness for many rows at once, as arrays: the vectorised proofs (gap tables, then
the bounds) that ``settledness`` and the batch start from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._engines.plan import APPROACHES, ScoringPlan
from .._reasoning.gaps import gap_tables
from .analysis import ANALYSIS_BUDGET, MAX_EXACT_COMPLETIONS
from .parts import parts_of


def settled_rows(plan: ScoringPlan, columns: Sequence[Any], scores: Any) -> Any | None:
    """``Recommendation.is_settled`` for many rows at once, or ``None`` when the rule set's
    settledness tables are past their budget.

    ``columns`` are the rows' class codes per field (``ScoringPlan.encode``) and
    ``scores`` their current scores. Rows get the exact answer from the plan's gap
    tables, which reach every completion's best case group by group; as in the
    full analysis, a row beyond the exact limits (``MAX_EXACT_COMPLETIONS``,
    ``ANALYSIS_BUDGET``) of a rule set without parts (``parts_of``) gets what the
    sound bounds prove instead.
    """
    import numpy as np

    tables = gap_tables(plan)
    if tables is None:
        return None
    count = len(scores)
    codes = np.stack([np.asarray(column, dtype=np.int64) for column in columns], axis=1)
    tops = scores.argmax(axis=1)
    caught = _caught(tables.best_gains(codes, tops), tops)
    settled = ~caught.any(axis=1)
    beyond = (np.flatnonzero(~exact_allowed(plan, columns, count))
              if parts_of(plan) is None else ())
    if len(beyond):
        subset = [np.asarray(column)[beyond] for column in columns]
        settled[beyond] = _bounds_settle(plan, subset, scores[beyond])
    return settled


def _caught(gains: Any, tops: Any) -> Any:
    """Where an approach can end up level with or ahead of the top one (ties go to the
    earlier approach), from the most it can gain on it; never the top itself."""
    import numpy as np

    earlier = np.arange(len(APPROACHES))[None, :] < tops[:, None]
    caught = (gains > 0) | ((gains == 0) & earlier)
    caught[np.arange(len(tops)), tops] = False
    return caught


def exact_allowed(plan: ScoringPlan, columns: Sequence[Any], count: int) -> Any:
    """Per row, whether the full analysis scores every completion (as ``settled_exactly``):
    few enough combinations of the unknown fields, and work within the budget."""
    import numpy as np

    sizes = {}
    unknown_count = np.zeros(count, dtype=np.float64)
    combinations = np.ones(count, dtype=np.float64)
    for position, name in enumerate(plan.fields):
        if name not in plan.classes:
            continue
        size = len(plan.classes[name])
        blank = np.asarray(columns[position]) == size
        sizes[name] = np.where(blank, float(size), 1.0)
        unknown_count += blank
        combinations *= sizes[name]
    # Products above 2**53 are inexact in floats, but then far beyond either limit.
    allowed = combinations <= MAX_EXACT_COMPLETIONS
    # Each rule's cells are at most the combinations: a cheap bound decides most rows.
    most = combinations * (unknown_count + 2 * len(APPROACHES) + 2
                           + len(plan.fields_of) * (len(APPROACHES) + 1))
    near = np.flatnonzero(allowed & (most > ANALYSIS_BUDGET))
    if len(near):
        work = combinations[near] * (unknown_count[near] + 2 * len(APPROACHES) + 2)
        for fields in plan.fields_of:
            cells = np.ones(len(near), dtype=np.float64)
            for name in fields:
                if name in sizes:
                    cells = cells * sizes[name][near]
            work += cells * (len(APPROACHES) + 1)
        allowed[near] = work <= ANALYSIS_BUDGET
    return allowed


def _bounds_settle(plan: ScoringPlan, columns: Sequence[Any], scores: Any) -> Any:
    """Per row, what ``_settled(*_bounds(...))`` proves: rules that fired stay fired, and
    every other rule that could fire may or may not."""
    import numpy as np

    _, vectors = plan.tables()
    scoring = [rule for rule in range(len(plan.all_rules)) if not plan.all_rules[rule].advises]
    _, fired = plan.score_rows(columns)
    could = plan.fire_arrays(columns, scoring, possible=True)
    count = len(scores)
    maybe = np.zeros_like(fired)
    for column, rule in enumerate(scoring):
        maybe[:, column] = np.broadcast_to(could[rule], (count,))
    maybe &= ~fired
    weights = vectors[scoring]
    spread = maybe.astype(np.int64)  # whole numbers: exact, and no BLAS threads
    low = scores + spread @ np.minimum(weights, 0)
    high = scores + spread @ np.maximum(weights, 0)
    tops = scores.argmax(axis=1)
    top_low = low[np.arange(count), tops]
    return ~_caught(high - top_low[:, None], tops).any(axis=1)



