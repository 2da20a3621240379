"""`serve` cuts off slow clients (header and body timeouts, a connection cap), serving others."""

from __future__ import annotations

import contextlib
import json
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]
HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.5
MAX_CONNECTIONS = 20


@contextlib.contextmanager
def _serve(*options: str, preexec_fn: Callable[[], None] | None = None
           ) -> Iterator[tuple[str, int]]:
    """`collab-advisor serve` with ``options`` on a free loopback port (``preexec_fn`` runs
    in the child before it starts, to set a limit)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "collab_advisor", "serve", "--port", "0", "--no-browser",
         *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        preexec_fn=preexec_fn)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=60)
    except queue.Empty:
        process.kill()
        pytest.fail("the server did not start in time")
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert found, f"unexpected start-up line: {line!r}"
    try:
        yield "127.0.0.1", int(found.group(1))
    finally:
        process.terminate()
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    """`collab-advisor serve` with short timeouts and a small connection limit."""
    with _serve("--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT),
                "--max-connections", str(MAX_CONNECTIONS)) as found:
        yield found


def _closed_after(sock: socket.socket, limit: float, trickle: bytes = b"") -> float:
    """Seconds until the server closes ``sock`` (sending ``trickle`` a byte at a time)."""
    started = time.monotonic()
    sock.settimeout(0.2)
    sent = 0
    while time.monotonic() - started < limit:
        if sent < len(trickle):
            try:
                sock.sendall(trickle[sent:sent + 1])
            except OSError:
                return time.monotonic() - started
            sent += 1
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except OSError:
            return time.monotonic() - started
    return float("inf")


def _quick_request(host: str, port: int) -> tuple[int, float]:
    started = time.monotonic()
    with urllib.request.urlopen(f"http://{host}:{port}/api/rules", timeout=10) as response:
        return response.status, time.monotonic() - started


def test_a_silent_connection_is_closed_after_the_header_timeout(
        address: tuple[str, int]) -> None:
    """A client that connects and sends nothing is cut off after the header timeout."""
    with socket.create_connection(address) as sock:
        waited = _closed_after(sock, HEADER_TIMEOUT + 5)
    assert HEADER_TIMEOUT * 0.8 <= waited <= HEADER_TIMEOUT + 3


def test_headers_sent_a_byte_at_a_time_are_cut_off(address: tuple[str, int]) -> None:
    """Trickled headers do not reset the clock: the connection closes after the timeout."""
    trickle = b"GET /api/rules HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 500
    with socket.create_connection(address) as sock:
        waited = _closed_after(sock, HEADER_TIMEOUT + 5, trickle)
    assert waited <= HEADER_TIMEOUT + 3


def test_a_body_sent_a_byte_at_a_time_is_cut_off(address: tuple[str, int]) -> None:
    """A body trickled after whole headers is cut off after the body timeout."""
    with socket.create_connection(address) as sock:
        sock.sendall(b"POST /api/recommend HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 2000\r\n\r\n")
        waited = _closed_after(sock, BODY_TIMEOUT + 5, b" " * 2000)
    assert waited <= BODY_TIMEOUT + 3


def test_quick_clients_are_served_while_slow_ones_hold_connections() -> None:
    """With twice the connection limit held open by silent clients, requests still succeed.

    The header timeout is far longer than the test, so the requests are served because
    they displace the silent clients, not because those timed out."""
    with _serve("--header-timeout", "300", "--max-connections", str(MAX_CONNECTIONS)) as found:
        held = []
        try:
            for _ in range(MAX_CONNECTIONS * 2):
                held.append(socket.create_connection(found))
            results = [_quick_request(*found) for _ in range(10)]
            assert [status for status, _ in results] == [200] * 10
        finally:
            for sock in held:
                sock.close()


def test_a_request_sent_a_moment_after_its_connection_is_served_past_the_limit() -> None:
    """Past the limit, a client whose headers follow its connection by a moment is not cut
    off as slow: it displaces a silent client once its request arrives."""
    with _serve("--header-timeout", "300", "--max-connections", str(MAX_CONNECTIONS)) as found:
        held = [socket.create_connection(found) for _ in range(MAX_CONNECTIONS)]
        try:
            with socket.create_connection(found) as sock:
                time.sleep(0.1)  # shorter than the probation the server allows
                sock.sendall(b"GET /api/rules HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Connection: close\r\n\r\n")
                sock.settimeout(30)
                first_line = sock.makefile("rb").readline()
            assert first_line.startswith(b"HTTP/1.1 200"), first_line
        finally:
            for other in held:
                other.close()


def test_kept_alive_connections_answer_several_requests(address: tuple[str, int]) -> None:
    """The header timer re-arms for each request on a kept-alive connection."""
    with socket.create_connection(address) as sock:
        sock.settimeout(5)
        for _ in range(3):
            sock.sendall(b"GET /api/rules HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                assert chunk, "the server closed a kept-alive connection mid-answer"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            time.sleep(HEADER_TIMEOUT / 2)


def test_fifty_planners_saving_at_once_are_all_served() -> None:
    """With the default limits, 50 simultaneous POSTs (the workspaces' load) all get 200."""
    body = json.dumps({"aim": "share_know_how", "sites": 4}).encode()
    with _serve() as (host, port):
        barrier = threading.Barrier(50)
        statuses: list[int] = []

        def save() -> None:
            request = urllib.request.Request(
                f"http://{host}:{port}/api/recommend", data=body, method="POST",
                headers={"content-type": "application/json"})
            barrier.wait(timeout=30)
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                statuses.append(response.status)

        threads = [threading.Thread(target=save) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
    assert statuses == [200] * 50
