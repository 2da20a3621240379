"""The interview, run as a real process: piped answers (plain lines) and a pseudo-terminal
(the prompt library), with stdout redirected away from the person."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pexpect
import pytest
import yaml

from collab_advisor import Report, interview_stop, load_rules, recommend
from collab_advisor._cli.interview import PLANNING_WHY, parse_answer
from collab_advisor._cli.values import allowed_values
from collab_advisor._model.fields import FIELDS, RULE_FIELDS
from collab_advisor._model.wording import describe_value, field_label

from .conftest import load_script
from .test_cli import COMMAND, run


def test_back_changes_the_last_answer_and_save_writes_a_context_file(tmp_path: Path) -> None:
    """'back' undoes the last answer; --save writes answers that recommend --context reads."""
    saved = tmp_path / "answers.yaml"
    # aim: share know how; then the second question: its first answer; back; its second.
    result = run("interview", "--engine", "python", "--save", str(saved),
                 stdin="2\n1\nback\n2\nstop\n")
    assert result.returncode == 0, result.stderr
    second = result.stderr.split("\n\n")[2].splitlines()[0]
    name = next(n for n in RULE_FIELDS if FIELDS[n].question == second)
    assert f"Back to: {second}" in result.stderr
    answers = yaml.safe_load(saved.read_text())
    value = parse_answer(name, "2")
    assert answers == {"aim": "share_know_how", name: value}
    again = run("recommend", "--context", str(saved), "--engine", "python", "--full")
    assert again.returncode == 0 and (
        f"Known: aim = share know how; {field_label(name)} = "
        f"{describe_value(name, value)}." in again.stdout), again.stdout


def test_it_asks_about_purpose_first_and_why_is_about_planning() -> None:
    """The first question is the purpose; 'why' explains what it means for planning."""
    result = run("interview", "--engine", "python", stdin="why\nstop\n")
    first = result.stderr.split("\n\n")[1]
    assert first.startswith("What is the main purpose?")
    assert PLANNING_WHY["aim"] in result.stderr
    assert "would change the best fit" not in result.stderr  # not how the ranking works


def test_every_rule_field_has_a_planning_reason() -> None:
    """Every field the interview can ask about has its own reason for planners."""
    assert [name for name in RULE_FIELDS if name not in PLANNING_WHY] == []


def test_once_clear_it_says_why_and_offers_the_remaining_questions(tmp_path: Path) -> None:
    """Once one approach comes first in 90% of the ways the rest could be answered, it
    says so and offers to go on; 'yes' goes on with the questions; the answers are kept."""
    saved = tmp_path / "answers.yaml"
    settle = "1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n"
    stopped = run("interview", "--engine", "python", "--save", str(saved), stdin=settle)
    assert "Clear enough to act on: " in stopped.stderr
    assert "the stop share is 90%" in stopped.stderr and "Go on with them?" in stopped.stderr
    count = len(yaml.safe_load(saved.read_text()))
    went_on = run("interview", "--engine", "python", "--context", str(saved), "--save",
                  str(saved), stdin="yes\n2\nstop\n")
    assert went_on.returncode == 0, went_on.stderr
    assert len(yaml.safe_load(saved.read_text())) == count + 1


def test_output_file_gets_the_report_in_the_chosen_format(tmp_path: Path) -> None:
    """--output with --format html writes the report there, and nothing to stdout."""
    report = tmp_path / "report.html"
    result = run("interview", "--engine", "python", "--output", str(report), "--format", "html",
                 stdin="2\nstop\n")
    assert result.returncode == 0 and result.stdout == ""
    assert report.read_text().startswith("<!DOCTYPE html>")
    assert f"The report is in {report}." in result.stderr
    markdown = run("interview", "--format", "markdown", stdin="stop\n").stdout
    assert markdown.startswith("# ")
    json_out = run("interview", "--format", "json", "--engine", "python", stdin="2\nstop\n")
    assert Report.model_validate_json(json_out.stdout).recommendation.context.aim \
        == "share_know_how"


def _as_a_shell_starts_it() -> None:
    """Start the child with Ctrl-C neither ignored nor blocked, as an interactive shell
    starts a command: an ignored or blocked SIGINT survives exec, and in two full runs of
    the suite (not alone) the child never acted on the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_ctrl_c_ends_cleanly_and_keeps_the_saved_answers(tmp_path: Path) -> None:
    """An interrupt mid-interview exits 130 with one line, and --save keeps the answers."""
    assert COMMAND is not None
    saved = tmp_path / "answers.yaml"
    process = subprocess.Popen([COMMAND, "interview", "--engine", "python", "--save", str(saved)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=_as_a_shell_starts_it)
    assert process.stdin is not None
    assert process.stderr is not None
    stderr = process.stderr
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(lambda: stderr.read(1), "")),
                              daemon=True)
    reader.start()
    process.stdin.write("2\n")
    process.stdin.flush()
    deadline = time.monotonic() + 60
    while "".join(seen).count("\n> ") < 2:  # the second question waits for its answer
        assert time.monotonic() < deadline, "the second question was never asked"
        assert process.poll() is None, "".join(seen)
        time.sleep(0.05)
    assert "aim" in saved.read_text()
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    reader.join(timeout=10)  # standard error ends with the process
    assert process.stdout is not None
    out, err = process.stdout.read(), "".join(seen)
    for stream in (process.stdin, process.stdout, stderr):
        stream.close()
    assert process.returncode == 130
    assert "Traceback" not in err
    assert f"collab-advisor: interrupted; the answers so far are saved in {saved}" in err
    assert yaml.safe_load(saved.read_text()) == {"aim": "share_know_how"}
    assert out == ""


def _wait_for_prompt(child: pexpect.spawn[str]) -> None:
    child.expect(">")
    time.sleep(0.5)  # let the prompt library take the terminal before typing


def _asked_after_sharing_know_how() -> str:
    """The question the interview's rule asks once the purpose is sharing know-how."""
    field = interview_stop(recommend(aim="share_know_how", engine="python")).next_question
    assert field is not None
    return FIELDS[field].question


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_on_a_terminal_prompts_show_with_line_editing_while_stdout_is_redirected(
        tmp_path: Path) -> None:
    """On a terminal the prompt library edits lines; prompts show though stdout is a file."""
    saved, report = tmp_path / "answers.yaml", tmp_path / "report.txt"
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    child = pexpect.spawn("bash", ["-c", f"'{COMMAND}' interview --engine python "
                                         f"--save '{saved}' > '{report}'"],
                          encoding="utf-8", timeout=60, env=env, dimensions=(40, 120))
    child.expect("What is the main purpose")
    _wait_for_prompt(child)
    child.send("shxx\x7f\x7fare\r")  # two backspaces: "share", the start of share_know_how
    child.expect(re.escape(_asked_after_sharing_know_how()))
    _wait_for_prompt(child)
    child.send("\x03")  # Ctrl-C
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "interrupted; the answers so far are saved" in (child.before or "")
    assert yaml.safe_load(saved.read_text()) == {"aim": "share_know_how"}
    assert "What is the main purpose" not in report.read_text()


def test_every_key_is_explained_and_a_skip_is_announced() -> None:
    """The keys are listed on screen, '?' shows them again, and Enter says what it skipped."""
    result = run("interview", "--engine", "python", stdin="?\n\nstop\n")
    assert result.returncode == 0, result.stderr
    for key in ("Enter alone or s", "b or back", "why", "? or help", "q or stop", "Ctrl-C"):
        assert result.stderr.count(key) >= 2, key  # at the start, and again after '?'
    assert "(number or name; Enter skips, b back, ? help, q stop)" in result.stderr
    assert f"Why this question matters: {PLANNING_WHY['aim']}" in result.stderr
    assert "skipped: aim left unknown" in result.stderr
    letter = run("interview", "--engine", "python", stdin="2\ns\nb\nb\nq\n")
    assert "skipped: " in letter.stderr and "Back to: " in letter.stderr


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_ctrl_c_without_save_offers_to_save_the_answers(tmp_path: Path) -> None:
    """Ctrl-C with no --save asks for a file; the name typed gets the answers so far."""
    saved = tmp_path / "kept.yaml"
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    child = pexpect.spawn(COMMAND or "collab-advisor", ["interview", "--engine", "python"],
                          encoding="utf-8", timeout=60, env=env, dimensions=(40, 120),
                          cwd=str(tmp_path))
    child.expect("What is the main purpose")
    _wait_for_prompt(child)
    child.send("2\r")
    child.expect(re.escape(_asked_after_sharing_know_how()))
    _wait_for_prompt(child)
    child.send("\x03")
    child.expect("Save your 1 answer so far")
    _wait_for_prompt(child)
    child.send("kept.yaml\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "interrupted; the answers so far are saved in kept.yaml" in (child.before or "")
    assert yaml.safe_load(saved.read_text()) == {"aim": "share_know_how"}


def test_the_stop_share_is_settable_and_a_bad_one_is_one_line() -> None:
    """--stop-share 100% asks on until first place is settled or nothing is left, never
    stopping at a clear share; a share outside (0, 1] is refused in one line naming the
    option."""
    answers = "1\n" * 25
    strict = run("interview", "--engine", "python", "--stop-share", "100%", stdin=answers)
    default = run("interview", "--engine", "python", stdin=answers)
    assert strict.returncode == 0 and default.returncode == 0
    assert "Clear enough to act on" in default.stderr
    assert "Clear enough" not in strict.stderr
    assert "Settled: " in strict.stderr or "No more questions to ask" in strict.stderr
    bad = run("interview", "--stop-share", "150%", stdin="")
    assert bad.returncode != 0 and "--stop-share" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_skipped_question_is_not_asked_again_and_the_end_says_why() -> None:
    """Skipped questions count as answered "don't know": none is asked twice, and the
    interview ends saying why (settled on what is left, or nothing left to ask)."""
    result = run("interview", "--engine", "python", "--stop-share", "100%",
                 stdin="\n" * 25)
    assert result.returncode == 0, result.stderr
    skipped = re.findall(r"skipped: ([a-z ]+) left unknown", result.stderr)
    assert skipped and len(skipped) == len(set(skipped))
    assert ("No more questions to ask (20 left unknown)." in result.stderr
            or "Settled: " in result.stderr)


def _reply(name: str, value: object) -> str:
    """What a person types to give ``value`` for ``name``: its number in the list."""
    if FIELDS[name].kind == "count":
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(allowed_values(name).index(value) + 1)


def test_the_stop_script_asks_as_the_interview_asks() -> None:
    """scripts/questions_to_stop.py asks the interview's questions in the interview's
    order, a question the case leaves open skipped, and stops where the interview stops."""
    script = load_script("questions_to_stop")
    truth = dict(script.load_cases("casebook", 0, 0))["hin-south-london-cops"]
    expected = script.run_case(load_rules(), truth, 0.9)
    assert any(name not in truth for name in expected["order"])  # a "don't know" asked
    replies = [_reply(n, truth[n]) if n in truth else "" for n in expected["order"]]
    result = run("interview", "--engine", "python", stdin="\n".join([*replies, "no"]) + "\n")
    assert result.returncode == 0, result.stderr
    questions = {FIELDS[name].question: name for name in RULE_FIELDS}
    asked = [questions[line] for line in result.stderr.splitlines() if line in questions]
    assert asked == expected["order"]
    assert expected["reason"] == "clear" and "Clear enough to act on: " in result.stderr


_PROVED_SETTLED = {"leadership": "managerial", "aim": "redesign_services",
                   "single_org_can_solve": False, "scope": "single_organisation",
                   "geographic_reach": "regional"}
"""First place proved settled, with too many open questions to count the ways one by one."""


def test_a_first_place_proved_settled_stops_the_interview_even_at_a_stop_share_of_100(
        tmp_path: Path) -> None:
    """Where the ways are sampled but first place is proved settled, the interview stops
    as settled, even with --stop-share 100% (it asked on, then reported 'Settled')."""
    context = tmp_path / "plan.yaml"
    context.write_text(yaml.safe_dump(_PROVED_SETTLED))
    result = run("interview", "--engine", "python", "--context", str(context),
                 "--stop-share", "100%", stdin="no\n")
    assert result.returncode == 0, result.stderr
    assert "Settled: Managed Clinical Network comes first however the 15 questions" \
        in result.stderr
    assert "\n> " not in result.stderr.split("Settled: ")[0]  # no question asked first
    check = interview_stop(recommend(_PROVED_SETTLED, engine="python"), threshold=1.0)
    assert check.stop and check.reason == "settled"


def test_a_sampled_clear_share_is_given_as_about_with_its_margin(tmp_path: Path) -> None:
    """The 'clear enough' stop states a sampled share as a sample (about, with its margin),
    as the report does, never as an exact percentage."""
    context = tmp_path / "plan.yaml"
    context.write_text(yaml.safe_dump({  # too many part classes to count every way
        "formality": "informal", "time_span": "fixed_term", "single_org_can_solve": True,
        "patient_involvement": "none", "leadership": "managerial",
        "enabling_support": "directs", "shared_domain": True, "geographic_reach": "local"}))
    result = run("interview", "--engine", "python", "--context", str(context), stdin="no\n")
    stop = next(line for line in result.stderr.splitlines() if "Clear enough" in line)
    assert re.search(r"comes first in about \d+% \(±\d+\.\d points, a seeded sample of "
                     r"2,000\) of the ways the 12 questions", stop)


def test_the_python_interview_rule_asks_the_purpose_first_as_the_command_does() -> None:
    """``interview_stop`` names the purpose as the next question while it is open, as the
    interview command asks it first (it named leadership)."""
    assert interview_stop(recommend(engine="python")).next_question == "aim"
    result = run("interview", "--engine", "python", stdin="stop\n")
    assert result.stderr.split("\n\n")[1].startswith("What is the main purpose?")
