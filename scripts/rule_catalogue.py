"""Regenerate docs/rules.md: every shipped rule in plain words, grouped by approach.

    .venv/bin/python scripts/rule_catalogue.py

A test fails when the committed file differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from collab_advisor import load_rules
from collab_advisor._rulebook.catalogue import rule_catalogue

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "rules.md"


def main() -> None:
    """Write the catalogue and say where."""
    rules = load_rules()
    TARGET.write_text(rule_catalogue(rules), encoding="utf-8")
    print(f"{len(rules.active)} rules; wrote {TARGET}")


if __name__ == "__main__":
    main()
