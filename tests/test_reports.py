"""Reports and notebook display: complete, self-contained and escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from collab_advisor import BatchItem, Context, recommend, recommend_many

HOSTILE = 'Ward <script>alert("x")</script> & *bold* | pipe'


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def test_html_report_is_self_contained_and_escapes_user_text() -> None:
    """The report has no scripts or external assets, and the name is shown escaped."""
    rec = recommend(name=HOSTILE, time_span="fixed_term", aim="close_practice_gap",
                    resourcing="goodwill_only", scope="multi_organisation")
    page = rec.to_html()
    parser = _Collect()
    parser.feed(page)
    assert "script" not in parser.tags
    assert not [value for name, value in parser.attrs
                if name in ("src", "href") and value and "://" in value]
    assert "&lt;script&gt;" in page
    for heading in ("Why Quality Improvement Collaborative", "The context",
                    "Things to consider", "Planning checklist", "The other approaches"):
        assert heading in page
    assert rec.rules_version in page and rec.rules_fingerprint[:12] in page
    assert "Guidance, &#x27;Quality Improvement Collaboratives&#x27;" in page


def test_bars_are_drawn_for_every_approach() -> None:
    """Each approach gets a bar whose label states its score."""
    rec = recommend(time_span="fixed_term", aim="close_practice_gap")
    html = rec._repr_html_()
    labels = re.findall(r'aria-label="(-?\d+) points"', html)
    assert sorted(map(int, labels)) == sorted(r.score for r in rec.ranking)


def test_notebook_views_are_compact_and_escaped() -> None:
    """The notebook's HTML and Markdown show the table, top reasons and next questions."""
    rec = recommend(name=HOSTILE, aim="share_know_how", formality="informal")
    html = rec._repr_html_()
    markdown = rec._repr_markdown_()
    assert "<script>" not in html
    assert "\\<script\\>" in markdown and "\\*bold\\*" in markdown and "\\|" in markdown
    assert "What to find out next" in html and "**Next questions:**" in markdown
    assert "Planning checklist" not in html  # the full report has it, the compact view not
    assert markdown.count("\n- ") == min(3, len(rec.top.reasons))


def test_markdown_report_has_every_section() -> None:
    """to_markdown() is the full report in Markdown, starting at a top-level heading."""
    text = recommend(time_span="fixed_term", aim="close_practice_gap").to_markdown()
    assert text.startswith("# Collaboration approach advice\n")
    for heading in ("\n## Context", "\n## Things to consider", "\n## Planning checklist"):
        assert heading in text


def test_recommend_many_keeps_order_and_collects_errors() -> None:
    """Bad items become errors in place; the rest are recommended, in input order."""
    items = recommend_many(
        [{"aim": "share_know_how"}, {"aim": "share"}, Context(aim="redesign_services"),
         "not a context", {"sites": 0}],  # type: ignore[list-item]
        engine="python",
    )
    assert [item.index for item in items] == [0, 1, 2, 3, 4]
    assert [item.ok for item in items] == [True, False, True, False, False]
    assert items[0].recommendation is not None
    assert items[0].recommendation.top.approach.value == "community_of_practice"
    assert items[1].error is not None and items[1].error.startswith("aim: Input should be")
    assert items[3].error is not None and "Context or a mapping" in items[3].error
    assert items[4].error is not None and "sites" in items[4].error
    assert isinstance(items[2], BatchItem)


def _said(doc: object) -> str:
    from collab_advisor._cli.render import Doc, to_text

    assert isinstance(doc, Doc)
    return " ".join(to_text(doc).split())


def test_command_line_reports_name_no_winner_when_no_approach_stands_out() -> None:
    """The why-not, what-if and compare reports say no approach stands out yet for a
    context whose first place is only a tie-break, instead of naming a best fit."""
    from collab_advisor._advice.compare import compare
    from collab_advisor._cli.reports import compare_doc, what_if_doc, why_not_doc

    empty, shared = recommend(), recommend(aim="share_know_how")
    why = _said(why_not_doc(empty, empty.why_not("qi_collaborative"), False))
    assert "No approach stands out yet" in why and "already fits best" not in why
    what = _said(what_if_doc(shared, shared.what_if(aim=None), False))
    assert "no approach stands out yet" in what and "best fit changes" not in what
    both = compare([empty, shared], ["empty", "shared"])
    assert not both.same_top
    said = _said(compare_doc(both, False))
    assert "empty: no approach stands out yet" in said
    assert "empty: Quality Improvement Collaborative" not in said


def test_why_not_report_counts_in_good_grammar() -> None:
    """The why-not report says '1 reason counts against it' and 'points behind'."""
    from collab_advisor._cli.reports import why_not_doc

    rec = recommend(time_span="fixed_term", aim="close_practice_gap", sites=12,
                    single_org_can_solve=True)
    said = _said(why_not_doc(rec, rec.why_not("managed_clinical_network"), False))
    assert "1 reason counts against it" in said
    assert "8 points behind" in said
    assert "not established" not in said
