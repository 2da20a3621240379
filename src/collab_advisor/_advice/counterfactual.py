"""What-if: the advice under changed answers, and the fewest changes that favour an approach."""

from __future__ import annotations

import itertools
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .._engines.plan import APPROACHES, plan_for
from .._model.context import Approach, Context
from .._model.fields import RULE_FIELDS
from .._model.problems import context_error
from .._model.wording import describe_value, field_label, join_words
from .._printable import printable
from .._result.build import recommend
from .._result.facts import facts_of
from .._result.record import Recommendation
from .._rulebook.ruleset import RuleSet
from .pairing import has_advice, rules_for
from .parts import parts_of
from .pathsearch import best_candidate, candidates

_FROZEN = ConfigDict(frozen=True)
MAX_PATH_CHANGES = 3

Value = str | bool | int


class Change(BaseModel):
    """One field's answer before and after (``None``: not known)."""

    model_config = _FROZEN

    field: str
    """The context field."""
    before: Value | None
    """Its answer before (null: not known)."""
    after: Value | None
    """Its answer after (null: not known)."""

    def describe(self) -> str:
        """'time span: open ended -> fixed term'."""
        def show(value: Value | None) -> str:
            return "not known" if value is None else describe_value(self.field, value)
        return f"{field_label(self.field)}: {show(self.before)} -> {show(self.after)}"

    def as_answer(self) -> str:
        """The other answer, worded as an answer rather than a change to make:
        '"time span: fixed term" (yours: open ended)'."""
        after = "not known" if self.after is None else describe_value(self.field, self.after)
        before = ("not answered yet" if self.before is None
                  else f"yours: {describe_value(self.field, self.before)}")
        return f'"{field_label(self.field)}: {after}" ({before})'



def answers_words(changes: tuple[Change, ...] | list[Change]) -> str:
    """The fields these answers are about: 'control', 'aim and control'."""
    return join_words([field_label(change.field) for change in changes])


def with_answers(changes: tuple[Change, ...] | list[Change], approach: str) -> str:
    """'With these answers (...), X would come first': the other answers, as answers."""
    listed = join_words([change.as_answer() for change in changes])
    noun = "the answer" if len(changes) == 1 else "the answers"
    return f"with {noun} {listed}, {approach} would come first"


class WhatIf(BaseModel):
    """The advice after changing some answers, and what changed."""

    model_config = _FROZEN

    changes: tuple[Change, ...]
    recommendation: Recommendation
    top_changed: bool
    score_changes: dict[Approach, int]
    """Each approach's score after minus before."""
    had_advice: bool = True
    """Whether the first place before the changes was advice (``Analysis.has_advice``)."""
    has_advice: bool = True
    """Whether the first place after the changes is advice."""

    def explain(self) -> str:
        """The change in plain words."""
        what = "; ".join(change.describe() for change in self.changes) or "no change"
        after = self.recommendation
        top = after.top.name
        tied = join_words([after.ranked(a).name for a in after.tied_for_first])
        if not self.has_advice:
            verdict = "no approach stands out yet"
        elif not self.had_advice:
            verdict = f"first place is a tie: {tied}" if after.is_tie else f"{top} now fits best"
        else:
            verdict = (f"first place is a tie: {tied}" if after.is_tie
                       else f"the best fit becomes {top}" if self.top_changed
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


def what_if(rec: Recommendation, rules: RuleSet | None, changes: dict[str, Any]) -> WhatIf:
    """Re-run the advice with some fields changed (``None`` makes a field unknown), on
    the result's rules (``rules``, checked; default the shipped ones) and engine."""
    chosen = rules_for(rec, rules)
    known = rec.context.model_dump(mode="json")
    try:
        updated = Context.model_validate({**known, **changes})
    except ValidationError as error:
        raise context_error(error) from None
    after = recommend(updated, rules=chosen, engine=rec.engine)
    new_known = updated.model_dump(mode="json")
    listed = tuple(
        Change(field=name, before=known.get(name), after=new_known.get(name))
        for name in changes if known.get(name) != new_known.get(name)
    )
    deltas = {a: after.score_of(a) - rec.score_of(a) for a in Approach}
    return WhatIf(changes=listed, recommendation=after,
                  top_changed=after.tied_for_first != rec.tied_for_first, score_changes=deltas,
                  had_advice=has_advice(rec, chosen), has_advice=has_advice(after, chosen))


PATH_BUDGET = 50_000_000
"""Units of work (candidate contexts times rule alternatives) ``path_to`` may spend; a
search that would need more stops at the last size it could afford, and says so."""
_BATCH = 20_000


def path_to(rec: Recommendation, rules: RuleSet | None, approach: Approach, *,
            with_result: bool = True) -> PathTo:
    """Search one, then two, then three changed answers for ones that put ``approach`` first.

    Candidates of each size are scored in batches on the compiled core; among those
    that put ``approach`` first, the one with the largest lead wins (the first found on
    a tie, in field order). ``with_result=False`` leaves out the recommendation under
    the changes (``recommendation`` is then ``None``), for callers that need the changes
    only.
    """
    rules = rules_for(rec, rules)
    if rec.top.approach is approach:
        return PathTo(approach=approach, found=True, changes=(), recommendation=rec,
                      message=f"{approach.display_name} already ranks first.")
    plan = plan_for(rules)
    facts = facts_of(rec.context)
    target = APPROACHES.index(approach)
    options, coded = _options(plan, facts)
    spent = 0
    cost = max(1, len(plan.alternatives))
    for size in range(1, MAX_PATH_CHANGES + 1):
        count = _combinations_with_distinct_fields(options, size)
        if spent + count * cost > PATH_BUDGET:
            return PathTo(approach=approach, found=False, changes=(), recommendation=None,
                          message=f"No other answers to up to {size - 1} questions would put "
                          f"{approach.display_name} first; {size} ({count} combinations) "
                          "is more than this search's budget.")
        spent += count * cost
        best = _best_of_size(plan, facts, options, size, target, coded)
        if best is not None:
            after = recommend({**rec.context.model_dump(mode="json"), **dict(best)},
                              rules=rules, engine=rec.engine) if with_result else None
            changes = tuple(Change(field=f, before=facts.get(f), after=v) for f, v in best)
            return PathTo(approach=approach, found=True, changes=changes, recommendation=after,
                          message=_found_message(approach, changes))
    return PathTo(approach=approach, found=False, changes=(), recommendation=None,
                  message=f"No other answers to up to {MAX_PATH_CHANGES} questions would put "
                  f"{approach.display_name} first for this context.")


def _found_message(approach: Approach, changes: tuple[Change, ...]) -> str:
    """The answers that would put ``approach`` first, worded as answers, not actions."""
    count = len(changes)
    worded = with_answers(changes, approach.display_name)
    return (f"{worded[0].upper()}{worded[1:]}. That context differs from yours in {count} "
            f"answer{'s' if count != 1 else ''} (about {answers_words(changes)}); it says "
            "what the ranking turns on, not what to change.")


def _combinations_with_distinct_fields(options: list[tuple[str, Value]], size: int) -> int:
    """How many sets of ``size`` options change ``size`` different fields (counted, not
    listed: the elementary symmetric sum of the fields' option counts)."""
    per_field: dict[str, int] = {}
    for field, _ in options:
        per_field[field] = per_field.get(field, 0) + 1
    sums = [1] + [0] * size
    for n in per_field.values():
        for k in range(size, 0, -1):
            sums[k] += sums[k - 1] * n
    return sums[size]


def _options(plan: Any, facts: dict[str, Value]
             ) -> tuple[list[tuple[str, Value]], tuple[list[int], list[int], list[int]]]:
    """Each other answer a rule field could take (an option), in field order; and the
    context's codes by field position, and each option's field position and code (worked
    out once per search, not once per size)."""
    options: list[tuple[str, Value]] = []
    field_of: list[int] = []
    code_of: list[int] = []
    for field, position, classes in plan.kept("path_options", lambda: _layout(plan)):
        current = facts.get(field)
        for value, code in classes:
            if current is None or not _same_class(plan.classes[field], current, value):
                options.append((field, value))
                field_of.append(position)
                code_of.append(code)
    return options, (plan.codes_of(facts), field_of, code_of)


def _layout(plan: Any) -> tuple[tuple[str, int, tuple[tuple[Value, int], ...]], ...]:
    """Per rule field, its position in the plan and each class's value and code."""
    out = []
    for field in RULE_FIELDS:
        position = plan.fields.index(field)
        out.append((field, position, tuple((value, plan.code(position, value))
                                           for value in plan.classes[field])))
    return tuple(out)


def _best_of_size(plan: Any, facts: dict[str, Value], options: list[tuple[str, Value]],
                  size: int, target: int, coded: tuple[list[int], list[int], list[int]]
                  ) -> tuple[tuple[str, Value], ...] | None:
    import numpy as np

    base, field_of, code_of = coded
    parts = parts_of(plan)
    chosen_all = candidates(field_of, size) if parts is not None else None
    if parts is not None and chosen_all is not None:  # part by part, every candidate at once
        known = {name: base[position] for position, name in enumerate(plan.fields)
                 if name in facts}
        by_code = [(field, code) for (field, _), code in zip(options, code_of, strict=True)]
        found = best_candidate(parts, known, by_code, chosen_all, target)
        return None if found is None else tuple(options[i] for i in found)
    combos = (combo for combo in itertools.combinations(range(len(options)), size)
              if len({field_of[i] for i in combo}) == size)
    best: tuple[int, tuple[int, ...]] | None = None
    while True:
        batch = list(itertools.islice(combos, _BATCH))
        if not batch:
            break
        chosen = np.asarray(batch, dtype=np.int64)
        columns = [np.full(len(batch), code, dtype=np.int64) for code in base]
        positions = np.asarray(field_of)[chosen]
        codes = np.asarray(code_of)[chosen]
        for slot in range(size):
            for position in np.unique(positions[:, slot]).tolist():
                rows = positions[:, slot] == position
                columns[position][rows] = codes[rows, slot]
        scores, _ = plan.score_rows(columns)
        others = np.delete(scores, target, axis=1).max(axis=1)
        lead = scores[:, target] - others
        wins = scores.argmax(axis=1) == target
        if not wins.any():
            continue
        ranked: Any = np.where(wins, lead, np.iinfo(np.int64).min)
        at = int(np.argmax(ranked))
        lead = ranked
        if best is None or int(lead[at]) > best[0]:
            best = (int(lead[at]), batch[at])
    if best is None:
        return None
    return tuple(options[i] for i in best[1])


def _same_class(classes: tuple[Value, ...], current: Value, candidate: Value) -> bool:
    """Whether two values are the same answer as far as the rules can tell."""
    if isinstance(current, bool) or not isinstance(current, int):
        return current == candidate
    position = max(i for i, low in enumerate(classes) if int(low) <= current)
    return classes[position] == candidate
