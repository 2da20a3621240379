"""Counting first places over the ways the open questions could still be answered.

Every open rule field is answered in each of its declared values (``sites``: in each of
its documented bands, 1 to 3, 4 to 11, 12 or more), each combination of answers counted
once, or with the caller's weights. In each combination the approaches with the most
points come first; a tie on points goes through the stated tie-break of
``rules/PRINCIPLES.md`` (more defining features holding, then typical, then hedged), and
a tie that survives it is its own outcome.

Answers that neither the rules nor the ledger's features tell apart are scored once,
with their weights added, so the count stays exact for far more open questions than
the raw number of combinations suggests. Past ``EXACT_ROWS`` such rows, the count goes
by combinations of part classes instead (a part's cells that give the same points and
tie-break key are one class; parts share no field, so a combination's weight is the
product of its classes' weights), still exact while those are at most ``EXACT_ROWS``.
Beyond that, a seeded sample of ``SAMPLE_ROWS`` completions (drawn with the answers'
weights) gives the shares with a 95% margin.

Each row's first place, under the strength table in use and under the alternatives, is
read from small per-part tables worked out once per rule set (``count_tables``); rule
sets those tables do not fit are scored rule by rule (``_tally_by_rules``), with the
same results.

Within a band of ``sites`` that a custom rule cuts, the band's weight is spread over
its whole numbers (the last band's over 12 to ``LAST_BAND_TOP``).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._engines.plan import APPROACHES, Value, plan_for
from .._errors import CollabAdvisorError
from .._model.fields import RULE_FIELDS
from .._rulebook.compile import fields_read
from .._rulebook.evaluation import Facts, holds
from .._rulebook.ruleset import RuleSet
from .._rulebook.strength import StrengthClass
from .count_rows import ClassCount, by_unit, class_count, row_masks
from .count_tables import (
    LAST_BAND_TOP,
    class_shifts,
    first_masks,
    key_weight,
    units_for,
)

EXACT_ROWS = 4_000
"""Most scored rows (combinations of answers the rules tell apart) for an exact count.
A cost budget: 12,000 rows (and 6,000 samples) made an explained result about 12.6 ms at
the median and 61 ms at worst; 4,000 and 2,000 make it 7.3 and 16 ms (80 random partial
contexts, python engine), for margins of about 2 points instead of 1."""
SAMPLE_ROWS = 2_000
"""Completions drawn, seeded by the facts and weights, beyond ``EXACT_ROWS``."""
Z95 = 1.959964
"""The normal quantile of a two-sided 95% interval."""
SITES_BANDS: tuple[tuple[int, int | None], ...] = ((1, 3), (4, 11), (12, None))
"""The documented bands of ``sites`` (its help text): each one answer."""
OUTCOMES = 1 << len(APPROACHES)
"""Outcomes as bit masks of the approaches first (one bit: alone; more: a tie)."""

Weights = Mapping[str, Mapping[Any, float]]
"""Per field, a weight for some of its answers (values; ``sites``: '1-3', '4-11', '12+');
answers left out weigh 0 when any is given."""


def band_label(band: tuple[int, int | None]) -> str:
    """A band of ``sites`` as its answer reads in weights: '1-3', '12+'."""
    low, high = band
    return f"{low}+" if high is None else f"{low}-{high}"


def band_of(count: object) -> str:
    """The documented band a count of ``sites`` falls in, as its answer label."""
    number = int(count)  # type: ignore[call-overload]
    for low, high in SITES_BANDS:
        if high is None or number <= high:
            return band_label((low, high))
    raise AssertionError("the last band is open")  # pragma: no cover


@dataclass(frozen=True)
class OpenField:
    """One open field: its answers, their weights, and the scored units behind them."""

    name: str
    answers: tuple[Value | str, ...]
    """Declared values (``sites``: band labels)."""
    weights: tuple[float, ...]
    """Per answer, its weight (1 each unless the caller gave weights)."""
    units: tuple[Value, ...]
    """One representative value per group of answers scored alike."""
    share: tuple[tuple[float, ...], ...]
    """Per answer, the part of its weight on each unit (rows sum to 1)."""

    def unit_weights(self) -> list[float]:
        """Per unit, the weight of the answers on it."""
        return [sum(w * row[u] for w, row in zip(self.weights, self.share, strict=True))
                for u in range(len(self.units))]


@dataclass(frozen=True)
class Spread:
    """Where first place falls over the completions of one context's open fields."""

    fields: tuple[OpenField, ...]
    outcomes: tuple[float, ...]
    """Per outcome mask, its total weight (exact) or its number of sampled completions."""
    by_answer: dict[str, tuple[tuple[float, ...], ...]]
    """Per open field and answer, the weight of each outcome among completions with it."""
    exact: bool
    rows: int
    """Rows scored: combinations of units or of part classes (exact), or completions
    drawn (sampled)."""
    alternatives: dict[tuple[StrengthClass, int], tuple[float, ...]]
    """Per alternative strength table (class, step), the outcome weights under it."""
    scored_rows: tuple[Any, ...] | Callable[[], tuple[Any, ...]] = field(
        default=(), repr=False, compare=False)
    """``rows_of``, or how to work it out when first asked (a sample drawn only then)."""

    @property
    def every_row(self) -> bool:
        """Whether ``rows_of`` holds every combination of units (else a seeded sample,
        even where the counts themselves are exact)."""
        return self.exact and self.rows == math.prod(len(f.units) for f in self.fields)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with its rows worked out (a pending draw is a closure)."""
        return {**self.__dict__, "scored_rows": self.rows_of}

    @property
    def rows_of(self) -> tuple[Any, ...]:
        """The rows for looking further ahead: per open field its unit codes, then the
        outcome masks and the row weights (every combination of units, or a seeded
        sample of completions where they are too many)."""
        found = self.scored_rows
        if callable(found):
            found = found()
            object.__setattr__(self, "scored_rows", found)
        return found

    @property
    def total(self) -> float:
        """The weight of every completion (the sample size when sampled)."""
        return sum(self.outcomes)

    def leader(self, outcomes: Sequence[float] | None = None) -> int:
        """The outcome mask with the most weight (the lowest mask on a level)."""
        seen = self.outcomes if outcomes is None else outcomes
        return max(range(1, OUTCOMES), key=lambda mask: (seen[mask], -mask))

    def leaders(self, outcomes: Sequence[float] | None = None) -> frozenset[int]:
        """Every outcome mask with the most weight (several when they are level)."""
        seen = self.outcomes if outcomes is None else outcomes
        most = max(seen[1:])
        return frozenset(m for m in range(1, OUTCOMES)
                         if seen[m] > 0 and abs(seen[m] - most) <= 1e-9 * max(1.0, most))


def open_field(rules: RuleSet, name: str, given: Mapping[Any, float] | None) -> OpenField:
    """The answers of an open field, grouped into scored units, with their weights."""
    plan = plan_for(rules)
    spec = RULE_FIELDS[name]
    if spec.kind == "count":
        answers: tuple[Value | str, ...] = tuple(band_label(b) for b in SITES_BANDS)
        counts = [list(range(low, (high or LAST_BAND_TOP) + 1)) for low, high in SITES_BANDS]
        units, of = units_for(rules, plan, name, [v for band in counts for v in band])
        share, start = [], 0
        for band in counts:
            row = [0.0] * len(units)
            for unit in of[start:start + len(band)]:
                row[unit] += 1 / len(band)
            share.append(tuple(row))
            start += len(band)
    else:
        answers = tuple(spec.values)
        units, of = units_for(rules, plan, name, list(spec.values))
        share = [tuple(1.0 if u == unit else 0.0 for u in range(len(units))) for unit in of]
    weights = _weights(name, answers, given)
    return OpenField(name, answers, weights, tuple(units), tuple(share))


def _open_field(rules: RuleSet, name: str, given: Mapping[Any, float] | None) -> OpenField:
    """``open_field``, its answers and units kept per rule set (weights alone change)."""
    kept: dict[str, OpenField] = rules.derived("open_fields", lambda _: {})
    if name not in kept:
        kept[name] = open_field(rules, name, None)
    plain = kept[name]
    if given is None:
        return plain
    return OpenField(name, plain.answers, _weights(name, plain.answers, given), plain.units,
                     plain.share)


def _weights(name: str, answers: Sequence[Value | str],
             given: Mapping[Any, float] | None) -> tuple[float, ...]:
    if given is None:
        return tuple(1.0 for _ in answers)
    known = {str(a).lower() if isinstance(a, bool) else str(a): a for a in answers}
    out = dict.fromkeys(answers, 0.0)
    for key, weight in given.items():
        spelled = str(key).lower() if isinstance(key, bool) else str(key)
        if spelled not in known:
            raise CollabAdvisorError(
                f"weights for '{name}': {key!r} is not one of its answers (allowed: "
                f"{', '.join(known)})")
        if not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
            raise CollabAdvisorError(
                f"weights for '{name}': the weight of {key!r} must be a number of at least "
                f"0, not {weight!r}")
        out[known[spelled]] = float(weight)
    if not any(out.values()):
        raise CollabAdvisorError(f"weights for '{name}': at least one answer needs a weight "
                                 "above 0")
    mean = sum(out.values()) / len(out)
    return tuple(out[a] / mean for a in answers)


def spread_of(rules: RuleSet, facts: Facts, weights: Weights | None = None,
              *, alternatives: bool = True, held: Collection[str] = ()) -> Spread:
    """Where first place falls over every completion of the fields ``facts`` leaves open
    (exact up to ``EXACT_ROWS`` scored rows, else over a seeded sample). Fields in
    ``held`` stay unknown instead (answered "don't know"): not completed."""
    given = dict(weights or {})
    for name in given:
        if name not in RULE_FIELDS:
            raise CollabAdvisorError(f"weights name '{name}', which is not a rule field "
                                     f"(allowed: {', '.join(RULE_FIELDS)})")
    opened = tuple(_open_field(rules, name, given.get(name))
                   for name in RULE_FIELDS if name not in facts and name not in held)
    sizes = [len(f.units) for f in opened]
    exact = math.prod(sizes) <= EXACT_ROWS
    if exact:
        import numpy as np

        count = math.prod(sizes)
        picks = (list(np.unravel_index(np.arange(count, dtype=np.int64), sizes))
                 if sizes else [])
        row_weight = np.ones([1] * len(sizes))
        for i, f in enumerate(opened):  # every row's weight, in the order of the rows
            shape = [1] * len(sizes)
            shape[i] = sizes[i]
            row_weight = row_weight * np.asarray(f.unit_weights()).reshape(shape)
        row_weight = np.broadcast_to(row_weight, sizes).reshape(-1)
    else:
        unit_weights = [f.unit_weights() for f in opened]
        classes = class_count(rules, facts, [f.name for f in opened], sizes, unit_weights,
                              alternatives, EXACT_ROWS)
        if classes is not None:  # the draw's inputs frozen now: it may come much later
            kept = (dict(facts), {k: dict(v) for k, v in given.items()}, tuple(held))
            return _by_classes(opened, classes, unit_weights,
                               lambda: _draw(opened, *kept))
        picks, row_weight = _draw(opened, facts, given, held)
    return _tally(rules, facts, opened, picks, row_weight, exact, alternatives)


def _by_classes(opened: Sequence[OpenField], classes: ClassCount, unit_weights: list[Any],
                draw: Callable[[], tuple[list[Any], Any]]) -> Spread:
    """The exact spread from every combination of part classes (too many combinations
    of answers to score one by one, few enough classes). For looking further ahead
    (``Spread.rows_of``) a seeded sample of rows is drawn when first asked for, each
    row's outcome read from its combination."""
    import numpy as np

    sizes = [len(f.units) for f in opened]
    outcomes = np.bincount(classes.firsts, weights=classes.weights, minlength=OUTCOMES)
    units = by_unit(classes.layout, sizes, unit_weights, classes.firsts, classes.weights,
                    outcomes)
    alt = {key: tuple(np.bincount(moved, weights=classes.weights, minlength=OUTCOMES).tolist())
           for key, moved in classes.alternatives.items()}
    return Spread(tuple(opened), tuple(outcomes.tolist()), _by_answer(opened, units), True,
                  len(classes.firsts), alt, lambda: _sampled_rows(classes, sizes, draw))


def _sampled_rows(classes: ClassCount, sizes: Sequence[int],
                  draw: Callable[[], tuple[list[Any], Any]]) -> tuple[Any, ...]:
    picks, row_weight = draw()
    return (*picks, classes.masks_of(sizes, picks), row_weight)


def _by_answer(opened: Sequence[OpenField], units: Sequence[Any]
               ) -> dict[str, tuple[tuple[float, ...], ...]]:
    """Per open field and answer, the weight of each outcome, from its units'."""
    import numpy as np

    by_answer = {}
    for f, per_unit in zip(opened, units, strict=True):
        unit_w = per_unit.sum(axis=1)
        scale = np.divide(1.0, unit_w, out=np.zeros_like(unit_w), where=unit_w > 0)
        answer = (np.asarray(f.weights)[:, None] * np.asarray(f.share) * scale) @ per_unit
        by_answer[f.name] = tuple(tuple(a) for a in answer.tolist())
    return by_answer


def _draw(opened: Sequence[OpenField], facts: Facts,
          given: Mapping[str, Mapping[Any, float]],
          held: Collection[str]) -> tuple[list[Any], Any]:
    """Seeded draws of units for each open field, with the answers' weights."""
    import numpy as np

    seed = random.Random(repr((sorted(facts.items()), sorted(  # noqa: S311 - a seed only
        (k, sorted((str(a), w) for a, w in v.items())) for k, v in given.items()),
        sorted(held))))
    rng = np.random.default_rng(seed.getrandbits(64))
    # Per field, uniform draws read through its cumulative weights (the draws
    # ``Generator.choice(p=...)`` makes, all fields' uniforms at once).
    uniform = rng.random((len(opened), SAMPLE_ROWS))
    picks = []
    for f, drawn in zip(opened, uniform, strict=True):
        chance = np.asarray(f.unit_weights())
        cumulative = (chance / chance.sum()).cumsum()
        cumulative /= cumulative[-1]
        picks.append(cumulative.searchsorted(drawn, side="right").astype(np.int64))
    return picks, np.ones(SAMPLE_ROWS)


def _tally(rules: RuleSet, facts: Facts, opened: Sequence[OpenField], picks: list[Any],
           row_weight: Any, exact: bool, alternatives: bool) -> Spread:
    import numpy as np

    rows = len(row_weight)
    names = [f.name for f in opened]
    sizes = [len(f.units) for f in opened]
    found = row_masks(rules, facts, names, sizes, None if exact else picks, rows, alternatives)
    code, firsts, alt_masks, layout = found if found is not None else _tally_by_rules(
        rules, facts, opened, picks, rows, alternatives)
    masks = firsts[code]
    # Rows that share a combination of classes share every table's outcome: weigh the
    # combinations once, then count outcomes over them.
    combined = np.bincount(code, weights=row_weight, minlength=len(firsts))
    outcomes = np.bincount(firsts, weights=combined, minlength=OUTCOMES)
    if layout is not None:  # every combination of answers: by answer from the classes
        units = by_unit(layout, sizes, [f.unit_weights() for f in opened], firsts,
                        combined, outcomes)
    else:
        units = [np.bincount(picks[i] * OUTCOMES + masks, weights=row_weight,
                             minlength=len(f.units) * OUTCOMES).reshape(-1, OUTCOMES)
                 for i, f in enumerate(opened)]
    by_answer = _by_answer(opened, units)
    alt = {key: tuple(np.bincount(moved, weights=combined, minlength=OUTCOMES).tolist())
           for key, moved in alt_masks.items()}
    return Spread(tuple(opened), tuple(outcomes.tolist()), by_answer, exact, rows,
                  alt, (*picks, masks, row_weight))


def _tally_by_rules(rules: RuleSet, facts: Facts, opened: Sequence[OpenField],
                    picks: list[Any], rows: int, alternatives: bool
                    ) -> tuple[Any, Any, dict[tuple[StrengthClass, int], Any], None]:
    """``count_tables.row_masks`` the slow way, rule by rule for each row (each row its
    own combination): for rule sets whose tables would not fit, and the reference the
    tests hold the tables to."""
    import numpy as np

    plan = plan_for(rules)
    columns = []
    index = {f.name: i for i, f in enumerate(opened)}
    for position, name in enumerate(plan.fields):
        if name in index:
            f = opened[index[name]]
            codes = np.asarray([plan.code(position, v) for v in f.units], dtype=np.int64)
            columns.append(codes[picks[index[name]]])
        else:
            columns.append(np.full(rows, plan.code(position, facts.get(name)), dtype=np.int64))
    scores, fired = plan.score_rows(columns)
    keys = _tie_keys(rules, facts, opened, picks, rows)
    alt = {}
    if alternatives:
        for strength, (chosen, signs) in class_shifts(rules, plan).items():
            shift = fired[:, chosen].astype(np.int64) @ signs
            for step in (1, -1):
                alt[(strength, step)] = first_masks(scores + step * shift, keys)
    return np.arange(rows), first_masks(scores, keys), alt, None


def _tie_keys(rules: RuleSet, facts: Facts, opened: Sequence[OpenField], picks: list[Any],
              rows: int) -> Any:
    """Per row and approach, the tie-break key as one integer (defining features holding,
    then typical, then hedged; a feature declared without a class counts as defining)."""
    import numpy as np

    keys = np.zeros((rows, len(APPROACHES)), dtype=np.int64)
    index = {f.name: i for i, f in enumerate(opened)}
    for feature in rules.defining_features:
        weight = key_weight(feature.strength)
        if weight is None:
            continue
        conditions = rules._feature_conditions[feature.id]
        reads = sorted(fields_read(conditions))
        free = [name for name in reads if name in index]
        table = np.zeros([len(opened[index[n]].units) for n in free] or [1], dtype=bool)
        for combo in itertools.product(*(range(len(opened[index[n]].units)) for n in free)):
            filled = {**facts, **{n: opened[index[n]].units[c] for n, c in zip(free, combo,
                                                                                strict=True)}}
            table[combo or (0,)] = any(holds(c, filled, frozenset()) for c in conditions)
        where = (table[tuple(picks[index[n]] for n in free)] if free
                 else np.full(rows, bool(table[0])))
        for approach in feature.tied_to:
            keys[:, APPROACHES.index(approach)] += where.astype(np.int64) * weight
    return keys
