"""The web app: ``create_app()`` builds it from a rule set and the names it answers to.

The app keeps no state between requests: every page and API answer is worked
out from the request alone, with the rules loaded at start-up. Pages and API
endpoints live in their own routers (``pages.py``, ``api.py``); adding a page
is one more route on ``pages.router`` and one template extending ``base.html``.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from collab_advisor import CollabAdvisorError, ContextError, RuleSet, __version__, load_rules
from collab_advisor._model.context import TYPED_JSON
from collab_advisor._present.confidence_face import share_label

from .._present import tiewords
from .apidocs import add_api_pages
from .errors import API_ERRORS
from .errors import ErrorAnswer as ErrorAnswer
from .fields import describe_problem, describe_validation_error
from .guard import MAX_BODY, Guard
from .settings import Settings

if TYPE_CHECKING:
    from .._workspace.store import WorkspaceStore

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
"""The names a server bound to loopback answers to."""

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml"}


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("collab_advisor.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are read once; requests never touch the files
        undefined=StrictUndefined,  # a renamed attribute fails loudly instead of vanishing
    )
    env.globals["version"] = __version__
    env.globals["share_label"] = share_label
    env.globals.update(verdict=tiewords.verdict, verdict_parts=tiewords.verdict_parts,
                       tie_break_text=tiewords.tie_break_text,
                       tie_outlook_text=tiewords.tie_outlook_text)
    for name in env.list_templates():
        env.get_template(name)
    return env


def _static() -> dict[str, tuple[bytes, str]]:
    folder = files("collab_advisor.web").joinpath("static")
    assets: dict[str, tuple[bytes, str]] = {}
    for item in folder.iterdir():
        suffix = Path(item.name).suffix
        if item.is_file() and suffix in STATIC_TYPES:
            assets[item.name] = (item.read_bytes(), STATIC_TYPES[suffix])
    return assets


class _TypedJSON:
    """Reads API bodies as typed JSON: yes/no fields take true or false, not words."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return
        token = TYPED_JSON.set(True)
        try:
            await self.app(scope, receive, send)
        finally:
            TYPED_JSON.reset(token)


def _describe_openapi(app: FastAPI) -> None:
    """``/openapi.json`` with the result models' fields described by their docstrings,
    worked out on the first request for it (as FastAPI's own is)."""
    made = app.openapi

    def described() -> dict[str, Any]:
        if app.openapi_schema is None:
            from .._advice.analyse import Report
            from .._advice.team import TeamRecommendation
            from .._present.schema_notes import describe_components

            schema = made()
            describe_components(schema.get("components", {}).get("schemas", {}),
                                (Report, TeamRecommendation))
        return app.openapi_schema or made()

    app.openapi = described  # type: ignore[method-assign]


def create_app(rules: RuleSet | None = None, *,
               allowed_hosts: Collection[str] = LOOPBACK_NAMES,
               max_body: int = MAX_BODY,
               workspaces: WorkspaceStore | None = None) -> FastAPI:
    """The web app and HTTP API for ``rules`` (default: the shipped rules).

    ``allowed_hosts`` are the names the Host header may carry (any port); an
    empty collection turns the check off. Request bodies over ``max_body``
    bytes get 413. ``workspaces`` (a store) adds the team workspace pages and API.
    """
    from . import api, pages, team

    app = FastAPI(
        title="collab-advisor",
        version=__version__,
        description="Which collaboration-based approach fits a healthcare improvement "
        "initiative, and why. The context fields are those of `GET /api/schema`; leave "
        "out what is not known.",
        docs_url=None,  # FastAPI's own load scripts from a CDN: see apidocs.py
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    _describe_openapi(app)
    app.state.settings = Settings(
        rules=rules if rules is not None else load_rules(),
        custom_rules=rules is not None,
        templates=_templates(),
        static=_static(),
    )
    app.include_router(api.router, responses=API_ERRORS)
    app.include_router(pages.router)
    app.include_router(team.router)
    if workspaces is not None:
        from .workspaces import mount_workspaces

        mount_workspaces(app, workspaces)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(ValidationError, _invalid_request)
    app.add_exception_handler(ContextError, _invalid_request)  # before CollabAdvisorError's
    app.add_exception_handler(CollabAdvisorError, _library_error)
    app.add_exception_handler(404, _not_found)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(_TypedJSON)
    app.add_middleware(Guard, allowed_hosts=allowed_hosts, max_body=max_body)
    add_api_pages(app)  # after the guard: its version header is on the guard's answers too
    return app


UNREADABLE_BODY = ("The body is not JSON the server can read: a number may have thousands of "
                   "digits, or the nesting may be thousands deep")
"""The 400's message for a body the server will not read."""
MAX_NESTING = 64
"""Deepest nesting of a request body answered field by field; deeper gets 400 (Python
3.11's JSON parser refuses such a body itself; 3.13's reads it)."""


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists or mappings more than ``limit`` deep (iteratively)."""
    level = [value]
    for _ in range(limit + 1):
        level = [item for held in level if isinstance(held, (list, tuple, dict))
                 for item in (held.values() if isinstance(held, dict) else held)]
        if not level:
            return False
    return True


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each bad field and its allowed values (400 for a body nested so deep
    that echoing it back would be unsafe)."""
    if isinstance(exc, RequestValidationError):
        errors: list[Any] = list(exc.errors())
        if any(_deeper_than(error.get("input"), MAX_NESTING) for error in errors):
            return JSONResponse({"message": UNREADABLE_BODY, "detail": UNREADABLE_BODY},
                                status_code=400)
        message = "; ".join(describe_problem(problem) for problem in errors)
    else:
        assert isinstance(exc, ValidationError)
        errors = list(exc.errors(include_url=False))
        message = describe_validation_error(exc)
    return JSONResponse(echo_safe({"message": message, "detail": jsonable_encoder(errors)}),
                        status_code=422)


ECHO_TEXT = 200
"""The most characters of a client's text echoed back in an error."""


def echo_safe(value: Any) -> Any:
    """``value`` with what a client sent made safe to echo as JSON.

    Non-finite numbers become the strings "nan", "inf" and "-inf"; lone surrogates
    (which UTF-8 cannot carry) become ``\\udXXX`` escapes; long text and huge whole
    numbers are shortened, saying how long they were.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a whole number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, str):
        text = value.encode("utf-8", "backslashreplace").decode("utf-8")
        return text if len(text) <= ECHO_TEXT else f"{text[:ECHO_TEXT]}... ({len(text)} characters)"
    if isinstance(value, dict):
        return {echo_safe(str(key)): echo_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [echo_safe(item) for item in value]
    return value


async def _not_found(request: Request, exc: Exception) -> Response:
    """A page for people, JSON for the API."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"message": "no such API endpoint; see /openapi.json",
                             "detail": "Not Found"}, status_code=404)
    from .pages import render

    return render(request, "notfound.html", status=404)


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(echo_safe({"message": str(exc), "detail": []}), status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's HTTP errors (an unreadable body, 413) in the API's shape."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return await _not_found(request, exc)
    text = str(exc.detail)
    if exc.status_code == 400 and "parsing the body" in text:
        text = UNREADABLE_BODY
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return JSONResponse(echo_safe({"message": text, "detail": text}),
                        status_code=exc.status_code, headers=headers)


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette names only the first route's)."""
    return ", ".join(method for method in METHODS if any(
        route.matches({**request.scope, "method": method})[0] is Match.FULL
        for route in request.app.router.routes))
