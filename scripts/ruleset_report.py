"""The rule-set report: how the rules behave over every complete context.

    .venv/bin/python scripts/ruleset_report.py [--sample 20000] [--enlarged 200000]

Enumerates every complete context the rules can tell apart over the fifteen
fields of rules 1.2.0 (each field's values, and ``sites`` in the ranges rules
use), with the fields added in rules 1.3.0 left unknown, and reports how often
each approach ranks first, how often the top is a tie, how often the first
place rests on none of the approach's defining features, how often each rule
fires, and which approaches can never win. A seeded sample of complete
contexts over every field (the enlarged space) gives the same shares there,
which fields move the ranking most (changing that one answer changes the top
approach) and which rules decide it (removing the rule changes the top).
Writes docs/ruleset-report.md.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from collab_advisor import RuleSet, load_rules
from collab_advisor._engines.plan import APPROACHES, ScoringPlan, plan_for, top_of
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._rulebook.evaluation import first_holding

TARGET = Path(__file__).resolve().parents[1] / "docs" / "ruleset-report.md"
ADDED_FIELDS = ("clinical_focus", "enabling_support", "shared_domain", "geographic_reach",
                "improvement_focus")
"""The fields added in rules 1.3.0: unknown in the enumeration, known in the enlarged sample."""
BASE_FIELDS = [name for name in RULE_FIELDS if name not in ADDED_FIELDS]


class Tally:
    """What the enumeration counts."""

    def __init__(self, plan: ScoringPlan, fields: list[str]) -> None:
        self.tops: Counter[int] = Counter()
        self.ties = 0
        self.unearned: Counter[int] = Counter()
        """First places where none of the top approach's defining features holds."""
        self.fires: Counter[str] = Counter()
        self.total = 0
        self.by_value = {f: [Counter[int]() for _ in plan.classes[f]] for f in fields}
        self.fields = fields

    def count(self, rules: RuleSet, scores: Sequence[int], facts: dict[str, Any],
              path: Sequence[int]) -> None:
        """Count one complete context: its first place, a tie, an unearned first place, and
        the first place by each field's answer (``path`` holds the answers' class indices)."""
        best = top_of(tuple(scores))
        self.tops[best] += 1
        self.total += 1
        if sum(1 for s in scores if s == scores[best]) > 1:
            self.ties += 1
        if not rules.features_holding(APPROACHES[best], facts):
            self.unearned[best] += 1
        for f, i in zip(self.fields, path, strict=True):
            self.by_value[f][i][best] += 1


def enumerate_all(plan: ScoringPlan, rules: RuleSet) -> Tally:
    """Score every complete context, checking each rule once its last field is set."""
    fields = BASE_FIELDS
    depth_of = {field: depth for depth, field in enumerate(fields)}
    by_depth: list[list[int]] = [[] for _ in fields]
    for index, rule_fields in enumerate(plan.fields_of):
        known = [depth_of[f] for f in rule_fields if f in depth_of]
        if known:  # a rule on the added fields alone cannot fire while they are unknown
            by_depth[max(known)].append(index)
    sizes = [len(plan.classes[f]) for f in fields]
    below = [1] * (len(fields) + 1)
    for depth in range(len(fields) - 1, -1, -1):
        below[depth] = below[depth + 1] * sizes[depth]
    tally = Tally(plan, fields)
    facts: dict[str, str | bool | int] = {}
    path = [0] * len(fields)
    last = len(fields) - 1

    def visit(depth: int, totals: list[int], findings: set[str]) -> None:
        field = fields[depth]
        for value_index, value in enumerate(plan.classes[field]):
            facts[field] = value
            path[depth] = value_index
            here, found = totals, findings
            for i in by_depth[depth]:
                rule = plan.rules[i]
                if first_holding(rule, facts, found) is None:
                    continue
                tally.fires[rule.id] += below[depth + 1]
                if rule.concludes is not None:
                    found = found | {rule.concludes}
                here = [a + b for a, b in zip(here, plan.vectors[i], strict=True)]
            if depth < last:
                visit(depth + 1, here, found)
                continue
            tally.count(rules, here, facts, path)
        del facts[field]

    visit(0, [0] * len(APPROACHES), set())
    return tally


def sample_enlarged(plan: ScoringPlan, rules: RuleSet, count: int) -> Tally:
    """Shares over a seeded sample of complete contexts with every field known."""
    rng = random.Random(13)
    fields = list(RULE_FIELDS)
    tally = Tally(plan, fields)
    for _ in range(count):
        path = [rng.randrange(len(plan.classes[f])) for f in fields]
        facts = {f: plan.classes[f][i] for f, i in zip(fields, path, strict=True)}
        scores, fired = plan.score(facts)
        tally.fires.update(fired)
        tally.count(rules, scores, facts, path)
    return tally


def sample_effects(plan: ScoringPlan, count: int) -> tuple[Counter[str], Counter[str]]:
    """Per field, how often changing it alone changes the top; per rule, how often it decides."""
    rng = random.Random(41)
    fields = list(RULE_FIELDS)
    moves: Counter[str] = Counter()
    decides: Counter[str] = Counter()
    vectors = {rule.id: vector for rule, vector in zip(plan.rules, plan.vectors, strict=True)}
    for _ in range(count):
        facts: dict[str, str | bool | int] = {f: rng.choice(plan.classes[f]) for f in fields}
        scores, fired = plan.score(facts)
        top = top_of(scores)
        for field in fields:
            for value in plan.classes[field]:
                if value != facts[field] and top_of(plan.score({**facts, field: value})[0]) != top:
                    moves[field] += 1
                    break
        for rule_id in fired:
            without = tuple(s - v for s, v in zip(scores, vectors[rule_id], strict=True))
            if any(vectors[rule_id]) and top_of(without) != top:
                decides[rule_id] += 1
    return moves, decides


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%"


def render(plan: ScoringPlan, tally: Tally, enlarged: Tally, moves: Counter[str],
           decides: Counter[str], sample: int, version: str, seconds: float) -> str:
    """The report in Markdown."""
    total = tally.total
    lines = [
        "# The rule-set report",
        "",
        "Generated by `python scripts/ruleset_report.py`; do not edit by hand. "
        f"Rules {version}; {total:,} complete contexts enumerated in {seconds:.0f} s "
        f"over the {len(BASE_FIELDS)} fields of rules 1.2.0 (every value of every field, "
        "and `sites` in the ranges the rules use: "
        + ", ".join(str(v) for v in plan.classes["sites"]) + " and up), with the fields "
        "added in rules 1.3.0 (" + ", ".join(f"`{f}`" for f in ADDED_FIELDS)
        + f") left unknown; and a seeded sample of {enlarged.total:,} complete contexts "
        "over all fields (the enlarged space).",
        "",
        "Issue 18's measurements (first alone, ties at the top, and the stated tie-break, "
        "over a seeded million contexts uniform over every field and sites' bands) are in "
        "[ledger-report.md](ledger-report.md), from `scripts/ledger_report.py`. Below, as "
        "before, a tie goes to the fixed order of approaches: read these shares as the "
        "rules' lean, not as advice.",
        "",
        "## How often each approach ranks first",
        "",
        "*Unearned*: first places (after the tie-break) where none of the approach's "
        "defining features holds; the result then says that no approach stands out yet.",
        "",
        "| Approach | Ranks first | Share | Unearned | Share, enlarged space (sample) "
        "| Unearned, enlarged |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for index, approach in enumerate(APPROACHES):
        lines.append(f"| {approach.display_name} | {tally.tops[index]:,} | "
                     f"{_share(tally.tops[index], total)} | {tally.unearned[index]:,} | "
                     f"{_share(enlarged.tops[index], enlarged.total)} | "
                     f"{enlarged.unearned[index]:,} |")
    never = [a.display_name for i, a in enumerate(APPROACHES) if tally.tops[i] == 0]
    unearned = sum(tally.unearned.values())
    lines += ["", f"The top score is a tie in {tally.ties:,} contexts "
              f"({_share(tally.ties, total)}; {_share(enlarged.ties, enlarged.total)} of the "
              "enlarged sample); the documented order breaks it. No approach stands out in "
              f"{unearned:,} contexts ({100 * unearned / total:.3f}%).",
              "Approaches that can never rank first: "
              + (", ".join(never) if never else "none") + ".", "",
              "## Which fields move the ranking most", "",
              f"Over {sample:,} seeded complete contexts: how often changing that one "
              "answer changes the top approach.", "",
              "| Field | Changes the top | Spread of top approach across its answers |",
              "|---|---:|---:|"]
    for field in sorted(RULE_FIELDS, key=lambda f: (-moves[f], f)):
        lines.append(f"| {field} | {_share(moves[field], sample)} | "
                     f"{_spread(enlarged.by_value[field]):.2f} |")
    lines += ["", "Both columns are over complete contexts of the enlarged space. The spread "
              "is the average total-variation distance between the share of "
              "each approach ranking first given the field's answer and overall (0: the "
              "answer makes no difference; 1: it decides alone).", "",
              "## How often each rule fires, and how often it decides", "",
              "*Fires*: share of the enlarged sample. *Decides*: share of the sample in "
              "which removing the rule's points would change the top approach.", "",
              "| Rule | Fires | Decides |", "|---|---:|---:|"]
    for rule in sorted(plan.rules, key=lambda r: (-decides[r.id], r.id)):
        lines.append(f"| {rule.id} | {_share(enlarged.fires[rule.id], enlarged.total)} | "
                     + (_share(decides[rule.id], sample) if any(
                         plan.vectors[plan.rules.index(rule)]) else "(finding)") + " |")
    quiet = [r.id for r in plan.rules if enlarged.fires[r.id] == 0]
    idle = [r.id for r, v in zip(plan.rules, plan.vectors, strict=True)
            if any(v) and decides[r.id] == 0]
    lines += ["", "Rules that never fire: " + (", ".join(quiet) if quiet else "none") + ".",
              "Scoring rules that never decided the top in the sample: "
              + (", ".join(idle) if idle else "none") + "."]
    return "\n".join(lines) + "\n"


def _spread(counters: list[Counter[int]]) -> float:
    overall: Counter[int] = Counter()
    for counter in counters:
        overall.update(counter)
    total = sum(overall.values())
    distance = 0.0
    for counter in counters:
        size = sum(counter.values())
        if not size:
            continue
        tv = sum(abs(counter[i] / size - overall[i] / total) for i in range(len(APPROACHES))) / 2
        distance += size / total * tv
    return distance


def main() -> None:
    """Enumerate, sample and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--enlarged", type=int, default=200_000)
    args = parser.parse_args()
    rules = load_rules()
    plan = plan_for(rules)
    start = time.perf_counter()
    tally = enumerate_all(plan, rules)
    seconds = time.perf_counter() - start
    enlarged = sample_enlarged(plan, rules, args.enlarged)
    moves, decides = sample_effects(plan, args.sample)
    TARGET.write_text(render(plan, tally, enlarged, moves, decides, args.sample, rules.version,
                             seconds), encoding="utf-8")
    print(f"{tally.total:,} contexts in {seconds:.0f} s; tops: "
          + ", ".join(f"{a.value} {_share(tally.tops[i], tally.total)}"
                      for i, a in enumerate(APPROACHES))
          + f"; ties {_share(tally.ties, tally.total)}; enlarged sample: "
          + ", ".join(f"{a.value} {_share(enlarged.tops[i], enlarged.total)}"
                      for i, a in enumerate(APPROACHES))
          + f"; wrote {TARGET}")


if __name__ == "__main__":
    main()
