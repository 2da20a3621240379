"""The questions asked of a result: ``what-if``, ``why-not``, ``path-to`` and ``compare``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pydantic import BaseModel

from ..._advice.compare import compare
from ..._model.context import Approach
from ..._model.fields import FIELDS
from ..._result.record import Recommendation
from ..options import (
    UsageError,
    add_context_inputs,
    advise,
    command,
    context_from,
    context_from_file,
    flag_values,
    rules_from,
    typed,
)
from ..render import Doc, render
from ..reports import compare_doc, path_to_doc, what_if_doc, why_not_doc
from ..values import ValueMatchError, match_approach, match_choice, match_value

_UNKNOWN = ("unknown", "not_known", "none", "null", "")
_Answer = TypeVar("_Answer", bound=BaseModel)


def _write_doc(out: TextIO, doc: Doc, form: str, as_json: Callable[[], str]) -> None:
    out.write((as_json() if form == "json" else render(doc, form)).rstrip("\n") + "\n")


def _answer(args: argparse.Namespace, out: TextIO, ask: Callable[[Recommendation], _Answer],
            doc: Callable[[Recommendation, _Answer, bool], Doc]) -> int:
    """Advise on the command's context, ask the result a question, and write the answer."""
    rules = rules_from(args)  # held here for as long as the result is used
    rec = advise(args, context_from(args), rules)
    result = ask(rec)
    _write_doc(out, doc(rec, result, args.verbose), args.format,
               lambda: result.model_dump_json(indent=2))
    return 0


def parse_change(text: str) -> tuple[str, Any]:
    """FIELD=VALUE as a field and its value (None for 'unknown')."""
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueMatchError(f"{text!r} is not FIELD=VALUE (for example aim=share_know_how, "
                              "or aim=unknown to forget an answer)")
    field = match_choice(name, list(FIELDS), "context field")
    if value.strip().lower().replace(" ", "_") in _UNKNOWN:
        return field, None
    return field, match_value(field, value)


def _run_what_if(args: argparse.Namespace, out: TextIO) -> int:
    changes: dict[str, Any] = dict(args.set or [])
    if not changes:
        raise UsageError("say what to change with --set FIELD=VALUE (repeatable; "
                         "VALUE 'unknown' forgets an answer)")
    return _answer(args, out, lambda rec: rec.what_if(**changes), what_if_doc)


def add_what_if(commands: Any) -> None:
    """Register ``what-if``."""
    parser = command(
        commands, "what-if", "the advice if some answers changed",
        "Show how the advice for a context changes if some answers change: the ranking "
        "before and after, and the reasons that start or stop applying. Example: "
        "collab-advisor what-if --context plan.yaml --set scope=regional_or_national",
        _run_what_if)
    parser.add_argument("--set", action="append", metavar="FIELD=VALUE",
                        type=typed(parse_change),
                        help="a changed answer (repeatable); VALUE 'unknown' forgets an answer")
    add_context_inputs(parser)


def _add_approach(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(a.value for a in Approach)
    parser.add_argument("approach", metavar="APPROACH", type=typed(match_approach),
                        help=f"one of {names} (or its name or initials: qic, cop, mcn, cc)")
    add_context_inputs(parser)


def add_why_not(commands: Any) -> None:
    """Register ``why-not``."""
    _add_approach(command(
        commands, "why-not", "why an approach does not rank first",
        "Explain an approach's place: what counts against it, and which rules that would "
        "add points to it did not apply, with what they need.",
        lambda args, out: _answer(args, out, lambda rec: rec.why_not(args.approach),
                                  why_not_doc)))


def add_path_to(commands: Any) -> None:
    """Register ``path-to``."""
    _add_approach(command(
        commands, "path-to", "the fewest changed answers that put an approach first",
        "Search one, two, then three changed answers for the fewest that would make an "
        "approach rank first, and show the ranking after them.",
        lambda args, out: _answer(args, out, lambda rec: rec.path_to(args.approach),
                                  path_to_doc)))


def _run_compare(args: argparse.Namespace, out: TextIO) -> int:
    sources: list[str] = args.contexts
    if len(sources) < 2:
        raise UsageError("compare needs two or more context files (- for one read from "
                         "standard input)")
    if sources.count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    rules = rules_from(args)
    common = flag_values(args)
    recs: list[Recommendation] = []
    labels: list[str] = []
    for source in sources:
        context = context_from_file(source, common)
        recs.append(advise(args, context, rules))
        label = context.name or ("standard input" if source == "-" else Path(source).stem)
        labels.append(label if label not in labels else f"{label} ({len(labels) + 1})")
    comparison = compare(recs, labels)
    _write_doc(out, compare_doc(comparison, args.verbose), args.format,
               lambda: comparison.model_dump_json(indent=2))
    return 0


def add_compare(commands: Any) -> None:
    """Register ``compare``."""
    parser = command(
        commands, "compare", "two or more contexts side by side",
        "Put the advice for two or more contexts side by side: rankings, scores, the "
        "answers that differ, and the reasons that hold for some only. Context flags "
        "apply to every context.", _run_compare)
    parser.add_argument("contexts", nargs="+", metavar="CONTEXT",
                        help="JSON or YAML context files (- for one on standard input)")
    add_context_inputs(parser, with_file=False)
