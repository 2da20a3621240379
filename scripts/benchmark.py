"""Time recommend() and the analyses, as medians and as ratios to a bare Context validation.

Run by hand (never in the test suite; these machines are shared and noisy):

    .venv/bin/python scripts/benchmark.py [--calls 3000] [--analyses 200]

The reference is ``Context.model_validate`` of the same contexts, measured in the same
run, so the ratios hold when the machine's speed drifts. It times:

- ``recommend()`` on each engine (seeded partial and complete contexts);
- ``model_dump(mode="json")`` of a fresh result (its first dump), as a ratio to
  ``recommend()`` on the same engine (target: at most 3 times), while ``recommend()``
  stays at most 15 times a ``Context`` validation;
- a full analysis (score ranges, ``is_settled``, ``next_questions``) on fresh results for
  contexts whose eight three-valued fields are unknown and the rest known, and for
  contexts with about half their fields unknown;
- the worst exact analysis: the context with the most combinations of answers that are
  still scored exactly;
- a one-field ``what_if`` and a ``path_to`` the lowest-ranked approach;
- the explained result (issue 20's budgets), each on a fresh result and as a ratio to
  ``recommend()`` on the same engine and contexts: ``explain()`` (median at most 15x,
  worst context at most 50x), the full JSON report as the API writes it
  (``rec.report().model_dump(mode="json")``, median at most 10x) and ``to_html()``
  (median at most 15x).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from collab_advisor import Context, EngineChoice, load_rules, recommend
from collab_advisor._engines.choose import runnable_engines
from collab_advisor._engines.plan import plan_for
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._model.samples import seeded_field_values


def median_us(func: Callable[[Any], object], items: list[Any], warm: int = 20) -> float:
    """The median wall time of one call, in microseconds."""
    for item in items[:warm]:
        func(item)
    times = []
    for item in items:
        start = time.perf_counter_ns()
        func(item)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def _recommend(values: dict[str, Any], engine: EngineChoice) -> object:
    return recommend(values, engine=engine)


def _dump_json(rec: Any) -> object:
    return rec.model_dump(mode="json")


def _explain(values: dict[str, Any], engine: EngineChoice) -> object:
    return recommend(values, engine=engine).explain()


def _report_json(values: dict[str, Any], engine: EngineChoice) -> object:
    return recommend(values, engine=engine).report().model_dump(mode="json")


def _to_html(values: dict[str, Any], engine: EngineChoice) -> object:
    return recommend(values, engine=engine).to_html()


REPEATS = 3
"""Times each context is run in the explained section; its time is the least of them."""


def times_us(func: Callable[[Any], object], items: list[Any], warm: int = 20) -> list[float]:
    """Per item, the least processor time of ``REPEATS`` calls, in microseconds (after
    ``warm`` untimed calls).

    Processor time, not wall time, and the least of a few: on a shared machine a call's
    wall time includes however long the process waited for a core, which made the "worst
    context" a measure of the machine's other work (the same context took 2 ms or 39 ms).
    """
    for item in items[:warm]:
        func(item)
    times = []
    for item in items:
        best = None
        for _ in range(REPEATS):
            start = time.process_time_ns()
            func(item)
            spent = time.process_time_ns() - start
            best = spent if best is None else min(best, spent)
        times.append((best or 0) / 1000)
    return times


def explained(engines: list[EngineChoice], count: int) -> None:
    """Issue 20's budgets: the explained result as ratios to ``recommend()``."""
    values = seeded_field_values(count, seed=17)
    print(f"\nThe explained result, fresh results, {count} seeded contexts (each the least "
          f"processor time of {REPEATS} runs), ratios to recommend() on the same contexts "
          "in this run:")
    for name in engines:
        base = statistics.median(times_us(partial(_recommend, engine=name), values))
        text = times_us(partial(_explain, engine=name), values)
        report = times_us(partial(_report_json, engine=name), values)
        html = times_us(partial(_to_html, engine=name), values)
        worst = max(range(count), key=text.__getitem__)
        print(f"{name:8} recommend() median {base:7.1f} us")
        print(f"{name:8} explain(): median x{statistics.median(text) / base:6.1f} "
              f"(<= 15), worst x{text[worst] / base:6.1f} (<= 50), context {worst}")
        print(f"{name:8} report JSON (API): median x{statistics.median(report) / base:6.1f} "
              "(<= 10)")
        print(f"{name:8} to_html(): median x{statistics.median(html) / base:6.1f} (<= 15), "
              f"worst x{max(html) / base:6.1f}")


def _analyse(values: dict[str, Any], engine: EngineChoice) -> object:
    rec = recommend(values, engine=engine)
    return ([r.score_range for r in rec.ranking], rec.is_settled, rec.next_questions)


def main() -> None:
    """Print medians and ratios for each engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--analyses", type=int, default=200)
    parser.add_argument("--dumps", type=int, default=1000)
    parser.add_argument("--explained", type=int, default=300,
                        help="contexts for the explained-result budgets")
    parser.add_argument("--only-explained", action="store_true",
                        help="time only the explained result (issue 20's budgets)")
    args = parser.parse_args()
    if args.only_explained:
        explained(list(runnable_engines()), args.explained)
        return
    rules = load_rules()
    plan = plan_for(rules)
    values = seeded_field_values(args.calls, seed=11)
    print(f"Python {platform.python_version()}, {len(rules.active)} rules, "
          f"{len(RULE_FIELDS)} rule fields, {args.calls} contexts")
    validation = median_us(Context.model_validate, values)
    print(f"reference: Context.model_validate median {validation:7.1f} us")
    engines = runnable_engines()
    for name in engines:
        whole = median_us(partial(_recommend, engine=name), values)
        print(f"{name:8} recommend(): median {whole:8.1f} us = x{whole / validation:6.1f} "
              "validation")
        fresh = [recommend(v, engine=name) for v in values[:args.dumps]]
        dump = median_us(_dump_json, fresh, warm=0)  # each result's first dump
        print(f"{name:8} model_dump(mode='json') of a fresh result: median {dump:8.1f} us "
              f"= x{dump / whole:6.2f} recommend() (target <= 3)")

    three = [f for f, spec in RULE_FIELDS.items() if len(spec.values) == 3]
    rng = random.Random(7)
    eight_unknown = []
    for _ in range(args.analyses):
        known = {f: rng.choice(plan.classes[f]) for f in RULE_FIELDS if f not in three[:8]}
        if "sites" in known:
            known["sites"] = rng.randint(1, 200)
        eight_unknown.append(known)
    half = seeded_field_values(args.analyses, seed=13, known=0.5)
    worst = _worst_exact(plan.classes)
    combos = 1
    for f in RULE_FIELDS:
        if f not in worst:
            combos *= len(plan.classes[f])
    print(f"\nFull analyses on fresh results (ranges, is_settled, next_questions); "
          f"{args.analyses} contexts each:")
    for name in engines:
        analyse = partial(_analyse, engine=name)
        a = median_us(analyse, eight_unknown, warm=5)
        b = median_us(analyse, half, warm=5)
        c = median_us(analyse, [worst] * 7, warm=1)
        print(f"{name:8} eight three-valued fields unknown ({len(three[:8])}): median "
              f"{a / 1000:7.2f} ms = x{a / validation:7.0f}; half known: median "
              f"{b / 1000:7.2f} ms = x{b / validation:7.0f}")
        exact = recommend(worst, engine=name).ranges_exact
        print(f"{name:8} worst exact analysis ({combos} combinations, exact={exact}): "
              f"median {c / 1000:7.2f} ms = x{c / validation:7.0f}")
    for name in engines:
        change = median_us(partial(_what_if, engine=name, classes=plan.classes), half, warm=5)
        path = median_us(partial(_path_to, engine=name), half, warm=5)
        print(f"{name:8} what_if: median {change / 1000:6.2f} ms; path_to: median "
              f"{path / 1000:7.2f} ms")
    explained(list(engines), args.explained)


def _worst_exact(classes: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
    """Known fields leaving the most combinations at or under 500,000 unknown (greedy)."""
    unknown: list[str] = []
    combos = 1
    for field in sorted(RULE_FIELDS, key=lambda f: -len(classes[f])):
        if combos * len(classes[field]) <= 500_000:
            unknown.append(field)
            combos *= len(classes[field])
    return {f: classes[f][0] for f in RULE_FIELDS if f not in unknown}


def _what_if(values: dict[str, Any], engine: EngineChoice,
             classes: dict[str, tuple[Any, ...]]) -> object:
    rec = recommend(values, engine=engine)
    field = rec.unknown_fields[0] if rec.unknown_fields else "aim"
    value = {"sites": 20}.get(field, classes[field][0])
    return rec.what_if(**{field: value})


def _path_to(values: dict[str, Any], engine: EngineChoice) -> object:
    rec = recommend(values, engine=engine)
    return rec.path_to(rec.ranking[-1].approach)


if __name__ == "__main__":
    main()
