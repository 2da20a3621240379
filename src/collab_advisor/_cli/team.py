"""``collab-advisor team``: advice for a planning team from each member's answers.

Members come as context files (one per member, labelled by the file name or the
file's ``member`` and ``role`` keys) or as one CSV with a row per member and
optional ``member`` and ``role`` columns.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from .._advice.team import TeamRecommendation, recommend_team
from .._errors import CollabAdvisorError
from .._rulebook.files import read_context_with_lines
from .._rulebook.ruleset import RuleSet
from .csvinput import read_batch
from .options import add_engine_and_rules, add_output, rules_from
from .values import checked_context

MEMBER_COLUMNS = ("member", "role")
"""Columns a team CSV may have beside the context fields."""


def read_members(sources: list[str]) -> list[dict[str, Any]]:
    """Each member's answers, with a ``member`` label, from context files or team CSVs."""
    if sources.count("-") > 1:
        raise CollabAdvisorError("standard input (-) can be read only once")
    members: list[dict[str, Any]] = []
    for source in sources:
        if source.lower().endswith(".csv"):
            batch = read_batch(source, "csv", extra=MEMBER_COLUMNS)
            if not batch.rows:
                raise CollabAdvisorError(f"{source} has a header but no members' rows")
            for row in batch.rows:
                if row.values is None:
                    raise CollabAdvisorError(f"{source}, row {row.number}: {row.error}")
                values = dict(row.values)
                _check_member(values, f"{source}, row {row.number}", {})
                values.setdefault("member", f"{Path(source).stem} row {row.number}")
                members.append(values)
            continue
        values, lines = read_context_with_lines(source)
        where = "standard input" if source == "-" else source
        _check_member(values, where, lines)
        label = "standard input" if source == "-" else Path(source).stem
        values.setdefault("member", values.get("name") or label)
        members.append(values)
    return members


def _check_member(values: dict[str, Any], where: str, lines: dict[str, int]) -> None:
    """Refuse a member's bad answer, naming the file (and line, or CSV row) it is in."""
    checked_context({k: v for k, v in values.items() if k not in MEMBER_COLUMNS}, where, lines)


def render_team(team: TeamRecommendation, form: str) -> str:
    """The team's advice as text, markdown, json or html."""
    if form == "markdown":
        return team.to_markdown()
    if form == "json":
        return team.model_dump_json(indent=2)
    if form == "html":
        return team.to_html()
    return team.explain()


def add_team_command(commands: Any, run: Callable[[argparse.Namespace, TextIO], int]
                     ) -> argparse.ArgumentParser:
    """Register ``team``; the caller adds its output, engine and rules options."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "team", help="advice for a planning team from each member's answers",
        description="Combine a planning team's answers: the answers everyone agrees on, "
        "the disputed ones with who said what, the team's ranking with score ranges across "
        "the proposed answers, the disagreement that decides the advice, whose voices are "
        "missing, and each member's own first place. Give one context file per member "
        "(its 'member' and 'role' keys label it), or a CSV with one row per member and "
        "optional 'member' and 'role' columns.")
    parser.add_argument("members", nargs="+", metavar="FILE",
                        help="a member's context file (.yaml, .json, or - for standard "
                        "input), or a .csv with one row per member")
    parser.set_defaults(run=run)
    return parser


def run_team(members: list[dict[str, Any]], rules: RuleSet | None,
             engine: Any) -> TeamRecommendation:
    """The team's advice for members read from the command line."""
    return recommend_team(members, rules=rules, engine=engine)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    rules = rules_from(args)
    team = run_team(read_members(args.members), rules, args.engine)
    out.write(render_team(team, args.format).rstrip("\n") + "\n")
    return 0


def add_team(commands: Any) -> None:
    """Register ``team`` with its output, engine and rules options."""
    parser = add_team_command(commands, _run)
    add_output(parser)
    add_engine_and_rules(parser)
