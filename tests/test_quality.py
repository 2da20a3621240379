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


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
OVER_THE_LIMITS = {
    # Known offenders (issue 19), each capped at its size when the limits came in: none may
    # grow, and an entry goes once its module or function is split. Nothing else may pass.
    "collab_advisor/_engines/plan.py": 786,
    "collab_advisor/_advice/analysis.py:outlook": 65,
    "collab_advisor/_advice/batch.py:_codes": 61,
    "collab_advisor/_advice/parts.py:lookahead_detail": 90,
    "collab_advisor/_advice/rulesdiff.py:diff_rules": 69,
    "collab_advisor/_advice/settledness.py:settledness": 66,
    "collab_advisor/_advice/team.py:recommend_team": 73,
    "collab_advisor/_engines/plan.py:build_plan": 114,
    # Grown past the limits by work merged beside issue 19 (the ledger's help text, the
    # reliability budgets, the workspace store, serve's limits): split in a later change.
    "collab_advisor/_model/context.py": 566,
    "collab_advisor/_rulebook/loader.py": 706,
    "collab_advisor/web/cli.py:run_serve": 65,
    "collab_advisor/web/limits.py:timed_protocol": 69,
}


def test_no_module_or_function_in_src_outgrows_the_limits() -> None:
    """Every module in src/ has at most 500 lines and every function at most 60, except the
    listed offenders, which may not grow."""
    import ast

    source = ROOT / "src"
    found: dict[str, int] = {}
    for path in sorted(source.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(source).as_posix()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found[name] = len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found[f"{name}:{node.name}"] = length
    grown = {where: size for where, size in found.items()
             if size > OVER_THE_LIMITS.get(where, 0)}
    assert grown == {}, f"over {MAX_MODULE_LINES} lines per module or {MAX_FUNCTION_LINES} " \
        f"per function: {grown}"
