"""Databases for the workspace tests: a fresh SQLite file, or a fresh PostgreSQL database.

The PostgreSQL leg reads the server's URL from COLLAB_ADVISOR_TEST_DATABASE_URL (set by
.ci/run after it starts a cluster); without it those tests skip, except on CI.
"""

from __future__ import annotations

import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ON_CI

PG_ENV = "COLLAB_ADVISOR_TEST_DATABASE_URL"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_server_url() -> str:
    """The test server's URL, or a skip (a failure on CI) when there is none."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if ON_CI:
            pytest.fail(f"{PG_ENV} is not set: .ci/run starts PostgreSQL and sets it on CI")
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} (as .ci/run does) to run these")
    return url


def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(postgres_server_url()).set(drivername="postgresql+psycopg")
    name = f"ws_test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database's URL or path, on SQLite and (marked postgres) PostgreSQL."""
    if request.param == "sqlite":
        yield str(tmp_path / "workspaces.sqlite3")
    else:
        yield from fresh_postgres_database()


START_TIMEOUT = 60.0


class Served:
    """A running `collab-advisor serve`: its process and its address."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def stop(self) -> str:
        """Stop the server (SIGINT, then SIGKILL after 15 s); returns its standard error."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, errors = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, errors = self.process.communicate()
        return errors or ""


def serve(*arguments: str) -> Served:
    """Start `collab-advisor serve --port 0 --no-browser ARGUMENTS` and wait until ready."""
    command = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
    assert command is not None
    process = subprocess.Popen([command, "serve", "--port", "0", "--no-browser", *arguments],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=START_TIMEOUT)
    except queue.Empty:
        process.kill()
        pytest.fail("the server did not start in time")
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    if not found:
        process.kill()
        pytest.fail(f"unexpected start-up line: {line!r} {process.communicate()[1]}")
    url = found.group(1)
    deadline = time.monotonic() + START_TIMEOUT
    while True:  # the workers may still be importing the app after the parent's line
        try:
            with urllib.request.urlopen(  # noqa: S310 (http on loopback)
                    url + "/api/workspaces/public-key", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"the server did not answer: {process.communicate()[1]}")
            time.sleep(0.2)
    return Served(process, url)


def worker_pids(parent: int) -> list[int]:
    """The process ids of a server's worker processes (its children that serve)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            command = (entry / "cmdline").read_bytes()
            if b"spawn_main" in command:  # not the resource tracker
                found.append(int(entry.name))
    return sorted(found)
