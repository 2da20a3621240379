"""What an engine reports after evaluating a context: the common ground of both engines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .compile import CompiledRule, Conjunction

EngineName = Literal["durable", "python"]
Facts = dict[str, str | bool | int]
"""A context's known rule fields as JSON-normal values (no ``None``, no free text)."""


@dataclass(frozen=True)
class Evaluation:
    """Which rules fired and which findings were established.

    ``fired`` maps each fired rule's id to the index of the first of its
    alternatives (``CompiledRule.disjuncts``) that holds; explanations trace
    findings through that alternative.
    """

    fired: dict[str, int]
    findings: frozenset[str]


def holds(conjunction: Conjunction, facts: Facts, findings: frozenset[str] | set[str]) -> bool:
    """Whether every test in the conjunction holds; unknown fields never satisfy a test."""
    for field, values in conjunction.choices:
        value = facts.get(field)
        if value is None or value not in values:
            return False
    for field, low, high in conjunction.ranges:
        count = facts.get(field)
        if not isinstance(count, int) or isinstance(count, bool) or not low <= count <= high:
            return False
    return all(finding in findings for finding in conjunction.findings)


def first_holding(
    rule: CompiledRule, facts: Facts, findings: frozenset[str] | set[str]
) -> int | None:
    """The index of the first alternative of the rule that holds, if any."""
    for index, conjunction in enumerate(rule.disjuncts):
        if holds(conjunction, facts, findings):
            return index
    return None
