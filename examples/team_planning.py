"""A planning group of four: where they agree, where they differ, and what that decides.

Two members picture informal, member-led know-how sharing; two picture a
supported community with some structure. Their answers on formality and
control decide between a community of practice and a clinical community.

Run it with:  python examples/team_planning.py
"""

from __future__ import annotations

from collab_advisor import TeamMember, recommend_team

SHARED = {
    "aim": "improve_specialty_outcomes",
    "clinical_focus": "area_or_population",
    "time_span": "open_ended",
    "professions": "multi_professional",
}
"""What everyone in the group already agrees on: children's asthma care across the area."""


def main() -> None:
    """Print the team's advice and the disagreement it should settle first."""
    team = recommend_team([
        TeamMember(label="Priya", role="clinician", context={
            **SHARED, "formality": "informal", "control": "self_directed"}),
        TeamMember(label="Tom", role="nurse", context={
            **SHARED, "formality": "informal", "control": "supported"}),
        TeamMember(label="Grace", role="manager", context={
            **SHARED, "formality": "moderate", "control": "supported"}),
        TeamMember(label="Sam", role="carer", context={
            **SHARED, "formality": "moderate", "control": "self_directed"}),
    ])
    print(team.explain())
    decisive = team.decisive
    if decisive is not None:
        print()
        print(f"Discuss first: {decisive.field.replace('_', ' ')}.")
        for option in decisive.options:
            print(f"  {option.value} ({', '.join(option.members)}) -> "
                  f"{option.leads_to.display_name}")


if __name__ == "__main__":
    from _output import run_main  # one clear line if the output is closed or the disk full

    run_main(main)
