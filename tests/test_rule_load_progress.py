"""A long rule load shows a progress bar on a terminal, and nothing when piped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from .test_budgets import _pairs, _write

COMMAND = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(COMMAND is None, reason="collab-advisor is not installed")


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's 780 wide rules: about a megabyte of YAML."""
    path = tmp_path_factory.mktemp("large") / "wide.yaml"
    return _write(path, [_pairs(f"pairs-{i}", i) for i in range(780)])


def test_a_large_rule_file_shows_its_progress_on_a_terminal(large: Path) -> None:
    """On a terminal, rules check names the stage and counts the rules as it checks them."""
    child = pexpect.spawn(str(COMMAND), ["rules", "check", "--add-rules", str(large)],
                          encoding="utf-8", timeout=120, dimensions=(24, 120))
    child.expect(r"checking wide\.yaml.*\d+/780")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "more than the 50,000" in (child.before or "")


def test_no_progress_bar_when_standard_error_is_not_a_terminal(large: Path) -> None:
    """Piped, the output is the problem list alone."""
    result = subprocess.run([str(COMMAND), "rules", "check", "--add-rules", str(large)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "checking" not in result.stderr and result.stderr == ""
