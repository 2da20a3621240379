"""How a long load of rules goes, for whoever asked to hear (the command line)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

LOAD_PROGRESS: ContextVar[Callable[[str, int, int], None] | None] = ContextVar(
    "collab_advisor_load_progress", default=None)
"""Set (by the command line) to hear how a long load goes: (stage, done, total)."""
_PROGRESS_EVERY = 50


def report_progress(stage: str, done: int, total: int) -> None:
    """Tell the hook in ``LOAD_PROGRESS``, if any, at the start, the end and every 50."""
    hook = LOAD_PROGRESS.get()
    if hook is not None and (done in (0, total) or done % _PROGRESS_EVERY == 0):
        hook(stage, done, total)
