"""The OpenAPI document describes what the API really sends: typed 200s, and errors as sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")
pytest.importorskip("sqlalchemy", reason="the workspaces extra is not installed")

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from collab_advisor._workspace.store import WorkspaceStore
from collab_advisor.web import create_app

ANSWERS = {"aim": "share_know_how", "formality": "informal", "sites": 3}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app with team workspaces in a fresh SQLite file."""
    folder: Path = tmp_path_factory.mktemp("schema")
    with WorkspaceStore(str(folder / "ws.sqlite3")) as store, \
            TestClient(create_app(allowed_hosts={"testserver"}, workspaces=store)) as test:
        yield test


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    """The served OpenAPI document."""
    found: dict[str, Any] = client.get("/openapi.json").json()
    return found


def _conforms(document: dict[str, Any], path: str, method: str, status: int,
              body: Any) -> None:
    """``body`` validates against the schema the document gives for this answer."""
    answers = document["paths"][path][method]["responses"]
    assert str(status) in answers, f"{method.upper()} {path}: {status} is not documented"
    schema = answers[str(status)]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({"components": document["components"], **schema})
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                for e in validator.iter_errors(body)]
    assert problems == [], f"{method.upper()} {path} {status}: {problems[:5]}"


def test_every_success_has_a_schema_and_every_error_the_shape_sent(
        document: dict[str, Any]) -> None:
    """No operation's 2xx is the empty schema, and each 422 names the error body the API sends
    (message and detail), not FastAPI's default."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if status.startswith("2") and status != "204":
                    assert schema, f"{method.upper()} {path} {status} has no schema"
                if status == "422":
                    assert schema == {"$ref": "#/components/schemas/ErrorAnswer"}, (path, method)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_advice_answers_match_their_schemas(client: TestClient,
                                            document: dict[str, Any]) -> None:
    """Each advice endpoint's real answer, good and bad, validates against its documented
    schema."""
    calls: list[tuple[str, str, Any]] = [
        ("/api/recommend", "post", ANSWERS),
        ("/api/what-if", "post", {"context": ANSWERS, "changes": {"formality": None}}),
        ("/api/why-not", "post", {"context": ANSWERS, "approach": "qi_collaborative"}),
        ("/api/path-to", "post", {"context": ANSWERS, "approach": "qi_collaborative"}),
        ("/api/team", "post", {"members": [ANSWERS, {"member": "B", "aim": "redesign_services"}]}),
        ("/api/schema", "get", None),
        ("/api/report-schema", "get", None),
        ("/api/rules", "get", None),
        ("/healthz", "get", None),
    ]
    for path, method, body in calls:
        answer = client.request(method, path, json=body)
        assert answer.status_code == 200, (path, answer.text[:300])
        _conforms(document, path, method, 200, answer.json())
    bad = [("/api/recommend", {"aim": "world_peace"}), ("/api/recommend", {"formalty": "x"}),
           ("/api/why-not", {"approach": "committee"}), ("/api/team", {"members": []}),
           ("/api/team", {"members": [{"member": " "}]})]
    for path, body in bad:
        answer = client.post(path, json=body)
        assert answer.status_code == 422, (path, body)
        _conforms(document, path, "post", 422, answer.json())
    unreadable = client.post("/api/recommend", content=b"{", headers={
        "content-type": "application/json"})
    assert unreadable.status_code in (400, 422)
    _conforms(document, "/api/recommend", "post", unreadable.status_code, unreadable.json())


def test_workspace_answers_match_their_schemas(client: TestClient,
                                               document: dict[str, Any]) -> None:
    """A workspace's whole life over the API, and its refusals (a stale save, a closed round,
    a second open, an unknown token), each validate against the documented schema."""
    made = client.post("/api/workspaces", json={"name": "Ward 7"})
    _conforms(document, "/api/workspaces", "post", 201, made.json())
    facilitator, member = made.json()["facilitator_token"], made.json()["member_token"]
    seat = client.post(f"/api/workspaces/m/{member}/members",
                       json={"answers": ANSWERS, "label": "Ana", "role": "clinician"})
    _conforms(document, "/api/workspaces/m/{token}/members", "post", 201, seat.json())
    edit = seat.json()["edit_token"]
    saved = client.put(f"/api/workspaces/e/{edit}", json={"answers": ANSWERS, "version": 1})
    _conforms(document, "/api/workspaces/e/{token}", "put", 200, saved.json())
    stale = client.put(f"/api/workspaces/e/{edit}", json={"answers": {}, "version": 1})
    assert stale.status_code == 409
    _conforms(document, "/api/workspaces/e/{token}", "put", 409, stale.json())
    for path, method, status in [
            (f"/api/workspaces/f/{facilitator}", "get", 200),
            (f"/api/workspaces/f/{facilitator}/rounds/open", "post", 409),
            (f"/api/workspaces/f/{facilitator}/rounds/close", "post", 200),
            (f"/api/workspaces/f/{facilitator}/rounds/close", "post", 409),
            (f"/api/workspaces/e/{edit}", "get", 200),
            ("/api/workspaces/public-key", "get", 200),
            ("/api/workspaces/f/not-a-real-token-at-all-000000000", "get", 404)]:
        answer = client.request(method, path)
        assert answer.status_code == status, (path, answer.text[:300])
        template = path.replace(facilitator, "{token}").replace(edit, "{token}").replace(
            "not-a-real-token-at-all-000000000", "{token}")
        _conforms(document, template, method, status, answer.json())
    closed = client.put(f"/api/workspaces/e/{edit}", json={"answers": {}, "version": 2})
    _conforms(document, "/api/workspaces/e/{token}", "put", closed.status_code, closed.json())
    decided = client.post(f"/api/workspaces/f/{facilitator}/decisions",
                          json={"chosen": "community_of_practice", "why": "we meet monthly"})
    _conforms(document, "/api/workspaces/f/{token}/decisions", "post", 201, decided.json())
    listed = client.get(f"/api/workspaces/f/{facilitator}/decisions")
    _conforms(document, "/api/workspaces/f/{token}/decisions", "get", 200, listed.json())
    wrong = client.post(f"/api/workspaces/f/{facilitator}/decisions",
                        json={"chosen": "committee", "why": "x"})
    assert wrong.status_code == 422 and "community_of_practice" in wrong.json()["message"]
    _conforms(document, "/api/workspaces/f/{token}/decisions", "post", 422, wrong.json())


def test_a_wrong_method_is_told_every_method_the_path_takes(client: TestClient) -> None:
    """A 405 lists in Allow every method served at that path, not only the first route's."""
    answer = client.request("PATCH", "/api/workspaces/e/some-token")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, PUT"
