"""How many questions does the advisor need before its advice is settled?

Starting from an empty context, answer the first of ``next_questions`` from a
known "true" context, again and again, until ``is_settled``. Reports the
average number of questions against answering every field, for the team's
vignettes and for a seeded sample of complete contexts:

    .venv/bin/python scripts/questions_to_settle.py [--sample 500]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

import yaml

from collab_advisor import Context, recommend
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._model.samples import seeded_contexts

ROOT = Path(__file__).resolve().parents[1]
VIGNETTES = ROOT / "tests" / "vignettes.yaml"
CASEBOOK = ROOT / "casebook" / "casebook.yaml"


def questions_to_settle(truth: Context) -> tuple[int, bool, bool]:
    """Questions asked before settled, and whether the settled top matches the truth's.

    The first question not asked yet is answered from the truth, or left unknown where
    the truth does not say; the interview ends when the advice is settled or nothing is
    left to ask.
    """
    known = truth.known()
    answers: dict[str, Any] = {}
    asked: set[str] = set()
    rec = recommend(engine="python")
    while not rec.is_settled:
        field = next((q.field for q in rec.next_questions if q.field not in asked), None)
        if field is None:
            break
        asked.add(field)
        if field in known:
            answers[field] = known[field]
            rec = recommend(answers, engine="python")
    final = recommend(truth, engine="python")
    return len(asked), rec.top.approach is final.top.approach, rec.is_settled


def report(label: str, truths: list[Context]) -> None:
    """Print the average, median and worst count for a group of true contexts."""
    counts = []
    agree = 0
    settled: list[int] = []
    for truth in truths:
        asked, same, done = questions_to_settle(truth)
        counts.append(asked)
        agree += same
        if done:
            settled.append(asked)
    print(f"{label}: {len(truths)} contexts; questions to settle: mean "
          f"{statistics.mean(counts):.2f}, median {statistics.median(counts)}, max {max(counts)} "
          f"(answering everything: {len(RULE_FIELDS)}); settled top = full top in "
          f"{agree}/{len(truths)}; ended settled: {len(settled)}/{len(truths)}"
          + (f" (mean {statistics.mean(settled):.2f} questions)" if settled else ""))


def main() -> None:
    """Run both groups."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=500)
    args = parser.parse_args()
    vignettes: list[dict[str, Any]] = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))
    complete = [Context.model_validate(v["context"]) for v in vignettes
                if len(v["context"]) == len(RULE_FIELDS)]
    report("complete vignettes", complete)
    cases: list[dict[str, Any]] = yaml.safe_load(CASEBOOK.read_text(encoding="utf-8"))
    report("casebook contexts (unknown where the sources do not say)",
           [Context.model_validate(case["context"]) for case in cases])
    report("seeded complete contexts", seeded_contexts(args.sample, seed=5, known=1.0))


if __name__ == "__main__":
    main()
