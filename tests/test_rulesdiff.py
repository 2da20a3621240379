"""The rules diff: what a change to the rules does to first place, and why."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from collab_advisor import RuleSet, diff_rules, load_rules, recommend, shipped_rules_dir
from collab_advisor._model.samples import seeded_field_values


def _edited_rules(folder: Path) -> Path:
    """A copy of the shipped rules with one rule re-pointed, one removed and one added."""
    target = folder / "new"
    shutil.copytree(shipped_rules_dir(), target)
    path = target / "qi_collaborative.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("ledger")  # edited by hand: an organisation's own set, points given directly
    rules = data["rules"]
    fixed = next(r for r in rules if r["id"] == "qic-fixed-term")
    del fixed["feature"], fixed["score"][0]["direction"]
    fixed["score"][0]["points"] = 1
    data["rules"] = [r for r in rules if r["id"] != "qic-many-teams"]
    data["rules"].append({
        "id": "qic-sponsor-and-gap", "title": "A sponsor wants a known gap closed",
        "status": "stable",
        "when": {"all": [{"field": "agenda_set_by", "equals": "sponsor"},
                         {"field": "aim", "equals": "close_practice_gap"}]},
        "score": [{"approach": "qi_collaborative", "points": 4,
                   "why": "An example rule for the diff test only."}],
        "source": [{"guidance": "Quality Improvement Collaboratives"}]})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


def test_identical_rule_sets_differ_in_nothing(shipped: RuleSet) -> None:
    """Comparing the rules with themselves reports no change anywhere."""
    diff = diff_rules(shipped, load_rules(), sample=300)
    assert (diff.added, diff.removed, diff.changed, diff.cases) == ((), (), (), ())
    assert diff.sample_changed == 0 and diff.firing == ()
    assert diff.cases_checked >= 14


def test_the_diff_names_each_change_and_counts_first_places_as_recommend_does(
        shipped: RuleSet, tmp_path: Path) -> None:
    """Added, removed and re-pointed rules are named, and the sample's changed first places
    match what recommend() gives under each rule set."""
    new = load_rules(_edited_rules(tmp_path))
    diff = diff_rules(shipped, new, sample=200, seed=5)
    assert diff.added == ("qic-sponsor-and-gap",)
    assert diff.removed == ("qic-many-teams",)
    assert [c.rule_id for c in diff.changed] == ["qic-fixed-term"]
    assert diff.changed[0].changes == (
        "points for Quality Improvement Collaborative: +2 -> +1",)
    changed = 0
    for values in seeded_field_values(200, 5, known=1.0):
        before = recommend(values, rules=shipped, engine="python").top.approach
        after = recommend(values, rules=new, engine="python").top.approach
        changed += before is not after
    assert diff.sample_changed == changed > 0
    assert sum(t.count for t in diff.transitions) == changed
    firing = {f.rule_id: f for f in diff.firing}
    assert firing["qic-sponsor-and-gap"].starts > 0
    assert firing["qic-many-teams"].stops > 0
    assert [r.rule_id for r in diff.reweighted] == ["qic-fixed-term"]
    text = diff.to_markdown()
    assert text.startswith("### Rules diff: ")
    assert "`qic-many-teams`" in text and "change first place" in text


def test_a_case_that_changes_first_place_is_listed_with_the_rules_behind_it(
        shipped: RuleSet, tmp_path: Path) -> None:
    """A prototype whose first place moves is named, with the rules that now fire or stop."""
    prototypes = tmp_path / "prototypes.yaml"
    prototypes.write_text(yaml.safe_dump([{
        "id": "fixed-term-gap", "expect": "qi_collaborative",
        "context": {"time_span": "fixed_term", "aim": "close_practice_gap"}}]),
        encoding="utf-8")
    new_folder = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), new_folder)
    path = new_folder / "qi_collaborative.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("ledger")  # edited by hand: an organisation's own set
    data["rules"] = [r for r in data["rules"] if r["id"] != "qic-fixed-term"]
    data["rules"].append({
        "id": "cop-fixed-term-example", "title": "An example rule for the diff test only",
        "status": "stable", "when": {"field": "time_span", "equals": "fixed_term"},
        "score": [{"approach": "community_of_practice", "points": 10,
                   "why": "An example rule for the diff test only."}],
        "source": [{"guidance": "Communities of Practice"}]})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    diff = diff_rules(shipped, load_rules(new_folder), sample=0, prototypes=prototypes,
                      casebook=prototypes)
    moved = [c for c in diff.cases if c.kind == "prototype"]
    assert len(moved) == 1 and moved[0].id == "fixed-term-gap"
    assert moved[0].old_top.value == "qi_collaborative"
    assert moved[0].new_top.value == "community_of_practice"
    assert moved[0].no_longer_fires == ("qic-fixed-term",)
    assert moved[0].now_fires == ("cop-fixed-term-example",)


def test_bad_arguments_are_refused_with_a_clear_message(shipped: RuleSet,
                                                        tmp_path: Path) -> None:
    """A sample out of range or a prototypes file that is not a list of entries is refused."""
    with pytest.raises(ValueError, match="sample must be from 0"):
        diff_rules(shipped, shipped, sample=-1)
    bad = tmp_path / "bad.yaml"
    bad.write_text("just: text\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a list of entries"):
        diff_rules(shipped, shipped, sample=0, prototypes=bad)


def test_the_command_prints_the_diff_and_refuses_bad_input(tmp_path: Path) -> None:
    """collab-advisor rules diff OLD NEW prints the diff; a bad file gives one line, exit 2."""
    command = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
    assert command is not None
    new = _edited_rules(tmp_path)
    result = subprocess.run([command, "rules", "diff", str(shipped_rules_dir()), str(new),
                             "--sample", "100", "--format", "markdown"],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Rules removed (1): `qic-many-teams`" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("- 1\n", encoding="utf-8")
    result = subprocess.run([command, "rules", "diff", str(shipped_rules_dir()), str(new),
                             "--sample", "0", "--prototypes", str(bad)],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "expected a list of entries" in result.stderr
