"""The readers' agreement script counts what two readers answered alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "help_text_agreement.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_sheet_lists_every_value_with_its_meaning() -> None:
    """The reader's sheet shows each field's allowed values, so a reader needs nothing else."""
    out = _run("sheet")
    assert out.returncode == 0, out.stderr
    assert "## `control`" in out.stdout
    assert "- `accountable`:" in out.stdout
    assert "## `name`" not in out.stdout


def test_compare_counts_dont_know_as_an_answer(tmp_path: Path) -> None:
    """Two readers agree on a field when both leave it out, and disagree when only one does."""
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text(
        "p1: {scope: multi_organisation, sites: 4}\np2: {scope: single_organisation}\n"
    )
    second.write_text("p1: {scope: multi_organisation}\np2: {scope: regional_or_national}\n")
    out = _run("compare", str(first), str(second), "--fields", "scope", "sites", "control")
    assert out.returncode == 0, out.stderr
    rows = {line.split("|")[1].strip(): line for line in out.stdout.splitlines()[2:]}
    assert "| 1 | 2 | 50% |" in rows["`scope` (borderline)"]
    assert "| 1 | 2 | 50% |" in rows["`sites` (borderline)"]
    assert "| 2 | 2 | 100% |" in rows["`control` (borderline)"]


def test_compare_refuses_a_field_that_does_not_exist(tmp_path: Path) -> None:
    """A misspelt field is refused rather than reported as full agreement."""
    answers = tmp_path / "a.yaml"
    answers.write_text("p1: {}\n")
    out = _run("compare", str(answers), str(answers), "--fields", "formalty")
    assert out.returncode == 2
    assert "formalty" in out.stderr
