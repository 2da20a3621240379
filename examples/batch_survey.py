"""Advice for every team in a survey: a CSV of contexts in, a summary out.

Run it with:  python examples/batch_survey.py [path/to/teams.csv]

Empty cells mean "not known". Rows with mistakes are reported by row number
and field, and the other rows still get their advice.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from collab_advisor import recommend_many

DEFAULT = Path(__file__).resolve().parent / "batch" / "teams.csv"


def main() -> None:
    """Recommend for each row and print one line per team, then a tally."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]
    results = recommend_many(rows)
    tally: Counter[str] = Counter()
    for item, row in zip(results, rows, strict=True):
        label = row.get("name", f"row {item.index + 1}")
        if item.recommendation is None:
            print(f"row {item.index + 1} ({label}): could not be read: {item.error}")
            continue
        rec = item.recommendation
        tally[rec.top.name] += 1
        settled = ("settled under these rules" if item.is_settled
                   else "open questions could still change first place")
        print(f"row {item.index + 1} ({label}): {rec.top.name}, {rec.top.score} points, {settled}")
    counts = ", ".join(f"{name} {count}" for name, count in tally.most_common())
    print(f"\nTop approaches: {counts}")


if __name__ == "__main__":
    from _output import run_main  # one clear line if the output is closed or the disk full

    run_main(main)
