"""What the results page says, read in-process: every consideration has its text."""

from __future__ import annotations

import re
from html import unescape

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")

from fastapi.testclient import TestClient

from collab_advisor import recommend
from collab_advisor.web import create_app


def test_every_consideration_shows_its_text_reminders_included() -> None:
    """Each consideration on the results page has words under its heading: a reminder shows
    its reminder (8 of 9 were empty headings), a raised one its reasons."""
    answers = {"aim": "share_know_how", "formality": "informal", "scope": "single_organisation"}
    with TestClient(create_app(allowed_hosts={"testserver"})) as client:
        page = client.get("/", params=answers).text
    blocks = re.findall(r'<div class="consideration[^"]*">(.*?)</div>', page, flags=re.S)
    expected = recommend(answers).considerations
    assert len(blocks) == len(expected) > 1
    for block, consideration in zip(blocks, expected, strict=True):
        body = unescape(re.sub(r"<[^>]+>", " ", block.split("</h4>", 1)[1])).split()
        assert body, f"{consideration.title!r} has no text"
        if not consideration.raised:
            assert "Reminder" in block and " ".join(consideration.reminder.split()) in \
                " ".join(body)
