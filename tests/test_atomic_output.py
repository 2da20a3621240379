"""Files the CLI writes are all or nothing: a kill or a full disk leaves the old or the new."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest

from collab_advisor._cli import app as cli_app

COMMAND = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
OLD = "the previous results, which must survive\n"
AIMS = ("close_practice_gap", "share_know_how", "redesign_services", "improve_specialty_outcomes")

needs_command = pytest.mark.skipif(COMMAND is None, reason="collab-advisor is not installed")


def _write_input(path: Path, rows: int) -> None:
    picker = random.Random(rows)
    with path.open("w", encoding="utf-8") as stream:
        for i in range(rows):
            stream.write(json.dumps({"aim": picker.choice(AIMS), "sites": picker.randint(1, 60),
                                     "name": f"row {i}"}) + "\n")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    assert COMMAND is not None
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, timeout=120,
                          check=False)


def _others(folder: Path, keep: set[str]) -> dict[str, int]:
    """The folder's other files and their sizes (what a writer is changing)."""
    found = {}
    for entry in folder.iterdir():
        if entry.name not in keep:
            with contextlib.suppress(OSError):
                found[entry.name] = entry.stat().st_size
    return found


@needs_command
@pytest.mark.once
def test_batch_killed_at_random_points_leaves_the_old_or_the_whole_new_file(
        tmp_path: Path) -> None:
    """Twenty kills -9, half at any moment and half while the output is being written."""
    source = tmp_path / "in.jsonl"
    _write_input(source, 6000)
    output = tmp_path / "out.jsonl"
    assert _run("batch", str(source), "--output", str(output)).returncode == 0
    complete = output.read_text(encoding="utf-8")
    assert complete.count("\n") == 6000
    started = time.monotonic()
    _run("batch", str(source), "--output", str(tmp_path / "timing.jsonl"))
    whole_run = time.monotonic() - started
    (tmp_path / "timing.jsonl").unlink()
    picker = random.Random(21)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(20):
        output.write_text(OLD, encoding="utf-8")
        before = _others(tmp_path, {source.name})
        assert COMMAND is not None
        process = subprocess.Popen([COMMAND, "batch", str(source), "--output", str(output)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if attempt % 2 == 0:  # anywhere in the run
                time.sleep(picker.uniform(0, whole_run))
            else:  # once the output starts to change: while it is written
                deadline = time.monotonic() + 60
                while _others(tmp_path, {source.name}) == before and process.poll() is None:
                    assert time.monotonic() < deadline
                    time.sleep(0.0005)
                time.sleep(picker.uniform(0, 0.05))
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=60)
        text = output.read_text(encoding="utf-8")
        assert text in (OLD, complete), (attempt, len(text), text.count("\n"))
        outcomes["old" if text == OLD else "new"] += 1
        for leftover in tmp_path.glob(".out.jsonl.*.tmp"):
            leftover.unlink()  # a killed writer cannot clean up; the next run starts afresh
    assert outcomes["old"] > 0


@contextlib.contextmanager
def _small_disk(folder: Path, kib: int) -> Iterator[Path]:
    """A tmpfs of ``kib`` KiB mounted at ``folder`` (root only), unmounted afterwards."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs",
                              str(folder)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root); the simulated full disk "
                    "test covers this")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=False)


@needs_command
@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                    reason="mounting a tmpfs needs root on Linux")
def test_batch_on_a_full_disk_keeps_the_old_file(tmp_path: Path) -> None:
    """On a 64 KiB disk the batch fails with one line naming the file, and the old file stays."""
    source = tmp_path / "in.jsonl"
    _write_input(source, 2000)
    with _small_disk(tmp_path / "disk", 64) as disk:
        output = disk / "out.jsonl"
        output.write_text(OLD, encoding="utf-8")
        result = _run("batch", str(source), "--output", str(output))
        assert result.returncode == 1
        assert f"cannot write {output}" in result.stderr
        assert "No space left on device" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert output.read_text(encoding="utf-8") == OLD
        assert sorted(p.name for p in disk.iterdir()) == ["out.jsonl"]


def test_a_write_error_midway_keeps_the_old_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A simulated full disk half way through the rows leaves the old output untouched."""
    source = tmp_path / "in.jsonl"
    _write_input(source, 50)
    output = tmp_path / "out.jsonl"
    output.write_text(OLD, encoding="utf-8")
    from collab_advisor._cli.commands import batch as batch_command

    real = batch_command._write_records

    def fill_the_disk(records: list[list[Any]], form: str, target: TextIO, table: Any) -> None:
        real(records[:25], form, target, table)
        target.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(batch_command, "_write_records", fill_the_disk)
    assert cli_app.main(["batch", str(source), "--output", str(output)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert output.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


@needs_command
def test_batch_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    """--output naming the input is refused in one line unless --overwrite-input is given."""
    source = tmp_path / "in.jsonl"
    _write_input(source, 3)
    original = source.read_text(encoding="utf-8")
    refused = _run("batch", str(source), "--output", str(source))
    assert refused.returncode == 2
    assert "--output" in refused.stderr and "--overwrite-input" in refused.stderr
    assert source.read_text(encoding="utf-8") == original
    linked = tmp_path / "link.jsonl"
    linked.symlink_to(source)
    assert _run("batch", str(source), "--output", str(linked)).returncode == 2
    allowed = _run("batch", str(source), "--output", str(source), "--overwrite-input")
    assert allowed.returncode == 0
    assert source.read_text(encoding="utf-8").count('"top"') == 3


@needs_command
def test_batch_output_keeps_the_old_files_permissions(tmp_path: Path) -> None:
    """The replaced output keeps the mode the old file had."""
    source = tmp_path / "in.jsonl"
    _write_input(source, 3)
    output = tmp_path / "out.csv"
    output.write_text(OLD, encoding="utf-8")
    output.chmod(0o640)
    assert _run("batch", str(source), "--output", str(output)).returncode == 0
    assert output.stat().st_mode & 0o777 == 0o640
    assert output.read_text(encoding="utf-8").startswith("row,name,top")


def test_interview_report_is_written_in_one_step(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The interview's --output goes through a temporary file, so a failed write keeps the old."""
    from collab_advisor._cli import atomic

    target = tmp_path / "report.txt"
    target.write_text(OLD, encoding="utf-8")

    def broken_fsync(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left") as raised:
        atomic.write_atomic(target, "a new report\n" * 100)
    assert raised.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


@needs_command
def test_interview_refuses_an_output_that_is_its_context(tmp_path: Path) -> None:
    """interview --output naming its --context file is refused before any question."""
    context = tmp_path / "plan.yaml"
    context.write_text("aim: share_know_how\n", encoding="utf-8")
    result = subprocess.run([str(COMMAND), "interview", "--context", str(context),
                             "--output", str(context)], input="", capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "--output" in result.stderr
    assert context.read_text(encoding="utf-8") == "aim: share_know_how\n"


def test_an_xlsx_output_is_all_or_nothing_and_keeps_its_permissions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The .xlsx writer goes through the same atomic output as text: a workbook replaced
    keeps the old file's mode, and a write that fails at the disk leaves the old workbook
    and no temporary file."""
    pytest.importorskip("openpyxl")
    from collab_advisor._cli.sheets import write_xlsx

    target = tmp_path / "out.xlsx"
    write_xlsx(["name", "top"], [["Ward 7", "community_of_practice"]], str(target))
    target.chmod(0o640)
    old = target.read_bytes()
    write_xlsx(["name", "top"], [["Ward 8", "clinical_community"]], str(target))
    assert target.stat().st_mode & 0o777 == 0o640 and target.read_bytes() != old
    kept = target.read_bytes()

    def broken_fsync(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left") as raised:
        write_xlsx(["name"], [["Ward 9"]], str(target))
    assert raised.value.filename == str(target)
    assert target.read_bytes() == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]
