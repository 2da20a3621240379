"""The code passes its own checks: mypy --strict, ruff and the layers contract, as promised."""

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


def test_each_layer_imports_only_the_layers_below_it() -> None:
    """The import-linter contract in pyproject.toml holds: the pipeline's layers run one way."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         "sys.exit(lint_imports(no_cache=True))"],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PATH": os.defpath})
    assert result.returncode == 0, result.stdout + result.stderr
