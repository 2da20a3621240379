"""The command line fits a terminal: recommend's one-screen view, --full, width, colour only
on a terminal, --version, shell completion, and unknown options named per command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import pexpect
import pytest
from hypothesis import given, settings

from collab_advisor import Context

from .strategies import contexts
from .test_cli import COMMAND, run

README_EXAMPLE = ("recommend", "--aim", "share", "--formality", "informal", "--origin",
                  "emergent", "--engine", "python")
_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _at(columns: int, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    assert COMMAND is not None
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, check=False,
                          timeout=120, env={**os.environ, "COLUMNS": str(columns), **env})


def test_recommend_fits_a_screen_with_verdict_reasons_sureness_and_next_question() -> None:
    """The README's example prints at most 40 lines at 80 columns, with every part."""
    result = _at(80, *README_EXAMPLE)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= 40
    assert max(len(line) for line in lines) <= 80
    text = " ".join(result.stdout.split())
    assert "Community of Practice fits best" in text
    assert "Main reasons" in text and "(+3; ●●● defining, guidance)" in text
    assert "Grades: first place rests on" in text
    assert "How sure" in text and "comes first in about" in text and "ways the" in text
    assert "equally likely" in text and "alternative weighting" in text
    assert "Most useful next question" in text and "(--shared-domain)" in text
    assert "add --full" in text
    assert _ESCAPE.search(result.stdout) is None  # not a terminal: no colour codes


def test_full_gives_the_whole_report() -> None:
    """--full prints today's whole report, far longer than a screen."""
    full = _at(80, *README_EXAMPLE, "--full").stdout
    assert "1. Community of Practice" in full and "4. " in full
    assert len(full.splitlines()) > 40


def test_a_tie_names_every_approach_at_the_top() -> None:
    """With nothing known all four tie, and the verdict says so rather than pick one."""
    result = _at(80, "recommend", "--engine", "python")
    first = result.stdout.splitlines()[1]
    assert first == "No approach is ahead: all four are tied at 0 points."
    for name in ("Quality Improvement Collaborative", "Community of Practice",
                 "Managed Clinical Network", "Clinical Community"):
        assert name in result.stdout


def test_width_follows_the_terminal() -> None:
    """At 50 columns no line is wider than 50."""
    narrow = _at(50, *README_EXAMPLE).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 50


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color", [False, True])
def test_colour_only_on_a_terminal_and_never_under_no_color(no_color: bool) -> None:
    """On a terminal the verdict is coloured, unless NO_COLOR is set."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80"}
    env.pop("NO_COLOR", None)
    if no_color:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(COMMAND or "collab-advisor", list(README_EXAMPLE), env=env,
                          encoding="utf-8", timeout=60, dimensions=(60, 80))
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before or ""
    colours = re.findall(r"\x1b\[[0-9;]*3[0-7]m", shown)
    assert "fits best" in shown
    assert (colours == []) is no_color


def test_version_prints_the_installed_version() -> None:
    """--version names the command and the installed package's version."""
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"collab-advisor {version('collab-advisor')}"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_completes_commands_and_values() -> None:
    """The bash script, sourced in a real bash, completes a command and a field's value."""
    assert COMMAND is not None
    script = (f'eval "$("{COMMAND}" completion bash)"; '
              'complete_it() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; '
              'read -ra COMP_WORDS <<< "$1"; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); '
              '_python_argcomplete collab-advisor; echo "${COMPREPLY[*]}"; }; '
              'complete_it "collab-advisor rec"; complete_it "collab-advisor recommend --aim sh"')
    env = {**os.environ, "PATH": f"{Path(COMMAND).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                            timeout=120, env=env, check=False)
    commands, values = result.stdout.splitlines()
    assert commands.split() == ["recommend", "record"]
    assert values.split() == ["share_know_how"]


@pytest.mark.parametrize(("shell", "marker"), [
    ("bash", "complete -o nospace -o default -o bashdefault -F _python_argcomplete "
             "collab-advisor"),
    ("zsh", "#compdef collab-advisor"),
    ("fish", "complete --command collab-advisor"),
])
def test_completion_prints_a_script_for_each_shell(shell: str, marker: str) -> None:
    """completion SHELL prints that shell's script for this command; others are refused."""
    result = run("completion", shell)
    assert result.returncode == 0 and marker in result.stdout
    refused = run("completion", "tcsh")
    assert refused.returncode == 2 and "bash, zsh, fish" in refused.stderr


def test_an_unknown_option_is_named_against_its_own_command() -> None:
    """rules check --rules says --rules is not an option of rules check, never suggesting
    what was typed."""
    result = run("rules", "check", "--rules", "x.yaml")
    assert result.returncode == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "--rules is not an option of 'rules check'" in message
    assert "did you mean --rules?" not in message
    assert "did you mean --add-rules?" in message
    assert "did you mean --aim?" in run("recommend", "--aimm", "share").stderr


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_a_long_report_goes_through_the_pager_only_when_interactive() -> None:
    """--full on a terminal goes through $PAGER; piped, it is written straight out."""
    env = {**os.environ, "TERM": "xterm", "PAGER": "sed s/^/PAGED:/", "NO_COLOR": "1"}
    env.pop("MANPAGER", None)
    child = pexpect.spawn(COMMAND or "collab-advisor", [*README_EXAMPLE, "--full"], env=env,
                          encoding="utf-8", timeout=60, dimensions=(24, 80))
    child.expect(pexpect.EOF)
    child.close()
    assert "PAGED:1. Community of Practice" in (child.before or "")
    piped = _at(80, *README_EXAMPLE, "--full", PAGER="sed s/^/PAGED:/")
    assert "PAGED:" not in piped.stdout and "1. Community of Practice" in piped.stdout


@settings(max_examples=40, deadline=None)
@given(context=contexts())
def test_the_short_view_fits_40_lines_at_80_columns_for_any_context(
        context: Context) -> None:
    """Whatever the answers, the one-screen view is at most 40 lines of at most 80 columns
    and names every approach tied at the top."""
    import io

    from collab_advisor import recommend
    from collab_advisor._cli.short import write_short

    rec = recommend(context, engine="python")
    out = io.StringIO()
    write_short(rec, rec.report().analysis, out, width=80)
    lines = out.getvalue().splitlines()
    assert len(lines) <= 40
    assert max(len(line) for line in lines) <= 80
    for ranked in rec.ranking:
        if ranked.approach in rec.tied_for_first:
            assert ranked.name in out.getvalue()
