"""``collab-advisor interview``: the most useful questions, one at a time."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from ..._advice.confidence_stop import STOP_SHARE
from ..._present.notebook import recommend
from ..._result.record import Recommendation
from ..atomic import SameFileError, refuse_same_file, write_atomic
from ..interview import Interview, make_asker, offer_to_save, save_answers
from ..options import (
    PROG,
    UsageError,
    add_engine_and_rules,
    add_output,
    command,
    context_from_file,
    read_mapping,
    rules_from,
)
from .recommend import render_recommendation


def stop_share(text: str) -> float:
    """A stop share as 0.9 or 90%: above 0 and at most 1."""
    spelled = text.strip()
    try:
        value = float(spelled.rstrip("%")) / (100 if spelled.endswith("%") else 1)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(
            f"--stop-share {text!r}: give a share above 0 and at most 1, such as 0.9 or 90%")
    return value


def refuse_same(option: str, output: str, inputs: list[str | None]) -> None:
    """Refuse to write ``output`` over one of the inputs, as a usage error."""
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


def _checked_start(args: argparse.Namespace) -> dict[str, Any]:
    """The starting answers, with every file checked before the first question."""
    if args.context == "-":
        raise UsageError("the interview reads its answers from standard input, so it cannot "
                         "also read the starting context there; give --context a file")
    start: dict[str, Any] = read_mapping(args.context) if args.context else {}
    if args.context:  # a bad starting file is reported, with its line, before any question
        context_from_file(args.context)
    for option, target in (("--output", args.output), ("--save", args.save)):
        if target:  # found out before the questions, not after them
            _check_writable(option, Path(target))
    if args.output:
        refuse_same("--output", args.output, [args.context, args.save])
    return start


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Ask, then write the report."""
    start = _checked_start(args)
    rules = rules_from(args)  # held here for as long as the results are used
    save = Path(args.save) if args.save else None
    asker = make_asker()

    def advise(answers: dict[str, Any]) -> Recommendation:
        return recommend(answers, rules=rules, engine=args.engine)

    interview = Interview(advise, asker, dict(start), save, threshold=args.stop_share)
    if save is not None:
        try:
            save_answers(save, interview.answers)
        except OSError as error:
            raise UsageError(f"cannot save the answers to {save}: "
                             f"{error.strerror or error}") from None
    try:
        rec, reason = interview.run()
    except KeyboardInterrupt:
        if save is None:
            save = offer_to_save(asker, interview.answers)
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


def add(commands: Any) -> None:
    """Register ``interview``."""
    parser = command(
        commands, "interview", "answer the most useful questions, one at a time",
        "Ask about the initiative, purpose first and then the question after which the "
        "fewest questions are expected, until one approach comes first in at least "
        "the stop share of the ways the questions not yet asked could be answered (90% "
        "unless --stop-share says otherwise), until first place is settled, or until nothing "
        "is left; say why it stopped, offer the remaining questions and print the explained "
        "recommendation. Type '?' for "
        "the keys, 'why' for why a question matters for planning, 'b' to change the last "
        "answer, Enter or 's' to skip (the answer is left unknown), 'q' to stop; Ctrl-C "
        "leaves, offering to save the answers. Prompts go to the terminal "
        "(or standard error), so the report can be redirected; with standard input not a "
        "terminal, answers are read line by line, so another program can drive it.", run)
    parser.add_argument("--context", metavar="FILE", help="start from the answers in this file")
    parser.add_argument("--save", metavar="FILE",
                        help="write the answers, as you give them, to a YAML context file that "
                        "recommend --context reads (kept if you stop or press Ctrl-C)")
    parser.add_argument("--stop-share", metavar="SHARE", type=stop_share, default=STOP_SHARE,
                        help="stop once one approach comes first in at least this share of "
                        "the ways the questions not yet asked could be answered: 0.9 or "
                        "90%% (default), up to 1 (100%%: only when settled)")
    parser.add_argument("--output", metavar="FILE", help="write the report to this file "
                        "(default: standard output)")
    add_output(parser)
    add_engine_and_rules(parser)
