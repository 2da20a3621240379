"""What an engine is: anything that evaluates a rule set against facts.

Kept apart from ``evaluation`` (what an engine reports), which the rule set itself uses,
so that neither module imports the other.
"""

from __future__ import annotations

from typing import Protocol

from .evaluation import EngineName, Evaluation, Facts
from .ruleset import RuleSet


class Engine(Protocol):
    """Evaluates compiled rules against facts; both engines give identical results."""

    name: EngineName

    def evaluate(self, rules: RuleSet, facts: Facts) -> Evaluation:
        """Run the rules to a fixed point over the facts."""
        ...
