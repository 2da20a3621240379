"""The answers of ``what-if``, ``why-not``, ``path-to`` and ``compare`` as documents.

Each starts with a one-paragraph summary; rule ids appear only when ``verbose``.
"""

from __future__ import annotations

from .._advice.compare import Comparison
from .._advice.counterfactual import Change, PathTo, WhatIf
from .._advice.recommend import Recommendation
from .._advice.whynot import WhyNot
from .._model.context import Approach
from .._model.wording import describe_value, field_label, join_words, points_text, provenance
from .._present.tiewords import first_names
from .._present.tiewords import verdict as tiewords_verdict
from .render import Doc


def _footer(rec: Recommendation) -> str:
    return provenance(rec.rules_version, rec.rules_fingerprint, rec.engine)


def _tagged(text: str, rule_id: str, verbose: bool) -> str:
    return f"{text} [{rule_id}]" if verbose else text


def _changes_text(changes: tuple[Change, ...]) -> str:
    return join_words([change.describe() for change in changes]) or "no change"


def _side_by_side(doc: Doc, before: Recommendation, after: Recommendation) -> None:
    rows = []
    for ranked in after.ranking:
        was = before.score_of(ranked.approach)
        rank_before = next(r.rank for r in before.ranking if r.approach is ranked.approach)
        rows.append((str(ranked.rank), ranked.name, str(ranked.score), str(was),
                     f"{ranked.score - was:+d}" if ranked.score != was else "0", str(rank_before)))
    doc.table(("Rank", "Approach", "Score", "Before", "Change", "Rank before"), rows,
              {0, 2, 3, 4, 5})


def _reason_changes(doc: Doc, before: Recommendation, after: Recommendation,
                    verbose: bool) -> None:
    def reasons(rec: Recommendation) -> dict[tuple[Approach, str], tuple[int, str]]:
        return {(r.approach, reason.rule_id): (reason.points, reason.text)
                for r in rec.ranking for reason in r.reasons}
    old, new = reasons(before), reasons(after)
    gained = [(key, new[key]) for key in new if key not in old]
    lost = [(key, old[key]) for key in old if key not in new]
    if not gained and not lost:
        doc.para("No reason changes: the same rules apply as before.")
        return
    doc.heading("Reasons that change")
    items = [_tagged(f"now applies, {points:+d} for {key[0].display_name}: {text}", key[1],
                     verbose) for key, (points, text) in gained]
    items += [_tagged(f"no longer applies, {points:+d} for {key[0].display_name}: {text}",
                      key[1], verbose) for key, (points, text) in lost]
    doc.bullets(items)


def what_if_doc(before: Recommendation, result: WhatIf, verbose: bool) -> Doc:
    """The advice before and after the changed answers, and the reasons that change."""
    after = result.recommendation
    doc = Doc("What if the answers changed", footer=_footer(after))
    changed = _changes_text(result.changes)
    if not after.has_advice:
        verdict = ("no approach stands out yet" + (f" ({before.top.name} no longer does)"
                                                   if before.has_advice else ""))
    elif not before.has_advice:
        verdict = f"{after.top.name} now fits best ({points_text(after.top.score)})"
    elif after.is_tie:
        verdict = (f"first place is a tie: {join_words(first_names(after))} "
                   f"({points_text(after.top.score)} each)")
    elif result.top_changed:
        verdict = (f"the best fit changes from {_first_words(before)} to {after.top.name} "
                   f"({points_text(after.top.score)})")
    else:
        verdict = f"{after.top.name} still fits best ({points_text(after.top.score)})"
    settled = ("The new advice is settled." if after.is_settled
               else "Other answers could still change the new advice.")
    doc.para(f"If {changed}: {verdict}. {settled}")
    _side_by_side(doc, before, after)
    _reason_changes(doc, before, after, verbose)
    return doc


def _first_words(rec: Recommendation) -> str:
    """First place in a few words: one approach, or every tied approach marked as a tie."""
    names = join_words(first_names(rec))
    return f"{names} (tied)" if rec.is_tie else names


def why_not_doc(rec: Recommendation, result: WhyNot, verbose: bool) -> Doc:
    """What holds an approach back and which of its rules did not apply."""
    doc = Doc(f"Why not {result.name}?", footer=_footer(rec))
    if result.rank == 1 and not rec.has_advice:
        place = (f"No approach stands out yet: {result.name} is listed first with "
                 f"{points_text(result.score)} only by the fixed order of approaches.")
    elif result.rank == 1 and rec.is_tie:
        place = (f"{result.name} shares first place with "
                 f"{join_words([n for n in first_names(rec) if n != result.name])}, with "
                 f"{points_text(result.score)} each; the stated tie-break leaves them tied.")
    elif result.rank == 1:
        place = f"{result.name} already fits best, with {points_text(result.score)}."
    elif result.gap == 0:
        place = (f"{result.name} ranks {result.rank} with {points_text(result.score)}, level "
                 f"on points with {rec.top.name}, which is first on the stated tie-break: "
                 "more of its defining (then typical, then hedged) features hold.")
    else:
        place = (f"{result.name} ranks {result.rank} of 4 with "
                 f"{points_text(result.score)}, {points_text(result.gap)} behind "
                 f"{rec.top.name}.")
        if not rec.has_advice:
            place += " No approach stands out yet, so this is no advice against it."
    missing = [rule for rule in result.not_applied if rule.unmet]
    against = ("1 reason counts" if len(result.held_back) == 1
               else f"{len(result.held_back)} reasons count")
    place += (f" {against} against it, and {len(missing)} rule"
              f"{'s' if len(missing) != 1 else ''} that would add points to it did not apply.")
    doc.para(place)
    if result.held_back:
        doc.heading("What counts against it")
        doc.bullets([_tagged(f"{r.points:+d}: {r.text} ({r.source})", r.rule_id, verbose)
                     for r in result.held_back])
    if missing:
        doc.heading("What would add points, and what it needs")
        doc.bullets([(_tagged(f"{rule.points:+d}: {rule.title}", rule.rule_id, verbose),
                      tuple(f"not met: {unmet}" for unmet in rule.unmet)) for rule in missing])
    if not result.held_back and not missing:
        doc.para("Nothing counts against it, and every rule in its favour applied.")
    return doc


def path_to_doc(rec: Recommendation, result: PathTo, verbose: bool) -> Doc:
    """The fewest changed answers that put an approach first, and the advice then."""
    name = result.approach.display_name
    doc = Doc(f"Which answers would put {name} first", footer=_footer(rec))
    doc.para(result.message)
    if result.found and result.changes and result.recommendation is not None:
        doc.heading("The answers that differ from yours")
        doc.bullets([change.as_answer() for change in result.changes])
        doc.heading("The ranking with those answers")
        _side_by_side(doc, rec, result.recommendation)
        _reason_changes(doc, rec, result.recommendation, verbose)
    return doc


def _show(field: str, value: str | bool | int | None) -> str:
    return "not known" if value is None else describe_value(field, value)


def compare_doc(comparison: Comparison, verbose: bool) -> Doc:
    """The contexts' rankings and scores side by side, the answers and reasons that differ."""
    recs, labels = comparison.recommendations, comparison.labels
    doc = Doc("Comparing " + join_words(list(labels)), footer=_footer(recs[0]))
    tops = [f"{label}: {tiewords_verdict(rec)} ({points_text(rec.top.score)})" if rec.has_advice
            else f"{label}: no approach stands out yet"
            for label, rec in zip(labels, recs, strict=True)]
    if not any(rec.has_advice for rec in recs):
        verdict = "No approach stands out yet for any of them."
    else:
        verdict = ("The best fit is the same for all." if comparison.same_top
                   else "The best fit differs.")
    fields = len(comparison.answers)
    doc.para(f"{verdict} Best fit for {'; '.join(tops)}. {fields} answer"
             f"{'s differ' if fields != 1 else ' differs'}, and "
             f"{len(comparison.reasons)} reason{'s' if len(comparison.reasons) != 1 else ''} "
             "hold for some of them only.")
    doc.heading("Scores")
    rows = []
    for approach in Approach:
        row = [approach.display_name]
        for rec in recs:
            ranked = next(r for r in rec.ranking if r.approach is approach)
            row.append(f"{ranked.score} (#{ranked.rank})")
        rows.append(tuple(row))
    doc.table(("Approach", *labels), rows, set(range(1, len(labels) + 1)))
    if comparison.answers:
        doc.heading("Answers that differ")
        doc.table(("Field", *labels),
                  [(field_label(d.field), *(_show(d.field, v) for v in d.values))
                   for d in comparison.answers])
    else:
        doc.para("Every answer is the same.")
    if comparison.reasons:
        doc.heading("Reasons that hold for some only")
        items = []
        for reason in comparison.reasons:
            where = [label for label, held in zip(labels, reason.present, strict=True) if held]
            items.append(_tagged(f"{reason.approach.display_name} {reason.points:+d}, only for "
                                 f"{join_words(where)}: {reason.text}", reason.rule_id, verbose))
        doc.bullets(items)
    return doc
