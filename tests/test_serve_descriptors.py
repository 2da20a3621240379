"""Past the process's descriptor limit (macOS's default of 256), silent connections do not
stop `serve` from answering a quick request (issue 21, item 5: accept failed with too many
open files and real requests waited 7.5 to 10 s or more)."""

from __future__ import annotations

import contextlib
import queue
import re
import resource
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTORS = 256
ATTACKERS = 400


def _limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS))


@contextlib.contextmanager
def _serve_with_few_descriptors() -> Iterator[tuple[str, int]]:
    """`collab-advisor serve` with its default limits, in a process of 256 descriptors."""
    process = subprocess.Popen(
        [sys.executable, "-m", "collab_advisor", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
        preexec_fn=_limit_descriptors)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", lines.get(timeout=60))
        assert found, "the server did not print its address"
        yield "127.0.0.1", int(found.group(1))
    finally:
        process.terminate()
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_silent_connections_past_the_descriptor_limit_leave_room_for_a_request() -> None:
    """400 silent clients against a 256-descriptor server: three quick requests get 200."""
    with _serve_with_few_descriptors() as (host, port):
        held: list[socket.socket] = []
        try:
            for _ in range(ATTACKERS):
                held.append(socket.create_connection((host, port), timeout=5))
            for _ in range(3):
                with urllib.request.urlopen(f"http://{host}:{port}/api/rules",
                                            timeout=30) as response:
                    assert response.status == 200
        finally:
            for sock in held:
                sock.close()
