"""Running the ``examples`` written beside each rule, as ``rules check`` does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .._engines.choose import EngineChoice
from .._model.wording import describe_value, field_label
from .._result.build import recommend
from .._rulebook.ruleset import RuleSet
from .._rulebook.yamlsource import YamlDocument, YamlReadError, read_yaml
from .considerations import evidence_caveat, raise_considerations


@dataclass(frozen=True)
class ExampleFailure:
    """An example whose rule did not do what the example says."""

    path: Path
    line: int | None
    rule_id: str
    number: int
    """The example's position under the rule, from 1."""
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}, rule '{self.rule_id}': example {self.number} {self.message}"


def _documents(rules: RuleSet) -> dict[Path, YamlDocument | None]:
    docs: dict[Path, YamlDocument | None] = {}
    for path in rules.paths:
        try:
            docs[path] = read_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YamlReadError):
            docs[path] = None  # it loaded a moment ago; fall back to the rule's own line
    return docs


def _example_line(doc: YamlDocument | None, rule_id: str, index: int) -> int | None:
    data = doc.data if doc is not None else None
    if doc is None or not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return None
    for position, raw in enumerate(data["rules"]):
        if isinstance(raw, dict) and raw.get("id") == rule_id:
            return doc.line_of(("rules", position, "examples", index))
    return None


def _describe(context: dict[str, object]) -> str:
    parts = []
    for name, value in context.items():
        try:
            parts.append(f"{field_label(name)} = {describe_value(name, value)}")
        except KeyError:
            parts.append(f"{name} = {value}")
    return "; ".join(parts) or "nothing known"


def check_examples(rules: RuleSet, engine: EngineChoice = "auto") -> list[ExampleFailure]:
    """Every active rule's examples, run on ``engine``; one failure per example that fails."""
    docs = _documents(rules)
    failures: list[ExampleFailure] = []
    for rule in rules.active:
        location = rules.locations.get(rule.id)
        for index, example in enumerate(rule.examples):
            path = location.path if location is not None else Path("?")
            line = _example_line(docs.get(path), rule.id, index)
            if line is None and location is not None:
                line = location.line
            try:
                rec = recommend(example.context, rules=rules, engine=engine)
            except ValidationError as error:
                failures.append(ExampleFailure(path, line, rule.id, index + 1,
                                               f"has a context that is not valid: "
                                               f"{error.errors()[0]['msg']}"))
                continue
            if rule.advise is None:
                fired = rule.id in rec.fired_rules
            else:
                caveat = evidence_caveat(rec, rules)
                raised = (*raise_considerations(rec, rules), *((caveat,) if caveat else ()))
                fired = any(reason.rule_id == rule.id
                            for consideration in raised for reason in consideration.reasons)
            if fired is not example.fires:
                said = "should fire but does not" if example.fires else "should not fire but does"
                failures.append(ExampleFailure(path, line, rule.id, index + 1,
                                               f"{said} (context: {_describe(example.context)})"))
    return failures
