"""First places over many completions, read from small tables worked out once per rule set.

A completion's scores are a constant plus one table per part of the rules
(``parts.parts_of``); so are its tie-break key (a feature reads few fields) and what each
alternative strength table moves (a rule's points belong to its part). Here the parts
of the scores are joined wherever a feature reads fields of two of them, and each joined
part gets one table over the scored units of its fields (the unknown answer last): per
cell, the points, the tie-break key and, per alternative class, the points it moves.

``count_rows`` reads first places from them: the rows, their order and their outcomes
are the same as scoring each row rule by rule (``confidence_count._tally_by_rules``,
kept for rule sets these tables do not fit).
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
from .._rulebook.compile import fields_read
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
COUNT = len(APPROACHES)
"""How many approaches (a vector's blocks are this long)."""
WIDTH = COUNT * (2 + len(ALTERNATIVE_CLASSES))
"""A cell's vector: points, tie-break key, then per alternative class the points moved."""
BLOCKS_KEPT = 50_000
"""Per rule set, how many known answers' units (``CountTables.known``) are kept."""
BLOCK_BYTES_KEPT = 8 << 20
"""Per rule set, the bytes of the parts' cell classes kept by pattern of known answers
(``CountTables.blocks``): a bound on memory, not on entries, since a custom rule set that
joins many fields in one part makes a new pattern for almost every context."""


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
    """Per part and pattern of known answers, its open cells' classes and class vectors."""
    blocks_bytes: list[int] = field(default_factory=lambda: [0], repr=False)
    """The bytes ``blocks`` holds (one number, in a list so the frozen record can count)."""
    known: dict[tuple[Any, ...], int | None] = field(default_factory=dict, repr=False)
    """Known answers' units, as ``unit_of`` found them."""

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
        if len(self.known) < BLOCKS_KEPT:
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
        reads = sorted(fields_read(conditions), key=list(plan.fields).index)
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
    table[..., :COUNT] = _points(plan, columns, mine, sizes)
    fired = plan.fire_arrays(columns, mine)
    for place, chosen, signs in _shift_rules(rules, plan):
        start = COUNT * (2 + place)
        for rule, sign in zip(chosen, signs, strict=True):
            if rule in fired:
                table[..., start:start + COUNT] += np.asarray(fired[rule])[..., None] * sign
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
            table[..., COUNT + APPROACHES.index(approach)] += held.reshape(shape) * weight
    return table


def _points(plan: ScoringPlan, columns: Sequence[Any], mine: Sequence[int],
            sizes: Sequence[int]) -> Any:
    import numpy as np

    _, vectors = plan.tables()
    fired = plan.fire_arrays(columns, mine)
    points = np.zeros((*sizes, COUNT), dtype=np.int64)
    for rule in mine:
        points = points + np.asarray(fired[rule])[..., None] * vectors[rule]
    return points


def _constant(rules: RuleSet, plan: ScoringPlan, constant: Sequence[int],
              keyed: Sequence[Any]) -> Any:
    """The vector of what reads no field: rules always firing, features always holding."""
    import numpy as np

    columns: list[Any] = [np.int64(len(bits) - 1) for bits in plan.field_bits]
    out = np.zeros(WIDTH, dtype=np.int64)
    out[:COUNT] = _points(plan, columns, constant, ())
    fired = plan.fire_arrays(columns, constant)
    for place, chosen, signs in _shift_rules(rules, plan):
        start = COUNT * (2 + place)
        for rule, sign in zip(chosen, signs, strict=True):
            if rule in fired:
                out[start:start + COUNT] += np.asarray(fired[rule]) * sign
    for feature, weight, conditions, reads in keyed:
        if not reads and any(holds(c, {}, frozenset()) for c in conditions):
            for approach in feature.tied_to:
                out[COUNT + APPROACHES.index(approach)] += weight
    return out


def class_shifts(rules: RuleSet, plan: ScoringPlan) -> dict[StrengthClass, tuple[Any, Any]]:
    """Per strength class, the scoring rules (indices into ``plan.rules``) whose points come
    from that class by the table, and the sign of each of their points: moving the class
    one point up (or down) moves each such rule's points by its sign (or minus it). A
    rule that gives its own points is in none (worked out once per rule set)."""
    return rules.derived("class_shifts", lambda chosen: _shifts(chosen, plan))


def _shifts(rules: RuleSet, plan: ScoringPlan) -> dict[StrengthClass, tuple[Any, Any]]:
    import numpy as np

    base = np.asarray(plan.vectors, dtype=np.int64).reshape(-1, COUNT)
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

    bits = 1 << np.arange(COUNT, dtype=np.int64)
    at_top = scores == scores.max(axis=1, keepdims=True)
    masks = at_top @ bits
    tied = np.flatnonzero(masks & (masks - 1))
    if len(tied):  # only rows level on points need the tie-break
        masked = np.where(at_top[tied], keys[tied], -1)
        kept = masked == masked.max(axis=1, keepdims=True)
        masks[tied] = kept @ bits
    return masks
