"""The shipped rules as checked JSON, read instead of their YAML when it matches them.

Reading the shipped rules' YAML, checking every rule against the others and compiling
them is most of the first ``recommend()`` in a process, and needs PyYAML imported.
``shipped_rules.json``, next to this module, holds the result of that work for one
exact content of the shipped files: the validated rules, findings and defining
features, each rule's file and line, the version and the fingerprint. It is keyed by
a SHA-256 of the files' names and bytes, so it is used only for the very files it
was made from; anything else (an edited rule, a missing or damaged snapshot) falls
back to reading the YAML. Its content is data: read with ``json`` and validated by
the same models as the YAML, and the rebuilt rule set must have the recorded
fingerprint. ``scripts/write_rules_snapshot.py`` writes it; a test keeps it current.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .format import DefiningFeature, FindingDecl, Rule
from .ruleset import RuleLocation, RuleSet

SNAPSHOT = Path(__file__).with_name("shipped_rules.json")
"""Where the snapshot of the shipped rules is kept (inside the package)."""

SNAPSHOT_FORMAT = 1
"""Raised when the snapshot's layout changes; a snapshot of another format is ignored."""


def content_key(files: Sequence[Path]) -> str:
    """A SHA-256 of the files' names and bytes, in the order given."""
    digest = hashlib.sha256()
    for path in files:
        data = path.read_bytes()
        for part in (path.name.encode("utf-8"), len(data).to_bytes(8, "big"), data):
            digest.update(part)
    return digest.hexdigest()


def snapshot_of(rules: RuleSet, files: Sequence[Path]) -> dict[str, Any]:
    """The snapshot of ``rules``, loaded from ``files`` (all in one folder)."""
    names = {path: path.name for path in files}

    def dump(item: Rule | FindingDecl | DefiningFeature) -> Any:
        # Only what the file set, so that fields left to their defaults stay unset.
        return item.model_dump(mode="json", by_alias=True, exclude_unset=True)

    return {
        "format": SNAPSHOT_FORMAT,
        "key": content_key(files),
        "fingerprint": rules.fingerprint,
        "version": rules.version,
        "files": [path.name for path in files],
        "rules": [dump(rule) for rule in rules.rules],
        "findings": [dump(rules.findings[key]) for key in rules.findings],
        "defining_features": [dump(feature) for feature in rules.defining_features],
        "locations": {rule_id: [names[where.path], where.line]
                      for rule_id, where in rules.locations.items()},
    }


def snapshot_text(rules: RuleSet, files: Sequence[Path]) -> str:
    """The snapshot of ``rules`` as the text of ``shipped_rules.json``."""
    return json.dumps(snapshot_of(rules, files), indent=1, ensure_ascii=True) + "\n"


def from_snapshot(files: Sequence[Path], snapshot: Path = SNAPSHOT) -> RuleSet | None:
    """The rule set the snapshot holds, if it was made from exactly ``files``; otherwise
    (no snapshot, another content, a damaged one) None, and the caller reads the YAML."""
    try:
        data = json.loads(snapshot.read_text(encoding="utf-8"))
        if (not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT
                or data.get("files") != [path.name for path in files]
                or data.get("key") != content_key(files)):
            return None
        folder = {path.name: path for path in files}
        rules = RuleSet(
            rules=tuple(Rule.model_validate(rule) for rule in data["rules"]),
            findings={finding.id: finding for finding in
                      (FindingDecl.model_validate(raw) for raw in data["findings"])},
            version=str(data["version"]),
            paths=tuple(files),
            locations={rule_id: RuleLocation(folder[name], line)
                       for rule_id, (name, line) in data["locations"].items()},
            defining_features=tuple(DefiningFeature.model_validate(raw)
                                    for raw in data["defining_features"]),
        )
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        return None
    return rules if rules.fingerprint == data["fingerprint"] else None
