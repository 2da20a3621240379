"""Time team advice against single recommendations, measured in the same run.

Run by hand (never in the test suite; these machines are shared and noisy):

    .venv/bin/python scripts/team_benchmark.py [--teams 100] [--members 10] [--disputed 5]

Each team is built from one seeded complete context: every member gives it,
except that the members differ, at random, on ``--disputed`` choice fields.
It prints the median processor time (less disturbed by other jobs than wall
time) of ``recommend_team()`` and of ``recommend()`` on the members' contexts,
both on the python engine, and their ratio (the issue's target: at most 100).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from collab_advisor import recommend, recommend_team
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._model.samples import seeded_contexts


def _teams(count: int, members: int, disputed: int, seed: int) -> list[list[dict[str, Any]]]:
    rng = random.Random(seed)
    choices = [name for name, spec in RULE_FIELDS.items() if spec.kind != "count"]
    teams = []
    for context in seeded_contexts(count, seed=seed, known=1.0):
        base = context.model_dump(mode="json", exclude_none=True)
        base.pop("name", None)
        fields = rng.sample(choices, disputed)
        team = []
        for index in range(members):
            answers = dict(base)
            for name in fields:
                answers[name] = rng.choice(RULE_FIELDS[name].values)
            team.append({"member": f"M{index}", **answers})
        teams.append(team)
    return teams


def main() -> None:
    """Print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--disputed", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    teams = _teams(args.teams, args.members, args.disputed, args.seed)
    recommend(engine="python")
    recommend_team(teams[0], engine="python")  # warm the caches once
    singles, whole = [], []
    for team in teams:
        for member in team:
            values = {k: v for k, v in member.items() if k != "member"}
            start = time.process_time()
            recommend(values, engine="python")
            singles.append(time.process_time() - start)
        start = time.process_time()
        result = recommend_team(team, engine="python")
        whole.append(time.process_time() - start)
        assert len(result.disputed) <= args.disputed
    single, team_time = statistics.median(singles), statistics.median(whole)
    print(f"{args.teams} teams of {args.members} members, {args.disputed} disputed fields "
          f"each (python engine)")
    print(f"median recommend():      {single * 1e6:10.1f} us")
    print(f"median recommend_team(): {team_time * 1e6:10.1f} us")
    print(f"ratio:                   {team_time / single:10.1f} x one recommend()")


if __name__ == "__main__":
    main()
