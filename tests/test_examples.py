"""The scripts in examples/ run and print what they promise."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_quickstart_prints_an_explained_recommendation() -> None:
    """The quickstart names the best fit and shows its reasons with sources."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    out = result.stdout
    assert "Best fit: Quality Improvement Collaborative" in out
    assert "1. Quality Improvement Collaborative" in out
    assert "Guidance, 'Quality Improvement Collaboratives'" in out
    assert "Rules 1.0.0" in out
