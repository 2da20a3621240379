"""The form's questions, read from ``Context.model_json_schema()``, and the URL state.

The web app knows the context only through its public JSON Schema, so a field
added to ``Context`` becomes a question here with no change to this package.
A plan's answers live in the query string: a choice as its value, yes/no as
``yes`` or ``no``, a count as digits; a missing or empty parameter means
"not sure yet".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import ValidationError

from collab_advisor import Context
from collab_advisor._model.context import upgrade_old_spellings
from collab_advisor._model.fields import FIELDS

Kind = Literal["choice", "yes_no", "count", "text"]
Value = str | bool | int


@dataclass(frozen=True)
class Option:
    """One answer a question accepts, with its meaning."""

    value: str
    """As it appears in the URL and in the form."""
    label: str
    description: str


@dataclass(frozen=True)
class FieldQuestion:
    """One context field as a question on the form."""

    name: str
    kind: Kind
    question: str
    description: str
    options: tuple[Option, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None

    @property
    def label(self) -> str:
        """The field's name in words: 'agenda set by'."""
        return self.name.replace("_", " ")

    def allowed(self) -> str:
        """The allowed values in words, for error messages."""
        if self.options:
            return ", ".join(option.value for option in self.options)
        if self.kind == "count":
            return f"a whole number from {self.minimum or 1} to {self.maximum}"
        return f"text of at most {self.max_length} characters"

    def url_value(self, value: Value) -> str:
        """How a known value is written in the query string."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)


def _words(value: str) -> str:
    return value.replace("_", " ")


def _question(name: str, prop: Mapping[str, Any], defs: Mapping[str, Any]) -> FieldQuestion:
    variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") != "null"]
    schema = dict(variants[0]) if variants else {}
    if "$ref" in schema:
        schema = dict(defs[str(schema["$ref"]).rsplit("/", 1)[-1]])
    question = str(prop.get("question") or prop.get("description") or _words(name))
    description = str(prop.get("description", ""))
    if "enum" in schema:
        meanings = list(schema.get("enumDescriptions", []))
        meanings += [""] * (len(schema["enum"]) - len(meanings))
        old = set(schema.get("deprecatedValues", []))  # accepted, never offered
        options = tuple(Option(str(v), _words(str(v)), str(m))
                        for v, m in zip(schema["enum"], meanings, strict=True) if v not in old)
        return FieldQuestion(name, "choice", question, description, options)
    kind = schema.get("type")
    if kind == "boolean":
        options = (Option("yes", "yes", ""), Option("no", "no", ""))
        return FieldQuestion(name, "yes_no", question, description, options)
    if kind == "integer":
        return FieldQuestion(name, "count", question, description,
                             minimum=schema.get("minimum"), maximum=schema.get("maximum"))
    return FieldQuestion(name, "text", question, description,
                         max_length=schema.get("maxLength"))


def _questions() -> tuple[FieldQuestion, ...]:
    schema = Context.model_json_schema()
    defs = schema.get("$defs", {})
    return tuple(_question(name, prop, defs) for name, prop in schema["properties"].items())


QUESTIONS: tuple[FieldQuestion, ...] = _questions()
"""Every context field, in the model's order."""
BY_NAME: dict[str, FieldQuestion] = {q.name: q for q in QUESTIONS}


@dataclass(frozen=True)
class State:
    """A plan's answers read from a query string, and any problems with them."""

    values: dict[str, Value]
    """The known answers, typed as ``Context`` takes them."""
    errors: dict[str, str]
    """Problems by field name, each naming the field and the allowed values."""

    @property
    def context(self) -> Context:
        """The answers without the problem fields, as a validated ``Context``."""
        return Context.model_validate(self.values)

    def query(self) -> str:
        """The answers as a query string (known fields only, in the form's order)."""
        return to_query(self.values)


def to_query(values: Mapping[str, Value | None], prefix: str = "") -> str:
    """Known answers as ``field=value`` pairs, in the form's order."""
    pairs = [(prefix + q.name, q.url_value(value))
             for q in QUESTIONS if (value := values.get(q.name)) is not None]
    return urlencode(pairs)


def _read(question: FieldQuestion, raw: str) -> Value:
    """A typed value, or ValueError with a message naming the field and allowed values."""
    if question.kind == "choice":
        text = raw.strip().lower().replace(" ", "_").replace("-", "_")
        choices = FIELDS[question.name].choices
        if text in {option.value for option in question.options} or (
                choices is not None and text in choices.old_spellings()):
            return text  # an old spelling is read as its new value by read_state
    elif question.kind == "yes_no":
        text = raw.strip().lower()
        if text in ("yes", "true"):
            return True
        if text in ("no", "false"):
            return False
    elif question.kind == "count":
        text = raw.strip()
        if text.isascii() and text.isdigit() and len(text) <= 12:
            number = int(text)
            low = question.minimum if question.minimum is not None else 1
            if number >= low and (question.maximum is None or number <= question.maximum):
                return number
    else:
        if question.max_length is None or len(raw) <= question.max_length:
            return raw.strip()
    shown = raw if len(raw) <= 40 else raw[:40] + "..."
    raise ValueError(f"{question.label}: {shown!r} is not allowed; "
                     f"allowed: {question.allowed()}")


def read_state(params: Iterable[tuple[str, str]], prefix: str = "") -> State:
    """The answers among ``params`` (names may carry ``prefix``); unknown names are ignored."""
    values: dict[str, Value] = {}
    errors: dict[str, str] = {}
    for key, raw in params:
        if not key.startswith(prefix):
            continue
        question = BY_NAME.get(key[len(prefix):])
        if question is None or raw.strip() == "":
            continue
        try:
            values[question.name] = _read(question, raw)
        except ValueError as error:
            errors[question.name] = str(error)
    values = upgrade_old_spellings(values)  # saved links with old spellings still load
    try:
        Context.model_validate(values)
    except ValidationError as error:  # a rule the form reading does not know about
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            if name in values:
                errors[name] = f"{BY_NAME[name].label}: {problem['msg']}"
                del values[name]
    return State(values, errors)


def mapping_state(data: Mapping[str, Any]) -> State:
    """The answers in a mapping read from an uploaded JSON or YAML file."""
    pairs: list[tuple[str, str]] = []
    errors: dict[str, str] = {}
    for key, value in data.items():
        name = str(key)
        if name not in BY_NAME:
            shown = name if len(name) <= 40 else name[:40] + "..."
            errors[name] = (f"{shown!r} is not a field of the context; fields: "
                            f"{', '.join(BY_NAME)}")
            continue
        if value is None:
            continue
        if isinstance(value, bool):
            pairs.append((name, "yes" if value else "no"))
        elif isinstance(value, int | str):
            pairs.append((name, str(value)))
        else:
            errors[name] = (f"{BY_NAME[name].label}: expected one value, not a "
                            f"{type(value).__name__}; allowed: {BY_NAME[name].allowed()}")
    state = read_state(pairs)
    return State(state.values, {**errors, **state.errors})


def describe_problem(problem: Mapping[str, Any]) -> str:
    """One validation problem: the field, the value given and the allowed values."""
    location = [str(part) for part in problem.get("loc", ()) if part != "body"]
    where = ".".join(location) or "body"
    question = BY_NAME.get(location[-1]) if location else None
    if question is None:
        if problem.get("type") == "extra_forbidden":
            return f"{where}: not a field of the context; fields: {', '.join(BY_NAME)}"
        return f"{where}: {problem.get('msg', 'not valid')}"
    shown = repr(problem.get("input"))
    shown = shown if len(shown) <= 40 else shown[:40] + "..."
    why = "" if question.options else f" ({problem.get('msg', 'not valid')})"
    return f"{where}: {shown} is not allowed{why}; allowed: {question.allowed()}"


def describe_validation_error(error: ValidationError) -> str:
    """Every problem in ``error``, separated by semicolons."""
    return "; ".join(describe_problem(problem) for problem in error.errors(include_url=False))
