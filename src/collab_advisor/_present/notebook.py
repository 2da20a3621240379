"""What the public ``recommend()`` returns: the plain result, with the notebook's
conveniences on top.

``Advice`` is a ``Recommendation`` (the same stored fields, dumped the same way) that
also remembers, in memory only, the rule set that made it, and offers the analyses
and words as methods: ``explain()``, ``what_if()``, ``path_to()``, ``why_not()``,
``to_markdown()``, ``to_html()``, the notebook display, and the analysis's parts as
properties (worked out once, on first use, with no lock). It pickles and deep-copies
as its plain record does; a pickled ``Advice`` forgets its rule set and is re-paired
with the shipped rules (or ``rules=`` given to the functions) when next analysed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import PrivateAttr

from .._advice.analyse import (
    Analysis,
    Report,
    analyse,
    fit_of,
    next_questions,
    outlook_of,
)
from .._advice.analysis import Outlook
from .._advice.checklist import PlanningQuestion, checklist
from .._advice.confidence import Confidence, confidence_of_spread, proved_first
from .._advice.confidence_count import Spread, spread_of
from .._advice.considerations import Consideration, evidence_caveat, raise_considerations
from .._advice.counterfactual import PathTo, WhatIf
from .._advice.counterfactual import path_to as _path_to
from .._advice.counterfactual import what_if as _what_if
from .._advice.pairing import has_advice, rules_for, top_features
from .._advice.questions import Fit, Question
from .._advice.robustness import Robustness, robustness_of
from .._advice.settledness import is_settled
from .._advice.whynot import WhyNot
from .._advice.whynot import why_not as _why_not
from .._engines.choose import EngineChoice
from .._engines.plan import APPROACHES
from .._errors import CollabAdvisorError
from .._model.context import Approach, Context
from .._model.problems import approach_of
from .._result.build import construct
from .._result.build import recommend as _recommend
from .._result.facts import facts_of
from .._result.record import RankedApproach, Recommendation
from .._rulebook.ruleset import RuleSet
from .explain import explain as _explain
from .render import html_document
from .render import to_html as _to_html
from .render import to_markdown as _to_markdown

_T = TypeVar("_T")


class RankedAdvice(RankedApproach):
    """A ranked approach inside an ``Advice``: it can also tell its score range."""

    _owner: Any = PrivateAttr(default=None)
    """The ``Advice`` holding it (a reference cycle the collector frees; dropped when
    pickled and restored by the ``Advice``)."""

    @property
    def score_range(self) -> tuple[int, int]:
        """The lowest and highest score this approach could reach once everything is known
        (``analyse(rec).score_range(approach)``)."""
        owner = self._owner
        if owner is None:
            raise CollabAdvisorError(
                "this ranked approach is no longer inside its result; use "
                "collab_advisor.analyse(rec).score_range(approach)")
        return owner.score_range_of(self.approach)  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[Any, Any]:
        return {**super().__getstate__(), "__pydantic_private__": {"_owner": None}}

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> RankedAdvice:
        copied = construct(type(self), copy.deepcopy(dict(self.__dict__), memo))
        object.__setattr__(copied, "__pydantic_private__", {"_owner": None})
        return copied


def _linked(advice: Advice) -> Advice:
    """``advice`` with ranking entries that can find it, for their ranges."""
    link = advice
    ranking = []
    for ranked in advice.ranking:
        entry = construct(RankedAdvice, dict(ranked.__dict__))
        object.__setattr__(entry, "__pydantic_private__", {"_owner": link})
        ranking.append(entry)
    advice.__dict__["ranking"] = tuple(ranking)
    return advice


class Advice(Recommendation):
    """A ``Recommendation`` as ``recommend()`` returns it: plain data, plus methods that
    analyse it and put it in words, with the rule set that made it."""

    _rules: RuleSet | None = PrivateAttr(default=None)
    _cache: dict[str, Any] | None = PrivateAttr(default=None)
    """Parts of the analysis worked out so far, by name (each on first use, no lock)."""

    @classmethod
    def adopt(cls, rec: Recommendation, rules: RuleSet | None = None) -> Advice:
        """``rec`` as an ``Advice`` with ``rules`` (checked: it must be the set that made it)."""
        if isinstance(rec, Advice) and (rules is None or rules is rec._rules):
            return rec
        held = rules_for(rec, rules) if rules is not None else None
        advice = construct(cls, dict(rec.__dict__))
        object.__setattr__(advice, "__pydantic_private__", {"_rules": held, "_cache": None})
        return _linked(advice)

    def __getstate__(self) -> dict[Any, Any]:
        """As pydantic pickles it, without the rule set and the cached analysis."""
        state = super().__getstate__()
        return {**state, "__pydantic_private__": {"_rules": None, "_cache": None}}

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        _linked(self)

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Advice:
        """A deep copy of the stored fields that shares the (immutable) rule set."""
        copied = construct(type(self), copy.deepcopy(dict(self.__dict__), memo))
        object.__setattr__(copied, "__pydantic_private__",
                           {"_rules": self._rules, "_cache": self._cache})
        return _linked(copied)

    def rules(self) -> RuleSet:
        """The rule set behind this advice (the shipped one, checked, when not remembered)."""
        return self._rules if self._rules is not None else rules_for(self)

    def _part(self, name: str, work: Callable[[], _T]) -> _T:
        """One part of the analysis, worked out on first use and kept."""
        cache = self._cache
        if cache is None:
            cache = {}
            self.__pydantic_private__["_cache"] = cache  # type: ignore[index]
        if name not in cache:
            cache[name] = work()
        return cache[name]  # type: ignore[no-any-return]

    def _outlook(self) -> Outlook:
        return self._part("outlook", lambda: outlook_of(self, self.rules()))

    @property
    def analysis(self) -> Analysis:
        """``analyse(self, self.rules())``, worked out on first use."""
        return self._part("analysis", lambda: analyse(self, self.rules()))

    def plain(self) -> Recommendation:
        """The plain record (no rule set, no methods above the data)."""
        values = dict(self.__dict__)
        values["ranking"] = tuple(construct(RankedApproach, dict(r.__dict__))
                                  for r in self.ranking)
        return construct(Recommendation, values)

    def report(self) -> Report:
        """This result with its analysis, as the JSON outputs write it."""
        return Report(recommendation=self.plain(), analysis=self.analysis)

    @property
    def is_settled(self) -> bool:
        """``analysis.is_settled``: no answer to the unknowns could change first place."""
        return self._part("is_settled", self._settled)

    def _settled(self) -> bool:
        """From the outlook when it is already worked out and can tell (as ``analyse`` does),
        else from the cheap proofs first."""
        seen = (self._cache or {}).get("outlook")
        if isinstance(seen, Outlook) and (seen.exact or seen.settled):
            return is_settled(self, self.rules(), known_outlook=seen)
        return is_settled(self, self.rules())

    @property
    def ranges_exact(self) -> bool:
        """``analysis.ranges_exact``."""
        return self._outlook().exact

    @property
    def next_questions(self) -> tuple[Question, ...]:
        """``analysis.next_questions``."""
        return self._part("next_questions",
                          lambda: next_questions(self, self.rules(), self._outlook(),
                                                 self._spread()))

    @property
    def confidence(self) -> Confidence:
        """``analysis.confidence``: how often first place holds over the ways the open
        questions could be answered."""
        return self._part("confidence", lambda: confidence_of_spread(
            self._spread(), proved_first(self, self.rules(), self._spread())))

    def _spread(self) -> Spread:
        return self._part("spread", lambda: spread_of(self.rules(), facts_of(self.context)))

    @property
    def fit(self) -> Fit:
        """``analysis.fit``."""
        return self._part("fit", lambda: fit_of(self, self.rules(), self._outlook()))

    @property
    def has_advice(self) -> bool:
        """``analysis.has_advice``."""
        return self._part("has_advice", lambda: has_advice(self, self.rules()))

    @property
    def top_features(self) -> tuple[str, ...]:
        """``analysis.top_features``."""
        return self._part("top_features", lambda: top_features(self, self.rules()))

    @property
    def considerations(self) -> tuple[Consideration, ...]:
        """``analysis.considerations``."""
        return self._part("considerations", lambda: raise_considerations(self, self.rules()))

    @property
    def evidence_caveat(self) -> Consideration | None:
        """``analysis.evidence_caveat``: the caveat on the evidence, apart from the eight."""
        return self._part("evidence_caveat", lambda: evidence_caveat(self, self.rules()))

    @property
    def robustness(self) -> Robustness:
        """``analysis.robustness``."""
        return self._part("robustness", lambda: robustness_of(self, self.rules()))

    @property
    def planning_questions(self) -> tuple[PlanningQuestion, ...]:
        """``analysis.planning_questions``."""
        return checklist(self.context)

    def score_range_of(self, approach: Approach | str) -> tuple[int, int]:
        """``analysis.score_range(approach)``."""
        index = APPROACHES.index(Approach(approach))
        return self._outlook().low[index], self._outlook().high[index]

    def explain(self, verbose: bool = True) -> str:
        """A summary, then the whole ranking in plain words, with every reason and its source.

        ``verbose=False`` leaves out the rule ids (the command line's default).
        """
        return _explain(self, self.analysis, verbose)

    def to_markdown(self) -> str:
        """A full Markdown report: ranking, reasons with sources, considerations, checklist."""
        return _to_markdown(self, self.analysis)

    def to_html(self) -> str:
        """A self-contained, printable HTML page of the full report (no external assets)."""
        return html_document(self, self.analysis)

    def _repr_markdown_(self) -> str:
        return _to_markdown(self, self.analysis, full=False)

    def _repr_html_(self) -> str:
        return _to_html(self, self.analysis, full=False)

    def what_if(self, **changes: Any) -> WhatIf:
        """The advice if some answers changed; ``field=None`` makes a field unknown again."""
        found = _what_if(self, self.rules(), changes)
        return found.model_copy(
            update={"recommendation": Advice.adopt(found.recommendation, self.rules())})

    def path_to(self, approach: Approach | str) -> PathTo:
        """The fewest changed answers (up to three) that would put ``approach`` first."""
        found = _path_to(self, self.rules(), approach_of(approach))
        if found.recommendation is None or found.recommendation is self:
            return found
        return found.model_copy(
            update={"recommendation": Advice.adopt(found.recommendation, self.rules())})

    def why_not(self, approach: Approach | str) -> WhyNot:
        """What held ``approach`` back, which of its rules did not apply, and its gap."""
        return _why_not(self, approach_of(approach), self.rules())


def adopt(record: Recommendation) -> Advice:
    """A plain record as an ``Advice`` with the shipped rules (for the 0.1 spellings)."""
    return Advice.adopt(record)


def recommend(
    context: Context | Mapping[str, Any] | None = None,
    /,
    *,
    rules: RuleSet | None = None,
    engine: EngineChoice = "auto",
    **fields: Any,
) -> Advice:
    """Rank the four approaches for a context and explain why.

    The context may be a ``Context``, a mapping of field names to values, or
    keyword arguments; unknown fields may be left out. ``rules`` defaults to
    the shipped rules (read once per process). ``engine`` is 'auto' (durable-rules
    when it can be imported, else plain Python), 'durable' or 'python'. The result is
    a plain ``Recommendation`` (an ``Advice``, which adds the notebook's methods);
    ``analyse(rec)`` gives its analysis as data.

    A bad field name or value raises ``ContextError`` (a ``CollabAdvisorError``, and
    also pydantic's ``ValidationError``): its ``problems`` name each field, the value
    given, the allowed values, and the nearest name or value for a near miss.
    """
    rec = _recommend(context, rules=rules, engine=engine, **fields)
    advice = construct(Advice, dict(rec.__dict__))
    object.__setattr__(advice, "__pydantic_private__", {"_rules": rules, "_cache": None})
    return _linked(advice)


def explain(rec: Recommendation, analysis: Analysis | None = None, *,
            rules: RuleSet | None = None, verbose: bool = True) -> str:
    """``rec`` in plain words (``analysis`` defaults to ``analyse(rec, rules)``)."""
    return _explain(rec, analysis if analysis is not None else analyse(rec, rules), verbose)


def to_markdown(rec: Recommendation, analysis: Analysis | None = None, *,
             rules: RuleSet | None = None) -> str:
    """A full Markdown report of ``rec``."""
    return _to_markdown(rec, analysis if analysis is not None else analyse(rec, rules))


def to_html(rec: Recommendation, analysis: Analysis | None = None, *,
         rules: RuleSet | None = None) -> str:
    """A self-contained HTML page of ``rec``."""
    return html_document(rec, analysis if analysis is not None else analyse(rec, rules))


def what_if(rec: Recommendation, /, *, rules: RuleSet | None = None,
            **changes: Any) -> WhatIf:
    """The advice if some answers changed (``field=None`` makes a field unknown again)."""
    return _what_if(rec, rules, changes)


def path_to(rec: Recommendation, approach: Approach | str, *,
            rules: RuleSet | None = None) -> PathTo:
    """The fewest changed answers (up to three) that would put ``approach`` first."""
    return _path_to(rec, rules, approach_of(approach))


def why_not(rec: Recommendation, approach: Approach | str, *,
            rules: RuleSet | None = None) -> WhyNot:
    """What held ``approach`` back, which of its rules did not apply, and its gap."""
    return _why_not(rec, approach_of(approach), rules)
