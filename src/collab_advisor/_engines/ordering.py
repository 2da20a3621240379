"""Rule order and first place, shared by the engines and the analyses: rules in
dependency order, the rules that could still fire, and the index of the top score."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .._rulebook.compile import CompiledRule
from .._rulebook.evaluation import Facts


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

