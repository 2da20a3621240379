"""The small ones of issue 21: aliases in context files, long problem lists, CSV cells."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collab_advisor import RuleFileError, load_rules
from collab_advisor._cli.csvinput import neutralise_formula

from .test_budgets import _rule, _write

COMMAND = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
needs_command = pytest.mark.skipif(COMMAND is None, reason="collab-advisor is not installed")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    assert COMMAND is not None
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, timeout=120,
                          check=False)


@needs_command
def test_an_alias_in_a_context_file_is_named_as_a_context_file_problem(tmp_path: Path) -> None:
    """An anchor reused in a context file is refused as not allowed in context files."""
    path = tmp_path / "plan.yaml"
    path.write_text("first: &x share_know_how\naim: *x\n", encoding="utf-8")
    result = _run("recommend", "--context", str(path))
    assert result.returncode == 2
    assert "not allowed in context files" in result.stderr
    assert "rule files" not in result.stderr


@needs_command
def test_thousands_of_rule_problems_are_summarised_on_one_short_line(tmp_path: Path) -> None:
    """4,000 bad rules give a one-line error of a few KB, and rules check lists them all."""
    rules = [_rule(f"bad-{i}", {"field": "colour", "equals": "blue"}) for i in range(4000)]
    path = _write(tmp_path / "bad.yaml", rules)
    result = _run("recommend", "--add-rules", str(path))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert len(result.stderr) < 10_000
    assert "4,000 problems" in result.stderr and "3,980 more" in result.stderr
    checked = _run("rules", "check", str(path))
    assert checked.stdout.count("  - ") == 4000
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    assert len(caught.value.problems) == 4000


@pytest.mark.parametrize("lead", ["\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_a_fullwidth_formula_lead_is_defused(lead: str) -> None:
    """A cell starting with a fullwidth equals, plus, minus or at sign gets the quote."""
    assert neutralise_formula(f"{lead}cmd|' /C calc'!A0") == f"'{lead}cmd|' /C calc'!A0"


def test_control_characters_never_reach_a_csv_cell() -> None:
    """A NUL or another control character in a name is replaced, not written raw."""
    cell = neutralise_formula("a\x00b\x1bc\x7f")
    assert cell == "a\ufffdb\ufffdc\ufffd"
    assert neutralise_formula("tab\tand\nline") == "tab\tand\nline"


@needs_command
def test_batch_csv_output_carries_no_nul(tmp_path: Path) -> None:
    """A NUL byte in a name read from CSV does not come back raw in CSV output."""
    source = tmp_path / "rows.csv"
    source.write_bytes('name,aim\n"a\x00b",share_know_how\n"\uff1dcmd",share_know_how\n'
                       .encode())
    result = _run("batch", str(source), "--format", "csv")
    assert result.returncode == 0
    assert "\x00" not in result.stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["name"] == "a\ufffdb"
    assert rows[1]["name"] == "'\uff1dcmd"
