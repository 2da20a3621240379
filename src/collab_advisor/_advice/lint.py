"""Lints for a valid rule set: rules that can never fire, approaches that can never
win, findings nothing uses or concludes."""

from __future__ import annotations

import random

from .._engines.plan import APPROACHES, plan_for, possible_rules, top_of, topological
from .._model.context import Approach
from .._rulebook.ruleset import RuleSet

SEARCH_STARTS = 12
"""Random starting contexts per approach when looking for a context where it wins."""


def lint(rules: RuleSet) -> list[str]:
    """Every lint problem, each a line naming the file and line where it can be fixed."""
    problems: list[str] = []
    never = possible_rules(topological(rules.compiled), {})
    for compiled in rules.compiled:
        if compiled.id not in never:
            problems.append(f"{rules.locations[compiled.id]}, rule '{compiled.id}': can never "
                            "fire (it needs a finding that no rule can establish)")
    used = {f for rule in rules.compiled for c in rule.disjuncts for f in c.findings}
    concluded = {rule.concludes for rule in rules.compiled if rule.concludes}
    for finding in sorted(rules.findings):
        if finding not in used:
            problems.append(f"finding '{finding}': declared but no rule uses it")
        if finding not in concluded:
            problems.append(f"finding '{finding}': declared but no rule concludes it")
    for approach in Approach:
        if not can_win(rules, approach):
            problems.append(f"approach '{approach.value}': no context was found where it "
                            f"ranks first ({SEARCH_STARTS} searches from random contexts)")
    return problems


def can_win(rules: RuleSet, approach: Approach) -> bool:
    """Whether a hill-climbing search finds a complete context where ``approach`` ranks first."""
    plan = plan_for(rules)
    target = APPROACHES.index(approach)
    rng = random.Random(approach.value)  # noqa: S311 - a reproducible search, not a secret
    fields = list(plan.classes)

    def lead(facts: dict[str, str | bool | int]) -> tuple[int, int]:
        scores, _ = plan.score(facts)
        others = max(s for i, s in enumerate(scores) if i != target)
        return (1 if top_of(scores) == target else 0, scores[target] - others)

    for _ in range(SEARCH_STARTS):
        facts = {field: rng.choice(plan.classes[field]) for field in fields}
        best = lead(facts)
        improved = True
        while improved and best[0] == 0:
            improved = False
            for field in fields:
                for value in plan.classes[field]:
                    trial = {**facts, field: value}
                    score = lead(trial)
                    if score > best:
                        facts, best, improved = trial, score, True
        if best[0] == 1:
            return True
    return False
