"""Whole numbers are bounded where they are read: a clear error with file, line and field."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collab_advisor import RuleFileError, load_rules, recommend
from collab_advisor._model.context import MAX_DIGITS

COMMAND = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(COMMAND is None, reason="collab-advisor is not installed")

HUGE = "9" * 4301
"""Past Python's 4,300-digit limit on converting text to int."""
LONG = "9" * 4300
"""Just within that limit: converted, but never to be echoed."""

RULE = """schema_version: 1
ruleset_version: 1.0.0
description: one rule with a bound
rules:
  - id: many-sites
    title: Many sites
    status: stable
    when: {{field: sites, gt: {bound}}}
    score:
      - approach: qi_collaborative
        points: 1
        why: Many sites need a shared timetable.
        source:
          - guidance: "Quality Improvement Collaboratives"
    source:
      - guidance: Quality Improvement Collaboratives
"""


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    assert COMMAND is not None
    return subprocess.run([COMMAND, *args], input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)


def _one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "internal error" not in result.stderr
    assert "9" * 50 not in result.stderr + result.stdout
    return result.stderr


@pytest.mark.parametrize("digits", [HUGE, LONG])
@pytest.mark.parametrize(("suffix", "text"), [
    (".csv", "name,sites\nfirst,{n}\nsecond,3\n"),
    (".jsonl", '{{"name": "first", "sites": {n}}}\n{{"name": "second", "sites": 3}}\n'),
])
def test_a_huge_cell_is_its_rows_error_and_the_other_rows_complete(
        tmp_path: Path, digits: str, suffix: str, text: str) -> None:
    """A 4,300- or 4,301-digit sites cell fails its row by name; the next row completes."""
    source = tmp_path / f"rows{suffix}"
    source.write_text(text.format(n=digits), encoding="utf-8")
    result = _run("batch", str(source), "--format", "jsonl")
    assert result.returncode == 2
    stderr = _one_clear_line(result)
    assert "sites" in stderr and f"{len(digits):,} digits" in stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert "error" in records[0] and records[1]["top"]


@pytest.mark.parametrize(("name", "text"), [
    ("plan.yaml", f"aim: share_know_how\nsites: {HUGE}\n"),
    ("plan.json", f'{{"aim": "share_know_how",\n "sites": {HUGE}}}\n'),
])
def test_a_context_file_with_a_huge_number_names_file_line_and_field(
        tmp_path: Path, name: str, text: str) -> None:
    """A YAML or JSON context file's huge sites is a usage error at its file and line."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = _run("recommend", "--context", str(path))
    assert result.returncode == 2
    stderr = _one_clear_line(result)
    assert f"{path}:2" in stderr and "sites" in stderr and "4,301 digits" in stderr


def test_a_huge_number_on_standard_input_is_a_clear_error() -> None:
    """The same value on standard input is refused with its line and field."""
    result = _run("recommend", "--context", "-", stdin=f"sites: {HUGE}\n")
    assert result.returncode == 2
    stderr = _one_clear_line(result)
    assert "standard input:1" in stderr and "sites" in stderr


@pytest.mark.parametrize("digits", [HUGE, LONG, "9" * (MAX_DIGITS + 1)])
def test_a_rule_bound_with_thousands_of_digits_names_file_and_line(tmp_path: Path,
                                                                  digits: str) -> None:
    """A rule's gt: of thousands of digits is a rule-file problem at its line, not a crash."""
    path = tmp_path / "big.yaml"
    path.write_text(RULE.format(bound=digits), encoding="utf-8")
    result = _run("rules", "check", str(path))
    assert result.returncode == 1
    assert "internal error" not in result.stderr
    assert f"{path}:8" in result.stdout and "when.gt" in result.stdout
    assert "9" * 50 not in result.stdout
    with pytest.raises(RuleFileError, match="digits"):
        load_rules(path)


def test_a_json_rule_file_bound_is_read_without_the_limit(tmp_path: Path) -> None:
    """A JSON rule file's huge bound is refused by the loader with the file named."""
    import yaml

    path = tmp_path / "big.json"
    rule = yaml.safe_load(RULE.format(bound=1))
    text = json.dumps(rule).replace('"gt": 1', f'"gt": {HUGE}')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError, match="digits") as raised:
        load_rules(path)
    assert "9" * 50 not in str(raised.value)


def test_an_ordinary_bound_still_works(tmp_path: Path) -> None:
    """A sensible bound is read as before."""
    path = tmp_path / "ok.yaml"
    path.write_text(RULE.format(bound=10), encoding="utf-8")
    rules = load_rules(path)
    assert recommend({"sites": 11}, rules=rules).ranking[0].score == 1
