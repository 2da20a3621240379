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


def test_no_module_imports_itself_in_a_circle() -> None:
    """No chain of imports, deferred and TYPE_CHECKING ones included, leads from a module
    back to itself."""
    import grimp

    graph = grimp.build_graph("collab_advisor", exclude_type_checking_imports=False)
    imports = {name: graph.find_modules_directly_imported_by(name) for name in graph.modules}
    state: dict[str, int] = {}
    path: list[str] = []
    circles: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(imports.get(module, ())):
            if state.get(imported) == 1:
                circles.append(" -> ".join([*path[path.index(imported):], imported]))
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = 2

    for module in sorted(imports):
        if module not in state:
            visit(module)
    assert circles == []
