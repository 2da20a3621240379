"""The plain-language explanation of a recommendation."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from ._fields import RULE_FIELDS
from ._wording import describe_value

if TYPE_CHECKING:
    from ._recommend import FindingTrace, Reason, Recommendation

_WIDTH = 88
_ENGINE_LABELS = {"durable": "durable-rules (Rete)", "python": "plain Python"}


def _points(value: int) -> str:
    return f"{value} point" if abs(value) == 1 else f"{value} points"


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, _WIDTH, initial_indent=first if first is not None else indent,
        subsequent_indent=indent, break_on_hyphens=False,
    )


def _finding_lines(trace: FindingTrace, indent: str, seen: set[str]) -> list[str]:
    lines = []
    for inference in trace.established_by:
        lines += _wrap(
            f"{trace.text} [{inference.rule_id}]",
            indent + "  ", indent + "because: ",
        )
        for deeper in inference.via:
            if deeper.finding not in seen:  # show each finding's chain once per reason
                seen.add(deeper.finding)
                lines += _finding_lines(deeper, indent + "  ", seen)
    return lines


def _reason_lines(reason: Reason) -> list[str]:
    sign = f"{reason.points:+d}"
    lines = _wrap(reason.text, " " * 9, f"   {sign:>4}  ")
    lines += _wrap(f"[{reason.rule_id}; {reason.source}]", " " * 10, " " * 9)
    seen: set[str] = set()
    for trace in reason.via:
        seen.add(trace.finding)
        lines += _finding_lines(trace, " " * 9, seen)
    return lines


def explain(rec: Recommendation) -> str:
    """Every approach, best first, with each reason, its source and its chain of findings."""
    lines: list[str] = []
    title = "Which collaboration-based approach fits"
    if rec.context.name:
        title += f": {rec.context.name}"
    lines += [title, "=" * min(len(title), _WIDTH)]
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
    for ranked in rec.ranking:
        lines.append(f"{ranked.rank}. {ranked.name}: {_points(ranked.score)}")
        if not ranked.reasons:
            lines.append("       No rule applied to this approach for this context.")
        for reason in ranked.reasons:
            lines += _reason_lines(reason)
        lines.append("")
    tied = rec.tied_at_top
    if len(tied) > 1:
        names = [r.name for r in rec.ranking if r.approach in tied]
        joined = ", ".join(names[:-1]) + " and " + names[-1]
        lines += _wrap(
            f"{joined} share the top score ({_points(rec.top.score)}). The tie is "
            "broken by the fixed order of approaches (Quality Improvement Collaborative, "
            "Community of Practice, Managed Clinical Network, Clinical Community); telling "
            "us more about the context may separate them.", "",
        )
        lines.append("")
    lines.append(
        f"Rules {rec.rules_version} (fingerprint {rec.rules_fingerprint[:12]}); "
        f"engine: {_ENGINE_LABELS[rec.engine]}."
    )
    return "\n".join(lines)
