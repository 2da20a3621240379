"""Whether a first place reads as advice: the top approach's defining features.

Each approach's defining features are declared in the rule files (see
``rules/PRINCIPLES.md``). A ranking always has a first place, if only by the
documented tie-break; that first place is advice only when at least one of the
approach's own defining features holds for what is known.
"""

from __future__ import annotations

from ._context import Approach
from ._evaluation import Facts
from ._ruleformat import DefiningFeature
from ._ruleset import RuleSet


def reads_as_advice(rules: RuleSet, approach: Approach, facts: Facts, score: int) -> bool:
    """Whether ``approach`` ranking first is advice rather than a placeholder.

    With defining features declared for the approach: at least one of them holds.
    A rule set that declares none for it falls back to a positive score.
    """
    if not rules.features_of(approach):
        return score > 0
    return bool(rules.features_holding(approach, facts))


def holding_features(rules: RuleSet, approach: Approach,
                     facts: Facts) -> tuple[DefiningFeature, ...]:
    """The approach's defining features that hold for the known facts."""
    return rules.features_holding(approach, facts)
