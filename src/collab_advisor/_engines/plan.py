"""The compiled core: one form of a rule set that every fast path runs.

Built once per rule set (``plan_for``), it holds:

- each rule field's *value classes*: the values the rules can tell apart
  (every value of a choice, one representative per range of counts);
- per field and class, a bitmask of the rule alternatives (conjunctions) that
  a context with that answer still allows, and the same as numpy tables;
- per rule, its points as a vector, and the findings chained through rules in
  dependency order (every finding is concluded before it is used).

Single contexts are scored with Python integers as bit sets (the plain-Python
engine); many contexts, or every completion of a partial context, are scored
as numpy arrays. Both give exactly the engines' semantics: a test on an unknown
field never holds, and a fired rule's alternative is the first that holds
(tests check durable-rules, this engine and the array path agree).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._model.context import MAX_SITES, Approach
from .._model.fields import RULE_FIELDS
from .._rulebook.compile import TOP_FIELD, CompiledRule, values_of
from .._rulebook.evaluation import Evaluation, Facts
from .._rulebook.ruleset import RuleSet

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

APPROACHES = tuple(Approach)
_INDEX = {approach: index for index, approach in enumerate(APPROACHES)}
Scores = tuple[int, ...]
"""Scores in the order of ``Approach``."""
Value = str | bool | int
_SLICE = 256
"""Rules per slice when many rows are scored at once."""


@dataclass(frozen=True)
class _Alternative:
    """One conjunction of one rule, as the core tests it."""

    rule: int
    """Index of the rule in ``ScoringPlan.all_rules``."""
    index: int
    """Its position among the rule's alternatives."""
    tests: tuple[tuple[int, frozenset[int] | range], ...]
    """(field index, allowed class indices: a range for counts); never the unknown class."""
    needs: tuple[str, ...]
    """Findings it needs."""


@dataclass(frozen=True, eq=False)
class ScoringPlan:
    """Rules in dependency order, their points as vectors, and each field's value classes."""

    rules: tuple[CompiledRule, ...]
    """The scoring and concluding rules (advice rules left out), dependencies first."""
    vectors: tuple[Scores, ...]
    """Per rule, its points for each approach (zeros for concluding rules)."""
    classes: dict[str, tuple[Value, ...]]
    """Per rule field, one representative value for each way rules can tell values apart."""
    fields_of: tuple[frozenset[str], ...]
    """Per rule, every field it depends on, through findings too."""
    ceilings: Scores
    """Per approach, the sum of every positive point the rules can give it."""
    all_rules: tuple[CompiledRule, ...] = field(repr=False)
    """Every running rule, advice rules included, dependencies first."""
    fields: tuple[str, ...] = field(repr=False)
    """The fields the core reads: every rule field, then the top approach."""
    alternatives: tuple[_Alternative, ...] = field(repr=False)
    _field_bits: tuple[tuple[int, ...], ...] = field(repr=False)
    """Per field, per class (the last one: unknown), the alternatives it leaves possible."""
    _free_bits: int = field(repr=False)
    """Alternatives of rules that need no finding: decided by the field bits alone."""
    _chained: tuple[int, ...] = field(repr=False)
    """Rules (indices into ``all_rules``) with an alternative that needs a finding."""
    _first_bit: tuple[int, ...] = field(repr=False)
    """Per rule, the bit of its first alternative."""
    _rule_of_bit: tuple[int, ...] = field(repr=False)
    _lookup: tuple[dict[Value, int], ...] = field(repr=False)
    _cuts: tuple[tuple[int, ...] | None, ...] = field(repr=False)
    _scoring_index: tuple[int, ...] = field(repr=False)
    """Per rule of ``all_rules``, its index in ``rules`` (-1 for advice rules)."""
    _arrays: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- one context, with Python integers as bit sets ---------------------------------

    def code(self, position: int, value: object) -> int:
        """The class index of a value of the field at ``position`` (unknown: the last)."""
        cuts = self._cuts[position]
        if cuts is not None:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                return bisect.bisect_right(cuts, value) - 1
            return len(cuts)
        table = self._lookup[position]
        found = table.get(value) if isinstance(value, (str, bool, int)) else None
        return len(table) if found is None else found

    def codes_of(self, facts: Mapping[str, object]) -> list[int]:
        """The class index of every field of ``facts`` (as ``code``), in ``fields`` order."""
        out = []
        for position, name in enumerate(self.fields):
            value = facts.get(name)
            if self._cuts[position] is None and (type(value) is str or type(value) is bool):
                table = self._lookup[position]
                out.append(table.get(value, len(table)))
            else:
                out.append(self.code(position, value))
        return out

    def evaluate(self, facts: Mapping[str, object]) -> Evaluation:
        """Which rules fire and which findings hold: the plain-Python engine."""
        fired, findings = self._fire(facts)
        rules = self.all_rules
        return Evaluation({rules[r].id: i for r, i in fired.items()}, frozenset(findings))

    def _fire(self, facts: Mapping[str, object],
              could: bool = False) -> tuple[dict[int, int], set[str]]:
        possible = -1
        bits_by_value = self._bits_by_value()
        for position, name in enumerate(self.fields):
            value = facts.get(name)
            if could and value is None:
                continue  # an unknown field could still pass any test on it
            by_value = bits_by_value[position]
            if by_value is not None and (value is None or isinstance(value, (str, bool))):
                possible &= by_value.get(value, by_value[None])
            else:
                possible &= self._field_bits[position][self.code(position, value)]
        fired: dict[int, int] = {}
        findings: set[str] = set()
        rules = self.all_rules
        rule_of, first = self._rule_of_bit, self._first_bit
        free = possible & self._free_bits
        while free:
            low = free & -free
            bit = low.bit_length() - 1
            rule = rule_of[bit]
            if rule not in fired:
                fired[rule] = bit - first[rule]
                concludes = rules[rule].concludes
                if concludes is not None:
                    findings.add(concludes)
            free ^= low
        alternatives = self.alternatives
        for rule in self._chained:
            bit = first[rule]
            for offset in range(len(rules[rule].disjuncts)):
                if (possible >> (bit + offset)) & 1 and all(
                        need in findings for need in alternatives[bit + offset].needs):
                    fired[rule] = offset
                    concludes = rules[rule].concludes
                    if concludes is not None:
                        findings.add(concludes)
                    break
        return fired, findings

    def _bits_by_value(self) -> tuple[dict[object, int] | None, ...]:
        """Per choice or yes/no field, its alternatives' bits by value (``None``: unknown)."""
        cached = self._arrays.get("bits_by_value")
        if cached is None:
            built: list[dict[object, int] | None] = []
            for position, lookup in enumerate(self._lookup):
                if self._cuts[position] is not None:
                    built.append(None)
                    continue
                bits = self._field_bits[position]
                table: dict[object, int] = {value: bits[code] for value, code in lookup.items()}
                table[None] = bits[-1]
                built.append(table)
            cached = tuple(built)
            self._arrays["bits_by_value"] = cached
        return cached

    def score(self, facts: Mapping[str, object]) -> tuple[Scores, frozenset[str]]:
        """Scores and fired scoring-rule ids for complete or partial facts."""
        fired, _ = self._fire(facts)
        totals = [0] * len(APPROACHES)
        ids: list[str] = []
        for rule in fired:
            position = self._scoring_index[rule]
            if position < 0:
                continue
            ids.append(self.all_rules[rule].id)
            for index, points in enumerate(self.vectors[position]):
                totals[index] += points
        return tuple(totals), frozenset(ids)

    def possible(self, facts: Facts) -> frozenset[str]:
        """Scoring rules that could fire once the unknown fields are answered (as
        ``possible_rules``: each test on a known field passes, findings could hold)."""
        fired, _ = self._fire(facts, could=True)
        rules, index = self.all_rules, self._scoring_index
        return frozenset(rules[rule].id for rule in fired if index[rule] >= 0)

    # -- many contexts at once, as numpy arrays ----------------------------------------

    def tables(self, possible: bool = False) -> tuple[
            list[list[tuple[int, npt.NDArray[np.bool_]]]], Any]:
        """Per alternative, (field index, allowed-class table); and the rules' vectors.

        With ``possible``, the unknown class is allowed too: what could still hold.
        """
        cached = self._arrays.get("possible" if possible else "tables")
        if cached is None:
            import numpy as np

            sizes = [len(bits) for bits in self._field_bits]
            tests = []
            for alternative in self.alternatives:
                row = []
                for position, allowed in alternative.tests:
                    table = np.zeros(sizes[position], dtype=bool)
                    if isinstance(allowed, range):
                        table[allowed.start:allowed.stop] = True
                    else:
                        table[sorted(allowed)] = True
                    table[-1] = possible
                    row.append((position, table))
                tests.append(row)
            vectors = np.zeros((len(self.all_rules), len(APPROACHES)), dtype=np.int64)
            for rule, position in enumerate(self._scoring_index):
                if position >= 0:
                    vectors[rule] = self.vectors[position]
            cached = (tests, vectors)
            self._arrays["possible" if possible else "tables"] = cached
        return cached

    def fire_arrays(self, columns: Sequence[Any], rules: Iterable[int] | None = None,
                    possible: bool = False) -> dict[int, Any]:
        """Per rule, where it fires, for columns of class codes (numpy arrays that broadcast).

        ``columns[i]`` holds the class codes of field ``fields[i]``; rules not
        listed in ``rules`` (all by default) are left out unless a listed rule
        needs their findings. With ``possible``, where each rule could still fire once
        the unknown fields are answered (as ``possible_rules``).
        """
        import numpy as np

        tests, _ = self.tables(possible)
        wanted = range(len(self.all_rules)) if rules is None else sorted(rules)
        needed = set(wanted)
        for rule in reversed(range(len(self.all_rules))):
            if rule in needed:
                for alternative in self.alternatives[self._first_bit[rule]:
                                                     self._first_bit[rule]
                                                     + len(self.all_rules[rule].disjuncts)]:
                    for need in alternative.needs:
                        needed.update(self._concluders().get(need, ()))
        findings: dict[str, Any] = {}
        fired: dict[int, Any] = {}
        for rule in sorted(needed):
            start = self._first_bit[rule]
            holds: Any = np.False_
            for offset in range(len(self.all_rules[rule].disjuncts)):
                here: Any = np.True_
                for position, table in tests[start + offset]:
                    here = here & table[columns[position]]
                for need in self.alternatives[start + offset].needs:
                    here = here & findings.get(need, np.False_)
                holds = holds | here
            fired[rule] = holds
            concludes = self.all_rules[rule].concludes
            if concludes is not None:
                findings[concludes] = findings.get(concludes, np.False_) | holds
        return fired

    def _concluders(self) -> dict[str, tuple[int, ...]]:
        cached = self._arrays.get("concluders")
        if cached is None:
            found: dict[str, list[int]] = {}
            for rule, compiled in enumerate(self.all_rules):
                if compiled.concludes is not None:
                    found.setdefault(compiled.concludes, []).append(rule)
            cached = {key: tuple(value) for key, value in found.items()}
            self._arrays["concluders"] = cached
        return cached

    def encode(self, rows: Sequence[Mapping[str, object]]) -> list[Any]:
        """Rows of facts as one column of class codes per field."""
        import numpy as np

        columns = []
        for position, name in enumerate(self.fields):
            cuts = self._cuts[position]
            if cuts is None:
                table = self._lookup[position]
                unknown = len(table)
                codes = np.fromiter(
                    (table.get(value, unknown) if isinstance(value, (str, bool)) else unknown
                     for value in (row.get(name) for row in rows)),
                    dtype=np.int64, count=len(rows))
            else:
                counts = np.fromiter(
                    (value if type(value) is int else 0
                     for value in (row.get(name) for row in rows)),
                    dtype=np.int64, count=len(rows))
                codes = np.searchsorted(np.asarray(cuts), counts, side="right") - 1
                codes[counts < 1] = len(cuts)
            columns.append(codes)
        return columns

    def score_rows(self, columns: Sequence[Any]) -> tuple[Any, Any]:
        """Scores (rows x approaches) and fired scoring rules (rows x rules, in ``rules``
        order) for columns of class codes of equal length."""
        import numpy as np

        _, vectors = self.tables()
        length = len(columns[0])
        scoring = [rule for rule, position in enumerate(self._scoring_index) if position >= 0]
        fired = self.fire_arrays(columns, scoring)
        matrix = np.zeros((length, len(scoring)), dtype=bool, order="F")
        for column, rule in enumerate(scoring):
            matrix[:, column] = fired[rule]
        weights = vectors[scoring]
        scores = np.zeros((length, len(APPROACHES)), dtype=np.int64)
        # A whole-number product: exact, and numpy runs it in its own loop rather than
        # on BLAS, whose worker threads keep spinning after each small product and take
        # the processor from the caller. Rules go in slices so that the copy stays small
        # however many rules there are.
        for start in range(0, len(scoring), _SLICE):
            part = matrix[:, start:start + _SLICE]
            scores += part.astype(np.int64) @ weights[start:start + _SLICE]
        return scores, matrix


SETTLE_TABLE_BUDGET = 4_000_000
"""Cells the settledness tables may hold (every group's combinations of answers, times
approaches squared); a rule set needing more is analysed completion by completion."""

_EXTENDED_CELLS = 65_536
"""Largest table a group gets for every combination of codes, unknown ones included."""

_KEPT_CELLS = 4_000_000
"""Cells of best-case tables (per group and pattern of unknown fields) kept for reuse."""


@dataclass(frozen=True)
class GapTables:
    """Per group of fields, the most each approach can gain on another by any answers.

    Rules fall into groups: two rules share a group when they read a common
    field (through findings too), so a group's points depend on its own fields
    alone, and the best case of a sum over groups is the sum of each group's
    best case. For every combination of answers to a group's fields,
    ``gaps[group][..., t, o]`` is approach ``o``'s score minus approach ``t``'s from
    the group's rules. Taking the most over a row's unknown fields, group by group,
    and summing gives exactly how far ``o`` can end up ahead of ``t``.
    """

    positions: tuple[tuple[int, ...], ...]
    """Per group, the positions (in ``ScoringPlan.fields``) of the fields it reads."""
    sizes: tuple[tuple[int, ...], ...]
    """Per group, the number of classes of each of its fields (a field's unknown code)."""
    gaps: tuple[Any, ...]
    """Per group, an array with one axis per field, then approaches ``t`` and ``o``."""
    _kept: dict[tuple[int, int], Any] = field(default_factory=dict, repr=False)
    _kept_cells: list[int] = field(default_factory=lambda: [0], repr=False)

    def best(self, group: int, pattern: int) -> Any:
        """(cells of the known fields, t, o): the group's best case when the fields in the
        bit ``pattern`` (bit i: the group's field i) are unknown; cells in C order."""
        found = self._kept.get((group, pattern))
        if found is None:
            axes = tuple(axis for axis in range(len(self.sizes[group])) if pattern >> axis & 1)
            table = self.gaps[group]
            found = table.max(axis=axes) if axes else table
            count = len(APPROACHES)
            found = found.reshape(-1, count, count)
            if self._kept_cells[0] + found.size <= _KEPT_CELLS:
                self._kept_cells[0] += found.size
                self._kept[(group, pattern)] = found
        return found

    def extended(self, group: int) -> Any | None:
        """(cells, t, o): the group's best case for every combination of codes, unknown
        ones included (C order over each field's classes plus one), or ``None`` when that
        would be larger than ``_EXTENDED_CELLS``."""
        key = (-(1 << 30), group)
        if key not in self._kept:
            import numpy as np

            count = len(APPROACHES)
            cells = count * count
            for size in self.sizes[group]:
                cells *= size + 1
            table = None
            if cells <= _EXTENDED_CELLS:
                table = self.gaps[group]
                for axis in range(len(self.sizes[group])):
                    table = np.concatenate(  # the unknown code: the best over every answer
                        [table, table.max(axis=axis, keepdims=True)], axis=axis)
                table = table.reshape(-1, count, count)
            self._kept[key] = table
        return self._kept[key]

    def best_lists(self, group: int, pattern: int) -> list[list[list[int]]]:
        """``best`` as Python lists, for one context at a time (kept while small)."""
        key = (-1 - group, pattern)
        found = self._kept.get(key)
        if found is None:
            table = self.best(group, pattern)
            found = table.tolist()
            if table.size <= 65_536 and self._kept_cells[0] + table.size <= _KEPT_CELLS:
                self._kept_cells[0] += table.size
                self._kept[key] = found
        return found  # type: ignore[no-any-return]

    def best_gains(self, codes: Any, tops: Any) -> Any:
        """(rows, approaches): the most each approach can end up ahead of the row's ``tops``
        over every completion, for a (rows, fields) matrix of class codes."""
        import numpy as np

        total = np.zeros((len(codes), len(APPROACHES)), dtype=np.int64)
        for group, (axes, sizes) in enumerate(zip(self.positions, self.sizes, strict=True)):
            if not axes:
                total += self.gaps[group][tops]
                continue
            sub = codes[:, axes]
            table = self.extended(group)
            if table is not None:
                strides = np.cumprod([1, *[size + 1 for size in reversed(sizes[1:])]])[::-1]
                total += table[sub @ strides, tops]
                continue
            blank = sub == np.asarray(sizes)
            patterns = blank.astype(np.int64) @ (1 << np.arange(len(axes), dtype=np.int64))
            for pattern in np.unique(patterns).tolist():
                rows = np.flatnonzero(patterns == pattern)
                cell = np.zeros(len(rows), dtype=np.int64)
                for axis, size in enumerate(sizes):
                    if not pattern >> axis & 1:
                        cell = cell * size + sub[rows, axis]
                total[rows] += self.best(group, pattern)[cell, tops[rows]]
        return total

    def gains_of(self, codes: Sequence[int], top: int) -> list[int]:
        """``best_gains`` for one row of class codes and its top approach."""
        gains = [0] * len(APPROACHES)
        for group, (axes, sizes) in enumerate(zip(self.positions, self.sizes, strict=True)):
            pattern = 0
            cell = 0
            for axis, position in enumerate(axes):
                code = codes[position]
                if code == sizes[axis]:
                    pattern |= 1 << axis
                else:
                    cell = cell * sizes[axis] + code
            row = (self.best_lists(group, pattern)[cell] if axes
                   else self.gaps[group].tolist())[top]
            for index, gain in enumerate(row):
                gains[index] += gain
        return gains


def gap_tables(plan: ScoringPlan) -> GapTables | None:
    """The settledness tables of a plan (built once), or ``None`` past
    ``SETTLE_TABLE_BUDGET`` (a rule set whose rules tie many fields together)."""
    cached = plan._arrays.get("gap_tables", False)
    if cached is False:
        cached = _build_gap_tables(plan)
        plan._arrays["gap_tables"] = cached
    return cached  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ScoreGroups:
    """The scoring rules split by the fields they read, so that groups never share one.

    Two rules share a group when they read a common field (through findings too), so
    each group's points depend on its own fields alone and a context's scores are the
    sum of its groups' points. The settledness tables (``GapTables``) and the analyses'
    parts (``_advice.analysis.Parts``) are both tables over these groups.
    """

    positions: tuple[tuple[int, ...], ...]
    """Per group, the positions (in ``ScoringPlan.fields``) of its fields, ascending."""
    rules: tuple[tuple[int, ...], ...]
    """Per group, its scoring rules (indices into ``ScoringPlan.all_rules``)."""
    constant: tuple[int, ...]
    """Scoring rules that read no answerable field."""


def score_groups(plan: ScoringPlan) -> ScoreGroups:
    """The plan's scoring rules grouped by the fields they read (built once per plan)."""
    cached = plan._arrays.get("score_groups")
    if cached is None:
        cached = _build_score_groups(plan)
        plan._arrays["score_groups"] = cached
    return cached


def _build_score_groups(plan: ScoringPlan) -> ScoreGroups:
    _, vectors = plan.tables()
    read: list[set[int]] = []  # per rule of all_rules, the answerable fields it reads
    concluders = plan._concluders()
    for rule, compiled in enumerate(plan.all_rules):
        fields = {position for alternative in plan.alternatives[
            plan._first_bit[rule]:plan._first_bit[rule] + len(compiled.disjuncts)]
            for position, _ in alternative.tests
            if plan.fields[position] in plan.classes}
        for conjunction in compiled.disjuncts:  # dependencies come first
            for finding in conjunction.findings:
                for source in concluders.get(finding, ()):
                    fields |= read[source]
        read.append(fields)
    parent = list(range(len(plan.fields)))

    def root(position: int) -> int:
        while parent[position] != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    scoring = [rule for rule in range(len(plan.all_rules))
               if plan._scoring_index[rule] >= 0 and vectors[rule].any()]
    for rule in scoring:
        first, *rest = sorted(read[rule]) or [-1]
        for other in rest:
            parent[root(other)] = root(first)
    groups: dict[int, list[int]] = {}
    constant: list[int] = []
    for rule in scoring:
        if read[rule]:
            groups.setdefault(root(min(read[rule])), []).append(rule)
        else:
            constant.append(rule)
    return ScoreGroups(
        tuple(tuple(sorted({p for rule in rules for p in read[rule]}))
              for rules in groups.values()),
        tuple(tuple(rules) for rules in groups.values()),
        tuple(constant))


def group_points(plan: ScoringPlan, positions: Sequence[int], rules: Iterable[int],
                 with_unknown: bool = False) -> Any:
    """The points ``rules`` give each approach for every combination of answers to the
    fields at ``positions``: one axis per field (sized its classes, plus one for the
    unknown answer ``with_unknown``), then approaches; every other field unknown."""
    import numpy as np

    _, vectors = plan.tables()
    unknown_codes = [len(bits) - 1 for bits in plan._field_bits]
    extra = 1 if with_unknown else 0
    sizes = [len(plan.classes[plan.fields[position]]) + extra for position in positions]
    columns: list[Any] = [np.int64(code) for code in unknown_codes]
    for axis, position in enumerate(positions):
        shape = [1] * len(positions)
        shape[axis] = sizes[axis]
        columns[position] = np.arange(sizes[axis], dtype=np.int64).reshape(shape)
    chosen = list(rules)
    fired = plan.fire_arrays(columns, chosen)
    points = np.zeros((*sizes, len(APPROACHES)), dtype=np.int64)
    for rule in chosen:
        points = points + np.asarray(fired[rule])[..., None] * vectors[rule]
    return points


def _build_gap_tables(plan: ScoringPlan) -> GapTables | None:
    groups = score_groups(plan)
    members = list(zip(groups.positions, groups.rules, strict=True))
    if groups.constant:
        members.append(((), groups.constant))
    count = len(APPROACHES)
    total = 0
    for axes, _ in members:
        cells = count * count
        for position in axes:
            cells *= len(plan.classes[plan.fields[position]])
        total += cells
        if total > SETTLE_TABLE_BUDGET:
            return None
    tables = []
    for axes, rules in members:
        points = group_points(plan, axes, rules)
        tables.append(points[..., None, :] - points[..., :, None])  # [..., t, o]: o minus t
    return GapTables(tuple(axes for axes, _ in members),
                     tuple(tuple(len(plan.classes[plan.fields[p]]) for p in axes)
                           for axes, _ in members),
                     tuple(tables))


def possible_rules(ordered: Sequence[CompiledRule], facts: Facts) -> frozenset[str]:
    """Rules (in dependency order) that could fire once the unknown fields are answered.

    A rule is possible when each test on a known field passes; tests on
    unknown fields could pass. Exact for single alternatives, and never
    misses a rule that can fire.
    """
    findings: set[str] = set()
    able: set[str] = set()
    for rule in ordered:
        if any(_could_hold(c.choices, c.ranges, c.findings, facts, findings)
               for c in rule.disjuncts):
            able.add(rule.id)
            if rule.concludes is not None:
                findings.add(rule.concludes)
    return frozenset(able)


def _could_hold(choices: Iterable[tuple[str, tuple[object, ...]]],
                ranges: Iterable[tuple[str, int, int]], needed: Iterable[str],
                facts: Facts, findings: set[str]) -> bool:
    for name, values in choices:
        value = facts.get(name)
        if value is not None and value not in values:
            return False
    for name, low, high in ranges:
        count = facts.get(name)
        if count is not None and not low <= int(count) <= high:
            return False
    return all(finding in findings for finding in needed)


def top_of(scores: Sequence[int]) -> int:
    """The index of the best approach; ties go to the first in ``Approach``."""
    best = 0
    for index in range(1, len(scores)):
        if scores[index] > scores[best]:
            best = index
    return best


def topological(rules: tuple[CompiledRule, ...]) -> tuple[CompiledRule, ...]:
    """The rules ordered so that every finding is concluded before it is used."""
    concluders: dict[str, list[CompiledRule]] = {}
    for rule in rules:
        if rule.concludes is not None:
            concluders.setdefault(rule.concludes, []).append(rule)
    placed: dict[str, None] = {}
    ordered: list[CompiledRule] = []
    for start in rules:  # iteratively, so that long chains cannot exhaust the stack
        stack: list[tuple[CompiledRule, bool]] = [(start, False)]
        while stack:
            rule, expanded = stack.pop()
            if expanded:
                ordered.append(rule)
                continue
            if rule.id in placed:
                continue
            placed[rule.id] = None
            stack.append((rule, True))
            sources = [source for conjunction in rule.disjuncts
                       for finding in conjunction.findings
                       for source in concluders.get(finding, ())]
            stack.extend((source, False) for source in reversed(sources))
    return tuple(ordered)


def _count_classes(rules: Iterable[CompiledRule], name: str) -> tuple[int, ...]:
    cuts = {1}
    for rule in rules:
        for conjunction in rule.disjuncts:
            for test_field, low, high in conjunction.ranges:
                if test_field == name:
                    cuts.add(low)
                    if high < MAX_SITES:
                        cuts.add(high + 1)
    return tuple(sorted(cut for cut in cuts if 1 <= cut <= MAX_SITES))


def build_plan(rules: RuleSet) -> ScoringPlan:
    """Compile a rule set's running rules into the core (see the module's notes)."""
    everything = topological(rules.compiled)
    scoring = tuple(rule for rule in everything if not rule.advises)
    fields = (*RULE_FIELDS, TOP_FIELD)
    cuts: list[tuple[int, ...] | None] = []
    lookup: list[dict[Value, int]] = []
    classes: dict[str, tuple[Value, ...]] = {}
    for name in fields:
        spec = RULE_FIELDS.get(name)
        if spec is not None and spec.kind == "count":
            counted = _count_classes(everything, name)
            cuts.append(counted)
            lookup.append({})
            classes[name] = counted
        else:
            values = values_of(name)
            cuts.append(None)
            lookup.append({value: index for index, value in enumerate(values)})
            if name != TOP_FIELD:
                classes[name] = values
    position_of = {name: position for position, name in enumerate(fields)}
    alternatives: list[_Alternative] = []
    first_bit: list[int] = []
    for rule_index, rule in enumerate(everything):
        first_bit.append(len(alternatives))
        for index, conjunction in enumerate(rule.disjuncts):
            tests: list[tuple[int, frozenset[int] | range]] = []
            for name, values in conjunction.choices:
                position = position_of[name]
                tests.append((position, frozenset(lookup[position][v] for v in values)))
            for name, low, high in conjunction.ranges:
                position = position_of[name]
                counted = cuts[position] or ()
                # Cuts include every bound, so the classes inside [low, high] are contiguous.
                first = bisect.bisect_left(counted, low)
                last = bisect.bisect_right(counted, high)
                tests.append((position, range(first, last)))
            alternatives.append(_Alternative(rule_index, index, tuple(tests),
                                             conjunction.findings))
    field_bits: list[tuple[int, ...]] = []
    for position in range(len(fields)):
        size = (len(cuts[position] or ()) if cuts[position] is not None
                else len(lookup[position])) + 1
        untested = 0
        chosen = [0] * size
        edges = [0] * (size + 1)  # counts: a bit switched on at a range's start, off after it
        for bit, alternative in enumerate(alternatives):
            allowed = next((a for p, a in alternative.tests if p == position), None)
            if allowed is None:
                untested |= 1 << bit
            elif isinstance(allowed, range):
                edges[allowed.start] ^= 1 << bit
                edges[allowed.stop] ^= 1 << bit
            else:
                for code in allowed:
                    chosen[code] |= 1 << bit
        per_class = []
        running = 0
        for code in range(size):
            running ^= edges[code]
            per_class.append(untested | chosen[code] | running)
        field_bits.append(tuple(per_class))
    chained = tuple(r for r, rule in enumerate(everything)
                    if any(c.findings for c in rule.disjuncts))
    free = 0
    for bit, alternative in enumerate(alternatives):
        if alternative.rule not in chained:
            free |= 1 << bit
    scoring_ids = {rule.id: index for index, rule in enumerate(scoring)}
    vectors = []
    for rule in scoring:
        vector = [0] * len(APPROACHES)
        for approach, points in rule.points:
            vector[_INDEX[approach]] += points
        vectors.append(tuple(vector))
    direct = {
        rule.id: {name for c in rule.disjuncts for name, _ in c.choices}
        | {name for c in rule.disjuncts for name, _, _ in c.ranges}
        for rule in scoring
    }
    concluders: dict[str, list[str]] = {}
    for rule in scoring:
        if rule.concludes is not None:
            concluders.setdefault(rule.concludes, []).append(rule.id)
    closure: dict[str, frozenset[str]] = {}
    for rule in scoring:  # dependencies come first
        names = set(direct[rule.id])
        for conjunction in rule.disjuncts:
            for finding in conjunction.findings:
                for source in concluders.get(finding, ()):
                    names |= closure[source]
        closure[rule.id] = frozenset(names)
    ceilings = tuple(
        sum(max(0, vector[index]) for vector in vectors) for index in range(len(APPROACHES))
    )
    return ScoringPlan(
        rules=scoring,
        vectors=tuple(vectors),
        classes=classes,
        fields_of=tuple(closure[rule.id] for rule in scoring),
        ceilings=ceilings,
        all_rules=everything,
        fields=fields,
        alternatives=tuple(alternatives),
        _field_bits=tuple(field_bits),
        _free_bits=free,
        _chained=chained,
        _first_bit=tuple(first_bit),
        _rule_of_bit=tuple(a.rule for a in alternatives),
        _lookup=tuple(lookup),
        _cuts=tuple(cuts),
        _scoring_index=tuple(scoring_ids.get(rule.id, -1) for rule in everything),
    )


def plan_for(rules: RuleSet) -> ScoringPlan:
    """The compiled core of a rule set, built on first use and kept with the rule set."""
    return rules.derived("scoring_plan", build_plan)
