"""Write the snapshot of the shipped rules that ``load_rules()`` reads instead of their YAML.

Run after changing any shipped rule file (``tests/test_startup.py`` says when it is out
of date):

    .venv/bin/python scripts/write_rules_snapshot.py

The snapshot is ``src/collab_advisor/_rulebook/shipped_rules.json``: the rules read,
checked and validated from the YAML, keyed by a SHA-256 of the files. An out-of-date
snapshot is never used: the rules are then read from the YAML, only more slowly.
"""

from __future__ import annotations

from collab_advisor._rulebook.loader import load_rules, shipped_rule_files
from collab_advisor._rulebook.snapshot import SNAPSHOT, snapshot_text


def main() -> None:
    """Write the snapshot, saying whether it changed."""
    files = shipped_rule_files()
    text = snapshot_text(load_rules(*files), files)  # read from the YAML: files are given
    old = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else None
    if old == text:
        print(f"{SNAPSHOT} is up to date")
        return
    SNAPSHOT.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({len(text):,} characters)")


if __name__ == "__main__":
    main()
