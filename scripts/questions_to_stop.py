"""How many questions does the interview ask before it stops, and is the advice then right?

    .venv/bin/python scripts/questions_to_stop.py [--cases casebook|heldout|random|random-unknowns]
        [--count 100] [--seed 20261207] [--threshold 0.9] [--policy interview|list] [--verbose]

For each case every answer is hidden. The interview's rule then runs as it does for a
planner (``collab-advisor interview``): it asks about the purpose first while that is open,
then the question ranked first by ``confidence_stop.question_order`` (the one after which
the fewest questions are expected to the stop), takes the answer from the case, and asks
again, until it stops: one approach comes first alone in at least the threshold share of
the ways the open questions could be answered, first place is settled, or nothing is left
to ask. A question the case leaves unknown counts as asked and answered "don't know" (it
stays open and is not asked again). ``--policy list`` asks in the order of the cheap
next-question list (``quick_order``) instead, for comparison.

The cases: the project's casebook (casebook/casebook.yaml), the held-out programmes
(casebook/heldout.yaml), or ``--count`` random truths drawn from
``collab_advisor._model.samples.seeded_field_values`` with every field known (``random``)
or each field known with probability 0.7 (``random-unknowns``).

It prints the mean and the maximum number of questions asked before the stop, and the
share of cases whose advice at the stop equals the advice on all of the case's answers.
The advice is what the confidence measure's headline names first: the outcome (an
approach alone, or a tie) that comes about in the most completions of the questions
still open. With every answer the case gives, that is the case's own headline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from collab_advisor import Context, load_rules
from collab_advisor._advice.confidence import approaches_of
from collab_advisor._advice.confidence_count import Spread, spread_of
from collab_advisor._advice.confidence_stop import (
    STOP_SHARE,
    question_order,
    quick_order,
    settled_proof,
    stop_reason,
)
from collab_advisor._cli.interview import PURPOSE_FIRST
from collab_advisor._model.fields import FIELDS, RULE_FIELDS
from collab_advisor._model.samples import seeded_field_values
from collab_advisor._result.facts import facts_of

ROOT = Path(__file__).resolve().parents[1]
CASEBOOK = ROOT / "casebook" / "casebook.yaml"

Order = Callable[..., list[str]]


def next_field(spread: Spread, asked: list[str], threshold: float, order: Order) -> str:
    """The question the interview asks next: the purpose while open and not asked, else
    the first of the order (with the interview's field order and skips)."""
    ranked = order(spread, list(FIELDS), skip=asked, threshold=threshold)
    first = [name for name in PURPOSE_FIRST if name in ranked]
    return (first + ranked)[0]


def run_case(rules: Any, truth: dict[str, Any], threshold: float,
             order: Order = question_order) -> dict[str, Any]:
    """The interview on one case: questions asked, why it stopped, advice then and at the end."""
    facts: dict[str, Any] = {}
    asked: list[str] = []
    while True:
        held = [f for f in asked if f not in facts]
        spread = spread_of(rules, facts, alternatives=False, held=held)
        reason = stop_reason(spread, asked, threshold,
                             proved=settled_proof(rules, facts, held, spread))
        if reason is not None:
            break
        field = next_field(spread, asked, threshold, order)
        asked.append(field)
        if field in truth:
            facts[field] = truth[field]
    final = spread_of(rules, truth, alternatives=False,
                      held=[f for f in RULE_FIELDS if f not in truth])
    return {"asked": len(asked), "reason": reason.value,
            "advice": approaches_of(spread.leader()), "full": approaches_of(final.leader()),
            "order": asked}


def load_cases(which: str, count: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """(name, facts) for each case of the chosen set."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # old spellings in a record
        if which == "casebook":
            cases = yaml.safe_load(CASEBOOK.read_text(encoding="utf-8"))
            return [(c["id"], dict(facts_of(Context.model_validate(c["context"]))))
                    for c in cases]
        if which == "heldout":
            sys.path.insert(0, str(ROOT / "scripts"))
            from heldout_report import load_heldout

            return [(p["id"], dict(facts_of(p["ctx"]))) for p in load_heldout()]
        known = 1.0 if which == "random" else 0.7
        return [(f"random-{n}", dict(facts_of(Context.model_validate(values))))
                for n, values in enumerate(seeded_field_values(count, seed, known=known))]


def main() -> None:
    """Run the chosen cases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="casebook",
                        choices=("casebook", "heldout", "random", "random-unknowns"))
    parser.add_argument("--count", type=int, default=100, help="random truths to draw")
    parser.add_argument("--seed", type=int, default=20261207, help="seed of the random truths")
    parser.add_argument("--threshold", type=float, default=STOP_SHARE)
    parser.add_argument("--policy", default="interview", choices=("interview", "list"))
    parser.add_argument("--verbose", action="store_true", help="one line per case")
    args = parser.parse_args()
    rules = load_rules()
    order = question_order if args.policy == "interview" else quick_order
    runs = []
    for name, truth in load_cases(args.cases, args.count, args.seed):
        run = run_case(rules, truth, args.threshold, order)
        runs.append(run)
        if args.verbose:
            same = "same" if run["advice"] == run["full"] else "DIFFERENT"
            print(f"{name}: {run['asked']} asked ({run['reason']}), {same} advice: "
                  f"{[a.value for a in run['advice']]} vs {[a.value for a in run['full']]}; "
                  f"{', '.join(run['order'])}")
    asked = [run["asked"] for run in runs]
    same = sum(run["advice"] == run["full"] for run in runs)
    reasons = {r: sum(run["reason"] == r for run in runs) for r in ("clear", "settled",
                                                                    "nothing_left")}
    print(f"{args.cases}: {len(runs)} cases, stop share {args.threshold:.0%}, "
          f"{args.policy} order")
    print(f"  questions to the stop: mean {statistics.mean(asked):.2f}, max {max(asked)}, "
          f"median {statistics.median(asked)}")
    print(f"  advice at the stop equals the all-answers advice: {same}/{len(runs)} "
          f"({same / len(runs):.0%})")
    print(f"  stopped because: clear {reasons['clear']}, settled {reasons['settled']}, "
          f"nothing left {reasons['nothing_left']}")


if __name__ == "__main__":
    main()
