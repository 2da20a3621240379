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

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._engines.plan import (
    APPROACHES,
    Scores,
    ScoringPlan,
    Value,
    top_of,
)
from .._errors import CollabAdvisorError
from .._reasoning.gaps import gap_tables
from .._rulebook.evaluation import Facts
from .outlook_counts import first_places_by_answer
from .parts import (
    add_smallest_first,
    lookahead_detail,
    parts_of,
    parts_rows,
    settled_by_parts,
)
from .tallies import counts_by_answer, keeps_first

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
    """The lead of ``top`` over the best other approach (negative when behind)."""
    best = max(int(score) for index, score in enumerate(scores) if index != top)
    return int(scores[top]) - best


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
    known = codes_of(plan, facts, unknown)
    if parts is not None:
        ahead, partial, ranges = lookahead_detail(parts, known, codes)
    else:
        ahead, partial = {}, _answered_alone(plan, facts, unknown, codes)
    if exact:
        if parts is not None and ranges is not None:
            low, high = ranges
            present = first_places_by_answer(parts, known, unknown, codes)
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
    now = _margin(scores, top)
    impacts = [_impact(plan, name, codes[name], partial[name], present[name], top, now, exact,
                       ahead.get(name, 0.0)) for name in unknown]
    order = {name: index for index, name in enumerate(
        [*(name for name in PURPOSE_FIRST if name in field_order),
         *(name for name in field_order if name not in PURPOSE_FIRST)])}
    impacts.sort(key=lambda i: (i.questions_after, i.open_after, -i.changes_top, -i.settles,
                                -i.margin_shift, order[i.field]))
    return Outlook(low, high, exact, settled, tuple(impacts), every_top)


def _impact(plan: ScoringPlan, name: str, codes: Sequence[int],
            answered: Sequence[Sequence[int]], by_answer: Sequence[Sequence[int]], top: int,
            now: int, exact: bool, questions_after: float) -> FieldImpact:
    """What answering ``name`` could do: each answer's scores are ``answered`` (the other
    unknowns left open), ``by_answer`` counts the completions each approach tops; ``top``
    is the top approach now and ``now`` its lead."""
    new_tops = tuple(top_of(row) for row in answered)
    classes = plan.classes[name]
    return FieldImpact(
        field=name,
        values=tuple(classes[code] for code in codes),
        tops=new_tops,
        changes_top=len(new_tops) - new_tops.count(top),
        settles=sum(1 for counts, new_top in zip(by_answer, new_tops, strict=True)
                    if counts[new_top] and list(counts).count(0) == len(counts) - 1)
        if exact else 0,
        margin_shift=max(abs(_margin(row, top) - now) for row in answered),
        open_after=_expected_open(by_answer),
        questions_after=questions_after,
    )


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
    weights = [sum(counts) for counts in by_answer]
    total = sum(weights)
    if not total:
        return 0.0
    expected = 0.0
    for counts, weight in zip(by_answer, weights, strict=True):
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
    for points in add_smallest_first(groups).values():
        total += points
    return total


def _tops_by_answer(tops: Any, unknown: list[str]) -> dict[str, list[list[int]]]:
    """Per unknown field and answer, how many completions put each approach first."""
    return counts_by_answer([tops == approach for approach in range(len(APPROACHES))],
                             unknown)


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
    parts = parts_of(plan)
    if parts is None:
        scores, _ = plan.score_rows(columns)
    else:  # the same scores, read from each part's table instead of rule by rule
        scores = parts_rows(parts, {name: columns[position]
                                    for position, name in enumerate(plan.fields)})
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


def _settled(low: Scores, high: Scores, top: int) -> bool:
    """Sound: no other approach can catch the top one, ties going to the earlier approach."""
    return keeps_first([most - low[top] for most in high], top)


def score_bounds(plan: ScoringPlan, facts: Facts, scores: Scores,
                 fired: frozenset[str]) -> tuple[Scores, Scores]:
    """Sound score ranges of a partial context: fired rules stay fired; each rule that
    could still fire may or may not (for other modules; the same as ``_bounds``)."""
    return _bounds(plan, facts, scores, fired)


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
    return keeps_first(tables.gains_of(plan.codes_of(facts), top), top)


_ALLOWED_KEPT = 65_536
"""Patterns of unknown fields whose exactness ``_exact_allowed_one`` keeps per plan."""


def _exact_allowed_one(plan: ScoringPlan, unknown: tuple[str, ...]) -> bool:
    """``within_exact_limits`` over every class of these unknown fields, kept per plan
    (the one-context twin of ``_exact_allowed``)."""
    kept: dict[tuple[str, ...], bool] = plan.kept("exact_allowed", dict)
    allowed = kept.get(unknown)
    if allowed is None:
        allowed = within_exact_limits(plan, {name: len(plan.classes[name]) for name in unknown})
        if len(kept) < _ALLOWED_KEPT:
            kept[unknown] = allowed
    return allowed
