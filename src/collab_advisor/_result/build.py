"""``recommend()``: from a context to a ranked, explained recommendation (plain data)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from .._engines.choose import EngineChoice, get_engine
from .._engines.plan import APPROACHES
from .._errors import EngineUnavailableError
from .._model.context import Context
from .._rulebook.evaluation import EngineName, Evaluation
from .._rulebook.format import cite_all
from .._rulebook.ledger import TIE_BREAK_PRINCIPLE, FirstPlace, first_place
from .._rulebook.loader import load_rules
from .._rulebook.ruleset import RuleSet
from .facts import facts_of, to_context
from .record import (
    RESULT_SCHEMA_VERSION,
    FeatureCount,
    FindingTrace,
    Inference,
    RankedApproach,
    Reason,
    Recommendation,
    TieBreak,
)


@functools.cache
def shipped_rules() -> RuleSet:
    """The shipped rules, read once per process."""
    return load_rules()


def recommend(
    context: Context | Mapping[str, Any] | None = None,
    /,
    *,
    rules: RuleSet | None = None,
    engine: EngineChoice = "auto",
    **fields: Any,
) -> Recommendation:
    """Rank the four approaches for a context and explain why.

    The context may be a ``Context``, a mapping of field names to values, or
    keyword arguments; unknown fields may be left out. ``rules`` defaults to
    the shipped rules (read once per process). ``engine`` is 'auto' (durable-rules
    when it can be imported, else plain Python), 'durable' or 'python'.

    A bad field name or value raises ``ContextError`` (a ``CollabAdvisorError``, and
    also pydantic's ``ValidationError``): its ``problems`` name each field, the value
    given, the allowed values, and the nearest name or value for a near miss.
    """
    ctx = to_context(context, fields)
    ruleset = rules if rules is not None else shipped_rules()
    if not isinstance(ruleset, RuleSet):
        raise TypeError(f"rules must be a RuleSet from load_rules(), not {type(ruleset).__name__}")
    chosen = get_engine(engine)
    if chosen.name == "durable":
        too_big = _durable_limit(ruleset)
        if too_big is not None:
            if engine == "durable":
                raise EngineUnavailableError(too_big)
            chosen = get_engine("python")  # 'auto' falls back; rec.engine says so
    facts = facts_of(ctx)
    evaluation = chosen.evaluate(ruleset, facts)
    return build_recommendation(ctx, ruleset, evaluation, chosen.name)


def _durable_limit(rules: RuleSet) -> str | None:
    """durable-rules' limit for this rule set, checked once per rule set."""
    from .._engines.durable import durable_limit_problem

    return rules.derived("durable_limit", durable_limit_problem)


def build_recommendation(
    context: Context, rules: RuleSet, evaluation: Evaluation, engine: EngineName,
) -> Recommendation:
    """Score, rank and trace an engine's evaluation.

    Everything here was validated when the rules and the context were, so the
    parts are constructed without validating them again (see ``_construct``);
    reasons and citations are prepared once per rule set, and finding traces once
    per pattern of fired concluding rules.
    """
    prepared = _prepared(rules)
    fired_now = evaluation.fired
    tracer = prepared.tracer(fired_now)
    scores = [0] * len(APPROACHES)
    reasons: list[list[Reason]] = [[] for _ in APPROACHES]
    fired_scoring: list[str] = []
    for rule_id in sorted(fired_now):
        effects = prepared.effects.get(rule_id)
        if effects is None:
            if rule_id not in prepared.advice:
                fired_scoring.append(rule_id)
            continue
        fired_scoring.append(rule_id)
        if prepared.chained.get(rule_id):
            effects = tracer.effects(rules, rule_id, fired_now[rule_id], effects)
        for index, points, reason in effects:
            scores[index] += points
            reasons[index].append(reason)
    placed = first_place(rules, dict(zip(APPROACHES, scores, strict=True)),
                         facts_of(context)) if _tie_on_points(scores) else None
    keys = [placed.keys.get(approach, ()) if placed else () for approach in APPROACHES]
    standing = [(scores[i], keys[i]) for i in range(len(APPROACHES))]
    order = sorted(range(len(APPROACHES)), key=lambda i: (-scores[i], _negated(keys[i]), i))
    ranking = tuple(
        construct(RankedApproach, {
            "approach": APPROACHES[index],
            "name": _NAMES[index],
            # Competition ranking: equal standing shares a rank (1, 1, 3); among those
            # level on points at the top, the stated tie-break's counts decide standing.
            "rank": 1 + sum(other > standing[index] for other in standing),
            "score": scores[index],
            "reasons": tuple(sorted(reasons[index], key=_reason_order)),
        })
        for index in order
    )
    first = placed.first if placed else (APPROACHES[order[0]],)
    rec = construct(Recommendation, {
        "context": context,
        "ranking": ranking,
        "tied_for_first": tuple(a for a in APPROACHES if a in first),
        "tie_break": tie_break_record(placed) if placed else None,
        "findings": tracer.findings(rules, evaluation.findings),
        "fired_rules": tuple(fired_scoring),
        "engine": engine,
        "rules_version": rules.version,
        "rules_fingerprint": rules.fingerprint,
        "schema_version": RESULT_SCHEMA_VERSION,
    })
    return rec


_NAMES = tuple(approach.display_name for approach in APPROACHES)


def _tie_on_points(scores: list[int]) -> bool:
    best = max(scores)
    return scores.count(best) > 1


def _negated(key: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(-count for count in key)


def tie_break_record(placed: FirstPlace) -> TieBreak:
    """The result's record of the stated tie-break applied to a tie on points."""
    level = tuple(a for a in APPROACHES if a in placed.level_on_points)
    return construct(TieBreak, {
        "level_on_points": level,
        "counts": tuple(construct(FeatureCount, {
            "approach": approach,
            **dict(zip(("defining", "typical", "hedged"), placed.keys[approach], strict=True)),
        }) for approach in level),
        "first": tuple(a for a in level if a in placed.first),
        "principle": TIE_BREAK_PRINCIPLE,
    })


def _reason_order(reason: Reason) -> tuple[int, str]:
    return -reason.points, reason.rule_id


_Model = TypeVar("_Model", bound=BaseModel)
_EVERY_FIELD: dict[type[BaseModel], set[str]] = {}


def construct(cls: type[_Model], values: dict[str, Any]) -> _Model:
    """An instance of one of this library's result models from values that are already
    valid, with every field given: what ``model_construct`` does, without its per-field
    default handling (a result is built from several of these on every call)."""
    instance = cls.__new__(cls)
    object.__setattr__(instance, "__dict__", values)
    every = _EVERY_FIELD.get(cls)
    if every is None:
        every = _EVERY_FIELD[cls] = set(cls.model_fields)
    # Every field is given, so instances of a class can share one set of names: fewer
    # objects for the garbage collector to walk when results are made by the thousand
    # (the models are frozen, so nothing adds to it).
    object.__setattr__(instance, "__pydantic_fields_set__",
                       every if values.keys() == every else set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


_TRACERS_KEPT = 4_096
"""Patterns of fired concluding rules whose finding traces a rule set keeps."""


class _Prepared:
    """What results need from each rule, worked out once per rule set."""

    def __init__(self, rules: RuleSet) -> None:
        self.effects: dict[str, list[tuple[int, int, Reason]]] = {}
        self.chained: dict[str, bool] = {}
        self.advice: set[str] = set()
        self.cites: dict[str, str] = {}
        self.concluding: list[str] = []
        self.tracers: dict[tuple[tuple[str, int], ...], _Tracer] = {}
        for rule in rules.active:
            self.cites[rule.id] = cite_all(rule.source)
            compiled = rules.compiled_rule(rule.id)
            self.chained[rule.id] = any(c.findings for c in compiled.disjuncts)
            if compiled.concludes is not None:
                self.concluding.append(rule.id)
            if rule.advise is not None:
                self.advice.add(rule.id)
            if not rule.score:
                continue
            grade = rules.grade(rule.id)
            self.effects[rule.id] = [
                (APPROACHES.index(effect.approach), effect.points, construct(Reason, {
                    "rule_id": rule.id, "title": rule.title, "points": effect.points,
                    "text": effect.why, "source": cite_all(effect.source or rule.source),
                    "via": (), "strength": grade.strength, "source_kind": grade.source_kind}))
                for effect in rule.score
            ]

    def tracer(self, fired: Mapping[str, int]) -> _Tracer:
        """The tracer for this pattern of fired concluding rules (kept, while few)."""
        key = tuple((rule_id, fired[rule_id]) for rule_id in self.concluding
                    if rule_id in fired)
        found = self.tracers.get(key)
        if found is None:
            found = _Tracer(self, dict(key))
            if len(self.tracers) < _TRACERS_KEPT:
                self.tracers[key] = found
        return found


def _prepared(rules: RuleSet) -> _Prepared:
    return rules.derived("prepared_results", _Prepared)


class _Tracer:
    """Builds the chain of findings behind each fired rule, once per finding.

    What it builds depends only on which concluding rules fired (and through which
    alternative), so one tracer serves every result with that pattern; results share
    its traces, which are frozen. It is kept with the rule set's prepared results, so it
    is given the rule set on each call rather than holding it (no reference cycle).
    """

    def __init__(self, prepared: _Prepared, concluded: dict[str, int]) -> None:
        self._prepared = prepared
        self._concluded = concluded
        self._traces: dict[str, FindingTrace] = {}
        self._vias: dict[tuple[str, int], tuple[FindingTrace, ...]] = {}
        self._effects: dict[tuple[str, int], list[tuple[int, int, Reason]]] = {}
        self._findings: dict[frozenset[str], tuple[FindingTrace, ...]] = {}

    def via(self, rules: RuleSet, rule_id: str, index: int) -> tuple[FindingTrace, ...]:
        """The traces of the findings used by alternative ``index`` of a rule."""
        found = self._vias.get((rule_id, index))
        if found is None:
            used = rules.compiled_rule(rule_id).disjuncts[index].findings
            found = tuple(self.trace(rules, finding) for finding in used)
            self._vias[(rule_id, index)] = found
        return found

    def effects(self, rules: RuleSet, rule_id: str, index: int,
                plain: list[tuple[int, int, Reason]]) -> list[tuple[int, int, Reason]]:
        """A scoring rule's reasons, with the findings it came through."""
        found = self._effects.get((rule_id, index))
        if found is None:
            via = self.via(rules, rule_id, index)
            found = [(approach, points, construct(Reason, {**reason.__dict__, "via": via})
                      if via else reason) for approach, points, reason in plain]
            self._effects[(rule_id, index)] = found
        return found

    def findings(self, rules: RuleSet,
                 established: frozenset[str]) -> tuple[FindingTrace, ...]:
        """The traces of every established finding, sorted by finding."""
        found = self._findings.get(established)
        if found is None:
            found = tuple(self.trace(rules, finding) for finding in sorted(established))
            if len(self._findings) < _TRACERS_KEPT:
                self._findings[established] = found
        return found

    def trace(self, rules: RuleSet, finding: str) -> FindingTrace:
        """A finding with every fired rule that established it, traced in turn."""
        if finding not in self._traces:
            by = tuple(
                construct(Inference, {
                    "rule_id": rule_id,
                    "title": rules.rule(rule_id).title,
                    "source": self._prepared.cites[rule_id],
                    "via": self.via(rules, rule_id, self._concluded[rule_id]),
                })
                for rule_id in rules.concluded_by(finding)
                if rule_id in self._concluded
            )
            self._traces[finding] = construct(FindingTrace, {
                "finding": finding, "text": rules.findings[finding].text,
                "established_by": by})
        return self._traces[finding]
