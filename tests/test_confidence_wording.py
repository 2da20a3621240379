"""Wording that cannot be misread (issue 20, point 3): fit without a probability-like
percentage, robustness and path-to as answers rather than actions, the evidence caveat
apart from the eight considerations, and no promise that more answers separate a tie
when nothing is left to ask. Each on the text and the HTML."""

from __future__ import annotations

import random
import re
from typing import Any

from fastapi.testclient import TestClient

from collab_advisor import Approach, recommend
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._rulebook.format import ConsiderationKind
from collab_advisor.web.app import create_app

_EXAMPLE = {"aim": "share_know_how", "formality": "informal"}


def _complete(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    return {name: (rng.choice(spec.values) if spec.kind != "count" else rng.randint(1, 30))
            for name, spec in RULE_FIELDS.items()}


def test_fit_is_stated_without_a_percentage_on_text_and_html() -> None:
    """The fit says how many points of the most the approach can reach, with no '%'."""
    rec = recommend(_EXAMPLE)
    assert "%" not in rec.fit.message
    assert re.search(r"\d+ points of the \d+ it can reach in any context", rec.fit.message)
    for face in (rec.explain(), rec.to_html(), rec.to_markdown()):
        assert "of the most it reaches" not in face
        assert "it can reach in any context" in face


def test_robustness_speaks_of_answers_not_actions_on_text_and_html() -> None:
    """Robustness says what the ranking turns on and which answers would put the runner-up
    first; it never reads as a change to make."""
    rec = recommend(_EXAMPLE)
    message = rec.robustness.message
    assert message.startswith("This ranking turns on your answer about ")
    assert "would come first" in message and '(yours: ' in message
    for face in (rec.explain(), rec.to_html()):
        text = " ".join(face.split())
        assert "This ranking turns on your answer" in text
        assert "Fragile" not in text and "changed answer would put" not in text
        assert "->" not in text and "-&gt;" not in text


def test_path_to_speaks_of_answers_on_its_message_cli_and_web_page() -> None:
    """path_to's message, the path-to command and the web page say 'with the answer ...,
    X would come first', never a list of changes to make."""
    from .test_cli import run

    rec = recommend(_EXAMPLE)
    path = rec.path_to(Approach.QI_COLLABORATIVE)
    assert path.found and path.message.startswith("With the answer")
    assert "would come first" in path.message and "not what to change" in path.message
    cli = run("path-to", "--aim", "share_know_how", "--formality", "informal",
              "qi_collaborative", "--engine", "python")
    assert cli.returncode == 0, cli.stderr
    assert "Which answers would put Quality Improvement Collaborative first" in cli.stdout
    assert "The changes" not in cli.stdout and "would rank first with" not in cli.stdout
    with TestClient(create_app(allowed_hosts={"testserver"})) as client:
        page = client.get("/?aim=share_know_how&formality=informal").text
    assert "Answers that would put it first:" in page
    assert "Path to first place" not in page and "Try these changes" not in page


def test_the_evidence_caveat_stands_apart_from_the_eight_considerations() -> None:
    """The caveat on the evidence is its own section on the text and HTML faces, not an
    entry under "Things to consider", and its own field beside the eight considerations."""
    rec = recommend(_EXAMPLE)
    title = "What the evidence says"
    text = rec.explain()
    things = text.split("Things to consider")[1].split("\n\n")[0]
    assert title not in things
    assert re.search(rf"^{re.escape(title)} \(a caveat on the evidence, not one of the eight "
                     r"considerations\)\n-+$", text, re.MULTILINE)
    html = rec.to_html()
    considerations = html.split("<h2>Things to consider</h2>")[1].split("</ul>")[0]
    assert title not in considerations
    assert '<section class="ca-caveat">' in html and f"<h2>{title}</h2>" in html
    an = rec.analysis
    assert len(an.considerations) == 8
    assert all(c.kind is not ConsiderationKind.EVIDENCE for c in an.considerations)
    assert an.evidence_caveat is not None and an.evidence_caveat.title == title


def test_a_complete_context_with_a_tie_does_not_say_more_answers_may_separate_them() -> None:
    """With every question answered, a tie at the top says nothing left can separate the
    tied approaches, on text and HTML."""
    tied = next(rec for rec in (recommend(_complete(seed)) for seed in range(3000))
                if len(rec.tied_at_top) > 1)
    assert not tied.unknown_fields
    for face in (tied.explain(), tied.to_html(), tied.to_markdown()):
        assert "may separate them" not in face
    assert "nothing left to ask can separate them" in " ".join(tied.explain().split())
    partial = next(rec for rec in (recommend({k: v for k, v in _complete(seed).items()
                                              if k in ("formality", "scope")})
                                   for seed in range(3000)) if len(rec.tied_at_top) > 1)
    if not partial.analysis.confidence.settled:
        assert "answering the open questions may separate them" in " ".join(
            partial.explain().split())
