"""Analyses are fork-safe: a child forked while other threads analyse results never waits
on a lock its parent's threads held (issue 21, item 3: on Python 3.11 a result's
``cached_property`` held one lock across all instances)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from collab_advisor import EngineChoice, recommend
from collab_advisor._engines.choose import runnable_engines

THREADS = 4
CHILDREN = 10
CHILD_SECONDS = 90.0
"""How long every child together may take before the ones left count as hung."""
FORK_WARNING = (r"ignore:This process \(pid=\d+\) is multi-threaded, use of fork\(\)"
                ":DeprecationWarning")
CONTEXTS: list[dict[str, Any]] = [
    {"aim": "share_know_how"},
    {"aim": "redesign_services", "scope": "multi_organisation",
     "geographic_reach": "regional"},
    {"formality": "highly_structured", "scope": "multi_organisation"},
    {"time_span": "fixed_term", "control": "accountable", "sites": 12},
]


def _analyse_all(engine: EngineChoice) -> None:
    for values in CONTEXTS:
        rec = recommend(values, engine=engine)
        rec.report().model_dump(mode="json")
        rec.explain()


def _wait_all(pids: list[int], deadline: float) -> tuple[list[int], list[int]]:
    """(hung pids, non-zero exit codes); hung children are killed and reaped."""
    codes: dict[int, int] = {}
    while len(codes) < len(pids) and time.monotonic() < deadline:
        for pid in pids:
            if pid not in codes:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    codes[pid] = os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    hung = [pid for pid in pids if pid not in codes]
    for pid in hung:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return hung, [code for code in codes.values() if code != 0]


def _fork_beside_busy_threads(engine: EngineChoice, child: Callable[[], None]) -> None:
    stop = threading.Event()
    rounds = [0]
    errors: list[BaseException] = []

    def busy() -> None:
        try:
            while not stop.is_set():
                _analyse_all(engine)
                rounds[0] += 1
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=busy, daemon=True) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    pids: list[int] = []
    try:
        started = time.monotonic() + CHILD_SECONDS
        while rounds[0] < THREADS:  # bounded: a thread that dies must not hang the test
            assert not errors, f"an analysing thread failed: {errors[0]!r}"
            assert time.monotonic() < started, "the analysing threads made no progress"
            time.sleep(0.01)
        for _ in range(CHILDREN):
            time.sleep(0.005)  # land the forks at different points of the threads' work
            pid = os.fork()
            if pid == 0:  # the child: its own analyses, then leave without pytest's teardown
                code = 1
                try:
                    child()
                    code = 0
                finally:
                    os._exit(code)
            pids.append(pid)
        hung, failed = _wait_all(pids, time.monotonic() + CHILD_SECONDS)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    assert hung == [], f"{len(hung)} of {CHILDREN} forked children hung"
    assert failed == [], f"children exited with {failed}"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings(FORK_WARNING)
@pytest.mark.parametrize("engine", runnable_engines())
def test_children_forked_while_four_threads_analyse_all_finish(engine: EngineChoice) -> None:
    """10 children forked while 4 threads analyse results each analyse their own and exit."""
    _fork_beside_busy_threads(engine, lambda: _analyse_all(engine))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings(FORK_WARNING)
def test_children_forked_while_threads_analyse_run_the_cli_batch(tmp_path: Path) -> None:
    """Children forked while 4 threads analyse each run the CLI's batch to completion."""
    from collab_advisor._cli.app import main

    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(f'{{"aim": "share_know_how", "sites": {n}}}\n'
                            for n in range(1, 40)), encoding="utf-8")

    def batch() -> None:
        out = tmp_path / f"out-{os.getpid()}.jsonl"
        code = main(["batch", str(rows), "--output", str(out)])
        if code != 0 or len(out.read_text(encoding="utf-8").splitlines()) != 39:
            raise SystemExit(4)

    _fork_beside_busy_threads("python", batch)
