"""Batch with spreadsheets: .xlsx in and out, Excel-saved CSV, columns carried through."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from collab_advisor import recommend
from collab_advisor._cli.sheets import defuse

COMMAND = str(Path(sys.executable).parent / "collab-advisor")


def batch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command, bounded in time."""
    return subprocess.run([COMMAND, "batch", *args, "--engine", "python"], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=120)


def _survey(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Survey"
    sheet.append(["id", "Team name", "Aim", "formality", "time span", "Notes"])
    sheet.append([17, "Sepsis bundle", "close_practice_gap", "highly structured", "fixed term",
                  "=HYPERLINK(\"http://example.org\")"])
    sheet.append([18, "Ward B", "share know-how", "Informal", None, "\uff1dSUM(A1)"])
    sheet.append([19, "Typo team", "share", "sometimes", None, None])
    sheet.append([None, None, None, None, None, None])  # a blank row is skipped
    sheet.append([20.0, "Renal", "redesign_services", None, "open ended", "kept"])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as typed, not a formula
    book.save(path)


def test_a_workbook_round_trips_with_its_own_columns_kept(tmp_path: Path) -> None:
    """Excel in, Excel out: ids and team names come back in place, names beside ids, and a
    bad row is reported by sheet, row and column while the others complete."""
    _survey(tmp_path / "survey.xlsx")
    result = batch("survey.xlsx", "--output", "advice.xlsx", cwd=tmp_path)
    assert result.returncode == 2
    assert ("sheet 'Survey', row 4: formality: 'sometimes' is not a valid formality value; "
            "allowed: informal, moderate, highly_structured") in result.stderr
    assert result.stderr.count("Carried through unchanged: id, Team name, Notes.") == 1
    sheet = load_workbook(tmp_path / "advice.xlsx").active
    assert sheet is not None
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[:5] == ["row", "id", "Team name", "Notes", "name"]
    assert header[5:7] == ["top", "top_name"]
    got = {int(str(row[0])): dict(zip(header, row, strict=True)) for row in rows}
    assert sorted(got) == [2, 3, 4, 6]
    assert [got[n]["id"] for n in (2, 3, 4, 6)] == [17, 18, 19, 20]
    assert got[4]["Team name"] == "Typo team" and "formality" in str(got[4]["error"])
    expected = recommend(aim="close_practice_gap", formality="highly_structured",
                         time_span="fixed_term", engine="python")
    assert got[2]["top"] == expected.top.approach.value
    assert got[2]["top_name"] == expected.top.name
    assert got[2]["score_qi_collaborative"] == expected.score_of("qi_collaborative")
    assert got[3]["top_name"] == "Community of Practice"
    assert got[2]["Notes"] == "'=HYPERLINK(\"http://example.org\")"
    assert got[3]["Notes"] == "'\uff1dSUM(A1)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_csv_saved_by_excel_is_answered_in_csv(tmp_path: Path) -> None:
    """A byte-order mark, CRLF line ends and semicolons are read; the output is CSV too."""
    (tmp_path / "survey.csv").write_bytes(
        "\ufeffid;Team name;aim;formality\r\nA-1;Ward \u00c4;share know how;informal\r\n"
        "A-2;@team;close_practice_gap;highly_structured\r\n".encode())
    result = batch("survey.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["Team name"], r["top_name"]) for r in rows] == [
        ("A-1", "Ward \u00c4", "Community of Practice"),
        ("A-2", "'@team", "Quality Improvement Collaborative")]
    assert "Carried through unchanged: id, Team name." in result.stderr


def test_a_near_miss_column_is_an_error_never_carried(tmp_path: Path) -> None:
    """'formalty' is refused with a suggestion, in one line, and nothing is written."""
    (tmp_path / "survey.csv").write_text("id,formalty\n1,informal\n", encoding="utf-8")
    result = batch("survey.csv", "--output", "out.csv", cwd=tmp_path)
    assert result.returncode != 0
    assert "did you mean 'formality'?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_format_overrides_the_input_and_json_lines_keep_carried_cells(tmp_path: Path) -> None:
    """--format jsonl on a workbook gives JSON Lines with the carried cells and names."""
    _survey(tmp_path / "survey.xlsx")
    result = batch("survey.xlsx", "--format", "jsonl", cwd=tmp_path)
    first = json.loads(result.stdout.splitlines()[0])
    assert first["id"] == 17 and first["Team name"] == "Sepsis bundle"
    assert first["top_name"] == "Quality Improvement Collaborative"


def test_a_workbook_that_is_not_one_gets_one_line(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook is refused with a hint, not a traceback."""
    (tmp_path / "survey.xlsx").write_text("aim\nshare_know_how\n", encoding="utf-8")
    result = batch("survey.xlsx", cwd=tmp_path)
    assert result.returncode != 0
    assert "is not a readable .xlsx workbook" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff20"])
@given(rest=st.text(max_size=20))
def test_formula_leads_are_defused(lead: str, rest: str) -> None:
    """Any text led by a formula sign gets a leading quote and keeps the rest as typed, but
    for control characters a cell must not carry, which become U+FFFD."""
    unwritable = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F}
    kept = "".join("\ufffd" if ord(char) in unwritable else char for char in rest)
    assert defuse(lead + rest) == "'" + lead + kept
