"""Past the process's descriptor limit (macOS's default of 256), silent connections do not
stop `serve` from answering a quick request (issue 21, item 5: accept failed with too many
open files and real requests waited 7.5 to 10 s or more)."""

from __future__ import annotations

import resource
import socket
import urllib.request

import pytest

pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install -e '.[test]'")

from .test_serve_limits import _serve

DESCRIPTORS = 256
ATTACKERS = 400


def _limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS))


def test_silent_connections_past_the_descriptor_limit_leave_room_for_a_request() -> None:
    """400 silent clients against a 256-descriptor server: three quick requests get 200."""
    with _serve(preexec_fn=_limit_descriptors) as (host, port):
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
