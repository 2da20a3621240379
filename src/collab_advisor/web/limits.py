"""How long ``serve`` waits for a client, and how many it holds at once.

uvicorn closes an idle keep-alive connection, but it waits for ever for the
first request's headers and for a request's body, so a client that connects
and says nothing, or sends its headers a byte at a time, holds a connection
(and a file descriptor) for as long as it likes. This module adds, per
connection:

- a header timeout: the request line and headers must arrive within
  ``HEADER_TIMEOUT`` seconds of the connection opening (or of the first byte of
  a later request on a kept-alive connection);
- a body timeout: once the headers are in, the body must arrive within
  ``BODY_TIMEOUT`` seconds;
- a connection limit: past ``MAX_CONNECTIONS`` open connections, the one that
  has waited longest without sending whole headers is closed to make room (so a
  slow client cannot crowd out quick ones); a newcomer that cannot displace anyone
  yet gets a short probation to send its headers (``timedh11``); if every connection
  is busy with a request, the new one is closed.

uvicorn's own ``limit_concurrency`` (503 once that many requests are in
progress), ``timeout_keep_alive`` and h11's header size limit (16 KiB) stay on.
The defaults serve 50 planners saving at once on one worker, with room to spare.
This module imports without the web extra; uvicorn is imported when a server starts.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from starlette.types import ASGIApp

HEADER_TIMEOUT = 10.0
"""Seconds a client has to send a request's line and headers."""
BODY_TIMEOUT = 30.0
"""Seconds a client has to send a request's body once its headers are in (64 KiB at most)."""
KEEP_ALIVE = 5
"""Seconds an idle kept-alive connection stays open between requests."""
MAX_CONNECTIONS = 128
"""Open connections per server process; past this the slowest waiting one is closed."""
ACCEPT_BATCH = 64
"""Connections accepted at a time. asyncio accepts up to this many before any of them can
be closed, so MAX_CONNECTIONS + ACCEPT_BATCH bounds the descriptors in use, under macOS's
default of 256 per process (past it, accepting fails and pauses for a second)."""
LISTEN_QUEUE = 1024
"""Connections the kernel keeps waiting to be accepted (they hold no descriptor)."""
MAX_REQUESTS = 100
"""Requests in progress at once per server process; past this a request gets 503."""


def add_limit_options(serve: argparse.ArgumentParser) -> None:
    """The timeout and limit options of ``serve``."""
    group = serve.add_argument_group("limits (against slow or too many clients)")
    group.add_argument("--header-timeout", type=_positive(float), default=HEADER_TIMEOUT,
                       metavar="SECONDS", help="close a connection whose request headers "
                       f"have not all arrived after this long (default: {HEADER_TIMEOUT:g})")
    group.add_argument("--body-timeout", type=_positive(float), default=BODY_TIMEOUT,
                       metavar="SECONDS", help="close a connection whose request body has "
                       f"not all arrived after this long (default: {BODY_TIMEOUT:g})")
    group.add_argument("--max-connections", type=_positive(int), default=MAX_CONNECTIONS,
                       metavar="N", help="open connections held at once; past this the "
                       "one waiting longest for its headers is closed "
                       f"(default: {MAX_CONNECTIONS})")
    group.add_argument("--max-requests", type=_positive(int), default=MAX_REQUESTS,
                       metavar="N", help="requests in progress at once; past this a "
                       f"request gets 503 (default: {MAX_REQUESTS})")


def _positive(kind: type[float] | type[int]) -> Any:
    def read(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}") \
                from None
        if not 0 < value <= 86_400:
            raise argparse.ArgumentTypeError(f"expected a number from 0 to 86400, not {text!r}")
        return value

    return read


WORKER_LIMITS = "COLLAB_ADVISOR_SERVE_LIMITS"
"""The environment variable that hands the timeouts to worker processes (``--workers``),
whose protocol class is imported by name (a class made here cannot be pickled)."""


def server_options(args: argparse.Namespace, *, workers: int = 1) -> dict[str, Any]:
    """``uvicorn.Config`` options with the timeouts and connection limit in ``args``.

    With several workers the protocol is named (``WorkerProtocol``, below) and its
    timeouts travel in the environment, which each worker inherits."""
    limits = {"header_timeout": args.header_timeout, "body_timeout": args.body_timeout,
              "max_connections": args.max_connections}
    http: Any
    if workers > 1:
        os.environ[WORKER_LIMITS] = json.dumps(limits)
        http = f"{__name__}:WorkerProtocol"
    else:
        http = timed_protocol(**limits)
    return {"http": http, "log_level": "warning", "access_log": False,
            "server_header": False, "timeout_keep_alive": KEEP_ALIVE,
            "timeout_graceful_shutdown": 5, "h11_max_incomplete_event_size": 16 * 1024,
            "backlog": ACCEPT_BATCH}


def limit_requests(app: ASGIApp, limit: int) -> ASGIApp:
    """``app`` answering 503 once ``limit`` requests are in progress in this process."""
    return _RequestLimit(app, limit)


def __getattr__(name: str) -> Any:
    """``WorkerProtocol``: the timed protocol of a worker process, from the environment."""
    if name == "WorkerProtocol":
        return timed_protocol(**json.loads(os.environ[WORKER_LIMITS]))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _RequestLimit:
    """503 once ``limit`` requests are in progress (uvicorn's ``limit_concurrency`` also
    counts idle connections, so slow clients would turn quick ones away)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.active < self.limit:
            self.active += 1
            try:
                await self.app(scope, receive, send)
            finally:
                self.active -= 1
            return
        body = b"The server is busy; try again in a moment.\n"
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"1"),
            (b"content-length", str(len(body)).encode("ascii"))]})
        await send({"type": "http.response.body", "body": body})


def deep_queue(sock: socket.socket) -> socket.socket:
    """``sock`` listening with a queue of ``LISTEN_QUEUE``, whatever asyncio asks later.

    asyncio passes one number both to ``listen()`` and as the connections it accepts at
    a time; this keeps the second small (``ACCEPT_BATCH``) and the kernel's queue long,
    so that a quick client's connection waits its turn instead of being dropped.
    """
    listener = _DeepQueue(sock.family, sock.type, sock.proto, fileno=sock.detach())
    listener.listen(LISTEN_QUEUE)
    return listener


class _DeepQueue(socket.socket):
    def listen(self, backlog: int = LISTEN_QUEUE) -> None:
        super().listen(max(backlog, LISTEN_QUEUE))


def timed_protocol(*, header_timeout: float, body_timeout: float,
                   max_connections: int) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with these header and body timeouts and connection limit."""
    from .timedh11 import TimedH11Protocol

    settings = {"header_timeout": header_timeout, "body_timeout": body_timeout,
                "max_connections": max_connections}
    return type("TimedH11Protocol", (TimedH11Protocol,), settings)
