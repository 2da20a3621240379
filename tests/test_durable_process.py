"""The durable-rules engine across fork, under warnings-as-errors, and on partial rule sets."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from collab_advisor import load_rules, recommend, shipped_rules_dir
from collab_advisor._engines.durable import _runtime
from collab_advisor._model.samples import seeded_field_values

pytestmark = pytest.mark.usefixtures("durable_engine")

CHILDREN = 20
CHILD_SECONDS = 20.0


def _wait_all(pids: list[int], deadline: float) -> tuple[list[int], list[int]]:
    """Wait for every child until the deadline; the pids that hung are killed and returned."""
    statuses: dict[int, int] = {}
    while len(statuses) < len(pids) and time.monotonic() < deadline:
        for pid in pids:
            if pid in statuses:
                continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                statuses[pid] = os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    hung = [pid for pid in pids if pid not in statuses]
    for pid in hung:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return hung, [code for code in statuses.values() if code != 0]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings(
    r"ignore:This process \(pid=\d+\) is multi-threaded, use of fork\(\):DeprecationWarning")
def test_twenty_forks_beside_a_busy_thread_never_hang() -> None:
    """20 children forked while another thread keeps the engine busy all finish their own call."""
    contexts = seeded_field_values(50, seed=5, known=0.6)
    expected = recommend({"aim": "redesign_services"}, engine="python").fired_rules
    stop = threading.Event()
    calls = [0]

    def busy() -> None:
        while not stop.is_set():
            for ctx in contexts:
                recommend(ctx, engine="durable")
                calls[0] += 1

    worker = threading.Thread(target=busy, daemon=True)
    worker.start()
    pids: list[int] = []
    try:
        while calls[0] < 20:
            time.sleep(0.01)
        for _ in range(CHILDREN):
            time.sleep(0.003)  # land the forks at different points of the busy loop
            pid = os.fork()
            if pid == 0:  # the child: one evaluation, then leave without pytest's teardown
                code = 1
                try:
                    got = recommend({"aim": "redesign_services"}, engine="durable").fired_rules
                    code = 0 if got == expected else 3
                finally:
                    os._exit(code)
            pids.append(pid)
        hung, failed = _wait_all(pids, time.monotonic() + CHILD_SECONDS)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert hung == [], f"{len(hung)} of {CHILDREN} forked children hung"
    assert failed == [], f"children exited with {failed}"
    assert calls[0] > 20


def test_warnings_inside_durable_rules_do_not_become_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A DeprecationWarning raised inside durable-rules is contained even when warnings are
    errors (as under this suite's filterwarnings = error), so the call still answers."""
    runtime = _runtime()
    recommend({"aim": "share_know_how"}, engine="durable")
    original = runtime.host.assert_fact

    def noisy(name: str, fact: dict[str, Any]) -> Any:
        warnings.warn("utcfromtimestamp() is deprecated", DeprecationWarning, stacklevel=1)
        return original(name, fact)

    monkeypatch.setattr(runtime.host, "assert_fact", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = recommend({"aim": "redesign_services"}, engine="durable")
        assert rec.fired_rules == recommend({"aim": "redesign_services"},
                                            engine="python").fired_rules
        with pytest.raises(UserWarning):  # the caller's own filter is back in force
            warnings.warn("a warning of the caller's", UserWarning, stacklevel=1)


def test_warnings_filters_are_restored_after_a_call() -> None:
    """The caller's warning filters are the same after a durable call as before it."""
    before = list(warnings.filters)
    recommend({"aim": "redesign_services"}, engine="durable")
    assert list(warnings.filters) == before


@pytest.mark.parametrize("approach", ["qi_collaborative", "community_of_practice",
                                      "managed_clinical_network", "clinical_community"])
def test_findings_with_one_approach_file_give_the_same_answer_on_both_engines(
        approach: str) -> None:
    """With findings.yaml and one approach's file, some findings are concluded that no loaded
    rule uses; durable-rules answers all the same, exactly as the python engine does."""
    folder = shipped_rules_dir()
    rules = load_rules(Path(folder, "findings.yaml"), Path(folder, f"{approach}.yaml"))
    for ctx in seeded_field_values(60, seed=9, known=0.7):
        python = recommend(ctx, rules=rules, engine="python")
        durable = recommend(ctx, rules=rules, engine="durable")
        assert durable.fired_rules == python.fired_rules
        assert [r.score for r in durable.ranking] == [r.score for r in python.ranking]


def test_findings_alone_give_the_same_answer_on_both_engines() -> None:
    """A rule set of findings only (nothing uses them) answers on both engines alike."""
    rules = load_rules(Path(shipped_rules_dir(), "findings.yaml"))
    ctx = {"scope": "multi_organisation", "geographic_reach": "regional",
           "single_org_can_solve": False}
    assert (recommend(ctx, rules=rules, engine="durable").fired_rules
            == recommend(ctx, rules=rules, engine="python").fired_rules)


def test_concurrent_calls_leave_the_warning_filters_as_they_were() -> None:
    """8 threads x 300 calls mixing durable evaluations and engine checks leave the
    process's warning filters exactly as they found them."""
    from concurrent.futures import ThreadPoolExecutor

    from collab_advisor import durable_available

    before = list(warnings.filters)
    contexts = seeded_field_values(300, seed=11, known=0.6)

    def worker(offset: int) -> None:
        for ctx in contexts[offset:] + contexts[:offset]:
            recommend(ctx, engine="durable")
            durable_available()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, to meet any race
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(worker, range(0, 300, 38)))
    finally:
        sys.setswitchinterval(interval)
    assert list(warnings.filters) == before
