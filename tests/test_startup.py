"""Start-up: importing the package is cheap, names load on first use, and loading rules
leaves the garbage collector as it found it (what is imported is counted, never timed)."""

from __future__ import annotations

import gc
import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import collab_advisor
from collab_advisor import load_rules
from collab_advisor._rulebook.loader import shipped_rule_files
from collab_advisor._rulebook.snapshot import SNAPSHOT, from_snapshot, snapshot_text

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
    assert "yaml" not in loaded  # the shipped rules come from their snapshot
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


def test_pauses_overlapping_in_two_threads_leave_the_collector_running(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A pause that begins in one thread while another thread's pause is ending (as two
    threads loading rules or batching at once do) leaves the collector enabled."""
    import threading

    from collab_advisor._rulebook import collector

    second_began = threading.Event()
    first_ended = threading.Event()

    class SlowToRead:
        """The gc module, with the second thread delayed just after it reads the state."""

        def isenabled(self) -> bool:
            state = gc.isenabled()
            if threading.current_thread().name == "second":
                second_began.set()
                first_ended.wait(5)
            return state

        def enable(self) -> None:
            gc.enable()

        def disable(self) -> None:
            gc.disable()

    def first() -> None:
        with collector.collection_paused():
            threading.Thread(target=second, name="second").start()
            second_began.wait(5)
        first_ended.set()

    def second() -> None:
        with collector.collection_paused():
            second_began.set()
            first_ended.wait(5)

    monkeypatch.setattr(collector, "gc", SlowToRead())
    was = gc.isenabled()
    gc.enable()
    try:
        worker = threading.Thread(target=first, name="first")
        worker.start()
        worker.join(10)
        for thread in threading.enumerate():
            if thread.name == "second":
                thread.join(10)
        assert gc.isenabled()
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


_FORK_DURING_A_PAUSE = """
import gc, os, threading
from collab_advisor._rulebook import collector
inside, leave = threading.Event(), threading.Event()
def hold():
    with collector.collection_paused():
        inside.set()
        leave.wait(10)
gc.enable()
holder = threading.Thread(target=hold)
holder.start()
inside.wait(10)
pid = os.fork()
if pid == 0:
    with collector.collection_paused():
        pass
    os._exit(0 if gc.isenabled() else 1)
_, status = os.waitpid(pid, 0)
leave.set()
holder.join()
print(os.waitstatus_to_exitcode(status), gc.isenabled())
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_process_forked_during_a_pause_collects_again() -> None:
    """A child process forked while another thread has the collector paused (as a
    multiprocessing pool started beside a batch is) runs with the collector on."""
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", _FORK_DURING_A_PAUSE],
                         capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["0", "True"]


def test_the_shipped_snapshot_is_current() -> None:
    """The snapshot of the shipped rules is what reading their YAML gives now."""
    files = shipped_rule_files()
    assert SNAPSHOT.read_text(encoding="utf-8") == snapshot_text(load_rules(*files), files), (
        "run: python scripts/write_rules_snapshot.py")


def test_the_shipped_rules_are_the_same_from_the_snapshot_as_from_the_yaml() -> None:
    """load_rules() gives, from the snapshot, the very rule set that reading the shipped
    YAML gives: rules, fields left unset, findings, features, files, lines, fingerprint."""
    files = shipped_rule_files()
    snapped = from_snapshot(files)
    read = load_rules(*files)
    assert snapped is not None
    assert load_rules() == read
    for name in ("rules", "version", "paths", "defining_features", "compiled",
                 "fingerprint"):
        assert getattr(snapped, name) == getattr(read, name), name
    assert list(snapped.findings.items()) == list(read.findings.items())
    assert list(snapped.locations.items()) == list(read.locations.items())
    assert [r.model_fields_set for r in snapped.rules] == [r.model_fields_set for r in read.rules]
    assert [r.model_dump(exclude_unset=True) for r in snapped.rules] == [
        r.model_dump(exclude_unset=True) for r in read.rules]


def test_a_snapshot_of_other_files_or_damaged_is_not_used(tmp_path: Path) -> None:
    """Edited rule files, a snapshot that is not JSON, or one whose rules do not give its
    fingerprint are ignored (the YAML is read instead)."""
    copied = [Path(shutil.copy(path, tmp_path / path.name)) for path in shipped_rule_files()]
    assert from_snapshot(copied) is not None
    copied[0].write_text(copied[0].read_text(encoding="utf-8") + "\n# edited\n",
                         encoding="utf-8")
    assert from_snapshot(copied) is None
    damaged = tmp_path / "damaged.json"
    damaged.write_text("{not json", encoding="utf-8")
    assert from_snapshot(shipped_rule_files(), damaged) is None
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    data["rules"][0]["title"] = "A title the YAML does not have"
    damaged.write_text(json.dumps(data), encoding="utf-8")
    assert from_snapshot(shipped_rule_files(), damaged) is None


def test_the_type_checkers_names_are_the_public_list() -> None:
    """The names the package shows type checkers (its TYPE_CHECKING imports) are exactly
    those of ``__all__``, each from the module the public list names, so the lists cannot
    drift apart."""
    import ast

    tree = ast.parse(Path(collab_advisor.__file__).read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
    shown = {}
    for node in ast.walk(block):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                shown[alias.asname or alias.name] = "." * node.level + (node.module or "")
    public = collab_advisor._PUBLIC
    assert set(shown) == set(collab_advisor.__all__) - {"__version__"}
    assert {name: shown[name] for name in public} == {
        name: where.partition(":")[0] for name, where in public.items()}
