"""First places over many completions, read from small tables worked out once per rule set.

A completion's scores are a constant plus one table per part of the rules
(``parts.parts_of``); so are its tie-break key (a feature reads few fields) and what each
alternative strength table moves (a rule's points belong to its part). Here the parts
of the scores are joined wherever a feature reads fields of two of them, and each joined
part gets one table over the scored units of its fields (the unknown answer last): per
cell, the points, the tie-break key and, per alternative class, the points it moves.

For one context, each part's cells over its open fields fall into a few distinct
vectors (classes); first place is worked out once per combination of classes, and every
scored row reads its outcome from there. The rows, their order and their outcomes are
the same as scoring each row rule by rule (``confidence_count._tally_by_rules``, kept
for rule sets these tables do not fit).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._engines.plan import APPROACHES, ScoringPlan, Value, plan_for
from .._model.fields import RULE_FIELDS
from .._reasoning.groups import score_groups
from .._rulebook.evaluation import Facts, holds
from .._rulebook.ruleset import RuleSet
from .._rulebook.strength import Direction, StrengthClass, points_for
from .parts import PARTS_BUDGET, parts_of

KEY_CLASSES = (StrengthClass.DEFINING, StrengthClass.TYPICAL, StrengthClass.HEDGED)
"""The tie-break's classes, most telling first."""
ALTERNATIVE_CLASSES = (StrengthClass.DEFINING, StrengthClass.TYPICAL, StrengthClass.HEDGED,
                       StrengthClass.DESIGN)
"""The classes whose points the alternative strength tables move, one step up or down."""
LAST_BAND_TOP = 100
"""Where the open last band of ``sites`` is taken to end when a rule cuts inside it."""
_COUNT = len(APPROACHES)
WIDTH = _COUNT * (2 + len(ALTERNATIVE_CLASSES))
"""A cell's vector: points, tie-break key, then per alternative class the points moved."""
_BLOCKS_KEPT = 50_000
"""Per rule set, the classes of a part's cells kept by pattern of its known answers."""


def key_weight(strength: StrengthClass | None) -> int | None:
    """A holding feature's weight in the tie-break key (``None``: not in the tie-break; a
    feature declared without a class counts as defining)."""
    chosen = strength or StrengthClass.DEFINING
    if chosen not in KEY_CLASSES:
        return None
    return int(1000 ** (len(KEY_CLASSES) - 1 - KEY_CLASSES.index(chosen)))


def field_answers(name: str) -> list[Value]:
    """The values an open field is completed over (``sites``: 1 to ``LAST_BAND_TOP``)."""
    spec = RULE_FIELDS[name]
    if spec.kind == "count":
        return list(range(1, LAST_BAND_TOP + 1))
    return list(spec.values)


def unit_tests(rules: RuleSet, name: str) -> list[Any]:
    """Every test the features make on one field, as functions of its value."""
    found: list[Any] = []
    for feature in rules.defining_features:
        for conjunction in rules._feature_conditions[feature.id]:
            for tested, allowed in conjunction.choices:
                if tested == name:
                    found.append(lambda value, allowed=allowed: value in allowed)
            for tested, low, high in conjunction.ranges:
                if tested == name:
                    found.append(lambda value, low=low, high=high: low <= value <= high)
    return found


def units_for(rules: RuleSet, plan: ScoringPlan, name: str,
              values: Sequence[Value]) -> tuple[list[Value], list[int]]:
    """Values grouped by what rules and features tell apart: representatives, and each
    value's group."""
    position = plan.fields.index(name)
    tests = unit_tests(rules, name)
    groups: dict[tuple[object, ...], int] = {}
    units: list[Value] = []
    of: list[int] = []
    for value in values:
        key = (plan.code(position, value), *(test(value) for test in tests))
        if key not in groups:
            groups[key] = len(units)
            units.append(value)
        of.append(groups[key])
    return units, of


@dataclass(frozen=True, eq=False)
class CountTables:
    """Per joined part, its fields and its table of cell vectors (see the module)."""

    fields: tuple[tuple[str, ...], ...]
    tables: tuple[Any, ...]
    """Per part: one axis per field (its units, then unknown), then ``WIDTH``."""
    constant: Any
    """The vector of rules and features that read no field."""
    units: dict[str, tuple[Value, ...]]
    """Per field of a part, its units (as ``confidence_count.OpenField.units``)."""
    unit_keys: dict[str, dict[tuple[object, ...], int]]
    """Per field of a part, its units by what the rules and features see of a value."""
    tests: dict[str, list[Any]]
    """Per field of a part, the features' tests on it (``unit_tests``)."""
    dtype: Any
    """32-bit integers when no sum of cells (nor a score moved by a shift) can overflow
    them, else 64-bit."""
    blocks: dict[tuple[Any, ...], tuple[Any, Any]] = field(default_factory=dict, repr=False)
    known: dict[tuple[Any, ...], int | None] = field(default_factory=dict, repr=False)
    """Known answers' units, as ``unit_of`` found them."""
    """Per part and pattern of known answers, its open cells' classes and class vectors."""

    def unit_of(self, rules: RuleSet, name: str, value: object) -> int | None:
        """The unit a known answer falls in, or ``None`` when no unit matches it (kept
        per answer)."""
        kept = (name, type(value), value)
        if kept in self.known:
            return self.known[kept]
        plan = plan_for(rules)
        try:
            key = (plan.code(plan.fields.index(name), value),
                   *(test(value) for test in self.tests[name]))
        except TypeError:
            return None
        found = self.unit_keys[name].get(key)
        if len(self.known) < _BLOCKS_KEPT:
            self.known[kept] = found
        return found


def count_tables(rules: RuleSet) -> CountTables | None:
    """The rule set's tables (built once), or ``None`` when they would not fit the budget
    or its features read what they cannot hold."""
    return rules.derived("count_tables", _build)


def _build(rules: RuleSet) -> CountTables | None:
    plan = plan_for(rules)
    if parts_of(plan) is None:
        return None
    groups = score_groups(plan)
    parent = {name: name for name in RULE_FIELDS}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    def join(names: Sequence[str]) -> None:
        for other in names[1:]:
            parent[root(other)] = root(names[0])

    for positions in groups.positions:
        join([plan.fields[p] for p in positions])
    keyed = []
    for feature in rules.defining_features:
        weight = key_weight(feature.strength)
        if weight is None:
            continue
        conditions = rules._feature_conditions[feature.id]
        reads = sorted({f for c in conditions for f, _ in c.choices}
                       | {f for c in conditions for f, _, _ in c.ranges},
                       key=list(plan.fields).index)
        if any(name not in RULE_FIELDS for name in reads):
            return None
        join(reads)
        keyed.append((feature, weight, conditions, reads))
    used = {plan.fields[p] for positions in groups.positions for p in positions}
    used |= {name for *_, reads in keyed for name in reads}
    members: dict[str, list[str]] = {}
    for name in RULE_FIELDS:
        if name in used:
            members.setdefault(root(name), []).append(name)
    units: dict[str, tuple[Value, ...]] = {}
    unit_keys: dict[str, dict[tuple[object, ...], int]] = {}
    all_tests: dict[str, list[Any]] = {}
    for name in used:
        values = field_answers(name)
        found, of = units_for(rules, plan, name, values)
        units[name] = tuple(found)
        tests = all_tests[name] = unit_tests(rules, name)
        position = plan.fields.index(name)
        unit_keys[name] = {(plan.code(position, value), *(t(value) for t in tests)): unit
                           for value, unit in zip(values, of, strict=True)}
    parts = list(members.values())
    cells = sum(math.prod(len(units[n]) + 1 for n in names) * WIDTH for names in parts)
    if cells > PARTS_BUDGET:
        return None
    import numpy as np

    tables = tuple(_table(rules, plan, names, units, groups, keyed) for names in parts)
    constant = _constant(rules, plan, groups.constant, keyed)
    bound = int(np.abs(constant).max()) + sum(int(np.abs(t).max()) for t in tables)
    dtype = np.int32 if 2 * bound < 1 << 31 else np.int64
    return CountTables(tuple(tuple(p) for p in parts), tables, constant.astype(dtype), units,
                       unit_keys, all_tests, dtype)


def _shift_rules(rules: RuleSet, plan: ScoringPlan) -> list[tuple[int, Any, Any]]:
    """Per alternative class: its place, its rules (indices into ``plan.all_rules``) and
    the sign of each one's points."""
    scoring = [rule for rule, position in enumerate(plan.scoring_index) if position >= 0]
    out = []
    for place, strength in enumerate(ALTERNATIVE_CLASSES):
        chosen, signs = class_shifts(rules, plan)[strength]
        out.append((place, [scoring[int(r)] for r in chosen], signs))
    return out


def _table(rules: RuleSet, plan: ScoringPlan, names: Sequence[str],
           units: Mapping[str, Sequence[Value]], groups: Any, keyed: Sequence[Any]) -> Any:
    """One part's table: per cell (units of each field, then unknown) its vector."""
    import numpy as np

    positions = [plan.fields.index(name) for name in names]
    sizes = [len(units[name]) + 1 for name in names]
    columns: list[Any] = [np.int64(len(bits) - 1) for bits in plan.field_bits]
    for axis, (name, position) in enumerate(zip(names, positions, strict=True)):
        shape = [1] * len(names)
        shape[axis] = sizes[axis]
        codes = [plan.code(position, value) for value in units[name]]
        codes.append(len(plan.field_bits[position]) - 1)
        columns[position] = np.asarray(codes, dtype=np.int64).reshape(shape)
    mine = [rule for rs, ps in zip(groups.rules, groups.positions, strict=True)
            if ps[0] in positions for rule in rs]
    table = np.zeros((*sizes, WIDTH), dtype=np.int64)
    table[..., :_COUNT] = _points(plan, columns, mine, sizes)
    fired = plan.fire_arrays(columns, mine)
    for place, chosen, signs in _shift_rules(rules, plan):
        start = _COUNT * (2 + place)
        for rule, sign in zip(chosen, signs, strict=True):
            if rule in fired:
                table[..., start:start + _COUNT] += np.asarray(fired[rule])[..., None] * sign
    for feature, weight, conditions, reads in keyed:
        if not reads or reads[0] not in names:
            continue
        axes = [names.index(name) for name in reads]
        held = np.zeros([sizes[a] for a in axes], dtype=np.int64)
        for combo in itertools.product(*(range(sizes[a]) for a in axes)):
            filled: Facts = {name: units[name][c] for name, c in zip(reads, combo, strict=True)
                             if c < len(units[name])}
            held[combo] = any(holds(c, filled, frozenset()) for c in conditions)
        shape = [sizes[a] if a in axes else 1 for a in range(len(names))]
        for approach in feature.tied_to:
            table[..., _COUNT + APPROACHES.index(approach)] += held.reshape(shape) * weight
    return table


def _points(plan: ScoringPlan, columns: Sequence[Any], mine: Sequence[int],
            sizes: Sequence[int]) -> Any:
    import numpy as np

    _, vectors = plan.tables()
    fired = plan.fire_arrays(columns, mine)
    points = np.zeros((*sizes, _COUNT), dtype=np.int64)
    for rule in mine:
        points = points + np.asarray(fired[rule])[..., None] * vectors[rule]
    return points


def _constant(rules: RuleSet, plan: ScoringPlan, constant: Sequence[int],
              keyed: Sequence[Any]) -> Any:
    """The vector of what reads no field: rules always firing, features always holding."""
    import numpy as np

    columns: list[Any] = [np.int64(len(bits) - 1) for bits in plan.field_bits]
    out = np.zeros(WIDTH, dtype=np.int64)
    out[:_COUNT] = _points(plan, columns, constant, ())
    fired = plan.fire_arrays(columns, constant)
    for place, chosen, signs in _shift_rules(rules, plan):
        start = _COUNT * (2 + place)
        for rule, sign in zip(chosen, signs, strict=True):
            if rule in fired:
                out[start:start + _COUNT] += np.asarray(fired[rule]) * sign
    for feature, weight, conditions, reads in keyed:
        if not reads and any(holds(c, {}, frozenset()) for c in conditions):
            for approach in feature.tied_to:
                out[_COUNT + APPROACHES.index(approach)] += weight
    return out


def class_shifts(rules: RuleSet, plan: ScoringPlan) -> dict[StrengthClass, tuple[Any, Any]]:
    """Per strength class, the scoring rules (indices into ``plan.rules``) whose points come
    from that class by the table, and the sign of each of their points: moving the class
    one point up (or down) moves each such rule's points by its sign (or minus it). A
    rule that gives its own points is in none (worked out once per rule set)."""
    return rules.derived("class_shifts", lambda chosen: _shifts(chosen, plan))


def _shifts(rules: RuleSet, plan: ScoringPlan) -> dict[StrengthClass, tuple[Any, Any]]:
    import numpy as np

    base = np.asarray(plan.vectors, dtype=np.int64).reshape(-1, _COUNT)
    out = {}
    for strength in ALTERNATIVE_CLASSES:
        usual = points_for(strength, Direction.FOR)
        chosen = []
        for r, rule in enumerate(plan.rules):
            declared = rules.rule(rule.id).feature
            feature = rules.feature(declared) if declared is not None else None
            if feature is not None and feature.strength is strength:
                chosen.append(r)
        rows = base[chosen]
        out[strength] = (np.asarray(chosen, dtype=np.int64),
                         np.where(np.abs(rows) == usual, np.sign(rows), 0))
    return out


def first_masks(scores: Any, keys: Any) -> Any:
    """Per row, the approaches first as a bit mask: most points, then the stated tie-break
    key (a tie it leaves stays a tie, several bits)."""
    import numpy as np

    bits = 1 << np.arange(_COUNT, dtype=np.int64)
    at_top = scores == scores.max(axis=1, keepdims=True)
    masks = at_top @ bits
    tied = np.flatnonzero(masks & (masks - 1))
    if len(tied):  # only rows level on points need the tie-break
        masked = np.where(at_top[tied], keys[tied], -1)
        kept = masked == masked.max(axis=1, keepdims=True)
        masks[tied] = kept @ bits
    return masks


Alternatives = dict[tuple[StrengthClass, int], Any]


@dataclass(frozen=True)
class Layout:
    """How a full grid of rows maps onto combinations of classes: per part with several
    classes, its open fields (places among the open fields), its cells' classes and its
    class vectors; and each such part's number of classes (the first most significant)."""

    varying: list[tuple[list[int], Any, Any]]
    """Per part: its open fields' places, its cells' classes, its classes' vectors."""
    counts: list[int]


def by_unit(layout: Layout, sizes: Sequence[int], unit_weights: Sequence[Any],
            firsts: Any, combined: Any, outcomes: Any) -> list[Any]:
    """Per open field, per unit, the weight of each outcome over every completion with
    it, from the combinations of classes (``combined``: their weights; ``firsts``: their
    outcomes) rather than from every row. A field in no part with several classes
    leaves the outcomes as they are; in a part, its units share each class's outcomes
    in proportion to the weight of the class's cells that give them."""
    import numpy as np

    outcomes_count = len(outcomes)
    out: list[Any] = [np.outer(np.asarray(w) / np.sum(w), outcomes) for w in unit_weights]
    grid = np.arange(len(firsts))
    for place, (axes, inverse, classes) in enumerate(layout.varying):
        count = len(classes)
        stride = math.prod(layout.counts[place + 1:])
        mine = (grid // stride) % count
        per_class = np.bincount(mine * outcomes_count + firsts, weights=combined,
                                minlength=count * outcomes_count
                                ).reshape(count, outcomes_count)
        cell_weight = np.ones([1] * len(axes))
        for n, axis in enumerate(axes):
            shape = [1] * len(axes)
            shape[n] = sizes[axis]
            cell_weight = cell_weight * np.asarray(unit_weights[axis]).reshape(shape)
        cell_weight = np.broadcast_to(cell_weight, [sizes[a] for a in axes]).reshape(-1)
        class_weight = np.bincount(inverse, weights=cell_weight, minlength=count)
        scale = np.divide(1.0, class_weight, out=np.zeros_like(class_weight),
                          where=class_weight > 0)
        units = np.unravel_index(np.arange(len(inverse)), [sizes[a] for a in axes])
        for n, axis in enumerate(axes):
            share = np.bincount(inverse * sizes[axis] + units[n], weights=cell_weight,
                                minlength=count * sizes[axis]).reshape(count, sizes[axis])
            out[axis] = (share * scale[:, None]).T @ per_class
    return out


def row_masks(rules: RuleSet, facts: Facts, names: Sequence[str], sizes: Sequence[int],
              picks: Sequence[Any] | None, rows: int,
              alternatives: bool) -> tuple[Any, Any, Alternatives, Layout | None] | None:
    """Per scored row, its combination of classes (an index); per combination, the
    first-place mask, and per alternative strength table (class, step) the masks under
    it; ``None`` where the tables do not serve (the caller scores rule by rule).

    ``names``: the open fields, each completed over ``sizes`` units; ``picks``: per open
    field its unit in each row, or ``None`` for every combination in order (the last
    field varying fastest, as ``itertools.product``); ``rows``: how many rows.
    """
    import numpy as np

    tables = count_tables(rules)
    if tables is None:
        return None
    index = {name: i for i, name in enumerate(names)}
    if any(name in tables.units and len(tables.units[name]) != size
           for name, size in zip(names, sizes, strict=True)):
        return None
    split = _split(tables, rules, facts, index)
    if split is None:
        return None
    constant, varying = split
    counts = [len(classes) for _, _, classes in varying]
    grid = math.prod(counts)
    if grid <= rows:
        code = _grid_code(varying, counts, sizes, picks, rows)
        vectors = constant.reshape((1,) * len(varying) + (WIDTH,))
        for axis, (_, _, classes) in enumerate(varying):
            shape = [1] * len(varying) + [WIDTH]
            shape[axis] = len(classes)
            vectors = vectors + classes.reshape(shape)
        vectors = vectors.reshape(-1, WIDTH)
    else:
        assert picks is not None  # a full grid of rows is never smaller than its classes
        if grid < 1 << 62:  # each row's classes as one number, in mixed radix
            combined, code = np.unique(_grid_code(varying, counts, sizes, picks, rows),
                                       return_inverse=True)
            chosen = np.stack(np.unravel_index(combined, counts))
        else:
            chosen, code = np.unique(np.stack([
                inverse.reshape(-1)[_cell(axes, picks, sizes)]
                for axes, inverse, _ in varying]), axis=1, return_inverse=True)
        code = code.reshape(-1)
        vectors = np.tile(constant, (chosen.shape[1], 1))
        for column, (_, _, classes) in enumerate(varying):  # whole rows: a fast gather
            vectors += np.take(classes, chosen[column], axis=0)
    # Per combination of classes, its vector as one column of the planes (WIDTH rows).
    return (*_firsts(np.ascontiguousarray(vectors.T), alternatives, code),
            Layout(varying, counts) if picks is None else None)


def _split(tables: CountTables, rules: RuleSet, facts: Facts, index: Mapping[str, int]
           ) -> tuple[Any, list[tuple[list[int], Any, Any]]] | None:
    """The vector of the parts with one class, and per other part its open fields (their
    places in ``index``), its cells' classes and its class vectors (``None`` when a known
    answer falls in no unit)."""
    constant = tables.constant.copy()
    varying: list[tuple[list[int], Any, Any]] = []
    for part, part_fields in enumerate(tables.fields):
        pattern = []
        for name in part_fields:
            if name in index:
                pattern.append(-1)
            elif name in facts:
                unit = tables.unit_of(rules, name, facts[name])
                if unit is None:
                    return None
                pattern.append(unit)
            else:
                pattern.append(len(tables.units[name]))
        inverse, classes = _classes(tables, part, tuple(pattern))
        if len(classes) == 1:
            constant += classes[0]
        else:
            varying.append(([index[n] for n in part_fields if n in index], inverse, classes))
    return constant, varying


def _firsts(planes: Any, alternatives: bool, code: Any) -> tuple[Any, Any, Alternatives]:
    """``code``, and the first-place masks of each vector (a column of ``planes``) under
    each table (an alternative that moves no points in any of them has the table in
    use's masks).

    Each approach's scores under every table lie in one contiguous plane (tables by
    vectors): numpy compares whole planes far faster than along a short last axis.
    """
    import numpy as np

    scores, keys = planes[:_COUNT], planes[_COUNT:2 * _COUNT]
    moving: list[tuple[StrengthClass, Any]] = []
    still: list[StrengthClass] = []
    for place, strength in enumerate(ALTERNATIVE_CLASSES if alternatives else ()):
        shift = planes[_COUNT * (2 + place):_COUNT * (3 + place)]
        if shift.any():
            moving.append((strength, shift))
        else:
            still.append(strength)
    stack = np.empty((_COUNT, 1 + 2 * len(moving), planes.shape[1]), dtype=planes.dtype)
    stack[:, 0] = scores
    for n, (_, shift) in enumerate(moving):
        stack[:, 1 + 2 * n] = scores + shift
        stack[:, 2 + 2 * n] = scores - shift
    at_top, masks = _plane_bits(stack)
    table, row = np.nonzero(masks & (masks - 1))
    if len(row):  # only rows level on points need the tie-break
        masks[table, row] = _plane_bits(np.where(at_top[:, table, row], keys[:, row], -1))[1]
    alt: Alternatives = {}
    for n, (strength, _) in enumerate(moving):
        alt[(strength, 1)], alt[(strength, -1)] = masks[1 + 2 * n], masks[2 + 2 * n]
    for strength in still:
        alt[(strength, 1)] = alt[(strength, -1)] = masks[0]
    return code, masks[0], {key: alt[key] for key in sorted(alt, key=_table_order)}


def _plane_bits(planes: Any) -> tuple[Any, Any]:
    """Along the first axis (approaches, one plane each): where the most is, and that as
    a bit mask."""
    import numpy as np

    most = planes[0]
    for approach in range(1, len(planes)):
        most = np.maximum(most, planes[approach])
    at_top = planes == most[None]
    masks = at_top[0].astype(np.int64)
    for approach in range(1, len(planes)):
        masks |= at_top[approach].astype(np.int64) << approach
    return at_top, masks


def _table_order(key: tuple[StrengthClass, int]) -> tuple[int, int]:
    """Alternative tables in their usual order: by class, one step up first."""
    return ALTERNATIVE_CLASSES.index(key[0]), -key[1]


def _cell(axes: Sequence[int], picks: Sequence[Any], sizes: Sequence[int]) -> Any:
    """Per row, the flat index of its cell among a part's open fields (C order)."""
    cell = picks[axes[0]]
    for axis in axes[1:]:
        cell = cell * sizes[axis] + picks[axis]
    return cell


def _grid_code(varying: Sequence[tuple[list[int], Any, Any]], counts: Sequence[int],
               sizes: Sequence[int], picks: Sequence[Any] | None, rows: int) -> Any:
    """Per row, its combination of classes as one index (the first part's most
    significant)."""
    import numpy as np

    strides = [math.prod(counts[i + 1:]) for i in range(len(counts))]
    if picks is not None:
        code: Any = np.zeros(rows, dtype=np.int64)
        for (axes, inverse, _), stride in zip(varying, strides, strict=True):
            code = code + inverse.reshape(-1)[_cell(axes, picks, sizes)] * stride
        return code
    code = np.zeros([1] * len(sizes), dtype=np.int64)
    for (axes, inverse, _), stride in zip(varying, strides, strict=True):
        shape = [sizes[a] if a in axes else 1 for a in range(len(sizes))]
        code = code + inverse.reshape(shape) * stride
    return np.broadcast_to(code, tuple(sizes)).reshape(-1)


def _classes(tables: CountTables, part: int, pattern: tuple[int, ...]) -> tuple[Any, Any]:
    """A part's open cells (C order over its open fields) grouped by their vectors: each
    cell's class and each class's vector (in the tables' integers), kept per pattern of
    known answers (-1: open)."""
    import numpy as np

    key = (part, *pattern)
    found = tables.blocks.get(key)
    if found is None:
        names = tables.fields[part]
        block = tables.tables[part][tuple(
            slice(0, len(tables.units[name])) if at < 0 else at
            for name, at in zip(names, pattern, strict=True))]
        classes, inverse = np.unique(block.reshape(-1, WIDTH), axis=0, return_inverse=True)
        found = (inverse.reshape(-1), classes.astype(tables.dtype))
        if len(tables.blocks) < _BLOCKS_KEPT:
            tables.blocks[key] = found
    return found
