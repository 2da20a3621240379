"""The plain-language explanation of a recommendation."""

from __future__ import annotations

import functools
import re
import textwrap
from typing import TYPE_CHECKING

from .._model.fields import RULE_FIELDS
from .._model.wording import (
    NO_ADVICE_HEADLINE,
    describe_value,
    field_label,
    join_words,
    no_advice_detail,
    points_text,
    provenance,
)
from .._printable import one_line, printable
from .advicewords import checklist_note, settled_text
from .confidence_face import (
    CONFIDENCE_HEADING,
    caveat_lines,
    confidence_lines,
)
from .tiewords import first_names, grade_text, tie_break_text, tie_outlook_text

_NEXT_SHOWN = 3
"""How many next questions the explanation lists (the reports list them all)."""

if TYPE_CHECKING:
    from .._advice.analyse import Analysis
    from .._result.record import FindingTrace, Reason, Recommendation

_WIDTH = 88


_CONTROL_SPACE = frozenset("\t\n\x0b\x0c\r")


def _wrap(text: str, indent: str, first: str | None = None, *, kept: bool = False
          ) -> list[str]:
    """``textwrap.wrap`` at ``_WIDTH`` (no breaks at hyphens), the same lines, faster: a
    text that fits on its first line is that line, and a longer one of words and spaces
    is wrapped by position (``_spaced_wrap``). ``kept``: the text comes from the rule set
    or the guidance, not from the context, and its lines are kept (``_wrapped_kept``)."""
    lead = first if first is not None else indent
    if (text and len(lead) + len(text) <= _WIDTH and not text[-1].isspace()
            and _CONTROL_SPACE.isdisjoint(text)):
        return [lead + text]
    return list(_wrapped_kept(text, indent, lead) if kept else _wrapped(text, indent, lead))


_OTHER_SPACE = re.compile(r"[^\S ]")
"""White space other than the space itself (textwrap splits on ASCII white space and drops
chunks that ``str.strip`` empties, so only text without it is wrapped by position)."""
_NOT_SPACE = re.compile("[^ ]")


def _run_end(text: str, at: int) -> int:
    """Where the chunk (a word, or a run of spaces) starting at ``at`` ends."""
    if text[at] == " ":
        found = _NOT_SPACE.search(text, at)
        return len(text) if found is None else found.start()
    found_space = text.find(" ", at)
    return len(text) if found_space < 0 else found_space


def _line_end(text: str, at: int, limit: int) -> int:
    """The last chunk boundary at or before ``limit`` (and not before ``at``): where a
    line starting at ``at`` ends when it may hold ``limit - at`` characters."""
    if limit >= len(text):
        return len(text)
    if (text[limit] == " ") != (text[limit - 1] == " "):
        return limit
    if text[limit] != " ":  # inside a word: back to the space before it
        return max(at, text.rfind(" ", at, limit) + 1)
    return at + len(text[at:limit].rstrip(" "))  # inside spaces: back to their start


def _spaced_wrap(text: str, indent: str, lead: str) -> list[str] | None:
    """textwrap's greedy algorithm for text whose only white space is spaces, or ``None``
    where a word does not fit on a line (textwrap then breaks it). It works on positions,
    a line at a time: the line ends at the last chunk (word or run of spaces) that fits."""
    lines: list[str] = []
    at, size = 0, len(text)
    while at < size:
        start = indent if lines else lead
        width = _WIDTH - len(start)
        if width <= 0:
            return None
        if lines and text[at] == " ":
            at = _run_end(text, at)  # a new line drops the spaces it would start with
            if at >= size:
                break
        end = _line_end(text, at, at + width)
        if end < size and _run_end(text, end) - end > width:
            return None
        line = text[at:end].rstrip(" ")  # nor does it keep the spaces it would end with
        if line:
            lines.append(start + line)
        at = end
    return lines


def _wrapped(text: str, indent: str, lead: str) -> tuple[str, ...]:
    if _OTHER_SPACE.search(text) is None:
        lines = _spaced_wrap(text, indent, lead)
        if lines is not None:
            return tuple(lines)
    return tuple(textwrap.wrap(text, _WIDTH, initial_indent=lead, subsequent_indent=indent,
                               break_on_hyphens=False))


@functools.lru_cache(maxsize=4096)
def _wrapped_kept(text: str, indent: str, lead: str) -> tuple[str, ...]:
    """``_wrapped``, kept for texts of the rule set and the guidance (rule texts, sources,
    considerations, field questions): the same few hundred in every explanation."""
    return _wrapped(text, indent, lead)


def _finding_lines(trace: FindingTrace, indent: str, seen: set[str],
                   verbose: bool) -> list[str]:
    lines = []
    # Without rule ids, several rules establishing one finding would read as repeats.
    shown = trace.established_by if verbose else trace.established_by[:1]
    for inference in shown:
        lines += _wrap(
            f"{trace.text} [{inference.rule_id}]" if verbose else trace.text,
            indent + "  ", indent + "because: ", kept=True,
        )
        for deeper in inference.via:
            if deeper.finding not in seen:  # show each finding's chain once per reason
                seen.add(deeper.finding)
                lines += _finding_lines(deeper, indent + "  ", seen, verbose)
    return lines


def _reason_lines(reason: Reason, verbose: bool) -> list[str]:
    sign = f"{reason.points:+d}"
    lines = _wrap(reason.text, " " * 9, f"   {sign:>4}  ", kept=True)
    cited = (f"[{reason.rule_id}; {reason.source}; {grade_text(reason.grade)}]" if verbose
             else f"[{reason.source}; {grade_text(reason.grade)}]")
    lines += _wrap(cited, " " * 10, " " * 9, kept=True)
    seen: set[str] = set()
    for trace in reason.via:
        seen.add(trace.finding)
        lines += _finding_lines(trace, " " * 9, seen, verbose)
    return lines


def summary(rec: Recommendation, an: Analysis) -> str:
    """One paragraph: the best fit, its lead, how much is known and whether it could change."""
    top = rec.top
    tied = rec.tied_at_top
    total = len(RULE_FIELDS)
    if len(rec.unknown_fields) == total and len(tied) == len(rec.ranking):
        first = an.next_questions[0].question if an.next_questions else ""
        return (f"Nothing is known yet, so no approach is ahead ({points_text(top.score)} "
                "each)." + (f" The most useful thing to find out first: {first}" if first else ""))
    if len(tied) > 1:
        names = join_words(first_names(rec))
        text = (f"{names} are tied for first place, with {points_text(top.score)} each; "
                "no approach is preferred among them.")
    elif rec.tie_break is not None:
        level = [rec.ranked(a).name for a in rec.tie_break.level_on_points if a not in tied]
        text = (f"{top.name} fits best on the stated tie-break: level on "
                f"{points_text(top.score)} with {join_words(level)}, more of its defining "
                "(then typical, then hedged) features hold.")
    else:
        runner_up = rec.ranking[1]
        lead = top.score - runner_up.score
        text = (f"{top.name} fits best, with {points_text(top.score)}, "
                f"{points_text(lead)} ahead of {runner_up.name}.")
    known = total - len(rec.unknown_fields)
    text += f" This rests on {known} of the {total} answers the rules use."
    text += f" The grades: {rec.grade_summary}."
    if not rec.unknown_fields:
        text += " Everything is known, so the ranking cannot change."
    elif an.is_settled:
        text += " The other answers could not change which approach ranks first."
    else:
        text += " Other answers could still change which approach ranks first"
        if an.next_questions:
            text += f"; the most useful to find out next: {an.next_questions[0].question}"
        if not text.endswith(("?", ".")):
            text += "."
    fit = an.fit.strength
    if fit in ("strong", "moderate") and not an.is_settled:
        text += f" On the answers so far, the fit is {fit}."
        return text
    text += {"strong": " The fit is strong.", "moderate": " The fit is moderate.",
             "weak": " Even this approach fits weakly.",
             "unclear": " Too little is known yet to judge how well it fits."}[fit]
    return text


def explain(rec: Recommendation, an: Analysis, verbose: bool = True) -> str:
    """A summary, then every approach, best first, with each reason, its source and its
    chain of findings; ``verbose=False`` leaves out the rule ids."""
    lines: list[str] = []
    title = "Which collaboration-based approach fits"
    if rec.context.name:
        title += f": {one_line(rec.context.name)}"
    lines += [title, "=" * min(len(title), _WIDTH)]
    lines += _wrap(summary(rec, an), "")
    lines.append("")
    lines += _confidence_block(an)
    known = rec.context.known()
    described = [
        f"{name.replace('_', ' ')} = {describe_value(name, known[name])}"
        for name in RULE_FIELDS if name in known
    ]
    lines += _wrap("Known: " + ("; ".join(described) if described else "nothing yet") + ".", "  ",
                   "")
    if rec.unknown_fields:
        unknown = ", ".join(name.replace("_", " ") for name in rec.unknown_fields)
        lines += _wrap(f"Not known yet ({len(rec.unknown_fields)}): {unknown}.", "  ", "")
    lines.append("")
    if not an.has_advice:
        lines += _wrap(f"{NO_ADVICE_HEADLINE} {no_advice_detail(rec.top.name)}", "")
        lines.append("")
    for ranked in rec.ranking:
        lines.append(f"{ranked.rank}. {ranked.name}: {points_text(ranked.score)}")
        if not ranked.reasons:
            lines.append("       No rule applied to this approach for this context.")
        for reason in ranked.reasons:
            lines += _reason_lines(reason, verbose)
        lines.append("")
    lines += _tie_lines(rec, an)
    lines += _outlook_lines(rec, an, verbose)
    lines.append(provenance(rec.rules_version, rec.rules_fingerprint, rec.engine))
    return printable("\n".join(lines))


def _tie_lines(rec: Recommendation, an: Analysis) -> list[str]:
    """The stated tie-break when it applied, and a tie that stands named as one."""
    if rec.tie_break is None:
        return []
    lines = _heading("Tie at the top" if rec.is_tie else "Level on points: the stated tie-break")
    lines += _wrap(tie_break_text(rec), "")
    outlook = tie_outlook_text(rec, an)
    if outlook:
        lines += _wrap(outlook, "")
    lines.append("")
    return lines


def _confidence_block(an: Analysis) -> list[str]:
    lines = _heading(CONFIDENCE_HEADING)
    for paragraph in confidence_lines(an.confidence):
        lines += _wrap(paragraph, "")
    return [*lines, ""]


def _caveat_block(an: Analysis) -> list[str]:
    paragraphs = caveat_lines(an.evidence_caveat)
    if not paragraphs:
        return []
    lines = _heading(paragraphs[0].rstrip(":"))
    for paragraph in paragraphs[1:]:
        lines += _wrap(paragraph, "    ", "  - ")
    return [*lines, ""]


def _heading(title: str) -> list[str]:
    return [title, "-" * len(title)]


def _outlook_lines(rec: Recommendation, an: Analysis, verbose: bool) -> list[str]:
    """Settledness, robustness, fit, next questions, considerations and the checklist."""
    lines = _heading("Could the open questions still change first place?")
    lines += _wrap(settled_text(rec, an), "")
    unknown = len(rec.unknown_fields)
    if unknown:
        kind = "exact" if an.ranges_exact else "bounds: too many combinations to score each"
        lines += _wrap(f"Detail: the scores the approaches could reach once everything is "
                       f"known ({kind}):", "")
        for ranked in rec.ranking:
            low, high = an.score_range(ranked.approach)
            lines.append(f"  {ranked.name}: {low} to {high} (now {ranked.score})")
    lines.append("")
    lines += _heading("How robust is first place?")
    lines += _wrap(an.robustness.message, "")
    lines.append("")
    lines += _heading("Fit")
    lines += _wrap(an.fit.message, "")
    lines.append("")
    if an.next_questions:
        lines += _heading("Still open (no answer can change first place under these rules)"
                          if an.is_settled else "What to find out next")
        for number, question in enumerate(an.next_questions[:_NEXT_SHOWN], start=1):
            lines += _wrap(f"{question.question} ({field_label(question.field)}: "
                           f"{' / '.join(question.answers)})", "     ", f"  {number}. ",
                           kept=True)
            lines += _wrap(question.why, "     ")
        left = len(an.next_questions) - _NEXT_SHOWN
        if left > 0:
            lines += _wrap(f"... and {left} more question{'s' if left > 1 else ''}, listed in "
                           "the Markdown and HTML reports (the interview asks them in its own "
                           "order, looking further ahead).", "     ", "  ")
        lines.append("")
    raised = [c for c in an.considerations if c.raised]
    reminders = [c for c in an.considerations if not c.raised]
    lines += _heading("Things to consider")
    if raised:
        lines.append("Raised by this context:")
    for consideration in raised:
        lines.append(f"  {consideration.title}")
        for reason in consideration.reasons:
            cited = (f"[{reason.rule_id}; {reason.source}]" if verbose
                     else f"[{reason.source}]")
            lines += _wrap(f"{reason.why} {cited}", "      ", "    - ", kept=True)
    if reminders:
        lines.append("General reminders (nothing in this context raised them):")
    for consideration in reminders:
        lines += _wrap(f"{consideration.title}: {consideration.reminder}", "      ", "  - ",
                       kept=True)
    lines.append("")
    lines += _caveat_block(an)
    lines += _heading("Planning checklist (the guidance's practical questions, in our words)")
    lines += _wrap("For the planners to answer; the context only informs them.", "")
    for item in an.planning_questions:
        lines += _wrap(f"{item.question} ({checklist_note(item)})", "        ",
                       f"  [ ] {item.number}. ")
    lines.append("")
    return lines


