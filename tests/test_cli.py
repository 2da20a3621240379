"""The installed collab-advisor command, run as a subprocess as users run it."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, write_rules

COMMAND = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed command."""
    assert COMMAND is not None, "install the project: pip install -e '.[test]'"
    return subprocess.run([COMMAND, *args], input=stdin, capture_output=True, text=True,
                          check=False, timeout=120)


def test_every_subcommand_has_help() -> None:
    """--help works on the command and on every subcommand."""
    for args in ([], ["recommend"], ["interview"], ["rules"], ["rules", "check"], ["schema"],
                 ["batch"]):
        result = run(*args, "--help")
        assert result.returncode == 0, args
        assert "usage: collab-advisor" in result.stdout


def test_python_dash_m_runs_the_same_command() -> None:
    """python -m collab_advisor is the same command."""
    result = subprocess.run([sys.executable, "-m", "collab_advisor", "schema"],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout)["title"] == "Context"


@pytest.mark.parametrize(("form", "marker"), [
    ("text", "1. Quality Improvement Collaborative"),
    ("markdown", "| 1 | Quality Improvement Collaborative |"),
    ("html", "<!DOCTYPE html>"),
])
def test_recommend_from_flags_in_each_format(form: str, marker: str) -> None:
    """Flags give a context, and each output format shows the ranking."""
    result = run("recommend", "--time-span", "fixed_term", "--aim", "close_practice_gap",
                 "--single-org-can-solve", "yes", "--sites", "20", "--format", form,
                 "--full")
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout


def test_recommend_json_reads_back_as_a_recommendation() -> None:
    """JSON output is a Report: the full Recommendation with its analysis."""
    from collab_advisor import Report

    result = run("recommend", "--aim", "share_know_how", "--formality", "informal",
                 "--format", "json", "--engine", "python")
    rec = Report.model_validate_json(result.stdout).recommendation
    assert rec.top.approach.value == "community_of_practice"
    assert "next_questions" in json.loads(result.stdout)["analysis"]


def test_recommend_from_a_yaml_file_and_from_stdin(tmp_path: Path) -> None:
    """A context file (YAML or JSON, or - for stdin) works, and flags override it."""
    path = tmp_path / "ctx.yaml"
    path.write_text("aim: redesign_services\nscope: multi_organisation\n"
                    "geographic_reach: regional\n")
    from_file = run("recommend", "--context", str(path), "--full")
    assert "1. Managed Clinical Network" in from_file.stdout
    from_stdin = run("recommend", "--context", "-", "--aim", "share_know_how", "--full",
                     stdin='{"formality": "informal"}')
    assert "1. Community of Practice" in from_stdin.stdout


def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    """Bad values print one message naming the field, with no traceback, and exit 2."""
    path = tmp_path / "ctx.json"
    path.write_text('{"time_span": "fixed", "sities": 3}')
    result = run("recommend", "--context", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "time_span: Input should be 'fixed_term' or 'open_ended' (got 'fixed')" in result.stderr
    assert "'sities' is not a context field (did you mean 'sites'?)" in result.stderr
    missing = run("recommend", "--context", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "cannot read the context file" in missing.stderr
    flag = run("recommend", "--time-span", "weekly")
    assert flag.returncode == 2 and "'weekly' is not a valid time_span value" in flag.stderr


def test_interview_driven_through_stdin_stops_and_explains() -> None:
    """Another program can answer line by line; prompts go to stderr, the report to stdout."""
    answers = "why\n3\nskip\n" + "1\n" * 20
    result = run("interview", "--engine", "python", stdin=answers)
    assert result.returncode == 0, result.stderr
    assert "What is the main purpose?" in result.stderr
    assert "What is the main purpose?" not in result.stdout
    assert "Everything else follows from what the collaboration is for" in result.stderr
    assert any(reason in result.stderr for reason in (
        "Clear enough to act on: ", "Settled: ", "No more questions to ask"))
    assert result.stdout.startswith("Which collaboration-based approach fits")


def test_interview_stops_on_request_and_at_end_of_input() -> None:
    """'stop' or the end of input ends the interview with the advice so far."""
    stopped = run("interview", stdin="stop\n")
    assert "Stopped on request." in stopped.stderr
    assert "Which collaboration-based approach fits" in stopped.stdout
    assert "Input ended." in run("interview", stdin="").stderr


def test_rules_check_is_clean_for_the_shipped_rules() -> None:
    """The shipped rules pass every check and lint."""
    result = run("rules", "check")
    assert result.returncode == 0, result.stdout
    assert "no problems found" in result.stdout


def test_rules_check_reports_every_problem_and_lint(tmp_path: Path) -> None:
    """Broken files list every problem with file and line; lints catch dead findings."""
    header = "schema_version: 1\nruleset_version: 1.0.0\n"
    write_rules(tmp_path / "bad", "a.yaml", header + """\
rules:
  - id: bad-field
    title: A misspelt field
    status: stable
    when: {field: formalty, equals: informal}
    score: [{approach: community_of_practice, points: 1, why: Informal suits communities.}]
    source: [{guidance: Communities of Practice}]
""")
    broken = run("rules", "check", str(tmp_path / "bad"))
    assert broken.returncode == 1
    assert "a.yaml:7, rule 'bad-field'" in broken.stdout and "formality" in broken.stdout
    write_rules(tmp_path / "lint", "b.yaml", header + """\
findings:
  - {id: never-concluded, text: Something no rule concludes}
  - {id: never-used, text: Something no rule uses}
rules:
  - id: needs-the-impossible
    title: Needs a finding nobody concludes
    status: stable
    when: {finding: never-concluded}
    score: [{approach: clinical_community, points: 2, why: Depends on the impossible.}]
    source: [{guidance: Clinical Communities}]
  - id: concludes-unused
    title: Concludes a finding nobody uses
    status: stable
    when: {field: aim, equals: share_know_how}
    concludes: never-used
    source: [{guidance: Definitions}]
""")
    linted = run("rules", "check", str(tmp_path / "lint"))
    assert linted.returncode == 1
    out = linted.stdout
    assert "rule 'needs-the-impossible': can never fire" in out
    assert "finding 'never-used': declared but no rule uses it" in out
    assert "finding 'never-concluded': declared but no rule concludes it" in out
    # Nothing scores, so the tie-break puts the first approach on top of every context.
    assert "approach 'clinical_community': no context was found where it ranks first" in out
    assert "approach 'qi_collaborative'" not in out


def test_schema_prints_context_and_rule_schemas() -> None:
    """schema gives the context's JSON Schema, and with --rules the rule format's."""
    context = json.loads(run("schema").stdout)
    assert "time_span" in context["properties"]
    rules = json.loads(run("schema", "--rules").stdout)
    assert rules == json.loads((ROOT / "rules" / "rules.schema.json").read_text())


def test_batch_writes_one_result_per_row_and_reports_bad_rows(tmp_path: Path) -> None:
    """Each CSV row gets a result; a bad row is named by its spreadsheet row number (the
    header is row 1) and field; the others finish."""
    source = tmp_path / "teams.csv"
    source.write_text(
        "name,aim,formality,time_span,sites\n"
        "Ward A,share_know_how,informal,,\n"
        "Ward B,close_practice_gap,highly_structured,fixed_term,30\n"
        "Ward C,share_know_how,very_formal,,\n"
        "Ward D,redesign_services,,open_ended,4\n"
    )
    output = tmp_path / "out.csv"
    result = run("batch", str(source), "--output", str(output), "--engine", "python")
    assert result.returncode == 2
    assert ("row 4: formality: 'very_formal' is not a valid formality value; allowed: "
            "informal, moderate, highly_structured") in result.stderr
    assert "1 of 4 rows could not be read; the others completed." in result.stderr
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    assert [r["row"] for r in rows] == ["2", "3", "4", "5"]
    assert rows[0]["top"] == "community_of_practice"
    assert rows[1]["top"] == "qi_collaborative"
    assert rows[2]["top"] == "" and "formality" in rows[2]["error"]
    assert rows[1]["settled"] in ("True", "False")
    assert "qic-fixed-term" in rows[1]["rules_fired"].split()


def test_batch_reads_json_lines_from_stdin() -> None:
    """JSON Lines in, JSON Lines out, in input order."""
    lines = '{"aim": "share_know_how"}\nnot json\n{"aim": "redesign_services"}\n'
    result = run("batch", "-", "--engine", "python", stdin=lines)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["row"] for r in records] == [1, 2, 3]
    assert records[0]["top"] == "community_of_practice"
    assert "not valid JSON" in records[1]["error"]
    assert records[2]["top"] == "managed_clinical_network"


def test_interview_answers_are_read_by_number_or_name() -> None:
    """Answers may be a number, a name in any case with spaces, a prefix, or a count."""
    from collab_advisor._cli.interview import parse_answer
    from collab_advisor._cli.values import ValueMatchError

    assert parse_answer("formality", "3") == "highly_structured"
    assert parse_answer("formality", "Highly Structured") == "highly_structured"
    assert parse_answer("formality", "high") == "highly_structured"
    with pytest.raises(ValueMatchError, match="allowed: informal, moderate, highly_structured"):
        parse_answer("formality", "4")
    assert parse_answer("existing_network", "yes") is True
    assert parse_answer("existing_network", "2") is False
    assert parse_answer("sites", "25") == 25
    assert parse_answer("sites", "lots") is None
    assert parse_answer("sites", "0") is None
