"""Turning validated rule conditions into the form both engines run.

Each condition becomes a disjunction of *conjunctions*; a conjunction lists,
per field, the values (or the range of counts) that satisfy it, plus the
findings it needs. Negation is pushed down to the tests, where "not equal to
X" becomes "one of the other values": a test on an unknown field is never
true, negated or not. This three-valued reading makes every rule monotone:
learning more about a context can make a rule fire, never stop it firing.
Both engines run this one compiled form, so they agree by construction on
what a condition means.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from .._model.context import MAX_SITES, Approach
from .._model.fields import RULE_FIELDS
from .format import AllOf, Condition, FieldTest, FindingRef, Not, Rule, TopTest

TOP_FIELD = "top_approach"
"""The fact advice rules test with ``top``: the approach ranked first."""


@functools.cache
def values_of(field: str) -> tuple[Value, ...]:
    """Every value a compiled test on this field can name, in declaration order."""
    if field == TOP_FIELD:
        return tuple(approach.value for approach in Approach)
    return RULE_FIELDS[field].values

MAX_DISJUNCTS = 256
"""A condition whose expansion needs more alternatives than this is refused."""

MAX_SET_EXPANSION = 200_000
"""Rules whose expansions together count more alternatives than this are refused at load
(before any is compiled): each rule's own limit bounds one rule, this bounds the set."""

Value = str | bool


@dataclass(frozen=True)
class Conjunction:
    """One way a condition can be met: every entry here must hold at once."""

    choices: tuple[tuple[str, tuple[Value, ...]], ...] = ()
    """(field, allowed values) pairs, fields sorted by name."""
    ranges: tuple[tuple[str, int, int], ...] = ()
    """(field, lowest, highest) inclusive ranges of counts, fields sorted by name."""
    findings: tuple[str, ...] = ()
    """Findings that must have been established, sorted."""

    def to_json(self) -> dict[str, object]:
        """A JSON-normal form, for fingerprints and for reading."""
        return {
            "choices": {field: list(values) for field, values in self.choices},
            "ranges": {field: [low, high] for field, low, high in self.ranges},
            "findings": list(self.findings),
        }


def fields_read(conjunctions: Sequence[Conjunction]) -> set[str]:
    """The fields any of ``conjunctions`` tests (its choices and ranges)."""
    return ({name for c in conjunctions for name, _ in c.choices}
            | {name for c in conjunctions for name, _, _ in c.ranges})


@dataclass(frozen=True)
class CompiledRule:
    """A rule as the engines see it."""

    id: str
    disjuncts: tuple[Conjunction, ...]
    concludes: str | None
    points: tuple[tuple[Approach, int], ...]
    advises: bool = False
    """Whether this is an advice rule (run after ranking, with the top approach known)."""

    def to_json(self) -> dict[str, object]:
        """A JSON-normal form, for fingerprints and for reading."""
        return {
            "id": self.id,
            "when": [conjunction.to_json() for conjunction in self.disjuncts],
            "concludes": self.concludes,
            "points": {approach.value: points for approach, points in self.points},
            "advises": self.advises,
        }


class ConditionTooComplexError(ValueError):
    """The condition expands into more than ``MAX_DISJUNCTS`` alternatives."""


class _Builder:
    """A mutable conjunction used while expanding; ``None`` fields mean unconstrained."""

    __slots__ = ("choices", "findings", "ranges")

    def __init__(self) -> None:
        self.choices: dict[str, frozenset[Value]] = {}
        self.ranges: dict[str, tuple[int, int]] = {}
        self.findings: frozenset[str] = frozenset()

    def merged(self, other: _Builder) -> _Builder | None:
        """Both at once, or ``None`` when they contradict each other."""
        out = _Builder()
        out.choices = dict(self.choices)
        for field, values in other.choices.items():
            both = out.choices.get(field, values) & values
            if not both:
                return None
            out.choices[field] = both
        out.ranges = dict(self.ranges)
        for field, (low, high) in other.ranges.items():
            old_low, old_high = out.ranges.get(field, (low, high))
            new = (max(low, old_low), min(high, old_high))
            if new[0] > new[1]:
                return None
            out.ranges[field] = new
        out.findings = self.findings | other.findings
        return out

    def freeze(self) -> Conjunction:
        order = {field: values_of(field) for field in self.choices}
        return Conjunction(
            choices=tuple(
                (field, tuple(v for v in order[field] if v in self.choices[field]))
                for field in sorted(self.choices)
            ),
            ranges=tuple(
                (field, *self.ranges[field]) for field in sorted(self.ranges)
            ),
            findings=tuple(sorted(self.findings)),
        )


def _choice(field: str, values: frozenset[Value]) -> list[_Builder]:
    if not values:
        return []
    builder = _Builder()
    builder.choices[field] = values
    return [builder]


def _range(field: str, low: int, high: int) -> list[_Builder]:
    low, high = max(low, 1), min(high, MAX_SITES)
    if low > high:
        return []
    builder = _Builder()
    builder.ranges[field] = (low, high)
    return [builder]


def _field_test(test: FieldTest, negated: bool) -> list[_Builder]:
    spec = RULE_FIELDS[test.field]
    operator, operand = test.operator, test.operand
    if spec.kind == "count":
        bounds = {
            "equals": (operand, operand),
            "gt": (operand + 1, MAX_SITES),
            "gte": (operand, MAX_SITES),
            "lt": (1, operand - 1),
            "lte": (1, operand),
        }[operator]
        if not negated:
            return _range(test.field, *bounds)
        # Outside [low, high]: below it or above it, for a known count.
        return _range(test.field, 1, bounds[0] - 1) + _range(test.field, bounds[1] + 1, MAX_SITES)
    chosen = frozenset(operand if operator == "in" else [operand])
    if negated:
        chosen = frozenset(spec.values) - chosen
    return _choice(test.field, chosen)


def _too_complex() -> ConditionTooComplexError:
    return ConditionTooComplexError(
        f"the condition expands into more than {MAX_DISJUNCTS} alternatives; "
        "split it into several rules or findings")


def _product(parts: list[list[_Builder]]) -> list[_Builder]:
    result = [_Builder()]
    expansion = 1
    for alternatives in parts:
        # The whole expansion is counted before contradictions are discarded, so that the
        # work is bounded up front however many alternatives would cancel out.
        expansion *= max(1, len(alternatives))
        if expansion > MAX_DISJUNCTS:
            raise _too_complex()
        combined: list[_Builder] = []
        for left in result:
            for right in alternatives:
                merged = left.merged(right)
                if merged is not None:
                    combined.append(merged)
        result = combined
    return result


def _expand(condition: Condition, negated: bool) -> list[_Builder]:
    if isinstance(condition, FieldTest):
        return _field_test(condition, negated)
    if isinstance(condition, TopTest):
        chosen: frozenset[Value] = frozenset(approach.value for approach in condition.approaches)
        if negated:
            chosen = frozenset(values_of(TOP_FIELD)) - chosen
        return _choice(TOP_FIELD, chosen)
    if isinstance(condition, FindingRef):
        if negated:  # the loader reports this with a location first
            raise ValueError("a finding cannot be used under 'not'")
        builder = _Builder()
        builder.findings = frozenset([condition.finding])
        return [builder]
    if isinstance(condition, Not):
        return _expand(condition.not_, not negated)
    children = condition.all if isinstance(condition, AllOf) else condition.any
    conjunctive = isinstance(condition, AllOf) != negated
    if len(children) > MAX_DISJUNCTS and not conjunctive:
        raise _too_complex()
    expanded = []
    total = 0
    for child in children:
        alternatives = _expand(child, negated)
        total += len(alternatives)
        if not conjunctive and total > MAX_DISJUNCTS:
            raise _too_complex()
        expanded.append(alternatives)
    if conjunctive:
        return _product(expanded)
    return [builder for alternatives in expanded for builder in alternatives]


def expansion_of(condition: Condition, negated: bool = False) -> int:
    """How many alternatives compiling the condition works through, counted as ``_expand``
    counts them, before any contradiction or duplicate is discarded; any count above
    ``MAX_DISJUNCTS`` is given as ``MAX_DISJUNCTS + 1`` (such a condition is refused).

    Counting needs no alternatives built, so a rule set's whole compile can be
    budgeted before any rule is compiled.
    """
    over = MAX_DISJUNCTS + 1
    if isinstance(condition, FieldTest):
        return len(_field_test(condition, negated))
    if isinstance(condition, (TopTest, FindingRef)):
        return 1
    if isinstance(condition, Not):
        return expansion_of(condition.not_, not negated)
    children = condition.all if isinstance(condition, AllOf) else condition.any
    conjunctive = isinstance(condition, AllOf) != negated
    total = 1 if conjunctive else 0
    for child in children:
        count = expansion_of(child, negated)
        total = total * max(1, count) if conjunctive else total + count
        if total > MAX_DISJUNCTS:
            return over
    return total


def compile_condition(condition: Condition) -> tuple[Conjunction, ...]:
    """The condition as alternatives, duplicates removed, in a stable order.

    An empty result means the condition can never be true.
    """
    seen: dict[Conjunction, None] = {}
    for builder in _expand(condition, negated=False):
        seen.setdefault(builder.freeze(), None)
    return tuple(seen)


def compile_rule(rule: Rule) -> CompiledRule:
    points = tuple((effect.approach, effect.points) for effect in rule.score or ())
    condition = rule.when
    if rule.advise is not None:
        # Advice waits for the ranking: it runs only once the top approach is a fact.
        condition = AllOf(all=[condition, TopTest(top=list(Approach))])
    return CompiledRule(rule.id, compile_condition(condition), rule.concludes, points,
                        advises=rule.advise is not None)
