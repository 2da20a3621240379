"""What the commands share: the one-line-error parser, typed values, the context, output,
engine and rules options, and reading a context from flags and files."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .._engines.choose import ENGINE_CHOICES
from .._model.context import Context
from .._model.fields import FIELDS
from .._present.notebook import Advice, recommend
from .._rulebook.files import read_context_file, read_context_with_lines
from .._rulebook.loader import shipped_rules_dir
from .._rulebook.ruleset import RuleSet
from .progress import load_rules_showing_progress
from .values import (
    ValueMatchError,
    allowed_values,
    checked_context,
    did_you_mean,
    match_choice,
    match_value,
)

PROG = "collab-advisor"
FORMATS = ("text", "markdown", "json", "html")


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit status 2."""


class CliParser(argparse.ArgumentParser):
    """argparse with one-line errors: no usage block, allowed values and a did-you-mean
    taken from the options of the command that was typed."""

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None,
                         ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self.prog == PROG:  # the top parser: name the command's own options
            self._unrecognized(parsed, extras)
        return parsed, extras

    def _unrecognized(self, parsed: argparse.Namespace, extras: list[str]) -> NoReturn:
        command, path = _command_of(self, parsed)
        message = f"unrecognized arguments: {' '.join(extras)}"
        typed = extras[0].split("=", 1)[0]
        if typed.startswith("--"):
            flags = sorted(_own_flags(command))
            if path:
                message += f" ({typed} is not an option of '{' '.join(path)}'"
                guess = did_you_mean(typed, [flag for flag in flags if flag != typed])
                message += f"; did you mean {guess}?)" if guess else ")"
        self.exit(2, f"{self.prog}: error: {message} (see {' '.join((self.prog, *path))} "
                  "--help)\n")

    def error(self, message: str) -> NoReturn:
        choice = re.search(r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)", message)
        if choice is not None:
            typed = choice.group(1)
            options = [o.strip(" '") for o in choice.group(2).split(",")]
            message = f"{typed!r} is not a command; allowed: {', '.join(options)}"
            guess = did_you_mean(typed, options)
            if guess is not None:
                message += f" (did you mean {guess}?)"
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _command_of(parser: argparse.ArgumentParser, parsed: argparse.Namespace
                ) -> tuple[argparse.ArgumentParser, tuple[str, ...]]:
    """The (sub)command parser the arguments chose, and the words that name it."""
    path: tuple[str, ...] = ()
    while True:
        subs = [action for action in parser._actions
                if isinstance(action, argparse._SubParsersAction)]
        chosen = getattr(parsed, subs[0].dest, None) if subs else None
        if not subs or chosen not in subs[0].choices:
            return parser, path
        parser, path = subs[0].choices[chosen], (*path, chosen)


def _own_flags(parser: argparse.ArgumentParser) -> set[str]:
    """The long options of one command (not of its subcommands)."""
    return {flag for action in parser._actions for flag in action.option_strings
            if flag.startswith("--")}


def typed(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a matcher: a ValueMatchError becomes argparse's one-line error."""
    def parse(text: str) -> Any:
        try:
            return convert(text)
        except ValueMatchError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    parse.__name__ = getattr(convert, "__name__", "value")
    return parse


def field_type(name: str) -> Callable[[str], Any]:
    """An argparse type for a context field (argparse names the flag, so the field is not
    repeated)."""
    def parse(text: str) -> Any:
        try:
            return match_value(name, text)
        except ValueMatchError as error:
            raise argparse.ArgumentTypeError(str(error).removeprefix(f"{name}: ")) from None
    parse.__name__ = name
    return parse


def choice_type(choices: Sequence[str], what: str) -> Callable[[str], Any]:
    """An argparse type accepting one of ``choices`` (or an unambiguous start of one)."""
    return typed(lambda text: match_choice(text, list(choices), what))


def add_engine_and_rules(parser: argparse.ArgumentParser) -> None:
    """--rules, --add-rules and --engine."""
    parser.add_argument("--rules", action="append", metavar="PATH", type=Path,
                        help="a rule file or folder to use INSTEAD of the shipped rules "
                        "(repeat to combine several)")
    parser.add_argument("--add-rules", action="append", metavar="PATH", type=Path,
                        help="a rule file or folder to use IN ADDITION to the shipped rules "
                        "(or to those given with --rules); repeatable")
    completes(parser.add_argument("--engine", type=choice_type(ENGINE_CHOICES, "engine"),
                                  default="auto", metavar="|".join(ENGINE_CHOICES),
                                  help="rule engine (default: auto = durable-rules if it "
                                  "imports)"), ENGINE_CHOICES)


def rules_from(args: argparse.Namespace) -> RuleSet | None:
    """The rule set the options ask for (None: the shipped rules)."""
    base: list[Path] = args.rules or []
    added: list[Path] = getattr(args, "add_rules", None) or []
    if not base and not added:
        return None
    return load_rules_showing_progress(*(base or [shipped_rules_dir()]), *added)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_context_flags(parser: argparse.ArgumentParser) -> None:
    """One option per context field, with its description and allowed values."""
    group = parser.add_argument_group(
        "context fields (leave out what is not known; values ignore case, and the start of "
        "a value is enough when only one value begins that way)")
    for name, spec in FIELDS.items():
        convert = field_type(name)
        if spec.kind == "choice":
            allowed = ", ".join(allowed_values(name))
            completes(group.add_argument(_flag(name), dest=name, metavar="VALUE", type=convert,
                                         help=f"{spec.description} One of: {allowed}"),
                      allowed_values(name))
        elif spec.kind == "yes_no":
            completes(group.add_argument(_flag(name), dest=name, metavar="yes|no", type=convert,
                                         help=f"{spec.description} yes or no."), ["yes", "no"])
        elif spec.kind == "count":
            group.add_argument(_flag(name), dest=name, metavar="N", type=convert,
                               help=f"{spec.description} A whole number.")
        else:
            group.add_argument(_flag(name), dest=name, metavar="TEXT", help=spec.description)


def completes(action: argparse.Action, values: Sequence[str]) -> None:
    """Let shell completion offer ``values`` for an option (argcomplete's completer hook)."""
    offered = list(values)

    def complete(**_: Any) -> list[str]:
        return offered
    setattr(action, "completer", complete)  # noqa: B010 - argcomplete reads this attribute


def add_output(parser: argparse.ArgumentParser, formats: Sequence[str] = FORMATS) -> None:
    """--format and --verbose."""
    completes(parser.add_argument("--format", type=choice_type(formats, "format"),
                                  default="text", metavar="|".join(formats),
                                  help="output format (default: text)"), formats)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the id of every rule behind a reason")


def add_context_inputs(parser: argparse.ArgumentParser, with_file: bool = True) -> None:
    """--context (unless ``with_file`` is false), the output, engine and rules options and
    the context fields."""
    if with_file:
        parser.add_argument("--context", metavar="FILE", help="a JSON or YAML file of "
                            "field: value pairs, or - for standard input (flags override it)")
    add_output(parser)
    add_engine_and_rules(parser)
    add_context_flags(parser)


def command(commands: Any, name: str, help_text: str, description: str,
            run: Callable[..., int]) -> argparse.ArgumentParser:
    """Register a subcommand that ``run`` carries out."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text,
                                                          description=description)
    parser.set_defaults(run=run)
    return parser


def read_mapping(source: str) -> dict[str, Any]:
    """A context from a JSON or YAML file, or '-' for standard input."""
    return read_context_file(source)


def flag_values(args: argparse.Namespace) -> dict[str, Any]:
    """The context fields given as flags."""
    return {name: getattr(args, name) for name in FIELDS
            if getattr(args, name, None) is not None}


def context_from_file(source: str, extra: dict[str, Any] | None = None) -> Context:
    """A context file's answers (with ``extra`` answers on top) as a validated context; a
    bad answer in the file is reported with the file and line it is on."""
    values, lines = read_context_with_lines(source)
    checked_context(values, "standard input" if source == "-" else source, lines)
    return Context.model_validate({**values, **(extra or {})})


def context_from(args: argparse.Namespace) -> Context:
    """The command's context: its --context file, with the flags on top."""
    if args.context:
        return context_from_file(args.context, flag_values(args))
    return Context.model_validate(flag_values(args))


def advise(args: argparse.Namespace, context: Context, rules: RuleSet | None) -> Advice:
    """The recommendation for a context on the command's engine."""
    return recommend(context, rules=rules, engine=args.engine)
