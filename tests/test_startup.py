"""Start-up: importing the package is cheap, names load on first use, and loading rules
leaves the garbage collector as it found it (what is imported is counted, never timed)."""

from __future__ import annotations

import gc
import importlib
import json
import subprocess
import sys

import pytest

import collab_advisor
from collab_advisor import load_rules

HEAVY = ("pydantic", "numpy", "yaml", "durable", "jinja2", "pandas", "tqdm", "fastapi",
         "importlib.metadata")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_importing_the_package_loads_no_heavy_library() -> None:
    """`import collab_advisor` imports neither pydantic, numpy, PyYAML nor any optional
    extra, nor any of the package's own layers."""
    loaded = _modules_after("import collab_advisor")
    assert not {name for name in HEAVY if name in loaded}
    own = {name for name in loaded if name.startswith("collab_advisor.")}
    assert own <= {"collab_advisor._advice", "collab_advisor._advice.presenters"}


def test_recommend_loads_neither_numpy_nor_an_extra() -> None:
    """A first recommend() on the python engine imports neither numpy nor the optional
    extras (pandas, tqdm, the web) nor the team and rules-diff advice."""
    loaded = _modules_after(
        "from collab_advisor import recommend\n"
        "recommend(time_span='fixed_term', aim='close_practice_gap', engine='python')")
    assert not {name for name in ("numpy", "pandas", "tqdm", "fastapi", "jinja2")
                if name in loaded}
    assert "collab_advisor._advice.rulesdiff" not in loaded
    assert "collab_advisor._advice.team" not in loaded


def test_every_public_name_is_listed_by_dir_and_importable_by_name() -> None:
    """dir() shows every name of __all__, and each resolves to the object that the
    private module it comes from holds."""
    assert set(collab_advisor.__all__) <= set(dir(collab_advisor))
    public = collab_advisor._PUBLIC
    assert set(public) == set(collab_advisor.__all__) - {"__version__"}
    for name, module in public.items():
        assert getattr(collab_advisor, name) is getattr(
            importlib.import_module(module, "collab_advisor"), name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    """Asking the package for a name it does not have raises AttributeError naming it."""
    with pytest.raises(AttributeError, match="no_such_name"):
        collab_advisor.no_such_name  # noqa: B018


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_rules_leaves_the_garbage_collector_as_it_was(enabled: bool) -> None:
    """load_rules() pauses the cyclic collector while it builds, and leaves it enabled or
    disabled as the caller had it, also when the files are refused."""
    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        load_rules()
        assert gc.isenabled() is enabled
        with pytest.raises(collab_advisor.RuleFileError):
            load_rules("/no/such/rules.yaml")
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
