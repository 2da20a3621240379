"""`serve --workers N` on one database, `record verify` as an installed command, and a
worker killed with SIGKILL during saves losing no acknowledged save."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from collab_advisor._workspace.models import DecisionInput
from collab_advisor._workspace.store import WorkspaceStore

from .workspace_support import database, serve, worker_pids  # noqa: F401 (a fixture)

COMMAND = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))


def _call(method: str, url: str, body: Any = None, timeout: float = 10) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,  # noqa: S310 (loopback)
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _record_file(tmp_path: Path) -> tuple[Path, Path, str]:
    with WorkspaceStore(tmp_path / "w.sqlite3") as store:
        made = store.create_workspace("Verify me")
        store.join(made.member_token, {"time_span": "fixed_term"}, label="Ann")
        record = store.record_decision(made.facilitator_token, DecisionInput(
            chosen="community_of_practice", why="we share know-how", present=("Ann",)))
        markdown, pdf = tmp_path / "record.md", tmp_path / "record.pdf"
        markdown.write_text(record.to_markdown(), encoding="utf-8")
        pdf.write_bytes(record.to_pdf())
        return markdown, pdf, store.public_key()


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    assert COMMAND is not None
    return subprocess.run([COMMAND, *arguments], capture_output=True, text=True, timeout=120,
                          check=False)


def test_record_verify_accepts_a_true_record_and_refuses_an_edited_one(tmp_path: Path) -> None:
    """verify: one line and exit 0 for a true record; one line and exit 1 once edited."""
    markdown, pdf, key = _record_file(tmp_path)
    for path in (markdown, pdf):
        good = _run("record", "verify", str(path), "--key", key)
        assert good.returncode == 0, good.stderr
        assert good.stdout.count("\n") == 1 and ": OK: decision record" in good.stdout
    markdown.write_text(markdown.read_text(encoding="utf-8").replace(
        "we share know-how", "we were told to"), encoding="utf-8")
    edited = _run("record", "verify", str(markdown))
    assert edited.returncode == 1
    assert edited.stderr.count("\n") == 1 and "hash mismatch" in edited.stderr
    other_key = _run("record", "verify", str(pdf), "--key", "A" * 43 + "=")
    assert other_key.returncode == 1 and "another key" in other_key.stderr
    missing = _run("record", "verify", str(tmp_path / "none.md"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    plain = tmp_path / "plain.md"
    plain.write_text("# not a record\n", encoding="utf-8")
    nothing = _run("record", "verify", str(plain))
    assert nothing.returncode == 2 and "no decision record found" in nothing.stderr


def test_serve_with_two_workers_shares_one_database(tmp_path: Path) -> None:
    """Two worker processes serve the same workspaces: every request finds every write."""
    served = serve("--workers", "2", "--database", str(tmp_path / "w.sqlite3"))
    try:
        assert len(worker_pids(served.process.pid)) == 2
        status, made = _call("POST", served.url + "/api/workspaces", {"name": "Shared"})
        assert status == 201
        for number in range(1, 13):  # connections land on either worker
            status, seat = _call("POST", f"{served.url}/api/workspaces/m/"
                                 f"{made['member_token']}/members",
                                 {"answers": {"sites": number}})
            assert status == 201 and seat["number"] == number
            status, progress = _call("GET", f"{served.url}/api/workspaces/f/"
                                     f"{made['facilitator_token']}")
            assert len(progress["members"]) == number
    finally:
        errors = served.stop()
    assert made["facilitator_token"] not in errors


def test_a_worker_killed_during_saves_loses_no_acknowledged_save(database: str) -> None:  # noqa: F811
    """SIGKILL of a worker mid-saves: every save answered 2xx is in the database after."""
    served = serve("--workers", "2", "--database", database, "--save-limit", "1000")
    acknowledged: dict[str, tuple[int, int]] = {}
    stop = threading.Event()
    sent = [0]
    try:
        status, made = _call("POST", served.url + "/api/workspaces", {"name": "Kill"})
        edits = []
        for _ in range(8):
            status, seat = _call("POST", f"{served.url}/api/workspaces/m/"
                                 f"{made['member_token']}/members",
                                 {"answers": {"sites": 1}})
            assert status == 201
            edits.append(seat["edit_token"])

        def member(edit: str) -> None:
            version, value = 1, 1
            while not stop.is_set():
                value += 1
                sent[0] += 1
                try:
                    status, body = _call("PUT", f"{served.url}/api/workspaces/e/{edit}",
                                         {"answers": {"sites": value}, "version": version},
                                         timeout=20)
                except (OSError, http.client.HTTPException):  # the connection died with
                    status = 0  # its worker, before or while answering: no acknowledgement
                if status == 200:
                    version = body["version"]
                    acknowledged[edit] = (version, value)
                elif status in (0, 409, 500, 502, 503):
                    try:  # catch up with what the database holds
                        status, page = _call("GET", f"{served.url}/api/workspaces/e/{edit}")
                        if status == 200:
                            version = page["seat"]["version"]
                    except (OSError, http.client.HTTPException):
                        time.sleep(0.05)

        threads = [threading.Thread(target=member, args=(edit,)) for edit in edits]
        for thread in threads:
            thread.start()
        time.sleep(2.0)
        victims = worker_pids(served.process.pid)
        assert len(victims) == 2
        os.kill(victims[0], signal.SIGKILL)
        time.sleep(3.0)
        stop.set()
        for thread in threads:
            thread.join(60)
    finally:
        served.stop()
    assert len(acknowledged) == len(edits) and sent[0] > 50
    with WorkspaceStore(database) as store:
        for edit, (version, value) in acknowledged.items():
            page = store.member_page(edit)
            assert page.seat is not None
            # a save may have landed after its acknowledgement was lost, never the other way
            assert page.seat.version >= version
            if page.seat.version == version:
                assert page.seat.answers == {"sites": value}
        if store.dialect == "sqlite":
            with store.db.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
