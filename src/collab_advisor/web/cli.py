"""``collab-advisor serve``: the web app on this machine.

This module imports without the web extra, so that the command can say how to
install it; the web libraries are imported only when the server starts.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import inspect
import ipaddress
import json
import os
import re
import socket
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .limits import add_limit_options, deep_queue, limit_requests, server_options

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from .._workspace.store import WorkspaceStore

PROG = "collab-advisor"
INSTALL_HINT = ("the web app needs the optional 'web' extra: "
                "pip install 'collab-advisor[web]'")
_WEB_MODULES = ("fastapi", "uvicorn", "jinja2", "multipart")
_ROOT_PATH = re.compile(r"(?:/[A-Za-z0-9._~-]+)+")
_TOKEN_PATH = re.compile(r"^(/(?:api/workspaces|w)/[fme])/[^/]+")
"""A workspace link's path: its token is left out of the access log."""
SERVE_ENVIRONMENT = "COLLAB_ADVISOR_SERVE"
"""Where ``serve --workers N`` passes its settings to each worker process."""
WORKER_FACTORY = "collab_advisor.web.cli:app_from_environment"
BROWSER_WAIT = 10.0
"""Seconds to wait for the server to start before giving up on opening the browser."""


def add_serve_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``serve`` to the command line's subcommands."""
    serve = commands.add_parser(
        "serve", help="start the web app and HTTP API on this machine",
        description="Start the planner's web app and the HTTP API (needs the 'web' extra: "
        "pip install 'collab-advisor[web]'). It listens on 127.0.0.1 only, unless --host "
        "says otherwise, and keeps no log of what planners enter. The planner's pages "
        "store nothing; team workspaces (/workspaces) are kept in a database: a SQLite "
        "file by default, or PostgreSQL with --database.")
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
    add_proxy_options(serve)
    add_workspace_options(serve)
    add_limit_options(serve)
    serve.set_defaults(run=run_serve)


def add_proxy_options(serve: argparse.ArgumentParser) -> None:
    """``--root-path`` and ``--forwarded-allow-ips``: running behind a reverse proxy."""
    serve.add_argument("--root-path", default="", metavar="PATH",
                       help="the path a reverse proxy serves the app under, such as "
                       "/advisor (the proxy strips it before passing requests on); every "
                       "link and redirect then starts with it")
    serve.add_argument("--forwarded-allow-ips", default="", metavar="IPS",
                       help="comma-separated addresses or networks of the reverse proxies "
                       "whose X-Forwarded-For and X-Forwarded-Proto headers are believed "
                       "(default: none; the headers are ignored). The Host check stays: "
                       "add the public name with --allow-host")


def proxy_options(args: argparse.Namespace) -> dict[str, Any]:
    """uvicorn's options for ``--root-path`` and ``--forwarded-allow-ips`` (checked)."""
    root = str(args.root_path or "").rstrip("/")
    if root and (not root.startswith("/") or not _ROOT_PATH.fullmatch(root)):
        raise ValueError(f"--root-path must be a path such as /advisor (letters, digits, "
                         f"'-', '_', '.', '/'), not {args.root_path!r}")
    trusted = [part.strip() for part in str(args.forwarded_allow_ips or "").split(",")
               if part.strip()]
    for part in trusted:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ValueError(f"--forwarded-allow-ips: {part!r} is not an IP address or "
                             "network (such as 127.0.0.1 or 10.0.0.0/8)") from None
    return {"root_path": root, "proxy_headers": bool(trusted),
            "forwarded_allow_ips": trusted or None}


def add_workspace_options(serve: argparse.ArgumentParser) -> None:
    """``--database``, ``--workers``, ``--retention-days`` and ``--no-workspaces``."""
    serve.add_argument("--database", metavar="PATH_OR_URL",
                       help="where team workspaces are kept: a SQLite file (default: "
                       "workspaces.sqlite3 under your user data folder) or a "
                       "postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME URL")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="worker processes sharing the port and the database "
                       "(default: 1)")
    serve.add_argument("--retention-days", type=float, default=180.0, metavar="DAYS",
                       help="remove workspaces nobody has used for this many days "
                       "(default: 180; 0 keeps them until deleted)")
    serve.add_argument("--save-limit", type=int, default=30, metavar="N",
                       help="saves allowed through one member's link per minute (default: 30)")
    serve.add_argument("--no-workspaces", action="store_true",
                       help="serve without team workspaces (nothing is stored)")


def workspace_settings(args: argparse.Namespace, names: Iterable[str]) -> dict[str, Any]:
    """What every worker needs to build the app: plain data, passed to each process."""
    database = None
    if not getattr(args, "no_workspaces", False):
        if importlib.util.find_spec("sqlalchemy") is None:
            if args.database:
                raise ValueError("team workspaces need the optional 'workspaces' extra: "
                                 "pip install 'collab-advisor[workspaces]'")
        else:
            from .._workspace.database import database_url

            database = database_url(args.database)
    if not 1 <= args.workers <= 64:
        raise ValueError(f"--workers must be from 1 to 64, not {args.workers}")
    if not 1 <= args.save_limit <= 100_000:
        raise ValueError(f"--save-limit must be from 1 to 100000, not {args.save_limit}")
    if args.retention_days < 0:
        raise ValueError(f"--retention-days must be 0 or more, not {args.retention_days}")
    return {"rules": [str(p) for p in args.rules] if args.rules else None,
            "allowed_hosts": sorted(names), "database": database,
            "retention_days": args.retention_days or None,
            "access_log": bool(args.access_log), "pool_size": 5,
            "save_limit": args.save_limit}


def run_workers(settings: dict[str, Any], sock: socket.socket, workers: int,
                config_options: dict[str, Any]) -> None:
    """Serve with ``workers`` processes on one socket, each building its own app."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ[SERVE_ENVIRONMENT] = json.dumps(settings)
    config = uvicorn.Config(WORKER_FACTORY, factory=True, workers=workers, **config_options)
    supervisor: Any = Multiprocess
    if "target" in inspect.signature(Multiprocess.__init__).parameters:  # uvicorn < 0.36
        supervisor(config, target=uvicorn.Server(config).run, sockets=[sock]).run()
    else:
        supervisor(config, sockets=[sock]).run()


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
                path = _TOKEN_PATH.sub(r"\1/…", scope["path"])  # never a link's token
                sys.stderr.write(f"{scope['method']} {path} {message['status']}\n")
            await send(message)

        await self.app(scope, receive, logging_send)


class _StartError(Exception):
    """Why the server cannot start: printed as one line, exit status 2."""


def run_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Start the server and run until interrupted."""
    try:
        names = _checked_options(args)
        sock = _listening_socket(args)
    except _StartError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
    try:
        settings, app = _prepared_app(args, names)
    except _StartError as error:
        sock.close()
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
    options = {**server_options(args, workers=args.workers), **proxy_options(args)}
    url = _url(args.host, int(sock.getsockname()[1]))
    try:
        if app is None:
            out.write(f"collab-advisor is ready at {url} with {args.workers} workers "
                      "(press Ctrl+C to stop)\n")
            out.flush()
            run_workers(settings, sock, args.workers, options)
        else:
            _run_one(app, options, sock, url, out, open_browser=not args.no_browser)
    finally:
        sock.close()
    return 0


def _checked_options(args: argparse.Namespace) -> set[str]:
    """The host names browsers may use, once the web extra, the rules and the port are
    checked (a broken rule file stops start-up before listening)."""
    missing = [name for name in _WEB_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise _StartError(INSTALL_HINT)
    from collab_advisor import load_rules

    if args.rules:
        load_rules(*args.rules)
    if problem := _bad_option(args):
        raise _StartError(problem)
    names = allowed_hosts(args.host, args.allow_host)
    if not is_loopback(args.host):
        sys.stderr.write(
            f"{PROG}: warning: listening on {args.host}, so other machines can reach this "
            "app; it has no login. Browsers must address it as one of: "
            f"{', '.join(sorted(names))} (add others with --allow-host).\n")
    return set(names)


def _listening_socket(args: argparse.Namespace) -> socket.socket:
    try:
        sock = _listen(args.host, args.port)
        if args.workers == 1:  # worker processes are handed a plain, picklable socket
            sock = deep_queue(sock)
    except OSError as error:
        raise _StartError(f"cannot listen on {args.host} port {args.port}: "
                           f"{error.strerror or error}") from error
    return sock


def _prepared_app(args: argparse.Namespace, names: set[str]
                  ) -> tuple[dict[str, Any], ASGIApp | None]:
    """The app's settings, and the app itself (``None`` with several workers, which each
    build their own after the database is migrated here, once)."""
    from collab_advisor import CollabAdvisorError

    try:
        settings = workspace_settings(args, names)
        settings["max_requests"] = args.max_requests
        if args.workers == 1:
            return settings, build_app(settings)
        store = open_store(settings)
        if store is not None:
            store.close()
        return settings, None
    except (ValueError, CollabAdvisorError) as error:
        raise _StartError(" ".join(str(error).split())) from error


def _run_one(app: ASGIApp, options: dict[str, Any], sock: socket.socket, url: str,
             out: TextIO, *, open_browser: bool) -> None:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, **options))
    out.write(f"collab-advisor is ready at {url} (press Ctrl+C to stop)\n")
    out.flush()
    if open_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    server.run(sockets=[sock])


def _bad_option(args: argparse.Namespace) -> str | None:
    """What is wrong with the port or the proxy options, if anything."""
    if not 0 <= args.port <= 65535:
        return f"--port must be from 0 to 65535, not {args.port}"
    try:
        proxy_options(args)
    except ValueError as error:
        return str(error)
    return None


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


# -- the app each worker builds (team workspaces, issue 23) ------------------------------


def open_store(settings: dict[str, Any]) -> WorkspaceStore | None:
    """The workspace store the settings name (None when workspaces are off)."""
    if settings.get("database") is None:
        return None
    from collab_advisor import load_rules

    from .._workspace.store import WorkspaceStore

    rules = load_rules(*settings["rules"]) if settings.get("rules") else None
    store = WorkspaceStore(settings["database"], rules=rules,
                           pool_size=int(settings.get("pool_size", 5)),
                           save_limit=(int(settings.get("save_limit", 30)), 60.0))
    days = settings.get("retention_days")
    if days:
        store.retention_days = float(days)
        store.purge_idle(float(days))
    return store


def build_app(settings: dict[str, Any]) -> ASGIApp:
    """The web app for these settings (rules, allowed hosts, database, access log)."""
    from collab_advisor import load_rules

    from .app import create_app

    rules = load_rules(*settings["rules"]) if settings.get("rules") else None
    app: ASGIApp = create_app(rules, allowed_hosts=settings["allowed_hosts"],
                              workspaces=open_store(settings))
    if settings.get("max_requests"):
        app = limit_requests(app, int(settings["max_requests"]))
    if settings.get("access_log"):
        app = PathLog(app)
    return app


def app_from_environment() -> ASGIApp:
    """The app for a worker process (uvicorn calls this factory in each worker)."""
    return build_app(json.loads(os.environ[SERVE_ENVIRONMENT]))
