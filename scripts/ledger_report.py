"""Issue 18's measurements: first places, ties, and the stated tie-break, over a seeded sample.

    .venv/bin/python scripts/ledger_report.py [--sample 1000000] [--seed 18] [--rules DIR]
                                              [--write docs/ledger-report.md]

Draws a seeded sample of complete contexts, uniform over every rule field's declared
values (deprecated spellings are not values) and, for ``sites``, uniform over the
documented bands (1 to 3, 4 to 11, 12 or more; a whole number uniform within the band,
the last band drawn from 12 to 100). It scores them with the compiled core's arrays and
prints, as Markdown:

- the share of contexts in which each approach ranks first alone;
- the share with a tie at the top (two or more approaches level on points);
- the same after the stated tie-break of rules/PRINCIPLES.md (the tied approach with
  more defining features holding, then more typical, then more hedged ones; see
  ``collab_advisor._rulebook.ledger.tie_break_key``), and how many ties it settles.

It reads only what every rules release has (``load_rules``, the scoring plan, the
features), so it can measure an older release from its own checkout: with
``PYTHONPATH=<checkout>/src`` and ``--rules <checkout>/rules``. Features of a release
without strength classes count as defining (they were declared as defining features).
A few hundred rows are checked against the one-by-one path and the pure tie-break key.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from collab_advisor import RuleSet, load_rules
from collab_advisor._engines.plan import APPROACHES, ScoringPlan, plan_for
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._rulebook.compile import compile_condition
from collab_advisor._rulebook.evaluation import holds

SITES_BANDS = ((1, 3), (4, 11), (12, 100))
"""The documented bands of ``sites`` (its help text), each drawn with equal chance."""
CLASSES = ("defining", "typical", "hedged")
"""The classes the stated tie-break counts, firmest first."""
CROSS_CHECK = 300


def field_values(field: str) -> tuple[Any, ...]:
    """The values a field is drawn from: its declared values, or every count in the bands."""
    spec = RULE_FIELDS[field]
    if spec.kind == "count":
        return tuple(range(SITES_BANDS[0][0], SITES_BANDS[-1][1] + 1))
    return tuple(spec.values)


def draw(rng: np.random.Generator, field: str, rows: int) -> npt.NDArray[np.int64]:
    """Indices into ``field_values(field)``, uniform over values (counts: over bands)."""
    spec = RULE_FIELDS[field]
    if spec.kind != "count":
        drawn: npt.NDArray[np.int64] = rng.integers(0, len(spec.values), size=rows)
        return drawn
    band = rng.integers(0, len(SITES_BANDS), size=rows)
    lows = np.array([low for low, _ in SITES_BANDS])
    widths = np.array([high - low + 1 for low, high in SITES_BANDS])
    counts: npt.NDArray[np.int64] = lows[band] + (rng.random(rows) * widths[band]).astype(
        np.int64)
    return counts - SITES_BANDS[0][0]


def to_codes(plan: ScoringPlan, sample: dict[str, npt.NDArray[np.int64]]) -> list[Any]:
    """The plan's class-code columns for a sample of value indices."""
    columns = []
    for position, field in enumerate(plan.fields):
        if field in sample:
            lookup = np.array([plan.code(position, v) for v in field_values(field)],
                              dtype=np.int8)
            columns.append(lookup[sample[field]])
        else:
            rows = len(next(iter(sample.values())))
            columns.append(np.full(rows, plan.code(position, None), dtype=np.int8))
    return columns


def strength_of(feature: Any) -> str:
    """A feature's class; features of releases before the ledger count as defining."""
    value = getattr(feature, "strength", None)
    return "defining" if value is None else str(value)


def tied_to(feature: Any) -> tuple[Any, ...]:
    """The approaches a feature belongs to (before the ledger: its one approach)."""
    return tuple(getattr(feature, "tied_to", (feature.approach,)))


def feature_holds(feature: Any, sample: dict[str, npt.NDArray[np.int64]]) -> npt.NDArray[np.bool_]:
    """Where a feature holds in the sample: its condition on every combination of the
    values of the fields it reads, then looked up."""
    conjunctions = compile_condition(feature.when)
    fields = sorted({f for c in conjunctions for f, _ in c.choices}
                    | {f for c in conjunctions for f, _, _ in c.ranges})
    values = [field_values(f) for f in fields]
    table = np.zeros([len(v) for v in values] or [1], dtype=bool)
    for combination in itertools.product(*(range(len(v)) for v in values)):
        facts = {f: values[i][k] for i, (f, k) in enumerate(zip(fields, combination,
                                                               strict=True))}
        table[combination] = any(holds(c, facts, frozenset()) for c in conjunctions)
    if not fields:
        return np.full(len(next(iter(sample.values()))), bool(table[0]))
    result: npt.NDArray[np.bool_] = table[tuple(sample[f] for f in fields)]
    return result


def tie_break_keys(rules: RuleSet, sample: dict[str, npt.NDArray[np.int64]]
                   ) -> npt.NDArray[np.int64]:
    """Per row and approach, the stated tie-break key as one integer (defining count, then
    typical, then hedged: compared in that order)."""
    rows = len(next(iter(sample.values())))
    keys = np.zeros((rows, len(APPROACHES)), dtype=np.int64)
    weight = {name: 10_000 ** (len(CLASSES) - 1 - i) for i, name in enumerate(CLASSES)}
    for feature in rules.defining_features:
        strength = strength_of(feature)
        if strength not in weight:
            continue
        where = feature_holds(feature, sample).astype(np.int64) * weight[strength]
        for approach in tied_to(feature):
            keys[:, APPROACHES.index(approach)] += where
    return keys


def measure(rules: RuleSet, size: int, seed: int) -> dict[str, Any]:
    """The issue's figures for a seeded sample of ``size`` complete contexts."""
    plan = plan_for(rules)
    rng = np.random.default_rng(seed)
    sample = {f: draw(rng, f, size) for f in RULE_FIELDS}
    columns = to_codes(plan, sample)
    scores = np.concatenate([
        plan.score_rows([c[start:start + 200_000] for c in columns])[0]
        for start in range(0, size, 200_000)])
    top = scores.max(axis=1, keepdims=True)
    at_top = scores == top
    level = at_top.sum(axis=1)
    keys = tie_break_keys(rules, sample)
    masked = np.where(at_top, keys, -1)
    after = at_top & (masked == masked.max(axis=1, keepdims=True))
    after_level = after.sum(axis=1)
    check = random.Random(seed)
    for row in check.sample(range(size), min(CROSS_CHECK, size)):
        facts = {f: field_values(f)[int(sample[f][row])] for f in RULE_FIELDS}
        assert tuple(plan.score(facts)[0]) == tuple(int(s) for s in scores[row]), facts
        try:
            from collab_advisor._rulebook.ledger import break_tie
        except ImportError:  # a release before the ledger: the key above is the only one
            continue
        tied = [a for i, a in enumerate(APPROACHES) if at_top[row, i]]
        kept = [a for i, a in enumerate(APPROACHES) if after[row, i]]
        assert list(break_tie(rules, tied, facts)) == kept, facts
    return {
        "size": size,
        "seed": seed,
        "version": rules.version,
        "fingerprint": rules.fingerprint[:12],
        "alone": [int(((level == 1) & at_top[:, i]).sum()) for i in range(len(APPROACHES))],
        "ties": int((level > 1).sum()),
        "alone_after": [int(((after_level == 1) & after[:, i]).sum())
                        for i in range(len(APPROACHES))],
        "ties_after": int((after_level > 1).sum()),
        "zero_top_ties": int(((level > 1) & (top[:, 0] <= 0)).sum()),
    }


def percent(part: int, whole: int) -> str:
    """A share to one decimal place."""
    return f"{100 * part / whole:.1f}%"


def markdown(figures: dict[str, Any]) -> str:
    """The figures as a Markdown section."""
    n = figures["size"]
    lines = [
        f"Rules {figures['version']} (fingerprint {figures['fingerprint']}): a seeded "
        f"sample of {n:,} complete contexts (seed {figures['seed']}), uniform over every "
        "rule field's declared values and, for sites, over the bands 1-3, 4-11 and 12+.",
        "",
        "| | first alone, points only | first alone, after the stated tie-break |",
        "|---|---|---|",
    ]
    for index, approach in enumerate(APPROACHES):
        lines.append(f"| {approach.display_name} | {percent(figures['alone'][index], n)} | "
                     f"{percent(figures['alone_after'][index], n)} |")
    lines.append(f"| tie at the top | {percent(figures['ties'], n)} | "
                 f"{percent(figures['ties_after'], n)} |")
    lines += [
        "",
        f"Ties at the top with first place at 0 points or less: "
        f"{percent(figures['zero_top_ties'], n)}. The tie-break settles "
        f"{figures['ties'] - figures['ties_after']:,} of {figures['ties']:,} ties.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--rules", type=Path, default=None,
                        help="a rules folder (default: the shipped rules)")
    parser.add_argument("--write", type=Path, default=None,
                        help="also write the Markdown to this file")
    args = parser.parse_args(argv)
    rules = load_rules(args.rules) if args.rules else load_rules()
    started = time.perf_counter()
    figures = measure(rules, args.sample, args.seed)
    text = markdown(figures)
    print(text, end="")
    print(f"({time.perf_counter() - started:.1f} s)")
    if args.write is not None:
        args.write.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
