"""Matching what a person types to the values a field accepts.

Wherever people type values (command-line flags, CSV cells, the interview, a
web form), case does not matter, spaces and hyphens stand for underscores, and
an unambiguous prefix is enough: ``Fixed``, ``fixed term`` and ``fix`` all mean
``fixed_term``. The Python API stays exact; this is only for typed input.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from .._advice.batch import describe_validation_error
from .._model.context import MAX_DIGITS, Approach, Context
from .._model.fields import FIELDS

Value = str | bool | int

_YES = ("yes", "true")
_NO = ("no", "false")


class ValueMatchError(ValueError):
    """Typed text that matches no allowed value (or several); the message lists them."""


def normalise(text: str) -> str:
    """Lower case, trimmed, with spaces and hyphens read as underscores."""
    return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


def did_you_mean(text: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a mistyped value, or ``None`` if nothing is close."""
    options = list(candidates)
    matches = difflib.get_close_matches(normalise(text), options, n=1, cutoff=0.5)
    return matches[0] if matches else None


def match_choice(text: str, choices: Sequence[str], what: str = "value",
                 aliases: Mapping[str, str] | None = None) -> str:
    """The one choice ``text`` names: exactly, ignoring case, or by an unambiguous prefix.

    ``aliases`` maps extra spellings (already normalised) to choices. Raises
    ``ValueMatchError`` with the allowed values and a suggestion.
    """
    wanted = normalise(text)
    by_normal = {normalise(choice): choice for choice in choices}
    for spelling, choice in (aliases or {}).items():
        by_normal.setdefault(spelling, choice)
    if wanted in by_normal:
        return by_normal[wanted]
    starting = sorted({choice for spelling, choice in by_normal.items()
                       if wanted and spelling.startswith(wanted)},
                      key=list(choices).index)
    if len(starting) == 1:
        return starting[0]
    allowed = ", ".join(choices)
    if len(starting) > 1:
        raise ValueMatchError(f"{text!r} could be any of {', '.join(starting)}; type more "
                              f"of the {what}")
    message = f"{text!r} is not a valid {what}; allowed: {allowed}"
    guess = did_you_mean(text, by_normal)
    if guess is not None:
        message += f" (did you mean {by_normal[guess]}?)"
    raise ValueMatchError(message)


def allowed_values(field: str) -> tuple[str, ...]:
    """The values a person may type for a field (empty for counts and free text)."""
    spec = FIELDS[field]
    if spec.kind == "yes_no":
        return ("yes", "no")
    return tuple(str(value) for value in spec.values)


_THOUSANDS = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
"""A whole number with commas between thousands; ``1,5`` is not one."""


def match_value(field: str, text: str) -> Value:
    """The value of ``field`` that typed ``text`` means, for a ``Context``.

    Choices and yes/no answers match ignoring case, with spaces or hyphens for
    underscores, and by an unambiguous prefix (``yes``/``no`` also as
    ``true``/``false``); counts must be whole numbers; free text is kept as typed.
    Raises ``KeyError`` for an unknown field and ``ValueMatchError`` (a
    ``ValueError``) naming the field and its allowed values.
    """
    spec = FIELDS[field]
    label = field
    if spec.kind == "text":
        return text
    if spec.kind == "count":
        stripped = text.strip()
        if _THOUSANDS.fullmatch(stripped):  # 1,200 as a spreadsheet writes it
            stripped = stripped.replace(",", "")
        if stripped.isascii() and stripped.isdigit() and len(stripped) > MAX_DIGITS:
            raise ValueMatchError(f"{label}: a whole number of {len(stripped):,} digits is "
                                  f"too long; the most is {MAX_DIGITS} digits")
        if not (stripped.isascii() and stripped.isdigit()) or int(stripped) < 1:
            shown = text if len(text) <= 40 else text[:40] + "..."
            raise ValueMatchError(f"{label}: {shown!r} is not a whole number of at least 1")
        return int(stripped)
    if spec.kind == "yes_no":
        aliases = {word: "yes" for word in _YES} | {word: "no" for word in _NO}
        try:
            return match_choice(text, ["yes", "no"], f"{label} answer", aliases) == "yes"
        except ValueMatchError as error:
            raise ValueMatchError(f"{label}: {error}") from None
    old = old_spelling(field, text)
    if old is not None:
        return old  # read by Context, with its deprecation warning
    try:
        return match_choice(text, allowed_values(field), f"{label} value")
    except ValueMatchError as error:
        raise ValueMatchError(f"{label}: {error}") from None


def old_spelling(field: str, text: str) -> str | None:
    """The deprecated spelling of one of ``field``'s values that ``text`` types exactly
    (any case, spaces or hyphens for underscores), or None: saved files, rows and typed
    answers in an old spelling keep working for one minor release."""
    choices = FIELDS[field].choices
    spellings = getattr(choices, "old_spellings", None)
    if spellings is None:
        return None
    wanted = normalise(text)
    return next((old for old in spellings() if old == wanted), None)


def _initials(approach: Approach) -> str:
    return "".join(word[0] for word in approach.display_name.lower().split())


APPROACH_ALIASES: dict[str, str] = {
    **{normalise(a.display_name): a.value for a in Approach},
    **{_initials(a): a.value for a in Approach},
}
"""Other ways to name an approach: its display name and initials (qic, cop, mcn, cc)."""


def match_approach(text: str) -> Approach:
    """The approach typed as its value, display name, initials or an unambiguous prefix."""
    return Approach(match_choice(text, [a.value for a in Approach], "approach",
                                 APPROACH_ALIASES))


__all__ = ["ValueMatchError", "allowed_values", "match_approach", "match_choice",
           "match_value", "normalise"]


def checked_context(values: dict[str, Any], where: str, lines: dict[str, int]) -> Context:
    """``values`` as a context, or a ``ValueMatchError`` naming ``where`` (a file or a CSV
    row) and the line of the first bad answer, with what is allowed."""
    try:
        return Context.model_validate(values)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]["loc"]
        line = lines.get(str(first[0])) if first else None
        place = f"{where}:{line}" if line is not None else where
        raise ValueMatchError(f"{place}: {describe_validation_error(error)}") from None
