"""What the unknown fields could still do to the advice.

For a partial context this works out, for every approach, the lowest and
highest score it could reach once the unknowns are answered; whether any
answers could change which approach ranks first; and which unanswered field
matters most. Where the unknown fields allow few enough combinations
(``MAX_EXACT_COMPLETIONS``, and the work budget ``ANALYSIS_BUDGET``), every
combination is scored at once as a numpy array (one axis per unknown field)
and the answers are exact. Otherwise the ranges are sound bounds (never
narrower than the truth) built rule by rule, and "settled" is only claimed
when those bounds prove it.

Unknown fields can be restricted to a subset of their values (``domains``),
for example to the answers a team's members proposed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._engines.plan import (
    APPROACHES,
    Scores,
    ScoringPlan,
    Value,
    gap_tables,
    group_points,
    score_groups,
    top_of,
)
from .._errors import CollabAdvisorError
from .._rulebook.evaluation import Facts

MAX_EXACT_COMPLETIONS = 500_000
"""Beyond this many combinations of answers, ranges are sound bounds, not exact."""

ANALYSIS_BUDGET = 40_000_000
"""Units of work an exact analysis may take (array cells touched, counted before any is
computed); above it, the analysis gives sound bounds instead."""

PURPOSE_FIRST = ("aim", "clinical_focus", "improvement_focus")
"""Between equally informative questions, these (the initiative's purpose) come first; the
rest follow the context's field order (where control comes before aim)."""

LOOKAHEAD_SAMPLES = 4_096
"""Completions drawn (seeded by the facts) to rank questions when not every one is scored."""


@dataclass(frozen=True)
class FieldImpact:
    """What answering one unknown field could do to the advice."""

    field: str
    values: tuple[Value, ...]
    """One representative of each answer the rules tell apart."""
    tops: tuple[int, ...]
    """The top approach (index) after each answer alone."""
    changes_top: int
    """How many answers would change the top approach."""
    settles: int
    """How many answers would leave the advice settled (0 when not computed exactly)."""
    margin_shift: int
    """The most the top approach's lead over the runner-up could move, in points."""
    open_after: float = 0.0
    """On average over its answers, how many approaches could still rank first afterwards
    (over every completion when exact, else over a seeded sample of them)."""
    questions_after: float = 0.0
    """About how many more questions first place needs once this one is answered (two
    steps ahead, see ``lookahead``; 0 for every field when the rule set has no parts)."""


@dataclass(frozen=True)
class Outlook:
    """Score ranges, settledness and field impacts for one partial context."""

    low: Scores
    high: Scores
    exact: bool
    settled: bool
    impacts: tuple[FieldImpact, ...]
    """Every unknown field, most informative first."""
    tops: frozenset[int] = frozenset()
    """The approaches (indices) that rank first in some completion (when exact)."""


def _margin(scores: Sequence[int], top: int) -> int:
    others = [int(score) for index, score in enumerate(scores) if index != top]
    return int(scores[top]) - max(others)


def domain_codes(plan: ScoringPlan, field: str, values: Iterable[object] | None) -> list[int]:
    """The class indices an unknown field may take: all, or those of the given values."""
    position = plan.fields.index(field)
    every = len(plan.classes[field])
    if values is None:
        return list(range(every))
    codes: list[int] = []
    for value in values:
        code = plan.code(position, value)
        if code >= every:
            raise CollabAdvisorError(
                f"the domain of '{field}' holds {value!r}, which is not one of its values")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise CollabAdvisorError(f"the domain of '{field}' is empty")
    return sorted(codes)


def work_of(plan: ScoringPlan, sizes: Mapping[str, int]) -> int:
    """The units of work of scoring every combination of these unknown fields' classes."""
    combinations = 1
    for size in sizes.values():
        combinations *= size
    work = combinations * (len(sizes) + 2 * len(APPROACHES) + 2)
    for fields in plan.fields_of:
        cells = 1
        for name in fields:
            cells *= sizes.get(name, 1)
        work += cells * (len(APPROACHES) + 1)
    return work


def outlook(plan: ScoringPlan, facts: Facts, scores: Scores, fired: frozenset[str],
            field_order: Sequence[str],
            domains: Mapping[str, Iterable[object]] | None = None) -> Outlook:
    """The outlook of a context whose current scores and fired rules are known.

    ``domains`` restricts unknown fields to some of their values (a known
    field's domain is ignored); the others range over all their classes.
    """
    unknown = [name for name in field_order if name not in facts]
    top = top_of(scores)
    if not unknown:
        return Outlook(scores, scores, True, True, (), frozenset([top]))
    wanted = domains or {}
    codes = {name: domain_codes(plan, name, wanted.get(name)) for name in unknown}
    exact = within_exact_limits(plan, {name: len(codes[name]) for name in unknown})
    parts = parts_of(plan)
    ranges: tuple[Scores, Scores] | None = None
    if parts is not None:
        ahead, partial, ranges = _lookahead(parts, codes_of(plan, facts, unknown), codes)
    else:
        ahead, partial = {}, _answered_alone(plan, facts, unknown, codes)
    if exact:
        if parts is not None and ranges is not None:
            low, high = ranges
            present = _tops_apart(parts, codes_of(plan, facts, unknown), unknown, codes)
        else:
            table = _enumerate(plan, facts, unknown, codes, scores, fired)
            flat = table.reshape(-1, len(APPROACHES))
            low = tuple(int(v) for v in flat.min(axis=0))
            high = tuple(int(v) for v in flat.max(axis=0))
            present = _tops_by_answer(table.argmax(axis=-1), unknown)
        every_top = frozenset(t for t in range(len(APPROACHES))
                              if any(row[t] for row in present[unknown[0]]))
        settled = every_top == {top}
    else:
        # Sound for any domains too: bounds over every value hold over fewer.
        low, high = _bounds(plan, facts, scores, fired)
        present = _sampled_tops(plan, facts, unknown, codes)
        every_top = frozenset()
        settled = _settled(low, high, top) or _settled_apart(plan, facts, top, codes)
    impacts = []
    now = _margin(scores, top)
    for name in unknown:
        answered = partial[name]
        new_tops = tuple(top_of(row) for row in answered)
        by_answer = present[name]
        settles = sum(1 for counts, new_top in zip(by_answer, new_tops, strict=True)
                      if exact and sum(1 for c in counts if c) == 1 and counts[new_top])
        open_after = _expected_open(by_answer)
        impacts.append(FieldImpact(
            field=name,
            values=tuple(plan.classes[name][code] for code in codes[name]),
            tops=new_tops,
            changes_top=sum(1 for new_top in new_tops if new_top != top),
            settles=settles,
            margin_shift=max(abs(_margin(row, top) - now) for row in answered),
            open_after=open_after,
            questions_after=ahead.get(name, 0.0),
        ))
    order = {name: index for index, name in enumerate(
        [*(name for name in PURPOSE_FIRST if name in field_order),
         *(name for name in field_order if name not in PURPOSE_FIRST)])}
    impacts.sort(key=lambda i: (i.questions_after, i.open_after, -i.changes_top, -i.settles,
                                -i.margin_shift, order[i.field]))
    return Outlook(low, high, exact, settled, tuple(impacts), every_top)


def outlook_for(plan: ScoringPlan, facts: Mapping[str, object],
                domains: Mapping[str, Iterable[object]] | None = None,
                field_order: Sequence[str] | None = None) -> Outlook:
    """The outlook of known facts (rule fields, JSON-normal), unknown fields optionally
    restricted to ``domains``: low and high scores, exactness, settledness, impacts."""
    known: Facts = {name: value for name, value in facts.items()  # type: ignore[misc]
                    if value is not None and name in plan.classes}
    scores, fired = plan.score(known)
    return outlook(plan, known, scores, fired, list(field_order or plan.classes), domains)


def within_exact_limits(plan: ScoringPlan, sizes: Mapping[str, int]) -> bool:
    """Whether every combination of these unknown fields' classes is scored exactly: few
    enough combinations (``MAX_EXACT_COMPLETIONS``), and work within ``ANALYSIS_BUDGET``."""
    combinations = 1
    for size in sizes.values():
        combinations *= size
    if combinations > MAX_EXACT_COMPLETIONS:
        return False
    # Each rule's cells are at most the combinations: a cheap bound decides most.
    most = combinations * (len(sizes) + 2 * len(APPROACHES) + 2
                           + len(plan.fields_of) * (len(APPROACHES) + 1))
    return most <= ANALYSIS_BUDGET or work_of(plan, sizes) <= ANALYSIS_BUDGET


def settled_exactly(plan: ScoringPlan, facts: Facts, scores: Scores, fired: frozenset[str],
                    field_order: Sequence[str]) -> bool | None:
    """Whether every completion keeps the top approach, or ``None`` beyond the exact limits."""
    unknown = [name for name in field_order if name not in facts]
    if not unknown:
        return True
    if not _exact_allowed_one(plan, tuple(unknown)):
        parts = parts_of(plan)
        return None if parts is None else settled_by_parts(parts,
                                                           codes_of(plan, facts, unknown),
                                                           top_of(scores))
    codes = {name: list(range(len(plan.classes[name]))) for name in unknown}
    table = _enumerate(plan, facts, unknown, codes, scores, fired)
    return bool((table.argmax(axis=-1) == top_of(scores)).all())


def _expected_open(by_answer: Sequence[Sequence[int]]) -> float:
    """The expected uncertainty about the top approach once the field is answered.

    Measured as the number of equally likely approaches it is worth (2 to the
    power of the entropy of which approach ranks first), averaged over the
    answers, each weighted by how many completions give it.
    """
    import math

    total = sum(sum(counts) for counts in by_answer)
    if not total:
        return 0.0
    expected = 0.0
    for counts in by_answer:
        weight = sum(counts)
        if not weight:
            continue
        entropy = -sum(c / weight * math.log2(c / weight) for c in counts if c)
        expected += weight / total * entropy
    return round(2 ** expected, 9)


def _settled_apart(plan: ScoringPlan, facts: Facts, top: int,
                   codes: Mapping[str, list[int]]) -> bool:
    """Exact settledness by parts (``False`` where the rule set has no parts)."""
    parts = parts_of(plan)
    return parts is not None and settled_by_parts(parts, codes_of(plan, facts, list(codes)),
                                                  top, codes)


def codes_of(plan: ScoringPlan, facts: Facts,
             open_fields: Sequence[str] | None = None) -> dict[str, int]:
    """The class code of each known rule field; with ``open_fields``, also the unknown
    code of every other rule field not among them (left unknown, never completed)."""
    return {name: plan.code(position, facts.get(name))
            for position, name in enumerate(plan.fields) if name in plan.classes
            and (name in facts or (open_fields is not None and name not in open_fields))}


def _base_codes(plan: ScoringPlan, facts: Facts) -> list[int]:
    return [plan.code(position, facts.get(name)) for position, name in enumerate(plan.fields)]


def _answered_alone(plan: ScoringPlan, facts: Facts, unknown: list[str],
                    codes: Mapping[str, list[int]]) -> dict[str, list[list[int]]]:
    """Per unknown field, the scores after each of its answers alone (one batch)."""
    import numpy as np

    base = _base_codes(plan, facts)
    rows = sum(len(codes[name]) for name in unknown)
    columns = [np.full(rows, code, dtype=np.int64) for code in base]
    start = 0
    for name in unknown:
        position = plan.fields.index(name)
        columns[position][start:start + len(codes[name])] = codes[name]
        start += len(codes[name])
    scores, _ = plan.score_rows(columns)
    out: dict[str, list[list[int]]] = {}
    start = 0
    for name in unknown:
        out[name] = scores[start:start + len(codes[name])].tolist()
        start += len(codes[name])
    return out


def _enumerate(plan: ScoringPlan, facts: Facts, unknown: list[str],
               codes: Mapping[str, list[int]], scores: Scores,
               fired_now: frozenset[str]) -> Any:
    """Scores of every combination: an array with one axis per unknown field, then approaches.

    Rules that fired already stay fired (rules are monotone) and rules that
    cannot fire stay silent, so only the rest are tested, each only over the
    axes of the fields it reads; their points are summed in groups of rules
    that read the same fields, so the full array is touched a few times only.
    """
    import numpy as np

    _, vectors = plan.tables()
    possible = plan.possible(facts)
    base = _base_codes(plan, facts)
    dims = len(unknown)
    columns: list[Any] = [np.int64(code) for code in base]
    for axis, name in enumerate(unknown):
        axes = [1] * dims
        axes[axis] = len(codes[name])
        columns[plan.fields.index(name)] = np.asarray(codes[name], dtype=np.int64).reshape(axes)
    scoring = [r for r, rule in enumerate(plan.all_rules) if not rule.advises
               and vectors[r].any() and rule.id in possible and rule.id not in fired_now]
    fired = plan.fire_arrays(columns, scoring)
    groups: dict[tuple[int, ...], Any] = {}
    for rule in scoring:
        holds = np.asarray(fired[rule])
        shape: tuple[int, ...] = (1,) * (dims - holds.ndim) + tuple(holds.shape)
        holds = holds.reshape(shape)
        if not holds.any():
            continue
        points = holds[..., None] * vectors[rule]
        if shape in groups:
            groups[shape] = groups[shape] + points
        else:
            groups[shape] = points
    full = tuple(len(codes[name]) for name in unknown)
    total = np.zeros((*full, len(APPROACHES)), dtype=np.int64)
    total += np.asarray(scores, dtype=np.int64)
    for points in _add_smallest_first(groups).values():
        total += points
    return total


def _tops_by_answer(tops: Any, unknown: list[str]) -> dict[str, list[list[int]]]:
    """Per unknown field and answer, how many completions put each approach first."""
    return _counts_by_answer([tops == approach for approach in range(len(APPROACHES))],
                             unknown)


def _counts_by_answer(firsts: list[Any], unknown: list[str]) -> dict[str, list[list[int]]]:
    """Per field and answer, how many cells of each approach's array are set (``firsts``:
    per approach, where it comes first, one axis per field).

    Summed down by halves: each array is read as a matrix of the first half of the axes
    by the second, and its row and column sums are the two halves' arrays, so the full
    arrays are read twice however many fields there are.
    """
    import numpy as np

    out: dict[str, list[list[int]]] = {}
    pending: list[tuple[list[Any], list[str]]] = [(firsts, unknown)]
    while pending:
        arrays, names = pending.pop()
        shape = arrays[0].shape
        if len(names) == 1:
            out[names[0]] = np.stack([np.asarray(a, dtype=np.int64).reshape(-1)
                                      for a in arrays], axis=-1).tolist()
            continue
        half = len(names) // 2
        rows = 1
        for extent in shape[:half]:
            rows *= extent
        lefts, rights = [], []
        for array in arrays:
            matrix = array.reshape(rows, -1)
            if matrix.dtype == bool:
                matrix = matrix.view(np.uint8)
            lefts.append(matrix.sum(axis=1, dtype=np.int64).reshape(shape[:half]))
            rights.append(matrix.sum(axis=0, dtype=np.int64).reshape(shape[half:]))
        pending.append((lefts, names[:half]))
        pending.append((rights, names[half:]))
    return out


def _firsts(total: Any) -> list[Any]:
    """Per approach, where it comes first in an array of scores (last axis: approaches),
    ties going to the earlier approach, as ``argmax`` does (by whole-array comparisons,
    much faster than ``argmax`` along a short last axis)."""
    import numpy as np

    planes = [total[..., approach] for approach in range(total.shape[-1])]
    best = planes[0]
    for plane in planes[1:]:
        best = np.maximum(best, plane)
    taken = planes[0] == best
    firsts = [taken]
    for plane in planes[1:-1]:
        here = (plane == best) & ~taken
        firsts.append(here)
        taken = taken | here
    firsts.append(~taken)
    return firsts


def _sampled_tops(plan: ScoringPlan, facts: Facts, unknown: list[str],
                  codes: Mapping[str, list[int]]) -> dict[str, list[list[int]]]:
    """Like ``_tops_by_answer`` over a seeded sample of completions (for ordering only)."""
    import numpy as np

    rng = np.random.default_rng(_seed(facts))
    base = _base_codes(plan, facts)
    columns = [np.full(LOOKAHEAD_SAMPLES, code, dtype=np.int64) for code in base]
    drawn: dict[str, Any] = {}
    for name in unknown:
        choice = rng.integers(0, len(codes[name]), size=LOOKAHEAD_SAMPLES)
        drawn[name] = choice
        columns[plan.fields.index(name)] = np.asarray(codes[name], dtype=np.int64)[choice]
    scores, _ = plan.score_rows(columns)
    tops = scores.argmax(axis=1)
    count = len(APPROACHES)
    out: dict[str, list[list[int]]] = {}
    for name in unknown:
        size = len(codes[name])
        counts = np.bincount(drawn[name] * count + tops, minlength=size * count)
        out[name] = counts.reshape(size, count).tolist()
    return out


def _seed(facts: Facts) -> int:
    return random.Random(repr(sorted(facts.items()))).getrandbits(32)  # noqa: S311


QUICK_SAMPLES = 24
"""Random completions tried by ``quick_settled`` before it falls back to the full outlook."""


def quick_settled(plan: ScoringPlan, facts: Facts, scores: Scores, fired: frozenset[str],
                  field_order: Sequence[str]) -> bool | None:
    """Decide settledness cheaply when possible, else ``None``.

    Sound bounds that prove the top cannot be caught say ``True``; a completion
    whose top differs (a witness) says ``False``. The random draws are seeded by
    the facts, and they only change how fast the answer comes, never the answer.
    """
    unknown = [name for name in field_order if name not in facts]
    if not unknown:
        return True
    top = top_of(scores)
    low, high = _bounds(plan, facts, scores, fired)
    if _settled(low, high, top):
        return True
    rng = random.Random(repr(sorted(facts.items())))  # noqa: S311 - speed only
    for _ in range(QUICK_SAMPLES):
        completion = {**facts, **{f: rng.choice(plan.classes[f]) for f in unknown}}
        completed, _ = plan.score(completion)
        if top_of(completed) != top:
            return False
    return None


def _keeps_first(gains: Sequence[int], top: int) -> bool:
    """Whether ``top`` stays first when each approach can get at most ``gains[i]`` points
    ahead of it: none may get ahead, nor level when it comes earlier (ties go to it)."""
    return all(gain < 0 or (gain == 0 and other > top)
               for other, gain in enumerate(gains) if other != top)


def _settled(low: Scores, high: Scores, top: int) -> bool:
    """Sound: no other approach can catch the top one, ties going to the earlier approach."""
    return _keeps_first([most - low[top] for most in high], top)


def _bounds(plan: ScoringPlan, facts: Facts, scores: Scores,
            fired: frozenset[str]) -> tuple[Scores, Scores]:
    """Sound ranges: fired rules stay fired; each possible rule may or may not fire."""
    possible = plan.possible(facts)
    low, high = list(scores), list(scores)
    for rule, vector in zip(plan.rules, plan.vectors, strict=True):
        if rule.id in fired or rule.id not in possible:
            continue
        for index, points in enumerate(vector):
            if points < 0:
                low[index] += points
            else:
                high[index] += points
    return tuple(low), tuple(high)


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



def settled_of(plan: ScoringPlan, facts: Facts, scores: Scores,
               fired: frozenset[str]) -> bool | None:
    """``settled_rows`` for one context (facts, scores and fired rules), in plain Python."""
    tables = gap_tables(plan)
    if tables is None:
        return None
    unknown = [name for name in plan.classes if name not in facts]
    if not unknown:
        return True
    top = top_of(scores)
    if parts_of(plan) is None and not _exact_allowed_one(plan, tuple(unknown)):
        return _settled(*_bounds(plan, facts, scores, fired), top)
    return _keeps_first(tables.gains_of(plan.codes_of(facts), top), top)


_ALLOWED_KEPT = 65_536
"""Patterns of unknown fields whose exactness ``_exact_allowed_one`` keeps per plan."""


def _exact_allowed_one(plan: ScoringPlan, unknown: tuple[str, ...]) -> bool:
    """``within_exact_limits`` over every class of these unknown fields, kept per plan
    (the one-context twin of ``_exact_allowed``)."""
    kept: dict[tuple[str, ...], bool] = plan._arrays.setdefault("exact_allowed", {})
    allowed = kept.get(unknown)
    if allowed is None:
        allowed = within_exact_limits(plan, {name: len(plan.classes[name]) for name in unknown})
        if len(kept) < _ALLOWED_KEPT:
            kept[unknown] = allowed
    return allowed


LOOKAHEAD_BUDGET = 2_000_000
"""Cells (answer pairs times approaches squared) the two-step look-ahead may fill; with
more answers than that allows (custom rules that split a count into hundreds of
ranges), questions look one step ahead only."""

PARTS_BUDGET = 1 << 20
"""Cells the tables of ``parts_of`` may hold in all (a work budget): a rule set whose
fields interact more widely than that gets no parts, and its analyses work as before."""


@dataclass(frozen=True, eq=False)
class Parts:
    """The scores split into independent parts: fields that no scoring rule links are apart.

    Each part is a group of fields that scoring rules read together (through findings
    too), with a table of the points its rules give for every answer of its fields, the
    unknown answer included (the last index on each axis). A context's scores are
    ``constant`` plus each part's table at its codes, so the most an approach can gain on
    another over every completion is a sum of per-part maxima: exact whatever the number
    of unknown fields, at the cost of a few small tables.
    """

    fields: tuple[tuple[str, ...], ...]
    """Per part, its fields."""
    tables: tuple[Any, ...]
    """Per part, points (one axis per field, sized its classes and one more for unknown,
    then approaches)."""
    constant: Scores
    """Points of rules that read no field."""
    part_of: dict[str, int]
    """The part of each field some scoring rule reads."""


def parts_of(plan: ScoringPlan) -> Parts | None:
    """The plan's scores split into parts (built once per plan), or ``None`` over budget."""
    kept = plan._arrays.get("parts", False)
    if kept is False:
        kept = _build_parts(plan)
        plan._arrays["parts"] = kept
    return kept  # type: ignore[no-any-return]


def _build_parts(plan: ScoringPlan) -> Parts | None:
    groups = score_groups(plan)
    cells = 0
    for positions in groups.positions:
        size = len(APPROACHES)
        for position in positions:
            size *= len(plan.classes[plan.fields[position]]) + 1
        cells += size
        if cells > PARTS_BUDGET:
            return None
    constant = group_points(plan, (), groups.constant)
    fields: list[tuple[str, ...]] = []
    tables: list[Any] = []
    part_of: dict[str, int] = {}
    for positions, rules in zip(groups.positions, groups.rules, strict=True):
        names = tuple(plan.fields[position] for position in positions)
        for name in names:
            part_of[name] = len(fields)
        fields.append(names)
        tables.append(group_points(plan, positions, rules, with_unknown=True))
    return Parts(tuple(fields), tuple(tables), tuple(int(v) for v in constant), part_of)


def part_scores(parts: Parts, codes: Mapping[str, int]) -> Scores:
    """The scores of a context given by class codes (absent fields: unknown)."""
    total = list(parts.constant)
    for names, table in zip(parts.fields, parts.tables, strict=True):
        index = tuple(codes.get(name, table.shape[axis] - 1) for axis, name in enumerate(names))
        for approach, points in enumerate(table[index].tolist()):
            total[approach] += points
    return tuple(total)


def part_gaps(parts: Parts, codes: Mapping[str, int], top: int,
              domains: Mapping[str, Sequence[int]] | None = None) -> list[int]:
    """Per approach, the most its score can exceed ``top``'s over every completion of the
    fields absent from ``codes`` (exact: a sum over parts), each over its ``domains``
    codes where given, else over all its classes."""
    import numpy as np

    gaps = [parts.constant[j] - parts.constant[top] for j in range(len(APPROACHES))]
    within = domains or {}
    for names, table in zip(parts.fields, parts.tables, strict=True):
        if any(name in within for name in names if name not in codes):
            block = table[np.ix_(*(
                [codes[name]] if name in codes
                else within.get(name, range(table.shape[axis] - 1))
                for axis, name in enumerate(names)))]
        else:
            block = table[tuple(codes[name] if name in codes
                                else slice(0, table.shape[axis] - 1)
                                for axis, name in enumerate(names))]
        block = block.reshape(-1, len(APPROACHES))
        best = (block - block[:, top:top + 1]).max(axis=0).tolist()
        for approach, gain in enumerate(best):
            gaps[approach] += gain
    return gaps


def settled_by_parts(parts: Parts, codes: Mapping[str, int], top: int,
                     domains: Mapping[str, Sequence[int]] | None = None) -> bool:
    """Whether every completion of the fields absent from ``codes`` (over their ``domains``
    where given) keeps ``top`` first."""
    return _keeps_first(part_gaps(parts, codes, top, domains), top)


def tops_by_parts(parts: Parts, codes: Mapping[str, int]) -> frozenset[int]:
    """The approaches that rank first in some completion of the fields absent from ``codes``.

    An approach can come first when some completion puts it ahead of every earlier
    approach and level with or ahead of every later one: per part, only the best trades
    between those margins matter (the Pareto front), and fronts add part by part.
    """
    import numpy as np

    blocks = []
    for names, table in zip(parts.fields, parts.tables, strict=True):
        block = table[tuple(codes[name] if name in codes else slice(0, table.shape[axis] - 1)
                            for axis, name in enumerate(names))]
        blocks.append(block.reshape(-1, len(APPROACHES)))
    found = set()
    for candidate in range(len(APPROACHES)):
        others = [k for k in range(len(APPROACHES)) if k != candidate]
        need = np.array([1 if k < candidate else 0 for k in others])
        front = np.array([[parts.constant[candidate] - parts.constant[k] for k in others]])
        for block in blocks:
            margins = block[:, [candidate]] - block[:, others]
            front = _pareto((front[:, None, :] + _pareto(margins)[None, :, :])
                            .reshape(-1, len(others)))
        if (front >= need).all(axis=1).any():
            found.add(candidate)
    return frozenset(found)


def _pareto(points: Any) -> Any:
    """The points no other point matches or beats in every coordinate (duplicates once)."""
    import numpy as np

    points = np.unique(points, axis=0)
    if len(points) <= 1:
        return points
    covers = (points[:, None, :] >= points[None, :, :]).all(axis=2)
    np.fill_diagonal(covers, False)
    return points[~covers.any(axis=0)]


def lookahead(parts: Parts, codes: Mapping[str, int],
              answers: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """Per unknown field (``answers``: the codes it may take), about how many more
    questions first place needs once it is answered (see ``_lookahead``)."""
    return _lookahead(parts, codes, answers)[0]


def _lookahead(parts: Parts, codes: Mapping[str, int], answers: Mapping[str, Sequence[int]]
               ) -> tuple[dict[str, float], dict[str, list[list[int]]], tuple[Scores, Scores]]:
    """Per unknown field, about how many more questions are needed once it is answered;
    the scores after each of its answers alone; and the exact score ranges.

    Two steps ahead: for each answer of the field, 0 if it settles first place, else 1
    plus the best next field's average over its answers of 0 if both settle, else 1 plus
    ``log(1 + shortfall)``, the points by which the other approaches could still catch
    the leader. Answers count equally (as in the completions). Exact by parts: what one
    or two answers do to each part is read from its small table, for every answer pair
    at once. Beyond ``LOOKAHEAD_BUDGET``, one step: 0 if the answer settles, else 1 plus
    ``log(1 + shortfall)``.
    """
    import numpy as np

    count = len(APPROACHES)
    fields = list(answers)
    units = [(name, code) for name in fields for code in answers[name]]
    unit_of = {unit: u for u, unit in enumerate(units)}
    size = len(units)
    pairs = size * size * count * count <= LOOKAHEAD_BUDGET
    now_gain = np.zeros((count, count), dtype=np.int64)
    now_score = np.array(parts.constant, dtype=np.int64)
    low, high = now_score.copy(), now_score.copy()
    gain_by = np.zeros((size, count, count), dtype=np.int64)
    score_by = np.zeros((size, count), dtype=np.int64)
    within: list[tuple[Any, Any, Any, Any]] = []
    for names, table in zip(parts.fields, parts.tables, strict=True):
        index = [[codes[name]] if name in codes else list(answers[name]) for name in names]
        block = _block(table, index)
        spread = block[..., :, None] - block[..., None, :]  # (fields..., j, t): j's gain
        axes = tuple(range(len(names)))
        gain = spread.max(axis=axes)
        low += block.min(axis=axes)
        high += block.max(axis=axes)
        blank = [codes.get(name, table.shape[axis] - 1) for axis, name in enumerate(names)]
        score = table[tuple(blank)]
        now_gain += gain
        now_score += score
        free = [axis for axis, name in enumerate(names) if name not in codes]
        for axis in free:
            mine = [unit_of[(names[axis], code)] for code in index[axis]]
            others = tuple(a for a in axes if a != axis)
            gain_by[mine] = spread.max(axis=others).reshape(len(mine), count, count) - gain
            moved: list[Any] = list(blank)
            moved[axis] = np.asarray(index[axis])
            score_by[mine] = table[tuple(moved)] - score
        for place, first in enumerate(free if pairs else ()):
            for second in free[place + 1:]:
                rest = tuple(a for a in axes if a not in (first, second))
                pair = spread.max(axis=rest) if rest else spread
                pair = pair.reshape(len(index[first]), len(index[second]), count, count)
                moved = list(blank)
                moved[first] = np.asarray(index[first])[:, None]
                moved[second] = np.asarray(index[second])[None, :]
                both = table[tuple(moved)]
                within.append(([unit_of[(names[first], c)] for c in index[first]],
                               [unit_of[(names[second], c)] for c in index[second]],
                               pair - gain, both - score))
    one = _shortfall(now_gain + gain_by, now_score + score_by)
    owner = np.array([fields.index(name) for name, _ in units], dtype=np.int64)
    sizes = np.bincount(owner, minlength=len(fields))
    alone = (now_score + score_by).tolist()
    starts = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    scores_after = {name: alone[starts[f]:starts[f + 1]] for f, name in enumerate(fields)}
    ranges = (tuple(low.tolist()), tuple(high.tolist()))
    if not pairs:
        after = np.where(one > 0, 1 + np.log1p(one), 0.0)
        totals = np.bincount(owner, weights=after, minlength=len(fields)) / sizes
        return ({name: round(float(totals[f]), 9) for f, name in enumerate(fields)},
                scores_after, ranges)
    pair_gain = gain_by[:, None] + gain_by[None, :]
    pair_score = score_by[:, None] + score_by[None, :]
    for rows, columns, gain, score in within:
        # A field's answers are consecutive units, so each block is a pair of slices.
        across = slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1)
        pair_gain[across] = gain
        pair_gain[across[::-1]] = gain.transpose(1, 0, 2, 3)
        pair_score[across] = score
        pair_score[across[::-1]] = score.transpose(1, 0, 2)
    two = _shortfall(now_gain + pair_gain, now_score + pair_score)
    cost = np.where(two > 0, 1 + np.log1p(two), 0.0)
    per_field = np.add.reduceat(cost, np.concatenate([[0], np.cumsum(sizes)[:-1]]),
                                axis=1) / sizes
    per_field[np.arange(size), owner] = np.inf
    best_next = per_field.min(axis=1) if len(fields) > 1 else np.zeros(size)
    after = np.where(one > 0, 1 + best_next, 0.0)
    totals = np.bincount(owner, weights=after, minlength=len(fields)) / sizes
    return ({name: round(float(totals[f]), 9) for f, name in enumerate(fields)},
            scores_after, ranges)


def _block(table: Any, index: Sequence[Sequence[int]]) -> Any:
    """The cells of a part's table at these codes per field (then approaches), as slices
    where the codes run in order (the usual case), else by fancy indexing."""
    import numpy as np

    if all(len(codes) == 1 or list(codes) == list(range(codes[0], codes[0] + len(codes)))
           for codes in index):
        return table[tuple(slice(codes[0], codes[0] + len(codes)) for codes in index)]
    return table[np.ix_(*index)]


def _shortfall(gain: Any, score: Any) -> Any:
    """Points by which other approaches could still catch the leader (0: settled)."""
    import numpy as np

    count = len(APPROACHES)
    top = score.argmax(axis=-1)
    reach = np.take_along_axis(gain, top[..., None, None], axis=-1)[..., 0]  # (..., j)
    later = np.arange(count) > top[..., None]
    return np.maximum(0, reach - later + 1 - (np.arange(count) == top[..., None])).sum(axis=-1)


def _tops_apart(parts: Parts, known: Mapping[str, int], unknown: list[str],
                codes: Mapping[str, list[int]]) -> dict[str, list[list[int]]]:
    """``_tops_by_answer`` of every completion, scored from the parts' tables.

    Fields that no scoring rule reads are not enumerated: each of their answers leaves
    the same completions, so their counts are the others' totals, scaled.
    """
    import numpy as np

    count = len(APPROACHES)
    bound = 0
    read = [name for name in unknown if name in parts.part_of]
    axis_of = {name: axis for axis, name in enumerate(read)}
    pieces: dict[tuple[int, ...], Any] = {}
    base = np.asarray(parts.constant, dtype=np.int64)
    blocks = []
    for names, table in zip(parts.fields, parts.tables, strict=True):
        free = [name for name in names if name not in known]
        if not free:
            base = base + table[tuple(known[name] for name in names)]
            continue
        index = [[known[name]] if name in known else codes[name] for name in names]
        block = _block(table, index).reshape(*(len(codes[name]) for name in free), count)
        order = sorted(range(len(free)), key=lambda i: axis_of[free[i]])
        sizes = [1] * len(read)
        for name in free:
            sizes[axis_of[name]] = len(codes[name])
        blocks.append((tuple(sizes), block.transpose(*order, len(free)).reshape(*sizes, count)))
        bound += int(np.abs(block).max())
    bound += int(np.abs(base).max())
    dtype = np.int16 if bound < 2 ** 15 else np.int64
    for shape, block in blocks:
        block = block.astype(dtype)
        pieces[shape] = pieces[shape] + block if shape in pieces else block
    pieces = _add_smallest_first(pieces)
    total = (next(iter(pieces.values())) if pieces
             else np.zeros((*([1] * len(read)), count), dtype=dtype))
    total = total + base.astype(dtype)
    firsts = _firsts(total)
    counted = _counts_by_answer(firsts, read) if read else {}
    everything = np.array([int(np.count_nonzero(first)) for first in firsts])
    scale = 1
    for name in unknown:
        if name not in axis_of:
            scale *= len(codes[name])
    out: dict[str, list[list[int]]] = {}
    for name in unknown:
        if name in axis_of:
            out[name] = [[c * scale for c in row] for row in counted[name]]
        else:
            each = (everything * (scale // len(codes[name]))).tolist()
            out[name] = [list(each) for _ in codes[name]]
    return out


def _add_smallest_first(pieces: dict[tuple[int, ...], Any]) -> dict[tuple[int, ...], Any]:
    """Arrays keyed by their broadcast shape, added into one: each time the pair whose
    union is smallest, so that the big additions come last (empty stays empty)."""
    pieces = dict(pieces)
    while len(pieces) > 1:
        keys = list(pieces)
        best: tuple[int, tuple[int, ...], tuple[int, ...]] | None = None
        for i, left in enumerate(keys):
            for right in keys[i + 1:]:
                size = 1
                for a, b in zip(left, right, strict=True):
                    size *= max(a, b)
                if best is None or size < best[0]:
                    best = (size, left, right)
        assert best is not None
        _, left, right = best
        merged = pieces.pop(left) + pieces.pop(right)
        key = tuple(max(a, b) for a, b in zip(left, right, strict=True))
        pieces[key] = pieces[key] + merged if key in pieces else merged
    return pieces
