"""The confidence measure on each face: text, Markdown and HTML (a small bar of the shares
with the numbers as text, never colour alone)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._advice.analyse import Analysis
    from .._advice.confidence import Confidence, OutcomeShare
    from .._advice.considerations import Consideration
    from .._result.record import Recommendation

CAVEAT_NOTE = "a caveat on the evidence, not one of the eight considerations"

CONFIDENCE_HEADING = "How often first place holds"

_SHADES = ("#2f7d4a", "#4f6fad", "#a0662b", "#7a4a8c")
"""Segment fills per approach; every segment also carries its name and share as text."""

CONFIDENCE_CSS = """
.ca-share{display:flex;height:16px;min-width:200px;max-width:520px;border-radius:3px;
  overflow:hidden;background:#f3f5f9;margin:.3em 0}
.ca-share span{display:block;height:16px}
.ca-share .tie{background:repeating-linear-gradient(45deg,#8a93a3,#8a93a3 3px,#c8ced8 3px,
  #c8ced8 6px)}
@media print{.ca-share span{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def confidence_lines(conf: Confidence) -> list[str]:
    """The measure as plain text paragraphs (summary, assumption, alternative weightings)."""
    return [conf.summary, f"{conf.assumption}.", conf.alternatives_text]


def confidence_markdown(conf: Confidence) -> list[str]:
    """The measure as Markdown lines, headed in bold."""
    lines = [f"**{CONFIDENCE_HEADING}:** {conf.summary} *{conf.assumption}.* "
             f"{conf.alternatives_text}", ""]
    return [_md(line) if line else line for line in lines]


def _md(text: str) -> str:
    for char in "|<>":
        text = text.replace(char, "\\" + char)
    return text


def share_label(outcome: OutcomeShare) -> str:
    """One outcome and its share in words: 'Community of Practice: 62%'."""
    from .._advice.confidence import outcome_words

    share = f"{100 * outcome.share:.0f}%"
    if outcome.margin is not None:
        share = f"about {share} (±{100 * outcome.margin:.1f} points)"
    return f"{outcome_words(outcome.approaches)}: {share}"


def confidence_html(conf: Confidence) -> str:
    """The measure as HTML: the sentence, then a bar of the shares whose segments and
    legend give each outcome's name and share in text."""
    from .._engines.plan import APPROACHES

    segments = []
    legend = []
    for outcome in conf.outcomes:
        label = escape(share_label(outcome))
        if outcome.is_tie:
            style, kind = "", ' class="tie"'
        else:
            fill = _SHADES[APPROACHES.index(outcome.approaches[0]) % len(_SHADES)]
            style, kind = f"background:{fill};", ""
        segments.append(f'<span{kind} style="{style}width:{100 * outcome.share:.2f}%" '
                        f'title="{label}"></span>')
        legend.append(f"<li>{label}</li>")
    summary = escape(", ".join(share_label(o) for o in conf.outcomes))
    return (f'<section class="ca-confidence"><h2>{CONFIDENCE_HEADING}</h2>'
            f"<p>{escape(conf.summary)}</p>"
            f'<div class="ca-share" role="img" aria-label="{summary}">{"".join(segments)}'
            f'</div><ul class="ca-note">{"".join(legend)}</ul>'
            f'<p class="ca-note">{escape(conf.assumption)}. '
            f"{escape(conf.alternatives_text)}</p></section>")


def caveat_lines(caveat: Consideration | None) -> list[str]:
    """The evidence caveat as plain paragraphs (empty when there is none)."""
    if caveat is None:
        return []
    return [f"{caveat.title} ({CAVEAT_NOTE}):",
            *(f"{reason.why} [{reason.source}]" for reason in caveat.reasons)]


def caveat_markdown(caveat: Consideration | None) -> list[str]:
    """The evidence caveat as Markdown, apart from the considerations."""
    if caveat is None:
        return []
    said = " ".join(f"{_md(reason.why)} *({_md(reason.source)})*" for reason in caveat.reasons)
    return [f"**{_md(caveat.title)}** ({CAVEAT_NOTE}): {said}", ""]


def caveat_html(caveat: Consideration | None) -> str:
    """The evidence caveat as an HTML section of its own."""
    if caveat is None:
        return ""
    items = "".join(f"<li>{escape(r.why)} <span class=\"ca-note\">[{escape(r.source)}]"
                    "</span></li>" for r in caveat.reasons)
    return (f'<section class="ca-caveat"><h2>{escape(caveat.title)}</h2>'
            f'<p class="ca-note">{CAVEAT_NOTE.capitalize()}.</p><ul>{items}</ul></section>')


def tie_outlook(rec: Recommendation, an: Analysis) -> str:
    """Whether answering more could separate approaches tied at the top (a sentence)."""
    if not rec.unknown_fields:
        return ("every question is answered, so nothing left to ask can separate them; "
                "they differ in what the guidance says about each (see their reasons).")
    if an.confidence.settled:
        return ("no answer to the open questions would separate them under these rules; "
                "they differ in what the guidance says about each (see their reasons).")
    return "answering the open questions may separate them."
