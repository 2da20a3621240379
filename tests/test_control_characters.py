"""Control characters in names and rule texts are shown, never obeyed, in text output."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab_advisor import load_rules, recommend
from collab_advisor._printable import _KEEP_LINES, _ONE_LINE, one_line, printable

from .conftest import write_rules

HOSTILE = "Ward\x00A\x1b[2J\x1b[31mRED\x07\u202eevil\u2066x\u2069\rover\x9b"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                    "\u2028\u2029]")


def _assert_inert(text: str, nul: bool = True) -> None:
    assert UNSAFE.search(text) is None, repr(UNSAFE.search(text))
    # shown as escapes (Markdown escapes the backslash itself, so look past it)
    assert "x1b" in text and "u202e" in text and ("x00" in text or not nul)


def test_the_helper_escapes_and_keeps_layout() -> None:
    """Controls become visible escapes; newlines and tabs stay in text, not in one line."""
    assert printable("a\x1b[1mb\nc\td\u202e") == "a\\x1b[1mb\nc\td\\u202e"
    assert one_line("a\nb\tc") == "a\\x0ab\\x09c"
    assert printable("Café, Zürich, 東京") == "Café, Zürich, 東京"


_MIXED = st.text(alphabet=st.one_of(
    st.sampled_from("ab \n\t\r\x00\x1b\x7f\x85\x9f\xa0\u061c\u200e\u202e\u2066\u2028"
                    "\u2029\u2027\u2030é東"),
    st.characters()), max_size=40)


@given(_MIXED)
def test_the_quick_look_escapes_exactly_as_the_full_translation(text: str) -> None:
    """Skipping text with nothing to escape gives what translating every character gives."""
    assert printable(text) == text.translate(_KEEP_LINES)
    assert one_line(text) == text.translate(_ONE_LINE)


def test_a_hostile_context_name_is_inert_in_every_rendering() -> None:
    """A name full of escapes and overrides cannot drive a terminal or reorder a report."""
    rec = recommend({"name": HOSTILE, "aim": "share_know_how"}, engine="python")
    for text in (rec.explain(), rec.to_markdown(), rec.to_html()):
        _assert_inert(text)


def test_a_newline_in_a_name_cannot_forge_a_line() -> None:
    """A name with a newline stays on the title line of the explanation."""
    rec = recommend({"name": "Ward A\n1. Fake approach: 99 points", "aim": "share_know_how"},
                    engine="python")
    assert not any(line.startswith("1. Fake") for line in rec.explain().splitlines())
    assert "Ward A\\x0a1. Fake" in rec.explain().splitlines()[0]


@pytest.fixture
def hostile_rules(tmp_path: Path) -> Path:
    text = """schema_version: 1
ruleset_version: 1.0.0
rules:
  - id: our-hostile-rule
    title: "Sharing \\e[2J know-how \\u202e evil \\0 here"
    status: experimental
    when: {field: aim, equals: share_know_how}
    score:
      - approach: community_of_practice
        points: 2
        why: "Communities \\e[2J share \\u202e know-how \\0 well."
      - approach: qi_collaborative
        points: -1
        why: "Programmes \\e[2J are \\u202e not \\0 for this."
    source:
      - {reference: "Our quality team 2026, internal review of improvement work"}
"""
    return write_rules(tmp_path, "ours.yaml", text)


def test_hostile_rule_texts_are_inert_in_every_rendering(hostile_rules: Path) -> None:
    """Rule texts with escapes, NUL and overrides are shown escaped in every text output."""
    rules = load_rules(hostile_rules)
    rec = recommend({"aim": "share_know_how"}, rules=rules, engine="python")
    for text in (rec.explain(), rec.to_markdown(), rec.to_html(),
                 rec.why_not("qi_collaborative").explain()):
        _assert_inert(text)


def test_the_command_line_text_output_is_inert() -> None:
    """collab-advisor recommend --name ... prints the escapes, not the raw characters."""
    result = subprocess.run(
        [sys.executable, "-m", "collab_advisor", "recommend", "--name",
         HOSTILE.replace("\x00", ""),  # no argument can hold a NUL
         "--aim", "share_know_how", "--engine", "python"],
        capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    _assert_inert(result.stdout, nul=False)


def test_error_messages_show_control_characters_inert(tmp_path: Path) -> None:
    """Keys, values and file names quoted in error messages cannot drive a terminal."""
    from collab_advisor import RuleFileError
    from collab_advisor._rulebook.files import InputFileError, read_context_file

    path = write_rules(tmp_path, "r.yaml", 'schema_version: 1\nruleset_version: 1.0.0\n'
                       'rules:\n  - id: x-y\n    "\\e[31mtitle\\u202e": 1\n'
                       '    status: "\\e[2Jstable"\n')
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    assert UNSAFE.search(str(caught.value)) is None and "\\x1b[31m" in str(caught.value)
    with pytest.raises(InputFileError) as missing:
        read_context_file(str(tmp_path / "\x1b[2Jctx.yaml"))
    assert UNSAFE.search(str(missing.value)) is None and "\\x1b[2J" in str(missing.value)
    result = subprocess.run(
        [sys.executable, "-m", "collab_advisor", "batch", "-", "--engine", "python"],
        input='{"\\u001b[2Jaim\\u202e": "x"}\n', capture_output=True, text=True, check=False,
        timeout=60)
    assert result.returncode == 2 and "is not a context field" in result.stderr
    assert UNSAFE.search(result.stderr + result.stdout) is None
