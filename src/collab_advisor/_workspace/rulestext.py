"""A rule set kept as the text of its files, and read back (workspaces and records carry it)."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from .._errors import CollabAdvisorError
from .._rulebook.loader import load_rules
from .._rulebook.ruleset import RuleSet


def rules_text(rules: RuleSet) -> dict[str, str]:
    """The full text of the files a rule set was read from, by file name."""
    texts: dict[str, str] = {}
    for path in rules.paths:
        texts[Path(path).name] = Path(path).read_text(encoding="utf-8")
    return texts


_RULES_CACHE: dict[str, RuleSet] = {}
_RULES_LOCK = threading.Lock()


def rules_from_text(texts: Mapping[str, str]) -> RuleSet:
    """A rule set from the text of its files (as ``rules_text`` gives them)."""
    key = json.dumps(dict(texts), sort_keys=True)
    with _RULES_LOCK:
        if key in _RULES_CACHE:
            return _RULES_CACHE[key]
    with tempfile.TemporaryDirectory(prefix="collab-advisor-rules-") as folder:
        for name, text in texts.items():
            safe = Path(name).name
            if not safe.endswith((".yaml", ".yml")) or safe != name:
                raise CollabAdvisorError(f"rule file name {name!r}: expected a plain "
                                         "NAME.yaml")
            (Path(folder) / safe).write_text(text, encoding="utf-8")
        rules = load_rules(folder)
    with _RULES_LOCK:
        if len(_RULES_CACHE) > 32:
            _RULES_CACHE.clear()
        _RULES_CACHE[key] = rules
    return rules
