"""``recommend()``: from a context to a ranked, explained recommendation."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from ._context import Approach, Context
from ._engines import EngineChoice, get_engine
from ._evaluation import EngineName, Evaluation, Facts
from ._fields import FIELDS, RULE_FIELDS
from ._loader import load_rules
from ._ruleset import RuleSet

_FROZEN = ConfigDict(frozen=True)
_APPROACH_ORDER = {approach: position for position, approach in enumerate(Approach)}


class Inference(BaseModel):
    """One rule that established a finding, and the findings it came through."""

    model_config = _FROZEN

    rule_id: str
    title: str
    source: str
    via: tuple[FindingTrace, ...] = ()


class FindingTrace(BaseModel):
    """A finding that was established, with every rule that established it."""

    model_config = _FROZEN

    finding: str
    text: str
    established_by: tuple[Inference, ...]


class Reason(BaseModel):
    """One rule's points for one approach, and why."""

    model_config = _FROZEN

    rule_id: str
    title: str
    points: int
    text: str
    """The rule's one-line rationale for this approach."""
    source: str
    """The guidance section or published reference the rule rests on."""
    via: tuple[FindingTrace, ...] = ()
    """The findings the rule came through, each traced to the rules behind it."""


class RankedApproach(BaseModel):
    """An approach's place in the ranking, its score and the reasons for it."""

    model_config = _FROZEN

    approach: Approach
    name: str
    rank: int
    """1 for the best fit; ties are broken by the fixed order of ``Approach``."""
    score: int
    """The sum of the reasons' points."""
    reasons: tuple[Reason, ...]


class Recommendation(BaseModel):
    """All four approaches ranked for one context, with the reasons for each."""

    model_config = _FROZEN

    context: Context
    ranking: tuple[RankedApproach, ...]
    findings: tuple[FindingTrace, ...]
    fired_rules: tuple[str, ...]
    engine: EngineName
    rules_version: str
    rules_fingerprint: str

    @property
    def top(self) -> RankedApproach:
        """The best-fitting approach."""
        return self.ranking[0]

    @property
    def tied_at_top(self) -> tuple[Approach, ...]:
        """The approaches sharing the top score (one when there is no tie)."""
        return tuple(r.approach for r in self.ranking if r.score == self.top.score)

    @property
    def unknown_fields(self) -> tuple[str, ...]:
        """The rule fields not known yet, in the context's field order."""
        known = self.context.known()
        return tuple(name for name in RULE_FIELDS if name not in known)

    def score_of(self, approach: Approach | str) -> int:
        """The score of one approach."""
        wanted = Approach(approach)
        return next(r.score for r in self.ranking if r.approach is wanted)

    def explain(self) -> str:
        """The whole ranking in plain words, with every reason and its source."""
        from ._explain import explain

        return explain(self)


Inference.model_rebuild()


@functools.cache
def _shipped_rules() -> RuleSet:
    return load_rules()


def to_context(
    context: Context | Mapping[str, Any] | None, fields: Mapping[str, Any]
) -> Context:
    """A validated ``Context`` from a model, a mapping, or keyword fields."""
    if context is not None and fields:
        raise TypeError(
            "give the context either as one argument or as keywords, not both "
            f"(keywords given: {', '.join(fields)})"
        )
    if context is None:
        return Context.model_validate(dict(fields))
    if isinstance(context, Context):
        return context
    if isinstance(context, Mapping):
        return Context.model_validate(dict(context))
    raise TypeError(
        "the context must be a Context or a mapping of field names to values, "
        f"not {type(context).__name__}"
    )


def facts_of(context: Context) -> Facts:
    """The known rule fields, JSON-normal, as the engines take them."""
    known = context.known()
    return {name: known[name] for name in RULE_FIELDS if name in known}  # type: ignore[misc]


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
    """
    ctx = to_context(context, fields)
    ruleset = rules if rules is not None else _shipped_rules()
    if not isinstance(ruleset, RuleSet):
        raise TypeError(f"rules must be a RuleSet from load_rules(), not {type(ruleset).__name__}")
    chosen = get_engine(engine)
    evaluation = chosen.evaluate(ruleset, facts_of(ctx))
    return build_recommendation(ctx, ruleset, evaluation, chosen.name)


def build_recommendation(
    context: Context, rules: RuleSet, evaluation: Evaluation, engine: EngineName
) -> Recommendation:
    """Score, rank and trace an engine's evaluation."""
    tracer = _Tracer(rules, evaluation)
    scores = {approach: 0 for approach in Approach}
    reasons: dict[Approach, list[Reason]] = {approach: [] for approach in Approach}
    for rule_id in sorted(evaluation.fired):
        rule = rules.rule(rule_id)
        for effect in rule.score or ():
            scores[effect.approach] += effect.points
            reasons[effect.approach].append(
                Reason(
                    rule_id=rule.id,
                    title=rule.title,
                    points=effect.points,
                    text=effect.why,
                    source=_cite(rules, rule.id),
                    via=tracer.via(rule_id),
                )
            )
    order = sorted(Approach, key=lambda a: (-scores[a], _APPROACH_ORDER[a]))
    ranking = tuple(
        RankedApproach(
            approach=approach,
            name=approach.display_name,
            rank=position,
            score=scores[approach],
            reasons=tuple(sorted(reasons[approach], key=lambda r: (-r.points, r.rule_id))),
        )
        for position, approach in enumerate(order, start=1)
    )
    return Recommendation(
        context=context,
        ranking=ranking,
        findings=tuple(tracer.trace(finding) for finding in sorted(evaluation.findings)),
        fired_rules=tuple(sorted(evaluation.fired)),
        engine=engine,
        rules_version=rules.version,
        rules_fingerprint=rules.fingerprint,
    )


def _cite(rules: RuleSet, rule_id: str) -> str:
    return "; ".join(source.cite() for source in rules.rule(rule_id).source)


class _Tracer:
    """Builds the chain of findings behind each fired rule, once per finding."""

    def __init__(self, rules: RuleSet, evaluation: Evaluation) -> None:
        self._rules = rules
        self._evaluation = evaluation
        self._traces: dict[str, FindingTrace] = {}

    def via(self, rule_id: str) -> tuple[FindingTrace, ...]:
        index = self._evaluation.fired[rule_id]
        used = self._rules.compiled_rule(rule_id).disjuncts[index].findings
        return tuple(self.trace(finding) for finding in used)

    def trace(self, finding: str) -> FindingTrace:
        if finding not in self._traces:
            by = tuple(
                Inference(
                    rule_id=rule_id,
                    title=self._rules.rule(rule_id).title,
                    source=_cite(self._rules, rule_id),
                    via=self.via(rule_id),
                )
                for rule_id in self._rules.concluded_by(finding)
                if rule_id in self._evaluation.fired
            )
            self._traces[finding] = FindingTrace(
                finding=finding, text=self._rules.findings[finding].text, established_by=by
            )
        return self._traces[finding]


def describe_value(field: str, value: object) -> str:
    """A field's value in words: 'fixed term', 'yes', '12'."""
    spec = FIELDS[field]
    if spec.kind == "yes_no":
        return "yes" if value else "no"
    return str(value).replace("_", " ")
