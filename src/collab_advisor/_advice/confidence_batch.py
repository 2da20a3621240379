"""The confidence measure as batch columns (``batch --confidence``, ``recommend_frame``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._model.context import Context
from .._result.build import shipped_rules
from .._rulebook.ruleset import RuleSet
from .confidence import confidence_for

CONFIDENCE_COLUMNS = ("first_place", "first_place_share", "share_margin", "share_exact",
                      "holds_under_alternatives")
"""The columns added per row: the outcome that comes about in the most ways the open
questions could be answered (approaches joined by '+' for a tie), its share (0 to 1),
the 95% margin of a sampled share (blank when exact), whether it was counted exactly,
and whether it holds under every alternative strength table."""


def confidence_cells(row: Mapping[str, Any], rules: RuleSet | None) -> list[Any]:
    """The confidence columns for one row of answers (every open answer counted as equally
    likely)."""
    answers = {name: value for name, value in row.items() if name in Context.model_fields}
    found = confidence_for(answers, rules if rules is not None else shipped_rules())
    leader = found.outcomes[0]
    return ["+".join(a.value for a in leader.approaches), round(leader.share, 4),
            "" if leader.margin is None else round(leader.margin, 4), found.exact,
            found.holds_under_alternatives]


def add_confidence_columns(out: dict[str, list[Any]], records: list[dict[str, Any]],
                           rules: RuleSet | None) -> None:
    """Add the confidence columns to ``recommend_frame``'s output columns (``None`` for
    a row with an error)."""
    for name in CONFIDENCE_COLUMNS:
        out[name] = []
    for record, error in zip(records, out["error"], strict=True):
        cells = [None] * len(CONFIDENCE_COLUMNS) if error else confidence_cells(record, rules)
        for name, cell in zip(CONFIDENCE_COLUMNS, cells, strict=True):
            out[name].append(None if cell == "" else cell)
