"""``collab-advisor recommend``: rank the four approaches for a context."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from ..._present.explain import explain
from ..._present.notebook import Advice
from ..._present.render import html_document, to_markdown
from ..._result.record import Recommendation
from ..._rulebook.ruleset import RuleSet
from ..options import add_context_inputs, advise, command, context_from, rules_from
from ..short import console_for, write_short


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


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Advise on the context and write the short view (text, unless --full or --verbose)
    or the whole report."""
    rules = rules_from(args)  # held here for as long as the result is used
    rec = advise(args, context_from(args), rules)
    if args.format == "text" and not (args.full or args.verbose):
        write_short(rec, rec.report().analysis, out)
        return 0
    write_paged(render_recommendation(rec, args.format, args.verbose).rstrip("\n") + "\n",
                out)
    return 0


def write_paged(text: str, out: TextIO) -> None:
    """Write ``text``, through a pager when both ends are an interactive terminal and it is
    longer than the screen."""
    import shutil

    height = shutil.get_terminal_size((80, 24)).lines
    if not (out.isatty() and sys.stdin.isatty()) or text.count("\n") < height:
        out.write(text)
        return
    console = console_for(out)
    with console.pager(styles=True):
        console.print(text, end="")


def add(commands: Any) -> None:
    """Register ``recommend``."""
    parser = command(commands, "recommend", "rank the four approaches for a context",
                     "Rank the four approaches for a context given by flags, a JSON or "
                     "YAML file, or standard input.", run)
    parser.add_argument("--full", action="store_true",
                        help="the whole report (every reason with its source, score ranges, "
                        "next questions, considerations, robustness and the checklist) "
                        "instead of the one-screen summary; the markdown, json and html "
                        "formats are always whole")
    add_context_inputs(parser)
