"""Hypothesis strategies for contexts a user can build."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from collab_advisor import Context
from collab_advisor._model.context import MAX_SITES
from collab_advisor._model.fields import FIELDS


def _value(name: str) -> st.SearchStrategy[Any]:
    spec = FIELDS[name]
    if spec.kind == "choice":
        return st.sampled_from(spec.values)
    if spec.kind == "yes_no":
        return st.booleans()
    if spec.kind == "count":
        return st.one_of(st.integers(1, 200), st.integers(1, MAX_SITES))
    return st.text(max_size=200)


def field_values(include_unknown: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping of field names to values; unknown fields left out at random."""
    parts = {}
    for name in FIELDS:
        value = _value(name)
        parts[name] = st.one_of(st.none(), value) if include_unknown else value
    return st.fixed_dictionaries(parts).map(
        lambda values: {k: v for k, v in values.items() if v is not None}
    )


def contexts(include_unknown: bool = True) -> st.SearchStrategy[Context]:
    """Any valid context, partial or complete."""
    return field_values(include_unknown).map(Context.model_validate)
