"""String enums whose members carry a plain-language description.

The descriptions become help text in forms, in the JSON Schema of the
context and in error messages, so a member and its meaning never drift apart.
"""

from __future__ import annotations

import types
import warnings
from enum import EnumType, StrEnum
from typing import Any, Union, get_args, get_origin

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

OLD_SPELLINGS: dict[type, dict[str, tuple[str, str]]] = {}
"""Per enum, its old spellings: old value -> (the value it is read as, a deprecation note).

A value that was renamed or folded into another is still accepted under its old
spelling, so saved contexts, links and batch files keep loading; the JSON Schema
lists the old spelling at the end of ``enum`` and again under ``deprecatedValues``.
"""


OLD_SPELLINGS_REMOVED_IN = "0.3.0"
"""The release in which old spellings stop being read (one minor release after 0.2)."""

_ADVICE: dict[tuple[type, str], str] = {}
"""Per (enum, old value), what to write instead, in words, for the deprecation warning."""


def register_old_spelling(enum: type[DescribedEnum], old: str, new: str, note: str,
                          advice: str | None = None) -> None:
    """Accept ``old`` as a deprecated spelling of the member whose value is ``new``; its
    Python attribute (``Scope.REGIONAL_OR_NATIONAL``) still works too. ``advice`` says what
    to write instead (default: the new value)."""
    enum(new)  # the new value must exist
    OLD_SPELLINGS.setdefault(enum, {})[old] = (new, note)
    _ADVICE[(enum, old)] = advice or f"{enum.__name__}.{new.upper()} ('{new}')"


def warn_old_spelling(enum: type, old: str, stacklevel: int = 3) -> None:
    """The ``DeprecationWarning`` for reading an old spelling, naming the new values."""
    warnings.warn(
        f"'{old}' ({enum.__name__}.{old.upper()}) is deprecated and is read until "
        f"{OLD_SPELLINGS_REMOVED_IN}; use {_ADVICE[(enum, old)]}",
        DeprecationWarning, stacklevel=stacklevel)


class _DescribedEnumType(EnumType):
    """The enums' metaclass: an old spelling's attribute (``Scope.REGIONAL_OR_NATIONAL``)
    still gives the member it is read as, with a ``DeprecationWarning``."""

    def __getattr__(cls, name: str) -> Any:
        for old, (new, _) in OLD_SPELLINGS.get(cls, {}).items():
            if old.upper() == name:
                warn_old_spelling(cls, old)
                return cls(new)
        parent = getattr(EnumType, "__getattr__", None)  # Python 3.11 has one; later do not
        if parent is not None:
            return parent(cls, name)
        raise AttributeError(f"type object '{cls.__name__}' has no attribute '{name}'")


class DescribedEnum(StrEnum, metaclass=_DescribedEnumType):
    """A string enum; each member is declared as ``NAME = "value", "description"``."""

    _value_: str
    description: str

    def __new__(cls, value: str, description: str = "") -> DescribedEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    @classmethod
    def _missing_(cls, value: object) -> DescribedEnum | None:
        old = OLD_SPELLINGS.get(cls, {}).get(value) if isinstance(value, str) else None
        if old is None:
            return None
        warn_old_spelling(cls, str(value), stacklevel=5)
        return cls(old[0])

    @classmethod
    def old_spellings(cls) -> dict[str, tuple[str, str]]:
        """Deprecated spellings this enum still accepts: old -> (value read, note)."""
        return dict(OLD_SPELLINGS.get(cls, {}))

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: dict[str, Any] = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        # Editors such as VS Code show ``enumDescriptions`` beside each value.
        schema["enumDescriptions"] = [member.description for member in cls]
        old = OLD_SPELLINGS.get(cls, {})
        if old:  # accepted, so the schema says so, and marks them deprecated
            schema["enum"] = [*schema["enum"], *old]
            schema["enumDescriptions"] += [note for _, note in old.values()]
            schema["deprecatedValues"] = list(old)
        return schema

    @classmethod
    def allowed(cls) -> str:
        """The allowed values, quoted and comma separated, for messages."""
        return ", ".join(f"'{member.value}'" for member in cls)


def unwrap_optional(annotation: object) -> object:
    """The type inside ``X | None`` and ``Annotated[X, ...]``: ``int`` for a count field."""
    if get_origin(annotation) in (Union, types.UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(inner) == 1:
            return unwrap_optional(inner[0])
    # Annotated[int, ...] -> int
    args = get_args(annotation)
    if args and getattr(annotation, "__metadata__", None) is not None:
        return args[0]
    return annotation
