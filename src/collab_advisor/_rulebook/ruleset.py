"""An immutable, validated set of rules, ready for either engine."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from .._model.context import Approach
from .compile import CompiledRule, Conjunction, compile_condition, compile_rule
from .format import DefiningFeature, FindingDecl, Rule, Status

if TYPE_CHECKING:
    from .ledger import ReasonGrade

_Derived = TypeVar("_Derived")


_LEDGER_KEYS = frozenset({"feature", "direction", "locator", "strength", "approaches",
                          "checked"})


def _without_unused_ledger_keys(item: object) -> object:
    """A dump without the ledger keys it leaves unset, so that rule sets written before
    the ledger keep their fingerprint."""
    if isinstance(item, dict):
        return {key: _without_unused_ledger_keys(value) for key, value in item.items()
                if not (key in _LEDGER_KEYS and value is None)}
    if isinstance(item, list):
        return [_without_unused_ledger_keys(value) for value in item]
    return item


@dataclass(frozen=True)
class RuleLocation:
    """Where a rule or finding is written."""

    path: Path
    line: int | None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


@dataclass(frozen=True, eq=False)
class RuleSet:
    """Validated rules and findings; build one with ``load_rules()``.

    A rule set never changes after loading: loading again gives a new one, and
    two rule sets with the same content share a ``fingerprint``.
    """

    rules: tuple[Rule, ...]
    """Every rule, deprecated ones included, sorted by id."""
    findings: Mapping[str, FindingDecl]
    """Declared findings by id."""
    version: str
    """The files' ``ruleset_version`` (several joined by '+' if they differ)."""
    paths: tuple[Path, ...]
    """The files the rules were read from."""
    locations: Mapping[str, RuleLocation] = field(repr=False)
    """Where each rule is written, by rule id."""
    defining_features: tuple[DefiningFeature, ...] = ()
    """Each approach's defining features in the guidance, sorted by approach then id."""
    precompiled: InitVar[Mapping[str, CompiledRule] | None] = None
    """Rules already compiled while loading, by id, so that none is compiled twice."""
    compiled: tuple[CompiledRule, ...] = field(init=False, repr=False)
    """The rules that run (all but deprecated ones), in the engines' form."""
    fingerprint: str = field(init=False)
    """A SHA-256 of the rule content: equal content, equal fingerprint."""
    _by_id: Mapping[str, Rule] = field(init=False, repr=False)
    _compiled_by_id: Mapping[str, CompiledRule] = field(init=False, repr=False)
    _concluded_by: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)
    _feature_conditions: Mapping[str, tuple[Conjunction, ...]] = field(init=False, repr=False)

    def __post_init__(self, precompiled: Mapping[str, CompiledRule] | None) -> None:
        rules = tuple(sorted(self.rules, key=lambda rule: rule.id))
        object.__setattr__(self, "rules", rules)
        done = precompiled or {}
        object.__setattr__(self, "compiled", tuple(
            done[rule.id] if rule.id in done else compile_rule(rule)
            for rule in rules if rule.status is not Status.DEPRECATED))
        order = {approach: position for position, approach in enumerate(Approach)}
        features = tuple(sorted(self.defining_features,
                                key=lambda feature: (order[feature.approach], feature.id)))
        object.__setattr__(self, "defining_features", features)
        object.__setattr__(self, "_feature_conditions", MappingProxyType(
            {feature.id: compile_condition(feature.when) for feature in features}))
        object.__setattr__(self, "findings", MappingProxyType(dict(self.findings)))
        object.__setattr__(self, "locations", MappingProxyType(dict(self.locations)))
        object.__setattr__(self, "_by_id", MappingProxyType({rule.id: rule for rule in self.rules}))
        object.__setattr__(self, "_compiled_by_id",
                           MappingProxyType({rule.id: rule for rule in self.compiled}))
        concluded_by: dict[str, list[str]] = {}
        for compiled in self.compiled:
            if compiled.concludes is not None:
                concluded_by.setdefault(compiled.concludes, []).append(compiled.id)
        object.__setattr__(self, "_concluded_by", MappingProxyType(
            {finding: tuple(ids) for finding, ids in concluded_by.items()}))
        content = {
            "rules": [_without_unused_ledger_keys(rule.model_dump(mode="json", by_alias=True))
                      for rule in self.rules],
            "findings": [
                self.findings[key].model_dump(mode="json") for key in sorted(self.findings)
            ],
        }
        if features:  # rule sets without defining features keep their fingerprint
            content["defining_features"] = [
                _without_unused_ledger_keys(feature.model_dump(mode="json", by_alias=True))
                for feature in features]
        digest = hashlib.sha256(
            json.dumps(content, sort_keys=True, ensure_ascii=True).encode("ascii")
        ).hexdigest()
        object.__setattr__(self, "fingerprint", digest)

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleSet) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (``KeyError`` if there is none)."""
        return self._by_id[rule_id]

    def compiled_rule(self, rule_id: str) -> CompiledRule:
        """The engines' form of a rule that runs (``KeyError`` for deprecated or unknown ids)."""
        return self._compiled_by_id[rule_id]

    def derived(self, key: str, build: Callable[[RuleSet], _Derived]) -> _Derived:
        """What ``build`` works out from these rules, built on first use and kept here.

        A rule set never changes, so anything computed from it (the compiled core,
        prepared reasons, an engine's limits) can live as long as it does. Two threads
        may both build it once; they build equal values.
        """
        cache: dict[str, object] = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            cache[key] = build(self)
        return cache[key]  # type: ignore[return-value]

    def concluded_by(self, finding: str) -> tuple[str, ...]:
        """The ids of the running rules that conclude a finding, sorted."""
        return self._concluded_by.get(finding, ())

    def features_of(self, approach: Approach | str) -> tuple[DefiningFeature, ...]:
        """The features declared for an approach, including those the sources tie to it
        and to others (empty if none are declared)."""
        return self.derived("features_by_approach", _features_by_approach)[Approach(approach)]

    def feature(self, feature_id: str) -> DefiningFeature | None:
        """The ledger feature with this id, or None."""
        return next((f for f in self.defining_features if f.id == feature_id), None)

    def grade(self, rule_id: str) -> ReasonGrade:
        """The grade of a rule's reason: its feature, strength class and source kind
        (an organisation's own rule, naming no feature, is graded local)."""
        from .ledger import grade_of

        return grade_of(self, rule_id)

    def features_holding(self, approach: Approach | str,
                         facts: Mapping[str, str | bool | int]) -> tuple[DefiningFeature, ...]:
        """The approach's defining features that hold for known facts (unknown fields never do)."""
        from .evaluation import holds

        plain = dict(facts)
        return tuple(
            feature for feature in self.features_of(approach)
            if any(holds(c, plain, frozenset()) for c in self._feature_conditions[feature.id])
        )

    @property
    def active(self) -> tuple[Rule, ...]:
        """The rules that run: all but deprecated ones."""
        return tuple(rule for rule in self.rules if rule.status is not Status.DEPRECATED)


def _features_by_approach(rules: RuleSet) -> dict[Approach, tuple[DefiningFeature, ...]]:
    """Per approach, the features declared for it (``RuleSet.features_of``)."""
    return {approach: tuple(f for f in rules.defining_features if approach in f.tied_to)
            for approach in Approach}
