"""Time recommend() on each engine with the shipped rules and print medians.

Run by hand (never in the test suite; these machines are shared and noisy):

    .venv/bin/python scripts/benchmark.py [--calls 3000] [--analyses 300]

It times whole ``recommend()`` calls and the engine's evaluation alone, over
the same seeded sample of partial and complete contexts on both engines; then,
on contexts with half their fields unknown, a complete analysis (ranking,
score ranges, settledness, next questions, fit, considerations, checklist),
a one-field ``what_if`` and a ``path_to`` the lowest-ranked approach.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial

from collab_advisor import (
    Context,
    EngineChoice,
    RuleSet,
    load_rules,
    recommend,
)
from collab_advisor._engine_durable import DurableEngine
from collab_advisor._engine_python import PythonEngine
from collab_advisor._engines import runnable_engines
from collab_advisor._evaluation import Engine
from collab_advisor._plan import plan_for
from collab_advisor._recommend import facts_of
from collab_advisor._samples import seeded_contexts


def median_us(func: Callable[[Context], object], contexts: list[Context]) -> float:
    """The median wall time of one call, in microseconds."""
    for ctx in contexts[:20]:  # warm up (durable-rules registers the rule set here)
        func(ctx)
    times = []
    for ctx in contexts:
        start = time.perf_counter_ns()
        func(ctx)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def main() -> None:
    """Print the medians for each engine and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--analyses", type=int, default=300)
    args = parser.parse_args()
    rules = load_rules()
    contexts = seeded_contexts(args.calls, seed=11)
    print(f"Python {platform.python_version()}, {len(rules.active)} rules, "
          f"{len(rules.findings)} findings, {args.calls} contexts")
    engines = runnable_engines()
    results: dict[str, tuple[float, float]] = {}
    for name in engines:
        engine: Engine = PythonEngine() if name == "python" else DurableEngine()

        def evaluate_only(ctx: Context, engine: Engine = engine) -> object:
            return engine.evaluate(rules, facts_of(ctx))

        def whole_call(ctx: Context, name: EngineChoice = name) -> object:
            return recommend(ctx, rules=rules, engine=name)

        evaluate = median_us(evaluate_only, contexts)
        whole = median_us(whole_call, contexts)
        results[name] = (evaluate, whole)
        print(f"{name:8} engine evaluation: median {evaluate:8.1f} us; "
              f"recommend(): median {whole:8.1f} us")
    if "durable" in results:
        print(f"durable / python: evaluation x{results['durable'][0] / results['python'][0]:.1f}, "
              f"recommend() x{results['durable'][1] / results['python'][1]:.1f}")
    half = seeded_contexts(args.analyses, seed=13, known=0.5)
    print(f"\nAnalyses of {args.analyses} contexts with about half their fields unknown "
          "(milliseconds):")
    for name in engines:
        analysis = median_us(partial(_complete_analysis, rules=rules, engine=name), half) / 1000
        change = median_us(partial(_what_if, rules=rules, engine=name), half) / 1000
        path = median_us(partial(_path_to, rules=rules, engine=name), half) / 1000
        print(f"{name:8} complete analysis: median {analysis:7.2f} ms; what_if: median "
              f"{change:6.2f} ms; path_to: median {path:7.2f} ms")


def _complete_analysis(ctx: Context, rules: RuleSet, engine: EngineChoice) -> object:
    rec = recommend(ctx, rules=rules, engine=engine)
    return (rec.next_questions, [r.score_range for r in rec.ranking], rec.is_settled, rec.fit,
            rec.considerations, rec.planning_questions)


def _what_if(ctx: Context, rules: RuleSet, engine: EngineChoice) -> object:
    rec = recommend(ctx, rules=rules, engine=engine)
    field = rec.unknown_fields[0] if rec.unknown_fields else "aim"
    value = {"sites": 20}.get(field, plan_for(rules).classes[field][0])
    return rec.what_if(**{field: value})


def _path_to(ctx: Context, rules: RuleSet, engine: EngineChoice) -> object:
    rec = recommend(ctx, rules=rules, engine=engine)
    return rec.path_to(rec.ranking[-1].approach)


if __name__ == "__main__":
    main()
