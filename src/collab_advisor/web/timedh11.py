"""uvicorn's h11 protocol with a header timeout, a body timeout and a connection limit.

Imported only when a server starts (it needs uvicorn); ``limits.timed_protocol`` makes a
subclass carrying one server's settings. See ``limits`` for what each limit is for.

Past the connection limit a newcomer is never turned away just because it was accepted
before its request arrived: a connection's headers often reach the server a moment after
the connection itself, so a newcomer that cannot displace anyone yet is kept on probation
for ``GRACE`` seconds. If its headers arrive in that time it displaces the connection that
has waited longest; if not, it is treated as slow. At most ``MAX_ON_PROBATION`` connections
are on probation at once (``MAX_ON_PROBATION``), which bounds the descriptors they hold.
"""

from __future__ import annotations

import asyncio
import socket
from typing import ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

GRACE = 0.25
"""Seconds a new connection has to send its headers before it may be closed to make room."""
MAX_ON_PROBATION = 64
"""Newcomers past the connection limit kept on probation at once; more are closed."""


class TimedH11Protocol(H11Protocol):
    """h11 with the limits in its class attributes (set by ``limits.timed_protocol``)."""

    header_timeout: ClassVar[float] = 10.0
    body_timeout: ClassVar[float] = 30.0
    max_connections: ClassVar[int] = 128

    _deadline: asyncio.TimerHandle | None = None
    _waiting_since: float | None = None
    _probation: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm(self.header_timeout)
        if len(self.connections) > self.max_connections:
            self._make_room(newcomer=True)

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm(self.header_timeout)  # a later request on a kept-alive connection
        before = self.conn.their_state
        super().data_received(data)
        after = self.conn.their_state
        if before is h11.IDLE and after is not h11.IDLE:  # the headers are in
            self._disarm()
            if after is h11.SEND_BODY:
                self._arm(self.body_timeout)
            if self._probation is not None:  # a quick newcomer: it displaces a slow one
                self._end_probation()
                self._close_oldest_waiting(waited=0.0)
        elif before is h11.SEND_BODY and after is not h11.SEND_BODY:  # so is the body
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._end_probation()
        super().connection_lost(exc)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._waiting_since = self.loop.time()
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._waiting_since = None

    def _expired(self) -> None:
        self._deadline = None
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and \
                not self.transport.is_closing():
            self.transport.close()

    def _end_probation(self) -> None:
        if self._probation is not None:
            self._probation.cancel()
        self._probation = None

    def _make_room(self, *, newcomer: bool) -> None:
        """Close the connection that has waited longest for its headers or body, or else
        put this newcomer on probation, or else close it. A newcomer whose headers are in
        may displace any waiting connection; a slow one only a connection that has waited
        ``GRACE`` seconds, so a flood of slow newcomers cannot push out each other's quick
        neighbours."""
        waited = 0.0 if _headers_arrived(self.transport) else GRACE
        if self._close_oldest_waiting(waited=waited):
            return
        if newcomer and self._on_probation() < MAX_ON_PROBATION:
            self._probation = self.loop.call_later(GRACE, self._probation_over)
        else:
            self.transport.close()

    def _probation_over(self) -> None:
        """A newcomer past the limit sent no headers in ``GRACE`` seconds: it is slow."""
        self._probation = None
        if len(self.connections) > self.max_connections and not self.transport.is_closing():
            self._make_room(newcomer=False)

    def _close_oldest_waiting(self, *, waited: float) -> bool:
        """Close the other connection waiting longest, if it has waited ``waited`` seconds."""
        now = self.loop.time()
        waiting = [c for c in self.connections if isinstance(c, TimedH11Protocol)
                   and c is not self and c._waiting_since is not None
                   and now - c._waiting_since >= waited and not c.transport.is_closing()]
        if not waiting:
            return False
        min(waiting, key=lambda c: c._waiting_since or 0.0).transport.close()
        return True

    def _on_probation(self) -> int:
        return sum(1 for c in self.connections
                   if isinstance(c, TimedH11Protocol) and c._probation is not None)


def _headers_arrived(transport: asyncio.BaseTransport) -> bool:
    """Whether a just-accepted connection's request headers are all waiting to be read
    (peeked at, not consumed; a quick client sends them with the connection)."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    try:
        peeker = socket.fromfd(sock.fileno(), sock.family, sock.type)
    except OSError:  # out of descriptors: count it as slow
        return False
    try:
        peeker.setblocking(False)
        data = peeker.recv(16 * 1024, socket.MSG_PEEK)
    except OSError:
        return False
    finally:
        peeker.close()
    return b"\r\n\r\n" in data
