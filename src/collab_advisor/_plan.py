"""A rule set prepared for fast, repeated scoring of many contexts.

Analyses such as score ranges, the next question and the path to another
approach score thousands of hypothetical contexts. They use this plan: the
compiled rules in an order where every finding is concluded before it is used
(findings are acyclic), so one pass gives the fixed point. Its semantics are
those of both engines (tests check all three agree).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._compile import CompiledRule
from ._context import MAX_SITES, Approach
from ._evaluation import Facts, first_holding
from ._fields import RULE_FIELDS
from ._ruleset import RuleSet

APPROACHES = tuple(Approach)
_INDEX = {approach: index for index, approach in enumerate(APPROACHES)}
Scores = tuple[int, ...]
"""Scores in the order of ``Approach``."""


@dataclass(frozen=True)
class ScoringPlan:
    """Rules in dependency order, their points as vectors, and each field's value classes."""

    rules: tuple[CompiledRule, ...]
    vectors: tuple[Scores, ...]
    """Per rule, its points for each approach (zeros for concluding rules)."""
    classes: dict[str, tuple[str | bool | int, ...]]
    """Per rule field, one representative value for each way rules can tell values apart."""
    fields_of: tuple[frozenset[str], ...]
    """Per rule, every field it depends on, through findings too."""
    ceilings: Scores
    """Per approach, the sum of every positive point the rules can give it."""

    def score(self, facts: Facts) -> tuple[Scores, frozenset[str]]:
        """Scores and fired rule ids for complete or partial facts (one pass)."""
        totals = [0] * len(APPROACHES)
        findings: set[str] = set()
        fired: set[str] = set()
        for rule, vector in zip(self.rules, self.vectors, strict=True):
            if first_holding(rule, facts, findings) is None:
                continue
            fired.add(rule.id)
            if rule.concludes is not None:
                findings.add(rule.concludes)
            for index, points in enumerate(vector):
                totals[index] += points
        return tuple(totals), frozenset(fired)

    def possible(self, facts: Facts) -> frozenset[str]:
        """Rules that fire for at least one way of answering the unknown fields."""
        return possible_rules(self.rules, facts)


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
    for field, values in choices:
        value = facts.get(field)
        if value is not None and value not in values:
            return False
    for field, low, high in ranges:
        count = facts.get(field)
        if count is not None and not low <= int(count) <= high:
            return False
    return all(finding in findings for finding in needed)


def top_of(scores: Scores) -> int:
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

    def place(rule: CompiledRule) -> None:
        if rule.id in placed:
            return
        placed[rule.id] = None
        for conjunction in rule.disjuncts:
            for finding in conjunction.findings:
                for source in concluders.get(finding, ()):
                    place(source)
        ordered.append(rule)

    for rule in rules:
        place(rule)
    return tuple(ordered)


def _count_classes(rules: tuple[CompiledRule, ...], field: str) -> tuple[int, ...]:
    cuts = {1}
    for rule in rules:
        for conjunction in rule.disjuncts:
            for name, low, high in conjunction.ranges:
                if name == field:
                    cuts.add(low)
                    if high < MAX_SITES:
                        cuts.add(high + 1)
    return tuple(sorted(cut for cut in cuts if 1 <= cut <= MAX_SITES))


@functools.lru_cache(maxsize=32)
def plan_for(rules: RuleSet) -> ScoringPlan:
    """The scoring plan of a rule set, built once per distinct rule content."""
    ordered = topological(tuple(rule for rule in rules.compiled if not rule.advises))
    vectors = []
    for rule in ordered:
        vector = [0] * len(APPROACHES)
        for approach, points in rule.points:
            vector[_INDEX[approach]] += points
        vectors.append(tuple(vector))
    classes: dict[str, tuple[str | bool | int, ...]] = {}
    for name, spec in RULE_FIELDS.items():
        classes[name] = _count_classes(ordered, name) if spec.kind == "count" else spec.values
    direct = {
        rule.id: {field for c in rule.disjuncts for field, _ in c.choices}
        | {field for c in rule.disjuncts for field, _, _ in c.ranges}
        for rule in ordered
    }
    concluders: dict[str, list[str]] = {}
    for rule in ordered:
        if rule.concludes is not None:
            concluders.setdefault(rule.concludes, []).append(rule.id)
    closure: dict[str, frozenset[str]] = {}
    for rule in ordered:  # dependencies come first
        fields = set(direct[rule.id])
        for conjunction in rule.disjuncts:
            for finding in conjunction.findings:
                for source in concluders.get(finding, ()):
                    fields |= closure[source]
        closure[rule.id] = frozenset(fields)
    ceilings = tuple(
        sum(max(0, vector[index]) for vector in vectors) for index in range(len(APPROACHES))
    )
    return ScoringPlan(
        rules=ordered,
        vectors=tuple(vectors),
        classes=classes,
        fields_of=tuple(closure[rule.id] for rule in ordered),
        ceilings=ceilings,
    )
