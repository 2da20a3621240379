"""The web app: ``create_app()`` builds it from a rule set and the names it answers to.

The app keeps no state between requests: every page and API answer is worked
out from the request alone, with the rules loaded at start-up. Pages and API
endpoints live in their own routers (``pages.py``, ``api.py``); adding a page
is one more route on ``pages.router`` and one template extending ``base.html``.
"""

from __future__ import annotations

from collections.abc import Collection
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import ValidationError

from collab_advisor import CollabAdvisorError, RuleSet, __version__, load_rules

from .apidocs import add_api_pages
from .fields import describe_problem, describe_validation_error
from .guard import MAX_BODY, Guard
from .settings import Settings

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


def create_app(rules: RuleSet | None = None, *,
               allowed_hosts: Collection[str] = LOOPBACK_NAMES,
               max_body: int = MAX_BODY) -> FastAPI:
    """The web app and HTTP API for ``rules`` (default: the shipped rules).

    ``allowed_hosts`` are the names the Host header may carry (any port); an
    empty collection turns the check off. Request bodies over ``max_body``
    bytes get 413.
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
    app.state.settings = Settings(
        rules=rules if rules is not None else load_rules(),
        custom_rules=rules is not None,
        templates=_templates(),
        static=_static(),
    )
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(team.router)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(ValidationError, _invalid_request)
    app.add_exception_handler(CollabAdvisorError, _library_error)
    app.add_exception_handler(404, _not_found)
    app.add_middleware(Guard, allowed_hosts=allowed_hosts, max_body=max_body)
    add_api_pages(app)  # after the guard: its version header is on the guard's answers too
    return app


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each bad field and its allowed values."""
    if isinstance(exc, RequestValidationError):
        errors: list[Any] = list(exc.errors())
        message = "; ".join(describe_problem(problem) for problem in errors)
    else:
        assert isinstance(exc, ValidationError)
        errors = list(exc.errors(include_url=False))
        message = describe_validation_error(exc)
    return JSONResponse({"message": message, "detail": jsonable_encoder(errors)},
                        status_code=422)


async def _not_found(request: Request, exc: Exception) -> Response:
    """A page for people, JSON for the API."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"message": "no such API endpoint; see /openapi.json",
                             "detail": "Not Found"}, status_code=404)
    from .pages import render

    return render(request, "notfound.html", status=404)


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"message": str(exc), "detail": []}, status_code=422)
