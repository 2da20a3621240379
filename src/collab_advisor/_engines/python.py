"""The plain-Python engine: the compiled core's bit-set evaluation.

It runs the same compiled rules as the durable-rules engine (built by
``_engines.plan``, scored by ``_engines.scoring``), so it is both the oracle of the
differential tests and the engine used where durable-rules cannot be installed
(Python 3.13 and later).
"""

from __future__ import annotations

from .._rulebook.evaluation import EngineName, Evaluation, Facts
from .._rulebook.ruleset import RuleSet
from .plan import plan_for


class PythonEngine:
    """Evaluates rules in plain Python; thread-safe, as it keeps no state."""

    name: EngineName = "python"

    def evaluate(self, rules: RuleSet, facts: Facts) -> Evaluation:
        """Fire rules in dependency order (findings before their use): the fixed point.

        Findings are only ever used positively, so the fixed point is unique:
        the order in which rules are tried cannot change the outcome.
        """
        return plan_for(rules).evaluate(facts)
