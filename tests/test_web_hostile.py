"""Whatever a client sends, the web app answers 4xx naming the field, with its security headers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator, MutableMapping
from typing import Any
from urllib.parse import urlencode

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from collab_advisor import Context
from collab_advisor.web import create_app

JSON = {"content-type": "application/json"}
API = ("/api/recommend", "/api/what-if", "/api/why-not", "/api/path-to", "/api/team")
SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options",
                    "referrer-policy")
FIELDS = list(Context.model_fields)


@pytest.fixture(scope="module")
def app() -> FastAPI:
    """The app with the shipped rules, answering to TestClient's host name."""
    return create_app(allowed_hosts={"testserver"})


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client that reports server errors as 500 responses, as a browser sees them."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _assert_client_error(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    for header in SECURITY_HEADERS:
        assert header in response.headers, header


def _wrap(endpoint: str, context_text: str) -> str:
    """The raw JSON body for ``endpoint`` with ``context_text`` where the context goes."""
    if endpoint == "/api/recommend":
        return context_text
    if endpoint == "/api/what-if":
        return f'{{"context": {context_text}, "changes": {{}}}}'
    if endpoint == "/api/team":
        return f'{{"members": [{context_text}]}}'
    return f'{{"context": {context_text}, "approach": "qi_collaborative"}}'


@pytest.mark.parametrize("endpoint", API)
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_non_finite_numbers_get_422_naming_the_field(client: TestClient, endpoint: str,
                                                      number: str) -> None:
    """A NaN, an infinity or an overflowing number in any field gets 422, never 500."""
    response = client.post(endpoint, content=_wrap(endpoint, f'{{"sites": {number}}}'),
                           headers=JSON)
    _assert_client_error(response)
    assert response.status_code == 422
    assert "sites" in response.json()["message"]


def test_non_finite_numbers_in_changes_get_422(client: TestClient) -> None:
    """A NaN among what-if changes is refused by name, not a 500."""
    response = client.post("/api/what-if", content='{"context": {}, "changes": {"aim": NaN}}',
                           headers=JSON)
    _assert_client_error(response)
    assert "aim" in response.json()["message"]


@pytest.mark.parametrize("endpoint", API)
@pytest.mark.parametrize("field", ["aim", "name"])
def test_lone_surrogates_get_422(client: TestClient, endpoint: str, field: str) -> None:
    """A lone surrogate in an echoed or a stored text gets 422 naming the field."""
    response = client.post(endpoint, content=_wrap(endpoint, f'{{"{field}": "\\ud800"}}'),
                           headers=JSON)
    _assert_client_error(response)
    assert field in response.json()["message"]


def test_lone_surrogate_in_a_team_label_gets_422(client: TestClient) -> None:
    """A member label holding a lone surrogate is refused, naming the member's label."""
    response = client.post("/api/team", content='{"members": [{"member": "\\ud800x"}]}',
                           headers=JSON)
    _assert_client_error(response)
    assert "members.0.member" in response.json()["message"]


@pytest.mark.parametrize("url", [
    "/compare?n=%C2%B2", "/team?n=%C2%B2", "/team?n=1&remove=%C2%B2", "/compare?remove=%C2%B2",
    "/compare?n=" + "9" * 5000, "/team?n=" + "9" * 5000, "/team?n=1&remove=" + "9" * 5000,
    "/?sites=" + "9" * 5000,
])
def test_unicode_digits_and_long_numbers_in_addresses_are_not_500(client: TestClient,
                                                                  url: str) -> None:
    """Superscript digits and 5,000-digit numbers in a page's address never give 500."""
    response = client.get(url, follow_redirects=False)
    assert response.status_code < 500
    for header in SECURITY_HEADERS:
        assert header in response.headers


def test_a_huge_content_length_is_413(app: FastAPI) -> None:
    """A Content-Length of thousands of digits, or of unicode digits, is refused with 413."""
    for length in (b"9" * 5000, "²".encode("latin-1")):
        sent: list[MutableMapping[str, Any]] = []

        async def receive() -> MutableMapping[str, Any]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)  # noqa: B023 - awaited before the loop moves on

        scope = {"type": "http", "method": "POST", "path": "/api/recommend", "query_string": b"",
                 "headers": [(b"host", b"testserver"), (b"content-length", length),
                             (b"content-type", b"application/json")],
                 "http_version": "1.1", "scheme": "http", "server": ("testserver", 80),
                 "client": ("127.0.0.1", 1), "root_path": "", "raw_path": b"/api/recommend"}
        asyncio.run(app(scope, receive, send))
        assert sent[0]["status"] == 413


@pytest.mark.parametrize("body", [
    '{"sites": ' + "9" * 5000 + "}",
    "[" * 5000 + "]" * 5000,
])
def test_unreadable_json_gets_a_documented_400(client: TestClient, body: str) -> None:
    """A number too long to read, or nesting thousands deep, gets 400 in the API's shape."""
    response = client.post("/api/recommend", content=body, headers=JSON)
    _assert_client_error(response)
    assert response.status_code == 400
    assert "message" in response.json()
    documented = client.get("/openapi.json").json()["paths"]["/api/recommend"]["post"]
    assert "400" in documented["responses"]


def test_a_long_echoed_number_is_shortened(client: TestClient) -> None:
    """A 4,300-digit number is named in the error but not echoed digit by digit."""
    response = client.post("/api/recommend", content='{"sites": ' + "9" * 4300 + "}",
                           headers=JSON)
    assert response.status_code == 422
    assert "9" * 100 not in response.text


@pytest.mark.parametrize(("name", "content"), [
    ("c.yaml", b'name: "\\ud800"\n'),
    ("c.yaml", b'"\\ud800": 3\n'),
    ("c.yaml", b"sites: " + b"9" * 5000 + b"\n"),
    ("c.yaml", b"[" * 3000),
])
def test_hostile_uploads_are_refused_on_the_page(client: TestClient, name: str,
                                                 content: bytes) -> None:
    """A context file with a lone surrogate, a huge number or deep nesting gets 422."""
    for url in ("/upload", "/team/upload?n=0"):
        response = client.post(url, files={"context_file": (name, content)})
        _assert_client_error(response)
        assert response.status_code == 422


def test_a_bug_gives_500_with_headers_and_a_request_id(
        app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    """An error in the app is answered inside the guard: headers on, a request id logged."""
    from fastapi import APIRouter

    broken = create_app(allowed_hosts={"testserver"})
    router = APIRouter()

    @router.get("/api/broken")
    def _broken() -> None:
        raise RuntimeError("a bug")

    @router.get("/broken")
    def _broken_page() -> None:
        raise RuntimeError("a bug")

    broken.include_router(router)
    with TestClient(broken, raise_server_exceptions=False) as local, \
            caplog.at_level(logging.ERROR, "collab_advisor.web"):
        for url in ("/api/broken", "/broken"):
            response = local.get(url)
            assert response.status_code == 500
            for header in SECURITY_HEADERS:
                assert header in response.headers
            request_id = response.headers["x-request-id"]
            assert request_id in response.text
            assert any(request_id in record.getMessage() for record in caplog.records)
        assert local.get("/api/broken").json()["request_id"]


# -- any JSON at all ---------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30),
    st.sampled_from(["²", "٣", "\uff11\uff12", "\ud800", "\udfff", "yes", "false", "NaN",
                     "close_practice_gap", "9" * 60]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
_CONTEXTS = st.dictionaries(st.sampled_from([*FIELDS, "member", "role", "\ud800", "x"]),
                            _VALUES, max_size=4)


def _dumps(value: Any) -> str:
    """JSON text as a careless client writes it: NaN and Infinity unquoted."""
    return json.dumps(value, allow_nan=True, ensure_ascii=True)


@settings(max_examples=150)
@given(endpoint=st.sampled_from(API), context=_CONTEXTS,
       depth=st.integers(min_value=0, max_value=40))
def test_no_json_body_gives_a_server_error(client: TestClient, endpoint: str,
                                           context: dict[str, Any], depth: int) -> None:
    """Non-finite numbers, surrogates, unicode digits, huge integers, deep nesting: never 5xx."""
    body = _wrap(endpoint, _dumps(context))
    if depth:
        body = body.replace('"x": ', '"x": ' + "[" * depth, 1)
        body = body[:-1] + "]" * depth + body[-1] if '"x": [' in body else body
    response = client.post(endpoint, content=body, headers=JSON)
    assert response.status_code < 500, (body[:300], response.text[:300])
    for header in SECURITY_HEADERS:
        assert header in response.headers
    if response.status_code >= 400:
        assert response.json()["message"]


@settings(max_examples=100)
@given(params=st.lists(st.tuples(
    st.sampled_from(["n", "remove", "add", "p0.sites", "p1.aim", "p0.member", "sites",
                     "aim", "change"]),
    st.one_of(st.text(max_size=12), st.sampled_from(["²", "9" * 5000, "-1", "٣"]))),
    max_size=5), page=st.sampled_from(["/", "/compare", "/team", "/report",
                                        "/download/context.json", "/team/report"]))
def test_no_page_address_gives_a_server_error(client: TestClient,
                                              params: list[tuple[str, str]], page: str) -> None:
    """Any query string on any page gets a page or a 4xx, never a 500."""
    response = client.get(f"{page}?{urlencode(params)}", follow_redirects=False)
    assert response.status_code < 500, (params, response.text[:300])


def test_the_api_takes_json_booleans_and_numbers_as_its_schema_says(client: TestClient) -> None:
    """The API refuses "false" for a yes/no field and "12" for a count; files keep the words."""
    for field, value in (("existing_network", "false"), ("single_org_can_solve", "yes"),
                         ("sites", "12")):
        response = client.post("/api/recommend", json={field: value})
        assert response.status_code == 422
        assert field in response.json()["message"]
    assert client.post("/api/recommend", json={"existing_network": False}).status_code == 200
    assert Context.model_validate({"existing_network": "no"}).existing_network is False


def test_the_team_api_detail_holds_validation_objects(client: TestClient) -> None:
    """/api/team's 422 detail is a list of objects with loc, msg and type, as documented."""
    response = client.post("/api/team", json={"members": [{"sites": "many"}]})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail and all({"loc", "msg", "type"} <= set(item) for item in detail)
    assert detail[0]["loc"][:3] == ["body", "members", 0]
    schema = client.get("/openapi.json").json()
    body = schema["components"]["schemas"]["TeamRequest"]["properties"]["members"]
    assert body["minItems"] == 1
