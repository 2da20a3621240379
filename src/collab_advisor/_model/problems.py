"""Bad context input as one library error: ``ContextError``, built from pydantic's problems.

Each problem names the field, the value given, what the field takes in words, its allowed
values when they are a fixed list, and the nearest allowed value or field name for a near
miss (``formalty`` -> ``formality``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .._errors import ContextError, ContextProblem, nearest
from .choices import Approach
from .fields import FIELDS


def _problem(error: Any) -> ContextProblem:
    location = [str(part) for part in error.get("loc", ())]
    where = ".".join(location) or "context"
    name = location[-1] if location else ""
    value = error.get("input")
    if error.get("type") == "extra_forbidden" or name not in FIELDS:
        return ContextProblem(where, value, "one of the context's fields",
                              tuple(FIELDS), nearest(name, FIELDS), unknown_field=True)
    spec = FIELDS[name]
    if error.get("type") == "missing":
        value = None
    allowed = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in spec.values)
    if allowed:
        guess = nearest(str(value).strip().lower(), allowed) if isinstance(value, str) else None
        return ContextProblem(where, value, "one of " + ", ".join(map(repr, allowed)), allowed,
                              guess)
    return ContextProblem(where, value, f"{spec.describe_allowed()} ({error.get('msg')})")


def context_error(error: ValidationError) -> ContextError:
    """``error`` (from validating a context) as a ``ContextError`` with the same problems."""
    found = error.errors(include_url=False)
    try:
        made = ContextError.from_exception_data(error.title, found)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):  # a problem type of our own (``yes_no``)
        details: list[InitErrorDetails] = [
            {"type": PydanticCustomError(str(e["type"]), str(e["msg"]).replace("{", "{{")
                                         .replace("}", "}}")),
             "loc": tuple(e["loc"]), "input": e.get("input")} for e in found]
        made = ContextError.from_exception_data(error.title, details)
    made.problems = tuple(_problem(e) for e in found)
    return made


def approach_of(value: Approach | str) -> Approach:
    """``value`` as an ``Approach``; a name that is not one is a ``ContextError`` naming the
    four, with the nearest for a near miss."""
    try:
        return Approach(value)
    except ValueError:
        pass
    allowed = tuple(a.value for a in Approach)
    guess = nearest(str(value).strip().lower(), allowed) if isinstance(value, str) else None
    made = ContextError.from_exception_data("Approach", [{
        "type": PydanticCustomError("approach", "not one of the four approaches"),
        "loc": ("approach",), "input": value}])
    made.problems = (ContextProblem("approach", value, "one of " + ", ".join(map(repr, allowed)),
                                    allowed, guess),)
    raise made
