"""From what a caller gives to what the rules read: a validated context, then its facts.

Every analysis starts here; this module sits with the result, below the
reasoning built on it, and imports neither the reasoning nor the words.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import ValidationError

from .._model.context import Context
from .._model.fields import RULE_FIELDS
from .._model.problems import context_error
from .._rulebook.evaluation import Facts


def to_context(
    context: Context | Mapping[str, Any] | None, fields: Mapping[str, Any]
) -> Context:
    """A validated ``Context`` from a model, a mapping, or keyword fields."""
    if context is not None and fields:
        raise TypeError(
            "give the context either as one argument or as keywords, not both "
            f"(keywords given: {', '.join(fields)})"
        )
    if isinstance(context, Context):
        return context
    if context is None or isinstance(context, Mapping):
        try:
            return Context.model_validate(dict(fields if context is None else context))
        except ValidationError as error:
            raise context_error(error) from None
    raise TypeError(
        "the context must be a Context or a mapping of field names to values, "
        f"not {type(context).__name__}"
    )


def facts_of(context: Context) -> Facts:
    """The known rule fields, JSON-normal, as the engines take them."""
    facts: Facts = {}
    for name in RULE_FIELDS:
        value = getattr(context, name)
        if value is not None:
            facts[name] = value.value if isinstance(value, Enum) else value
    return facts
