"""Batch throughput, as rows per second and as a ratio to Python's csv module.

    .venv/bin/python scripts/batch_throughput.py [--rows 100000] [--many 10000]

Writes a CSV of seeded contexts with 60% of fields known, then times, in one run:
the reference (``csv`` reading the file and writing as many rows of ten columns),
``collab-advisor batch`` on the file (settledness included), the array path
(``survey``) on the same rows, and ``recommend_many()`` plus ``is_settled`` on the
first ``--many`` rows, for each engine that can run here.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import statistics
import tempfile
import time
from pathlib import Path

from collab_advisor import recommend_many
from collab_advisor._cli.app import main as cli_main
from collab_advisor._engines.choose import runnable_engines
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._model.samples import seeded_field_values


def _write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(RULE_FIELDS))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: str(v).lower() if isinstance(v, bool) else v
                             for k, v in row.items()})


def _csv_reference(path: Path, out: Path) -> float:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as source, \
            out.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        for number, row in enumerate(csv.DictReader(source), start=1):
            writer.writerow([number, "", row.get("aim", ""), 1, 2, 3, 4, True, "a b", ""])
    return time.perf_counter() - start


def _median(func: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the reference, the batch command, the array path and recommend_many()."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--many", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = seeded_field_values(args.rows, seed=17, known=0.6)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "contexts.csv"
        target = Path(folder) / "out.csv"
        _write_csv(source, rows)
        reference = _median(lambda: _csv_reference(source, target), args.repeat)
        print(f"reference: csv reads {args.rows} rows and writes as many: median "
              f"{reference:6.2f} s")

        def batch() -> None:
            with contextlib.redirect_stderr(io.StringIO()):
                cli_main(["batch", str(source), "--output", str(target), "--engine",
                          "python"])

        batch()  # warm up (loads and compiles the rules)
        command = _median(batch, args.repeat)
        print(f"collab-advisor batch (settledness included): median {command:6.2f} s = "
              f"x{command / reference:5.1f} the reference ({args.rows / command:8.0f} rows/s)")
    import collab_advisor

    survey = getattr(collab_advisor, "survey", None)  # absent in older checkouts
    if survey is not None:
        list(survey(rows[:100]))
        arrays = _median(lambda: list(survey(rows)), args.repeat)
        print(f"survey() array path: median {arrays:6.2f} s ({args.rows / arrays:8.0f} rows/s)")
    many = rows[:args.many]
    for engine in runnable_engines():
        recommend_many(many[:50], engine=engine)

        def full(engine: str = engine) -> None:
            for item in recommend_many(many, engine=engine):  # type: ignore[arg-type]
                if item.recommendation is not None:
                    item.recommendation.is_settled  # noqa: B018 - the work being timed

        spent = _median(full, 1)
        print(f"{engine:8} recommend_many() + is_settled, {args.many} rows: {spent:6.2f} s "
              f"({args.many / spent:6.0f} rows/s)")


if __name__ == "__main__":
    main()
