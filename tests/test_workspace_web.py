"""Team workspaces over HTTP: pages, the JSON API, and what a link can and cannot reach."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from collab_advisor._workspace import schema
from collab_advisor._workspace.store import WorkspaceStore
from collab_advisor.web.app import create_app

from .workspace_support import database  # noqa: F401 (a fixture)

ANN = {"time_span": "fixed_term", "aim": "close_practice_gap", "control": "supported"}
BO = {"time_span": "open_ended", "aim": "close_practice_gap", "control": "accountable"}


@pytest.fixture
def store(database: str) -> Iterator[WorkspaceStore]:  # noqa: F811
    """A store on a fresh database."""
    opened = WorkspaceStore(database, save_limit=(5, 60.0))
    yield opened
    opened.close()


@pytest.fixture
def client(store: WorkspaceStore) -> Iterator[TestClient]:
    """The app with workspaces, as a loopback browser would reach it."""
    with TestClient(create_app(workspaces=store), base_url="http://127.0.0.1") as made:
        yield made


def _workspace(client: TestClient, name: str = "Stroke network") -> tuple[str, str]:
    made = client.post("/api/workspaces", json={"name": name, "description": "<b>d</b>"})
    assert made.status_code == 201
    return made.json()["facilitator_token"], made.json()["member_token"]


def _join(client: TestClient, member: str, answers: Mapping[str, object],
          **extra: object) -> dict[str, object]:
    seat = client.post(f"/api/workspaces/m/{member}/members",
                       json={"answers": dict(answers), **extra})
    assert seat.status_code == 201, seat.text
    return dict(seat.json())


def test_member_links_cannot_reach_facilitator_pages_or_other_workspaces(
        client: TestClient, store: WorkspaceStore) -> None:
    """Member and edit links, other workspaces' links and guesses all get the plain 404."""
    facilitator, member = _workspace(client)
    edit = str(_join(client, member, ANN)["edit_token"])
    other_facilitator, other_member = _workspace(client, "Other")
    missing_page = client.get("/no/such/page")
    missing_api = client.get("/api/no-such-endpoint")
    tries = [f"/w/f/{member}", f"/w/f/{edit}", f"/w/f/{member}/answers.csv",
             f"/w/f/{edit}/decision/1.md", f"/w/e/{member}", f"/w/m/{edit}",
             f"/w/f/{facilitator[:-1]}{'B' if facilitator.endswith('A') else 'A'}",
             "/w/f/" + "x" * 32]  # (a near miss must differ: a token may end in A)
    for path in tries:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.text == missing_page.text, path
    api_tries = [f"/api/workspaces/f/{member}", f"/api/workspaces/f/{edit}",
                 f"/api/workspaces/e/{member}", f"/api/workspaces/f/{other_member}"]
    for path in api_tries:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == missing_api.json(), path
    assert client.post(f"/w/f/{member}/round", data={"action": "close"}).status_code == 404
    assert client.delete(f"/api/workspaces/f/{member}").status_code == 404
    assert client.put(f"/api/workspaces/e/{other_facilitator}",
                      json={"answers": ANN, "version": 1}).status_code == 404
    # the other workspace never sees this one's member
    assert client.get(f"/api/workspaces/f/{other_facilitator}").json()["members"] == []
    with store.db.connect() as connection:
        hashes = {connection.execute(select(schema.workspace.c.member_hash)
                                     .where(schema.workspace.c.name == "Stroke network"))
                  .scalar_one(),
                  connection.execute(select(schema.member.c.edit_hash)).scalar_one()}
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in (member, edit)}


def test_labels_and_free_text_are_escaped_on_every_page(client: TestClient) -> None:
    """A label, description or reason written as HTML shows as text, never as markup."""
    facilitator, member = _workspace(client)
    _join(client, member, ANN, label="<script>alert(1)</script>", role="clinician")
    client.post(f"/w/f/{facilitator}/round", data={"action": "close"})
    client.post(f"/w/f/{facilitator}/decision",
                data={"chosen": "qi_collaborative", "why": "<img src=x onerror=alert(2)>",
                      "present": "<i>Ann</i>"})
    page = client.get(f"/w/f/{facilitator}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>d</b>" not in page
    markdown = client.get(f"/w/f/{facilitator}/decision/1.md").text
    shown = markdown.split("<!--")[0]
    assert "\\<img" in shown and not re.search(r"(?<!\\)<img", shown)  # escaped as text


def test_the_api_flow_conflicts_limits_rounds_and_records(client: TestClient) -> None:
    """Join, a stale save (409 with both versions), the rate limit (429), rounds, a record."""
    facilitator, member = _workspace(client)
    ann = _join(client, member, ANN, label="Ann")
    _join(client, member, BO)
    edit = ann["edit_token"]
    first = client.put(f"/api/workspaces/e/{edit}", json={"answers": BO, "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.put(f"/api/workspaces/e/{edit}", json={"answers": ANN, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["theirs"]["control"] == "accountable"
    assert stale.json()["yours"]["control"] == "supported"
    version = 2
    statuses = []
    for _ in range(6):
        saved = client.put(f"/api/workspaces/e/{edit}", json={"answers": BO, "version": version})
        statuses.append(saved.status_code)
        if saved.status_code == 200:
            version += 1
        else:
            assert int(saved.headers["retry-after"]) >= 1
    assert 429 in statuses
    closed = client.post(f"/api/workspaces/f/{facilitator}/rounds/close")
    assert closed.status_code == 200 and closed.json()["answered"] == 2
    seen = client.get(f"/api/workspaces/e/{edit}").json()
    assert seen["last_closed"]["agreement"]["fields"]
    assert client.put(f"/api/workspaces/e/{edit}",
                      json={"answers": BO, "version": version}).status_code in (409, 429)
    record = client.post(f"/api/workspaces/f/{facilitator}/decisions",
                         json={"chosen": "managed_clinical_network", "why": "our reasons",
                               "present": ["Ann"]})
    assert record.status_code == 201
    key = client.get("/api/workspaces/public-key").json()["public_key"]
    assert record.json()["public_key"] == key
    assert client.delete(f"/api/workspaces/f/{facilitator}").status_code == 204
    assert client.get(f"/api/workspaces/f/{facilitator}").status_code == 404


def test_the_member_form_saves_and_shows_a_conflict_with_both_versions(
        client: TestClient) -> None:
    """The HTML form takes a seat, then a stale form is refused showing both versions."""
    facilitator, member = _workspace(client)
    form = client.get(f"/w/m/{member}")
    assert form.status_code == 200 and 'name="time_span"' in form.text
    joined = client.post(f"/w/m/{member}", data={"time_span": "fixed_term", "label": "Ann"},
                         follow_redirects=False)
    assert joined.status_code == 303
    edit_path = joined.headers["location"].split("?")[0]
    page = client.get(edit_path + "?saved=1")
    assert "Your answers are saved" in page.text and 'value="1"' in page.text
    client.post(edit_path, data={"time_span": "open_ended", "version": "1", "label": "Ann"})
    stale = client.post(edit_path, data={"time_span": "fixed_term", "version": "1"})
    assert stale.status_code == 409
    table = re.search(r'<table id="conflict">.*?</table>', stale.text, re.S)
    assert table and "fixed_term" in table.group(0) and "open_ended" in table.group(0)
    progress = client.get(f"/w/f/{facilitator}").text
    assert "Ann" in progress and "open_ended (1)" in progress


def test_the_openapi_schema_types_the_workspace_api(client: TestClient) -> None:
    """The workspace endpoints have typed request and response schemas."""
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("Progress", "Seat", "Conflict", "MemberPage", "Record", "DecisionInput",
                 "SavedAnswers", "CreatedWorkspace", "PublicKey"):
        assert name in schemas, name
    put = spec["paths"]["/api/workspaces/e/{token}"]["put"]
    assert "409" in put["responses"]


def test_answers_download_as_csv(client: TestClient) -> None:
    """The CSV download has one row per member, labelled, with their answers."""
    facilitator, member = _workspace(client)
    _join(client, member, ANN, label="Ann")
    _join(client, member, BO)
    csv_text = client.get(f"/w/f/{facilitator}/answers.csv").text
    rows = csv_text.splitlines()
    assert rows[0].startswith("name,") and len(rows) == 3
    assert rows[1].startswith("Ann,") and "supported" in rows[1]
    assert rows[2].startswith("member 2,") and "accountable" in rows[2]


def test_answers_download_as_xlsx_where_openpyxl_is_installed(client: TestClient) -> None:
    """The .xlsx download holds the same rows as the CSV (501 naming openpyxl without it)."""
    import importlib.util
    import io

    facilitator, member = _workspace(client)
    _join(client, member, ANN, label="Ann")
    response = client.get(f"/w/f/{facilitator}/answers.xlsx")
    if importlib.util.find_spec("openpyxl") is None:
        assert response.status_code == 501 and "openpyxl" in response.json()["message"]
        return
    from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell if cell is not None else "" for cell in row]
            for row in sheet.iter_rows(values_only=True)]
    csv_rows = [line.split(",") for line in
                client.get(f"/w/f/{facilitator}/answers.csv").text.splitlines()]
    assert rows == csv_rows
