"""Markdown and HTML renderings of a recommendation: notebook display and reports.

HTML is self-contained (inline CSS, no scripts, fonts or images) so a report
can be attached to a business case or printed; every piece of user or rule
text is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .._model.fields import RULE_FIELDS
from .._model.wording import (
    NO_ADVICE_HEADLINE,
    describe_value,
    field_label,
    join_words,
    no_advice_detail,
    provenance,
)
from .._printable import one_line, printable
from .advicewords import checklist_note, settled_text
from .confidence_face import (
    CONFIDENCE_CSS,
    caveat_html,
    caveat_markdown,
    confidence_html,
    confidence_markdown,
)
from .tiewords import grade_text, tie_break_text, tie_outlook_text, verdict

if TYPE_CHECKING:
    from .._advice.analyse import Analysis
    from .._result.record import RankedApproach, Reason, Recommendation



def _md(text: str) -> str:
    """Escape characters Markdown would read as formatting."""
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def _title(rec: Recommendation) -> str:
    name = rec.context.name
    return (f"Collaboration approach advice: {one_line(name)}" if name
            else "Collaboration approach advice")


def _known_rows(rec: Recommendation) -> list[tuple[str, str]]:
    known = rec.context.known()
    return [
        (field_label(name), describe_value(name, known[name]) if name in known else "not known")
        for name in RULE_FIELDS
    ]


def _footer(rec: Recommendation) -> str:
    return provenance(rec.rules_version, rec.rules_fingerprint, rec.engine)


def _leaders(rec: Recommendation) -> tuple[RankedApproach, ...]:
    """The approaches sharing first place (one when there is no tie)."""
    return tuple(r for r in rec.ranking if r.approach in rec.tied_for_first)


def _tied_names(rec: Recommendation) -> str:
    return join_words([r.name for r in _leaders(rec)])


def _cited(rule_id: str, source: str, verbose: bool) -> str:
    return f"{rule_id}; {source}" if verbose else source


def to_markdown(rec: Recommendation, an: Analysis, full: bool = True, verbose: bool = True) -> str:
    """A Markdown report, starting at a top-level heading; ``full=False`` gives the compact
    notebook view; ``verbose=False`` leaves out the rule ids."""
    out = [f"{'#' if full else '###'} {_md(_title(rec))}", ""]
    out += ["| Rank | Approach | Score |", "|---:|---|---:|"]
    out += [f"| {ranked.rank} | {_md(ranked.name)} | {ranked.score} |" for ranked in rec.ranking]
    out += ["", *confidence_markdown(an.confidence)]
    if not an.has_advice:
        out += ["", f"**{NO_ADVICE_HEADLINE}** {_md(no_advice_detail(rec.top.name))}"]
    out += ["", f"**Fit:** {_md(an.fit.message)}", "",
            f"**Settled?** {_md(settled_text(rec, an))}", "",
            f"**Robustness:** {_md(an.robustness.message)}", ""]
    out += _md_first_place(rec, an)
    for ranked in _leaders(rec):
        reasons = ranked.reasons if full else ranked.reasons[:3]
        if reasons:
            out += [f"**Why {_md(ranked.name)}:**", ""]
            out += [_md_reason(r, verbose) for r in reasons]
            out.append("")
    out += caveat_markdown(an.evidence_caveat)
    questions = an.next_questions if full else an.next_questions[:3]
    if questions:
        out += ["**Still unanswered (none can change first place under these rules):**"
                if an.is_settled else "**Next questions:**", ""]
        out += [f"{n}. {_md(q.question)} — {_md(q.why)}" for n, q in enumerate(questions, 1)]
        out.append("")
    if full:
        out += _markdown_details(rec, an, verbose)
    out.append(f"*{_md(_footer(rec))}*")
    return printable("\n".join(out))


def _md_reason(reason: Reason, verbose: bool) -> str:
    """One reason as a Markdown list item, with its source and grade."""
    return (f"- {reason.points:+d}: {_md(reason.text)} "
            f"*({_md(_cited(reason.rule_id, reason.source, verbose))}; "
            f"{_md(grade_text(reason.grade))})*")


def _md_first_place(rec: Recommendation, an: Analysis) -> list[str]:
    """First place in Markdown: the verdict (every tied approach named), what it rests
    on, and the stated tie-break when it applied."""
    out = [f"**First place:** {_md(verdict(rec))}. {_md(_capital(rec.grade_summary))}.", ""]
    if rec.is_tie:
        out += [f"**Tied for first:** {_md(_tied_names(rec))} share first place "
                f"({rec.top.score} points each); the list order is not a preference.", ""]
    if rec.tie_break is not None:
        out += [f"**Tie-break:** {_md(tie_break_text(rec))}", ""]
    outlook = tie_outlook_text(rec, an)
    if outlook:
        out += [f"**Can the tie be separated?** {_md(outlook)}", ""]
    return out


def _html_first_place(rec: Recommendation, an: Analysis) -> str:
    """First place in HTML, as ``_md_first_place``."""
    parts = [f"<p><strong>First place:</strong> {escape(verdict(rec))}. "
             f"{escape(_capital(rec.grade_summary))}.</p>"]
    if rec.is_tie:
        parts.append(f"<p><strong>Tied for first:</strong> {escape(_tied_names(rec))} share "
                     f"first place ({rec.top.score} points each); the list order is not a "
                     "preference.</p>")
    if rec.tie_break is not None:
        parts.append(f"<p><strong>Tie-break:</strong> {escape(tie_break_text(rec))}</p>")
    outlook = tie_outlook_text(rec, an)
    if outlook:
        parts.append(f"<p><strong>Can the tie be separated?</strong> {escape(outlook)}</p>")
    return "".join(parts)


def _markdown_details(rec: Recommendation, an: Analysis, verbose: bool) -> list[str]:
    out = ["## Context", "", "| Field | Value |", "|---|---|"]
    out += [f"| {_md(f)} | {_md(v)} |" for f, v in _known_rows(rec)]
    out.append("")
    out += _markdown_ranges(rec, an)
    for ranked in rec.ranking[len(_leaders(rec)):]:
        out += [f"## {ranked.rank}. {_md(ranked.name)} ({ranked.score} points)", ""]
        out += [_md_reason(r, verbose)
                for r in ranked.reasons] or ["- No rule applied to this approach."]
        out.append("")
    out += ["## Things to consider", ""]
    for consideration in an.considerations:
        for reason in consideration.reasons:
            out.append(f"- **{_md(consideration.title)}** (raised here): {_md(reason.why)} "
                       f"*({_md(reason.source)})*")
    out += [f"- **{_md(c.title)}** (general reminder): {_md(c.reminder)}"
            for c in an.considerations if not c.raised]
    out.append("")
    out += ["## Planning checklist (for the planners to answer)", ""]
    out += [f"- [ ] {q.number}. {_md(q.question)} ({_md(checklist_note(q))})"
            for q in an.planning_questions]
    out.append("")
    return out


def _markdown_ranges(rec: Recommendation, an: Analysis) -> list[str]:
    """The score ranges, as detail below the headline."""
    out = ["## Scores each approach could reach once everything is known", "",
           "| Approach | Now | Could reach |", "|---|---:|---|"]
    for ranked in rec.ranking:
        low, high = an.score_range(ranked.approach)
        out.append(f"| {_md(ranked.name)} | {ranked.score} | {low} to {high} |")
    return [*out, ""]


_CSS = CONFIDENCE_CSS + """
.ca-report{--ca-fg:#1d2433;--ca-bg:#ffffff;--ca-muted:#4a5365;--ca-line:#d6dbe4;
  --ca-rule:#e6e9ef;--ca-head:#f3f5f9;--ca-top:#eef6f0;--ca-pos:#2f7d4a;--ca-neg:#b3412e;
  --ca-zero:#5b6577;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ca-fg);
  background:var(--ca-bg);max-width:920px;line-height:1.45;padding:.4em .8em;border-radius:6px}
@media (prefers-color-scheme:dark){.ca-report{--ca-fg:#e8ebf1;--ca-bg:#1c1e24;
  --ca-muted:#b9c1cf;--ca-line:#434a58;--ca-rule:#343a46;--ca-head:#2a2e37;--ca-top:#1e3527;
  --ca-pos:#5cbf7d;--ca-neg:#ec8069;--ca-zero:#9aa4b5}}
body[data-jp-theme-light="false"] .ca-report,body.vscode-dark .ca-report,
body.vscode-high-contrast .ca-report{--ca-fg:#e8ebf1;--ca-bg:#1c1e24;--ca-muted:#b9c1cf;
  --ca-line:#434a58;--ca-rule:#343a46;--ca-head:#2a2e37;--ca-top:#1e3527;--ca-pos:#5cbf7d;
  --ca-neg:#ec8069;--ca-zero:#9aa4b5}
body[data-jp-theme-light="true"] .ca-report,body.vscode-light .ca-report{--ca-fg:#1d2433;
  --ca-bg:#ffffff;--ca-muted:#4a5365;--ca-line:#d6dbe4;--ca-rule:#e6e9ef;--ca-head:#f3f5f9;
  --ca-top:#eef6f0;--ca-pos:#2f7d4a;--ca-neg:#b3412e;--ca-zero:#5b6577}
.ca-report h1{font-size:1.5em;margin:.2em 0 .4em;color:var(--ca-fg)}
.ca-report h2{font-size:1.15em;margin:1.2em 0 .4em;border-bottom:1px solid var(--ca-line);
  padding-bottom:.2em;color:var(--ca-fg)}
.ca-report table{border-collapse:collapse;width:100%;margin:.4em 0;color:var(--ca-fg)}
.ca-report th,.ca-report td{text-align:left;padding:.3em .5em;
  border-bottom:1px solid var(--ca-rule);vertical-align:top;background:transparent}
.ca-report th{background:var(--ca-head);font-weight:600}
.ca-bar{position:relative;height:14px;background:var(--ca-head);min-width:160px;
  border-radius:3px}
.ca-bar span{position:absolute;top:0;height:14px;border-radius:3px}
.ca-bar .pos{background:var(--ca-pos)}.ca-bar .neg{background:var(--ca-neg)}
.ca-bar .zero{position:absolute;top:-2px;width:1px;height:18px;background:var(--ca-zero)}
.ca-report .ca-num{text-align:right;white-space:nowrap}
.ca-report .ca-note{color:var(--ca-muted);font-size:.9em}
.ca-report tr.ca-top td{background:var(--ca-top)}
.ca-grade{color:var(--ca-muted);font-size:.9em;white-space:nowrap}
.ca-report ul{margin:.3em 0 .6em 1.2em;padding:0}
.ca-report li{margin:.15em 0}
.ca-report td,.ca-report th{overflow-wrap:break-word}
@media (max-width:600px){.ca-report table{display:block;max-width:100%;overflow-x:auto}
  .ca-report th,.ca-report td{padding:.3em .2em}.ca-bar{min-width:2em}
  .ca-report .ca-num{white-space:normal}}
@media print{.ca-report{max-width:none;--ca-fg:#1d2433;--ca-bg:#ffffff;--ca-muted:#4a5365;
  --ca-line:#d6dbe4;--ca-rule:#e6e9ef;--ca-head:#f3f5f9;--ca-top:#eef6f0;--ca-pos:#2f7d4a;
  --ca-neg:#b3412e;--ca-zero:#5b6577}.ca-report h2{break-after:avoid}
  .ca-bar .pos,.ca-bar .neg{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _bar(ranked: RankedApproach, low: int, high: int) -> str:
    """A bar from zero to the score, on a scale from the lowest to the highest score shown."""
    span = max(high - low, 1)
    zero = (0 - low) / span * 100
    start = (min(0, ranked.score) - low) / span * 100
    width = abs(ranked.score) / span * 100
    kind = "pos" if ranked.score >= 0 else "neg"
    return (f'<div class="ca-bar" role="img" aria-label="{ranked.score} points">'
            f'<span class="{kind}" style="left:{start:.1f}%;width:{width:.1f}%"></span>'
            f'<span class="zero" style="left:{zero:.1f}%"></span></div>')


def _ranking_table(rec: Recommendation, an: Analysis) -> str:
    scores = [r.score for r in rec.ranking]
    low, high = min(0, *scores), max(0, *scores)
    rows = []
    for ranked in rec.ranking:
        css = ' class="ca-top"' if ranked.rank == 1 else ""
        rows.append(
            f"<tr{css}><td class=\"ca-num\">{ranked.rank}</td><td>{escape(ranked.name)}</td>"
            f"<td class=\"ca-num\">{ranked.score}</td><td>{_bar(ranked, low, high)}</td></tr>"
        )
    return ("<table><thead><tr><th>Rank</th><th>Approach</th><th>Score</th><th></th>"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            + confidence_html(an.confidence))


def _html_ranges(rec: Recommendation, an: Analysis) -> str:
    """The score ranges, as detail below the headline."""
    rows = "".join(
        f"<tr><td>{escape(r.name)}</td><td class=\"ca-num\">{r.score}</td>"
        f"<td class=\"ca-num\">{an.score_range(r.approach)[0]} to "
        f"{an.score_range(r.approach)[1]}</td></tr>" for r in rec.ranking)
    return ("<h2>Scores each approach could reach once everything is known</h2><table>"
            "<thead><tr><th>Approach</th><th>Now</th><th>Could reach</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _reason_items(ranked: RankedApproach, limit: int | None = None) -> str:
    reasons = ranked.reasons if limit is None else ranked.reasons[:limit]
    if not reasons:
        return '<p class="ca-note">No rule applied to this approach.</p>'
    items = []
    for r in reasons:
        chain = "".join(
            f'<br><span class="ca-note">because: {escape(t.text)}</span>' for t in r.via
        )
        items.append(f"<li><strong>{r.points:+d}</strong> {escape(r.text)} "
                     f'<span class="ca-note">[{escape(r.source)}]</span> '
                     f'<span class="ca-grade">{escape(grade_text(r.grade))}</span>'
                     f"{chain}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def to_html(rec: Recommendation, an: Analysis, full: bool = True) -> str:
    """A self-contained HTML report; ``full=False`` gives the compact notebook view."""
    parts = [f"<style>{_CSS}</style>", '<div class="ca-report">',
             f"<h1>{escape(_title(rec))}</h1>", _ranking_table(rec, an),
             "" if an.has_advice else
             f"<p><strong>{NO_ADVICE_HEADLINE}</strong> "
             f"{escape(no_advice_detail(rec.top.name))}</p>",
             f"<p><strong>Fit:</strong> {escape(an.fit.message)}<br>"
             f"<strong>Settled?</strong> {escape(settled_text(rec, an))}<br>"
             f"<strong>Robustness:</strong> {escape(an.robustness.message)}</p>",
             _html_first_place(rec, an)]
    for ranked in _leaders(rec):
        parts += [f"<h2>Why {escape(ranked.name)}</h2>",
                  _reason_items(ranked, None if full else 3)]
    parts.append(caveat_html(an.evidence_caveat))
    questions = an.next_questions if full else an.next_questions[:3]
    if questions:
        heading = ("Still unanswered (none can change first place under these rules)"
                   if an.is_settled else "What to find out next")
        parts.append(f"<h2>{heading}</h2><ol>")
        parts += [f"<li>{escape(q.question)} <span class=\"ca-note\">{escape(q.why)}</span></li>"
                  for q in questions]
        parts.append("</ol>")
    if full:
        parts += _html_details(rec, an)
    parts.append(f'<p class="ca-note">{escape(_footer(rec))}</p></div>')
    return printable("\n".join(parts))


def _html_details(rec: Recommendation, an: Analysis) -> list[str]:
    parts = ["<h2>The context</h2><table><tbody>"]
    parts += [f"<tr><th>{escape(f)}</th><td>{escape(v)}</td></tr>" for f, v in _known_rows(rec)]
    parts.append("</tbody></table>")
    parts.append(_html_ranges(rec, an))
    parts.append("<h2>The other approaches</h2>")
    for ranked in rec.ranking[len(_leaders(rec)):]:
        parts.append(f"<h3>{ranked.rank}. {escape(ranked.name)} ({ranked.score} points)</h3>")
        parts.append(_reason_items(ranked))
    parts.append("<h2>Things to consider</h2><ul>")
    for consideration in an.considerations:
        for reason in consideration.reasons:
            parts.append(f"<li><strong>{escape(consideration.title)}</strong> (raised here): "
                         f"{escape(reason.why)} <span class=\"ca-note\">"
                         f"[{escape(reason.source)}]</span></li>")
    parts += [f"<li><strong>{escape(c.title)}</strong> <span class=\"ca-note\">(general "
              f"reminder)</span>: {escape(c.reminder)}</li>"
              for c in an.considerations if not c.raised]
    parts.append("</ul>")
    parts.append("<h2>Planning checklist (for the planners to answer)</h2><ul>")
    for q in an.planning_questions:
        parts.append(f"<li>&#9744; {q.number}. {escape(q.question)} "
                     f"<span class=\"ca-note\">({escape(checklist_note(q))})</span></li>")
    parts.append("</ul>")
    parts.append(_rules_details(rec, an))
    return parts


def _rules_details(rec: Recommendation, an: Analysis) -> str:
    """The rules behind the advice, by id, folded away for those who maintain rules."""
    titles: dict[str, str] = {}
    for ranked in rec.ranking:
        for reason in ranked.reasons:
            titles.setdefault(reason.rule_id, reason.title)
    for trace in rec.findings:
        for inference in trace.established_by:
            titles.setdefault(inference.rule_id, inference.title)
    for consideration in an.considerations:
        for advice in consideration.reasons:
            titles.setdefault(advice.rule_id, consideration.title)
    rows = "".join(f"<li><code>{escape(rule_id)}</code>: {escape(titles[rule_id])}</li>"
                   for rule_id in sorted(titles))
    return (f'<details class="ca-note"><summary>The {len(titles)} rules behind this advice, '
            f"by id</summary><ul>{rows}</ul></details>")


def html_document(rec: Recommendation, an: Analysis) -> str:
    """A complete, printable HTML page for the report."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(_title(rec))}</title>"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"</head><body>\n{to_html(rec, an)}\n</body></html>\n")


def _capital(sentence: str) -> str:
    """``sentence`` with its first letter in capitals (it follows a full stop)."""
    return sentence[:1].upper() + sentence[1:]
