"""Soak and concurrency: long runs, threads and reloads, with memory growth reported.

    .venv/bin/python scripts/soak.py [--calls 100000] [--reloads 1000]

1. ``--calls`` recommendations in one process on each engine, reporting resident
   memory (VmRSS) after a warm-up and at the end.
2. 8 threads running recommend(), what_if() and load_rules() at once, checked
   against the same work done sequentially.
3. A custom rule set loaded and reloaded ``--reloads`` times and used on the
   durable-rules engine, reporting memory and how many rule sets were registered.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from collab_advisor import EngineChoice, durable_available, load_rules, recommend, shipped_rules_dir
from collab_advisor._engines.choose import runnable_engines
from collab_advisor._model.samples import seeded_field_values

CUSTOM = Path(__file__).resolve().parents[1] / "examples" / "custom_rules"


def rss_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def soak(engine: EngineChoice, calls: int) -> None:
    """Many recommendations in a row; memory after warm-up and at the end."""
    contexts = seeded_field_values(1000, seed=23, known=0.6)
    for ctx in contexts:
        recommend(ctx, engine=engine)
    start_rss, start = rss_mb(), time.perf_counter()
    for number in range(calls):
        recommend(contexts[number % len(contexts)], engine=engine)
    seconds = time.perf_counter() - start
    end_rss = rss_mb()
    print(f"{engine:8} {calls} recommend() calls in {seconds:6.1f} s; resident memory "
          f"{start_rss:6.1f} MB -> {end_rss:6.1f} MB ({end_rss - start_rss:+.1f} MB)")


def _work(item: tuple[int, dict[str, Any], EngineChoice]) -> tuple[Any, ...]:
    number, ctx, engine = item
    if number % 3 == 0:
        rules = load_rules()
        return ("load", rules.fingerprint, recommend(ctx, rules=rules, engine=engine).fired_rules)
    rec = recommend(ctx, engine=engine)
    if number % 3 == 1:
        changed = rec.what_if(time_span="open_ended")
        return ("what_if", changed.recommendation.fired_rules, changed.top_changed)
    return ("recommend", rec.fired_rules, tuple(r.score for r in rec.ranking))


def threads(engine: EngineChoice, count: int) -> None:
    """8 threads against sequential results."""
    items = [(n, ctx, engine) for n, ctx in enumerate(seeded_field_values(count, seed=29))]
    sequential = [_work(item) for item in items]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(_work, items))
    seconds = time.perf_counter() - start
    same = sum(a == b for a, b in zip(sequential, concurrent, strict=True))
    print(f"{engine:8} 8 threads, {count} mixed calls (recommend, what_if, load_rules) in "
          f"{seconds:5.1f} s: {same}/{count} identical to sequential")


def reloads(count: int) -> None:
    """Reload a custom rule set many times and use it on the durable-rules engine."""
    from collab_advisor._engines.durable import _runtime

    engine: EngineChoice = "durable" if durable_available() else "python"
    before = rss_mb()
    fingerprints = set()
    start = time.perf_counter()
    for _ in range(count):
        rules = load_rules(shipped_rules_dir(), CUSTOM)
        fingerprints.add(rules.fingerprint)
        recommend({"resourcing": "some_support", "time_span": "open_ended"}, rules=rules,
                  engine=engine)
    seconds = time.perf_counter() - start
    registered = len(_runtime().registered) if engine == "durable" else 0
    print(f"custom rule set loaded {count} times in {seconds:5.1f} s "
          f"({1000 * seconds / count:.1f} ms each): {len(fingerprints)} distinct fingerprint; "
          f"durable-rules rule sets registered in this process: {registered}; resident memory "
          f"{before:6.1f} MB -> {rss_mb():6.1f} MB")


def main() -> None:
    """Run all three parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--threads-calls", type=int, default=2_000)
    parser.add_argument("--reloads", type=int, default=1_000)
    args = parser.parse_args()
    engines = runnable_engines()
    for engine in engines:
        soak(engine, args.calls)
    for engine in engines:
        threads(engine, args.threads_calls)
    reloads(args.reloads)


if __name__ == "__main__":
    main()
