"""How many questions does the interview ask before it stops, and is the advice then right?

    .venv/bin/python scripts/questions_to_stop.py [--threshold 0.9] [--verbose]

For each case of the project's casebook (casebook/casebook.yaml) every answer is hidden.
The interview's rule then runs as it does for a planner: it asks the open question
whose answer is expected to sharpen the spread of first places most (see
``collab_advisor._advice.confidence_stop``), takes the answer from the case, and asks
again, until it stops: one approach comes first alone in at least the threshold share of
the ways the open questions could be answered, first place is settled, or nothing is
left to ask. A question the case leaves unknown counts as asked and answered "don't
know" (it stays open and is not asked again).

It prints the mean and the maximum number of questions asked before the stop, and the
share of cases whose advice at the stop equals the advice on all of the case's answers.
The advice is what the confidence measure's headline names first: the outcome (an
approach alone, or a tie) that comes about in the most completions of the questions
still open. With every answer the case gives, that is the case's own headline.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

import yaml

from collab_advisor import Context, load_rules
from collab_advisor._advice.confidence import approaches_of
from collab_advisor._advice.confidence_count import spread_of
from collab_advisor._advice.confidence_stop import STOP_SHARE, question_order, stop_reason
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._result.facts import facts_of

ROOT = Path(__file__).resolve().parents[1]
CASEBOOK = ROOT / "casebook" / "casebook.yaml"


def run_case(rules: Any, truth: dict[str, Any], threshold: float) -> dict[str, Any]:
    """The interview on one case: questions asked, why it stopped, advice then and at the end."""
    facts: dict[str, Any] = {}
    asked: list[str] = []
    while True:
        spread = spread_of(rules, facts, alternatives=False,
                           held=[f for f in asked if f not in facts])
        reason = stop_reason(spread, asked, threshold)
        if reason is not None:
            break
        order = question_order(spread, list(RULE_FIELDS), skip=asked, threshold=threshold)
        field = "aim" if "aim" in order else order[0]
        asked.append(field)
        if field in truth:
            facts[field] = truth[field]
    final = spread_of(rules, truth, alternatives=False,
                      held=[f for f in RULE_FIELDS if f not in truth])
    return {"asked": len(asked), "reason": reason.value,
            "advice": approaches_of(spread.leader()), "full": approaches_of(final.leader()),
            "order": asked}


def main() -> None:
    """Run the casebook and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=STOP_SHARE)
    parser.add_argument("--verbose", action="store_true", help="one line per case")
    args = parser.parse_args()
    rules = load_rules()
    cases: list[dict[str, Any]] = yaml.safe_load(CASEBOOK.read_text(encoding="utf-8"))
    runs = []
    for case in cases:
        truth = facts_of(Context.model_validate(case["context"]))
        run = run_case(rules, dict(truth), args.threshold)
        runs.append(run)
        if args.verbose:
            same = "same" if run["advice"] == run["full"] else "DIFFERENT"
            print(f"{case['id']}: {run['asked']} asked ({run['reason']}), {same} advice: "
                  f"{[a.value for a in run['advice']]} vs {[a.value for a in run['full']]}; "
                  f"{', '.join(run['order'])}")
    asked = [run["asked"] for run in runs]
    same = sum(run["advice"] == run["full"] for run in runs)
    reasons = {r: sum(run["reason"] == r for run in runs) for r in ("clear", "settled",
                                                                    "nothing_left")}
    print(f"casebook: {len(runs)} cases, stop share {args.threshold:.0%}")
    print(f"  questions to the stop: mean {statistics.mean(asked):.2f}, max {max(asked)}, "
          f"median {statistics.median(asked)}")
    print(f"  advice at the stop equals the all-answers advice: {same}/{len(runs)} "
          f"({same / len(runs):.0%})")
    print(f"  stopped because: clear {reasons['clear']}, settled {reasons['settled']}, "
          f"nothing left {reasons['nothing_left']}")


if __name__ == "__main__":
    main()
