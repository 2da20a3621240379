"""The ``collab-advisor`` command: recommend, what-if, why-not, path-to, compare, team,
interview, rules check and diff, schema, batch, serve, record.

Each command adds its own parser and runs itself (``commands/``, ``team``, ``rulesdiff``,
``record`` and ``web.cli``); this module puts them together and turns every error into one
plain line on standard error, never a traceback: exit status 2 for bad usage or input, 1
when ``rules check`` finds problems or the output cannot be written (a full disk, a closed
pipe), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from .._advice.batch import describe_validation_error
from .._errors import CollabAdvisorError, RuleFileError
from ..web.cli import add_serve_parser
from .commands import batch, interview, questions, recommend, rules, shell
from .commands.recommend import render_recommendation
from .options import PROG, CliParser, UsageError, context_from_file, read_mapping
from .record import add_record_parser
from .team import add_team
from .values import ValueMatchError

COMMANDS: tuple[Callable[[Any], Any], ...] = (
    recommend.add, questions.add_what_if, questions.add_why_not, questions.add_path_to,
    questions.add_compare, add_team, interview.add, rules.add_rules, rules.add_schema,
    batch.add, add_serve_parser, add_record_parser, shell.add)
"""Each command's registration, in the order --help lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser, with help on every subcommand."""
    parser = CliParser(
        prog=PROG,
        description="Which collaboration-based approach fits your improvement initiative, "
        "and why.")
    shell.add_version(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(commands)
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


def _internal(error: Exception) -> int:
    if os.environ.get("COLLAB_ADVISOR_DEBUG"):
        raise error
    _say(f"internal error: {type(error).__name__}: {' '.join(str(error).split())} "
         "(please report it; set COLLAB_ADVISOR_DEBUG=1 to see the details)")
    return 1


def _cannot_write(error: OSError) -> int:
    _quiet_stdout()
    where = f" {error.filename}" if error.filename else " the output"
    reason = error.strerror or errno.errorcode.get(error.errno or 0, str(error))
    _say(f"error: cannot write{where}: {reason}")
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status."""
    parser = build_parser()
    shell.complete(parser)
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
        return _cannot_write(error)
    except Exception as error:  # one line, never a traceback
        return _internal(error)
    return status


__all__ = ["build_parser", "context_from_file", "main", "read_mapping",
           "render_recommendation"]
