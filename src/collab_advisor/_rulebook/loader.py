"""Reading rule files into a ``RuleSet``, reporting every problem at once.

Loading validates everything before anything runs: YAML syntax, the shape of
each rule (pydantic), then what only the whole set can tell: field names and
values against the context model, declared findings, duplicate ids and cycles
among findings. Each problem names its file, line, rule and field, and
suggests the nearest valid name where there is one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

from .._errors import RuleFileError, RuleProblem
from .checks import MAX_CONDITION_DEPTH, MAX_COUNT_CLASSES, MAX_TABLE_CELLS, check_whole_set
from .collector import collection_paused
from .loadprogress import LOAD_PROGRESS, report_progress
from .reading import Collected, read_file
from .ruleset import RuleLocation, RuleSet

__all__ = ["LOAD_PROGRESS", "MAX_CONDITION_DEPTH", "MAX_COUNT_CLASSES", "MAX_TABLE_CELLS",
           "load_rules", "shipped_rule_files", "shipped_rules_dir"]


def shipped_rules_dir() -> Path:
    """The folder of rules that ships with the library."""
    packaged = resources.files("collab_advisor") / "rules"
    if packaged.is_dir():  # installed from a wheel
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "rules"  # a source checkout


def shipped_rule_files() -> list[Path]:
    """The shipped rule files, in the order they are read."""
    return list(_rule_files([shipped_rules_dir()], []))



def load_rules(*paths: str | os.PathLike[str]) -> RuleSet:
    """Read rule files into a new, validated ``RuleSet``.

    With no arguments, the shipped rules (from their checked snapshot when it matches
    the shipped files, see ``snapshot.py``; the same rule set either way). Each path
    is a ``.yaml``/``.yml`` file or a folder of them. Raises ``RuleFileError`` listing every problem
    found in all the files; nothing is half loaded.
    """
    with collection_paused():
        return _load(paths)




def _load(paths: Sequence[str | os.PathLike[str]]) -> RuleSet:
    problems: list[RuleProblem] = []
    files = list(_rule_files([Path(p) for p in paths] or [shipped_rules_dir()], problems))
    if not paths and files and not problems:
        from .snapshot import from_snapshot

        # The shipped rules, already checked: read from their snapshot when it was made
        # from exactly these files (no PyYAML, no checks, a few milliseconds).
        shipped = from_snapshot(files)
        if shipped is not None:
            return shipped
    collected = Collected()
    for path in files:
        report_progress(f"reading {path.name}", 0, 0)
        read_file(path, collected, problems)
    if not files and not problems:
        problems.append(RuleProblem(None, None, "no rule files were given"))
    check_whole_set(collected, problems)
    if problems:
        problems.sort(key=lambda p: (str(p.path), p.line or 0))
        raise RuleFileError(problems)
    return _build(collected, files)


def _rule_files(paths: Sequence[Path], problems: list[RuleProblem]) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                problems.append(RuleProblem(path, None, "this folder holds no .yaml rule files"))
        elif path.exists():  # read_file refuses what is not a regular file, saying what it is
            found = [path]
        else:
            problems.append(RuleProblem(path, None, "no such file or folder"))
            found = []
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                yield file



def _build(found: Collected, files: list[Path]) -> RuleSet:
    locations = {
        placed.item.id: RuleLocation(placed.path, placed.line)
        for placed in found.rules
    }
    return RuleSet(
        rules=tuple(placed.item for placed in found.rules),
        findings={placed.item.id: placed.item for placed in found.findings},
        version="+".join(sorted(found.versions)),
        paths=tuple(files),
        locations=locations,
        defining_features=tuple(placed.item for placed in found.features),
        precompiled={placed.item.id: placed.compiled for placed in found.rules
                     if placed.compiled is not None},
    )
