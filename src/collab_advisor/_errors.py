"""Every error the library raises on purpose, under one base class.

    CollabAdvisorError
    ├── ContextError           bad context input: each field, the value, what is allowed
    ├── RuleFileError          one or more problems in rule files (all reported together)
    └── EngineError            the rule engine failed while evaluating
        └── EngineUnavailableError   the engine asked for cannot run here

``ContextError`` is also a pydantic ``ValidationError`` (and so a ``ValueError``): code
written when bad input raised pydantic's error still catches it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._printable import one_line


class CollabAdvisorError(Exception):
    """The base exception class from which other exceptions within this package inherit."""


@dataclass(frozen=True)
class RuleProblem:
    """One problem in a rule file, with where it is and what would fix it."""

    path: Path | None
    line: int | None
    message: str
    rule_id: str | None = None
    field: str | None = None
    suggestion: str | None = None

    def where(self) -> str:
        """``file:line`` (or as much of it as is known)."""
        if self.path is None:
            return "<rules>"
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)

    def __str__(self) -> str:
        parts = [self.where()]
        if self.rule_id:
            parts.append(f"rule '{self.rule_id}'")
        if self.field:
            parts.append(f"at '{self.field}'")
        text = ", ".join(parts) + f": {self.message}"
        if self.suggestion:
            text += f" Did you mean '{self.suggestion}'?"
        return one_line(text)  # keys and values from the file may hold control characters


class RuleFileError(CollabAdvisorError, ValueError):
    """Rule files that cannot be used; ``problems`` lists every one found."""

    MAX_LISTED = 20
    """The most problems the message lists; ``report()`` lists them all."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        self.problems: tuple[RuleProblem, ...] = tuple(problems)
        lines = self._lines(self.MAX_LISTED)
        hidden = len(self.problems) - self.MAX_LISTED
        if hidden > 0:
            lines.append(f"  - ... and {hidden:,} more (collab-advisor rules check lists "
                         "them all)")
        super().__init__("\n".join(lines))

    def _lines(self, most: int | None = None) -> list[str]:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        return [f"{count:,} {noun} in the rule files:",
                *(f"  - {problem}" for problem in self.problems[:most])]

    def report(self) -> str:
        """Every problem, one per line (the message lists the first ``MAX_LISTED``)."""
        return "\n".join(self._lines())


class EngineError(CollabAdvisorError, RuntimeError):
    """The rule engine failed while evaluating a context."""


class EngineUnavailableError(EngineError):
    """The engine that was asked for cannot run in this Python environment."""


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, or ``None`` if nothing is close."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


@dataclass(frozen=True)
class ContextProblem:
    """One bad field of a context: where, the value given, and what would be right."""

    field: str
    """The field's name (dotted with the place in a list, as ``members.0.aim``)."""
    value: Any
    """The value given (``None`` when the field was missing)."""
    expected: str
    """What the field takes, in words."""
    allowed: tuple[str, ...] = ()
    """The values allowed, when they are a fixed list (the fields' names, for an unknown
    field)."""
    suggestion: str | None = None
    """The nearest allowed value or field name, for a near miss."""
    unknown_field: bool = False
    """True when the name itself is not a field of the context."""

    def __str__(self) -> str:
        shown = repr(self.value)
        shown = shown if len(shown) <= 60 else shown[:60] + "..."
        if self.unknown_field:
            text = f"{self.field}: not a field of the context"
        else:
            text = f"{self.field}: {shown} is not allowed; expected {self.expected}"
        if self.suggestion:
            text += f" (did you mean {self.suggestion!r}?)"
        return one_line(text)


class ContextError(CollabAdvisorError, ValidationError):
    """A context that cannot be read: every bad field, with the value given, what it takes,
    the allowed values and a "did you mean" for near misses.

    It is also pydantic's ``ValidationError`` (``errors()`` lists the same problems) and a
    ``ValueError``, so code that caught either keeps working.
    """

    problems: tuple[ContextProblem, ...]

    @property
    def field(self) -> str:
        """The first bad field's name."""
        return self.problems[0].field

    @property
    def value(self) -> Any:
        """The value given to the first bad field."""
        return self.problems[0].value

    @property
    def expected(self) -> str:
        """What the first bad field takes, in words."""
        return self.problems[0].expected

    @property
    def allowed(self) -> tuple[str, ...]:
        """The first bad field's allowed values (empty when they are not a fixed list)."""
        return self.problems[0].allowed

    @property
    def suggestion(self) -> str | None:
        """The nearest allowed value or field name to the first problem, if one is close."""
        return self.problems[0].suggestion

    def __str__(self) -> str:
        count = len(self.problems)
        head = "bad context: " if count == 1 else f"bad context ({count} problems): "
        return head + "; ".join(str(problem) for problem in self.problems)

    def __repr__(self) -> str:
        return f"ContextError({str(self)!r})"


class RulesMismatchError(CollabAdvisorError, ValueError):
    """A result was paired with a rule set other than the one that made it."""


class UnknownEngineError(CollabAdvisorError, ValueError):
    """An engine name that is not one of 'auto', 'durable' or 'python'."""
