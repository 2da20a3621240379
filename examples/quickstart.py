"""Quickstart: rank the four approaches for one example initiative and explain why.

Run it with:  python examples/quickstart.py
"""

from __future__ import annotations

from collab_advisor import Context, recommend


def main() -> None:
    """Print an explained recommendation for a regional sepsis improvement effort."""
    context = Context(
        name="Regional sepsis care improvement",
        formality="highly_structured",
        time_span="fixed_term",
        scope="multi_organisation",
        aim="close_practice_gap",
        evidence="established",
        professions="multi_professional",
        resourcing="dedicated_funding",
        sites=24,
    )
    rec = recommend(context)
    print(rec.explain())
    print()
    print(f"Best fit: {rec.top.name} ({rec.top.score} points).")


if __name__ == "__main__":
    from _output import run_main  # one clear line if the output is closed or the disk full

    run_main(main)
