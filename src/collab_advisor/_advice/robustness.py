"""How robust first place is: the fewest changed answers that hand it to the runner-up."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .._model.context import Approach
from .._model.wording import join_words
from .._result.record import Recommendation
from .._rulebook.ruleset import RuleSet
from .counterfactual import MAX_PATH_CHANGES, Change, answers_words, path_to, with_answers

_FROZEN = ConfigDict(frozen=True)


class Robustness(BaseModel):
    """The fewest changed answers (an unknown answered counts as a change) that would put
    the runner-up first, searched up to ``MAX_PATH_CHANGES``.

    The message speaks of answers, never of changes to make: "This ranking turns on
    your answer about control: with this answer (...), X would come first".
    """

    model_config = _FROZEN

    runner_up: Approach
    """The approach ranked second."""
    changes_needed: int | None
    """How many answers must change; ``None`` when more than ``MAX_PATH_CHANGES``; 0 on a
    tie that stands (the runner-up already shares first place)."""
    changes: tuple[Change, ...]
    """One smallest set of changes that does it (empty when none was found)."""
    message: str
    """The statement in plain words, about answers, not actions."""


def robustness_of(rec: Recommendation, rules: RuleSet | None = None) -> Robustness:
    """The robustness statement for a recommendation, from ``path_to(rec, runner_up)``."""
    runner_up = rec.ranking[1]
    if rec.is_tie:
        names = join_words([rec.ranked(a).name for a in rec.tied_for_first])
        return Robustness(
            runner_up=runner_up.approach, changes_needed=0, changes=(),
            message=f"Tied: {names} already share first place (after the stated "
            "tie-break), so no approach holds it alone; robustness applies to a clear "
            "first place.")
    path = path_to(rec, rules, runner_up.approach, with_result=False)
    top = rec.top.name
    if not path.found:
        return Robustness(
            runner_up=runner_up.approach, changes_needed=None, changes=(),
            message=f"This ranking does not turn on any {MAX_PATH_CHANGES} or fewer of your "
            f"answers: no other answers to that many questions would put {runner_up.name} "
            f"(the runner-up) ahead of {top}.")
    count = len(path.changes)
    answers = "answer" if count == 1 else "answers"
    worded = with_answers(path.changes, f"{runner_up.name} (the runner-up)")
    return Robustness(
        runner_up=runner_up.approach, changes_needed=count, changes=path.changes,
        message=f"This ranking turns on your {answers} about {answers_words(path.changes)}: "
        f"{worded} instead of {top}.")
