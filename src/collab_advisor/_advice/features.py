"""Whether a first place reads as advice: the top approach's defining features.

Each approach's defining features are declared in the rule files (see
``rules/PRINCIPLES.md``). A ranking always has a first place, if only by the
documented tie-break; that first place is advice only when at least one of the
approach's own defining features holds for what is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._engines.plan import APPROACHES, ScoringPlan
from .._model.context import MAX_SITES, Approach
from .._rulebook.compile import compile_condition
from .._rulebook.evaluation import Facts
from .._rulebook.format import DefiningFeature
from .._rulebook.ruleset import RuleSet

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


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


# -- many contexts at once, as numpy arrays ---------------------------------------------


def feature_rows(rules: RuleSet, plan: ScoringPlan,
                 columns: Sequence[Any]) -> dict[str, npt.NDArray[np.bool_]]:
    """Per defining feature id, where it holds, for columns of class codes.

    ``columns`` are as ``ScoringPlan.encode`` gives them (one array of class
    codes per field of ``plan.fields``). Features are compiled like rules: a
    test on an unknown field never holds. A test on a count holds for a class
    when it holds for every count in that class (exact where the feature's
    bounds fall on the plan's class boundaries, as the rules' do).
    """
    import numpy as np

    position_of = {name: position for position, name in enumerate(plan.fields)}
    length = len(columns[0])
    out: dict[str, npt.NDArray[np.bool_]] = {}
    for feature in rules.defining_features:
        holds = np.zeros(length, dtype=bool)
        for conjunction in compile_condition(feature.when):
            here = np.ones(length, dtype=bool)
            for name, values in conjunction.choices:
                classes = plan.classes[name]
                table = np.array([any(type(c) is type(v) and c == v for v in values)
                                  for c in classes] + [False])
                here &= table[columns[position_of[name]]]
            for name, low, high in conjunction.ranges:
                here &= _range_table(plan.classes[name], low, high)[columns[position_of[name]]]
            holds |= here
        out[feature.id] = holds
    return out


def _range_table(cuts: Sequence[str | bool | int], low: int,
                 high: int) -> npt.NDArray[np.bool_]:
    import numpy as np

    starts = [int(cut) for cut in cuts]
    table = [low <= start and (high >= MAX_SITES if index + 1 == len(starts)
                               else starts[index + 1] - 1 <= high)
             for index, start in enumerate(starts)]
    return np.array([*table, False])


def advice_rows(rules: RuleSet, plan: ScoringPlan, columns: Sequence[Any],
                scores: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Per row, ``reads_as_advice`` for the top approach (ties to the first in ``Approach``).

    ``scores`` are the rows' scores (rows x approaches, as ``ScoringPlan.score_rows``
    gives them) for the same ``columns``.
    """
    import numpy as np

    tops = scores.argmax(axis=1)
    holding = feature_rows(rules, plan, columns)
    advice = np.zeros(len(tops), dtype=bool)
    for index, approach in enumerate(APPROACHES):
        mine = tops == index
        features = rules.features_of(approach)
        if not features:
            advice[mine] = scores[mine, index] > 0
            continue
        any_holds = np.zeros(len(tops), dtype=bool)
        for feature in features:
            any_holds |= holding[feature.id]
        advice[mine] = any_holds[mine]
    return advice
