"""The settledness tables: per group of fields, the most each approach can gain on
another by any answers, so that whether first place can change is a sum of lookups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._engines.plan import APPROACHES, ScoringPlan
from .groups import group_points, score_groups

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
    return plan.kept("gap_tables", lambda: _build_gap_tables(plan))


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
