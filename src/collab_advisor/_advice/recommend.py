"""``recommend()``: from a context to a ranked, explained recommendation."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Mapping
from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr, computed_field

from .._engines.choose import EngineChoice, get_engine
from .._engines.plan import APPROACHES, Scores, ScoringPlan, plan_for
from .._errors import CollabAdvisorError, EngineUnavailableError
from .._model.context import Approach, Context
from .._model.fields import RULE_FIELDS
from .._rulebook.evaluation import EngineName, Evaluation, Facts
from .._rulebook.format import cite_all
from .._rulebook.loader import load_rules
from .._rulebook.ruleset import RuleSet
from .analysis import Outlook, outlook, quick_settled, settled_exactly, settled_of
from .checklist import PlanningQuestion, checklist
from .considerations import Consideration
from .facts import facts_of, to_context
from .presenters import present
from .questions import Fit, Question, assess_fit, build_questions
from .robustness import Robustness

_FROZEN = ConfigDict(frozen=True)
RESULT_SCHEMA_VERSION = 1
"""The version of a serialised ``Recommendation``; raised when its keys change meaning."""
_RULES_IN_USE: weakref.WeakValueDictionary[str, RuleSet] = weakref.WeakValueDictionary()
"""Rule sets that produced live results, by fingerprint, so that what-if questions on a
result use the same rules. Weak: a rule set nobody holds is forgotten."""
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

    _owner: _Owner | None = PrivateAttr(default=None)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def score_range(self) -> tuple[int, int]:
        """The lowest and highest score reachable once the unknown fields are answered."""
        rec = self._owner.rec() if self._owner is not None else None
        if rec is None:
            raise CollabAdvisorError("score_range is known only within its Recommendation")
        return rec.score_range_of(self.approach)


class _Owner:
    """A ranked approach's link back to its recommendation (which computes ranges lazily).

    Always equal to another link, so that it never affects comparing results.
    """

    __slots__ = ("rec",)

    def __init__(self, rec: Recommendation) -> None:
        self.rec = weakref.ref(rec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Owner)

    def __hash__(self) -> int:
        return 0


class _Held:
    """A result's rule set; always equal to another, so it never affects comparing results."""

    __slots__ = ("rules",)

    def __init__(self, rules: RuleSet | None) -> None:
        self.rules = rules

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Held)

    def __hash__(self) -> int:
        return 0


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
    schema_version: int = RESULT_SCHEMA_VERSION
    """The version of this result's serialised form (``model_dump()``, JSON)."""

    _rules: _Held = PrivateAttr(default_factory=lambda: _Held(None))
    """The rule set the advice was made with, held so that analyses keep working."""

    def model_post_init(self, context: Any, /) -> None:
        """Link each ranked approach back here, for its lazily computed score range."""
        for ranked in self.ranking:
            ranked._owner = _Owner(self)

    @cached_property
    def _scored(self) -> tuple[ScoringPlan, Facts, Scores, frozenset[str]]:
        # What every analysis starts from, worked out once per result.
        plan = plan_for(self.rules())
        facts = facts_of(self.context)
        scores, fired = plan.score(facts)
        return plan, facts, scores, fired

    @cached_property
    def _outlook(self) -> Outlook:
        # Worked out on first use: recommend() stays fast for callers that need no more.
        return outlook(*self._scored, list(RULE_FIELDS))

    def score_range_of(self, approach: Approach | str) -> tuple[int, int]:
        """The lowest and highest score ``approach`` could reach once the unknowns are answered."""
        index = APPROACHES.index(Approach(approach))
        return self._outlook.low[index], self._outlook.high[index]

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def is_settled(self) -> bool:
        """True when no answers to the unknown fields could change which approach ranks first.

        A statement about these rules, not a measure of certainty: the advice is only as
        good as the rules and the answers given (see ``robustness`` for how few changed
        answers would hand first place to the runner-up).
        """
        if "_outlook" not in self.__dict__:  # try the cheap proofs before scoring everything
            tabled = settled_of(*self._scored)
            if tabled is not None:
                return tabled
            quick = quick_settled(*self._scored, list(RULE_FIELDS))
            if quick is not None:
                return quick
            exact = settled_exactly(*self._scored, list(RULE_FIELDS))
            if exact is not None:
                return exact
        return self._outlook.settled

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ranges_exact(self) -> bool:
        """True when ranges and ``is_settled`` come from scoring every combination of answers.

        Otherwise they are sound bounds: ranges never narrower than the truth, and
        ``is_settled`` only claimed when the bounds prove it.
        """
        return self._outlook.exact

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def next_questions(self) -> tuple[Question, ...]:
        """The unanswered fields, the one whose answer could change the advice most first."""
        return build_questions(self._outlook,
                               APPROACHES.index(self.top.approach))

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def fit(self) -> Fit:
        """How strongly the top approach fits, by the documented thresholds."""
        vector = tuple(self.score_of(approach) for approach in APPROACHES)
        return assess_fit(self.rules(), vector, self._outlook.high,
                          APPROACHES.index(self.top.approach),
                          APPROACHES.index(self.ranking[1].approach), len(self._outlook.impacts))

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def has_advice(self) -> bool:
        """True when the first place is advice: one of the top approach's defining features holds.

        The ranking always has a first place (ties go to the documented order),
        but with nothing known, or nothing that defines the approach ranked
        first, no approach stands out yet; ``explain()`` then says so.
        """
        from .features import reads_as_advice

        return reads_as_advice(self.rules(), self.top.approach, self._scored[1], self.top.score)

    @property
    def top_features(self) -> tuple[str, ...]:
        """The top approach's defining features that hold here, in plain words."""
        return tuple(feature.text for feature in
                     self.rules().features_holding(self.top.approach, self._scored[1]))

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

    def explain(self, verbose: bool = True) -> str:
        """A summary, then the whole ranking in plain words, with every reason and its source.

        ``verbose=False`` leaves out the rule ids (the command line's default).
        """
        return present("explain", self, verbose)

    def __repr__(self) -> str:
        """Short and readable: the ranking with scores, what is known, the rules' version."""
        scores = ", ".join(f"{r.name} {r.score}" for r in self.ranking)
        known = len(RULE_FIELDS) - len(self.unknown_fields)
        name = f"{self.context.name!r}: " if self.context.name else ""
        return (f"<Recommendation {name}{scores}; {known} of {len(RULE_FIELDS)} answers known; "
                f"rules {self.rules_version}>")

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def considerations(self) -> tuple[Consideration, ...]:
        """The guidance's key considerations that apply here, and the top approach's caveat."""
        from .considerations import raise_considerations

        return raise_considerations(self, self.rules())

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def robustness(self) -> Robustness:
        """How few changed answers would hand first place to the runner-up."""
        from .robustness import robustness_of

        return robustness_of(self)

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def planning_questions(self) -> tuple[PlanningQuestion, ...]:
        """The guidance's practical planning questions, with the answers that inform each."""
        return checklist(self.context)

    def to_markdown(self) -> str:
        """A full Markdown report: ranking, reasons with sources, considerations, checklist."""
        return present("markdown", self)

    def to_html(self) -> str:
        """A self-contained, printable HTML page of the full report (no external assets)."""
        return present("html_document", self)

    def _repr_markdown_(self) -> str:
        return present("markdown", self, full=False)

    def _repr_html_(self) -> str:
        return present("html", self, full=False)

    def rules(self) -> RuleSet:
        """The rule set behind this advice (the shipped one, for a result read from JSON)."""
        if self._rules.rules is not None:
            return self._rules.rules
        known = _RULES_IN_USE.get(self.rules_fingerprint)
        if known is not None:
            return known
        shipped = _shipped_rules()
        if shipped.fingerprint == self.rules_fingerprint:
            return shipped
        raise CollabAdvisorError(
            "this recommendation was made with rules that are not loaded here "
            f"(fingerprint {self.rules_fingerprint[:12]}); run recommend() again with them"
        )

    def _rerun(self, context: Context | Mapping[str, Any]) -> Recommendation:
        """The advice for another context, on this result's rules and engine."""
        return recommend(context, rules=self.rules(), engine=self.engine)

    def what_if(self, **changes: Any) -> WhatIf:
        """The advice if some answers changed; ``field=None`` makes a field unknown again."""
        from .counterfactual import what_if

        return what_if(self, self.rules(), changes)

    def path_to(self, approach: Approach | str) -> PathTo:
        """The fewest changed answers (up to three) that would put ``approach`` first."""
        from .counterfactual import path_to

        return path_to(self, self.rules(), Approach(approach))

    def why_not(self, approach: Approach | str) -> WhyNot:
        """What held ``approach`` back, which of its rules did not apply, and its gap."""
        from .whynot import why_not

        return why_not(self, Approach(approach), self.rules())


Inference.model_rebuild()

from .counterfactual import PathTo, WhatIf  # noqa: E402  (they refer to Recommendation)
from .whynot import WhyNot  # noqa: E402

WhatIf.model_rebuild()
PathTo.model_rebuild()
WhyNot.model_rebuild()


@functools.cache
def _shipped_rules() -> RuleSet:
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
    """
    ctx = to_context(context, fields)
    ruleset = rules if rules is not None else _shipped_rules()
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
    return build_recommendation(ctx, ruleset, evaluation, chosen.name, facts=facts)


def _durable_limit(rules: RuleSet) -> str | None:
    """durable-rules' limit for this rule set, checked once per rule set."""
    from .._engines.durable import durable_limit_problem

    return rules.derived("durable_limit", durable_limit_problem)


def build_recommendation(
    context: Context, rules: RuleSet, evaluation: Evaluation, engine: EngineName,
    *, facts: Facts | None = None,
) -> Recommendation:
    """Score, rank and trace an engine's evaluation.

    Everything here was validated when the rules and the context were, so the
    parts are constructed without validating them again (see ``_construct``);
    reasons and citations are prepared once per rule set, and finding traces once
    per pattern of fired concluding rules. ``facts`` (the context's, when the
    caller has them) spare the analyses from scoring the context again when the
    python engine (the compiled core itself) evaluated it.
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
    order = sorted(range(len(APPROACHES)), key=lambda i: (-scores[i], i))
    link: dict[str, Any] = {"_owner": None}  # one link back, shared by the four
    ranking = tuple(
        _construct(RankedApproach, {
            "approach": APPROACHES[index],
            "name": _NAMES[index],
            "rank": position,
            "score": scores[index],
            "reasons": tuple(sorted(reasons[index], key=_reason_order)),
        }, link)
        for position, index in enumerate(order, start=1)
    )
    rec = _construct(Recommendation, {
        "context": context,
        "ranking": ranking,
        "findings": tracer.findings(rules, evaluation.findings),
        "fired_rules": tuple(fired_scoring),
        "engine": engine,
        "rules_version": rules.version,
        "rules_fingerprint": rules.fingerprint,
        "schema_version": RESULT_SCHEMA_VERSION,
    }, {"_rules": _Held(rules)})
    link["_owner"] = _Owner(rec)
    if facts is not None and engine == "python":
        # The compiled core gave this evaluation: its scores and fired rules are the
        # analyses' starting point (a test checks they equal a fresh scoring).
        rec.__dict__["_scored"] = (plan_for(rules), facts, tuple(scores),
                                   frozenset(fired_scoring))
    if _RULES_IN_USE.get(rules.fingerprint) is not rules:
        _RULES_IN_USE[rules.fingerprint] = rules
    return rec


_NAMES = tuple(approach.display_name for approach in APPROACHES)


def _reason_order(reason: Reason) -> tuple[int, str]:
    return -reason.points, reason.rule_id


_Model = TypeVar("_Model", bound=BaseModel)
_EVERY_FIELD: dict[type[BaseModel], set[str]] = {}


def _construct(cls: type[_Model], values: dict[str, Any],
               private: dict[str, Any] | None = None) -> _Model:
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
    object.__setattr__(instance, "__pydantic_private__", private)
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
            self.effects[rule.id] = [
                (APPROACHES.index(effect.approach), effect.points, _construct(Reason, {
                    "rule_id": rule.id, "title": rule.title, "points": effect.points,
                    "text": effect.why, "source": cite_all(effect.source or rule.source),
                    "via": ()}))
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
            found = [(approach, points, _construct(Reason, {**reason.__dict__, "via": via})
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
                _construct(Inference, {
                    "rule_id": rule_id,
                    "title": rules.rule(rule_id).title,
                    "source": self._prepared.cites[rule_id],
                    "via": self.via(rules, rule_id, self._concluded[rule_id]),
                })
                for rule_id in rules.concluded_by(finding)
                if rule_id in self._concluded
            )
            self._traces[finding] = _construct(FindingTrace, {
                "finding": finding, "text": rules.findings[finding].text,
                "established_by": by})
        return self._traces[finding]
