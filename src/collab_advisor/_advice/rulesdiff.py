"""The rules diff, for rule authors: what a change to the rules does to the advice.

``diff_rules(old, new)`` compares two rule sets: which rules were added,
removed or changed (in plain words), which casebook programmes and prototypes
change first place and why (the rules that fire differently for them), and
what share of a seeded sample of complete contexts changes first place, with
the rules that fire differently across that sample. Scoring uses the compiled
rules directly (the same meaning as both engines), so no engine is needed.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from .._engines.plan import APPROACHES, plan_for, top_of
from .._model.context import Approach, Context
from .._model.fields import RULE_FIELDS
from .._model.samples import seeded_field_values
from .._model.wording import join_words
from .._rulebook.catalogue import describe_condition
from .._rulebook.format import Rule
from .._rulebook.ledger import first_place
from .._rulebook.loader import shipped_rules_dir
from .._rulebook.ruleset import RuleSet

_FROZEN = ConfigDict(frozen=True)
DEFAULT_SAMPLE = 10_000
"""Complete contexts drawn by default for the sample share."""
MAX_SAMPLE = 1_000_000
"""The largest sample accepted (every call stays bounded)."""


class RuleChange(BaseModel):
    """A rule present in both sets whose content differs, and how, in plain words."""

    model_config = _FROZEN

    rule_id: str
    changes: tuple[str, ...]


class CaseChange(BaseModel):
    """A casebook programme or prototype whose first place differs between the rule sets."""

    model_config = _FROZEN

    kind: Literal["casebook", "prototype"]
    id: str
    name: str
    expected: Approach | None
    """The approach its source says it is (None where it names none)."""
    old_top: Approach
    new_top: Approach
    now_fires: tuple[str, ...]
    """Scoring rules that fire for it only under the new rules."""
    no_longer_fires: tuple[str, ...]
    """Scoring rules that fire for it only under the old rules."""


class Transition(BaseModel):
    """How many sampled contexts moved first place from one approach to another."""

    model_config = _FROZEN

    old_top: Approach
    new_top: Approach
    count: int


class FiringChange(BaseModel):
    """A rule that fires differently across the sample."""

    model_config = _FROZEN

    rule_id: str
    starts: int
    """Sampled contexts where it fires only under the new rules."""
    stops: int
    """Sampled contexts where it fires only under the old rules."""
    decides: int
    """Of the contexts whose first place changed, how many it fires differently in."""


class RuleInPlay(BaseModel):
    """A rule whose points changed, and how many changed first places it fires in."""

    model_config = _FROZEN

    rule_id: str
    contexts: int


class RulesDiff(BaseModel):
    """What changed between two rule sets, and what that does to first place."""

    model_config = _FROZEN

    old_version: str
    new_version: str
    old_fingerprint: str
    new_fingerprint: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[RuleChange, ...]
    findings_added: tuple[str, ...]
    findings_removed: tuple[str, ...]
    cases_checked: int
    """Casebook programmes and prototypes run under both rule sets."""
    cases: tuple[CaseChange, ...]
    """Those whose first place changed."""
    sample_size: int
    seed: int
    sample_changed: int
    """Sampled complete contexts whose first place changed."""
    transitions: tuple[Transition, ...]
    firing: tuple[FiringChange, ...]
    """Rules firing differently in the sample, those behind most changed first places first."""
    reweighted: tuple[RuleInPlay, ...] = ()
    """Rules whose points changed, by how many of the changed first places they fire in."""

    @property
    def share_changed(self) -> float:
        """The share of the sample whose first place changed."""
        return self.sample_changed / self.sample_size if self.sample_size else 0.0

    def explain(self) -> str:
        """The diff in plain text."""
        return "\n".join(_lines(self, markdown=False)) + "\n"

    def to_markdown(self) -> str:
        """The diff as a Markdown section, ready for ``rules/CHANGELOG.md``."""
        return "\n".join(_lines(self, markdown=True)) + "\n"


Case = tuple[Literal["casebook", "prototype"], str, str, Context, Approach | None]


def _top(rules: RuleSet, scores: Sequence[int], facts: Mapping[str, Any]) -> int:
    """The index of the approach a result lists first (``Recommendation.top``): first
    alone on points, or after the stated tie-break (``first_place``)."""
    best = top_of(scores)
    if list(scores).count(scores[best]) == 1:
        return best
    placed = first_place(rules, dict(zip(APPROACHES, scores, strict=True)), facts)
    return APPROACHES.index(placed.first[0])


def _moved_cases(old: RuleSet, new: RuleSet, cases: Sequence[Case]) -> list[CaseChange]:
    """The cases whose first place differs between the two rule sets."""
    old_plan, new_plan = plan_for(old), plan_for(new)
    moved: list[CaseChange] = []
    for kind, case_id, name, context, expected in cases:
        facts = _facts(context)
        old_scores, old_fired = old_plan.score(facts)
        new_scores, new_fired = new_plan.score(facts)
        old_top, new_top = _top(old, old_scores, facts), _top(new, new_scores, facts)
        if old_top != new_top:
            moved.append(CaseChange(
                kind=kind, id=case_id, name=name, expected=expected,
                old_top=APPROACHES[old_top], new_top=APPROACHES[new_top],
                now_fires=_scoring(new_fired - old_fired, new),
                no_longer_fires=_scoring(old_fired - new_fired, old)))
    return moved


def _sampled(old: RuleSet, new: RuleSet, sample: int, seed: int, repointed: set[str],
             ) -> tuple[Counter[tuple[int, int]], Counter[str], Counter[str], Counter[str],
                        Counter[str]]:
    """Over ``sample`` seeded complete contexts: the moves of first place, the rules that
    start and stop firing, those that decide a move, and repointed rules in play there."""
    old_plan, new_plan = plan_for(old), plan_for(new)
    transitions: Counter[tuple[int, int]] = Counter()
    starts: Counter[str] = Counter()
    stops: Counter[str] = Counter()
    decides: Counter[str] = Counter()
    in_play: Counter[str] = Counter()
    for values in seeded_field_values(sample, seed, known=1.0):
        old_scores, old_fired = old_plan.score(values)
        new_scores, new_fired = new_plan.score(values)
        starts.update(new_fired - old_fired)
        stops.update(old_fired - new_fired)
        before, after = _top(old, old_scores, values), _top(new, new_scores, values)
        if before != after:
            transitions[(before, after)] += 1
            decides.update(old_fired ^ new_fired)
            in_play.update(repointed & (old_fired | new_fired))
    return transitions, starts, stops, decides, in_play


def diff_rules(old: RuleSet, new: RuleSet, *, sample: int = DEFAULT_SAMPLE, seed: int = 0,
               casebook: Path | None = None, prototypes: Path | None = None) -> RulesDiff:
    """Compare two rule sets on the casebook, the prototypes and a seeded sample.

    ``casebook`` and ``prototypes`` default to ``casebook/casebook.yaml`` and
    ``casebook/prototypes.yaml`` beside the shipped rules, where they exist (a
    source checkout). ``sample`` complete contexts are drawn with ``seed``.
    """
    if not isinstance(old, RuleSet) or not isinstance(new, RuleSet):
        raise TypeError("diff_rules compares two RuleSet objects from load_rules()")
    if not 0 <= sample <= MAX_SAMPLE:
        raise ValueError(f"sample must be from 0 to {MAX_SAMPLE:,} contexts (got {sample})")
    old_ids = {rule.id for rule in old.active}
    new_ids = {rule.id for rule in new.active}
    changed = tuple(
        RuleChange(rule_id=rule_id, changes=tuple(changes))
        for rule_id in sorted(old_ids & new_ids)
        if (changes := _rule_changes(old.rule(rule_id), new.rule(rule_id), old, new))
    )
    cases = _cases(casebook, prototypes)
    moved = _moved_cases(old, new, cases)
    repointed = {change.rule_id for change in changed
                 if any(c.startswith(("points for", "now scores", "no longer scores"))
                        for c in change.changes)}
    sampled = _sampled(old, new, sample, seed, repointed)
    transitions, starts, stops, decides, in_play = sampled
    firing = sorted(set(starts) | set(stops),
                    key=lambda r: (-decides[r], -(starts[r] + stops[r]), r))
    return RulesDiff(
        old_version=old.version, new_version=new.version,
        old_fingerprint=old.fingerprint, new_fingerprint=new.fingerprint,
        added=tuple(sorted(new_ids - old_ids)), removed=tuple(sorted(old_ids - new_ids)),
        changed=changed,
        findings_added=tuple(sorted(set(new.findings) - set(old.findings))),
        findings_removed=tuple(sorted(set(old.findings) - set(new.findings))),
        cases_checked=len(cases), cases=tuple(moved),
        sample_size=sample, seed=seed, sample_changed=sum(transitions.values()),
        transitions=tuple(
            Transition(old_top=APPROACHES[a], new_top=APPROACHES[b], count=count)
            for (a, b), count in sorted(transitions.items(), key=lambda kv: (-kv[1], kv[0]))),
        firing=tuple(FiringChange(rule_id=r, starts=starts[r], stops=stops[r],
                                  decides=decides[r]) for r in firing),
        reweighted=tuple(RuleInPlay(rule_id=r, contexts=in_play[r])
                         for r in sorted(repointed, key=lambda r: (-in_play[r], r))),
    )


def _facts(context: Context) -> dict[str, Any]:
    known = context.known()
    return {name: known[name] for name in RULE_FIELDS if name in known}


def _scoring(rule_ids: frozenset[str], rules: RuleSet) -> tuple[str, ...]:
    return tuple(sorted(r for r in rule_ids if rules.rule(r).score))


def _rule_changes(old: Rule, new: Rule, old_rules: RuleSet, new_rules: RuleSet) -> list[str]:
    out: list[str] = []
    if old.title != new.title:
        out.append("title reworded")
    if old.status is not new.status:
        out.append(f"status: {old.status.value} -> {new.status.value}")
    old_when = describe_condition(old.when, old_rules)
    new_when = describe_condition(new.when, new_rules)
    if old_when != new_when:
        out.append(f"condition: {old_when} -> {new_when}")
    old_points = {e.approach: e for e in old.score or ()}
    new_points = {e.approach: e for e in new.score or ()}
    for approach in Approach:
        before, after = old_points.get(approach), new_points.get(approach)
        name = approach.display_name
        if before is None and after is not None:
            out.append(f"now scores {name} {after.points:+d}")
        elif before is not None and after is None:
            out.append(f"no longer scores {name} (was {before.points:+d})")
        elif before is not None and after is not None:
            if before.points != after.points:
                out.append(f"points for {name}: {before.points:+d} -> {after.points:+d}")
            if before.why != after.why:
                out.append(f"reason for {name} reworded")
            if before.source != after.source:
                out.append(f"sources for {name} changed")
    if old.concludes != new.concludes:
        out.append(f"concludes: {old.concludes} -> {new.concludes}")
    if old.advise != new.advise:
        out.append("advice changed")
    if old.source != new.source:
        out.append("sources changed")
    if old.examples != new.examples:
        out.append("examples changed")
    return out


def _cases(casebook: Path | None, prototypes: Path | None) -> list[Case]:
    folder = shipped_rules_dir().parent / "casebook"
    casebook = casebook if casebook is not None else _existing(folder / "casebook.yaml")
    prototypes = prototypes if prototypes is not None else _existing(folder / "prototypes.yaml")
    cases: list[Case] = []
    if casebook is not None:
        for n, item in enumerate(_entries(casebook), start=1):
            cases.append(_case("casebook", casebook, n, item))
    if prototypes is not None:
        for n, item in enumerate(_entries(prototypes), start=1):
            cases.append(_case("prototype", prototypes, n, item))
    return cases


def _existing(path: Path) -> Path | None:
    return path if path.is_file() else None


def _entries(path: Path) -> list[dict[str, Any]]:
    """The entries of a casebook or prototypes file: a list, or a mapping holding one."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read it as YAML ({error})") from None
    if isinstance(data, dict):  # named lists, such as prototypes and ambiguous contexts
        lists = [value for value in data.values() if isinstance(value, list)]
        data = [item for entries in lists for item in entries] if lists else None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError(f"{path}: expected a list of entries, each a mapping with a "
                         "'context'")
    return data


def _case(kind: Literal["casebook", "prototype"], path: Path, number: int,
          item: dict[str, Any]) -> Case:
    where = f"{path}, entry {number}"
    context = item.get("context")
    if not isinstance(context, dict):
        raise ValueError(f"{where}: 'context' must be a mapping of field names to values")
    try:
        with warnings.catch_warnings():  # a casebook is a record: old spellings are read
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx = Context.model_validate(context)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    expected_raw = next((item[key] for key in ("literature", "expect", "approach", "expected")
                         if isinstance(item.get(key), str)), None)
    expected = Approach(expected_raw) if expected_raw in {a.value for a in Approach} else None
    case_id = str(item.get("id") or item.get("name") or f"{kind}-{number}")
    return kind, case_id, str(item.get("name") or case_id), ctx, expected


def _lines(diff: RulesDiff, markdown: bool) -> list[str]:
    def code(text: str) -> str:
        return f"`{text}`" if markdown else text

    def ids(items: Sequence[str]) -> str:
        return ", ".join(code(i) for i in items) if items else "none"

    title = (f"Rules diff: {diff.old_version} -> {diff.new_version} (fingerprints "
             f"{diff.old_fingerprint[:12]} -> {diff.new_fingerprint[:12]})")
    lines = [f"### {title}" if markdown else title, ""]
    lines.append(f"- Rules added ({len(diff.added)}): {ids(diff.added)}")
    lines.append(f"- Rules removed ({len(diff.removed)}): {ids(diff.removed)}")
    lines.append(f"- Rules changed ({len(diff.changed)})" + (":" if diff.changed else ": none"))
    for change in diff.changed:
        lines.append(f"  - {code(change.rule_id)}: {'; '.join(change.changes)}")
    if diff.findings_added or diff.findings_removed:
        lines.append(f"- Findings added: {ids(diff.findings_added)}; removed: "
                     f"{ids(diff.findings_removed)}")
    names = {a: a.display_name for a in Approach}
    lines.append(f"- Casebook and prototypes: {len(diff.cases)} of {diff.cases_checked} change "
                 "first place" + (":" if diff.cases else "."))
    for case in diff.cases:
        expected = f" (expected: {names[case.expected]})" if case.expected else ""
        why = []
        if case.now_fires:
            why.append(f"now fires {ids(case.now_fires)}")
        if case.no_longer_fires:
            why.append(f"no longer fires {ids(case.no_longer_fires)}")
        lines.append(f"  - {case.kind} {code(case.id)}: {names[case.old_top]} -> "
                     f"{names[case.new_top]}{expected}"
                     + (f"; {join_words(why)}" if why else "; only changed points"))
    lines.append(f"- Seeded sample ({diff.sample_size:,} complete contexts, seed {diff.seed}): "
                 f"{diff.sample_changed:,} ({diff.share_changed:.1%}) change first place"
                 + (":" if diff.transitions else "."))
    for move in diff.transitions[:8]:
        lines.append(f"  - {names[move.old_top]} -> {names[move.new_top]}: {move.count:,}")
    if diff.reweighted:
        lines.append("- Rules with changed points, by the changed first places they fire in:")
        lines += [f"  - {code(r.rule_id)}: {r.contexts:,}" for r in diff.reweighted]
    if diff.firing:
        lines.append("- Rules firing differently in the sample (most decisive first):")
        for rule in diff.firing[:12]:
            lines.append(f"  - {code(rule.rule_id)}: starts in {rule.starts:,}, stops in "
                         f"{rule.stops:,}; in {rule.decides:,} of the changed first places")
        if len(diff.firing) > 12:
            lines.append(f"  - ... and {len(diff.firing) - 12} more")
    return lines
