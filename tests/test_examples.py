"""The scripts in examples/ run and print what they promise; the notebook is well formed."""

from __future__ import annotations

import json
import subprocess
import sys

from collab_advisor import load_rules

from .conftest import ROOT

EXAMPLES = ROOT / "examples"


def _run(script: str) -> str:
    result = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    return result.stdout


def test_quickstart_prints_an_explained_recommendation() -> None:
    """The quickstart names the best fit and shows its reasons with sources."""
    out = _run("quickstart.py")
    assert "Best fit: Quality Improvement Collaborative" in out
    assert "1. Quality Improvement Collaborative" in out
    assert "Guidance, 'Quality Improvement Collaboratives'" in out
    assert f"Rules {load_rules().version}" in out


def test_partial_context_walkthrough_shows_questions_what_if_and_paths() -> None:
    """The partial-context example lists ranges, next questions, a what-if and a path."""
    out = _run("partial_context.py")
    assert "once everything is known" in out
    assert "The three most useful questions:" in out
    assert "If control: not known -> accountable" in out
    assert "would come first" in out
    assert "Quality Improvement Collaborative: rank" in out


def test_custom_rules_example_adds_the_organisations_rule() -> None:
    """The custom rule loads beside the shipped ones and changes the score it should."""
    out = _run("custom_rules.py")
    assert "Our rule changed Managed Clinical Network's score by -2 points." in out
    combined = load_rules(EXAMPLES / "custom_rules")
    assert [rule.id for rule in combined] == ["our-networks-need-funded-managers"]


def test_batch_example_reads_its_csv_and_reports_the_bad_row() -> None:
    """Every good row gets advice; the row with a typo is reported by number and field."""
    out = _run("batch_survey.py")
    assert "row 1 (Sepsis bundle programme): Quality Improvement Collaborative" in out
    assert "row 4 (ICU infection prevention): Clinical Community" in out
    assert "row 9 (Typo in this row): could not be read: time_span" in out
    assert "Top approaches:" in out


def test_notebook_is_valid_and_shows_the_rich_display() -> None:
    """The notebook is nbformat 4 JSON whose code cells use the library as documented."""
    notebook = json.loads((EXAMPLES / "walkthrough.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    cells = notebook["cells"]
    assert {cell["cell_type"] for cell in cells} == {"markdown", "code"}
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    assert code[0].startswith("from collab_advisor import")
    assert code[0].rstrip().splitlines()[-1].startswith("rec  #")  # the rich display
    joined = "\n".join(code)
    for call in ("rec.next_questions", "rec.what_if(", "rec.why_not(", "rec.to_html()"):
        assert call in joined
    for source in code:
        compile(source, "<notebook cell>", "exec")  # syntax check only; nothing runs


def test_team_example_names_the_disagreement_that_decides_the_advice() -> None:
    """The team example shows the agreed answers and which dispute to settle first."""
    out = " ".join(_run("team_planning.py").split())
    assert "Agreed: " in out
    # rules 2.0.0: no single disagreement moves first place, and the example says so
    assert "None of their disagreements, taken alone, changes first place" in out
    assert "Discuss first: formality." in out
    assert "-> Clinical Community" in out
