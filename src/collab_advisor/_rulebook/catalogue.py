"""The rule catalogue: every rule in plain words, for reviewers who do not read YAML.

``rule_catalogue(rules)`` gives Markdown grouped by approach: each approach's
defining features, then every rule that gives it or takes from it points, with
its condition in words, its points, its rationale and its sources; then the
findings, the advice rules and any deprecated rules. ``scripts/rule_catalogue.py``
writes it to ``docs/rules.md``, and a test keeps that file current.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._model.context import Approach
from .._model.fields import FIELDS
from .._model.wording import describe_value, field_label, join_words
from .format import (
    AllOf,
    AnyOf,
    Condition,
    ConsiderationKind,
    FieldTest,
    FindingRef,
    GuidanceSection,
    Not,
    Rule,
    Source,
    Status,
    TopTest,
    cite_all,
)
from .ruleset import RuleSet
from .strength import Direction, StrengthClass, points_for

_SECTION = {
    Approach.QI_COLLABORATIVE: GuidanceSection.QIC,
    Approach.COMMUNITY_OF_PRACTICE: GuidanceSection.COP,
    Approach.MANAGED_CLINICAL_NETWORK: GuidanceSection.MCN,
    Approach.CLINICAL_COMMUNITY: GuidanceSection.CC,
}
_COMPARISONS = {"gt": "more than", "gte": "at least", "lt": "fewer than", "lte": "at most"}


def describe_condition(condition: Condition, rules: RuleSet) -> str:
    """A rule condition in plain words: 'time span is fixed term and aim is ...'."""
    if isinstance(condition, FieldTest):
        return _describe_test(condition)
    if isinstance(condition, FindingRef):
        finding = rules.findings.get(condition.finding)
        text = finding.text if finding is not None else condition.finding
        return f"it is established that {_lower_first(text)}"
    if isinstance(condition, TopTest):
        names = [a.display_name for a in condition.approaches]
        return f"{join_words(names, 'or')} ranks first"
    if isinstance(condition, AllOf):
        return join_words([_nested(c, rules) for c in condition.all])
    if isinstance(condition, AnyOf):
        parts = [_nested(c, rules) for c in condition.any]
        return parts[0] if len(parts) == 1 else "either " + join_words(parts, "or")
    if isinstance(condition, Not):
        return f"it is known that not ({describe_condition(condition.not_, rules)})"
    raise TypeError(f"unknown condition {type(condition).__name__}")  # pragma: no cover


def _nested(condition: Condition, rules: RuleSet) -> str:
    text = describe_condition(condition, rules)
    return f"({text})" if isinstance(condition, AllOf | AnyOf) else text


def _describe_test(test: FieldTest) -> str:
    label = field_label(test.field)
    operator, operand = test.operator, test.operand
    if operator in _COMPARISONS:
        return f"{label} is {_COMPARISONS[operator]} {operand}"
    if FIELDS[test.field].kind == "yes_no":
        values = operand if operator == "in" else [operand]
        if len(values) == 1:
            return f"{label}: {describe_value(test.field, values[0])}"
    values = operand if operator == "in" else [operand]
    return f"{label} is {join_words([describe_value(test.field, v) for v in values], 'or')}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _cites(sources: Iterable[Source]) -> str:
    return cite_all(sources)


def defining_features(rules: RuleSet, approach: Approach) -> list[str] | None:
    """The approach's declared defining features in words, or ``None`` when the rule set
    declares none (older rule sets).

    Hook: a rule set may carry ``defining_features``, either a mapping from approach (or
    its value) to declarations or a sequence of declarations that each name their
    ``approach``; each declaration has a condition (``when``) and optionally ``text`` and
    ``source``. Whatever form it takes, each declaration is shown in plain words.
    """
    declared: Any = getattr(rules, "defining_features", None)
    if not declared:
        return None
    items: Any = None
    if hasattr(declared, "get"):  # a mapping by approach
        items = declared.get(approach)
        if items is None:
            items = declared.get(approach.value)
    else:  # declarations that each name their approach
        items = [item for item in declared
                 if getattr(item, "approach", None) in (approach, approach.value)]
    if not items:
        return []
    lines = []
    for item in items if isinstance(items, list | tuple) else [items]:
        parts = []
        for name in ("text", "title", "description", "feature"):
            value = getattr(item, name, None)
            if isinstance(value, str) and value:
                parts.append(value)
                break
        when = getattr(item, "when", None)
        if when is not None:
            parts.append(f"holds when {describe_condition(when, rules)}")
        source = getattr(item, "source", None)
        if source:
            parts.append(f"*({_cites(source if isinstance(source, list | tuple) else [source])})*")
        strength = getattr(item, "strength", None)
        if strength is not None:  # the ledger's grade and the date the source was checked
            checked = getattr(item, "checked", None)
            parts.append(f"Grade: {strength.label}" + (f", checked {checked}." if checked
                                                        else "."))
        lines.append(" ".join(parts) if parts else str(item))
    return lines


def _score_entries(rules: RuleSet, approach: Approach) -> list[tuple[int, Rule, str, str]]:
    out = []
    for rule in rules.active:
        for effect in rule.score or ():
            if effect.approach is approach:
                out.append((effect.points, rule, effect.why,
                            _cites(effect.source or rule.source)))
    out.sort(key=lambda entry: (-entry[0], entry[1].id))
    return out


def rule_catalogue(rules: RuleSet) -> str:
    """The whole catalogue in Markdown."""
    active = rules.active
    scoring = [r for r in active if r.score]
    lines = [
        "# The rules in plain words",
        "",
        "Generated by `python scripts/rule_catalogue.py` from the YAML files in "
        "[`rules/`](../rules/); do not edit by hand.",
        f"Rules {rules.version} (fingerprint {rules.fingerprint[:12]}): {len(active)} rules "
        f"that run ({len(scoring)} scoring, "
        f"{sum(1 for r in active if r.concludes)} establishing findings, "
        f"{sum(1 for r in active if r.advise)} advice) and {len(rules.findings)} findings.",
        "",
        "A rule fires only when what is known makes its condition certain: a question not "
        "answered yet never satisfies a test, negated or not. Points add up per approach; "
        "the highest total ranks first. Approaches level on points at the top are "
        "separated by the stated tie-break (more of their defining features holding, then "
        "typical, then hedged; rules/PRINCIPLES.md); a tie it leaves stands as a tie, and "
        "the order of the sections below only lists.",
        "",
        "Each reason carries a grade: the strength class of the feature it rests on, as a "
        "symbol and a word (" + ", ".join(s.label for s in StrengthClass) + "), and the "
        "kind of source (guidance, published study, design document or local decision). "
        "A ranking is summed up in one line, such as 'first place rests on 2 defining and "
        "1 design-document reasons'. Every face shows both: the text, Markdown and HTML "
        "reports, the one-screen view, the web page, team reports, and the JSON and API "
        "(each reason's `grade`, `strength` and `source_kind`; the ranking's "
        "`grade_summary`). The points of a shipped rule come from its feature's "
        "class and its direction (rules/PRINCIPLES.md): "
        + "; ".join(f"{s.word} {points_for(s, Direction.FOR):+d} for, "
                    f"{points_for(s, Direction.AGAINST):+d} against" for s in StrengthClass)
        + ".",
        "",
    ]
    for approach in Approach:
        lines += _approach_section(rules, approach)
    lines += _findings_section(rules)
    lines += _advice_section(rules)
    deprecated = [r for r in rules.rules if r.status is Status.DEPRECATED]
    if deprecated:
        lines += ["## Deprecated rules (validated, never run)", ""]
        lines += [f"- `{r.id}`: {r.title}" for r in deprecated]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _approach_section(rules: RuleSet, approach: Approach) -> list[str]:
    entries = _score_entries(rules, approach)
    gains = sum(p for p, *_ in entries if p > 0)
    losses = sum(p for p, *_ in entries if p < 0)
    lines = [f"## {approach.display_name}", "", approach.description, "",
             "### Defining features", ""]
    declared = defining_features(rules, approach)
    if declared is not None:
        lines += [f"- {text}" for text in declared] or ["- None declared."]
    else:
        own = [rule for points, rule, *_ in entries
               if points > 0 and any(s.guidance is _SECTION[approach] for s in rule.source)]
        lines.append("This rule set declares no defining features; the rules that give this "
                     "approach points from the guidance's own section on it are: "
                     + (", ".join(f"`{r.id}`" for r in own) or "none") + ".")
    lines += ["", f"### Rules that score it ({len(entries)}: up to +{gains}, down to "
              f"{losses} in all)", ""]
    for points, rule, why, cited in entries:
        grade = rules.grade(rule.id)
        lines += [f"- **{points:+d}** `{rule.id}`{_status(rule)}: when "
                  f"{describe_condition(rule.when, rules)}.",
                  f"  {why}",
                  f"  *Source: {cited}.* Grade: {grade.label}"
                  + (f" (feature `{grade.feature}`)." if grade.feature else ".")]
    lines.append("")
    return lines


def _status(rule: Rule) -> str:
    return "" if rule.status is Status.STABLE else f" ({rule.status.value})"


def _findings_section(rules: RuleSet) -> list[str]:
    lines = ["## Findings (intermediate conclusions rules build on)", ""]
    for finding_id in sorted(rules.findings):
        lines.append(f"- **{finding_id}**: {rules.findings[finding_id].text}.")
        for rule in rules.active:
            if rule.concludes == finding_id:
                lines.append(f"  - `{rule.id}`{_status(rule)}: when "
                             f"{describe_condition(rule.when, rules)}. "
                             f"*Source: {_cites(rule.source)}.*")
    lines.append("")
    return lines


def _advice_section(rules: RuleSet) -> list[str]:
    lines = ["## Considerations (advice rules: no points)", "",
             "Every result lists all eight key considerations; these rules say when the "
             "context itself raises one. The rest show as general reminders.", ""]
    for kind in ConsiderationKind:
        advising = [r for r in rules.active if r.advise and r.advise.consideration is kind]
        if not advising:
            continue
        lines += [f"### {kind.heading}", ""]
        for rule in advising:
            assert rule.advise is not None
            lines += [f"- `{rule.id}`{_status(rule)}: when "
                      f"{describe_condition(rule.when, rules)}.",
                      f"  {rule.advise.why}",
                      f"  *Source: {_cites(rule.source)}.*"]
        lines.append("")
    return lines
