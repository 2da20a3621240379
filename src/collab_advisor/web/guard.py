"""One ASGI middleware for the app's safety rules.

- The Host header must name the address the server was bound to (or one of the
  names given at start-up), so that a page on another site whose name has been
  re-pointed at 127.0.0.1 (DNS rebinding) cannot drive the local server.
- A request from another site's page that is not a plain read is refused.
- Request bodies larger than the limit are refused with 413, whether or not
  the client announces their length.
- Every response carries a Content-Security-Policy and the usual hardening headers.
- An error in the app (a bug: every request a client can send gets a 4xx) is
  answered here with a 500 that carries the same headers and a request id, which
  is also written to the server's log with the traceback.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 64 * 1024
"""The largest request body accepted, in bytes: a context is a few hundred."""

APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
REPORT_CSP = (
    # The report from Recommendation.to_html() is self-contained, with its own styles.
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
CSP_HEADER = b"content-security-policy"

_HEADERS = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
)


REQUEST_ID_HEADER = b"x-request-id"

_log = logging.getLogger("collab_advisor.web")


def small_int(text: str | None, digits: int = 9) -> int | None:
    """``text`` as a whole number when it is 1 to ``digits`` ASCII digits, else None.

    ``str.isdigit()`` also accepts "²" and numbers too long for ``int()``; this does not.
    """
    if text is None or not 0 < len(text) <= digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def is_unicode(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (it holds no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def host_name(header: str) -> str:
    """The name in a Host header, without its port: 'localhost:8000' -> 'localhost'."""
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:8000
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    """Host check, origin check, body limit and security headers around an ASGI app."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Collection[str],
                 max_body: int = MAX_BODY) -> None:
        self.app = app
        self.allowed = frozenset(name.lower().strip("[]") for name in allowed_hosts)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if self.allowed and host_name(host) not in self.allowed:
            await _plain(send, 421, "This server answers only to the address it was "
                         "started on; use that address in the browser.")
            return
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and _cross_site(headers, host):
            await _plain(send, 403, "Requests from other sites are refused.")
            return
        length = headers.get("content-length")
        size = small_int(length, digits=18)
        if length is not None and (size is None or size > self.max_body):
            await _plain(send, 413, f"The request body is larger than {self.max_body} bytes.")
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:  # a body sent without its length
                    raise HTTPException(413, f"The request body is larger than "
                                        f"{self.max_body} bytes.")
            return message

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in names]
                if CSP_HEADER not in names:
                    extra.append((CSP_HEADER, APP_CSP.encode("ascii")))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception:
            request_id = uuid.uuid4().hex[:16]
            _log.exception("request %s: %s %s failed", request_id, scope["method"],
                           scope.get("path", ""))
            if not started:
                await _server_error(send, request_id, str(scope.get("path", "")))
            raise


def _cross_site(headers: dict[str, str], host: str) -> bool:
    """Whether a browser says the request comes from another site's page.

    Browsers send ``Sec-Fetch-Site``; older ones only ``Origin`` (which is "null" for
    a form on a page with ``Referrer-Policy: no-referrer``, such as this app's own).
    """
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("cross-site", "same-site")
    origin = headers.get("origin")
    return origin not in (None, "null") and urlsplit(origin).netloc.lower() != host.lower()


async def _plain(send: Send, status: int, text: str,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = (text + "\n").encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode("ascii")),
               *_HEADERS, (CSP_HEADER, APP_CSP.encode("ascii")), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _server_error(send: Send, request_id: str, path: str) -> None:
    """A 500 with the security headers and the request id, JSON for the API."""
    text = f"Something went wrong on the server (a bug); request id {request_id}."
    extra = [(REQUEST_ID_HEADER, request_id.encode("ascii"))]
    if not path.startswith("/api/"):
        await _plain(send, 500, text, extra)
        return
    body = json.dumps({"message": text, "detail": [], "request_id": request_id}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode("ascii")),
               *_HEADERS, (CSP_HEADER, APP_CSP.encode("ascii")), *extra]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})
