"""The compiled core: one form of a rule set that every fast path runs.

Built once per rule set (``plan_for``), it holds:

- each rule field's *value classes*: the values the rules can tell apart
  (every value of a choice, one representative per range of counts);
- per field and class, a bitmask of the rule alternatives (conjunctions) that
  a context with that answer still allows, and the same as numpy tables;
- per rule, its points as a vector, and the findings chained through rules in
  dependency order (every finding is concluded before it is used).

The record and its scoring live in ``scoring.py``; rule order and ``top_of`` in
``ordering.py`` (both re-exported here, where callers have always found them). The
analysis-only tables over groups of fields live on the reasoning floor
(``collab_advisor._reasoning``), not in the engine layer.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from .._model.context import MAX_SITES
from .._model.fields import RULE_FIELDS
from .._rulebook.compile import TOP_FIELD, CompiledRule, fields_read, values_of
from .._rulebook.ruleset import RuleSet
from .ordering import possible_rules, top_of, topological
from .scoring import APPROACHES, INDEX, Alternative, Scores, ScoringPlan, Value

__all__ = ["APPROACHES", "Scores", "ScoringPlan", "Value", "build_plan", "plan_for",
           "possible_rules", "top_of", "topological"]


def _count_classes(rules: Iterable[CompiledRule], name: str) -> tuple[int, ...]:
    cuts = {1}
    for rule in rules:
        for conjunction in rule.disjuncts:
            for test_field, low, high in conjunction.ranges:
                if test_field == name:
                    cuts.add(low)
                    if high < MAX_SITES:
                        cuts.add(high + 1)
    return tuple(sorted(cut for cut in cuts if 1 <= cut <= MAX_SITES))


_Classes = tuple[list[tuple[int, ...] | None], list[dict[Value, int]], dict[str, tuple[Value, ...]]]


def _value_classes(everything: Sequence[CompiledRule], fields: Sequence[str]) -> _Classes:
    """Per field: its count cuts (or ``None``), its value lookup, and its classes."""
    cuts: list[tuple[int, ...] | None] = []
    lookup: list[dict[Value, int]] = []
    classes: dict[str, tuple[Value, ...]] = {}
    for name in fields:
        spec = RULE_FIELDS.get(name)
        if spec is not None and spec.kind == "count":
            counted = _count_classes(everything, name)
            cuts.append(counted)
            lookup.append({})
            classes[name] = counted
        else:
            values = values_of(name)
            cuts.append(None)
            lookup.append({value: index for index, value in enumerate(values)})
            if name != TOP_FIELD:
                classes[name] = values
    return cuts, lookup, classes


def _alternatives(everything: Sequence[CompiledRule], fields: Sequence[str],
                  cuts: Sequence[tuple[int, ...] | None], lookup: Sequence[dict[Value, int]],
                  ) -> tuple[list[Alternative], list[int]]:
    """Every rule's alternatives as class tests, and each rule's first bit."""
    position_of = {name: position for position, name in enumerate(fields)}
    alternatives: list[Alternative] = []
    first_bit: list[int] = []
    for rule_index, rule in enumerate(everything):
        first_bit.append(len(alternatives))
        for index, conjunction in enumerate(rule.disjuncts):
            tests: list[tuple[int, frozenset[int] | range]] = []
            for name, values in conjunction.choices:
                position = position_of[name]
                tests.append((position, frozenset(lookup[position][v] for v in values)))
            for name, low, high in conjunction.ranges:
                position = position_of[name]
                counted = cuts[position] or ()
                # Cuts include every bound, so the classes inside [low, high] are contiguous.
                first = bisect.bisect_left(counted, low)
                last = bisect.bisect_right(counted, high)
                tests.append((position, range(first, last)))
            alternatives.append(Alternative(rule_index, index, tuple(tests),
                                            conjunction.findings))
    return alternatives, first_bit


def _field_bits(alternatives: Sequence[Alternative], cuts: Sequence[tuple[int, ...] | None],
                lookup: Sequence[dict[Value, int]]) -> tuple[tuple[int, ...], ...]:
    """Per field, per class (the last: unknown), the alternatives it leaves possible."""
    field_bits: list[tuple[int, ...]] = []
    for position, counted in enumerate(cuts):
        size = (len(counted) if counted is not None else len(lookup[position])) + 1
        untested = 0
        chosen = [0] * size
        edges = [0] * (size + 1)  # counts: a bit switched on at a range's start, off after it
        for bit, alternative in enumerate(alternatives):
            allowed = next((a for p, a in alternative.tests if p == position), None)
            if allowed is None:
                untested |= 1 << bit
            elif isinstance(allowed, range):
                edges[allowed.start] ^= 1 << bit
                edges[allowed.stop] ^= 1 << bit
            else:
                for code in allowed:
                    chosen[code] |= 1 << bit
        per_class = []
        running = 0
        for code in range(size):
            running ^= edges[code]
            per_class.append(untested | chosen[code] | running)
        field_bits.append(tuple(per_class))
    return tuple(field_bits)


def _vectors(scoring: Sequence[CompiledRule]) -> tuple[Scores, ...]:
    """Per scoring rule, its points for each approach."""
    vectors = []
    for rule in scoring:
        vector = [0] * len(APPROACHES)
        for approach, points in rule.points:
            vector[INDEX[approach]] += points
        vectors.append(tuple(vector))
    return tuple(vectors)


def _fields_read(scoring: Sequence[CompiledRule]) -> tuple[frozenset[str], ...]:
    """Per scoring rule, every field it depends on, through findings too."""
    concluders: dict[str, list[str]] = {}
    for rule in scoring:
        if rule.concludes is not None:
            concluders.setdefault(rule.concludes, []).append(rule.id)
    closure: dict[str, frozenset[str]] = {}
    for rule in scoring:  # dependencies come first
        names = fields_read(rule.disjuncts)
        for conjunction in rule.disjuncts:
            for finding in conjunction.findings:
                for source in concluders.get(finding, ()):
                    names |= closure[source]
        closure[rule.id] = frozenset(names)
    return tuple(closure[rule.id] for rule in scoring)


def build_plan(rules: RuleSet) -> ScoringPlan:
    """Compile a rule set's running rules into the core (see the module's notes)."""
    everything = topological(rules.compiled)
    scoring = tuple(rule for rule in everything if not rule.advises)
    fields = (*RULE_FIELDS, TOP_FIELD)
    cuts, lookup, classes = _value_classes(everything, fields)
    alternatives, first_bit = _alternatives(everything, fields, cuts, lookup)
    chained = tuple(r for r, rule in enumerate(everything)
                    if any(c.findings for c in rule.disjuncts))
    free = 0
    for bit, alternative in enumerate(alternatives):
        if alternative.rule not in chained:
            free |= 1 << bit
    scoring_ids = {rule.id: index for index, rule in enumerate(scoring)}
    vectors = _vectors(scoring)
    return ScoringPlan(
        rules=scoring,
        vectors=vectors,
        classes=classes,
        fields_of=_fields_read(scoring),
        ceilings=tuple(sum(max(0, vector[index]) for vector in vectors)
                       for index in range(len(APPROACHES))),
        all_rules=everything,
        fields=fields,
        alternatives=tuple(alternatives),
        field_bits=_field_bits(alternatives, cuts, lookup),
        free_bits=free,
        chained=chained,
        first_bit=tuple(first_bit),
        rule_of_bit=tuple(a.rule for a in alternatives),
        lookup=tuple(lookup),
        cuts=tuple(cuts),
        scoring_index=tuple(scoring_ids.get(rule.id, -1) for rule in everything),
    )


def plan_for(rules: RuleSet) -> ScoringPlan:
    """The compiled core of a rule set, built on first use and kept with the rule set."""
    return rules.derived("scoring_plan", build_plan)
