"""Why an approach did not rank first: what held it back and what did not apply."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .._model.context import Approach
from .._model.wording import (
    describe_count_range,
    describe_value,
    field_label,
    join_words,
    points_text,
)
from .._printable import printable
from .._result.facts import facts_of
from .._result.record import Reason, Recommendation, RuleReference
from .._rulebook.compile import Conjunction
from .._rulebook.evaluation import Facts
from .._rulebook.ruleset import RuleSet
from .pairing import has_advice, rules_for

_FROZEN = ConfigDict(frozen=True)


class UnmetRule(RuleReference):
    """A rule that would have given an approach points, and what it was missing."""

    unmet: tuple[str, ...]
    """The conditions that did not hold, in plain words (for its closest alternative)."""


class WhyNot(BaseModel):
    """Why one approach ranks where it does."""

    model_config = _FROZEN

    approach: Approach
    name: str
    rank: int
    score: int
    gap: int
    """Points behind the top approach (0 when it is the top one)."""
    held_back: tuple[Reason, ...]
    """Rules that took points away from it."""
    not_applied: tuple[UnmetRule, ...]
    """Rules that would have given it points, with the conditions that failed."""
    has_advice: bool = True
    """Whether the first place is advice (``Analysis.has_advice``); when it is not,
    no approach stands out yet and rank 1 is only the documented order's tie-break."""

    def explain(self, verbose: bool = True) -> str:
        """The same in plain words; ``verbose=False`` leaves out the rule ids."""
        def tag(rule_id: str) -> str:
            return f" [{rule_id}]" if verbose else ""
        if self.gap:
            place = f", {points_text(self.gap)} behind the top approach."
        elif self.rank == 1:
            place = (", the top approach." if self.has_advice else
                     ", listed first only by the fixed order of approaches.")
        else:
            place = (", level on points with the top approach, which the stated tie-break "
                     "puts first (more of its defining, then typical, then hedged features "
                     "hold).")
        lines = [f"{self.name}: rank {self.rank}, {points_text(self.score)}{place}"]
        if not self.has_advice:
            lines.append("No approach stands out yet: none of the top approach's defining "
                         "features holds.")
        if self.held_back:
            lines.append("Held back by:")
            lines += [f"  {r.points:+d}  {r.text}{tag(r.rule_id)}" for r in self.held_back]
        if self.not_applied:
            lines.append("Would have gained points, but did not apply:")
            for rule in self.not_applied:
                lines.append(f"  {rule.points:+d}  {rule.title}{tag(rule.rule_id)}")
                lines.append(f"       missing: {'; '.join(rule.unmet)}")
        if not self.held_back and not self.not_applied:
            lines.append("No rule holds it back, and every rule in its favour applied.")
        return printable("\n".join(lines))


def unmet_conditions(conjunction: Conjunction, facts: Facts, findings: frozenset[str],
                     rules: RuleSet, _seen: frozenset[str] = frozenset()) -> list[str]:
    """The tests of one alternative that do not hold, in plain words.

    A finding that is not established is explained by the answers it rests on (the
    closest of the rules that conclude it): which are not known yet, or what they
    would need to be.
    """
    out: list[str] = []
    for field, values in conjunction.choices:
        value = facts.get(field)
        need = join_words([describe_value(field, v) for v in values], "or")
        if value is None:
            out.append(f"{field_label(field)} is not known yet (needs {need})")
        elif value not in values:
            out.append(f"{field_label(field)} is {describe_value(field, value)} (needs {need})")
    for field, low, high in conjunction.ranges:
        count = facts.get(field)
        need = describe_count_range(low, high)
        if count is None:
            out.append(f"{field_label(field)} is not known yet (needs {need})")
        elif not low <= int(count) <= high:
            out.append(f"{field_label(field)} is {count} (needs {need})")
    for finding in sorted(conjunction.findings):
        if finding not in findings:
            out += _finding_needs(finding, facts, findings, rules, _seen)
    return out


def _finding_needs(finding: str, facts: Facts, findings: frozenset[str], rules: RuleSet,
                   seen: frozenset[str]) -> list[str]:
    """The answers a finding that is not established would need, closest rule first."""
    options = [
        unmet_conditions(c, facts, findings, rules, seen | {finding})
        for rule_id in rules.concluded_by(finding) if finding not in seen
        for c in rules.compiled_rule(rule_id).disjuncts
    ]
    options = [option for option in options if option]
    if not options:
        return [f"not established: {rules.findings[finding].text}"]
    return min(options, key=len)


def why_not(rec: Recommendation, approach: Approach, rules: RuleSet | None = None) -> WhyNot:
    """Explain one approach's place: negative reasons, unfired support, gap to the top."""
    rules = rules_for(rec, rules)
    ranked = next(r for r in rec.ranking if r.approach is approach)
    facts = facts_of(rec.context)
    findings = frozenset(trace.finding for trace in rec.findings)
    fired = set(rec.fired_rules)
    missing: list[UnmetRule] = []
    for compiled in rules.compiled:
        points = dict(compiled.points).get(approach, 0)
        if points <= 0 or compiled.id in fired:
            continue
        closest = min(
            (unmet_conditions(c, facts, findings, rules) for c in compiled.disjuncts), key=len
        )
        rule = rules.rule(compiled.id)
        why = next(e.why for e in rule.score or () if e.approach is approach)
        missing.append(UnmetRule(rule_id=rule.id, title=rule.title, points=points, text=why,
                                 unmet=tuple(closest)))
    missing.sort(key=lambda m: (-m.points, len(m.unmet), m.rule_id))
    return WhyNot(
        approach=approach,
        name=ranked.name,
        rank=ranked.rank,
        score=ranked.score,
        gap=rec.top.score - ranked.score,
        held_back=tuple(r for r in ranked.reasons if r.points < 0),
        not_applied=tuple(missing),
        has_advice=has_advice(rec, rules),
    )
