"""The checks only a whole rule set can make: unique ids, declared findings, field names
and values against the context model, cycles among findings, and the budgets that keep
loading and analysing a set bounded. Rules that pass are compiled here, once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from .._errors import RuleProblem, nearest
from .._model.context import MAX_SITES, Context
from .._model.fields import FIELDS, RULE_FIELDS
from .compile import (
    MAX_DISJUNCTS,
    MAX_SET_EXPANSION,
    TOP_FIELD,
    ConditionTooComplexError,
    compile_condition,
    compile_rule,
    expansion_of,
    values_of,
)
from .format import (
    COMPARISONS,
    AllOf,
    AnyOf,
    Condition,
    DefiningFeature,
    FieldTest,
    FindingRef,
    Not,
    Rule,
    Status,
    TopTest,
)
from .ledger import check_ledger
from .loadprogress import report_progress
from .oldvalues import upgrade_old_values
from .reading import Collected, Placed

MAX_CONDITION_DEPTH = 12
"""Conditions nested deeper than this are refused: no real rule needs it."""

def _short_number(number: int) -> str:
    """A whole number as written, or its length when it is too long to read in a message."""
    if number.bit_length() <= 64:
        return str(number)
    return f"a number of about {int(number.bit_length() * 0.30103) + 1:,} digits"


# -- checks that need the whole set ---------------------------------------------------


def _unique_ids(items: list[Placed], kind: str, problems: list[RuleProblem]) -> dict[str, Placed]:
    """The first item of each id; every later item with the same id is a problem."""
    first_of: dict[str, Placed] = {}
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


def check_whole_set(found: Collected, problems: list[RuleProblem]) -> None:
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
            report_progress("compiling rules", done, len(ready))
            _compile(placed, problems)
    for placed in found.broken_conditions:
        _check_condition(placed, placed.item, ("when",), False, 0, declared, problems)
    _check_cycles(found, problems)
    _unique_ids(found.features, "defining feature", problems)
    for placed in found.features:
        _check_feature(placed, problems)


def _check_rule(placed: Placed, declared: dict[str, Placed],
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


def _within_set_budget(ready: list[Placed], problems: list[RuleProblem]) -> bool:
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


def _within_work_budget(ready: list[Placed], problems: list[RuleProblem]) -> bool:
    """Count the cells the analyses would work through, before compiling any rule; past
    ``MAX_TABLE_CELLS``, or with a count field split into more than ``MAX_COUNT_CLASSES``
    ranges, refuse the set at the rule that goes over, naming the largest."""
    cuts: dict[str, dict[int, Placed]] = {}
    tested: list[tuple[Placed, set[str], int]] = []
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
    counted: list[tuple[int, Placed]] = []
    crossing: Placed | None = None
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


def _compile(placed: Placed, problems: list[RuleProblem]) -> None:
    """Compile a checked rule, once."""
    try:
        placed.compiled = compile_rule(placed.item)
        if not placed.compiled.disjuncts:
            problems.append(placed.problem(
                "the condition can never be true (its tests contradict each other)",
                ("when",)))
    except ConditionTooComplexError as error:
        problems.append(placed.problem(str(error), ("when",)))


def _check_feature(placed: Placed, problems: list[RuleProblem]) -> None:
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


def _check_feature_condition(placed: Placed, condition: Condition,
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


def _check_condition(placed: Placed, condition: Condition, rel: tuple[str | int, ...],
                     negated: bool, depth: int, declared: dict[str, Placed],
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


def _check_field_test(placed: Placed, test: FieldTest, rel: tuple[str | int, ...],
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


def _check_cycles(found: Collected, problems: list[RuleProblem]) -> None:
    """Findings that depend on themselves (through any chain of rules) are refused."""
    edges: dict[str, set[str]] = {}
    closing: dict[tuple[str, str], Placed] = {}
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
