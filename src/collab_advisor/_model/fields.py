"""What each context field accepts, read once from the ``Context`` model.

Rule validation, suggestions and question lists all need to know a field's
kind and allowed values; deriving them from the model keeps one source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from .context import Context
from .described import DescribedEnum, unwrap_optional

FieldKind = Literal["choice", "yes_no", "count", "text"]


@dataclass(frozen=True)
class FieldSpec:
    """One context field: its kind, allowed values and plain-language help."""

    name: str
    kind: FieldKind
    description: str
    question: str
    choices: type[DescribedEnum] | None = None

    @property
    def values(self) -> tuple[str | bool, ...]:
        """Every value a rule may test this field against (empty for counts and text)."""
        if self.choices is not None:
            return tuple(member.value for member in self.choices)
        if self.kind == "yes_no":
            return (True, False)
        return ()

    def describe_allowed(self) -> str:
        """The allowed values in words, for error messages."""
        if self.choices is not None:
            return self.choices.allowed()
        if self.kind == "yes_no":
            return "true, false"
        if self.kind == "count":
            return "a whole number of at least 1"
        return "text"


def _spec(name: str) -> FieldSpec:
    info = Context.model_fields[name]
    base = unwrap_optional(info.annotation)
    extra = info.json_schema_extra
    question = str(extra.get("question", "")) if isinstance(extra, dict) else ""
    description = info.description or ""
    if isinstance(base, type) and issubclass(base, Enum):
        if not issubclass(base, DescribedEnum):  # pragma: no cover - model invariant
            raise TypeError(f"{name}: enums in Context must be DescribedEnum")
        return FieldSpec(name, "choice", description, question, base)
    if base is bool:
        return FieldSpec(name, "yes_no", description, question)
    if base is int:
        return FieldSpec(name, "count", description, question)
    if base is str:
        return FieldSpec(name, "text", description, question)
    raise TypeError(f"{name}: unsupported field type {base!r}")  # pragma: no cover


FIELDS: dict[str, FieldSpec] = {name: _spec(name) for name in Context.model_fields}
"""Every context field, in declaration order."""

RULE_FIELDS: dict[str, FieldSpec] = {
    name: spec for name, spec in FIELDS.items() if spec.kind != "text"
}
"""The fields a rule may test: all but free text such as ``name``."""
