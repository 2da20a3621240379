"""Loading rule files: every problem found, located and explained before anything runs."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from collab_advisor import EngineChoice, RuleFileError, load_rules, recommend, shipped_rules_dir
from collab_advisor._rulebook.format import rule_file_json_schema

from .conftest import write_rules

HEADER = "schema_version: 1\nruleset_version: 1.0.0\n"
GOOD_RULE = """\
  - id: our-local-rule
    title: Our own rule about know-how
    status: experimental
    when: {field: aim, equals: share_know_how}
    score:
      - approach: community_of_practice
        points: 2
        why: Our teams share know-how best in communities.
    source:
      - {reference: "Our quality team 2026, internal review of improvement work"}
"""


def _problems(path: Path) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_custom_file_loads_and_scores(tmp_path: Path) -> None:
    """A small custom rule file loads on its own and its rule fires."""
    path = write_rules(tmp_path, "ours.yaml", HEADER + "rules:\n" + GOOD_RULE)
    rules = load_rules(path)
    rec = recommend({"aim": "share_know_how"}, rules=rules, engine="python")
    assert rec.top.reasons[0].rule_id == "our-local-rule"
    assert rec.top.score == 2


def test_custom_rules_can_extend_the_shipped_ones(tmp_path: Path, engine: EngineChoice) -> None:
    """Several paths load together: the shipped folder plus an organisation's own file."""
    write_rules(tmp_path, "ours.yaml", HEADER + "rules:\n" + GOOD_RULE)
    both = load_rules(shipped_rules_dir(), tmp_path)
    alone = load_rules()
    assert len(both) == len(alone) + 1
    ctx = {"aim": "share_know_how"}
    gain = recommend(ctx, rules=both, engine=engine).score_of("community_of_practice") - \
        recommend(ctx, rules=alone, engine=engine).score_of("community_of_practice")
    assert gain == 2


def test_every_problem_in_a_folder_is_reported_together(tmp_path: Path) -> None:
    """Problems across several files come back in one error, each with file and line."""
    write_rules(tmp_path, "a.yaml", HEADER + """\
rules:
  - id: uses-bad-field
    title: A rule with a misspelt field
    status: stable
    when: {field: formalty, equals: informal}
    score:
      - {approach: community_of_practice, points: 1, why: Informal suits communities.}
    source: [{guidance: Communities of Practice}]
""")
    write_rules(tmp_path, "b.yaml", HEADER + """\
rules:
  - id: uses-bad-value
    title: A rule with a misspelt value
    status: stable
    when: {field: time_span, equals: fixed_trem}
    score:
      - {approach: qi_colaborative, points: 1, why: Fixed term suits collaboratives.}
    source: [{guidance: Quality Improvement Collaboratives}]
""")
    problems = _problems(tmp_path)
    assert len(problems) == 3
    joined = "\n".join(problems)
    assert "a.yaml:7, rule 'uses-bad-field', at 'when.field'" in joined
    assert "Did you mean 'formality'?" in joined
    assert "b.yaml:7, rule 'uses-bad-value', at 'when.equals'" in joined
    assert "Did you mean 'fixed_term'?" in joined
    assert "allowed: 'fixed_term', 'open_ended'" in joined
    assert "b.yaml:9, rule 'uses-bad-value', at 'score[0].approach'" in joined
    assert "Did you mean 'qi_collaborative'?" in joined


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("rules:\n  - id: x\n    title: [unclosed\n", "not valid YAML"),
        ("rules: {}\n", "'rules' must be a list"),
        ("rules:\n" + GOOD_RULE + GOOD_RULE, "used twice"),
        ("rules:\n" + GOOD_RULE.replace("share_know_how}", "share_know_how}\n    scor: []"),
         "unknown key 'scor' Did you mean 'score'?"),
        ("rules:\n" + GOOD_RULE.replace("{field: aim, equals: share_know_how}",
                                        "{finding: made-up}"),
         "uses finding 'made-up', which no rule file declares"),
        ("rules:\n" + GOOD_RULE.replace("{field: aim, equals: share_know_how}",
                                        "{field: sites, in: [1, 2]}"),
         "'sites' is a count"),
        ("rules:\n" + GOOD_RULE.replace("{field: aim, equals: share_know_how}",
                                        "{field: aim, gt: 2}"),
         "'gt' compares counts, but 'aim' is a choice"),
        ("rules:\n" + GOOD_RULE.replace("{field: aim, equals: share_know_how}",
                                        "{field: existing_network, equals: 'yes'}"),
         "write true or false"),
        ("rules:\n" + GOOD_RULE.replace("{field: aim, equals: share_know_how}",
                                        "{all: [{field: sites, gt: 5}, {field: sites, lt: 3}]}"),
         "can never be true"),
        ("rules:\n" + GOOD_RULE.replace("{field: aim, equals: share_know_how}",
                                        "{field: name, equals: x}"),
         "is free text"),
        ("rules:\n" + GOOD_RULE.replace("our-local-rule", "Our_Rule"), "lower-case words"),
        ("rules:\n" + GOOD_RULE.replace("{field: aim, equals: share_know_how}",
                                        "{top: qi_collaborative}"),
         "'top' can only be tested by rules that 'advise'"),
        ("rules:\n" + GOOD_RULE.replace("points: 2", "points: 0"), "must not be 0"),
        ("rules:\n" + GOOD_RULE.replace("status: experimental", "status: beta"),
         "expected 'stable', 'test', 'experimental' or 'deprecated'"),
        ("rules:\n" + GOOD_RULE.split("    source:")[0],
         "'source' is required"),
        ("rules:\n" + GOOD_RULE + "    examples:\n      - context: {aim: know_how}\n"
         "        fires: true\n", "example context"),
    ],
)
def test_each_kind_of_problem_is_explained(tmp_path: Path, body: str, expected: str) -> None:
    """Each kind of mistake gets a message saying what was expected."""
    path = write_rules(tmp_path, "r.yaml", HEADER + body)
    problems = _problems(path)
    assert any(expected in p for p in problems), problems
    assert all(str(path) in p for p in problems)


def test_wrong_header_is_reported(tmp_path: Path) -> None:
    """A file for another format version, or with a bad version number, is refused."""
    path = write_rules(tmp_path, "r.yaml", "schema_version: 2\nruleset_version: 1.0\nrules: []\n")
    joined = "\n".join(_problems(path))
    assert "r.yaml:1" in joined and "schema_version 1" in joined
    assert "r.yaml:2" in joined and "version number such as 1.0.0" in joined


def test_findings_that_depend_on_themselves_are_refused(tmp_path: Path) -> None:
    """A cycle among findings is rejected at load, naming the findings in it."""
    text = HEADER + """\
findings:
  - {id: first-thing, text: The first thing holds}
  - {id: second-thing, text: The second thing holds}
rules:
  - id: first-from-second
    title: The first follows from the second
    status: stable
    when: {any: [{finding: second-thing}, {field: aim, equals: share_know_how}]}
    concludes: first-thing
    source: [{guidance: Definitions}]
  - id: second-from-first
    title: The second follows from the first
    status: stable
    when: {finding: first-thing}
    concludes: second-thing
    source: [{guidance: Definitions}]
"""
    problems = _problems(write_rules(tmp_path, "r.yaml", text))
    assert any("cycle" in p and "first-thing -> second-thing -> first-thing" in p
               for p in problems), problems


def test_a_finding_under_not_is_refused(tmp_path: Path) -> None:
    """Negating a finding is refused, because a finding not yet established proves nothing."""
    text = HEADER + """\
findings:
  - {id: some-finding, text: Something holds}
rules:
  - id: concludes-it
    title: Something follows from know-how
    status: stable
    when: {field: aim, equals: share_know_how}
    concludes: some-finding
    source: [{guidance: Definitions}]
  - id: negates-it
    title: Scores when something does not hold
    status: stable
    when: {not: {finding: some-finding}}
    score: [{approach: clinical_community, points: 1, why: Negation of a finding here.}]
    source: [{guidance: Definitions}]
"""
    problems = _problems(write_rules(tmp_path, "r.yaml", text))
    assert any("cannot be used under 'not'" in p and "negates-it" in p for p in problems)


def test_yaml_tags_that_run_code_are_refused(tmp_path: Path) -> None:
    """Rule files are data: a python/object tag is a YAML error, and nothing runs."""
    marker = tmp_path / "ran"
    text = HEADER + f"rules: !!python/object/apply:os.system ['touch {marker}']\n"
    problems = _problems(write_rules(tmp_path, "r.yaml", text))
    assert any("not valid YAML" in p for p in problems)
    assert not marker.exists()


def test_anchors_and_aliases_are_refused(tmp_path: Path) -> None:
    """Aliases, which let a small file expand enormously, are refused at the anchor's line."""
    text = HEADER + "description: &a hello\nrules: *a\n"
    problems = _problems(write_rules(tmp_path, "r.yaml", text))
    assert any("r.yaml:3" in p and "aliases" in p for p in problems), problems


def test_missing_paths_and_empty_folders_are_reported(tmp_path: Path) -> None:
    """A path that does not exist, or a folder without rule files, is a clear error."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuleFileError) as caught:
        load_rules(tmp_path / "nowhere", tmp_path / "empty")
    text = str(caught.value)
    assert "nowhere: no such file or folder" in text
    assert "holds no .yaml rule files" in text


def test_huge_files_are_refused_before_parsing(tmp_path: Path) -> None:
    """A multi-megabyte file is refused quickly instead of being parsed."""
    path = write_rules(tmp_path, "r.yaml", HEADER + "description: '" + "x" * 2_100_000 + "'\n")
    assert any("larger than" in p for p in _problems(path))


def test_deprecated_rules_are_validated_but_never_fire(
    tmp_path: Path, engine: EngineChoice
) -> None:
    """A deprecated rule stays in the file for the record but gives no points."""
    path = write_rules(tmp_path, "r.yaml", HEADER + "rules:\n"
                       + GOOD_RULE.replace("status: experimental", "status: deprecated"))
    rules = load_rules(path)
    assert len(rules) == 1 and rules.active == ()
    rec = recommend({"aim": "share_know_how"}, rules=rules, engine=engine)
    assert rec.top.score == 0


def test_order_of_files_and_rules_does_not_matter(tmp_path: Path) -> None:
    """Shuffling rules across files gives the same fingerprint and the same advice."""
    shipped = load_rules()
    texts = [p.read_text() for p in sorted(shipped_rules_dir().glob("*.yaml"))]
    shuffled_dir = tmp_path / "shuffled"
    for number, text in enumerate(reversed(texts)):
        write_rules(shuffled_dir, f"{number:02d}.yaml", text)
    again = load_rules(*random.Random(7).sample(sorted(shuffled_dir.iterdir()), len(texts)))
    assert again.fingerprint == shipped.fingerprint
    ctx = {"scope": "multi_organisation", "single_org_can_solve": False, "aim": "redesign_services"}
    assert recommend(ctx, rules=again) == recommend(ctx, rules=shipped)


def test_rule_set_cannot_be_changed_after_loading(shipped: object) -> None:
    """A RuleSet is immutable: its attributes and mappings refuse assignment."""
    from collab_advisor import RuleSet

    assert isinstance(shipped, RuleSet)
    with pytest.raises(AttributeError):
        shipped.version = "9.9.9"  # type: ignore[misc]
    with pytest.raises(TypeError):
        shipped.findings["new"] = shipped.findings["crosses-boundaries"]  # type: ignore[index]


def test_committed_schema_matches_the_code() -> None:
    """rules/rules.schema.json is regenerated whenever the rule format changes."""
    committed = json.loads((shipped_rules_dir() / "rules.schema.json").read_text())
    assert committed == rule_file_json_schema(), (
        "run: python scripts/write_rule_schema.py"
    )


def test_every_shipped_file_points_editors_at_the_schema() -> None:
    """Each shipped rule file starts with the yaml-language-server schema comment."""
    for path in shipped_rules_dir().glob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=./rules.schema.json", path
