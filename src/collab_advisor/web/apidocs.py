"""The HTTP API's own pages: ``/docs`` (Swagger UI), ``/redoc``, ``/healthz``, and the
version on every response.

Swagger UI and ReDoc are served from files inside installed packages (the scripts and
styles that the ``fastapi-offline`` package ships, and this package's own start-up
scripts), so the pages work with no network: nothing is loaded from a CDN or a font
service. Each page has a Content-Security-Policy of its own that allows only what its
viewer needs from this server.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from collab_advisor import __version__

VERSION_HEADER = "X-Collab-Advisor-Version"
"""The response header that names the version answering."""

VIEWER_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
}
"""The viewers' files, from the fastapi-offline package."""

_DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_REDOC_CSP = _DOCS_CSP + "; worker-src blob:"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>collab-advisor {version}: HTTP API ({viewer})</title>
<link rel="icon" href="{root}/static/icon.svg">
{head}
</head>
<body data-openapi="{root}/openapi.json">
{body}
</body>
</html>
"""


class Health(BaseModel):
    """What ``GET /healthz`` answers while the server is up."""

    status: Literal["ok"] = "ok"
    version: str
    """The collab-advisor version answering."""


@functools.cache
def _viewer_file(name: str) -> bytes:
    return files("fastapi_offline").joinpath("static", name).read_bytes()


def _page(request: Request, viewer: str, head: str, body: str, csp: str) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    html = _PAGE.format(version=__version__, viewer=viewer, root=root,
                        head=head.format(root=root), body=body.format(root=root))
    return HTMLResponse(html, headers={"Content-Security-Policy": csp,
                                       "Cache-Control": "no-store"})


class VersionHeader:
    """Names the version in a header on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [
                    *message.get("headers", []),
                    (VERSION_HEADER.lower().encode("ascii"), __version__.encode("ascii"))]}
            await send(message)

        await self.app(scope, receive, send_with_version)


def add_api_pages(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc``, their files, ``/healthz`` and the version header."""

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return _page(
            request, "Swagger UI",
            '<link rel="stylesheet" href="{root}/docs/files/swagger-ui.css">',
            '<div id="swagger-ui"></div>\n'
            '<script src="{root}/docs/files/swagger-ui-bundle.js"></script>\n'
            '<script src="{root}/static/apidocs.js"></script>',
            _DOCS_CSP)

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return _page(
            request, "ReDoc", "",
            '<div id="redoc"></div>\n'
            '<script src="{root}/docs/files/redoc.standalone.js"></script>\n'
            '<script src="{root}/static/apidocs.js"></script>',
            _REDOC_CSP)

    @app.get("/docs/files/{name}", include_in_schema=False)
    def viewer_file(name: str) -> Response:
        if name not in VIEWER_FILES:
            return JSONResponse({"message": f"no such file; the files are "
                                 f"{', '.join(sorted(VIEWER_FILES))}", "detail": "Not Found"},
                                status_code=404)
        return Response(_viewer_file(name), media_type=VIEWER_FILES[name],
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/healthz", summary="Whether the server is up", tags=["service"],
             response_model=Health)
    def healthz() -> Health:
        """``{"status": "ok", "version": ...}`` while the server answers requests."""
        return Health(version=__version__)

    app.add_middleware(VersionHeader)
