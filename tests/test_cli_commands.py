"""The command line does what the library does: what-if, why-not, path-to, compare, typed
values, own rules, rule examples, readable output, and clean failures on a full disk or a
closed pipe. Each runs the installed command as a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from collab_advisor import Report, load_rules, recommend
from collab_advisor._advice.compare import Comparison
from collab_advisor._advice.counterfactual import PathTo, WhatIf
from collab_advisor._advice.whynot import WhyNot
from collab_advisor._cli.values import ValueMatchError, match_approach, match_value
from collab_advisor._model.fields import RULE_FIELDS

from .conftest import ROOT
from .test_cli import COMMAND, run

SHARING = ("--aim", "share_know_how", "--formality", "informal", "--engine", "python")
OUR_RULE = """\
schema_version: 1
ruleset_version: 1.0.0
rules:
  - id: our-networks-need-money
    title: Our networks need funded managers
    status: stable
    when: {field: resourcing, equals: goodwill_only}
    score: [{approach: managed_clinical_network, points: -2, why: Networks need money.}]
    source: [{guidance: Managed Clinical Networks}]
    examples:
      - context: {resourcing: goodwill_only}
        fires: true
      - context: {resourcing: dedicated_funding}
        fires: true
"""


def _one_line_error(result: subprocess.CompletedProcess[str], status: int = 2) -> str:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr and "usage:" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("command", "model"), [
    (["what-if", "--set", "control=accountable", "--set", "formality=unknown"], WhatIf),
    (["why-not", "managed_clinical_network"], WhyNot),
    (["path-to", "qic"], PathTo),
])
def test_analysis_subcommands_write_every_format(command: list[str],
                                                  model: type[BaseModel]) -> None:
    """what-if, why-not and path-to take recommend's inputs and write all four formats."""
    text = run(*command, *SHARING)
    assert text.returncode == 0, text.stderr
    markdown = run(*command, *SHARING, "--format", "markdown").stdout
    assert markdown.startswith("# ")
    html = run(*command, *SHARING, "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    parsed = model.model_validate_json(run(*command, *SHARING, "--format", "json").stdout)
    assert isinstance(parsed, model)


def test_what_if_shows_the_change_and_the_reasons_it_moves() -> None:
    """what-if names the changed answers, the new best fit and the reasons that change."""
    out = run("what-if", *SHARING, "--set", "aim=improve", "--set", "formality=unknown").stdout
    assert " ".join(out.split("\n\n")[0].splitlines()[2:]).startswith(
        "If aim: share know how -> improve specialty outcomes and formality: informal -> not "
        "known: the best fit changes from Community of Practice to Clinical Community")
    assert "now applies, +3 for Clinical Community" in out
    assert "no longer applies, +3 for Community of Practice" in out
    missing = run("what-if", *SHARING)
    assert "--set FIELD=VALUE" in _one_line_error(missing)
    bad = run("what-if", *SHARING, "--set", "formalty=moderate")
    assert "did you mean formality?" in _one_line_error(bad)


def test_why_not_and_path_to_explain_an_approach() -> None:
    """why-not lists what counts against an approach; path-to the fewest other answers
    that would put it first, worded as answers."""
    why = run("why-not", "Managed", *SHARING).stdout
    assert "Managed Clinical Network ranks 3 of 4" in why
    assert "What counts against it" in why and "not met: aim is share know how" in why
    path = run("path-to", "QIC", *SHARING).stdout
    assert ('With the answer "formality: highly structured" (yours: informal), Quality '
            "Improvement Collaborative would come first.") in " ".join(path.split())
    bad = run("why-not", "network", *SHARING)
    assert "'network' is not a valid approach" in _one_line_error(bad)


def test_compare_puts_contexts_side_by_side(tmp_path: Path) -> None:
    """compare shows each context's scores, the answers that differ and the reasons they move."""
    (tmp_path / "a.yaml").write_text("name: Ward A\naim: share_know_how\nformality: informal\n")
    (tmp_path / "b.yaml").write_text("name: Ward B\naim: close_practice_gap\n"
                                     "formality: highly_structured\ntime_span: fixed_term\n")
    files = [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]
    out = run("compare", *files, "--engine", "python").stdout
    assert out.startswith("Comparing Ward A and Ward B\n")
    assert "The best fit differs. Best fit for Ward A: Community of Practice" in out
    assert re.search(r"formality\s+informal\s+highly structured", out)
    assert re.search(r"time span\s+not known\s+fixed term", out)
    assert "Community of Practice +3, only for Ward A" in out
    assert "[cop-informal]" not in out
    assert "[cop-informal]" in run("compare", *files, "--verbose").stdout
    comparison = Comparison.model_validate_json(
        run("compare", *files, "--format", "json").stdout)
    assert [d.field for d in comparison.answers] == ["formality", "time_span", "aim"]
    common = run("compare", *files, "--time-span", "open_ended", "--engine", "python").stdout
    assert "time span" not in common.split("Answers that differ")[1].split("Reasons")[0]
    single = run("compare", files[0])
    assert "two or more context files" in _one_line_error(single)


def test_a_bad_flag_value_is_one_line_with_allowed_values_and_a_guess() -> None:
    """A mistyped value gives one line with the allowed values and a did-you-mean, exit 2."""
    line = _one_line_error(run("recommend", "--time-span", "fixd_trm"))
    assert "allowed: fixed_term, open_ended" in line and "did you mean fixed_term?" in line
    flag = _one_line_error(run("recommend", "--formalty", "informal"))
    assert "did you mean --formality?" in flag
    command = _one_line_error(run("recomend"))
    assert "did you mean recommend?" in command
    ambiguous = _one_line_error(run("recommend", "--patient-involvement", "co"))
    assert "could be any of consulted, co_produced" in ambiguous
    assert "Traceback" not in run("recommend", "--format", "pdf").stderr


def test_typed_values_ignore_case_and_accept_a_unique_prefix() -> None:
    """Flags accept any case, spaces for underscores and a unique prefix; the API is exact."""
    typed = run("recommend", "--time-span", "FIXED", "--aim", "Close Practice",
                "--single-org-can-solve", "N", "--engine", "py", "--format", "js")
    rec = Report.model_validate_json(typed.stdout).recommendation
    assert rec.context.time_span == "fixed_term" and rec.context.aim == "close_practice_gap"
    assert rec.context.single_org_can_solve is False and rec.engine == "python"
    assert match_value("patient_involvement", "Co-Produced") == "co_produced"
    assert match_value("existing_network", "true") is True
    assert match_value("sites", "1,200") == 1200
    assert match_approach("community of practice").value == "community_of_practice"
    with pytest.raises(ValueMatchError, match="did you mean informal"):
        match_value("formality", "infromal")
    with pytest.raises(ValidationError):
        recommend(time_span="FIXED")


def test_own_rules_add_to_the_shipped_ones(tmp_path: Path) -> None:
    """--add-rules keeps the shipped rules and adds ours; --rules uses ours alone."""
    ours = tmp_path / "ours.yaml"
    ours.write_text(OUR_RULE.replace("        fires: true\n      - context: {resourcing: "
                                     "dedicated_funding}\n        fires: true\n",
                                     "        fires: true\n"))
    added = Report.model_validate_json(run(
        "recommend", "--add-rules", str(ours), "--resourcing", "goodwill", "--aim", "share",
        "--format", "json").stdout).recommendation
    assert "our-networks-need-money" in added.fired_rules
    assert "cop-share-know-how" in added.fired_rules
    alone = run("recommend", "--rules", str(ours), "--resourcing", "goodwill", "--verbose")
    assert "our-networks-need-money" in alone.stdout
    assert "cop-share-know-how" not in alone.stdout
    check = run("rules", "check", "--add-rules", str(ours))
    assert check.returncode == 0
    assert f"all {_shipped_examples() + 1} examples hold" in check.stdout


def _shipped_examples() -> int:
    return sum(len(rule.examples or ()) for rule in load_rules())


def test_rules_check_runs_every_example_and_names_file_and_line(tmp_path: Path) -> None:
    """A failing example is reported with its file and line, exit 1, and never 'OK'."""
    ours = tmp_path / "ours.yaml"
    ours.write_text(OUR_RULE)
    result = run("rules", "check", "--add-rules", str(ours), "--engine", "python")
    assert result.returncode == 1
    assert "OK" not in result.stdout
    assert (f"{ours}:13, rule 'our-networks-need-money': example 2 should fire but does not "
            "(context: resourcing = dedicated funding)") in result.stdout
    assert f"1 of {_shipped_examples() + 2} examples failed" in result.stdout


def test_text_output_starts_with_a_summary_and_hides_rule_ids() -> None:
    """The text starts with a one-paragraph summary; rule ids appear only with --verbose."""
    plain = run("recommend", *SHARING, "--full").stdout
    summary = plain.split("\n\n")[0].splitlines()[2:]
    assert " ".join(summary).startswith(
        "Community of Practice fits best, with 4 points, 4 points ahead of Clinical Community. "
        f"This rests on 2 of the {len(RULE_FIELDS)} answers the rules use.")
    assert "cop-informal" not in plain
    assert "next_questions" not in plain
    assert "more questions, listed in the Markdown and HTML reports" in " ".join(plain.split())
    verbose = " ".join(run("recommend", *SHARING, "--verbose").stdout.split())
    assert "[cop-informal; Guidance, 'Communities of Practice'; grade: ●○○ hedged, guidance]" \
        in verbose
    assert "cop-informal" not in run("recommend", *SHARING, "--format", "markdown").stdout


def test_html_report_keeps_rule_ids_in_a_details_element() -> None:
    """In the HTML report, rule ids appear only inside the folded details element."""
    page = recommend(aim="share_know_how", formality="informal").to_html()
    before, details = page.split("<details", 1)
    assert "cop-informal" not in before
    assert "<code>cop-informal</code>" in details.split("</details>")[0]


def test_repr_is_short_and_readable() -> None:
    """repr() of a result is one short line: the ranking, what is known, the rules."""
    rec = recommend(name="Ward 7", aim="share_know_how", formality="informal")
    text = repr(rec)
    assert len(text) < 250 and "\n" not in text
    assert text.startswith("<Recommendation 'Ward 7': Community of Practice 4, ")
    assert f"2 of {len(RULE_FIELDS)} answers known; rules {load_rules().version}>" in text


def _shell(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False,
                          timeout=120, cwd=ROOT)


def test_a_closed_pipe_ends_with_one_line_and_a_failure_status(tmp_path: Path) -> None:
    """Piping into head (which closes early) gives one line on stderr and exit 1."""
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"aim": "share_know_how"}\n' * 3000)
    result = _shell(f"'{COMMAND}' batch '{rows}' --engine python | head -1; "
                    "exit ${PIPESTATUS[0]}")
    assert result.stdout.count("\n") == 1
    line = _one_line_error(result, status=1)
    assert line.startswith("collab-advisor: the output was closed before all of it was written")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_ends_with_one_line_and_a_failure_status() -> None:
    """Writing to a full device gives one clear line on stderr and exit 1."""
    result = _shell(f"'{COMMAND}' recommend --aim share_know_how > /dev/full")
    line = _one_line_error(result, status=1)
    assert line == "collab-advisor: error: cannot write the output: No space left on device"
    module = _shell(f"'{sys.executable}' -m collab_advisor schema > /dev/full")
    assert _one_line_error(module, status=1).endswith("No space left on device")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("script", ["quickstart.py", "partial_context.py", "custom_rules.py",
                                    "batch_survey.py"])
def test_examples_fail_cleanly_on_a_full_disk_or_closed_pipe(script: str) -> None:
    """Each example, like the command, ends with one line and a failure status."""
    path = ROOT / "examples" / script
    full = _shell(f"'{sys.executable}' '{path}' > /dev/full")
    assert _one_line_error(full, status=1).endswith("No space left on device")
    piped = _shell(f"'{sys.executable}' '{path}' | head -c 10 > /dev/null; "
                   "exit ${PIPESTATUS[0]}")
    assert piped.returncode in (0, 1) and "Traceback" not in piped.stderr
    if piped.returncode:
        assert len(piped.stderr.strip().splitlines()) == 1


def test_the_json_of_what_if_reads_back() -> None:
    """what-if's JSON holds the whole new recommendation."""
    out = run("what-if", *SHARING, "--set", "aim=redesign", "--format", "json").stdout
    data = json.loads(out)
    assert data["recommendation"]["context"]["aim"] == "redesign_services"
    assert data["changes"] == [{"field": "aim", "before": "share_know_how",
                                "after": "redesign_services"}]


@pytest.mark.parametrize("args", [
    ["recommend", "--context", "/nonexistent/ctx.yaml"],
    ["recommend", "--context", "/"],
    ["recommend", "--rules", "/nonexistent/rules"],
    ["recommend", "--add-rules", "/nonexistent/ours.yaml"],
    ["what-if", "--set", "aim"],
    ["why-not"],
    ["path-to", "zzz"],
    ["compare", "/nonexistent/a.yaml", "/nonexistent/b.yaml"],
    ["batch", "/nonexistent/rows.csv"],
    ["batch", "-", "--format", "xml"],
    ["interview", "--context", "-"],
    ["interview", "--save", "/nonexistent/folder/answers.yaml"],
    ["rules"],
    ["schema", "--bogus"],
    [],
])
def test_every_error_path_is_one_line_without_a_traceback(args: list[str]) -> None:
    """Bad usage or input anywhere prints one line on stderr and exits non-zero."""
    result = run(*args, stdin="")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "usage:" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_summary_speaks_plainly_about_ties_and_about_knowing_nothing() -> None:
    """The summary says when nothing is known yet, and names a tie without preferring one."""
    from collab_advisor._present.explain import summary

    nothing = recommend()
    assert summary(nothing, nothing.analysis).startswith(
        "Nothing is known yet, so no approach is ahead")
    tied = recommend(aim="share_know_how", leadership="professional")  # 3 points each
    assert summary(tied, tied.analysis).startswith(
        "Community of Practice and Clinical Community are tied for first place, with 3 points "
        "each; no approach is preferred among them.")
    assert "fits best" not in summary(tied, tied.analysis)


def test_own_rules_with_json_output_keep_their_rule_set(tmp_path: Path) -> None:
    """--rules shipped --rules ours with --format json prints the result, not a traceback."""
    ours = tmp_path / "ours.yaml"
    ours.write_text(OUR_RULE)
    result = run("recommend", "--rules", str(ROOT / "rules"), "--rules", str(ours),
                 "--resourcing", "goodwill_only", "--format", "json")
    assert result.returncode == 0, result.stderr
    rec = Report.model_validate_json(result.stdout).recommendation
    assert "our-networks-need-money" in rec.fired_rules


def test_batch_cells_are_matched_as_people_type_them(tmp_path: Path) -> None:
    """CSV cells match any case and an unambiguous prefix; a bad cell names its allowed values."""
    rows = tmp_path / "rows.csv"
    rows.write_text("Aim,Time span,Formality,single_org_can_solve\n"
                    "Share,fixed,INFORMAL,No\nshare,sometime,informal,\n", encoding="utf-8")
    result = run("batch", str(rows), "--engine", "python", "--format", "jsonl")
    assert result.returncode == 2
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    exact = recommend(aim="share_know_how", time_span="fixed_term", formality="informal",
                      single_org_can_solve=False, engine="python")
    assert first["top"] == exact.top.approach.value
    assert first["score_community_of_practice"] == exact.score_of("community_of_practice")
    assert second == {"schema_version": 3, "row": 3,
                      "error": "time_span: 'sometime' is not a valid time_span "
                      "value; allowed: fixed_term, open_ended"}


def test_a_bad_answer_in_a_context_file_names_the_file_and_line(tmp_path: Path) -> None:
    """recommend, compare and team report a bad value with file:line and the allowed values."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("formality: informal\n# a note\naim: nope\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text("aim: share_know_how\n", encoding="utf-8")
    for args in (("recommend", "--context", str(bad)), ("compare", str(good), str(bad)),
                 ("team", str(good), str(bad))):
        result = run(*args)
        assert result.returncode == 2, args
        assert result.stderr.strip().splitlines() == [
            f"collab-advisor: error: {bad}:3: aim: Input should be 'close_practice_gap', "
            "'share_know_how', 'redesign_services' or 'improve_specialty_outcomes' (got 'nope')"]


def test_counts_are_whole_numbers_as_a_person_types_them() -> None:
    """Commas between thousands are read, '1,5' and a superscript digit are refused, not misread."""
    assert match_value("sites", "1,200") == 1200
    for text in ("1,5", "\u00b2", "-3", "0"):
        with pytest.raises(ValueMatchError, match="not a whole number of at least 1"):
            match_value("sites", text)
    result = run("batch", "-", "--engine", "python", "--format", "jsonl",
                 stdin="sites\n\u00b2\n12\n")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert [json.loads(line).get("error", "") for line in result.stdout.splitlines()] == [
        "sites: '\u00b2' is not a whole number of at least 1", ""]


def test_the_interview_checks_where_it_will_write_before_asking(tmp_path: Path) -> None:
    """A report or answers file in a missing folder is refused before the first question."""
    result = run("interview", "--output", str(tmp_path / "nope" / "r.txt"), stdin="1\n")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "What is the main purpose?" not in result.stderr


def test_a_fit_judged_on_few_answers_says_so() -> None:
    """While answers could still change first place, a strong or moderate fit says 'so far'."""
    from collab_advisor._present.explain import summary

    early = recommend(agenda_set_by="shared", sites=200, clinical_focus="area_or_population",
                      engine="python")
    assert not early.is_settled and early.fit.strength in ("strong", "moderate")
    assert "on the answers so far" in early.fit.message
    said = summary(early, early.analysis)
    assert f"On the answers so far, the fit is {early.fit.strength}." in said
