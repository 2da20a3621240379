"""The plain-Python engine: forward chaining to a fixed point.

It runs the same compiled rules as the durable-rules engine, so it is both the
oracle of the differential tests and the engine used where durable-rules
cannot be installed (Python 3.13 and later).
"""

from __future__ import annotations

from ._evaluation import EngineName, Evaluation, Facts, first_holding
from ._ruleset import RuleSet


class PythonEngine:
    """Evaluates rules in plain Python; thread-safe, as it keeps no state."""

    name: EngineName = "python"

    def evaluate(self, rules: RuleSet, facts: Facts) -> Evaluation:
        """Fire rules until nothing new is established.

        Findings are only ever used positively, so the fixed point is unique:
        the order in which rules are tried cannot change the outcome.
        """
        findings: set[str] = set()
        changed = True
        while changed:
            changed = False
            for rule in rules.compiled:
                if rule.concludes is None or rule.concludes in findings:
                    continue
                if first_holding(rule, facts, findings) is not None:
                    findings.add(rule.concludes)
                    changed = True
        fired: dict[str, int] = {}
        for rule in rules.compiled:
            index = first_holding(rule, facts, findings)
            if index is not None:
                fired[rule.id] = index
        return Evaluation(fired, frozenset(findings))
