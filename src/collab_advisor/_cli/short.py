"""The short view of ``recommend``: one screen with the verdict (every approach tied at the
top named), the main reasons for the leading approaches, how sure the advice is, and the most
useful next question. Written with rich: wrapped to the terminal's width, coloured only on a
terminal and never under ``NO_COLOR``."""

from __future__ import annotations

import os
import shutil
import textwrap
from typing import TYPE_CHECKING, TextIO

from .._model.wording import join_words, points_text
from .._printable import one_line

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from .._advice.analyse import Analysis
    from .._result.record import RankedApproach, Recommendation

_REASONS = 3
"""The most reasons shown for the first approach (fewer for the others)."""


def console_for(out: TextIO, width: int | None = None) -> Console:
    """A console on ``out``: ``width`` columns, else the terminal's width (or COLUMNS);
    colour on a terminal only, none when NO_COLOR is set."""
    from rich.console import Console

    if width is None and out.isatty():
        width = shutil.get_terminal_size((80, 24)).columns
    return Console(file=out, width=width or _columns(), highlight=False, soft_wrap=False,
                   no_color=bool(os.environ.get("NO_COLOR")), emoji=False, markup=False)


def _columns() -> int:
    try:
        return max(40, int(os.environ.get("COLUMNS", "80")))
    except ValueError:
        return 80


def _leaders(rec: Recommendation) -> list[RankedApproach]:
    """The approaches tied at the top, or the first and the runner-up."""
    if rec.is_tie:
        return [r for r in rec.ranking if r.approach in rec.tied_for_first]
    return list(rec.ranking[:2])


def verdict(rec: Recommendation) -> str:
    """The verdict in one sentence, naming every approach tied at the top."""
    top = rec.top
    if rec.is_tie:
        names = join_words([r.name for r in _leaders(rec)])
        if len(rec.tied_for_first) == len(rec.ranking):
            return f"No approach is ahead: all four are tied at {points_text(top.score)}."
        return f"A tie for first place: {names}, with {points_text(top.score)} each."
    if rec.tie_break is not None:
        level = join_words([rec.ranked(a).name for a in rec.tie_break.level_on_points
                            if a is not top.approach])
        return (f"{top.name} fits best on the stated tie-break: level with {level} on "
                f"{points_text(top.score)}, more of its defining (then typical, then hedged) "
                "features hold.")
    runner_up = rec.ranking[1]
    return (f"{top.name} fits best, with {points_text(top.score)}, "
            f"{points_text(top.score - runner_up.score)} ahead of {runner_up.name}.")


def _tie_line(rec: Recommendation, an: Analysis) -> str:
    """Whether an open question could still separate a tie that stands."""
    if an.tie is None or not an.tie.separable:
        return ("The stated tie-break leaves them level, and nothing left to ask can "
                "separate them (see --full for how they differ in the guidance).")
    return ("The stated tie-break leaves them level; answers still open could separate "
            "them (see --full).")


def how_sure(rec: Recommendation, an: Analysis) -> str:
    """How often first place holds (settled: in every way), whether it rests on the
    weighting, and how strongly the top approach fits."""
    text = f"{an.confidence.short} {an.confidence.alternatives_text}"
    return f"{text} Fit: {an.fit.strength}. {one_line(an.fit.message)}"


def short_view(rec: Recommendation, an: Analysis) -> list[RenderableType]:
    """The short view's parts, in order, for a rich console."""
    from rich.padding import Padding
    from rich.text import Text

    parts: list[RenderableType] = []
    title = "Which approach fits" + (f": {one_line(rec.context.name)}"
                                    if rec.context.name else "")
    parts.append(Text(title, style="bold"))
    parts.append(Text(verdict(rec), style="bold green"))
    parts.append(Text(f"Grades: {rec.grade_summary}."))
    if rec.is_tie and an.tie is not None:
        parts.append(Text(_tie_line(rec, an)))
    parts.append(Text(""))
    parts.append(Text("Main reasons", style="bold underline"))
    leaders = _leaders(rec)
    for place, ranked in enumerate(leaders):
        parts.append(Text(f"{ranked.name} ({points_text(ranked.score)})", style="bold"))
        shown = sorted(ranked.reasons, key=lambda r: -abs(r.points))
        shown = shown[:_REASONS if place == 0 else max(1, _REASONS - len(leaders) + 1)]
        if not shown:
            parts.append(Padding(Text("No rule applied to it for this context."), (0, 0, 0, 2)))
        for reason in shown:
            sign = "+" if reason.points >= 0 else "-"
            words = textwrap.shorten(one_line(reason.text), 150, placeholder="...")
            parts.append(Padding(Text(f"{sign} {words} ({reason.points:+d}; {reason.grade})"),
                                 (0, 0, 0, 2)))
        more = len(ranked.reasons) - len(shown)
        if more > 0:
            parts.append(Padding(Text(f"and {more} more (see --full)", style="dim"),
                                 (0, 0, 0, 2)))
    parts.append(Text(""))
    parts.append(Text("How sure", style="bold underline"))
    parts.append(Text(how_sure(rec, an)))
    if an.next_questions:
        question = an.next_questions[0]
        parts.append(Text(""))
        parts.append(Text("Most useful next question", style="bold underline"))
        parts.append(Text(f"{one_line(question.question)} (--{question.field.replace('_', '-')})"))
        parts.append(Padding(Text(textwrap.shorten(one_line(question.why), 200,
                                                   placeholder="..."), style="dim"),
                             (0, 0, 0, 2)))
    parts.append(Text(""))
    parts.append(Text("The whole report, with every reason and its source: add --full.",
                      style="dim"))
    return parts


def write_short(rec: Recommendation, an: Analysis, out: TextIO,
                width: int | None = None) -> None:
    """Write the short view to ``out``, ``width`` columns wide (default: the terminal's)."""
    console = console_for(out, width)
    with console.capture() as captured:
        for part in short_view(rec, an):
            console.print(part)
    out.write("\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n")
