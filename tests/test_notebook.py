"""The walkthrough notebook runs, top to bottom, in a real Jupyter kernel, and leaves no
file in the project folder."""

from __future__ import annotations

import os

import pytest

from .conftest import ON_CI, ROOT

NOTEBOOK = ROOT / "examples" / "walkthrough.ipynb"
_NOT_SOURCE = {".git", ".cache", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache",
               "__pycache__", ".mutation", "dist", "build"}


def _project_files() -> set[str]:
    found: set[str] = set()
    for folder, names, files in os.walk(ROOT):
        names[:] = [n for n in names if n not in _NOT_SOURCE and not n.startswith(".venv")
                    and not n.endswith(".egg-info")]
        found.update(os.path.relpath(os.path.join(folder, f), ROOT) for f in files)
    return found


def test_the_walkthrough_runs_in_a_kernel_and_writes_nothing_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cell runs without error from examples/, as a user opens it; the rich display
    and the report's path are in the outputs; the project folder is unchanged."""
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:
        if ON_CI:
            raise
        pytest.skip("nbclient is not installed: pip install -e '.[test]'")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    before = _project_files()
    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o.data["text/html"] for o in outputs if "data" in o and "text/html" in o.data]
    assert html and "Clinical Community" in html[0]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Open " in printed and "report.html in a browser" in printed
    assert _project_files() == before
