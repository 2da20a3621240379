"""Planning with a partial context: what to ask next, what-if, and the path to another approach.

Run it with:  python examples/partial_context.py
"""

from __future__ import annotations

from collab_advisor import recommend


def main() -> None:
    """Walk through an early-stage plan, answering the most useful question first."""
    rec = recommend(name="Diabetes foot care", aim="improve_specialty_outcomes",
                    scope="multi_organisation")
    print(f"Best fit so far: {rec.top.name} ({rec.top.score} points); "
          + ("no open question could change first place under these rules."
             if rec.is_settled else "open questions could still change first place."))
    print(rec.robustness.message)
    for ranked in rec.ranking:
        low, high = ranked.score_range
        print(f"  {ranked.name}: {ranked.score} now, {low} to {high} once everything is known")

    print("\nThe three most useful questions:")
    for question in rec.next_questions[:3]:
        print(f"  - {question.question}\n    {question.why}")

    answered = rec.what_if(control="accountable", leadership="professional")
    print("\n" + answered.explain())

    path = rec.path_to("community_of_practice")
    print("\n" + path.message)

    print("\n" + rec.why_not("qi_collaborative").explain())


if __name__ == "__main__":
    from _output import run_main  # one clear line if the output is closed or the disk full

    run_main(main)
