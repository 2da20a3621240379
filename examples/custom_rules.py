"""A custom rule set: the shipped rules plus an organisation's own rule.

Run it with:  python examples/custom_rules.py
"""

from __future__ import annotations

from pathlib import Path

from collab_advisor import load_rules, recommend, shipped_rules_dir

OURS = Path(__file__).resolve().parent / "custom_rules"


def main() -> None:
    """Compare the advice with and without the organisation's rule."""
    shipped = load_rules()
    combined = load_rules(shipped_rules_dir(), OURS)
    print(f"Shipped rules: {len(shipped)}; with ours: {len(combined)} "
          f"(version {combined.version}).")
    context = {"aim": "redesign_services", "scope": "multi_organisation",
               "geographic_reach": "regional", "time_span": "open_ended",
               "resourcing": "some_support", "control": "supported"}
    before = recommend(context, rules=shipped)
    after = recommend(context, rules=combined)
    for label, rec in (("Shipped rules", before), ("With our rule", after)):
        print(f"{label}: " + ", ".join(f"{r.name} {r.score}" for r in rec.ranking))
    ours = [r for r in after.ranking for reason in r.reasons
            if reason.rule_id == "our-networks-need-funded-managers"]
    print(f"Our rule changed {ours[0].name}'s score by "
          f"{after.score_of(ours[0].approach) - before.score_of(ours[0].approach)} points.")


if __name__ == "__main__":
    from _output import run_main  # one clear line if the output is closed or the disk full

    run_main(main)
