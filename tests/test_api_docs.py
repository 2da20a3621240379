"""The HTTP API's docs pages work with no network; /healthz and the version header answer."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")

from fastapi.testclient import TestClient
from playwright.sync_api import BrowserContext

from collab_advisor import __version__
from collab_advisor.web.apidocs import VERSION_HEADER
from collab_advisor.web.app import create_app

from .test_web_browser import (  # noqa: F401  (fixtures)
    STEP_TIMEOUT,
    browser,
    context,
    server,
)


@pytest.fixture(scope="module")
def client() -> TestClient:
    """The app in process, as a client on the loopback address sees it."""
    return TestClient(create_app(), base_url="http://127.0.0.1")


def test_healthz_and_the_version_header_and_schema(client: TestClient) -> None:
    """/healthz says ok with the version, which every response and the schema also carry."""
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": __version__}
    for path in ("/healthz", "/", "/openapi.json", "/api/no-such-thing"):
        assert client.get(path).headers[VERSION_HEADER] == __version__, path
    refused = TestClient(create_app(), base_url="http://elsewhere.example").get("/healthz")
    assert refused.status_code >= 400 and refused.headers[VERSION_HEADER] == __version__
    schema = client.get("/openapi.json").json()
    assert schema["info"]["version"] == __version__
    answer = schema["paths"]["/healthz"]["get"]["responses"]["200"]["content"]
    assert answer["application/json"]["schema"] == {"$ref": "#/components/schemas/Health"}


def test_docs_pages_load_only_from_this_server(client: TestClient) -> None:
    """/docs and /redoc name no other host, and their viewers' files are served here."""
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "//" not in page.text, page.text  # no URL with a host, nor a scheme-relative one
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        served = client.get(f"/docs/files/{name}")
        assert served.status_code == 200 and len(served.content) > 10_000
    assert client.get("/docs/files/../app.py").status_code == 404


@pytest.mark.parametrize(("path", "shown"), [("/docs", ".opblock-summary-path"),
                                             ("/redoc", "[data-section-id^='operation']")])
def test_docs_render_in_a_browser_with_no_network(
        server: str, context: BrowserContext, path: str, shown: str) -> None:  # noqa: F811
    """Swagger UI and ReDoc show the API's operations with every other host unreachable, and
    nothing is refused but ReDoc's built-in Redocly logo (its policy keeps it off the network)."""
    elsewhere: list[str] = []
    problems: list[str] = []

    def route(handled: Any) -> None:
        if handled.request.url.startswith(server):
            handled.continue_()
        else:
            elsewhere.append(handled.request.url)
            handled.abort()

    page = context.new_page()
    page.route("**/*", route)
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.goto(server + path)
    page.wait_for_selector(shown, timeout=STEP_TIMEOUT)
    assert "/api/recommend" in page.content()
    logo = "https://cdn.redoc.ly/redoc/logo-mini.svg' violates the following Content Security"
    assert elsewhere == [] and [text for text in problems if logo not in text] == []
