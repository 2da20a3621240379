"""The built wheel carries the shipped rules and works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from .conftest import ROOT

CHECK = """
import collab_advisor, sys
from collab_advisor import recommend, shipped_rules_dir
assert collab_advisor.__file__.startswith(sys.prefix), collab_advisor.__file__
assert str(shipped_rules_dir()).startswith(sys.prefix), shipped_rules_dir()
rec = recommend(aim="share_know_how", formality="informal", engine="python")
assert "yaml" not in sys.modules, "the shipped rules were not read from their snapshot"
print(rec.top.approach.value, len(list(shipped_rules_dir().glob("*.yaml"))))
"""


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_recommends(tmp_path: Path) -> None:
    """A wheel built from the checkout, installed elsewhere, finds its rules and answers."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("collab_advisor-*.whl")
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, str(wheel)],
        check=True, capture_output=True,
    )
    # The dependencies (pydantic, PyYAML) come from this environment; only paths, so
    # this environment's editable install of the checkout is not seen by the fresh venv.
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    result = subprocess.run(
        [str(python), "-c", CHECK], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    shipped_files = len(list((ROOT / "rules").glob("*.yaml")))
    assert result.stdout.split() == ["community_of_practice", str(shipped_files)]
