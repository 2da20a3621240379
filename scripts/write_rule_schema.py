"""Write the JSON Schema of the rule-file format to rules/rules.schema.json.

Run after changing the rule-format models; a test fails while the committed
schema differs from what the code generates.
"""

from __future__ import annotations

import json
from pathlib import Path

from collab_advisor._rulebook.format import rule_file_json_schema

TARGET = Path(__file__).resolve().parents[1] / "rules" / "rules.schema.json"


def main() -> None:
    """Regenerate the committed schema."""
    TARGET.write_text(json.dumps(rule_file_json_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
