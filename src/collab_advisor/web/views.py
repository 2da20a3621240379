"""Plain data for the templates: bars, plain-word verdicts, what-if changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from collab_advisor import Approach, PathTo, Recommendation, RuleSet, WhatIf, WhyNot
from collab_advisor._advice.counterfactual import path_to as changes_to

from .fields import BY_NAME, QUESTIONS, FieldQuestion, Value, read_state, to_query

BAR_WIDTH = 320
"""The width of a score bar, in the SVG's units."""


@dataclass(frozen=True)
class Bar:
    """One approach's score and possible range, laid out on a shared scale."""

    score: int
    low: int
    high: int
    zero_x: float
    range_x: float
    range_width: float
    score_x: float
    score_width: float
    negative: bool

    @property
    def label(self) -> str:
        """The bar in words, for screen readers."""
        if self.low == self.high:
            return f"Score {self.score}; no open question can change it."
        return f"Score {self.score}; it could end between {self.low} and {self.high}."


def bars(rec: Recommendation) -> dict[Approach, Bar]:
    """Every approach's bar, on one scale that holds every range and zero."""
    ranges = {r.approach: rec.score_range_of(r.approach) for r in rec.ranking}
    lowest = min(0, *(low for low, _ in ranges.values()))
    highest = max(1, *(high for _, high in ranges.values()))
    scale = BAR_WIDTH / (highest - lowest)

    def x(value: int) -> float:
        return round((value - lowest) * scale, 1)

    out = {}
    for ranked in rec.ranking:
        low, high = ranges[ranked.approach]
        start, end = sorted((x(0), x(ranked.score)))
        out[ranked.approach] = Bar(
            score=ranked.score, low=low, high=high, zero_x=x(0),
            range_x=x(low), range_width=max(x(high) - x(low), 2.0),
            score_x=start, score_width=max(end - start, 2.0 if ranked.score else 0.0),
            negative=ranked.score < 0)
    return out


def settled_words(rec: Recommendation) -> str:
    """Whether more answers could change the advice, in plain words."""
    if rec.is_settled:
        if not rec.unknown_fields:
            return "Settled: every question is answered."
        return (f"Settled: {rec.top.name} ranks first whatever the open questions' "
                "answers turn out to be.")
    first = rec.next_questions[0] if rec.next_questions else None
    hint = f" The most useful one to answer next: {first.question}" if first else ""
    return ("Not settled yet: some answers to the open questions would put another "
            f"approach first.{hint}")


@dataclass(frozen=True)
class ChangeOption:
    """One answer a what-if can try: a field and a new value (None: not sure)."""

    field: str
    value: str
    label: str

    @property
    def token(self) -> str:
        """As it is written in the URL: 'aim=redesign_services', 'aim=' for not sure."""
        return f"{self.field}={self.value}"


def change_options(values: Mapping[str, Value]) -> list[tuple[FieldQuestion, list[ChangeOption]]]:
    """For every choice and yes/no field, each answer other than the current one."""
    out = []
    for question in QUESTIONS:
        if not question.options:
            continue
        current = values.get(question.name)
        shown = question.url_value(current) if current is not None else None
        options = [ChangeOption(question.name, option.value, option.label)
                   for option in question.options if option.value != shown]
        if current is not None:
            options.append(ChangeOption(question.name, "", "not sure yet"))
        out.append((question, options))
    return out


def read_changes(tokens: Iterable[str]) -> tuple[dict[str, Value | None], list[str]]:
    """What-if changes from 'field=value' tokens, and problems naming field and values."""
    changes: dict[str, Value | None] = {}
    problems: list[str] = []
    for token in tokens:
        name, _, raw = token.partition("=")
        question = BY_NAME.get(name)
        if question is None:
            problems.append(f"{name!r} is not a field; fields: {', '.join(BY_NAME)}")
            continue
        if raw.strip() == "":
            changes[name] = None
            continue
        state = read_state([(name, raw)])
        if state.errors:
            problems.extend(state.errors.values())
        else:
            changes[name] = state.values[name]
    return changes, problems


def apply_changes(values: Mapping[str, Value], changes: Mapping[str, Value | None]) -> str:
    """The query string of ``values`` with ``changes`` made."""
    merged: dict[str, Value | None] = {**values, **changes}
    return to_query(merged)


def describe_change(field: str, value: Value | None) -> str:
    """'aim: redesign services'."""
    question = BY_NAME[field]
    shown = "not sure yet" if value is None else question.url_value(value).replace("_", " ")
    return f"{question.label}: {shown}"


@dataclass(frozen=True)
class ApproachView:
    """Everything the results show about one approach."""

    approach: Approach
    bar: Bar
    why_not: WhyNot
    path_to: PathTo
    path_query: str
    """The what-if query that tries the path's changes (empty when there is none)."""


def approach_views(rec: Recommendation, rules: RuleSet) -> dict[Approach, ApproachView]:
    """Bars, why-not and path-to for every approach (``rules`` made ``rec``).

    The page shows a path's changes only, so the recommendation under them is not built.
    """
    laid_out = bars(rec)
    out = {}
    for ranked in rec.ranking:
        path = changes_to(rec, rules, ranked.approach, with_result=False)
        tokens = [("change", f"{c.field}=" + ("" if c.after is None else
                                              BY_NAME[c.field].url_value(c.after)))
                  for c in path.changes]
        out[ranked.approach] = ApproachView(
            approach=ranked.approach, bar=laid_out[ranked.approach],
            why_not=rec.why_not(ranked.approach), path_to=path,
            path_query=urlencode(tokens))
    return out


def what_if_rows(result: WhatIf, before: Recommendation) -> list[tuple[str, int, int, int, int]]:
    """(name, rank before, score before, score after, rank after) in the new order."""
    ranks = {r.approach: r.rank for r in before.ranking}
    return [(r.name, ranks[r.approach], before.score_of(r.approach), r.score, r.rank)
            for r in result.recommendation.ranking]


def differing_fields(plans: Sequence[Mapping[str, Value]]) -> set[str]:
    """The fields whose answers are not the same in every plan."""
    return {q.name for q in QUESTIONS if len({repr(p.get(q.name)) for p in plans}) > 1}
