"""The README and the documentation site: short, every example run and its output
compared, the set-up commands the ones CI runs, and the site built strictly."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ON_CI, ROOT, load_script

README = ROOT / "README.md"


DOCS = load_script("doc_examples")
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_example_on_the_page_runs_and_shows_its_real_output(page: Path) -> None:
    """Each pycon, python, console and yaml block runs, and what it shows is what it prints."""
    problems = [f"{result.block.where}: {result.problem}" for result in DOCS.check_page(page)
                if result.problem]
    assert not problems, ("\n\n".join(problems)
                          + "\n\n(after an intended change: python scripts/doc_examples.py "
                          "--update)")


def test_the_readme_is_short_and_says_how_to_start() -> None:
    """At most 10 KB, with the venv activation for both kinds of system and a real example."""
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 10 * 1024
    assert ". .venv/bin/activate" in text and ".venv\\Scripts\\Activate.ps1" in text
    blocks = DOCS.blocks(README)
    example = [block for block in blocks if block.language == "pycon"]
    assert example and len(example[0].text.splitlines()) <= 12


def test_the_readme_set_up_commands_are_the_ones_ci_runs() -> None:
    """Every command of the README's set-up block appears, unchanged, in .ci/run."""
    (setup,) = [block for block in DOCS.blocks(README) if block.language == "bash"]
    commands = [line for line in setup.text.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command in script.splitlines(), command
    assert "pip install -e ." in commands[0] and "[rete]" not in commands[0]


def test_every_docs_page_is_in_the_site_navigation() -> None:
    """No page of docs/ is left out of mkdocs.yml's nav, and the nav names no missing page."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    named = set(re.findall(r"[\w./-]+\.md", str(config["nav"])))
    assert named == {page.name for page in (ROOT / "docs").glob("*.md")}


def test_the_site_builds_strictly_with_the_generated_references(tmp_path: Path) -> None:
    """mkdocs build --strict succeeds; the CLI reference has every command, the API page
    every function the package exports."""
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        if ON_CI:
            raise
        pytest.skip("mkdocs is not installed: pip install -e '.[docs]'")
    from collab_advisor._cli.app import build_parser

    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    reference = (site / "cli" / "index.html").read_text(encoding="utf-8")
    commands = [action for action in build_parser()._actions
                if isinstance(action, argparse._SubParsersAction)]
    for name in commands[0].choices:
        assert f"collab-advisor {name}" in reference, name
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("recommend", "recommend_team", "load_rules", "Recommendation", "Context"):
        assert 'id="collab_advisor.' in api and f">{name}<" in api, name
