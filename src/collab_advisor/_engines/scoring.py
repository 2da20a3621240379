"""The compiled core's record: a rule set's rules in dependency order, their points as
vectors, each field's value classes and the bit sets and tables that score contexts.

``plan.py`` builds it (``plan_for``); this module holds what it is and how it scores.
Single contexts are scored with Python integers as bit sets (the plain-Python
engine); many contexts, or every completion of a partial context, are scored as numpy
arrays. Both give exactly the engines' semantics: a test on an unknown field never
holds, and a fired rule's alternative is the first that holds.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .._model.context import Approach
from .._rulebook.compile import CompiledRule
from .._rulebook.evaluation import Evaluation, Facts

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

APPROACHES = tuple(Approach)
INDEX = {approach: index for index, approach in enumerate(APPROACHES)}
Scores = tuple[int, ...]
"""Scores in the order of ``Approach``."""
Value = str | bool | int
_SLICE = 256
"""Rules per slice when many rows are scored at once."""
_T = TypeVar("_T")



@dataclass(frozen=True)
class Alternative:
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
    alternatives: tuple[Alternative, ...] = field(repr=False)
    field_bits: tuple[tuple[int, ...], ...] = field(repr=False)
    """Per field, per class (the last one: unknown), the alternatives it leaves possible."""
    free_bits: int = field(repr=False)
    """Alternatives of rules that need no finding: decided by the field bits alone."""
    chained: tuple[int, ...] = field(repr=False)
    """Rules (indices into ``all_rules``) with an alternative that needs a finding."""
    first_bit: tuple[int, ...] = field(repr=False)
    """Per rule, the bit of its first alternative."""
    rule_of_bit: tuple[int, ...] = field(repr=False)
    lookup: tuple[dict[Value, int], ...] = field(repr=False)
    cuts: tuple[tuple[int, ...] | None, ...] = field(repr=False)
    scoring_index: tuple[int, ...] = field(repr=False)
    """Per rule of ``all_rules``, its index in ``rules`` (-1 for advice rules)."""
    _arrays: dict[str, Any] = field(default_factory=dict, repr=False)
    """What is derived from the plan once and kept with it, by name (see ``kept``)."""

    # -- what is derived once and kept with the plan -----------------------------------

    def kept(self, name: str, build: Callable[[], _T]) -> _T:
        """The value kept under ``name``, built by ``build()`` on first use (no lock: two
        threads may both build it, and either result is kept; each is the same)."""
        try:
            return self._arrays[name]  # type: ignore[no-any-return]
        except KeyError:
            value = build()
            self._arrays[name] = value
            return value

    def keep(self, name: str, value: object) -> None:
        """Keep ``value`` under ``name``, in place of whatever ``kept`` would build."""
        self._arrays[name] = value

    # -- one context, with Python integers as bit sets ---------------------------------

    def code(self, position: int, value: object) -> int:
        """The class index of a value of the field at ``position`` (unknown: the last)."""
        cuts = self.cuts[position]
        if cuts is not None:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                return bisect.bisect_right(cuts, value) - 1
            return len(cuts)
        table = self.lookup[position]
        found = table.get(value) if isinstance(value, (str, bool, int)) else None
        return len(table) if found is None else found

    def codes_of(self, facts: Mapping[str, object]) -> list[int]:
        """The class index of every field of ``facts`` (as ``code``), in ``fields`` order."""
        out = []
        for position, name in enumerate(self.fields):
            value = facts.get(name)
            if self.cuts[position] is None and (type(value) is str or type(value) is bool):
                table = self.lookup[position]
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
                possible &= self.field_bits[position][self.code(position, value)]
        fired: dict[int, int] = {}
        findings: set[str] = set()
        rules = self.all_rules
        rule_of, first = self.rule_of_bit, self.first_bit
        free = possible & self.free_bits
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
        for rule in self.chained:
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
            for position, lookup in enumerate(self.lookup):
                if self.cuts[position] is not None:
                    built.append(None)
                    continue
                bits = self.field_bits[position]
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
            position = self.scoring_index[rule]
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
        rules, index = self.all_rules, self.scoring_index
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

            sizes = [len(bits) for bits in self.field_bits]
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
            for rule, position in enumerate(self.scoring_index):
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
                for alternative in self.alternatives[self.first_bit[rule]:
                                                     self.first_bit[rule]
                                                     + len(self.all_rules[rule].disjuncts)]:
                    for need in alternative.needs:
                        needed.update(self.concluders().get(need, ()))
        findings: dict[str, Any] = {}
        fired: dict[int, Any] = {}
        for rule in sorted(needed):
            start = self.first_bit[rule]
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

    def concluders(self) -> dict[str, tuple[int, ...]]:
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
            cuts = self.cuts[position]
            if cuts is None:
                table = self.lookup[position]
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
        scoring = [rule for rule, position in enumerate(self.scoring_index) if position >= 0]
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
