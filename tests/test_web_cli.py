"""`collab-advisor serve` as a command: clear one-line errors, start-up on loopback."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
from importlib.machinery import ModuleSpec

import pytest

from collab_advisor._cli.app import main
from collab_advisor.web import cli as web_cli

from .conftest import ROOT


def test_serve_without_the_web_extra_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Without FastAPI installed, serve prints one line naming the extra and exits 2."""
    real = importlib.util.find_spec

    def without_fastapi(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "fastapi" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_fastapi)
    assert main(["serve", "--no-browser"]) == 2
    error = capsys.readouterr().err
    assert error == ("collab-advisor: error: the web app needs the optional 'web' extra: "
                     "pip install 'collab-advisor[web]'\n")


def test_serve_reports_a_busy_port_in_one_line() -> None:
    """A port already in use gives one plain error line and exit status 2, no traceback."""
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "collab_advisor", "serve", "--port", str(port),
             "--no-browser"], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith(f"collab-advisor: error: cannot listen on 127.0.0.1 "
                                    f"port {port}:")
    assert len(result.stderr.splitlines()) == 1


def test_serve_with_broken_rules_fails_before_listening() -> None:
    """A rule file with an error stops start-up with the file named, in one line."""
    bad = ROOT / "tests" / "__no_such_rules__.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "collab_advisor", "serve", "--port", "0", "--no-browser",
         "--rules", str(bad)], capture_output=True, text=True, cwd=ROOT, timeout=60,
        check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("collab-advisor: error:")
    assert "__no_such_rules__.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_binding_beyond_loopback_warns(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """--host 0.0.0.0 warns that other machines can reach the app, before it listens."""
    def refuse(host: str, port: int) -> socket.socket:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(web_cli, "_listen", refuse)
    assert main(["serve", "--host", "0.0.0.0", "--no-browser"]) == 2  # noqa: S104
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("collab-advisor: warning: listening on 0.0.0.0, so other "
                               "machines can reach this app; it has no login.")
    assert lines[1] == ("collab-advisor: error: cannot listen on 0.0.0.0 port 8000: "
                        "Address already in use")


def test_the_listening_socket_sends_small_responses_at_once() -> None:
    """The server's socket has TCP_NODELAY, so a response is not held back ~40 ms."""
    sock = web_cli._listen("127.0.0.1", 0)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()
