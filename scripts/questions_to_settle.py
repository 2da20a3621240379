"""How many questions does the advisor need before its advice is settled?

Starting from an empty context, answer the first of ``next_questions`` from a
known "true" context, again and again, until ``is_settled``. A question the true
context does not answer is counted as asked and left unknown. Groups: the team's
complete vignettes, the casebook (unknown where its sources do not say) and a seeded
sample of complete contexts:

    .venv/bin/python scripts/questions_to_settle.py [--sample 500] [--bound-sample 200]

Two counts per context:

- **strict**: questions asked until ``is_settled`` (or until nothing is left to ask).
  A casebook context that is not settled even with every answer its sources give can
  never be settled by the interview, so its strict count is every field.
- **resolved**: questions asked until the advice says what it would say with every
  answer the context knows: the same first place, and the same set of approaches that
  could still come first once the rest is answered. No question the context can answer
  could then change either. For a context that ends settled, it equals the strict count.

And a **lower bound** for each: the fewest of the context's known answers that reach
that state (settle first place, or resolve it), whichever questions are asked. No
question policy can beat it; it is what an interviewer who knew the answers would need.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from collab_advisor import Context, load_rules, recommend
from collab_advisor._advice.analysis import codes_of
from collab_advisor._advice.facts import facts_of
from collab_advisor._advice.parts import Parts, part_scores, parts_of, tops_by_parts
from collab_advisor._engines.plan import APPROACHES, plan_for, top_of
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._model.samples import seeded_contexts

ROOT = Path(__file__).resolve().parents[1]
VIGNETTES = ROOT / "tests" / "vignettes.yaml"
CASEBOOK = ROOT / "casebook" / "casebook.yaml"


def interview(truth: Context, parts: Parts, codes: dict[str, int]) -> dict[str, Any]:
    """Run the interview on one true context: strict and resolved counts, and the tops."""
    known = truth.known()
    final_top = top_of(part_scores(parts, codes))
    final_open = tops_by_parts(parts, codes)
    answers: dict[str, Any] = {}
    asked: list[str] = []
    resolved: int | None = None
    rec = recommend(engine="python")
    while True:
        if resolved is None and _resolved(parts, codes, asked, final_top, final_open):
            resolved = len(asked)
        if rec.is_settled:
            break
        field = next((q.field for q in rec.next_questions if q.field not in asked), None)
        if field is None:
            break
        asked.append(field)
        if field in known:
            answers[field] = known[field]
            rec = recommend(answers, engine="python")
    full = recommend(truth, engine="python")
    return {"strict": len(asked), "resolved": resolved, "settled": rec.is_settled,
            "same_top": rec.top.approach is full.top.approach}


def _resolved(parts: Parts, codes: Mapping[str, int], asked: list[str], final_top: int,
              final_open: frozenset[int]) -> bool:
    now = {name: codes[name] for name in asked if name in codes}
    return (top_of(part_scores(parts, now)) == final_top
            and tops_by_parts(parts, now) == final_open)


def settle_bound(parts: Parts, codes: Mapping[str, int]) -> int | None:
    """The fewest known answers that settle first place, or ``None`` if all of them do not.

    Exhaustive over subsets of the known answers, as arrays: per part, the most each
    approach can gain on the true top and the part's points for each subset of its known
    fields, summed over parts for every subset at once.
    """
    names = list(codes)
    top = top_of(part_scores(parts, codes))
    masks = np.arange(1 << len(names), dtype=np.int64)
    count = len(APPROACHES)
    gaps = np.tile(np.array(parts.constant) - parts.constant[top], (len(masks), 1))
    partial = np.tile(np.array(parts.constant), (len(masks), 1))
    for fields, table in zip(parts.fields, parts.tables, strict=True):
        mine = [name for name in fields if name in codes]
        sub_gaps, sub_scores = [], []
        for subset in range(1 << len(mine)):
            have = {name: codes[name] for bit, name in enumerate(mine) if subset >> bit & 1}
            block = table[tuple(have[name] if name in have else slice(0, table.shape[axis] - 1)
                                for axis, name in enumerate(fields))].reshape(-1, count)
            sub_gaps.append((block - block[:, top:top + 1]).max(axis=0))
            sub_scores.append(table[tuple(have.get(name, table.shape[axis] - 1)
                                          for axis, name in enumerate(fields))])
        which = np.zeros(len(masks), dtype=np.int64)
        for bit, name in enumerate(mine):
            which |= ((masks >> names.index(name)) & 1) << bit
        gaps += np.array(sub_gaps)[which]
        partial += np.array(sub_scores)[which]
    settles = partial.argmax(axis=1) == top
    for other in range(count):
        if other != top:
            settles &= gaps[:, other] < (0 if other < top else 1)
    if not settles.any():
        return None
    return int(np.bitwise_count(masks[settles]).min())


def resolve_bound(parts: Parts, codes: Mapping[str, int]) -> int:
    """The fewest known answers that give the same first place and the same approaches that
    could still come first as all of them (exhaustive, smallest subsets first)."""
    from itertools import combinations

    final_top = top_of(part_scores(parts, codes))
    final_open = tops_by_parts(parts, codes)
    names = list(codes)
    for size in range(len(names) + 1):
        for chosen in combinations(names, size):
            now = {name: codes[name] for name in chosen}
            if (top_of(part_scores(parts, now)) == final_top
                    and tops_by_parts(parts, now) == final_open):
                return size
    return len(names)  # pragma: no cover - all of them always qualify


def _summary(values: list[int]) -> str:
    if not values:
        return "none"
    return (f"mean {statistics.mean(values):.2f}, median {statistics.median(values)}, "
            f"max {max(values)}")


def _distribution(values: list[int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(Counter(values).items()))


def report(label: str, truths: list[Context], parts: Parts,
           codes_for: Callable[[Context], dict[str, int]], bounds: int) -> None:
    """Print the counts, their lower bounds and the distribution for one group."""
    runs = [interview(truth, parts, codes_for(truth)) for truth in truths]
    strict = [run["strict"] for run in runs]
    resolved = [run["resolved"] for run in runs]
    ended = [run["strict"] for run in runs if run["settled"]]
    same = sum(run["same_top"] for run in runs)
    print(f"{label}: {len(truths)} contexts (answering everything: {len(RULE_FIELDS)})")
    print(f"  strict, questions until settled: {_summary(strict)}; ended settled "
          f"{len(ended)}/{len(truths)} ({_summary(ended)}); settled top = full top in "
          f"{same}/{len(truths)}")
    print(f"  resolved, questions until nothing the context knows could change the advice: "
          f"{_summary(resolved)}")
    print(f"  distribution of the strict count: {_distribution(strict)}")
    settle_lb = [settle_bound(parts, codes_for(truth)) for truth in truths[:bounds]]
    can = [value for value in settle_lb if value is not None]
    on_those = [s for s, b in zip(strict, settle_lb, strict=False) if b is not None]
    print(f"  lower bound, fewest known answers that settle (first {len(settle_lb)}): "
          f"settleable {len(can)}/{len(settle_lb)} ({_summary(can)}); the interview on "
          f"those: {_summary(on_those)}")
    if len(can) < len(settle_lb):
        unsettled = [truth for truth, value in zip(truths, settle_lb, strict=False)
                     if value is None]
        resolve_lb = [resolve_bound(parts, codes_for(truth)) for truth in unsettled]
        print(f"  lower bound, fewest known answers that resolve the {len(unsettled)} "
              f"unsettleable: {_summary(resolve_lb)}; the interview on those: resolved "
              f"{_summary([r for r, b in zip(resolved, settle_lb, strict=False) if b is None])}")


def main() -> None:
    """Run the three groups."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--bound-sample", type=int, default=200,
                        help="seeded contexts given a lower bound (the slow part)")
    args = parser.parse_args()
    plan = plan_for(load_rules())
    parts = parts_of(plan)
    if parts is None:  # pragma: no cover - the shipped rules always split
        raise SystemExit("the shipped rules do not split into parts")

    def codes_for(truth: Context) -> dict[str, int]:
        return codes_of(plan, facts_of(truth))

    vignettes: list[dict[str, Any]] = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))
    complete = [Context.model_validate(v["context"]) for v in vignettes
                if len(v["context"]) == len(RULE_FIELDS)]
    report("complete vignettes", complete, parts, codes_for, len(complete))
    cases: list[dict[str, Any]] = yaml.safe_load(CASEBOOK.read_text(encoding="utf-8"))
    casebook = [Context.model_validate(case["context"]) for case in cases]
    report("casebook contexts (unknown where the sources do not say)", casebook, parts,
           codes_for, len(casebook))
    report("seeded complete contexts", seeded_contexts(args.sample, seed=5, known=1.0),
           parts, codes_for, args.bound_sample)


if __name__ == "__main__":
    main()
