"""Many contexts at once: results in input order, bad items reported, not raised."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ._context import Context
from ._engines import EngineChoice
from ._errors import nearest
from ._fields import FIELDS
from ._printable import one_line
from ._recommend import Recommendation, recommend
from ._ruleset import RuleSet


class BatchItem(BaseModel):
    """One input's result: a recommendation, or the error that stopped it."""

    model_config = ConfigDict(frozen=True)

    index: int
    """The item's position in the input, from 0."""
    recommendation: Recommendation | None = None
    error: str | None = None
    """What was wrong with the item, naming the field, when there is no recommendation."""

    @property
    def ok(self) -> bool:
        """Whether the item produced a recommendation."""
        return self.recommendation is not None


def describe_validation_error(error: ValidationError) -> str:
    """A pydantic error in one line a non-programmer can act on: field, problem, value."""
    parts = []
    for detail in error.errors(include_url=False):
        field = ".".join(str(part) for part in detail["loc"]) or "context"
        message = str(detail["msg"])
        if detail["type"] == "extra_forbidden":
            message = "is not a context field"
            guess = nearest(field, FIELDS)
            if guess:
                message += f" (did you mean '{guess}'?)"
            parts.append(f"'{field}' {message}")
            continue
        parts.append(f"{field}: {message} (got {detail.get('input')!r})")
    return one_line("; ".join(parts))  # field names are the user's keys, shown inert


def recommend_many(
    contexts: Iterable[Context | Mapping[str, Any]],
    *,
    rules: RuleSet | None = None,
    engine: EngineChoice = "auto",
) -> list[BatchItem]:
    """Recommend for every context, in order; an item's bad input becomes its ``error``."""
    results: list[BatchItem] = []
    for index, context in enumerate(contexts):
        try:
            rec = recommend(context, rules=rules, engine=engine)
        except ValidationError as error:
            results.append(BatchItem(index=index, error=describe_validation_error(error)))
        except TypeError as error:
            results.append(BatchItem(index=index, error=str(error)))
        else:
            results.append(BatchItem(index=index, recommendation=rec))
    return results
