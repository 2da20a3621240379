"""Whether first place is settled: one implementation, scalar and vectorised side by side.

``is_settled`` answers for one result; ``settledness`` answers for rows of encoded
contexts at once (batch and survey), by the same proofs in the same order: the
precomputed tables, the bounds, witnesses (completions that change first place), a
field-by-field bound, and last the exact enumeration. A test keeps the two equal row
by row.
"""

from __future__ import annotations

from typing import Any

from .._engines.plan import APPROACHES, ScoringPlan, top_of
from .._model.fields import RULE_FIELDS
from .._reasoning.gaps import gap_tables
from .._result.record import Recommendation
from .._rulebook.ruleset import RuleSet
from .analysis import Outlook, outlook, quick_settled, settled_exactly, settled_of
from .analysis import score_bounds as bounds_of
from .pairing import rules_for, scored
from .rowproofs import exact_allowed, settled_rows

WITNESS_SAMPLES = 16
"""Random completions tried per row, as one array, before a row's full outlook is needed."""


def is_settled(rec: Recommendation, rules: RuleSet | None = None,
               known_outlook: Outlook | None = None) -> bool:
    """True when no answers to the unknown fields could change which approach ranks first.

    A statement about these rules, not a measure of certainty (see ``robustness``).
    The cheap proofs come first; the full outlook only when they cannot tell. The
    vectorised twin is ``settledness`` below. Where a completion could end level on
    points at the top, the stated tie-break would decide first place there, and the
    result is not called settled (sound; cautious in the cases the tie-break would keep).
    """
    found = scored(rec, rules_for(rec, rules))
    if known_outlook is not None:
        return known_outlook.settled and no_level_at_top(*found)
    for proof in (settled_of(*found), quick_settled(*found, list(RULE_FIELDS)),
                  settled_exactly(*found, list(RULE_FIELDS))):
        if proof is not None:
            return proof and no_level_at_top(*found)
    return outlook(*found, list(RULE_FIELDS)).settled and no_level_at_top(*found)


def no_level_at_top(plan: ScoringPlan, facts: Any, scores: Any, fired: Any) -> bool:
    """True when every field is known, or when no completion leaves another approach level
    on points with the top one. The proofs above follow first place on points (ties going
    to the earlier approach); where a completion could end level, the stated tie-break
    (``first_place``) decides it, so settledness is claimed only where no tie can arise.
    Sound: from the exact gap tables, or else the bounds."""
    if all(name in facts for name in plan.classes):
        return True
    top = top_of(scores)
    tables = gap_tables(plan)
    if tables is not None:
        gains = tables.gains_of(plan.codes_of(facts), top)
    else:
        low, high = bounds_of(plan, facts, scores, fired)
        gains = [most - low[top] for most in high]
    return all(gain < 0 for other, gain in enumerate(gains) if other != top)


def no_level_rows(plan: ScoringPlan, columns: list[Any], scores: Any,
                  unknown: Any | None = None) -> Any:
    """``no_level_at_top`` per row (rows with every field known are True; ``unknown``, when
    given, marks the rows to check)."""
    import numpy as np

    if unknown is None:
        unknown = np.zeros(len(scores), dtype=bool)
        for position, name in enumerate(plan.classes):
            unknown |= np.asarray(columns[position]) == len(plan.classes[name])
    tops = scores.argmax(axis=1)
    tables = gap_tables(plan)
    result = np.ones(len(scores), dtype=bool)
    rows = np.flatnonzero(unknown)
    if not len(rows):
        return result
    if tables is not None:
        codes = np.stack([np.asarray(column, dtype=np.int64)[rows] for column in columns],
                         axis=1)
        gains = tables.best_gains(codes, tops[rows])
        gains[np.arange(len(rows)), tops[rows]] = -1
        result[rows] = (gains < 0).all(axis=1)
        return result
    for row in rows.tolist():
        facts = {name: plan.classes[name][int(columns[position][row])]
                 for position, name in enumerate(plan.fields)
                 if name in plan.classes and columns[position][row] < len(plan.classes[name])}
        row_scores = tuple(int(v) for v in scores[row])
        _, fired = plan.score(facts)
        result[row] = no_level_at_top(plan, facts, row_scores, fired)
    return result



def settledness(plan: ScoringPlan, columns: list[Any], scores: Any, fired: Any) -> Any:
    """Per row, ``is_settled`` (the vectorised twin of the function above): first place on
    points settled, and no completion left level at the top (``no_level_at_top``)."""
    import numpy as np

    unknown = np.zeros(len(scores), dtype=bool)
    for position, name in enumerate(plan.classes):
        unknown |= np.asarray(columns[position]) == len(plan.classes[name])
    on_points = _settled_on_points(plan, columns, scores, fired)
    return on_points & no_level_rows(plan, columns, scores, unknown & on_points)


def _settled_on_points(plan: ScoringPlan, columns: list[Any], scores: Any, fired: Any) -> Any:
    """Per row, whether first place on points (ties to the earlier approach) is settled:
    bounds, then witnesses, then the outlook."""
    import numpy as np

    tabled = settled_rows(plan, columns, scores)
    if tabled is not None:
        return tabled
    count = len(scores)
    unknown = np.zeros((count, len(plan.classes)), dtype=bool)
    for position, name in enumerate(plan.classes):
        unknown[:, position] = columns[position] == len(plan.classes[name])
    settled = ~unknown.any(axis=1)
    scoring = [rule for rule in range(len(plan.all_rules)) if not plan.all_rules[rule].advises]
    could = plan.fire_arrays(columns, scoring, possible=True)
    maybe = np.zeros_like(fired)
    for column, rule in enumerate(scoring):
        maybe[:, column] = np.broadcast_to(could[rule], (count,))
    maybe &= ~fired
    _, vectors = plan.tables()
    vectors = vectors[scoring]
    spread = maybe.astype(np.float64)
    low = scores + np.rint(spread @ np.minimum(vectors, 0).astype(np.float64)).astype(np.int64)
    high = scores + np.rint(spread @ np.maximum(vectors, 0).astype(np.float64)).astype(np.int64)
    tops = scores.argmax(axis=1)
    top_low = low[np.arange(count), tops]
    proven = np.ones(count, dtype=bool)
    for other in range(len(APPROACHES)):
        beaten = (high[:, other] > top_low) | ((high[:, other] == top_low) & (other < tops))
        proven &= (tops == other) | ~beaten
    open_rows = np.flatnonzero(~settled & ~proven)
    settled |= proven
    if len(open_rows):
        _settle_open_rows(plan, columns, scores, fired, open_rows, tops, unknown, maybe,
                          vectors, settled)
    return settled


def _settle_open_rows(plan: ScoringPlan, columns: list[Any], scores: Any, fired: Any,
                      open_rows: Any, tops: Any, unknown: Any, maybe: Any, vectors: Any,
                      settled: Any) -> None:
    """Settle, in ``settled``, the rows the bounds left open: a random completion that
    changes first place is a witness against; else field-by-field proofs, else the
    outlook, within the exact limits."""
    import numpy as np

    rng = np.random.default_rng(0)
    repeated = np.repeat(open_rows, WITNESS_SAMPLES)
    trial = []
    for position, name in enumerate(plan.fields):
        column = columns[position][repeated].copy()
        if name in plan.classes:
            size = len(plan.classes[name])
            blank = column == size
            column[blank] = rng.integers(0, size, size=int(blank.sum()))
        trial.append(column)
    trial_scores, _ = plan.score_rows(trial)
    differs = (trial_scores.argmax(axis=1) != tops[repeated]).reshape(-1, WITNESS_SAMPLES)
    witnessed = differs.any(axis=1)
    unproven = open_rows[~witnessed]
    # Beyond the exact limits a result is settled only where the bounds prove it (as
    # is_settled gives it), so a tighter proof is sought only within them.
    unproven = unproven[exact_allowed(plan, [np.asarray(c)[unproven] for c in columns],
                                       len(unproven))]
    if len(unproven):
        proved = _field_by_field(plan, columns, unproven, unknown[unproven], scores[unproven],
                                 tops[unproven], maybe[unproven], vectors)
        settled[unproven[proved]] = True
        unproven = unproven[~proved]
    order = list(plan.classes)
    for row in unproven.tolist():
        facts = {name: plan.classes[name][int(columns[position][row])]
                 for position, name in enumerate(plan.fields)
                 if name in plan.classes and columns[position][row] < len(plan.classes[name])}
        fired_ids = frozenset(plan.rules[column].id for column in np.flatnonzero(fired[row]))
        row_scores = tuple(int(v) for v in scores[row])
        settled[row] = bool(settled_exactly(plan, facts, row_scores, fired_ids, order))


def _field_by_field(plan: ScoringPlan, columns: list[Any], which: Any, unknown: Any,
                    scores: Any, tops: Any, candidates: Any, vectors: Any) -> Any:
    """Prove settledness where a tighter bound does: rules that hinge on one unknown field
    are scored for each of its answers (only one answer holds at a time); rules that hinge
    on several count their best case. Sound (never claims settled wrongly)."""
    import numpy as np

    names = list(plan.classes)
    reads = np.array([[name in fields for name in names] for fields in plan.fields_of],
                     dtype=np.int64)
    hinges = unknown.astype(np.int64) @ reads.T  # (rows, rules): unknown fields each reads
    several = candidates & (hinges >= 2)
    single = candidates & (hinges == 1)
    pieces = [(row, position, len(plan.classes[names[position]]))
              for row in range(len(unknown)) for position in np.flatnonzero(unknown[row])]
    count = len(APPROACHES)
    gap_now = scores - scores[np.arange(len(tops)), tops][:, None]  # (rows, approaches)
    best = np.zeros((len(tops), count), dtype=np.int64)  # the most each gap can still grow
    if pieces:
        sizes = np.array([p[2] for p in pieces])
        owner = np.repeat(np.array([p[0] for p in pieces]), sizes)
        field = np.repeat(np.array([p[1] for p in pieces]), sizes)
        answer = np.concatenate([np.arange(size) for size in sizes])
        trial = [np.asarray(column)[which][owner] for column in columns]
        for position in range(len(names)):
            chosen = field == position
            trial[position][chosen] = answer[chosen]
        _, fired = plan.score_rows(trial)
        counted = fired & single[owner] & reads.T.astype(bool)[field]
        gained = np.rint(counted.astype(np.float64) @ vectors.astype(np.float64)
                         ).astype(np.int64)  # (trial rows, approaches)
        gap = gained - gained[np.arange(len(owner)), tops[owner]][:, None]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        per_piece = np.maximum.reduceat(gap, starts, axis=0)  # the best answer of each field
        np.add.at(best, np.array([p[0] for p in pieces]), per_piece)
    rows = np.arange(len(tops))
    differences = vectors[None, :, :] - vectors[:, tops].T[:, :, None]  # (rows, rules, appr.)
    best += np.einsum("rk,rka->ra", several.astype(np.int64), np.maximum(differences, 0))
    reach = gap_now + best
    earlier = np.arange(count)[None, :] < tops[:, None]
    caught = (reach > 0) | ((reach == 0) & earlier)
    caught[rows, tops] = False
    return ~caught.any(axis=1)
