"""The feature ledger: checks that every point rests on one declared feature, the points
that follow from its strength class, each reason's grade, and the stated tie-break.

The loader calls ``check_ledger`` before compiling, so a rule that names a feature runs
with the points the strength table gives it (``strength.POINTS``). A rule file that says
``ledger: strict`` (the shipped files do) is held to every principle of
``rules/PRINCIPLES.md`` a program can check; an organisation's own file may still give
points directly, and its reasons are graded as local decisions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .._model.context import Approach
from .compile import ConditionTooComplexError, compile_condition
from .format import AllOf, DefiningFeature, Rule, Source
from .strength import SUMMARY_ORDER, SourceKind, StrengthClass, points_for, rests_on


class RuleSet(Protocol):
    """What the ledger reads of a rule set (``collab_advisor.RuleSet`` has it); a protocol
    so that the rule set, which asks the ledger for grades, and the ledger import no
    circle."""

    def rule(self, rule_id: str) -> Rule: ...

    def feature(self, feature_id: str) -> DefiningFeature | None: ...

    def features_holding(self, approach: Approach | str,
                         facts: Mapping[str, str | bool | int]) -> tuple[DefiningFeature, ...]: ...


DESIGN_REFERENCES = ("NHS HDL(2002)69", "The Breakthrough Series")
"""References that are one programme's or one government's design documents."""


def is_strict(placed: Any) -> bool:
    """Whether the file a rule or feature came from declares ``ledger: strict``."""
    data = getattr(placed.doc, "data", None)
    return isinstance(data, dict) and data.get("ledger") == "strict"


def check_ledger(rules: Sequence[Any], features: Sequence[Any], problems: list[Any]) -> None:
    """Check every scoring rule against the ledger, and give each rule that names a feature
    its points from the strength table (``placed.item`` is replaced by that copy).

    ``rules`` and ``features`` are the loader's placed items (item, path, doc, loc,
    ``problem()``); problems are appended, each with its file and line.
    """
    declared: dict[str, Any] = {}
    for placed in features:
        declared.setdefault(placed.item.id, placed)
    for placed in features:
        _check_feature_entry(placed, problems)
    by_feature: dict[str, list[Any]] = {}
    troubled = {problem.rule_id for problem in problems}
    for placed in rules:
        rule: Rule = placed.item
        if rule.score is None:
            continue
        before = len(problems)
        feature = _check_scoring_rule(placed, declared, problems)
        if feature is None or len(problems) > before or rule.id in troubled:
            continue
        placed.item = with_points(rule, feature)
        by_feature.setdefault(feature.id, []).append(placed)
    for placed_rules in by_feature.values():
        _check_once_per_context(placed_rules, problems)


def _check_feature_entry(placed: Any, problems: list[Any]) -> None:
    feature: DefiningFeature = placed.item
    if not is_strict(placed):
        return
    if feature.strength is None:
        problems.append(placed.problem(
            "a feature of the shipped ledger needs 'strength' (defining, typical, hedged or "
            "design; see rules/PRINCIPLES.md)", ("id",), key=True))
    elif feature.strength is StrengthClass.LOCAL:
        problems.append(placed.problem(
            "'local' is for an organisation's own rules; a shipped feature rests on a "
            "published source (defining, typical, hedged or design)", ("strength",)))
    if feature.checked is None:
        problems.append(placed.problem(
            "a feature of the shipped ledger needs 'checked': the date its source was "
            "last checked", ("id",), key=True))
    if feature.strength is StrengthClass.DESIGN and any(s.guidance for s in feature.source):
        problems.append(placed.problem(
            "a design feature rests on a programme's or government's design documents, "
            "not on the guidance; give it the class the guidance's wording earns",
            ("strength",)))


def _check_scoring_rule(placed: Any, declared: Mapping[str, Any],
                        problems: list[Any]) -> DefiningFeature | None:
    rule: Rule = placed.item
    effects = rule.score or []
    if rule.feature is None:
        for index, effect in enumerate(effects):
            if effect.direction is not None:
                problems.append(placed.problem(
                    "'direction' takes its points from the rule's feature; name one with "
                    "'feature', or give 'points' instead", ("score", index, "direction")))
        if is_strict(placed):
            problems.append(placed.problem(
                "every shipped scoring rule names exactly one feature of the ledger with "
                "'feature' (rules/PRINCIPLES.md)", ("id",), key=True))
        return None
    found = declared.get(rule.feature)
    if found is None:
        from .._errors import nearest

        problems.append(placed.problem(
            f"names feature '{rule.feature}', which no rule file declares under "
            "'defining_features'", ("feature",), suggestion=nearest(rule.feature, declared)))
        return None
    feature: DefiningFeature = found.item
    if feature.strength is None:
        problems.append(placed.problem(
            f"feature '{feature.id}' has no 'strength', so no points follow from it; give "
            "it a strength class", ("feature",)))
        return None
    for index, effect in enumerate(effects):
        if effect.direction is None or "points" in effect.model_fields_set:
            problems.append(placed.problem(
                "a rule that names a feature gives each approach a 'direction' (for or "
                "against), never 'points': its points come from the strength table",
                ("score", index)))
        if effect.approach not in feature.tied_to:
            problems.append(placed.problem(
                f"scores '{effect.approach.value}', which feature '{feature.id}' is not "
                f"tied to (its approaches: {_names(feature.tied_to)})",
                ("score", index, "approach")))
    scored = {effect.approach for effect in effects}
    missing = [approach for approach in feature.tied_to if approach not in scored]
    if missing:
        problems.append(placed.problem(
            f"feature '{feature.id}' is tied to {_names(feature.tied_to)}; a rule naming it "
            f"scores each of them or none (missing: {_names(missing)})", ("score",)))
    directions = {effect.direction for effect in effects}
    if len(directions) > 1:
        problems.append(placed.problem(
            "one answer cannot show a feature for one approach and contradict it for "
            "another; give every entry the same 'direction'", ("score",)))
    return feature


def _names(approaches: Iterable[Approach]) -> str:
    return ", ".join(approach.value for approach in approaches)


def _check_once_per_context(placed_rules: list[Any], problems: list[Any]) -> None:
    """Two rules naming one feature must never fire together: a feature scores each of
    its approaches at most once in any context."""
    for index, first in enumerate(placed_rules):
        for second in placed_rules[index + 1:]:
            try:
                both = compile_condition(AllOf(all=[first.item.when, second.item.when]))
            except ConditionTooComplexError:  # pragma: no cover - each rule compiled alone
                both = (None,)  # type: ignore[assignment]
            if both:
                problems.append(second.problem(
                    f"rules '{first.item.id}' ({first.path.name}:{first.line}) and "
                    f"'{second.item.id}' both name feature '{second.item.feature}' and can "
                    "fire in the same context; a feature scores each approach at most once",
                    ("when",)))


def with_points(rule: Rule, feature: DefiningFeature) -> Rule:
    """The rule with each entry's points from the strength table (direction kept)."""
    strength = feature.strength or StrengthClass.LOCAL
    effects = [
        effect.model_copy(update={"points": points_for(strength, effect.direction)})
        if effect.direction is not None else effect
        for effect in rule.score or ()
    ]
    return rule.model_copy(update={"score": effects})


# -- grades -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonGrade:
    """How strong the evidence behind one rule's reason is."""

    rule_id: str
    feature: str | None
    """The ledger feature the rule scores, or None for an organisation's own rule."""
    strength: StrengthClass
    source_kind: SourceKind

    @property
    def label(self) -> str:
        """Symbol, class and source kind in words: '●●● defining, guidance'."""
        return f"{self.strength.label}, {self.source_kind.value}"


def source_kind(sources: Sequence[Source], strength: StrengthClass) -> SourceKind:
    """The kind of source a feature of this class rests on."""
    if strength is StrengthClass.LOCAL:
        return SourceKind.LOCAL
    if strength is StrengthClass.DESIGN:
        return SourceKind.DESIGN
    if any(source.guidance is not None for source in sources):
        return SourceKind.GUIDANCE
    if any(source.reference and any(d in source.reference for d in DESIGN_REFERENCES)
           for source in sources):
        return SourceKind.DESIGN
    return SourceKind.PUBLISHED


def grade_of(rules: RuleSet, rule_id: str) -> ReasonGrade:
    """The grade of a rule's reason (``KeyError`` for an unknown rule id).

    A rule that names no feature is an organisation's own: graded ``local``.
    """
    rule = rules.rule(rule_id)
    feature = rules.feature(rule.feature) if rule.feature is not None else None
    if feature is None or feature.strength is None:
        return ReasonGrade(rule_id, rule.feature, StrengthClass.LOCAL, SourceKind.LOCAL)
    return ReasonGrade(rule_id, feature.id, feature.strength,
                       source_kind(feature.source, feature.strength))


def grade_summary(rules: RuleSet, rule_ids: Iterable[str], *,
                  subject: str = "first place") -> str:
    """One line saying what a place rests on, from the ids of the rules behind it:
    'first place rests on 2 defining, 1 typical and 1 design-document reason'."""
    counts = {strength.word: 0 for strength in SUMMARY_ORDER}
    for rule_id in dict.fromkeys(rule_ids):  # each rule once, in the order given
        counts[grade_of(rules, rule_id).strength.word] += 1
    return rests_on(subject, counts)


# -- the stated tie-break -----------------------------------------------------------------


TIE_BREAK_PRINCIPLE = (
    "When approaches tie on points, the one more of whose defining features hold ranks "
    "first; if that count ties too, more typical features, then more hedged ones. A tie "
    "that survives all three stays a tie.")
"""The tie-break, in words, as results show it when it is applied."""

TIE_BREAK_CLASSES = (StrengthClass.DEFINING, StrengthClass.TYPICAL, StrengthClass.HEDGED)


def tie_break_key(rules: RuleSet, approach: Approach | str,
                  facts: Mapping[str, str | bool | int]) -> tuple[int, ...]:
    """How many of the approach's features hold, per class (defining, typical, hedged):
    a tied approach with the larger key ranks first (compare keys as tuples)."""
    held = [f.strength or StrengthClass.DEFINING  # declared without a class: defining
            for f in rules.features_holding(approach, facts)]
    return tuple(held.count(strength) for strength in TIE_BREAK_CLASSES)


def break_tie(rules: RuleSet, tied: Sequence[Approach],
              facts: Mapping[str, str | bool | int]) -> tuple[Approach, ...]:
    """Of approaches tied on points, those the stated tie-break keeps first (still several
    when their keys are equal too), in the order given."""
    keys = {approach: tie_break_key(rules, approach, facts) for approach in tied}
    best = max(keys.values(), default=())
    return tuple(approach for approach in tied if keys[approach] == best)


@dataclass(frozen=True)
class FirstPlace:
    """Who is first in a scored context: the approaches level on points at the top, and
    those the stated tie-break keeps first among them."""

    level_on_points: tuple[Approach, ...]
    """Every approach with the top score, in the order the scores were given."""
    first: tuple[Approach, ...]
    """Of those, the ones first after the stated tie-break (all of them when it cannot
    separate them; the one approach when there was no tie on points)."""
    keys: Mapping[Approach, tuple[int, ...]]
    """The tie-break key (defining, typical, hedged features holding) of each approach
    level on points; empty when no tie on points called for it."""

    @property
    def tie_on_points(self) -> bool:
        """True when two or more approaches share the top score, so the tie-break applied."""
        return len(self.level_on_points) > 1

    @property
    def is_tie(self) -> bool:
        """True when two or more approaches are still first after the tie-break."""
        return len(self.first) > 1


def first_place(rules: RuleSet, scores: Mapping[Approach, int],
                facts: Mapping[str, str | bool | int]) -> FirstPlace:
    """First place of a scored context: the approaches level on the top score and, when
    there are several, the stated tie-break (``TIE_BREAK_PRINCIPLE``) applied to them.

    ``scores`` gives each approach's points (its order is the order of the answer);
    ``facts`` are the known answers the approaches' features are checked against.
    """
    if not scores:
        return FirstPlace((), (), {})
    best = max(scores.values())
    level = tuple(approach for approach, score in scores.items() if score == best)
    if len(level) == 1:
        return FirstPlace(level, level, {})
    keys = {approach: tie_break_key(rules, approach, facts) for approach in level}
    top_key = max(keys.values())
    return FirstPlace(level, tuple(a for a in level if keys[a] == top_key), keys)
