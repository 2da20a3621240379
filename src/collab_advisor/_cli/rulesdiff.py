"""The ``collab-advisor rules diff OLD NEW`` subcommand (kept apart from ``_cli``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from .._advice.rulesdiff import DEFAULT_SAMPLE, MAX_SAMPLE, diff_rules
from .._errors import CollabAdvisorError
from .._rulebook.loader import load_rules


def _cmd_rules_diff(args: argparse.Namespace, out: TextIO) -> int:
    old, new = load_rules(args.old), load_rules(args.new)
    if not 0 <= args.sample <= MAX_SAMPLE:
        raise CollabAdvisorError(f"--sample must be from 0 to {MAX_SAMPLE:,} (got {args.sample})")
    try:
        diff = diff_rules(old, new, sample=args.sample, seed=args.seed,
                          casebook=args.casebook, prototypes=args.prototypes)
    except ValueError as error:
        raise CollabAdvisorError(str(error)) from None
    if args.format == "json":
        out.write(diff.model_dump_json(indent=2) + "\n")
    else:
        out.write(diff.to_markdown() if args.format == "markdown" else diff.explain())
    return 0


def add_rules_diff(rule_commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``rules diff`` under the ``rules`` command."""
    diff = rule_commands.add_parser(
        "diff", help="what changing the rules does to the advice",
        description="Compare two rule sets: rules added, removed and changed; which casebook "
        "programmes and prototypes change first place, and why; and the share of a seeded "
        "sample of complete contexts whose first place changes. The Markdown form is a "
        "section for rules/CHANGELOG.md.")
    diff.add_argument("old", metavar="OLD", type=Path, help="the old rules: a file or folder")
    diff.add_argument("new", metavar="NEW", type=Path, help="the new rules: a file or folder")
    diff.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, metavar="N",
                      help=f"complete contexts to sample (default {DEFAULT_SAMPLE:,})")
    diff.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    diff.add_argument("--casebook", type=Path, metavar="FILE",
                      help="casebook YAML (default: casebook/casebook.yaml of a checkout)")
    diff.add_argument("--prototypes", type=Path, metavar="FILE",
                      help="prototypes YAML (default: casebook/prototypes.yaml, if present)")
    diff.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    diff.set_defaults(run=_cmd_rules_diff)
