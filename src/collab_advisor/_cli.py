"""The ``collab-advisor`` command: recommend, interview, rules check, schema, batch.

Errors print one plain message on standard error, never a traceback: exit
status 2 for bad usage or input, 1 when ``rules check`` finds problems.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError

from ._batch import describe_validation_error, recommend_many
from ._context import Approach, Context
from ._engines import ENGINE_CHOICES, EngineChoice
from ._errors import CollabAdvisorError, RuleFileError
from ._fields import FIELDS
from ._lint import lint
from ._loader import load_rules
from ._recommend import Recommendation, recommend
from ._ruleformat import rule_file_json_schema
from ._ruleset import RuleSet
from .web.cli import add_serve_parser

PROG = "collab-advisor"
_CHUNK = 200
"""Batch rows are processed (and progress shown) in chunks of this many."""


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit status 2."""


# -- shared options -------------------------------------------------------------------


def _add_engine_and_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", action="append", metavar="PATH", type=Path,
                        help="a rule file or folder to use instead of the shipped rules "
                        "(repeat to combine several)")
    parser.add_argument("--engine", choices=ENGINE_CHOICES, default="auto",
                        help="rule engine (default: auto = durable-rules if it imports)")


def _rules_from(args: argparse.Namespace) -> RuleSet | None:
    return load_rules(*args.rules) if args.rules else None


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _add_context_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("context fields (leave out what is not known)")
    for name, spec in FIELDS.items():
        if spec.kind == "choice":
            allowed = [str(v) for v in spec.values]
            group.add_argument(_flag(name), dest=name, metavar="VALUE", choices=allowed,
                               help=f"{spec.description} One of: {', '.join(allowed)}")
        elif spec.kind == "yes_no":
            group.add_argument(_flag(name), dest=name, metavar="yes|no",
                               choices=["yes", "no", "true", "false"],
                               help=f"{spec.description} yes or no.")
        elif spec.kind == "count":
            group.add_argument(_flag(name), dest=name, metavar="N", type=int,
                               help=f"{spec.description} A whole number.")
        else:
            group.add_argument(_flag(name), dest=name, metavar="TEXT", help=spec.description)


def _read_mapping(source: str) -> dict[str, Any]:
    """A context from a JSON or YAML file, or '-' for standard input."""
    if source == "-":
        text, label = sys.stdin.read(), "standard input"
    else:
        path = Path(source)
        try:
            text, label = path.read_text(encoding="utf-8"), str(path)
        except OSError as error:
            raise UsageError(f"cannot read the context file {source}: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)  # JSON is YAML too
    except yaml.YAMLError as error:
        raise UsageError(f"{label} is not valid JSON or YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{label} must hold one mapping of field names to values")
    return data


def _context_from(args: argparse.Namespace) -> Context:
    values: dict[str, Any] = _read_mapping(args.context) if args.context else {}
    for name, spec in FIELDS.items():
        given = getattr(args, name, None)
        if given is None:
            continue
        values[name] = given in ("yes", "true") if spec.kind == "yes_no" else given
    return Context.model_validate(values)


# -- recommend ------------------------------------------------------------------------


def _render(rec: Recommendation, form: str) -> str:
    if form == "markdown":
        return rec.to_markdown()
    if form == "json":
        return rec.model_dump_json(indent=2)
    if form == "html":
        return rec.to_html()
    return rec.explain()


def _cmd_recommend(args: argparse.Namespace, out: TextIO) -> int:
    rec = recommend(_context_from(args), rules=_rules_from(args), engine=args.engine)
    out.write(_render(rec, args.format).rstrip("\n") + "\n")
    return 0


# -- interview ------------------------------------------------------------------------


def _cmd_interview(args: argparse.Namespace, out: TextIO) -> int:
    rules = _rules_from(args)
    engine: EngineChoice = args.engine
    answers: dict[str, Any] = _read_mapping(args.context) if args.context else {}
    skipped: set[str] = set()
    rec = recommend(answers, rules=rules, engine=engine)
    out.write("Answer each question with the number or the name of an answer.\n"
              "Type 'why' to hear why it matters, 'skip' to leave it unknown, "
              "'stop' to finish now.\n")
    while not rec.is_settled:
        pending = [q for q in rec.next_questions if q.field not in skipped]
        if not pending:
            break
        question = pending[0]
        values = [str(v).lower() for v in _answer_values(question.field)]
        out.write(f"\n{question.question}\n")
        for number, value in enumerate(values, start=1):
            meaning = _value_help(question.field, value)
            out.write(f"  {number}. {value}" + (f": {meaning}\n" if meaning else "\n"))
        if not values:
            out.write(f"  A whole number (the rules tell apart: {'; '.join(question.answers)}).\n")
        while True:
            out.write("> ")
            out.flush()
            line = sys.stdin.readline()
            if not line:  # end of input: finish with what we have
                return _finish(rec, out, "Input ended")
            reply = line.strip().lower()
            if reply in ("stop", "done", "quit", "q"):
                return _finish(rec, out, "Stopped on request")
            if reply == "why":
                out.write(f"{question.why}\n")
                continue
            if reply in ("skip", "s", ""):
                skipped.add(question.field)
                break
            chosen = _parse_answer(question.field, reply, values)
            if chosen is None and not values:
                out.write("Please answer with a whole number of at least 1 "
                          "(or why, skip, stop).\n")
                continue
            if chosen is None:
                out.write(f"Please answer with a number from 1 to {len(values)}, or one of: "
                          f"{', '.join(values)} (or why, skip, stop).\n")
                continue
            answers[question.field] = chosen
            break
        rec = recommend(answers, rules=rules, engine=engine)
    reason = "The advice is settled" if rec.is_settled else "No more questions to ask"
    return _finish(rec, out, reason)


def _answer_values(field: str) -> list[str]:
    spec = FIELDS[field]
    if spec.kind == "yes_no":
        return ["yes", "no"]
    if spec.kind == "count":
        return []
    return [str(v) for v in spec.values]


def _value_help(field: str, value: str) -> str:
    spec = FIELDS[field]
    return spec.choices(value).description if spec.choices is not None else ""


def _parse_answer(field: str, reply: str, values: list[str]) -> Any:
    spec = FIELDS[field]
    if spec.kind == "count":
        return int(reply) if reply.isdigit() and int(reply) >= 1 else None
    if reply.isdigit() and 1 <= int(reply) <= len(values):
        reply = values[int(reply) - 1]
    reply = reply.replace(" ", "_").replace("-", "_")
    if reply not in values:
        return None
    if spec.kind == "yes_no":
        return reply == "yes"
    return reply


def _finish(rec: Recommendation, out: TextIO, reason: str) -> int:
    out.write(f"\n{reason}.\n\n{rec.explain()}\n")
    return 0


# -- rules check and schema -----------------------------------------------------------


def _cmd_rules_check(args: argparse.Namespace, out: TextIO) -> int:
    paths = args.paths or []
    try:
        rules = load_rules(*paths)
    except RuleFileError as error:
        out.write(str(error) + "\n")
        return 1
    findings = lint(rules)
    where = ", ".join(sorted({str(p.parent) for p in rules.paths}))
    if not findings:
        out.write(f"OK: {len(rules)} rules and {len(rules.findings)} findings in "
                  f"{len(rules.paths)} files ({where}); no problems found.\n")
        return 0
    out.write(f"{len(findings)} problem{'s' if len(findings) != 1 else ''} found:\n")
    for finding in findings:
        out.write(f"  - {finding}\n")
    return 1


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    schema = rule_file_json_schema() if args.rules_schema else Context.model_json_schema()
    out.write(json.dumps(schema, indent=2) + "\n")
    return 0


# -- batch ----------------------------------------------------------------------------


def _read_rows(path: str, form: str | None) -> list[dict[str, Any] | str]:
    """Each row as a mapping (empty CSV cells mean unknown), or the text of its error."""
    if path == "-":
        text = sys.stdin.read()
        kind = form or "jsonl"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot read {path}: {error.strerror}") from None
        kind = form or ("csv" if path.lower().endswith(".csv") else "jsonl")
    rows: list[dict[str, Any] | str] = []
    if kind == "csv":
        for row in csv.DictReader(io.StringIO(text)):
            if None in row:
                rows.append("has more cells than the header has columns")
                continue
            rows.append({k.strip(): v.strip() for k, v in row.items()
                         if v is not None and v.strip() != ""})
        return rows
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            rows.append(f"not valid JSON ({error.msg})")
            continue
        rows.append(item if isinstance(item, dict) else "not a JSON object")
    return rows


def _cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    rows = _read_rows(args.input, args.input_format)
    rules = _rules_from(args)
    form = args.format or ("csv" if args.output and args.output.endswith(".csv") else "jsonl")
    show_progress = sys.stderr.isatty() and len(rows) >= _CHUNK
    records: list[dict[str, Any]] = []
    bad = 0
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        readable = [row for row in chunk if isinstance(row, dict)]
        results = iter(recommend_many(readable, rules=rules, engine=args.engine))
        for offset, row in enumerate(chunk):
            number = start + offset + 1
            item = next(results) if isinstance(row, dict) else None
            if item is not None and item.recommendation is not None:
                records.append(_record(number, item.recommendation))
                continue
            bad += 1
            message = row if isinstance(row, str) else item.error if item else "unreadable"
            sys.stderr.write(f"row {number}: {message}\n")
            records.append({"row": number, "error": message})
        if show_progress:
            done = min(start + _CHUNK, len(rows))
            filled = int(30 * done / len(rows))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{len(rows)}")
            sys.stderr.flush()
    if show_progress:
        sys.stderr.write("\n")
    target = open(args.output, "w", encoding="utf-8", newline="") if args.output else out  # noqa: SIM115
    try:
        _write_records(records, form, target)
    finally:
        if target is not out:
            target.close()
    if bad:
        sys.stderr.write(f"{bad} of {len(rows)} rows could not be read; the others completed.\n")
    return 2 if bad else 0


def _record(number: int, rec: Recommendation) -> dict[str, Any]:
    record: dict[str, Any] = {"row": number, "name": rec.context.name or "",
                              "top": rec.top.approach.value}
    for approach in Approach:
        record[f"score_{approach.value}"] = rec.score_of(approach)
    record["settled"] = rec.is_settled
    record["rules_fired"] = " ".join(rec.fired_rules)
    record["error"] = ""
    return record


def _write_records(records: list[dict[str, Any]], form: str, target: TextIO) -> None:
    if form == "jsonl":
        for record in records:
            target.write(json.dumps({k: v for k, v in record.items() if v != ""}) + "\n")
        return
    columns = ["row", "name", "top", *[f"score_{a.value}" for a in Approach],
               "settled", "rules_fired", "error"]
    writer = csv.DictWriter(target, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({column: record.get(column, "") for column in columns})


# -- the parser -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser, with help on every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Which collaboration-based approach fits your improvement initiative, "
        "and why.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    rec = commands.add_parser("recommend", help="rank the four approaches for a context",
                              description="Rank the four approaches for a context given by "
                              "flags, a JSON or YAML file, or standard input.")
    rec.add_argument("--context", metavar="FILE", help="a JSON or YAML file of field: value "
                     "pairs, or - for standard input (flags override it)")
    rec.add_argument("--format", choices=["text", "markdown", "json", "html"], default="text")
    _add_engine_and_rules(rec)
    _add_context_flags(rec)
    rec.set_defaults(run=_cmd_recommend)

    talk = commands.add_parser(
        "interview", help="answer the most useful questions, one at a time",
        description="Ask the most informative question first until the advice is settled, "
        "then print the explained recommendation. Reads answers line by line from standard "
        "input, so another program can drive it.")
    talk.add_argument("--context", metavar="FILE", help="start from the answers in this file")
    _add_engine_and_rules(talk)
    talk.set_defaults(run=_cmd_interview)

    rules = commands.add_parser("rules", help="work with rule files",
                                description="Work with rule files.")
    rule_commands = rules.add_subparsers(dest="rules_command", metavar="COMMAND", required=True)
    check = rule_commands.add_parser(
        "check", help="validate and lint rule files",
        description="Validate rule files, reporting every problem with file, line, rule id "
        "and a suggestion; then lint for rules that can never fire, approaches that can "
        "never rank first and findings nothing uses. Exit 0 when clean, 1 otherwise.")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="rule files or folders (default: the shipped rules)")
    check.set_defaults(run=_cmd_rules_check)

    schema = commands.add_parser("schema", help="print a JSON Schema",
                                 description="Print the JSON Schema of the context (for form "
                                 "builders) or, with --rules, of the rule-file format.")
    schema.add_argument("--rules", dest="rules_schema", action="store_true",
                        help="the rule-file format instead of the context")
    schema.set_defaults(run=_cmd_schema)

    batch = commands.add_parser(
        "batch", help="recommend for every row of a CSV or JSON Lines file",
        description="Read contexts from CSV (one column per field; empty cells are unknown) "
        "or JSON Lines, and write one result per row. Bad rows are reported by row number "
        "and field on standard error; the others still complete (exit 2 if any failed).")
    batch.add_argument("input", metavar="INPUT", help="a .csv or .jsonl file, or - for stdin")
    batch.add_argument("--input-format", choices=["csv", "jsonl"],
                       help="the input's format (default: from its extension)")
    batch.add_argument("--output", metavar="FILE", help="where to write (default: stdout)")
    batch.add_argument("--format", choices=["csv", "jsonl"],
                       help="output format (default: from --output's extension, else jsonl)")
    _add_engine_and_rules(batch)
    batch.set_defaults(run=_cmd_batch)
    add_serve_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    try:
        status: int = args.run(args, out)
    except UsageError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
    except ValidationError as error:
        sys.stderr.write(f"{PROG}: error: {describe_validation_error(error)}\n")
        return 2
    except RuleFileError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
    except CollabAdvisorError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    return status


__all__ = ["main"]
