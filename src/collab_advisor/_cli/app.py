"""The ``collab-advisor`` command: recommend, what-if, why-not, path-to, compare, interview,
rules check, schema, batch.

Errors print one plain line on standard error, never a traceback: exit status 2
for bad usage or input, 1 when ``rules check`` finds problems or the output
cannot be written (a full disk, a closed pipe), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import csv
import errno
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, TypeVar

from pydantic import BaseModel, ValidationError

from .._advice.analyse import Report
from .._advice.batch import describe_validation_error, recommend_many, survey_chunks
from .._advice.compare import compare
from .._advice.lint import lint
from .._advice.rulecheck import check_examples
from .._engines.choose import ENGINE_CHOICES
from .._errors import CollabAdvisorError, RuleFileError
from .._model.context import Approach, Context
from .._model.fields import FIELDS
from .._present.explain import explain
from .._present.notebook import Advice, recommend
from .._present.render import html_document, to_markdown
from .._result.record import Recommendation
from .._rulebook.collector import collection_paused
from .._rulebook.files import read_context_file, read_context_with_lines
from .._rulebook.format import rule_file_json_schema
from .._rulebook.loader import shipped_rules_dir
from .._rulebook.ruleset import RuleSet
from ..web.cli import add_serve_parser
from .atomic import SameFileError, atomic_output, refuse_same_file, write_atomic
from .interview import Interview, make_asker, save_answers
from .progress import load_rules_showing_progress
from .record import add_record_parser
from .render import Doc, render
from .reports import compare_doc, path_to_doc, what_if_doc, why_not_doc
from .rulesdiff import add_rules_diff
from .sheets import FORMATS as TABLE_FORMATS
from .sheets import (
    INPUT_FORMATS,
    Table,
    defuse,
    output_format,
    read_table,
    widen,
    write_xlsx,
)
from .team import add_team_command, read_members, render_team, run_team
from .values import (
    ValueMatchError,
    allowed_values,
    checked_context,
    did_you_mean,
    match_approach,
    match_choice,
    match_value,
)

PROG = "collab-advisor"
_CHUNK = 5000
"""Batch rows are processed (and progress shown) in chunks of this many."""
FORMATS = ("text", "markdown", "json", "html")
_UNKNOWN = ("unknown", "not_known", "none", "null", "")


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: no usage block, allowed values and a did-you-mean."""

    def error(self, message: str) -> NoReturn:
        choice = re.search(r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)", message)
        if choice is not None:
            typed = choice.group(1)
            options = [o.strip(" '") for o in choice.group(2).split(",")]
            message = f"{typed!r} is not a command; allowed: {', '.join(options)}"
            guess = did_you_mean(typed, options)
            if guess is not None:
                message += f" (did you mean {guess}?)"
        unknown = re.match(r"unrecognized arguments: (\S+)", message)
        if unknown is not None and unknown.group(1).startswith("--"):
            flags = sorted(_all_flags(self))
            guess = did_you_mean(unknown.group(1), flags)
            if guess is not None:
                message += f" (did you mean {guess}?)"
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _all_flags(parser: argparse.ArgumentParser) -> set[str]:
    """Every long option of a parser and of its subcommands."""
    flags: set[str] = set()
    for action in parser._actions:
        flags.update(flag for flag in action.option_strings if flag.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                flags |= _all_flags(sub)
    return flags


def _typed(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a matcher: a ValueMatchError becomes argparse's one-line error."""
    def parse(text: str) -> Any:
        try:
            return convert(text)
        except ValueMatchError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    parse.__name__ = getattr(convert, "__name__", "value")
    return parse


def _field_type(name: str) -> Callable[[str], Any]:
    """An argparse type for a context field (argparse names the flag, so the field is not
    repeated)."""
    def parse(text: str) -> Any:
        try:
            return match_value(name, text)
        except ValueMatchError as error:
            raise argparse.ArgumentTypeError(str(error).removeprefix(f"{name}: ")) from None
    parse.__name__ = name
    return parse


def _choice_type(choices: Sequence[str], what: str) -> Callable[[str], Any]:
    return _typed(lambda text: match_choice(text, list(choices), what))


# -- shared options -------------------------------------------------------------------


def _add_engine_and_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", action="append", metavar="PATH", type=Path,
                        help="a rule file or folder to use INSTEAD of the shipped rules "
                        "(repeat to combine several)")
    parser.add_argument("--add-rules", action="append", metavar="PATH", type=Path,
                        help="a rule file or folder to use IN ADDITION to the shipped rules "
                        "(or to those given with --rules); repeatable")
    parser.add_argument("--engine", type=_choice_type(ENGINE_CHOICES, "engine"), default="auto",
                        metavar="|".join(ENGINE_CHOICES),
                        help="rule engine (default: auto = durable-rules if it imports)")


def _rules_from(args: argparse.Namespace) -> RuleSet | None:
    """The rule set the options ask for (None: the shipped rules)."""
    base: list[Path] = args.rules or []
    added: list[Path] = getattr(args, "add_rules", None) or []
    if not base and not added:
        return None
    return load_rules_showing_progress(*(base or [shipped_rules_dir()]), *added)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _add_context_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "context fields (leave out what is not known; values ignore case, and the start of "
        "a value is enough when only one value begins that way)")
    for name, spec in FIELDS.items():
        convert = _field_type(name)
        if spec.kind == "choice":
            allowed = ", ".join(allowed_values(name))
            group.add_argument(_flag(name), dest=name, metavar="VALUE", type=convert,
                               help=f"{spec.description} One of: {allowed}")
        elif spec.kind == "yes_no":
            group.add_argument(_flag(name), dest=name, metavar="yes|no", type=convert,
                               help=f"{spec.description} yes or no.")
        elif spec.kind == "count":
            group.add_argument(_flag(name), dest=name, metavar="N", type=convert,
                               help=f"{spec.description} A whole number.")
        else:
            group.add_argument(_flag(name), dest=name, metavar="TEXT", help=spec.description)


def _add_output(parser: argparse.ArgumentParser, formats: Sequence[str] = FORMATS) -> None:
    parser.add_argument("--format", type=_choice_type(formats, "format"), default="text",
                        metavar="|".join(formats), help="output format (default: text)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the id of every rule behind a reason")


def _add_context_inputs(parser: argparse.ArgumentParser, with_file: bool = True) -> None:
    if with_file:
        parser.add_argument("--context", metavar="FILE", help="a JSON or YAML file of "
                            "field: value pairs, or - for standard input (flags override it)")
    _add_output(parser)
    _add_engine_and_rules(parser)
    _add_context_flags(parser)


def read_mapping(source: str) -> dict[str, Any]:
    """A context from a JSON or YAML file, or '-' for standard input."""
    return read_context_file(source)


def _flag_values(args: argparse.Namespace) -> dict[str, Any]:
    return {name: getattr(args, name) for name in FIELDS
            if getattr(args, name, None) is not None}


def context_from_file(source: str, extra: dict[str, Any] | None = None) -> Context:
    """A context file's answers (with ``extra`` answers on top) as a validated context; a
    bad answer in the file is reported with the file and line it is on."""
    values, lines = read_context_with_lines(source)
    checked_context(values, "standard input" if source == "-" else source, lines)
    return Context.model_validate({**values, **(extra or {})})


def _context_from(args: argparse.Namespace) -> Context:
    if args.context:
        return context_from_file(args.context, _flag_values(args))
    return Context.model_validate(_flag_values(args))


def _recommend(args: argparse.Namespace, context: Context,
               rules: RuleSet | None) -> Advice:
    return recommend(context, rules=rules, engine=args.engine)


# -- recommend ------------------------------------------------------------------------


def render_recommendation(rec: Recommendation, form: str, verbose: bool = False,
                          rules: RuleSet | None = None) -> str:
    """The full report in a format: text, markdown, json (the ``Report``) or html, each
    rendered the same way: from the result and its analysis."""
    report = (Advice.adopt(rec, rules) if not isinstance(rec, Advice) else rec).report()
    rec, analysis = report.recommendation, report.analysis
    if form == "markdown":
        return to_markdown(rec, analysis, verbose=verbose)
    if form == "json":
        return report.model_dump_json(indent=2)
    if form == "html":
        return html_document(rec, analysis)
    return explain(rec, analysis, verbose=verbose)


def _cmd_recommend(args: argparse.Namespace, out: TextIO) -> int:
    rules = _rules_from(args)  # held here for as long as the result is used
    rec = _recommend(args, _context_from(args), rules)
    out.write(render_recommendation(rec, args.format, args.verbose).rstrip("\n") + "\n")
    return 0


# -- what-if, why-not, path-to, compare -----------------------------------------------


def _write_doc(out: TextIO, doc: Doc, form: str, as_json: Callable[[], str]) -> None:
    out.write((as_json() if form == "json" else render(doc, form)).rstrip("\n") + "\n")


def _parse_change(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueMatchError(f"{text!r} is not FIELD=VALUE (for example aim=share_know_how, "
                              "or aim=unknown to forget an answer)")
    field = match_choice(name, list(FIELDS), "context field")
    if value.strip().lower().replace(" ", "_") in _UNKNOWN:
        return field, None
    return field, match_value(field, value)


def _cmd_what_if(args: argparse.Namespace, out: TextIO) -> int:
    changes: dict[str, Any] = dict(args.set or [])
    if not changes:
        raise UsageError("say what to change with --set FIELD=VALUE (repeatable; "
                         "VALUE 'unknown' forgets an answer)")
    return _answer(args, out, lambda rec: rec.what_if(**changes), what_if_doc)


def _cmd_why_not(args: argparse.Namespace, out: TextIO) -> int:
    return _answer(args, out, lambda rec: rec.why_not(args.approach), why_not_doc)


def _cmd_path_to(args: argparse.Namespace, out: TextIO) -> int:
    return _answer(args, out, lambda rec: rec.path_to(args.approach), path_to_doc)


_Answer = TypeVar("_Answer", bound=BaseModel)


def _answer(args: argparse.Namespace, out: TextIO, ask: Callable[[Recommendation], _Answer],
            doc: Callable[[Recommendation, _Answer, bool], Doc]) -> int:
    """Advise on the command's context, ask the result a question, and write the answer."""
    rules = _rules_from(args)  # held here for as long as the result is used
    rec = _recommend(args, _context_from(args), rules)
    result = ask(rec)
    _write_doc(out, doc(rec, result, args.verbose), args.format,
               lambda: result.model_dump_json(indent=2))
    return 0


def _cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    sources: list[str] = args.contexts
    if len(sources) < 2:
        raise UsageError("compare needs two or more context files (- for one read from "
                         "standard input)")
    if sources.count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    rules = _rules_from(args)
    common = _flag_values(args)
    recs: list[Recommendation] = []
    labels: list[str] = []
    for source in sources:
        context = context_from_file(source, common)
        recs.append(_recommend(args, context, rules))
        label = context.name or ("standard input" if source == "-" else Path(source).stem)
        labels.append(label if label not in labels else f"{label} ({len(labels) + 1})")
    comparison = compare(recs, labels)
    _write_doc(out, compare_doc(comparison, args.verbose), args.format,
               lambda: comparison.model_dump_json(indent=2))
    return 0


def _cmd_team(args: argparse.Namespace, out: TextIO) -> int:
    rules = _rules_from(args)
    team = run_team(read_members(args.members), rules, args.engine)
    out.write(render_team(team, args.format).rstrip("\n") + "\n")
    return 0


# -- interview ------------------------------------------------------------------------


def _refuse_same_file(option: str, output: str, inputs: list[str | None]) -> None:
    try:
        refuse_same_file(option, output, inputs)
    except SameFileError as error:
        raise UsageError(str(error)) from None


def _check_writable(option: str, path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if path.exists() and not path.is_file():
        raise UsageError(f"{option} {path}: it exists and is not a regular file")
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise UsageError(f"{option} {path}: it cannot be written here")


def _cmd_interview(args: argparse.Namespace, out: TextIO) -> int:
    if args.context == "-":
        raise UsageError("the interview reads its answers from standard input, so it cannot "
                         "also read the starting context there; give --context a file")
    rules = _rules_from(args)  # held here for as long as the results are used
    start: dict[str, Any] = read_mapping(args.context) if args.context else {}
    if args.context:  # a bad starting file is reported, with its line, before any question
        context_from_file(args.context)
    for option, target in (("--output", args.output), ("--save", args.save)):
        if target:  # found out before the questions, not after them
            _check_writable(option, Path(target))
    if args.output:
        _refuse_same_file("--output", args.output, [args.context, args.save])
    save = Path(args.save) if args.save else None
    asker = make_asker()

    def advise(answers: dict[str, Any]) -> Recommendation:
        return recommend(answers, rules=rules, engine=args.engine)

    interview = Interview(advise, asker, dict(start), save)
    if save is not None:
        try:
            save_answers(save, interview.answers)
        except OSError as error:
            raise UsageError(f"cannot save the answers to {save}: "
                             f"{error.strerror or error}") from None
    try:
        rec, reason = interview.run()
    except KeyboardInterrupt:
        kept = f"; the answers so far are saved in {save}" if save is not None else ""
        sys.stderr.write(f"\n{PROG}: interrupted{kept}\n")
        return 130
    asker.say(f"\n{reason}." + (f" The answers are saved in {save}." if save else ""))
    report = render_recommendation(rec, args.format, args.verbose).rstrip("\n") + "\n"
    if args.output:
        write_atomic(args.output, report)
        asker.say(f"The report is in {args.output}.")
    else:
        out.write(report)
    return 0


# -- rules check and schema -----------------------------------------------------------


def _cmd_rules_check(args: argparse.Namespace, out: TextIO) -> int:
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


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    if args.rules_schema:
        schema = rule_file_json_schema()
    elif args.report_schema:
        schema = Report.model_json_schema()
    else:
        schema = Context.model_json_schema()
    out.write(json.dumps(schema, indent=2) + "\n")
    return 0


# -- batch ----------------------------------------------------------------------------


_BATCH_COLUMNS = ("row", "name", "top", *(f"score_{a.value}" for a in Approach),
                  "settled", "rules_fired", "error")
"""The columns of batch output, in order."""


def _cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    if args.engine == "durable":  # durable-rules leaves cyclic garbage: keep collecting
        return _run_batch(args, out)
    with collection_paused():  # rows and results hold no cycles: no collector walks
        return _run_batch(args, out)


def _run_batch(args: argparse.Namespace, out: TextIO) -> int:
    if args.output and not args.overwrite_input:
        _refuse_same_file("--output", args.output, [args.input])
    table = read_table(args.input, args.input_format)
    for note in table.notes:
        sys.stderr.write(f"{PROG}: note: {note}\n")
    numbered = [(row.number, row.values if row.values is not None else str(row.error))
                for row in table.rows]
    rules = _rules_from(args)
    form = output_format(args.format, args.output, table)
    if form == "xlsx" and not args.output and sys.stdout.isatty():
        raise UsageError("a workbook cannot be shown on a terminal: give --output FILE.xlsx")
    records: list[list[Any]] = []
    bad = 0
    blank = [""] * (len(_BATCH_COLUMNS) - 2)
    with _progress(len(numbered)) as bar:
        for start in range(0, len(numbered), _CHUNK):
            chunk = numbered[start:start + _CHUNK]
            for (number, _), result in zip(chunk, _compute_chunk(
                    [row for _, row in chunk], rules, args.engine), strict=True):
                if isinstance(result, str):
                    bad += 1
                    sys.stderr.write(f"{table.where(number)}: {result}\n")
                    records.append([number, *blank, result])
                else:
                    result[0] = number
                    records.append(result)
            bar.update(len(chunk))
    if form == "xlsx":
        _write_workbook(records, table, args.output)
    elif args.output:
        with atomic_output(args.output, newline="") as target:
            _write_records(records, form, target, table)
    else:
        _write_records(records, form, out, table)
    if table.carried:
        sys.stderr.write(f"Carried through unchanged: {', '.join(table.carried)}.\n")
    if bad:
        sys.stderr.write(f"{bad} of {len(numbered)} rows could not be read; "
                         "the others completed.\n")
    return 2 if bad else 0


def _progress(total: int) -> Any:
    """A progress bar on stderr when it is a terminal and the input is large, else nothing."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    return tqdm(total=total, unit="row", disable=not sys.stderr.isatty() or total < _CHUNK,
                file=sys.stderr)


def _compute_chunk(chunk: list[dict[str, Any] | str], rules: RuleSet | None,
                   engine: str) -> list[list[Any] | str]:
    """Each row's output cells (in ``_BATCH_COLUMNS`` order, the row number left 0), or its
    error: on the compiled core's array path, or one full recommendation per row when
    durable-rules is asked for by name."""
    readable = [row for row in chunk if isinstance(row, dict)]
    results: Iterator[list[Any] | str]
    if engine == "durable":
        results = iter([
            _record(item.recommendation, bool(item.is_settled))
            if item.recommendation is not None
            else item.error or "unreadable"
            for item in recommend_many(readable, rules=rules, engine="durable")])
    else:
        results = _surveyed(readable, rules)
    return [row if isinstance(row, str) else next(results) for row in chunk]


_TOPS = tuple(approach.value for approach in Approach)


def _surveyed(rows: list[dict[str, Any]], rules: RuleSet | None) -> Iterator[list[Any] | str]:
    """Output cells for rows on the array path (``survey_chunks``), or each row's error."""
    for part in survey_chunks(rows, rules=rules, chunk_size=max(1, len(rows))):
        fired = [" ".join(ids) for ids in part.fired_sets]
        names = (str(row.get("name") or "") for row in rows)
        for name, error, top, scores, settled, which in zip(
                names, part.errors, part.tops, part.scores, part.settled, part.fired,
                strict=True):
            if error is not None:
                yield error
            else:
                yield [0, name, _TOPS[top], *scores, settled, fired[which], ""]


def _record(rec: Recommendation, settled: bool) -> list[Any]:
    return [0, rec.context.name or "", rec.top.approach.value,
            *(rec.score_of(approach) for approach in Approach), settled,
            " ".join(rec.fired_rules), ""]


def _write_records(records: list[list[Any]], form: str, target: TextIO, table: Table) -> None:
    names, wide = widen(_BATCH_COLUMNS, records, table)
    if form == "jsonl":
        for record in wide:
            target.write(json.dumps({column: value for column, value
                                     in zip(names, record, strict=True)
                                     if value != ""}, default=str) + "\n")
        return
    writer = csv.writer(target)
    writer.writerow([defuse(name) for name in names])
    writer.writerows([defuse(cell) for cell in record] for record in wide)


def _write_workbook(records: list[list[Any]], table: Table, output: str | None) -> None:
    names, wide = widen(_BATCH_COLUMNS, records, table)
    if output:
        write_xlsx(names, wide, output)
    else:
        write_xlsx(names, wide, sys.stdout.buffer)
        sys.stdout.buffer.flush()


# -- the parser -----------------------------------------------------------------------


def _context_command(commands: Any, name: str, help_text: str, description: str,
                     run: Callable[[argparse.Namespace, TextIO], int]) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text,
                                                          description=description)
    parser.set_defaults(run=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser, with help on every subcommand."""
    parser = _Parser(
        prog=PROG,
        description="Which collaboration-based approach fits your improvement initiative, "
        "and why.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    rec = _context_command(commands, "recommend", "rank the four approaches for a context",
                           "Rank the four approaches for a context given by flags, a JSON or "
                           "YAML file, or standard input.", _cmd_recommend)
    _add_context_inputs(rec)

    what = _context_command(
        commands, "what-if", "the advice if some answers changed",
        "Show how the advice for a context changes if some answers change: the ranking "
        "before and after, and the reasons that start or stop applying. Example: "
        "collab-advisor what-if --context plan.yaml --set scope=regional_or_national",
        _cmd_what_if)
    what.add_argument("--set", action="append", metavar="FIELD=VALUE",
                      type=_typed(_parse_change),
                      help="a changed answer (repeatable); VALUE 'unknown' forgets an answer")
    _add_context_inputs(what)

    approach = _typed(match_approach)
    names = ", ".join(a.value for a in Approach)
    approach_help = f"one of {names} (or its name or initials: qic, cop, mcn, cc)"
    why = _context_command(
        commands, "why-not", "why an approach does not rank first",
        "Explain an approach's place: what counts against it, and which rules that would "
        "add points to it did not apply, with what they need.", _cmd_why_not)
    why.add_argument("approach", metavar="APPROACH", type=approach,
                     help=approach_help)
    _add_context_inputs(why)

    path = _context_command(
        commands, "path-to", "the fewest changed answers that put an approach first",
        "Search one, two, then three changed answers for the fewest that would make an "
        "approach rank first, and show the ranking after them.", _cmd_path_to)
    path.add_argument("approach", metavar="APPROACH", type=approach,
                      help=approach_help)
    _add_context_inputs(path)

    comp = _context_command(
        commands, "compare", "two or more contexts side by side",
        "Put the advice for two or more contexts side by side: rankings, scores, the "
        "answers that differ, and the reasons that hold for some only. Context flags "
        "apply to every context.", _cmd_compare)
    comp.add_argument("contexts", nargs="+", metavar="CONTEXT",
                      help="JSON or YAML context files (- for one on standard input)")
    _add_context_inputs(comp, with_file=False)

    team = add_team_command(commands, _cmd_team)
    _add_output(team)
    _add_engine_and_rules(team)

    talk = _context_command(
        commands, "interview", "answer the most useful questions, one at a time",
        "Ask about the initiative, purpose first and then the most informative question, "
        "until no answer left could change first place under these rules (settled); then "
        "offer the remaining questions and print the explained recommendation. Type 'why' "
        "for why a question matters for planning, "
        "'back' to change the last answer, 'skip', or 'stop'. Prompts go to the terminal "
        "(or standard error), so the report can be redirected; with standard input not a "
        "terminal, answers are read line by line, so another program can drive it.",
        _cmd_interview)
    talk.add_argument("--context", metavar="FILE", help="start from the answers in this file")
    talk.add_argument("--save", metavar="FILE",
                      help="write the answers, as you give them, to a YAML context file that "
                      "recommend --context reads (kept if you stop or press Ctrl-C)")
    talk.add_argument("--output", metavar="FILE", help="write the report to this file "
                      "(default: standard output)")
    _add_output(talk)
    _add_engine_and_rules(talk)

    rules = commands.add_parser("rules", help="work with rule files",
                                description="Work with rule files.")
    rule_commands = rules.add_subparsers(dest="rules_command", metavar="COMMAND", required=True)
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
    check.add_argument("--engine", type=_choice_type(ENGINE_CHOICES, "engine"), default="auto",
                       metavar="|".join(ENGINE_CHOICES), help="engine to run the examples on")
    check.set_defaults(run=_cmd_rules_check)
    add_rules_diff(rule_commands)

    schema = commands.add_parser("schema", help="print a JSON Schema",
                                 description="Print the JSON Schema of the context (for form "
                                 "builders), with --rules of the rule-file format, or with "
                                 "--report of a recommendation with its analysis.")
    schema.add_argument("--rules", dest="rules_schema", action="store_true",
                        help="the rule-file format instead of the context")
    schema.add_argument("--report", dest="report_schema", action="store_true",
                        help="the report that recommend --format json, the HTTP API, batch "
                        "and team outputs write, instead of the context")
    schema.set_defaults(run=_cmd_schema)

    batch = commands.add_parser(
        "batch", help="recommend for every row of an Excel, CSV or JSON Lines file",
        description="Read contexts from an Excel workbook (.xlsx, its first sheet) or CSV "
        "(one column per field; empty cells are unknown) or JSON Lines, and write one result "
        "per row. Other columns (an id, a team name) are carried through unchanged. Bad rows "
        "are reported by sheet, row and field on standard error; the others still complete "
        "(exit 2 if any failed).")
    batch.add_argument("input", metavar="INPUT",
                       help="a .xlsx, .csv or .jsonl file, or - for stdin")
    batch.add_argument("--input-format", type=_choice_type(INPUT_FORMATS, "input format"),
                       metavar="|".join(INPUT_FORMATS),
                       help="the input's format (default: from its extension)")
    batch.add_argument("--output", metavar="FILE", help="where to write (default: stdout)")
    batch.add_argument("--overwrite-input", action="store_true",
                       help="allow --output to be the input file (it is replaced when done)")
    batch.add_argument("--format", type=_choice_type(TABLE_FORMATS, "format"),
                       metavar="|".join(TABLE_FORMATS),
                       help="output format (default: from --output's extension, else the "
                       "input's format)")
    _add_engine_and_rules(batch)
    batch.set_defaults(run=_cmd_batch)
    add_serve_parser(commands)
    add_record_parser(commands)
    return parser


def _quiet_stdout() -> None:
    """Point standard output at the null device, so that nothing more fails at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - no real stdout to replace
        pass


def _say(message: str) -> None:
    try:
        sys.stderr.write(f"{PROG}: {message}\n")
        sys.stderr.flush()
    except OSError:  # pragma: no cover - standard error is gone too
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    try:
        status: int = args.run(args, out)
        out.flush()
    except UsageError as error:
        _say(f"error: {error}")
        return 2
    except ValidationError as error:
        _say(f"error: {describe_validation_error(error)}")
        return 2
    except (RuleFileError, CollabAdvisorError, ValueMatchError) as error:
        _say(f"error: {' '.join(str(error).split())}")
        return 2
    except BrokenPipeError:
        _quiet_stdout()
        _say("the output was closed before all of it was written (for example by head); "
             "stopped")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except OSError as error:
        _quiet_stdout()
        where = f" {error.filename}" if error.filename else " the output"
        reason = error.strerror or errno.errorcode.get(error.errno or 0, str(error))
        _say(f"error: cannot write{where}: {reason}")
        return 1
    except Exception as error:  # one line, never a traceback
        if os.environ.get("COLLAB_ADVISOR_DEBUG"):
            raise
        _say(f"internal error: {type(error).__name__}: {' '.join(str(error).split())} "
             "(please report it; set COLLAB_ADVISOR_DEBUG=1 to see the details)")
        return 1
    return status


__all__ = ["main"]
