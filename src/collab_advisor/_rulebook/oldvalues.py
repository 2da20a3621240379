"""Old values in rule files: a condition that tests a value since renamed or split is read
as the test its meaning now needs, with a ``DeprecationWarning`` naming the file, the line
and the new values, for one minor release (CHANGELOG.md, migration section)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from .format import AllOf, AnyOf, Condition, FieldTest, Not

REMOVED_IN = "0.3.0"
"""The release in which the old values stop being read."""

_OLD_TESTS: dict[tuple[str, str], dict[str, Any]] = {
    ("scope", "regional_or_national"): {"all": [
        {"field": "scope", "equals": "multi_organisation"},
        {"field": "geographic_reach", "in": ["regional", "national", "international"]}]},
}
"""Per (field, old value), the condition that value now means: several organisations
(scope) spread over at least a region (geographic_reach)."""

_NEW_WORDS = {
    ("scope", "regional_or_national"):
        "{field: scope, equals: multi_organisation} together with {field: geographic_reach, "
        "in: [regional, national, international]}",
}


def upgrade_condition(condition: Condition) -> tuple[Condition, list[tuple[str, str]]]:
    """The condition with every test of an old value replaced by what it now means, and the
    (field, old value) pairs it replaced (none: the condition itself is returned)."""
    if isinstance(condition, FieldTest):
        return _upgrade_test(condition)
    if isinstance(condition, AllOf | AnyOf):
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        done = [upgrade_condition(part) for part in parts]
        used = [pair for _, found in done for pair in found]
        if not used:
            return condition, []
        new = [part for part, _ in done]
        return (AllOf(all=new) if isinstance(condition, AllOf) else AnyOf(any=new)), used
    if isinstance(condition, Not):
        inner, used = upgrade_condition(condition.not_)
        return (Not.model_validate({"not": inner}) if used else condition), used
    return condition, []


def _upgrade_test(test: FieldTest) -> tuple[Condition, list[tuple[str, str]]]:
    if test.operator not in ("equals", "in"):
        return test, []
    values: Sequence[Any] = test.operand if test.operator == "in" else [test.operand]
    old = [v for v in values if isinstance(v, str) and (test.field, v) in _OLD_TESTS]
    if not old:
        return test, []
    rest = [v for v in values if v not in old]
    parts: list[Condition] = [AllOf.model_validate(_OLD_TESTS[(test.field, v)]) for v in old]
    if rest:
        parts.insert(0, FieldTest.model_validate({"field": test.field, "in": rest}))
    found = [(test.field, str(v)) for v in old]
    return (parts[0] if len(parts) == 1 else AnyOf(any=parts)), found


def upgrade_old_values(placed_items: Sequence[Any]) -> None:
    """Replace, in each placed rule or feature (the loader's items), conditions that test old
    values, warning once per item with its file, line and the new spelling."""
    for placed in placed_items:
        when = getattr(placed.item, "when", None)
        if when is None:
            continue
        new, used = upgrade_condition(when)
        if not used:
            continue
        placed.item = placed.item.model_copy(update={"when": new})
        for field, value in dict.fromkeys(used):
            warnings.warn(
                f"{placed.path}:{placed.line}: '{value}' is a deprecated value of '{field}' "
                f"(read until {REMOVED_IN}); write {_NEW_WORDS[(field, value)]}",
                DeprecationWarning, stacklevel=4)
