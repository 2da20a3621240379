"""The scoring rules in groups that share no field: a context's scores are a sum over
the groups, so every exact analysis can work group by group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._engines.plan import APPROACHES, ScoringPlan


@dataclass(frozen=True)
class ScoreGroups:
    """The scoring rules split by the fields they read, so that groups never share one.

    Two rules share a group when they read a common field (through findings too), so
    each group's points depend on its own fields alone and a context's scores are the
    sum of its groups' points. The settledness tables (``GapTables``) and the analyses'
    parts (``_advice.parts.Parts``) are both tables over these groups.
    """

    positions: tuple[tuple[int, ...], ...]
    """Per group, the positions (in ``ScoringPlan.fields``) of its fields, ascending."""
    rules: tuple[tuple[int, ...], ...]
    """Per group, its scoring rules (indices into ``ScoringPlan.all_rules``)."""
    constant: tuple[int, ...]
    """Scoring rules that read no answerable field."""


def score_groups(plan: ScoringPlan) -> ScoreGroups:
    """The plan's scoring rules grouped by the fields they read (built once per plan)."""
    return plan.kept("score_groups", lambda: _build_score_groups(plan))


def _build_score_groups(plan: ScoringPlan) -> ScoreGroups:
    _, vectors = plan.tables()
    read: list[set[int]] = []  # per rule of all_rules, the answerable fields it reads
    concluders = plan.concluders()
    for rule, compiled in enumerate(plan.all_rules):
        fields = {position for alternative in plan.alternatives[
            plan.first_bit[rule]:plan.first_bit[rule] + len(compiled.disjuncts)]
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
               if plan.scoring_index[rule] >= 0 and vectors[rule].any()]
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
    unknown_codes = [len(bits) - 1 for bits in plan.field_bits]
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
