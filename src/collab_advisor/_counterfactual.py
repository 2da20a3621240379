"""What-if: the advice under changed answers, and the fewest changes that favour an approach."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from ._context import Approach, Context
from ._fields import RULE_FIELDS
from ._plan import APPROACHES, plan_for, top_of
from ._printable import printable
from ._ruleset import RuleSet
from ._wording import describe_value, field_label, join_words

if TYPE_CHECKING:
    from ._recommend import Recommendation

_FROZEN = ConfigDict(frozen=True)
MAX_PATH_CHANGES = 3

Value = str | bool | int


class Change(BaseModel):
    """One field's answer before and after (``None``: not known)."""

    model_config = _FROZEN

    field: str
    before: Value | None
    after: Value | None

    def describe(self) -> str:
        """'time span: open ended -> fixed term'."""
        def show(value: Value | None) -> str:
            return "not known" if value is None else describe_value(self.field, value)
        return f"{field_label(self.field)}: {show(self.before)} -> {show(self.after)}"


class WhatIf(BaseModel):
    """The advice after changing some answers, and what changed."""

    model_config = _FROZEN

    changes: tuple[Change, ...]
    recommendation: Recommendation
    top_changed: bool
    score_changes: dict[Approach, int]
    """Each approach's score after minus before."""

    def explain(self) -> str:
        """The change in plain words."""
        what = "; ".join(change.describe() for change in self.changes) or "no change"
        top = self.recommendation.top.name
        verdict = (f"the best fit becomes {top}" if self.top_changed
                   else f"{top} still ranks first")
        moves = [f"{a.display_name} {d:+d}" for a, d in self.score_changes.items() if d]
        return printable(f"If {what}: {verdict}"
                         + (f" ({', '.join(moves)})." if moves else "."))


class PathTo(BaseModel):
    """The fewest answer changes that make an approach rank first, if three or fewer do."""

    model_config = _FROZEN

    approach: Approach
    found: bool
    changes: tuple[Change, ...]
    recommendation: Recommendation | None
    """The advice after the changes (``None`` when no path was found)."""
    message: str


def what_if(rec: Recommendation, rules: RuleSet, changes: dict[str, Any]) -> WhatIf:
    """Re-run the advice with some fields changed (``None`` makes a field unknown)."""
    from ._recommend import recommend

    known = rec.context.model_dump(mode="json")
    updated = Context.model_validate({**known, **changes})
    after = recommend(updated, rules=rules, engine=rec.engine)
    new_known = updated.model_dump(mode="json")
    listed = tuple(
        Change(field=name, before=known.get(name), after=new_known.get(name))
        for name in changes if known.get(name) != new_known.get(name)
    )
    deltas = {a: after.score_of(a) - rec.score_of(a) for a in Approach}
    return WhatIf(changes=listed, recommendation=after,
                  top_changed=after.top.approach is not rec.top.approach, score_changes=deltas)


def path_to(rec: Recommendation, rules: RuleSet, approach: Approach) -> PathTo:
    """Search one, then two, then three changed answers for ones that put ``approach`` first."""
    from ._recommend import facts_of, recommend

    if rec.top.approach is approach:
        return PathTo(approach=approach, found=True, changes=(), recommendation=rec,
                      message=f"{approach.display_name} already ranks first.")
    plan = plan_for(rules)
    facts = facts_of(rec.context)
    target = APPROACHES.index(approach)
    options: list[tuple[str, Value]] = []
    for field in RULE_FIELDS:
        current = facts.get(field)
        for value in plan.classes[field]:
            if current is None or not _same_class(plan.classes[field], current, value):
                options.append((field, value))
    for size in range(1, MAX_PATH_CHANGES + 1):
        best: tuple[int, tuple[tuple[str, Value], ...]] | None = None
        for combo in itertools.combinations(options, size):
            if len({field for field, _ in combo}) < size:
                continue
            scores, _ = plan.score({**facts, **dict(combo)})
            if top_of(scores) != target:
                continue
            lead = scores[target] - max(s for i, s in enumerate(scores) if i != target)
            if best is None or lead > best[0]:
                best = (lead, combo)
        if best is not None:
            changed = dict(best[1])
            after = recommend({**rec.context.model_dump(mode="json"), **changed},
                              rules=rules, engine=rec.engine)
            changes = tuple(Change(field=f, before=facts.get(f), after=v) for f, v in best[1])
            described = join_words([c.describe() for c in changes])
            return PathTo(approach=approach, found=True, changes=changes, recommendation=after,
                          message=f"{approach.display_name} would rank first with "
                          f"{size} change{'s' if size > 1 else ''}: {described}.")
    return PathTo(approach=approach, found=False, changes=(), recommendation=None,
                  message=f"No combination of up to {MAX_PATH_CHANGES} changed answers makes "
                  f"{approach.display_name} rank first for this context.")


def _same_class(classes: tuple[Value, ...], current: Value, candidate: Value) -> bool:
    """Whether two values are the same answer as far as the rules can tell."""
    if isinstance(current, bool) or not isinstance(current, int):
        return current == candidate
    position = max(i for i, low in enumerate(classes) if int(low) <= current)
    return classes[position] == candidate
