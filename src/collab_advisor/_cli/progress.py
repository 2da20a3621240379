"""A progress bar while a large rule file loads (on a terminal only)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .._rulebook.loader import LOAD_PROGRESS, load_rules
from .._rulebook.ruleset import RuleSet

LARGE_RULES = 256 * 1024
"""Rule files larger than this together show a progress bar while they load."""


def _size(paths: tuple[str | os.PathLike[str], ...]) -> int:
    total = 0
    for given in paths:
        path = Path(given)
        try:
            files = ([p for p in path.iterdir() if p.suffix in (".yaml", ".yml")]
                     if path.is_dir() else [path])
            total += sum(file.stat().st_size for file in files if file.is_file())
        except OSError:
            continue  # the loader says what is wrong with it
    return total


def load_rules_showing_progress(*paths: str | os.PathLike[str]) -> RuleSet:
    """``load_rules(*paths)``, with a progress bar on standard error when it is a terminal
    and the files are large."""
    if not sys.stderr.isatty() or _size(paths) < LARGE_RULES:
        return load_rules(*paths)
    from tqdm import tqdm  # type: ignore[import-untyped]

    with tqdm(file=sys.stderr, unit="rule", leave=False, dynamic_ncols=True) as bar:

        def show(stage: str, done: int, total: int) -> None:
            bar.set_description(stage, refresh=False)
            bar.total = total or None
            bar.n = done
            bar.refresh()

        token = LOAD_PROGRESS.set(show)
        try:
            return load_rules(*paths)
        finally:
            LOAD_PROGRESS.reset(token)
