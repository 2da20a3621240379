"""Reading one rule file: YAML into validated rules, findings and defining features,
each placed at its file and line; every shape problem reported with its place."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .._errors import RuleProblem, nearest
from .._model.context import MAX_DIGITS, LongNumber
from .compile import (
    CompiledRule,
)
from .files import InputFileError, parse_json, read_rule_text
from .format import (
    CONDITION_TAGS,
    SCHEMA_VERSION,
    Advice,
    AllOf,
    AnyOf,
    Condition,
    DefiningFeature,
    Example,
    FieldTest,
    FindingDecl,
    FindingRef,
    Not,
    Rule,
    RuleFile,
    ScoreEffect,
    Source,
    TopTest,
)
from .loadprogress import report_progress
from .yamlsource import YamlDocument, YamlReadError, read_yaml

_RULE = TypeAdapter(Rule)
_CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)
_FINDING = TypeAdapter(FindingDecl)
_FEATURE = TypeAdapter(DefiningFeature)
_TAG_NAMES = frozenset(CONDITION_TAGS.values())
_KNOWN_KEYS = sorted(
    {
        field.alias or name
        for model in (RuleFile, Rule, FindingDecl, DefiningFeature, ScoreEffect, Source, Example,
                      Advice, FieldTest, FindingRef, TopTest, AllOf, AnyOf, Not)
        for name, field in model.model_fields.items()
    }
)
_ID_HELP = "ids are lower-case words and digits joined by hyphens, such as 'qic-fixed-term'"
_PATTERN_HELP = {
    "id": _ID_HELP,
    "concludes": _ID_HELP,
    "finding": _ID_HELP,
    "ruleset_version": "expected a version number such as 1.0.0",
    "doi": "expected a DOI such as 10.1136/bmjqs-2017-006926, without the https://doi.org/ part",
}


@dataclass
class Placed:
    """A validated rule or finding with the document it came from."""

    item: Any
    path: Path
    doc: YamlDocument
    loc: tuple[str | int, ...]
    rule_id: str | None = None
    compiled: CompiledRule | None = None
    """The rule in the engines' form, once compiled (each rule is compiled once)."""

    @property
    def line(self) -> int | None:
        return self.doc.line_of(self.loc)

    def problem(self, message: str, rel: Sequence[str | int] = (), *,
                key: bool = False, suggestion: str | None = None) -> RuleProblem:
        full = (*self.loc, *rel)
        line = self.doc.key_line(full) if key else self.doc.line_of(full)
        return RuleProblem(self.path, line, message, self.rule_id, _dotted(rel) or None,
                           suggestion)


class Collected:
    def __init__(self) -> None:
        self.rules: list[Placed] = []
        self.findings: list[Placed] = []
        self.features: list[Placed] = []
        self.broken_conditions: list[Placed] = []
        """Valid conditions of rules that failed elsewhere: still checked, so that
        one pass reports every problem."""
        self.versions: set[str] = set()


def read_file(path: Path, out: Collected, problems: list[RuleProblem]) -> None:
    try:
        text = read_rule_text(path)
    except InputFileError as error:
        problems.append(RuleProblem(path, error.line, error.reason))
        return
    if path.suffix.lower() == ".json":  # JSON is read as JSON first: no YAML leniency
        try:
            parse_json(text, str(path))
        except InputFileError as error:
            problems.append(RuleProblem(path, error.line, error.reason))
            return
    try:
        doc = read_yaml(text)
    except YamlReadError as error:
        problems.append(RuleProblem(path, error.line, error.message))
        return
    data = doc.data
    if not isinstance(data, dict):
        problems.append(RuleProblem(
            path, doc.line_of(()),
            "a rule file is a mapping with schema_version, ruleset_version and rules",
        ))
        return
    header = {key: value for key, value in data.items()
              if key not in ("rules", "findings", "defining_features")}
    try:
        parsed = RuleFile.model_validate(header)
    except ValidationError as error:
        problems.extend(_from_validation(error, path, doc, (), data))
    else:
        out.versions.add(parsed.ruleset_version)
    sections: tuple[tuple[str, TypeAdapter[Any], list[Placed]], ...] = (
        ("findings", _FINDING, out.findings), ("rules", _RULE, out.rules),
        ("defining_features", _FEATURE, out.features))
    for key, adapter, bucket in sections:
        items = data.get(key, [])
        if not isinstance(items, list):
            problems.append(RuleProblem(path, doc.line_of((key,)), f"'{key}' must be a list"))
            continue
        for index, raw in enumerate(items):
            report_progress(f"checking {path.name}", index + 1, len(items))
            try:
                item = adapter.validate_python(raw)
            except ValidationError as error:
                problems.extend(_from_validation(error, path, doc, (key, index), raw))
                if key == "rules":
                    _keep_condition(raw, Placed(None, path, doc, (key, index),
                                                 _raw_id(raw)), out)
            except RecursionError:
                problems.append(RuleProblem(
                    path, doc.line_of((key, index)), "nested too deeply to read",
                    _raw_id(raw)))
            else:
                rule_id = item.id if isinstance(item, (Rule, DefiningFeature)) else None
                bucket.append(Placed(item, path, doc, (key, index), rule_id))


def _keep_condition(raw: object, placed: Placed, out: Collected) -> None:
    if not isinstance(raw, dict) or "when" not in raw:
        return
    try:
        placed.item = _CONDITION.validate_python(raw["when"])
    except (ValidationError, RecursionError):
        return  # already reported as part of the rule
    out.broken_conditions.append(placed)


def _raw_id(raw: object) -> str | None:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return str(raw["id"])
    return None


def _dotted(loc: Sequence[object]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part not in _TAG_NAMES:
            text += f".{part}" if text else str(part)
    return text


def _from_validation(error: ValidationError, path: Path, doc: YamlDocument,
                     prefix: tuple[str | int, ...], raw: object) -> Iterator[RuleProblem]:
    rule_id = _raw_id(raw) if prefix[:1] in (("rules",), ("defining_features",)) else None
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        kind = detail["type"]
        suggestion: str | None = None
        last = next((p for p in reversed(loc) if isinstance(p, str) and p not in _TAG_NAMES), "")
        if kind == "extra_forbidden":
            message = f"unknown key '{last}'"
            suggestion = nearest(str(last), _KNOWN_KEYS)
            line = doc.key_line((*prefix, *loc))
        else:
            line = doc.line_of((*prefix, *loc))
            if kind == "missing":
                message = f"'{last}' is required"
            elif kind in ("enum", "literal_error"):
                expected = detail.get("ctx", {}).get("expected", "")
                got = detail.get("input")
                message = f"{got!r} is not allowed here; expected {expected}"
                if isinstance(got, str):
                    options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
                    suggestion = nearest(got, options)
                if last == "schema_version":
                    message = (f"this library reads schema_version {SCHEMA_VERSION}; "
                               f"got {got!r}")
            elif kind == "string_type" and last == "ruleset_version":
                message = ("expected a version number such as 1.0.0; put it in quotes "
                           "if YAML reads it as a number")
            elif kind in ("model_type", "dict_type", "model_attributes_type"):
                what = {"rules": "a rule", "findings": "a finding",
                        "defining_features": "a defining feature"}.get(str(prefix[0]), "")
                message = (f"expected {what or 'a mapping'} written as key: value pairs, "
                           f"got {type(detail.get('input')).__name__}")
            elif isinstance(detail.get("input"), LongNumber):
                message = (f"{detail['input'].digits:,} digits is far too long for a number "
                           f"here; the most is {MAX_DIGITS} digits")
            elif kind == "string_pattern_mismatch" and last in _PATTERN_HELP:
                message = f"{detail.get('input')!r} is not valid: {_PATTERN_HELP[str(last)]}"
            else:
                message = str(detail["msg"]).removeprefix("Value error, ")
        yield RuleProblem(path, line, message, rule_id, _dotted(loc) or None, suggestion)


