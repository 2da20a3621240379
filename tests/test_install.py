"""Installing without durable-rules: the engine is chosen automatically and every report
says which one ran; the core install names no package that compiles C."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest

from collab_advisor import recommend
from collab_advisor._engines import choose

from .conftest import ROOT


@pytest.fixture
def without_durable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process as it is where durable-rules is not installed."""
    monkeypatch.setattr(choose, "durable_import_error",
                        lambda: "ModuleNotFoundError: No module named 'durable'")
    choose.durable_available.cache_clear()
    yield
    choose.durable_available.cache_clear()


@pytest.mark.usefixtures("without_durable")
def test_without_durable_rules_the_python_engine_runs_and_says_so() -> None:
    """'auto' falls back to the python engine, with the same advice, named in the report."""
    rec = recommend(aim="share_know_how", formality="informal")
    assert rec.engine == "python"
    assert choose.runnable_engines() == ["python"]
    assert rec.explain().rstrip().splitlines()[-1].endswith("engine: plain Python.")
    assert "engine: plain Python" in rec.to_markdown() and "plain Python" in rec.to_html()
    reference = recommend(aim="share_know_how", formality="informal", engine="python")
    assert rec.ranking == reference.ranking


def test_the_report_names_the_engine_that_ran() -> None:
    """Whichever engine 'auto' picks here, the result and its report name it."""
    rec = recommend(aim="share_know_how")
    expected = "durable-rules (Rete)" if choose.durable_available() else "plain Python"
    assert rec.engine == ("durable" if choose.durable_available() else "python")
    assert f"engine: {expected}" in rec.explain()


def test_the_core_install_needs_no_compiler_and_durable_rules_is_an_extra() -> None:
    """durable-rules is only in the rete extra; the test extra does not pull it in."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("durable")]
    extras = project["optional-dependencies"]
    assert [d for d in extras["rete"] if d.startswith("durable-rules")]
    assert not [d for d in extras["test"] if "durable" in d or "rete" in d]
    assert "LICENSE" in project["license-files"] and (ROOT / "LICENSE").is_file()
