"""The code passes its own checks: mypy --strict and ruff, as the README promises."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_mypy_strict_passes() -> None:
    """The public API and the tests type-check under mypy --strict."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PATH": os.defpath},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_passes() -> None:
    """ruff finds nothing to complain about."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "PATH": os.defpath})
    assert result.returncode == 0, result.stdout + result.stderr
