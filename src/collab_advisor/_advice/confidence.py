"""One measure of confidence: how often first place holds over the ways the open
questions could still be answered, worded so that it says what it counts.

``confidence(rec)`` gives a ``Confidence``: per outcome (an approach first alone, or a
tie that survives the stated tie-break), in how many of the combinations of open
answers it comes about; the counting assumption (every open answer counted as equally
likely, unless the caller passes weights); whether the count is exact or a seeded sample
with its margin; and whether the leading outcome holds under the alternative strength
tables (each strength class one point up or down). "Settled" is the case where one
outcome holds in every combination. See ``confidence_count`` for the counting.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .._engines.plan import APPROACHES
from .._model.context import Approach, Context
from .._model.fields import RULE_FIELDS
from .._model.wording import field_label, join_words
from .._result.facts import facts_of
from .._result.record import Recommendation
from .._rulebook.ruleset import RuleSet
from .._rulebook.strength import StrengthClass
from .confidence_count import OUTCOMES, Z95, Spread, Weights, spread_of
from .confidence_stop import STOP_SHARE
from .pairing import rules_for

_FROZEN = ConfigDict(frozen=True)

EQUAL_LIKELIHOOD = "every open answer is counted as equally likely"
"""The counting assumption when no weights are given."""


class OutcomeShare(BaseModel):
    """How often one outcome comes about over the completions of the open questions."""

    model_config = _FROZEN

    approaches: tuple[Approach, ...]
    """The approach first alone, or (several) those tied after the stated tie-break."""
    ways: float
    """Its completions: a whole count of ways when counted exactly without weights; the
    weighted count with weights; the number of sampled completions when sampled."""
    share: float
    """Its share of the completions, from 0 to 1."""
    margin: float | None = None
    """For a sampled count, the 95% margin of the share (from 0 to 1); else ``None``."""

    @property
    def is_tie(self) -> bool:
        """Whether this outcome is a tie for first place."""
        return len(self.approaches) > 1


class Confidence(BaseModel):
    """How often first place holds over the ways the open questions could be answered."""

    model_config = _FROZEN

    open_fields: tuple[str, ...]
    """The rule fields still unanswered, in the context's order."""
    ways: int
    """How many combinations of answers the open fields have (``sites`` counts its three
    documented bands)."""
    exact: bool
    """True when every combination was counted; else a seeded sample with margins."""
    sample_size: int | None
    """Completions drawn when sampled, else ``None``."""
    weighted_fields: tuple[str, ...]
    """Fields whose answers the caller weighted (empty: every answer counted equally)."""
    outcomes: tuple[OutcomeShare, ...]
    """Every outcome that comes about, the most frequent first."""
    leader: tuple[Approach, ...]
    """The most frequent outcome's approaches (several: a tie, or outcomes level in
    frequency, never one of them picked by the fixed order)."""
    leader_share: float
    """The share of the ways (or of the weight, when weights are used) in which the
    leading outcome comes about, from 0 to 1."""
    settled: bool
    """True when one outcome holds in every combination: counted exactly, or proved from
    the rules' structure when the count was a sample (100% either way)."""
    holds_under_alternatives: bool
    """Whether the leading outcome stays the leader under every alternative strength
    table (each class one point up or down)."""
    rests_on: tuple[StrengthClass, ...]
    """The classes whose alternative weighting changes the leader (empty when it holds)."""
    assumption: str
    """The counting assumption, in words."""
    summary: str
    """The measure in one or two sentences, as every face shows it."""
    alternatives_text: str
    """Whether first place holds under the alternative strength tables, in words."""

    def share_of(self, approach: Approach | str) -> float:
        """The share of completions in which ``approach`` comes first alone."""
        wanted = Approach(approach)
        return sum(o.share for o in self.outcomes if o.approaches == (wanted,))

    @property
    def tie_share(self) -> float:
        """The share of completions that end in a tie for first place."""
        return sum(o.share for o in self.outcomes if o.is_tie)

    @property
    def short(self) -> str:
        """The leading outcome's share only, with the counting assumption: for one-screen
        views."""
        head = self.summary.split("; ")[0].rstrip(".")
        return f"{head} ({self.assumption[0].lower()}{self.assumption[1:]})."

    @property
    def text(self) -> str:
        """Summary, assumption and the alternative weightings, as plain text."""
        return f"{self.summary} ({self.assumption}.) {self.alternatives_text}"


def approaches_of(mask: int) -> tuple[Approach, ...]:
    """The approaches in an outcome mask, in the fixed order."""
    return tuple(a for i, a in enumerate(APPROACHES) if mask >> i & 1)


def margin_of(share: float, sample: int) -> float:
    """The 95% margin of a sampled share: the wider half of its Wilson interval."""
    z2 = Z95 * Z95
    centre = (share + z2 / (2 * sample)) / (1 + z2 / sample)
    half = Z95 * math.sqrt(share * (1 - share) / sample + z2 / (4 * sample * sample)) / (
        1 + z2 / sample)
    return max(centre + half - share, share - (centre - half))


def confidence_of_spread(spread: Spread, proved_first: Approach | None = None) -> Confidence:
    """The ``Confidence`` record of a counted spread; ``proved_first``: the approach proved
    first alone in every completion (``is_settled``), which makes a sampled count exact."""
    if proved_first is not None and not spread.exact:
        spread = proved_spread(spread, APPROACHES.index(proved_first))
    total = spread.total
    masks = sorted((m for m in range(1, OUTCOMES) if spread.outcomes[m] > 0),
                   key=lambda m: (-spread.outcomes[m], m))
    weighted = tuple(f.name for f in spread.fields if any(w != 1.0 for w in f.weights))
    outcomes = tuple(OutcomeShare(
        approaches=approaches_of(m), ways=_ways(spread.outcomes[m]),
        share=spread.outcomes[m] / total,
        margin=None if spread.exact else margin_of(spread.outcomes[m] / total, spread.rows))
        for m in masks)
    leader = spread.leader()
    level = spread.leaders()
    moved = sorted({strength for (strength, _), seen in spread.alternatives.items()
                    if spread.leaders(seen) != level},
                   key=list(StrengthClass).index)
    ways = math.prod(len(f.answers) for f in spread.fields)
    settled = spread.exact and len(masks) == 1
    assumption = _assumption(weighted)
    return Confidence(
        open_fields=tuple(f.name for f in spread.fields), ways=ways, exact=spread.exact,
        sample_size=None if spread.exact else spread.rows, weighted_fields=weighted,
        outcomes=outcomes, leader=approaches_of(sum(1 << i for i in range(len(APPROACHES))
                                                    if any(m >> i & 1 for m in level))),
        leader_share=spread.outcomes[leader] / total, settled=settled,
        holds_under_alternatives=not moved, rests_on=tuple(moved), assumption=assumption,
        summary=_summary(outcomes, len(spread.fields), ways, spread, bool(weighted)),
        alternatives_text=_alternatives_text(tuple(moved)))


def proved_spread(spread: Spread, first: int) -> Spread:
    """A sampled ``spread`` as counted exactly, where approach ``first`` is proved first
    alone in every completion: all of their weight is its outcome, answer by answer (the
    alternative strength tables keep their sample: the proof holds for the table in use)."""
    from dataclasses import replace

    mask = 1 << first
    total = math.prod(sum(f.weights) for f in spread.fields)
    by_answer = {f.name: tuple(tuple(w if m == mask else 0.0 for m in range(OUTCOMES))
                               for w in f.weights)  # as counted: a row sums to its weight
                 for f in spread.fields}
    outcomes = tuple(total if m == mask else 0.0 for m in range(OUTCOMES))
    return replace(spread, outcomes=outcomes, by_answer=by_answer, exact=True,
                   rows=math.prod(len(f.weights) for f in spread.fields), scored_rows=())


def _ways(weight: float) -> float:
    rounded = round(weight)
    return float(rounded) if abs(weight - rounded) < 1e-6 else weight


def _assumption(weighted: tuple[str, ...]) -> str:
    if not weighted:
        return EQUAL_LIKELIHOOD[0].upper() + EQUAL_LIKELIHOOD[1:]
    names = join_words([field_label(name) for name in weighted])
    return (f"Weights used: the answers about {names} are counted with the weights given; "
            f"every other open answer is counted as equally likely")


def outcome_words(approaches: tuple[Approach, ...]) -> str:
    """An outcome in words: the approach, or 'a tie between A and B'."""
    if len(approaches) == 1:
        return approaches[0].display_name
    return f"a tie between {join_words([a.display_name for a in approaches])}"


def _summary(outcomes: tuple[OutcomeShare, ...], open_count: int, ways: int, spread: Spread,
             weighted: bool) -> str:
    first = outcomes[0]
    if open_count == 0:
        verb = "tie for first place" if first.is_tie else "comes first"
        names = (join_words([a.display_name for a in first.approaches]) if first.is_tie
                 else first.approaches[0].display_name)
        return f"Settled: every question is answered, and {names} {verb}."
    questions = (f"the {open_count} open questions" if open_count != 1
                 else "the one open question")
    space = f"the {ways:,} ways {questions} could be answered"
    if spread.exact and len(outcomes) == 1:
        return (f"Settled: {_subject(first)} in every one of {space}" + (
            "." if not first.is_tie else ", and nothing left to ask separates them."))
    level = [o for o in outcomes if not o.is_tie and abs(o.share - first.share) <= 1e-9]
    if not first.is_tie and len(level) > 1:
        names = join_words([o.approaches[0].display_name for o in level])
        head = (f"{names} each come first in {_part(first, spread, weighted)} of {space}, "
                "so none of them leads")
        outcomes = (first, *(o for o in outcomes if o not in level))
    else:
        head = f"{_subject(first)} in {_part(first, spread, weighted)} of {space}"
    if spread.exact and weighted:
        head += " (weighted)"
    elif not spread.exact:
        head += f" (a seeded sample of {spread.rows:,} of them)"
    rest = [f"{o.approaches[0].display_name} in {_part(o, spread, weighted)}"
            for o in outcomes[1:] if not o.is_tie]
    ties = [o for o in outcomes if o.is_tie and o is not first]
    if ties:
        tied = OutcomeShare(approaches=ties[0].approaches, ways=sum(o.ways for o in ties),
                            share=sum(o.share for o in ties),
                            margin=None if spread.exact else margin_of(
                                sum(o.share for o in ties), spread.rows))
        rest.append(f"a tie at the top in {_part(tied, spread, weighted)}")
    return "; ".join([head, *rest]) + "."


def _subject(outcome: OutcomeShare) -> str:
    if outcome.is_tie:
        return f"{join_words([a.display_name for a in outcome.approaches])} tie for first"
    return f"{outcome.approaches[0].display_name} comes first"


def _tie_short(outcome: OutcomeShare) -> str:
    return f"a tie ({join_words([a.display_name for a in outcome.approaches])})"


def _part(outcome: OutcomeShare, spread: Spread, weighted: bool) -> str:
    if spread.exact and not weighted:
        return f"{int(outcome.ways):,}"
    percent = _percent(outcome.share)
    if spread.exact:
        return percent
    points = max(0.1, round(100 * (outcome.margin or 0.0), 1))
    return f"{percent} (±{points:.1f} points)" if percent.startswith(("under", "over")) else (
        f"about {percent} (±{points:.1f} points)")


def _percent(share: float) -> str:
    value = 100 * share
    if 0 < value < 1:
        return "under 1%"
    if 99 < value < 100:
        return "over 99%"
    return f"{value:.0f}%"


def _alternatives_text(moved: tuple[StrengthClass, ...]) -> str:
    if not moved:
        return ("It holds under every alternative weighting (each strength class one point "
                "up or down).")
    names = join_words([strength.word for strength in moved], "and")
    return (f"It rests on how {names} features are weighted: with them one point up or "
            "down, another outcome leads.")


def confidence(rec: Recommendation, rules: RuleSet | None = None,
               weights: Weights | None = None) -> Confidence:
    """How often first place holds over the ways the open questions of ``rec`` could be
    answered (``weights``: per field, a weight per answer; unweighted answers count
    equally)."""
    chosen = rules_for(rec, rules)
    found = spread_of(chosen, facts_of(rec.context), weights)
    return confidence_of_spread(found, proved_first(rec, chosen, found))


def proved_first(rec: Recommendation, rules: RuleSet, spread: Spread) -> Approach | None:
    """``rec``'s top approach when its count is a sample and first place is proved settled
    (``is_settled``), else ``None``: then the sample's figure gives way to the proof."""
    from .settledness import is_settled

    if spread.exact or not is_settled(rec, rules):
        return None
    return rec.top.approach


def confidence_for(context: Context | Mapping[str, object], rules: RuleSet,
                   weights: Weights | None = None) -> Confidence:
    """``confidence`` for a context (or its known answers) under ``rules``."""
    from .._result.build import recommend

    known = context if isinstance(context, Context) else Context.model_validate(context)
    found = spread_of(rules, facts_of(known), weights)
    proof = None if found.exact else proved_first(recommend(known, rules=rules,
                                                            engine="python"), rules, found)
    return confidence_of_spread(found, proof)


class StopCheck(BaseModel):
    """Whether an interview may stop after these answers, and what to ask next if not."""

    model_config = _FROZEN

    stop: bool
    reason: Literal["settled", "clear", "nothing_left"] | None
    """Settled (one outcome however the rest is answered), clear (one approach first in at
    least ``threshold`` of the ways), nothing left to ask, or ``None`` to go on."""
    leader: Approach | None
    """The approach first alone in the most ways the questions not yet asked could be
    answered."""
    leader_share: float
    """The leader's share of those ways, from 0 to 1."""
    threshold: float
    """The share at which the interview stops as clear enough."""
    next_question: str | None
    """The field to ask next by the interview's rule (``None`` when nothing is left)."""


def interview_stop(rec: Recommendation, rules: RuleSet | None = None, *,
                   skipped: Collection[str] = (), threshold: float = STOP_SHARE) -> StopCheck:
    """The interview's rule for ``rec``: stop when one approach comes first in at least
    ``threshold`` of the ways the questions not yet asked could be answered (``skipped``:
    fields answered "don't know", held unknown), when first place is settled, or when
    nothing is left; else the next question by the interview's order (the one after which
    the fewest questions are expected to the stop)."""
    from .._engines.plan import APPROACHES
    from .confidence_stop import interview_order, settled_proof, single_leader, stop_reason

    chosen = rules_for(rec, rules)
    facts = facts_of(rec.context)
    spread = spread_of(chosen, facts, alternatives=False, held=skipped)
    reason = stop_reason(spread, (), threshold,
                         proved=settled_proof(chosen, facts, skipped, spread))
    order = interview_order(spread, list(RULE_FIELDS), threshold=threshold)
    best, share = single_leader(spread)
    return StopCheck(stop=reason is not None, reason=None if reason is None else reason.value,
                     leader=None if best is None else APPROACHES[best], leader_share=share,
                     threshold=threshold, next_question=order[0] if order else None)
