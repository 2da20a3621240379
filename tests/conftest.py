"""Shared fixtures: both engines, the shipped rules, hypothesis profiles."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

from collab_advisor import EngineChoice, RuleSet, durable_available, load_rules

ROOT = Path(__file__).resolve().parents[1]
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if ON_CI else "default")


def _durable_or_skip() -> None:
    if durable_available():
        return
    if ON_CI and sys.version_info < (3, 13):
        pytest.fail("durable-rules must be importable on CI (Python 3.11 or 3.12)")
    from collab_advisor._engines.durable import durable_import_error

    pytest.skip(f"durable-rules is not importable in this Python ({durable_import_error()}); "
                "where a C compiler is present, pip install -e '.[rete]' adds it")


@pytest.fixture(params=["python", "durable"])
def engine(request: pytest.FixtureRequest) -> EngineChoice:
    """Each engine by name; durable-rules must be present on CI."""
    name: EngineChoice = request.param
    if name == "durable":
        _durable_or_skip()
    return name


@pytest.fixture(scope="session")
def durable_engine() -> EngineChoice:
    """The durable-rules engine by name (skipped off CI where it cannot import)."""
    _durable_or_skip()
    return "durable"


@pytest.fixture(scope="session")
def shipped() -> RuleSet:
    """The shipped rules, loaded once."""
    return load_rules()


def load_script(name: str) -> ModuleType:
    """The module of ``scripts/<name>.py`` (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in a script look their module up by name
    spec.loader.exec_module(module)
    return module


def write_rules(folder: Path, name: str, text: str) -> Path:
    """Write one rule file and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True, scope="session")
def _user_data_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`serve` keeps workspaces under the user's data folder: the tests' servers use a
    temporary one (XDG_DATA_HOME, inherited by subprocesses), never the real home."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("user-data"))
