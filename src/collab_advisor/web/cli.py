"""``collab-advisor serve``: the web app on this machine.

This module imports without the web extra, so that the command can say how to
install it; the web libraries are imported only when the server starts.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import ipaddress
import socket
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .limits import add_limit_options, deep_queue, server_config

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROG = "collab-advisor"
INSTALL_HINT = ("the web app needs the optional 'web' extra: "
                "pip install 'collab-advisor[web]'")
_WEB_MODULES = ("fastapi", "uvicorn", "jinja2", "multipart")
BROWSER_WAIT = 10.0
"""Seconds to wait for the server to start before giving up on opening the browser."""


def add_serve_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``serve`` to the command line's subcommands."""
    serve = commands.add_parser(
        "serve", help="start the web app and HTTP API on this machine",
        description="Start the planner's web app and the HTTP API (needs the 'web' extra: "
        "pip install 'collab-advisor[web]'). It listens on 127.0.0.1 only, unless --host "
        "says otherwise, stores nothing, and keeps no log of what planners enter.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000,
                       help="the port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--rules", action="append", metavar="PATH", type=Path,
                       help="a rule file or folder to use instead of the shipped rules "
                       "(repeat to combine several); read once at start-up")
    serve.add_argument("--no-browser", action="store_true",
                       help="do not open the app in a web browser")
    serve.add_argument("--allow-host", action="append", metavar="NAME", default=[],
                       help="another name browsers may use for this server (the Host "
                       "header is checked, against DNS rebinding); repeat for several")
    serve.add_argument("--access-log", action="store_true",
                       help="log each request's method, path and status (never the "
                       "query string, which holds the answers)")
    add_limit_options(serve)
    serve.set_defaults(run=run_serve)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> set[str]:
    """The names the Host header may carry for a server bound to ``host``."""
    from .app import LOOPBACK_NAMES

    names = {host.strip("[]").lower(), *(name.lower() for name in extra)}
    if is_loopback(host):
        names.update(LOOPBACK_NAMES)
    elif host in ("0.0.0.0", "::", ""):  # every address of this machine  # noqa: S104
        names.update(LOOPBACK_NAMES)
        hostname = socket.gethostname()
        names.update({hostname.lower(), socket.getfqdn().lower()})
        with contextlib.suppress(OSError):
            names.update(str(info[4][0]).lower() for info in socket.getaddrinfo(hostname, None))
    return names


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host.strip("[]"), port), family=family)
    # Connections accepted from a socket handed to uvicorn keep the listener's options;
    # without this, Nagle's algorithm and delayed ACKs add about 40 ms to each response.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
    if ":" in shown:
        shown = "[::1]" if shown == "::" else f"[{shown.strip('[]')}]"
    return f"http://{shown}:{port}/"


class PathLog:
    """Logs each request's method, path and status to standard error, never its query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                sys.stderr.write(f"{scope['method']} {scope['path']} {message['status']}\n")
            await send(message)

        await self.app(scope, receive, logging_send)


def run_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Start the server and run until interrupted."""
    missing = [name for name in _WEB_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        sys.stderr.write(f"{PROG}: error: {INSTALL_HINT}\n")
        return 2
    import uvicorn

    from collab_advisor import load_rules

    from .app import create_app

    rules = load_rules(*args.rules) if args.rules else None
    if not 0 <= args.port <= 65535:
        sys.stderr.write(f"{PROG}: error: --port must be from 0 to 65535, not {args.port}\n")
        return 2
    names = allowed_hosts(args.host, args.allow_host)
    if not is_loopback(args.host):
        sys.stderr.write(
            f"{PROG}: warning: listening on {args.host}, so other machines can reach this "
            "app; it has no login. Browsers must address it as one of: "
            f"{', '.join(sorted(names))} (add others with --allow-host).\n")
    try:
        sock = deep_queue(_listen(args.host, args.port))
    except OSError as error:
        sys.stderr.write(f"{PROG}: error: cannot listen on {args.host} port {args.port}: "
                         f"{error.strerror or error}\n")
        return 2
    port = int(sock.getsockname()[1])
    app: ASGIApp = create_app(rules, allowed_hosts=names)
    if args.access_log:
        app = PathLog(app)
    config = server_config(app, args)
    server = uvicorn.Server(config)
    url = _url(args.host, port)
    out.write(f"collab-advisor is ready at {url} (press Ctrl+C to stop)\n")
    out.flush()
    if not args.no_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


def _open_when_started(server: object, url: str) -> None:
    started = threading.Event()
    for _ in range(int(BROWSER_WAIT / 0.1)):
        if getattr(server, "started", False):
            started.set()
            break
        started.wait(0.1)
    if started.is_set():
        import webbrowser

        webbrowser.open(url)
