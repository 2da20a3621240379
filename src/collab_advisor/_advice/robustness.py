"""How robust first place is: the fewest changed answers that hand it to the runner-up."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .._model.context import Approach
from .._model.wording import join_words
from .._result.record import Recommendation
from .._rulebook.ruleset import RuleSet
from .counterfactual import MAX_PATH_CHANGES, Change, path_to

_FROZEN = ConfigDict(frozen=True)


class Robustness(BaseModel):
    """The fewest changed answers (an unknown answered counts as a change) that would put
    the runner-up first, searched up to ``MAX_PATH_CHANGES``.

    The message names it: one change is fragile, two fairly robust, three robust, and
    none within three very robust.
    """

    model_config = _FROZEN

    runner_up: Approach
    changes_needed: int | None
    """How many answers must change; ``None`` when more than ``MAX_PATH_CHANGES``."""
    changes: tuple[Change, ...]
    """One smallest set of changes that does it (empty when none was found)."""
    message: str


def robustness_of(rec: Recommendation, rules: RuleSet | None = None) -> Robustness:
    """The robustness statement for a recommendation, from ``path_to(rec, runner_up)``."""
    runner_up = rec.ranking[1]
    path = path_to(rec, rules, runner_up.approach, with_result=False)
    top = rec.top.name
    if not path.found:
        return Robustness(
            runner_up=runner_up.approach, changes_needed=None, changes=(),
            message=f"Very robust: no {MAX_PATH_CHANGES} or fewer changed answers would put "
            f"{runner_up.name} (the runner-up) ahead of {top}.")
    count = len(path.changes)
    described = join_words([change.describe() for change in path.changes])
    answers = "answer" if count == 1 else "answers"
    verdict = "Fragile" if count == 1 else "Fairly robust" if count == 2 else "Robust"
    return Robustness(
        runner_up=runner_up.approach, changes_needed=count, changes=path.changes,
        message=f"{verdict}: {count} changed {answers} would put {runner_up.name} (the "
        f"runner-up) first instead of {top} ({described}).")
