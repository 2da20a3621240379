"""The result records: stored fields and cheap accessors that read them, nothing more.

They pickle, deep-copy and dump on their own. Analyses of a result are functions
of the result and its rule set, one floor up (``collab_advisor._advice.analyse``);
the few old spellings that reached them through the result still work for one
minor release, with a ``DeprecationWarning`` naming the new spelling
(docs/api-changes.md).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field, model_validator

from .._errors import CollabAdvisorError
from .._model.context import Approach, Context
from .._model.fields import RULE_FIELDS
from .._rulebook.evaluation import EngineName
from .._rulebook.strength import SUMMARY_ORDER, SourceKind, StrengthClass, rests_on
from .legacy import moved

_FROZEN = ConfigDict(frozen=True)
RESULT_SCHEMA_VERSION = 3
"""The version of a serialised ``Recommendation`` (and ``Report``); raised when its keys
change meaning. 2: tied approaches share a rank, ``tied_for_first`` lists them, and the
analyses left the record for ``Report.analysis``. 3: the stated tie-break is applied
(``tie_break`` records it; ranks and ``tied_for_first`` follow it)."""


class RuleReference(BaseModel):
    """A rule named with its points and the words it gives: the shape every rule reference
    in a result shares (reasons, unmet rules, comparisons)."""

    model_config = _FROZEN

    rule_id: str
    """The rule's id in the rule files."""
    title: str
    """The rule's title."""
    points: int
    """The points it gives the approach (negative: it counts against it)."""
    text: str
    """Why, in plain words."""


class Inference(BaseModel):
    """One rule that established a finding, and the findings it came through."""

    model_config = _FROZEN

    rule_id: str
    """The id of the rule that established the finding."""
    title: str
    """That rule's title."""
    source: str
    """The guidance section or published reference it rests on."""
    via: tuple[FindingTrace, ...] = ()
    """The findings that rule itself came through."""


class FindingTrace(BaseModel):
    """A finding that was established, with every rule that established it."""

    model_config = _FROZEN

    finding: str
    """The finding's name, as rules test it."""
    text: str
    """The finding in plain words."""
    established_by: tuple[Inference, ...]
    """Every rule that established it."""


class Reason(RuleReference):
    """One rule's points for one approach, and why."""

    source: str
    """The guidance section or published reference the rule rests on."""
    via: tuple[FindingTrace, ...] = ()
    """The findings the rule came through, each traced to the rules behind it."""
    strength: StrengthClass | None = None
    """The strength class of the ledger feature the rule scores (``local`` for an
    organisation's own rule); None only in results saved before schema 3."""
    source_kind: SourceKind | None = None
    """The kind of source the feature rests on (guidance, published study, design
    document, local decision); None only in results saved before schema 3."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def grade(self) -> str:
        """The reason's grade as symbol and words, never colour alone:
        '●●● defining, guidance' ('ungraded' for a result saved before grades)."""
        if self.strength is None or self.source_kind is None:
            return "ungraded"
        return f"{self.strength.label}, {self.source_kind.value}"


class FeatureCount(BaseModel):
    """How many of one approach's features hold, per strength class: what the stated
    tie-break compares."""

    model_config = _FROZEN

    approach: Approach
    """The approach level on points at the top."""
    defining: int
    """How many of its defining features hold."""
    typical: int
    """How many of its typical features hold."""
    hedged: int
    """How many of its hedged features hold."""

    @property
    def key(self) -> tuple[int, int, int]:
        """The counts in the order the tie-break compares them."""
        return self.defining, self.typical, self.hedged


class TieBreak(BaseModel):
    """The stated tie-break, applied because two or more approaches were level on points
    at the top (rules/PRINCIPLES.md)."""

    model_config = _FROZEN

    level_on_points: tuple[Approach, ...]
    """The approaches that shared the top score, in the fixed order of ``Approach``."""
    counts: tuple[FeatureCount, ...]
    """Each of them with how many of its defining, typical and hedged features hold."""
    first: tuple[Approach, ...]
    """The ones the tie-break keeps first: one when it separated them, all of them (a tie
    that stands) when their counts are equal too."""
    principle: str
    """The tie-break in words."""

    @property
    def separated(self) -> bool:
        """True when the tie-break left one approach first."""
        return len(self.first) == 1

    def count_of(self, approach: Approach | str) -> FeatureCount:
        """The feature counts of one approach that was level on points."""
        wanted = Approach(approach)
        return next(c for c in self.counts if c.approach is wanted)


def summarise_grades(reasons: list[Reason] | tuple[Reason, ...], subject: str) -> str:
    """'<subject> rests on 2 defining, 1 typical and 1 design-document reason': the classes
    of the reasons given, firmest first (reasons saved before grades count as ungraded)."""
    counts: dict[str, int] = {strength.word: 0 for strength in SUMMARY_ORDER}
    counts["ungraded"] = 0
    for reason in reasons:
        counts[reason.strength.word if reason.strength is not None else "ungraded"] += 1
    return rests_on(subject, counts, none="no reason for it")


class RankedApproach(BaseModel):
    """An approach's place in the ranking, its score and the reasons for it."""

    model_config = _FROZEN

    approach: Approach
    """The approach."""
    name: str
    """Its name in words."""
    rank: int
    """1 for the best fit. Approaches with equal scores share a rank (1, 1, 3: competition
    ranking); the list itself keeps the fixed order of ``Approach`` among them. Among the
    approaches level on points at the top, the stated tie-break (``Recommendation.
    tie_break``) orders and ranks them; a tie it cannot separate keeps a shared rank."""
    score: int
    """The sum of the reasons' points."""
    reasons: tuple[Reason, ...]
    """Every rule that gave it points (or took them away), with why and the source."""

    def grade_summary(self, subject: str | None = None) -> str:
        """One line saying what this place rests on, from the grades of its reasons for it
        (positive points): 'Community of Practice rests on 2 defining and 1 hedged reason'."""
        return summarise_grades([r for r in self.reasons if r.points > 0],
                                subject if subject is not None else self.name)

    def __eq__(self, other: object) -> bool:
        """Equal when every stored field is."""
        if not isinstance(other, RankedApproach):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))

    @property
    def score_range(self) -> tuple[int, int]:
        """Deprecated: a ranked approach alone cannot know its range; use
        ``analyse(rec).score_range(approach)``."""
        raise CollabAdvisorError(
            "RankedApproach.score_range was removed in 0.2.0 (it needed a link back to its "
            "result); use collab_advisor.analyse(rec).score_range(approach)")


class Recommendation(BaseModel):
    """All four approaches ranked for one context, with the reasons for each.

    Plain data: what the engine found and how it scored, with the rule set's version
    and fingerprint so that analyses can check they are given the same rules.
    """

    model_config = _FROZEN

    context: Context
    """The context as given: unknown fields are null."""
    ranking: tuple[RankedApproach, ...]
    """All four approaches, best fit first."""
    tied_for_first: tuple[Approach, ...]
    """Every approach still first after the stated tie-break, in the fixed order of
    ``Approach``: one when first place is clear, several on a tie. A tie is a tie: no
    approach in it is preferred."""
    findings: tuple[FindingTrace, ...]
    """What the rules found about the context before scoring, each traced to the rules
    that established it."""
    fired_rules: tuple[str, ...]
    """The ids of every rule that fired."""
    engine: EngineName
    """The engine that ran the rules: 'durable' (durable-rules' Rete engine) or
    'python'."""
    rules_version: str
    """The version of the rule set."""
    rules_fingerprint: str
    """A hash of the rule set's content: analyses check that they are given the same
    rules."""
    schema_version: int = RESULT_SCHEMA_VERSION
    """The version of this result's serialised form (``model_dump()``, JSON)."""
    tie_break: TieBreak | None = None
    """The stated tie-break, when two or more approaches were level on points at the top
    (None when one approach had the top score alone, and in results saved before schema
    3, which ranked on points only)."""

    @model_validator(mode="before")
    @classmethod
    def _ties_of_old_results(cls, data: Any) -> Any:
        """A result saved before schema 2 has no ``tied_for_first``: it is read off the
        scores, and ranks are made shared ones."""
        if isinstance(data, dict) and "tied_for_first" not in data and "ranking" in data:
            ranking = [dict(r) if isinstance(r, dict) else r for r in data["ranking"]]
            scores = [r["score"] if isinstance(r, dict) else r.score for r in ranking]
            if scores:
                best = max(scores)
                data = {**data, "tied_for_first": tuple(
                    (r["approach"] if isinstance(r, dict) else r.approach)
                    for r, s in zip(ranking, scores, strict=True) if s == best)}
                for entry, score in zip(ranking, scores, strict=True):
                    if isinstance(entry, dict):
                        entry["rank"] = 1 + sum(other > score for other in scores)
                data["ranking"] = ranking
        return data

    @property
    def top(self) -> RankedApproach:
        """The first entry of the ranking: the approach first alone when there is no tie
        (on points, or after the stated tie-break). On a tie that stands it is the first
        of ``tied_for_first`` in the fixed order of ``Approach``, which is a way of
        listing, never a preference: check ``is_tie`` (or ``tied_for_first``) before
        speaking of one best fit."""
        return self.ranking[0]

    @property
    def is_tie(self) -> bool:
        """True when two or more approaches are still first after the stated tie-break."""
        return len(self.tied_for_first) > 1

    @property
    def tied_at_top(self) -> tuple[Approach, ...]:
        """The approaches first after the stated tie-break (one when there is no tie);
        the same as ``tied_for_first``."""
        return self.tied_for_first

    @computed_field  # type: ignore[prop-decorator]
    @property
    def grade_summary(self) -> str:
        """One line per ranking: what first place rests on, by the grades of the reasons
        for it ('first place rests on 2 defining and 1 typical reason'); on a tie that
        stands, one clause per tied approach."""
        if not self.is_tie:
            return self.top.grade_summary("first place")
        return "; ".join(self.ranked(a).grade_summary(f"{self.ranked(a).name}'s share of "
                                                      "first place")
                         for a in self.tied_for_first)

    @property
    def level_on_points(self) -> tuple[Approach, ...]:
        """Every approach with the top score, before the stated tie-break."""
        if self.tie_break is not None:
            return self.tie_break.level_on_points
        return self.tied_for_first

    @property
    def unknown_fields(self) -> tuple[str, ...]:
        """The rule fields not known yet, in the context's field order."""
        values = self.context.__dict__  # read directly: known() dumps the whole context
        return tuple(name for name in RULE_FIELDS if values.get(name) is None)

    def ranked(self, approach: Approach | str) -> RankedApproach:
        """One approach's entry in the ranking."""
        wanted = Approach(approach)
        return next(r for r in self.ranking if r.approach is wanted)

    def score_of(self, approach: Approach | str) -> int:
        """The score of one approach."""
        return self.ranked(approach).score

    def __eq__(self, other: object) -> bool:
        """Equal when every stored field is (a notebook ``Advice`` equals its plain record)."""
        if not isinstance(other, Recommendation):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))

    def __repr__(self) -> str:
        """Short and readable: the ranking with scores, what is known, the rules' version."""
        scores = ", ".join(f"{r.name} {r.score}" for r in self.ranking)
        known = len(RULE_FIELDS) - len(self.unknown_fields)
        name = f"{self.context.name!r}: " if self.context.name else ""
        return (f"<Recommendation {name}{scores}; {known} of {len(RULE_FIELDS)} "
                f"answers known; rules {self.rules_version}>")

    def __str__(self) -> str:
        """The verdict a person expects from ``print(rec)``: the leader, or every approach
        tied for first, with the scores, what is known and the rules' version."""
        known = len(RULE_FIELDS) - len(self.unknown_fields)
        name = f"{self.context.name}: " if self.context.name else ""
        best = self.ranking[0].score
        tied = [r.name for r in self.ranking if r.approach in self.tied_for_first]
        if len(tied) > 1:
            names = ", ".join(tied[:-1]) + f" and {tied[-1]}"
            verdict = f"Tied for first at {_points(best)}, none preferred: {names}"
        else:
            rest = "; ".join(f"{r.name} {r.score}" for r in self.ranking[1:])
            verdict = f"{self.ranking[0].name} fits best with {_points(best)} (then {rest})"
        return (f"{name}{verdict}. {known} of {len(RULE_FIELDS)} answers known; "
                f"rules {self.rules_version}.")

    # Old spellings (0.1): the analyses and words reached through the record. Each warns
    # and asks the analysis floor, through the notebook facade, with the shipped rules.

    @property
    def is_settled(self) -> bool:
        """Deprecated: ``analyse(rec).is_settled``."""
        return moved(self, "is_settled", "analyse(rec).is_settled")  # type: ignore[no-any-return]

    @property
    def ranges_exact(self) -> bool:
        """Deprecated: ``analyse(rec).ranges_exact``."""
        return moved(self, "ranges_exact", "analyse(rec).ranges_exact")  # type: ignore[no-any-return]

    @property
    def next_questions(self) -> Any:
        """Deprecated: ``analyse(rec).next_questions``."""
        return moved(self, "next_questions", "analyse(rec).next_questions")

    @property
    def fit(self) -> Any:
        """Deprecated: ``analyse(rec).fit``."""
        return moved(self, "fit", "analyse(rec).fit")

    @property
    def has_advice(self) -> bool:
        """Deprecated: ``analyse(rec).has_advice``."""
        return moved(self, "has_advice", "analyse(rec).has_advice")  # type: ignore[no-any-return]

    @property
    def top_features(self) -> tuple[str, ...]:
        """Deprecated: ``analyse(rec).top_features``."""
        return moved(self, "top_features", "analyse(rec).top_features")  # type: ignore[no-any-return]

    @property
    def considerations(self) -> Any:
        """Deprecated: ``analyse(rec).considerations``."""
        return moved(self, "considerations", "analyse(rec).considerations")

    @property
    def robustness(self) -> Any:
        """Deprecated: ``analyse(rec).robustness``."""
        return moved(self, "robustness", "analyse(rec).robustness")

    @property
    def planning_questions(self) -> Any:
        """Deprecated: ``analyse(rec).planning_questions``."""
        return moved(self, "planning_questions", "analyse(rec).planning_questions")

    def score_range_of(self, approach: Approach | str) -> tuple[int, int]:
        """Deprecated: ``analyse(rec).score_range(approach)``."""
        return moved(self, "score_range_of", "analyse(rec).score_range(approach)")(approach)  # type: ignore[no-any-return]

    def rules(self) -> Any:
        """Deprecated: ``collab_advisor.rules_for(rec)`` (the shipped rules, checked)."""
        return moved(self, "rules", "rules_for(rec)")()

    def explain(self, verbose: bool = True) -> str:
        """Deprecated on the plain record: ``collab_advisor.explain(rec)``."""
        return moved(self, "explain", "explain(rec)")(verbose)  # type: ignore[no-any-return]

    def to_markdown(self) -> str:
        """Deprecated on the plain record: ``collab_advisor.to_markdown(rec)``."""
        return moved(self, "to_markdown", "to_markdown(rec)")()  # type: ignore[no-any-return]

    def to_html(self) -> str:
        """Deprecated on the plain record: ``collab_advisor.to_html(rec)``."""
        return moved(self, "to_html", "to_html(rec)")()  # type: ignore[no-any-return]

    def what_if(self, **changes: Any) -> Any:
        """Deprecated on the plain record: ``collab_advisor.what_if(rec, ...)``."""
        return moved(self, "what_if", "what_if(rec, **changes)")(**changes)

    def path_to(self, approach: Approach | str) -> Any:
        """Deprecated on the plain record: ``collab_advisor.path_to(rec, approach)``."""
        return moved(self, "path_to", "path_to(rec, approach)")(approach)

    def why_not(self, approach: Approach | str) -> Any:
        """Deprecated on the plain record: ``collab_advisor.why_not(rec, approach)``."""
        return moved(self, "why_not", "why_not(rec, approach)")(approach)


Inference.model_rebuild()


def _points(score: int) -> str:
    return f"{score} point" if score in (1, -1) else f"{score} points"
