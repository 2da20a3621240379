"""How a context's values are read before pydantic sees them: the bounds on counts and
digits, yes/no words, and the strict kinds that refuse what is surely a mistake (a number
for yes/no, yes/no for a count). Shared by the context model and the HTTP API's forms."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from pydantic_core import PydanticCustomError

MAX_SITES = 1_000_000
"""The largest ``sites`` accepted: far beyond any real collaboration, and
small enough for every engine to compare exactly."""


MAX_DIGITS = 18
"""The most digits a whole number may have where a file, a row or a request is read.
Counts and rule bounds are far smaller; a longer number is kept only as its length
(``LongNumber``), so that its error names the field without echoing the digits and
Python's limit on converting long numbers (4,300 digits) is never reached."""


class LongNumber:
    """A whole number with more than ``MAX_DIGITS`` digits, as a reader found it."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<a whole number of {self.digits:,} digits>"

    __str__ = __repr__


def read_int(text: str) -> int | LongNumber:
    """A number's digits as an ``int``, or a ``LongNumber`` past ``MAX_DIGITS`` digits
    (the ``parse_int`` of ``json.loads``, and the YAML readers' integers)."""
    digits = sum(character.isdigit() for character in text)
    if digits > MAX_DIGITS:
        return LongNumber(digits)
    return int(text)


YES_NO_WORDS: dict[str, bool] = {"yes": True, "no": False, "true": True, "false": False,
                                 "y": True, "n": False}
"""The spellings a yes/no field accepts besides ``True`` and ``False`` (any case)."""


TYPED_JSON: ContextVar[bool] = ContextVar("collab_advisor_typed_json", default=False)
"""Set while reading typed JSON (the HTTP API): yes/no fields then take only ``true`` and
``false`` and counts only numbers, as the JSON Schema says; files and forms keep the words."""



FIELD_KINDS: dict[str, str] = {}
"""Each context field's kind ("yes_no", "count" or "other"), filled by the context model
when it is defined."""


def strict_kind(name: str, value: Any) -> Any:
    """Refuse what is surely a mistake before pydantic's lax conversion hides it: a
    yes/no field given a number (``0`` or ``"1"``), or a count given ``True``/``False``
    (which would become 1 or 0). Yes/no words become booleans."""
    if value is None:
        return value
    if isinstance(value, LongNumber):
        raise PydanticCustomError(
            "number_too_long", "expected a whole number of at most {most} digits; this one "
            "has {digits}", {"most": MAX_DIGITS, "digits": f"{value.digits:,}"})
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError(
                "text_unicode", "expected Unicode text; this holds a lone surrogate, "
                "which no file or page can carry") from None
    kind = FIELD_KINDS.get(name)
    if TYPED_JSON.get() and isinstance(value, str) and kind in ("yes_no", "count"):
        raise PydanticCustomError(
            "json_type", "expected a JSON " + ("boolean (true or false)" if kind == "yes_no"
                                               else "whole number") + ", not text")
    if kind == "yes_no" and not isinstance(value, bool):
        word = value.strip().lower() if isinstance(value, str) else None
        if word is None or word not in YES_NO_WORDS:
            raise PydanticCustomError("yes_no", "expected yes or no (also true or false)")
        return YES_NO_WORDS[word]
    if kind == "count" and isinstance(value, bool):
        raise PydanticCustomError(
            "count_not_bool", "expected a whole number; a yes/no answer is not a count")
    return value
