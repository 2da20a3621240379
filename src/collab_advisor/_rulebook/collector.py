"""Pausing the cyclic garbage collector while many acyclic objects are built.

Used by ``load_rules``, ``recommend_many`` and the CLI's batch: each builds many objects
that plain reference counting frees, and the collector walking the growing heap again
and again had cost as much as the work itself.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a rule set (or a batch) is built.

    Reading a file builds a YAML node per value and a model per rule, all kept alive
    until the end, so the collector would walk the growing heap again and again: on a
    5,000-rule file that was more than half of the load. Nothing built here needs the
    cycle collector (plain reference counting frees it), and a collector the caller
    had paused stays paused. Pauses overlapping in several threads end together,
    when the last one does.
    """
    with _PAUSE.lock:
        if _PAUSE.depth == 0:
            _PAUSE.resume = gc.isenabled()
            gc.disable()
        _PAUSE.depth += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.depth -= 1
            if _PAUSE.depth == 0 and _PAUSE.resume:
                gc.enable()


class _Pauses:
    """The pauses under way in any thread, counted under a lock: the first one to begin
    notes whether the collector was running, and the last one to end restores that (a
    pause that read the state while another thread had paused it would otherwise keep
    the collector off for good)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.resume = False

    def forked(self) -> None:
        """In a child process forked while a pause was under way in another thread (which
        the child does not have): no pause is, so the collector runs as before it."""
        self.lock = threading.Lock()
        if self.depth:
            self.depth = 0
            if self.resume:
                gc.enable()


_PAUSE = _Pauses()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_PAUSE.forked)
