"""schemathesis against the served OpenAPI document: no 5xx, and every answer as documented."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install -e '.[test]'")

from .test_serve_limits import _serve

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent))


@pytest.mark.once
@pytest.mark.skipif(SCHEMATHESIS is None, reason="schemathesis is not installed")
def test_the_api_keeps_its_openapi_promises(tmp_path: Path) -> None:
    """Every check schemathesis has, bounded in examples and time, finds no failure on the
    advice API and the team workspaces' API (following the links from a new workspace to the
    calls its tokens open)."""
    with _serve("--database", str(tmp_path / "workspaces.sqlite3")) as (host, port):
        result = subprocess.run(
            [str(SCHEMATHESIS), "run", f"http://{host}:{port}/openapi.json", "--checks", "all",
             "--max-examples", "25", "--max-time", "180", "--seed", "21",
             "--request-timeout", "30", "--no-color"],
            capture_output=True, text=True, timeout=500, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "No issues found" in result.stdout or "passed" in result.stdout
