"""What the unknown fields could still do to the advice.

For a partial context this works out, for every approach, the lowest and
highest score it could reach once the unknowns are answered; whether any
answers could change which approach ranks first; and which unanswered field
matters most. Where the unknown fields allow few enough combinations
(``MAX_EXACT_COMPLETIONS``), every combination is scored and the answers are
exact. Otherwise the ranges are sound bounds (never narrower than the truth)
built rule by rule, and "settled" is only claimed when those bounds prove it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from ._evaluation import Facts, first_holding
from ._plan import APPROACHES, Scores, ScoringPlan, top_of

MAX_EXACT_COMPLETIONS = 20_000
"""Beyond this many combinations of answers, ranges are sound bounds, not exact."""


@dataclass(frozen=True)
class FieldImpact:
    """What answering one unknown field could do to the advice."""

    field: str
    values: tuple[str | bool | int, ...]
    """One representative of each answer the rules tell apart."""
    tops: tuple[int, ...]
    """The top approach (index) after each answer alone."""
    changes_top: int
    """How many answers would change the top approach."""
    settles: int
    """How many answers would leave the advice settled (0 when not computed exactly)."""
    margin_shift: int
    """The most the top approach's lead over the runner-up could move, in points."""


@dataclass(frozen=True)
class Outlook:
    """Score ranges, settledness and field impacts for one partial context."""

    low: Scores
    high: Scores
    exact: bool
    settled: bool
    impacts: tuple[FieldImpact, ...]
    """Every unknown field, most informative first."""


def _margin(scores: Scores, top: int) -> int:
    others = [score for index, score in enumerate(scores) if index != top]
    return scores[top] - max(others)


def outlook(plan: ScoringPlan, facts: Facts, scores: Scores, fired: frozenset[str],
            field_order: Sequence[str]) -> Outlook:
    """The outlook of a context whose current scores and fired rules are known."""
    unknown = [field for field in field_order if field not in facts]
    top = top_of(scores)
    if not unknown:
        return Outlook(scores, scores, True, True, ())
    combinations = 1
    for field in unknown:
        combinations *= len(plan.classes[field])
    if combinations <= MAX_EXACT_COMPLETIONS:
        low, high, tops_by = _enumerate(plan, facts, scores, fired, unknown)
        exact = True
    else:
        low, high = _bounds(plan, facts, scores, fired)
        tops_by = None
        exact = False
    settled = _settled(low, high, top) if not exact else all(
        tops == {top} for tops in tops_by[0]  # type: ignore[index]
    )
    impacts = [
        _impact(plan, facts, scores, top, field, position, tops_by)
        for position, field in enumerate(unknown)
    ]
    order = {field: index for index, field in enumerate(field_order)}
    impacts.sort(key=lambda i: (-i.changes_top, -i.settles, -i.margin_shift, order[i.field]))
    return Outlook(low, high, exact, settled, tuple(impacts))


QUICK_SAMPLES = 24
"""Random completions tried by ``quick_settled`` before it falls back to the full outlook."""


def quick_settled(plan: ScoringPlan, facts: Facts, scores: Scores, fired: frozenset[str],
                  field_order: Sequence[str]) -> bool | None:
    """Decide settledness cheaply when possible, else ``None``.

    Sound bounds that prove the top cannot be caught say ``True``; a completion
    whose top differs (a witness) says ``False``. The random draws are seeded by
    the facts, and they only change how fast the answer comes, never the answer.
    """
    unknown = [field for field in field_order if field not in facts]
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


def _impact(plan: ScoringPlan, facts: Facts, scores: Scores, top: int, field: str,
            position: int, tops_by: list[list[set[int]]] | None) -> FieldImpact:
    values = plan.classes[field]
    tops: list[int] = []
    shift = 0
    settles = 0
    now = _margin(scores, top)
    for index, value in enumerate(values):
        answered, _ = plan.score({**facts, field: value})
        new_top = top_of(answered)
        tops.append(new_top)
        shift = max(shift, abs(_margin(answered, top) - now))
        if tops_by is not None and tops_by[position][index] == {new_top}:
            settles += 1
    changes = sum(1 for new_top in tops if new_top != top)
    return FieldImpact(field, values, tuple(tops), changes, settles, shift)


def _settled(low: Scores, high: Scores, top: int) -> bool:
    """Sound: no other approach can catch the top one, ties going to the earlier approach."""
    for other in range(len(APPROACHES)):
        if other == top:
            continue
        if high[other] > low[top] or (high[other] == low[top] and other < top):
            return False
    return True


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


def _enumerate(plan: ScoringPlan, facts: Facts, scores: Scores, fired: frozenset[str],
               unknown: list[str]) -> tuple[Scores, Scores, list[list[set[int]]]]:
    """Score every combination of answers, re-checking only rules that could change.

    Rules already fired stay fired (rules are monotone) and rules that cannot
    fire stay silent, so only the rest are checked, each at the depth where
    the last of its unknown fields is answered.
    """
    possible = plan.possible(facts)
    depth_of = {field: depth for depth, field in enumerate(unknown)}
    by_depth: list[list[int]] = [[] for _ in unknown]
    for index, rule in enumerate(plan.rules):
        if rule.id in fired or rule.id not in possible:
            continue
        depths = [depth_of[field] for field in plan.fields_of[index] if field in depth_of]
        by_depth[max(depths)].append(index)  # a possible, unfired rule has an unknown field
    established = {rule.concludes for rule in plan.rules
                   if rule.id in fired and rule.concludes is not None}
    classes = [plan.classes[field] for field in unknown]
    low = [max(plan.ceilings) + 1] * len(scores)  # replaced by the first combination
    high = [-low[0]] * len(scores)
    tops_by: list[list[set[int]]] = [[set() for _ in values] for values in classes]
    working: dict[str, str | bool | int] = dict(facts)
    path = [0] * len(unknown)
    count = len(unknown)
    rules, vectors = plan.rules, plan.vectors

    def visit(depth: int, totals: list[int], findings: set[str]) -> None:
        field = unknown[depth]
        checks = by_depth[depth]
        concluding = any(rules[i].concludes is not None for i in checks)
        for value_index, value in enumerate(classes[depth]):
            working[field] = value
            path[depth] = value_index
            here = totals
            found = set(findings) if concluding else findings
            copied = False
            for i in checks:
                rule = rules[i]
                if first_holding(rule, working, found) is None:
                    continue
                if rule.concludes is not None:
                    found.add(rule.concludes)
                if not copied:
                    here = list(totals)
                    copied = True
                for k, points in enumerate(vectors[i]):
                    here[k] += points
            if depth + 1 < count:
                visit(depth + 1, here, found)
                continue
            best = 0
            for k, score in enumerate(here):
                if score < low[k]:
                    low[k] = score
                if score > high[k]:
                    high[k] = score
                if score > here[best]:
                    best = k
            for level in range(count):
                tops_by[level][path[level]].add(best)
        del working[field]

    visit(0, list(scores), set(established))
    return tuple(low), tuple(high), tops_by
