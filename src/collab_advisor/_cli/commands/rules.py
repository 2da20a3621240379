"""``collab-advisor rules check``, ``rules diff`` and ``schema``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from ..._advice.analyse import Report
from ..._advice.batchrecord import batch_record_schema
from ..._advice.lint import lint
from ..._advice.rulecheck import check_examples
from ..._advice.team import TeamRecommendation
from ..._engines.choose import ENGINE_CHOICES
from ..._errors import RuleFileError
from ..._model.context import Context
from ..._present.schema_notes import described_schema
from ..._rulebook.format import rule_file_json_schema
from ..._rulebook.loader import shipped_rules_dir
from ..options import choice_type
from ..progress import load_rules_showing_progress
from ..rulesdiff import add_rules_diff


def _run_check(args: argparse.Namespace, out: TextIO) -> int:
    paths: list[Path] = args.paths or []
    added: list[Path] = args.add_rules or []
    if added and not paths:
        paths = [shipped_rules_dir()]
    try:
        rules = load_rules_showing_progress(*paths, *added)
    except RuleFileError as error:
        out.write(error.report() + "\n")
        return 1
    failures = check_examples(rules, args.engine)
    findings = [str(f) for f in failures] + [str(f) for f in lint(rules)]
    where = ", ".join(sorted({str(p.parent) for p in rules.paths}))
    examples = sum(len(rule.examples) for rule in rules.active)
    if not findings:
        out.write(f"OK: {len(rules)} rules and {len(rules.findings)} findings in "
                  f"{len(rules.paths)} files ({where}); all {examples} examples hold; "
                  "no problems found.\n")
        return 0
    out.write(f"{len(findings)} problem{'s' if len(findings) != 1 else ''} found"
              f" ({len(failures)} of {examples} examples failed):\n")
    for finding in findings:
        out.write(f"  - {finding}\n")
    return 1


def _add_check(rule_commands: Any) -> None:
    check = rule_commands.add_parser(
        "check", help="validate and lint rule files and run their examples",
        description="Validate rule files, reporting every problem with file, line, rule id "
        "and a suggestion; run every rule's examples; then lint for rules that can never "
        "fire, approaches that can never rank first and findings nothing uses. Exit 0 when "
        "clean, 1 otherwise. 'rules check --add-rules ours.yaml' checks your file together "
        "with the shipped rules.")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="rule files or folders (default: the shipped rules)")
    check.add_argument("--add-rules", action="append", metavar="PATH", type=Path,
                       help="rule files or folders to check together with the shipped rules "
                       "(or with the PATHs given)")
    check.add_argument("--engine", type=choice_type(ENGINE_CHOICES, "engine"), default="auto",
                       metavar="|".join(ENGINE_CHOICES), help="engine to run the examples on")
    check.set_defaults(run=_run_check)


def add_rules(commands: Any) -> None:
    """Register ``rules`` with ``check`` and ``diff``."""
    rules = commands.add_parser("rules", help="work with rule files",
                                description="Work with rule files.")
    rule_commands = rules.add_subparsers(dest="rules_command", metavar="COMMAND", required=True)
    _add_check(rule_commands)
    add_rules_diff(rule_commands)


def _run_schema(args: argparse.Namespace, out: TextIO) -> int:
    if args.rules_schema:
        schema = rule_file_json_schema()
    elif args.report_schema:
        schema = described_schema(Report)
    elif args.team_schema:
        schema = described_schema(TeamRecommendation)
    elif args.batch_schema:
        schema = batch_record_schema()
    else:
        schema = Context.model_json_schema()
    out.write(json.dumps(schema, indent=2) + "\n")
    return 0


def add_schema(commands: Any) -> None:
    """Register ``schema``."""
    schema = commands.add_parser("schema", help="print a JSON Schema",
                                 description="Print the JSON Schema of the context (for form "
                                 "builders), with --rules of the rule-file format, with "
                                 "--report of a recommendation with its analysis, with --team "
                                 "of a team's advice, or with --batch of a batch JSON Lines "
                                 "row.")
    schema.add_argument("--rules", dest="rules_schema", action="store_true",
                        help="the rule-file format instead of the context")
    schema.add_argument("--report", dest="report_schema", action="store_true",
                        help="the report that recommend --format json and the HTTP API "
                        "write, instead of the context")
    schema.add_argument("--team", dest="team_schema", action="store_true",
                        help="what team --format json and the HTTP API's /api/team write")
    schema.add_argument("--batch", dest="batch_schema", action="store_true",
                        help="each row that batch writes as JSON Lines")
    schema.set_defaults(run=_run_schema)
