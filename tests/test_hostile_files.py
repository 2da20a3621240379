"""Files as real offices and attackers make them: FIFOs, devices, folders, huge files,
duplicate keys, spreadsheets in other encodings and delimiters, formulas in cells."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from collab_advisor import RuleFileError, load_rules
from collab_advisor._cli.csvinput import neutralise_formula, read_batch
from collab_advisor._rulebook.files import InputFileError, read_context_file

from .conftest import write_rules

HEADER = "schema_version: 1\nruleset_version: 1.0.0\n"
BOUND = 60  # seconds: a call that takes longer has hung
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command as a user does, bounded: a hang fails the test instead of hanging it."""
    result = subprocess.run([sys.executable, "-m", "collab_advisor", *args], input=stdin,
                            capture_output=True, check=False, timeout=BOUND)
    return subprocess.CompletedProcess(result.args, result.returncode,
                                       result.stdout.decode("utf-8", "replace"),
                                       result.stderr.decode("utf-8", "replace"))


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def _rule_problems(*paths: Path | str) -> str:
    with pytest.raises(RuleFileError) as caught:
        load_rules(*paths)
    return str(caught.value)


# -- duplicate keys -------------------------------------------------------------------


def test_a_key_given_twice_in_a_rule_is_refused_with_file_and_line(tmp_path: Path) -> None:
    """A rule with 'status:' twice is refused, naming the file and the second key's line."""
    text = HEADER + """rules:
  - id: our-rule
    title: Our rule
    status: stable
    status: retired
    when: {field: aim, equals: share_know_how}
    score: [{approach: community_of_practice, points: 1, why: Because we say so.}]
    source: [{reference: "Our quality team 2026, internal review"}]
"""
    text_out = _rule_problems(write_rules(tmp_path, "ours.yaml", text))
    assert "ours.yaml:7" in text_out and "'status' is given twice" in text_out
    assert "first on line 6" in text_out


def test_a_key_given_twice_in_a_flow_mapping_is_refused(tmp_path: Path) -> None:
    """Duplicates on one line ({field: a, field: b}) are refused too."""
    text = HEADER + "rules:\n  - {id: x, id: y}\n"
    assert "'id' is given twice" in _rule_problems(write_rules(tmp_path, "r.yaml", text))


def test_a_context_file_with_a_key_twice_is_refused(tmp_path: Path) -> None:
    """Context files in YAML and in JSON refuse a repeated field, with the line for YAML."""
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("aim: share_know_how\nsites: 3\naim: redesign_services\n")
    with pytest.raises(InputFileError, match=r"c\.yaml:3: the key 'aim' is given twice"):
        read_context_file(str(yaml_file))
    json_file = tmp_path / "c.json"
    json_file.write_text('{"aim": "share_know_how", "aim": "redesign_services"}')
    with pytest.raises(InputFileError, match="'aim' is given twice"):
        read_context_file(str(json_file))


# -- special files --------------------------------------------------------------------


@needs_fifo
def test_a_fifo_is_refused_at_once_everywhere(tmp_path: Path) -> None:
    """A named pipe as a rule file, a context file or batch input is refused, not waited on."""
    fifo = tmp_path / "r.yaml"
    os.mkfifo(fifo)
    checked = cli("rules", "check", str(fifo))
    assert checked.returncode != 0 and "named pipe (FIFO)" in checked.stdout + checked.stderr
    assert "named pipe (FIFO)" in _one_line_error(cli("recommend", "--context", str(fifo)))
    batch_fifo = tmp_path / "rows.csv"
    os.mkfifo(batch_fifo)
    assert "named pipe (FIFO)" in _one_line_error(cli("batch", str(batch_fifo)))
    assert "named pipe (FIFO)" in _rule_problems(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_without_reading_it() -> None:
    """--context /dev/zero is refused as a device at once instead of filling memory."""
    assert "it is a device" in _one_line_error(cli("recommend", "--context", "/dev/zero"))
    assert "it is a device" in _one_line_error(cli("batch", "/dev/zero"))
    assert "it is a device" in _rule_problems("/dev/zero")


def test_a_folder_and_a_missing_file_are_told_apart(tmp_path: Path) -> None:
    """A folder given as a context file is called a folder, a missing file missing."""
    assert "it is a folder" in _one_line_error(cli("recommend", "--context", str(tmp_path)))
    assert "no such file" in _one_line_error(
        cli("recommend", "--context", str(tmp_path / "nope.yaml")))
    write_rules(tmp_path / "rules", "r.yaml", HEADER + "rules: []\n")
    (tmp_path / "rules" / "odd.yaml").mkdir()
    assert "odd.yaml: cannot read the rule file: it is a folder" in _rule_problems(
        tmp_path / "rules")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A 1 GB file (sparse: no disk is used) is refused by its size, as every kind of input."""
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(1_000_000_000)
    assert "larger than 1 MB" in _one_line_error(cli("recommend", "--context", str(huge)))
    assert "larger than 2 MB" in _rule_problems(huge)
    huge_csv = tmp_path / "huge.csv"
    huge.rename(huge_csv)
    assert "larger than 100 MB" in _one_line_error(cli("batch", str(huge_csv)))


def test_standard_input_is_read_only_up_to_the_limit() -> None:
    """An endless stream on standard input stops at the limit with a clear error."""
    result = cli("recommend", "--context", "-", stdin=b"#" * 1_500_000)
    assert "more than 1 MB" in _one_line_error(result)


def test_a_context_on_standard_input_still_works() -> None:
    """'--context -' reads a YAML or JSON context from standard input as documented."""
    result = cli("recommend", "--context", "-", "--format", "json", "--engine", "python",
                 stdin=b'{"aim": "share_know_how"}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recommendation"]["context"]["aim"] == "share_know_how"


def test_a_json_context_file_is_read_as_json(tmp_path: Path) -> None:
    """A .json context file with a trailing comma is a JSON error with its line, not YAML."""
    path = tmp_path / "c.json"
    path.write_text('{\n  "aim": "share_know_how",\n}\n')
    error = _one_line_error(cli("recommend", "--context", str(path)))
    assert re.search(r"c\.json:[23]: not valid JSON", error), error  # 3.13 names line 2
    path.write_text('{"aim": "share_know_how"}')
    assert cli("recommend", "--context", str(path), "--engine", "python").returncode == 0


# -- CSV as offices save it ----------------------------------------------------------


def _batch(tmp_path: Path, data: bytes, name: str = "rows.csv",
           *args: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, str]]]:
    source = tmp_path / name
    source.write_bytes(data)
    output = tmp_path / "out.csv"
    result = cli("batch", str(source), "--output", str(output), "--engine", "python", *args)
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8")))
                ) if output.exists() else []
    return result, rows


def test_excel_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Excel's 'CSV UTF-8' (with a byte-order mark) reads its first column by name."""
    result, rows = _batch(tmp_path, "\ufeffname,aim\nWard Ä,share_know_how\n".encode())
    assert result.returncode == 0, result.stderr
    assert rows[0]["name"] == "Ward Ä" and rows[0]["top"] == "community_of_practice"


def test_windows_1252_is_read_with_a_note(tmp_path: Path) -> None:
    """A file saved as Windows-1252 is read as such, with a one-line note saying so."""
    data = "name,aim\nCafé \u2013 ward,share_know_how\n".encode("cp1252")
    result, rows = _batch(tmp_path, data)
    assert result.returncode == 0, result.stderr
    assert rows[0]["name"] == "Café \u2013 ward"
    assert "not UTF-8" in result.stderr and "Windows-1252" in result.stderr


def test_semicolons_any_case_headers_and_blank_rows(tmp_path: Path) -> None:
    """A European Excel file: semicolons, headers in any case with spaces, blank rows
    skipped, and rows numbered as the spreadsheet shows them (the header is row 1)."""
    data = (b"Name;AIM;Time Span;Sites\n"
            b"Ward A;share_know_how;;\n"
            b"\n"
            b";;;\n"
            b"Ward B;close_practice_gap;fixed_term;30\n"
            b"Ward C;share_know_how;forever;\n")
    result, rows = _batch(tmp_path, data)
    assert [row["row"] for row in rows] == ["2", "5", "6"]
    assert rows[1]["name"] == "Ward B" and rows[1]["top"] == "qi_collaborative"
    assert "row 6: time_span" in result.stderr
    assert "1 of 3 rows could not be read" in result.stderr


def test_a_bad_header_is_reported_once(tmp_path: Path) -> None:
    """An unknown column is one error naming it, with a suggestion, not one per row."""
    data = b"name,scpoe\n" + b"A,local\n" * 50
    result, rows = _batch(tmp_path, data)
    error = _one_line_error(result)
    assert "row 1 (the header)" in error and "'scpoe'" in error and "'scope'" in error
    assert rows == []


def test_csv_on_standard_input_is_recognised() -> None:
    """CSV piped to 'batch -' is read as CSV (JSON Lines start with '{'), and answered in CSV."""
    result = cli("batch", "-", "--engine", "python",
                 stdin=b"name,aim\nWard A,share_know_how\n")
    assert result.returncode == 0, result.stderr
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["top"] == "community_of_practice"


def test_a_terminal_on_standard_input_gets_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """'batch -' with nobody piping anything in says how to pass the rows."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    with pytest.raises(InputFileError, match=r"batch - < rows\.csv"):
        read_batch("-")


def test_formulas_in_csv_output_are_neutralised(tmp_path: Path) -> None:
    """Names starting with =, +, -, @, a tab or a carriage return come out inert in CSV."""
    names = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)"]
    lines = ["name,aim"] + [f'"{n.replace(chr(34), chr(34) * 2)}",share_know_how'
                            for n in names]
    result, rows = _batch(tmp_path, ("\n".join(lines) + "\n").encode())
    assert result.returncode == 0, result.stderr
    assert [row["name"] for row in rows] == ["'" + name for name in names]
    assert rows[0]["score_community_of_practice"].lstrip("-").isdigit()  # numbers untouched
    assert neutralise_formula("\tx") == "'\tx" and neutralise_formula("\rx") == "'\rx"
    assert neutralise_formula(-3) == -3 and neutralise_formula("Ward A") == "Ward A"


def test_a_json_rule_file_is_read_as_json(tmp_path: Path) -> None:
    """A rule file named .json with a trailing comma is a JSON error with its line."""
    path = tmp_path / "ours.json"
    path.write_text('{"schema_version": 1,\n "ruleset_version": "1.0.0",\n "rules": [],\n}\n')
    assert re.search(r"ours\.json:[34]: not valid JSON", _rule_problems(path))


def test_a_json_batch_file_is_one_array_of_objects(tmp_path: Path) -> None:
    """A .json batch file is read as one JSON array; a trailing comma is a clear error."""
    result, rows = _batch(tmp_path, b'[{"aim": "share_know_how"}, {"aim": "redesign_services"}]',
                          "rows.json")
    assert result.returncode == 0, result.stderr
    assert [row["row"] for row in rows] == ["1", "2"]
    result, _ = _batch(tmp_path, b'[{"aim": "share_know_how"},]', "rows.json")
    assert "rows.json:1: not valid JSON" in _one_line_error(result)
