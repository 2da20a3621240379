"""A team's advice in words: plain text, Markdown and self-contained HTML.

The three renderings share one outline (agreement, the decisive disagreement,
the team's ranking, voices, members) so a planning group reads the same story
whichever format it opens.
"""

from __future__ import annotations

import textwrap
from html import escape
from typing import TYPE_CHECKING

from .._model.fields import RULE_FIELDS
from .._model.wording import describe_value, field_label, join_words, points_text, provenance
from .._printable import one_line
from .confidence_face import CONFIDENCE_CSS, CONFIDENCE_HEADING, confidence_html
from .tiewords import first_names, grade_text, tie_break_text

if TYPE_CHECKING:
    from .._advice.team import TeamRecommendation
    from .._result.record import Recommendation

_WIDTH = 88


def _wrap(text: str, indent: str = "  ", first: str = "") -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=first, subsequent_indent=indent,
                         break_on_hyphens=False)


def _agreed_words(team: TeamRecommendation) -> str:
    known = team.agreed.known()
    parts = [f"{field_label(f)} = {describe_value(f, known[f])}" for f in RULE_FIELDS if f in known]
    return "; ".join(parts) if parts else "nothing yet"


def _unanswered(team: TeamRecommendation) -> list[str]:
    disputed = {d.field for d in team.disputed}
    known = team.agreed.known()
    return [field_label(f) for f in RULE_FIELDS if f not in known and f not in disputed]


def _range_heading(team: TeamRecommendation) -> str:
    """What a score range spans: the proposed answers, and the open fields when there are any."""
    if _unanswered(team):
        return "across the team's answers and the fields nobody answered"
    return "across the team's answers"


def _first(rec: Recommendation) -> str:
    """First place in a few words: one approach, or every tied approach named as a tie."""
    if rec.is_tie:
        return join_words(first_names(rec)) + " (tied)"
    return rec.top.name


def _settled_words(team: TeamRecommendation) -> str:
    top = team.advice.top.name
    stays = ("the same approaches stay tied for first" if team.advice.is_tie
             else f"{top} stays first")
    if team.settled_across_disputes:
        across = (f"Whichever of the proposed answers the team settles on, {stays}"
                  if team.disputed else "No answer is disputed")
    else:
        across = "The team's disagreements could change which approach comes first"
    if team.is_settled:
        rest = ("; under these rules, no answer to the open questions could change first "
                "place either.")
    else:
        rest = ("; answers to questions nobody has answered yet could still change first "
                "place under these rules.")
    return across + rest


def _summary(team: TeamRecommendation) -> str:
    top = team.advice.top.name
    members = f"{len(team.members)} member{'s' if len(team.members) != 1 else ''} answered. "
    if team.has_advice and team.advice.is_tie:
        text = members + (f"Under the answers they agree on, {_first(team.advice)} share "
                          "first place: a tie, with no preference among them. ")
    elif team.has_advice:
        how = " on the stated tie-break" if team.advice.tie_break is not None else ""
        text = members + f"Under the answers they agree on, {top} ranks first{how}. "
    else:
        text = (members + "Under the answers they agree on, no approach stands out yet: "
                "none of the leading approach's defining features is among them. ")
    text += f"Grades: {team.advice.grade_summary}. "
    if team.advice.tie_break is not None:
        text += tie_break_text(team.advice) + " "
    decisive = team.decisive
    if decisive is not None and decisive.changes_top:
        text += f"The disagreement to discuss first is {field_label(decisive.field)}. "
    elif team.disputed:
        text += "None of their disagreements, taken alone, changes first place. "
    return text + _settled_words(team)


def _confidence_words(team: TeamRecommendation) -> str:
    """How often first place holds, with disputed answers weighted by their proposers."""
    if team.confidence is None:
        return ""
    return (f"{CONFIDENCE_HEADING}: {team.confidence.summary} {team.confidence.assumption}"
            f" (each disputed answer weighted by the members who proposed it). "
            f"{team.confidence.alternatives_text}")


def explain_team(team: TeamRecommendation) -> str:
    """The team's advice as plain text."""
    lines = ["Which collaboration-based approach fits this team's plan",
             "=" * 55]
    lines += _wrap(_summary(team), "")
    lines.append("")
    if team.confidence is not None:
        lines += _wrap(_confidence_words(team), "")
        lines.append("")
    lines += _wrap("Agreed: " + _agreed_words(team) + ".", "  ")
    unanswered = _unanswered(team)
    if unanswered:
        lines += _wrap(f"Nobody has answered ({len(unanswered)}): " + ", ".join(unanswered) + ".",
                       "  ")
    lines.append("")
    if team.disputed:
        lines.append("Where the team differs, the disagreement that matters most first")
        lines.append("-" * 66)
        for number, d in enumerate(team.disputed, 1):
            lines += _wrap(one_line(d.message), "     ", f"{number}. ")
        lines.append("")
    lines.append("The team's ranking")
    lines.append("-" * 18)
    spans = _range_heading(team)
    for ranked in team.advice.ranking:
        low, high = team.score_range_of(ranked.approach)
        lines += _wrap(f"{ranked.rank}. {ranked.name}: {points_text(ranked.score)} "
                       f"(could reach {low} to {high} {spans})", "     ")
        for reason in ranked.reasons[:3]:
            lines += _wrap(f"{reason.points:+d}  {reason.text} [{reason.source}; "
                           f"{grade_text(reason.grade)}]", " " * 9, " " * 5)
    lines.append("")
    lines.append("Voices")
    lines.append("-" * 6)
    roles = join_words(list(team.roles)) if team.roles else "no roles given"
    lines += _wrap(one_line(f"Roles taking part: {roles}."), "  ")
    if team.voices_note:
        lines += _wrap(team.voices_note, "  ")
    lines.append("")
    lines.append("Each member's own advice")
    lines.append("-" * 24)
    for view in team.member_views:
        role = f" ({one_line(view.role)})" if view.role else ""
        agree = "same first place as the team" if view.agrees_on_top else "a different first place"
        label = one_line(view.label)
        lines += _wrap(f"{label}{role}: {_first(view.recommendation)} first, {agree}; "
                       f"{view.distance} of 6 pairs ordered differently from the team.", "    ",
                       "  ")
    lines.append("")
    lines.append(provenance(team.advice.rules_version, team.advice.rules_fingerprint,
                            team.advice.engine))
    return "\n".join(lines)


def _md(text: str) -> str:
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def team_markdown(team: TeamRecommendation) -> str:
    """The team's advice as Markdown, starting at a top-level heading."""
    out = ["# Collaboration approach advice for a planning team", "", _md(_summary(team)), ""]
    if team.confidence is not None:
        out += [_md(_confidence_words(team)), ""]
    out += ["## Agreed answers", "", _md(_agreed_words(team)), ""]
    if team.disputed:
        out += ["## Disagreements, the one that matters most first", ""]
        out += [f"{n}. {_md(one_line(d.message))}" for n, d in enumerate(team.disputed, 1)]
        out.append("")
    heading = _range_heading(team)
    out += ["## The team's ranking", "", f"| Rank | Approach | Score | Range {heading} |",
            "|---:|---|---:|---|"]
    for ranked in team.advice.ranking:
        low, high = team.score_range_of(ranked.approach)
        out.append(f"| {ranked.rank} | {_md(ranked.name)} | {ranked.score} | {low} to {high} |")
    out += ["", "## Voices", "",
            _md(one_line("Roles taking part: " + (join_words(list(team.roles)) or "none given")
                         + "."))]
    if team.voices_note:
        out += ["", _md(team.voices_note)]
    out += ["", "## Members", "", "| Member | Role | First place | Pairs ordered differently |",
            "|---|---|---|---:|"]
    for view in team.member_views:
        out.append(f"| {_md(one_line(view.label))} | {_md(one_line(view.role or ''))} | "
                   f"{_md(_first(view.recommendation))} | {view.distance} |")
    out += ["", "*" + _md(provenance(team.advice.rules_version, team.advice.rules_fingerprint,
                                     team.advice.engine)) + "*"]
    return "\n".join(out)


_CSS = CONFIDENCE_CSS + """
.ca-team{--ca-fg:#1d2433;--ca-bg:#ffffff;--ca-muted:#4a5365;--ca-rule:#e6e9ef;
  --ca-head:#f3f5f9;--ca-mark:#fff4e0;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ca-fg);
  background:var(--ca-bg);max-width:920px;line-height:1.45;padding:.4em .8em;border-radius:6px}
@media (prefers-color-scheme:dark){.ca-team{--ca-fg:#e8ebf1;--ca-bg:#1c1e24;
  --ca-muted:#b9c1cf;--ca-rule:#343a46;--ca-head:#2a2e37;--ca-mark:#3a3020}}
body[data-jp-theme-light="false"] .ca-team,body.vscode-dark .ca-team,
body.vscode-high-contrast .ca-team{--ca-fg:#e8ebf1;--ca-bg:#1c1e24;--ca-muted:#b9c1cf;
  --ca-rule:#343a46;--ca-head:#2a2e37;--ca-mark:#3a3020}
body[data-jp-theme-light="true"] .ca-team,body.vscode-light .ca-team{--ca-fg:#1d2433;
  --ca-bg:#ffffff;--ca-muted:#4a5365;--ca-rule:#e6e9ef;--ca-head:#f3f5f9;--ca-mark:#fff4e0}
.ca-team h2,.ca-team h3{color:var(--ca-fg)}
.ca-team table{border-collapse:collapse;width:100%;margin:.4em 0;color:var(--ca-fg)}
.ca-team th,.ca-team td{text-align:left;padding:.3em .5em;border-bottom:1px solid var(--ca-rule);
  background:transparent}
.ca-team th{background:var(--ca-head)}
.ca-team .ca-note{color:var(--ca-muted)}
.ca-team .decides{background:var(--ca-mark)}
.ca-team td,.ca-team th{overflow-wrap:break-word}
@media (max-width:600px){.ca-team table{display:block;max-width:100%;overflow-x:auto}
  .ca-team th,.ca-team td{padding:.3em .2em}}
@media print{.ca-team{--ca-fg:#1d2433;--ca-bg:#ffffff;--ca-muted:#4a5365;--ca-rule:#e6e9ef;
  --ca-head:#f3f5f9;--ca-mark:#fff4e0}}
"""


def team_html(team: TeamRecommendation) -> str:
    """The team's advice as an HTML fragment (notebooks, the web app)."""
    parts = [f"<style>{_CSS}</style>", '<div class="ca-team">',
             "<h2>Collaboration approach advice for a planning team</h2>",
             f"<p>{escape(_summary(team))}</p>",
             confidence_html(team.confidence) if team.confidence is not None else "",
             "<p class=\"ca-note\">Each disputed answer is weighted by the members who "
             "proposed it.</p>" if team.confidence is not None else "",
             f"<h3>Agreed answers</h3><p>{escape(_agreed_words(team))}</p>"]
    if team.disputed:
        parts.append("<h3>Disagreements, the one that matters most first</h3><ol>")
        for d in team.disputed:
            css = ' class="decides"' if d.changes_top else ""
            parts.append(f"<li{css}>{escape(one_line(d.message))}</li>")
        parts.append("</ol>")
    parts.append("<h3>The team's ranking</h3><table><thead><tr><th>Rank</th><th>Approach</th>"
                 f"<th>Score</th><th>Range {escape(_range_heading(team))}</th></tr></thead>"
                 "<tbody>")
    for ranked in team.advice.ranking:
        low, high = team.score_range_of(ranked.approach)
        parts.append(f"<tr><td>{ranked.rank}</td><td>{escape(ranked.name)}</td>"
                     f"<td>{ranked.score}</td><td>{low} to {high}</td></tr>")
    parts.append("</tbody></table><h3>Voices</h3>")
    roles = join_words(list(team.roles)) or "none given"
    parts.append(f"<p>Roles taking part: {escape(one_line(roles))}.</p>")
    if team.voices_note:
        parts.append(f'<p class="ca-note">{escape(team.voices_note)}</p>')
    parts.append("<h3>Members</h3><table><thead><tr><th>Member</th><th>Role</th>"
                 "<th>First place</th><th>Pairs ordered differently</th></tr></thead><tbody>")
    for view in team.member_views:
        parts.append(f"<tr><td>{escape(one_line(view.label))}</td>"
                     f"<td>{escape(one_line(view.role or ''))}</td>"
                     f"<td>{escape(_first(view.recommendation))}</td>"
                     f"<td>{view.distance}</td></tr>")
    parts.append("</tbody></table>")
    footer = provenance(team.advice.rules_version, team.advice.rules_fingerprint,
                        team.advice.engine)
    parts.append(f'<p class="ca-note">{escape(footer)}</p></div>')
    return "\n".join(parts)


def team_html_document(team: TeamRecommendation) -> str:
    """A complete, printable HTML page of the team's advice."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Collaboration approach advice for a planning team</title>"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"</head><body>\n<main>{team_html(team)}</main>\n</body></html>\n")


