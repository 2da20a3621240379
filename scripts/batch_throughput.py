"""Throughput of recommend_many() on a survey-sized input, on each engine.

    .venv/bin/python scripts/batch_throughput.py [--rows 10000]

Times the ranking alone, and the ranking plus ``is_settled`` (what the
``batch`` command writes), over seeded contexts with 60% of fields known.
"""

from __future__ import annotations

import argparse
import time

from collab_advisor import recommend_many
from collab_advisor._engines import runnable_engines
from collab_advisor._samples import seeded_field_values


def main() -> None:
    """Print rows per second for each engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    rows = seeded_field_values(args.rows, seed=17, known=0.6)
    engines = runnable_engines()
    for engine in engines:
        recommend_many(rows[:50], engine=engine)  # warm up
        start = time.perf_counter()
        items = recommend_many(rows, engine=engine)
        ranked = time.perf_counter() - start
        start = time.perf_counter()
        settled = sum(1 for item in items if item.recommendation and item.recommendation.is_settled)
        analysed = time.perf_counter() - start
        print(f"{engine:8} {args.rows} rows: ranking {ranked:6.1f} s ({args.rows / ranked:6.0f} "
              f"rows/s); plus is_settled {ranked + analysed:6.1f} s "
              f"({args.rows / (ranked + analysed):5.0f} rows/s); {settled} settled")


if __name__ == "__main__":
    main()
