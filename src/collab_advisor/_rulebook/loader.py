"""Reading rule files into a ``RuleSet``, reporting every problem at once.

Loading validates everything before anything runs: YAML syntax, the shape of
each rule (pydantic), then what only the whole set can tell: field names and
values against the context model, declared findings, duplicate ids and cycles
among findings. Each problem names its file, line, rule and field, and
suggests the nearest valid name where there is one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .._errors import RuleFileError, RuleProblem, nearest
from .._model.context import MAX_DIGITS, MAX_SITES, Context, LongNumber
from .._model.fields import FIELDS, RULE_FIELDS
from .collector import collection_paused
from .compile import (
    MAX_DISJUNCTS,
    MAX_SET_EXPANSION,
    TOP_FIELD,
    CompiledRule,
    ConditionTooComplexError,
    compile_condition,
    compile_rule,
    expansion_of,
    values_of,
)
from .files import InputFileError, parse_json, read_rule_text
from .format import (
    COMPARISONS,
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
    Status,
    TopTest,
)
from .ledger import check_ledger
from .oldvalues import upgrade_old_values
from .ruleset import RuleLocation, RuleSet
from .yamlsource import YamlDocument, YamlReadError, read_yaml

MAX_CONDITION_DEPTH = 12
"""Conditions nested deeper than this are refused: no real rule needs it."""

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


def shipped_rules_dir() -> Path:
    """The folder of rules that ships with the library."""
    packaged = resources.files("collab_advisor") / "rules"
    if packaged.is_dir():  # installed from a wheel
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "rules"  # a source checkout


def shipped_rule_files() -> list[Path]:
    """The shipped rule files, in the order they are read."""
    return list(_rule_files([shipped_rules_dir()], []))


LOAD_PROGRESS: ContextVar[Callable[[str, int, int], None] | None] = ContextVar(
    "collab_advisor_load_progress", default=None)
"""Set (by the command line) to hear how a long load goes: (stage, done, total)."""
_PROGRESS_EVERY = 50


def _report(stage: str, done: int, total: int) -> None:
    hook = LOAD_PROGRESS.get()
    if hook is not None and (done in (0, total) or done % _PROGRESS_EVERY == 0):
        hook(stage, done, total)


def load_rules(*paths: str | os.PathLike[str]) -> RuleSet:
    """Read rule files into a new, validated ``RuleSet``.

    With no arguments, the shipped rules (from their checked snapshot when it matches
    the shipped files, see ``snapshot.py``; the same rule set either way). Each path
    is a ``.yaml``/``.yml`` file or a folder of them. Raises ``RuleFileError`` listing every problem
    found in all the files; nothing is half loaded.
    """
    with collection_paused():
        return _load(paths)




def _load(paths: Sequence[str | os.PathLike[str]]) -> RuleSet:
    problems: list[RuleProblem] = []
    files = list(_rule_files([Path(p) for p in paths] or [shipped_rules_dir()], problems))
    if not paths and files and not problems:
        from .snapshot import from_snapshot

        # The shipped rules, already checked: read from their snapshot when it was made
        # from exactly these files (no PyYAML, no checks, a few milliseconds).
        shipped = from_snapshot(files)
        if shipped is not None:
            return shipped
    collected = _Collected()
    for path in files:
        _report(f"reading {path.name}", 0, 0)
        _read_file(path, collected, problems)
    if not files and not problems:
        problems.append(RuleProblem(None, None, "no rule files were given"))
    _check_whole_set(collected, problems)
    if problems:
        problems.sort(key=lambda p: (str(p.path), p.line or 0))
        raise RuleFileError(problems)
    return _build(collected, files)


def _rule_files(paths: Sequence[Path], problems: list[RuleProblem]) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                problems.append(RuleProblem(path, None, "this folder holds no .yaml rule files"))
        elif path.exists():  # _read_file refuses what is not a regular file, saying what it is
            found = [path]
        else:
            problems.append(RuleProblem(path, None, "no such file or folder"))
            found = []
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                yield file


@dataclass
class _Placed:
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


class _Collected:
    def __init__(self) -> None:
        self.rules: list[_Placed] = []
        self.findings: list[_Placed] = []
        self.features: list[_Placed] = []
        self.broken_conditions: list[_Placed] = []
        """Valid conditions of rules that failed elsewhere: still checked, so that
        one pass reports every problem."""
        self.versions: set[str] = set()


def _read_file(path: Path, out: _Collected, problems: list[RuleProblem]) -> None:
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
    sections: tuple[tuple[str, TypeAdapter[Any], list[_Placed]], ...] = (
        ("findings", _FINDING, out.findings), ("rules", _RULE, out.rules),
        ("defining_features", _FEATURE, out.features))
    for key, adapter, bucket in sections:
        items = data.get(key, [])
        if not isinstance(items, list):
            problems.append(RuleProblem(path, doc.line_of((key,)), f"'{key}' must be a list"))
            continue
        for index, raw in enumerate(items):
            _report(f"checking {path.name}", index + 1, len(items))
            try:
                item = adapter.validate_python(raw)
            except ValidationError as error:
                problems.extend(_from_validation(error, path, doc, (key, index), raw))
                if key == "rules":
                    _keep_condition(raw, _Placed(None, path, doc, (key, index),
                                                 _raw_id(raw)), out)
            except RecursionError:
                problems.append(RuleProblem(
                    path, doc.line_of((key, index)), "nested too deeply to read",
                    _raw_id(raw)))
            else:
                rule_id = item.id if isinstance(item, (Rule, DefiningFeature)) else None
                bucket.append(_Placed(item, path, doc, (key, index), rule_id))


def _keep_condition(raw: object, placed: _Placed, out: _Collected) -> None:
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


def _short_number(number: int) -> str:
    """A whole number as written, or its length when it is too long to read in a message."""
    if number.bit_length() <= 64:
        return str(number)
    return f"a number of about {int(number.bit_length() * 0.30103) + 1:,} digits"


# -- checks that need the whole set ---------------------------------------------------


def _unique_ids(items: list[_Placed], kind: str, problems: list[RuleProblem]) -> dict[str, _Placed]:
    """The first item of each id; every later item with the same id is a problem."""
    first_of: dict[str, _Placed] = {}
    for placed in items:
        item_id: str = placed.item.id
        if item_id in first_of:
            first = first_of[item_id]
            problems.append(placed.problem(
                f"{kind} id '{item_id}' is used twice (first at {first.path}:{first.line}); "
                "ids must be unique", ("id",)))
        else:
            first_of[item_id] = placed
    return first_of


def _check_whole_set(found: _Collected, problems: list[RuleProblem]) -> None:
    upgrade_old_values([*found.rules, *found.features])  # old values, with a warning
    declared = _unique_ids(found.findings, "finding", problems)
    _unique_ids(found.rules, "rule", problems)
    for placed in found.rules:
        _check_rule(placed, declared, problems)
    check_ledger(found.rules, found.features, problems)  # points from the strength table
    troubled = {problem.rule_id for problem in problems}
    ready = [placed for placed in found.rules if placed.item.id not in troubled]
    if _within_set_budget(ready, problems) and _within_work_budget(ready, problems):
        for done, placed in enumerate(ready, start=1):
            _report("compiling rules", done, len(ready))
            _compile(placed, problems)
    for placed in found.broken_conditions:
        _check_condition(placed, placed.item, ("when",), False, 0, declared, problems)
    _check_cycles(found, problems)
    _unique_ids(found.features, "defining feature", problems)
    for placed in found.features:
        _check_feature(placed, problems)


def _check_rule(placed: _Placed, declared: dict[str, _Placed],
                problems: list[RuleProblem]) -> None:
    rule: Rule = placed.item
    _check_condition(placed, rule.when, ("when",), False, 0, declared, problems)
    if rule.concludes is not None and rule.concludes not in declared:
        problems.append(placed.problem(
            f"concludes '{rule.concludes}', which no rule file declares under 'findings'",
            ("concludes",), suggestion=nearest(rule.concludes, declared)))
    counted: set[str] = set()
    for index, effect in enumerate(rule.score or ()):
        if effect.approach in counted:
            problems.append(placed.problem(
                f"scores '{effect.approach.value}' twice; give one entry per approach",
                ("score", index, "approach")))
        counted.add(effect.approach)
    for index, example in enumerate(rule.examples):
        try:
            Context.model_validate(example.context)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                rel = ("examples", index, "context", *detail["loc"])
                field = str(detail["loc"][0]) if detail["loc"] else ""
                spec = FIELDS.get(field)
                if spec is None:
                    message = f"example context: '{field}' is not a context field"
                else:
                    message = f"example context: {detail['msg']}"
                    if detail["type"] != "enum":
                        message += f" (allowed: {spec.describe_allowed()})"
                problems.append(placed.problem(
                    message, rel,
                    key=detail["type"] == "extra_forbidden",
                    suggestion=nearest(field, FIELDS) if spec is None else None))


def _within_set_budget(ready: list[_Placed], problems: list[RuleProblem]) -> bool:
    """Count the alternatives every rule's compile would work through, before compiling
    any; if together they exceed ``MAX_SET_EXPANSION``, refuse the set, naming the rules
    that expand most (a single rule over its own limit is named by its compile)."""
    counts = [(min(expansion_of(placed.item.when), MAX_DISJUNCTS + 1), placed)
              for placed in ready]
    total = sum(count for count, _ in counts)
    if total <= MAX_SET_EXPANSION:
        return True
    largest = sorted(counts, key=lambda pair: -pair[0])[:5]  # stable: in file order
    named = ", ".join(f"'{placed.item.id}' ({count})" for count, placed in largest)
    problems.append(largest[0][1].problem(
        f"the rules together expand into {total:,} alternatives, more than the "
        f"{MAX_SET_EXPANSION:,} a rule set may (each rule's 'when' counts the alternatives "
        f"it expands into); the largest: {named}; use fewer rules, or simpler conditions",
        ("when",)))
    return False


MAX_TABLE_CELLS = 50_000
"""The most cells the analyses' tables may hold for a rule set, counted at load.

A rule's table has a cell for each combination of the values of the fields it tests
(each count field split at the thresholds the rules use, each finding yes or no); the
outlook, fit, settledness and path analyses work through these tables for every
recommendation. Measured on a 2-core machine, a call costs roughly 20 to 50 us per cell
(the shipped rules have about 400), so at this budget no call on a custom rule file
takes more than a few seconds. The issue's 780 wide rules would need about 2 million."""

MAX_COUNT_CLASSES = 64
"""The most ranges the rules may split a count field (``sites``) into, counted at load:
each threshold adds one, and each costs the analyses more than a choice's value does
(the shipped rules use 5)."""


def _within_work_budget(ready: list[_Placed], problems: list[RuleProblem]) -> bool:
    """Count the cells the analyses would work through, before compiling any rule; past
    ``MAX_TABLE_CELLS``, or with a count field split into more than ``MAX_COUNT_CLASSES``
    ranges, refuse the set at the rule that goes over, naming the largest."""
    cuts: dict[str, dict[int, _Placed]] = {}
    tested: list[tuple[_Placed, set[str], int]] = []
    for placed in ready:
        fields: set[str] = set()
        findings = 0
        for test in _tests_of(placed.item.when):
            if isinstance(test, FieldTest):
                fields.add(test.field)
                if test.operator in COMPARISONS and isinstance(test.operand, int):
                    cut = test.operand + (1 if test.operator in ("gt", "lte") else 0)
                    cuts.setdefault(test.field, {}).setdefault(cut, placed)
            elif isinstance(test, FindingRef):
                findings += 1
            else:
                fields.add(TOP_FIELD)
        tested.append((placed, fields, findings))
    for field, points in cuts.items():
        if len(points) + 1 > MAX_COUNT_CLASSES:
            past = list(points.values())[MAX_COUNT_CLASSES - 1]
            problems.append(past.problem(
                f"the rules compare '{field}' with {len(points):,} different thresholds, "
                f"splitting it into {len(points) + 1:,} ranges, more than the "
                f"{MAX_COUNT_CLASSES} the analyses take (each range is worked through in "
                "every recommendation); this rule's threshold is the first past it; use "
                "fewer distinct thresholds", ("when",)))
            return False
    sizes = {field: len(points) + 1 for field, points in cuts.items()}
    total = 0
    counted: list[tuple[int, _Placed]] = []
    crossing: _Placed | None = None
    for placed, fields, findings in tested:
        cells = 2 ** min(findings, 40)
        for field in fields:
            cells *= sizes.get(field) or max(1, len(values_of(field)))
        total += cells
        counted.append((cells, placed))
        if total > MAX_TABLE_CELLS and crossing is None:
            crossing = placed
    if crossing is None:
        return True
    largest = sorted(counted, key=lambda pair: -pair[0])[:3]
    named = ", ".join(f"'{placed.item.id}' ({cells:,})" for cells, placed in largest)
    problems.append(crossing.problem(
        f"the rules' analysis tables would hold {total:,} cells, more than the "
        f"{MAX_TABLE_CELLS:,} the analyses work through in a few seconds (a rule has a "
        "cell for each combination of the values of the fields it tests); the total "
        f"passes it at this rule; the largest: {named}; use fewer rules, or rules that "
        "test fewer fields at once", ("when",)))
    return False


def _tests_of(condition: Condition) -> Iterator[FieldTest | FindingRef | TopTest]:
    """Every test in a condition, however deeply nested."""
    stack: list[Condition] = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, AllOf):
            stack.extend(node.all)
        elif isinstance(node, AnyOf):
            stack.extend(node.any)
        elif isinstance(node, Not):
            stack.append(node.not_)
        else:
            yield node


def _compile(placed: _Placed, problems: list[RuleProblem]) -> None:
    """Compile a checked rule, once."""
    try:
        placed.compiled = compile_rule(placed.item)
        if not placed.compiled.disjuncts:
            problems.append(placed.problem(
                "the condition can never be true (its tests contradict each other)",
                ("when",)))
    except ConditionTooComplexError as error:
        problems.append(placed.problem(str(error), ("when",)))


def _check_feature(placed: _Placed, problems: list[RuleProblem]) -> None:
    feature: DefiningFeature = placed.item
    before = len(problems)
    _check_feature_condition(placed, feature.when, ("when",), 0, problems)
    if len(problems) == before:
        try:
            if not compile_condition(feature.when):
                problems.append(placed.problem(
                    "the condition can never be true (its tests contradict each other)",
                    ("when",)))
        except ConditionTooComplexError as error:
            problems.append(placed.problem(str(error), ("when",)))


def _check_feature_condition(placed: _Placed, condition: Condition,
                             rel: tuple[str | int, ...], depth: int,
                             problems: list[RuleProblem]) -> None:
    """A defining feature describes the context itself: field tests only."""
    if depth > MAX_CONDITION_DEPTH:
        problems.append(placed.problem(
            f"the condition is nested more than {MAX_CONDITION_DEPTH} levels deep", rel))
    elif isinstance(condition, FieldTest):
        _check_field_test(placed, condition, rel, problems)
    elif isinstance(condition, (FindingRef, TopTest)):
        key = "finding" if isinstance(condition, FindingRef) else "top"
        problems.append(placed.problem(
            f"a defining feature tests context fields only, not '{key}': it says what the "
            "context is, before any rule has run", (*rel, key)))
    elif isinstance(condition, Not):
        _check_feature_condition(placed, condition.not_, (*rel, "not"), depth + 1, problems)
    else:
        key = "all" if isinstance(condition, AllOf) else "any"
        children = condition.all if isinstance(condition, AllOf) else condition.any
        for index, child in enumerate(children):
            _check_feature_condition(placed, child, (*rel, key, index), depth + 1, problems)


def _check_condition(placed: _Placed, condition: Condition, rel: tuple[str | int, ...],
                     negated: bool, depth: int, declared: dict[str, _Placed],
                     problems: list[RuleProblem]) -> None:
    if depth > MAX_CONDITION_DEPTH:
        problems.append(placed.problem(
            f"the condition is nested more than {MAX_CONDITION_DEPTH} levels deep", rel))
        return
    if isinstance(condition, FieldTest):
        _check_field_test(placed, condition, rel, problems)
    elif isinstance(condition, FindingRef):
        if condition.finding not in declared:
            problems.append(placed.problem(
                f"uses finding '{condition.finding}', which no rule file declares",
                (*rel, "finding"), suggestion=nearest(condition.finding, declared)))
        if negated:
            problems.append(placed.problem(
                "a finding cannot be used under 'not': a finding that is not established "
                "yet may still be, so its absence proves nothing", (*rel, "finding")))
    elif isinstance(condition, TopTest):
        if isinstance(placed.item, Rule) and placed.item.advise is None:
            problems.append(placed.problem(
                "'top' can only be tested by rules that 'advise': the ranking is not known "
                "until the scoring rules have run", (*rel, "top")))
    elif isinstance(condition, Not):
        _check_condition(placed, condition.not_, (*rel, "not"), not negated, depth + 1,
                         declared, problems)
    else:
        key = "all" if isinstance(condition, AllOf) else "any"
        children = condition.all if isinstance(condition, AllOf) else condition.any
        for index, child in enumerate(children):
            _check_condition(placed, child, (*rel, key, index), negated, depth + 1,
                             declared, problems)


def _check_field_test(placed: _Placed, test: FieldTest, rel: tuple[str | int, ...],
                      problems: list[RuleProblem]) -> None:
    spec = RULE_FIELDS.get(test.field)
    if spec is None:
        reason = ("is free text, which rules do not test" if test.field in FIELDS
                  else "is not a context field")
        problems.append(placed.problem(
            f"'{test.field}' {reason}; rules can test: {', '.join(RULE_FIELDS)}",
            (*rel, "field"), suggestion=nearest(test.field, RULE_FIELDS)))
        return
    operator, operand = test.operator, test.operand
    at = (*rel, operator)
    if spec.kind == "count":
        if operator == "in":
            problems.append(placed.problem(
                f"'{spec.name}' is a count: use equals, gt, gte, lt or lte, not 'in'", at))
        elif isinstance(operand, bool) or not isinstance(operand, int):
            problems.append(placed.problem(
                f"'{spec.name}' is a count: compare it with a whole number, not {operand!r}", at))
        elif not 0 <= operand <= MAX_SITES:
            problems.append(placed.problem(
                f"'{spec.name}' is compared with {_short_number(operand)}; use a number "
                f"from 0 to {MAX_SITES}",
                at))
        return
    if operator in COMPARISONS:
        problems.append(placed.problem(
            f"'{operator}' compares counts, but '{spec.name}' is a choice; "
            f"use 'equals' or 'in' with {spec.describe_allowed()}", at))
        return
    values = operand if operator == "in" else [operand]
    for index, value in enumerate(values):
        where = (*at, index) if operator == "in" else at
        if value in spec.values and type(value) is type(spec.values[0]):
            continue
        if spec.kind == "yes_no":
            message = f"'{spec.name}' is yes or no: write true or false (no quotes), not {value!r}"
            suggestion = None
        else:
            message = (f"{value!r} is not a value of '{spec.name}'; "
                       f"allowed: {spec.describe_allowed()}")
            suggestion = nearest(str(value), [str(v) for v in spec.values])
        problems.append(placed.problem(message, where, suggestion=suggestion))


def _check_cycles(found: _Collected, problems: list[RuleProblem]) -> None:
    """Findings that depend on themselves (through any chain of rules) are refused."""
    edges: dict[str, set[str]] = {}
    closing: dict[tuple[str, str], _Placed] = {}
    for placed in found.rules:
        rule: Rule = placed.item
        if rule.concludes is None or rule.status is Status.DEPRECATED:
            continue
        for used in _findings_in(rule.when):
            edges.setdefault(used, set()).add(rule.concludes)
            closing.setdefault((used, rule.concludes), placed)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        trail.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycle = [*trail[trail.index(target):], target]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    placed = closing[(node, target)]
                    problems.append(placed.problem(
                        "findings form a cycle, so none of them could ever be established: "
                        + " -> ".join(cycle), ("concludes",)))
            elif target not in state:
                visit(target, trail)
        trail.pop()
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [])


def _findings_in(condition: Condition) -> Iterable[str]:
    if isinstance(condition, FindingRef):
        yield condition.finding
    elif isinstance(condition, Not):
        yield from _findings_in(condition.not_)
    elif isinstance(condition, (AllOf, AnyOf)):
        for child in condition.all if isinstance(condition, AllOf) else condition.any:
            yield from _findings_in(child)


def _build(found: _Collected, files: list[Path]) -> RuleSet:
    locations = {
        placed.item.id: RuleLocation(placed.path, placed.line)
        for placed in found.rules
    }
    return RuleSet(
        rules=tuple(placed.item for placed in found.rules),
        findings={placed.item.id: placed.item for placed in found.findings},
        version="+".join(sorted(found.versions)),
        paths=tuple(files),
        locations=locations,
        defining_features=tuple(placed.item for placed in found.features),
        precompiled={placed.item.id: placed.compiled for placed in found.rules
                     if placed.compiled is not None},
    )
