"""The workspace store on a real database: SQLite always, PostgreSQL when a server is given."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from collab_advisor import Context, TeamMember, load_rules, recommend_team
from collab_advisor._workspace import schema
from collab_advisor._workspace.models import (
    DecisionInput,
    RateLimited,
    RoundClosed,
    SaveConflict,
    WorkspaceNotFound,
)
from collab_advisor._workspace.store import WorkspaceStore

from .workspace_support import database  # noqa: F401 (a fixture)

ANN = {"time_span": "fixed_term", "aim": "close_practice_gap", "control": "supported"}
BO = {"time_span": "open_ended", "aim": "close_practice_gap", "control": "accountable"}
CY = {"time_span": "fixed_term", "aim": "close_practice_gap"}


@pytest.fixture
def store(database: str) -> Iterator[WorkspaceStore]:  # noqa: F811
    """A store on a fresh database, closed after the test."""
    opened = WorkspaceStore(database)
    yield opened
    opened.close()


def _three(store: WorkspaceStore) -> tuple[str, list[str]]:
    made = store.create_workspace("Stroke network", "Which way to run it")
    seats = [store.join(made.member_token, ANN, label="Ann", role="clinician"),
             store.join(made.member_token, BO),
             store.join(made.member_token, CY, role="patient or carer")]
    return made.facilitator_token, [seat.edit_token or "" for seat in seats]


def test_progress_shows_members_agreement_and_the_team_advice(store: WorkspaceStore) -> None:
    """The facilitator sees labels or "member N", agreed and disputed fields, the advice."""
    facilitator, _ = _three(store)
    progress = store.progress(facilitator)
    assert [m.shown_as for m in progress.members] == ["Ann", "member 2", "member 3"]
    by_field = {f.field: f for f in progress.agreement.fields}
    assert by_field["time_span"].modal_share == pytest.approx(2 / 3)
    assert by_field["time_span"].spread[0].value == "fixed_term"
    assert by_field["aim"].agreed and by_field["aim"].modal_share == 1.0
    assert not by_field["control"].agreed and by_field["control"].answered == 2
    team = recommend_team([TeamMember(label=label, context=Context(**answers))
                           for label, answers in (("a", ANN), ("b", BO), ("c", CY))])
    assert progress.team is not None
    assert progress.team.top == team.advice.top.approach.value
    assert progress.agreement.alpha is not None and -1 <= progress.agreement.alpha < 1


def test_tokens_are_stored_only_as_hashes(store: WorkspaceStore) -> None:
    """No link's token appears anywhere in the database; each is kept as its SHA-256."""
    made = store.create_workspace("Hashes")
    seat = store.join(made.member_token, ANN)
    tokens = [made.facilitator_token, made.member_token, seat.edit_token or ""]
    assert all(len(t) >= 22 for t in tokens)  # 128 bits or more, URL-safe base64
    with store.db.connect() as connection:
        dump = json.dumps([[list(map(str, row)) for row in connection.execute(select(table))]
                           for table in schema.metadata.sorted_tables])
        stored = connection.execute(select(schema.workspace.c.facilitator_hash)).scalar()
    assert not any(token in dump for token in tokens)
    assert stored == hashlib.sha256(made.facilitator_token.encode()).hexdigest()


def test_guessed_stale_and_crossed_links_all_get_the_same_not_found(store: WorkspaceStore) -> None:
    """A guessed, deleted or wrong-kind token, or one from another workspace, finds nothing."""
    facilitator, edits = _three(store)
    other = store.create_workspace("Other")
    member_token = other.member_token
    attempts: list[Callable[[], object]] = [
        lambda: store.progress("A" * 32),
        lambda: store.progress(member_token),          # a member link is not a facilitator's
        lambda: store.progress(edits[0]),              # nor is an edit link
        lambda: store.member_page(other.facilitator_token),
        lambda: store.save(member_token, ANN, version=1),
        lambda: store.progress("not even a token!"),
    ]
    for attempt in attempts:
        with pytest.raises(WorkspaceNotFound) as caught:
            attempt()
        assert str(caught.value) == "no such workspace or link"
    store.delete_workspace(facilitator)
    with pytest.raises(WorkspaceNotFound):
        store.member_page(edits[1])


def test_a_stale_save_is_refused_with_both_versions(store: WorkspaceStore) -> None:
    """Saving over an old version is a conflict showing both answers; nothing is overwritten."""
    _, edits = _three(store)
    store.save(edits[0], {**ANN, "control": "accountable"}, version=1)
    with pytest.raises(SaveConflict) as caught:
        store.save(edits[0], {**ANN, "time_span": "open_ended"}, version=1)
    assert caught.value.version == 2
    assert caught.value.theirs["control"] == "accountable"
    assert caught.value.yours["time_span"] == "open_ended"
    page = store.member_page(edits[0])
    assert page.seat is not None and page.seat.version == 2
    assert page.seat.answers["time_span"] == "fixed_term"
    assert page.seat.label == "Ann" and page.seat.role == "clinician"


def test_two_members_saving_at_once_both_keep_their_answers(store: WorkspaceStore) -> None:
    """Concurrent saves by different members each land."""
    _, edits = _three(store)
    errors: list[BaseException] = []

    def save(edit: str, value: str) -> None:
        try:
            for version in range(1, 6):
                store.save(edit, {"control": value, "time_span": "fixed_term"}, version=version)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(edits[0], "supported")),
               threading.Thread(target=save, args=(edits[1], "accountable"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert store.member_page(edits[0]).seat.answers["control"] == "supported"  # type: ignore[union-attr]
    assert store.member_page(edits[1]).seat.version == 6  # type: ignore[union-attr]


def test_rounds_close_show_the_spread_and_keep_their_history(store: WorkspaceStore) -> None:
    """Closing a round freezes its spread; members revise in the next; the history stays."""
    facilitator, edits = _three(store)
    closed = store.close_round(facilitator)
    assert closed.number == 1 and closed.answered == 3 and closed.team is not None
    with pytest.raises(RoundClosed):
        store.save(edits[1], ANN, version=1)
    page = store.member_page(edits[1])
    assert page.last_closed is not None
    spread = {f.field: f.spread for f in page.last_closed.agreement.fields}  # type: ignore[union-attr]
    assert [(v.value, v.count) for v in spread["time_span"]] == [("fixed_term", 2),
                                                                  ("open_ended", 1)]
    assert store.open_round(facilitator) == 2
    store.save(edits[1], ANN, version=1)
    store.close_round(facilitator)
    rounds = store.progress(facilitator).rounds
    assert [r.number for r in rounds] == [1, 2]
    shares = [next(f.modal_share for f in r.agreement.fields if f.field == "time_span")  # type: ignore[union-attr]
              for r in rounds]
    assert shares == [pytest.approx(2 / 3), 1.0]


def test_deleting_a_workspace_removes_every_row_and_leaves_others(store: WorkspaceStore) -> None:
    """Every row of a deleted workspace goes; another workspace keeps all of its rows."""
    facilitator, _ = _three(store)
    store.record_decision(facilitator, DecisionInput(chosen="qi_collaborative", why="fits"))
    keep, _ = _three(store)
    before = store.count_rows()
    store.delete_workspace(facilitator)
    after = store.count_rows()
    assert after["workspace"] == before["workspace"] - 1 == 1
    assert after["member"] == 3 and after["round"] == 1 and after["decision"] == 0
    with store.db.connect() as connection:
        for table in schema.TABLES_OF_A_WORKSPACE:
            owners = set(connection.execute(select(table.c.workspace_id)).scalars())
            assert len(owners) <= 1
    assert store.progress(keep).members[0].shown_as == "Ann"


def test_retention_removes_only_idle_workspaces(store: WorkspaceStore) -> None:
    """Workspaces idle for longer than N days go; active ones stay."""
    old, _ = _three(store)
    fresh = store.create_workspace("Fresh")
    with store.db.begin() as connection:
        connection.execute(schema.workspace.update()
                           .where(schema.workspace.c.name == "Stroke network")
                           .values(last_active_at=time.time() - 40 * 86_400))
    assert store.purge_idle(30) == 1
    assert store.count_rows()["member"] == 0
    store.progress(fresh.facilitator_token)
    with pytest.raises(WorkspaceNotFound):
        store.progress(old)


def test_saving_is_rate_limited_per_link(database: str) -> None:  # noqa: F811
    """A link saving past its limit is told to wait; another link is unaffected."""
    with WorkspaceStore(database, save_limit=(3, 60.0)) as store:
        _, edits = _three(store)
        version = 1
        for _ in range(2):  # joining counted as the first save
            version = store.save(edits[0], ANN, version=version).version
        with pytest.raises(RateLimited) as caught:
            store.save(edits[0], ANN, version=version)
        assert 1 <= caught.value.retry_after <= 61
        store.save(edits[1], BO, version=1)


def test_bad_answers_labels_and_roles_are_refused_by_name(store: WorkspaceStore) -> None:
    """Bad input names the field and the allowed values, and nothing is stored."""
    made = store.create_workspace("Bad input")
    with pytest.raises(Exception, match="time_span"):
        store.join(made.member_token, {"time_span": "someday"})
    with pytest.raises(Exception, match="role: 'boss' is not one of clinician"):
        store.join(made.member_token, ANN, role="boss")
    assert store.count_rows()["member"] == 0


def test_a_decision_record_verifies_and_tampering_is_caught(store: WorkspaceStore) -> None:
    """The record's hash and signature check out, in Markdown and PDF; an edit fails."""
    from collab_advisor._workspace.record import RecordError, SignedRecord, extract

    facilitator, _ = _three(store)
    record = store.record_decision(facilitator, DecisionInput(
        chosen="community_of_practice", why="We want <script>x</script> *learning*",
        present=("Ann", "member 2")))
    assert record.public_key == store.public_key()
    assert "OK" in record.verify(store.public_key())
    body = record.body
    assert body["rules"]["fingerprint"] == store.rules.fingerprint
    assert body["rules"]["files"] and body["answers"][0]["answers"] == ANN
    assert body["advice"]["top"] == store.progress(facilitator).team.top  # type: ignore[union-attr]
    markdown = record.to_markdown()
    assert "<script>" not in markdown.split("<!--")[0]
    for data in (markdown.encode(), record.to_pdf()):
        assert extract(data).verify().startswith("OK")
    changed = markdown.replace('"chosen":"community_of_practice"', '"chosen":"qi_collaborative"')
    with pytest.raises(RecordError, match="hash mismatch"):
        extract(changed.encode()).verify()
    forged = SignedRecord(body=record.body, sha256=record.sha256, signature=record.signature,
                          public_key=store.create_workspace("x").member_token[:43] + "=")
    with pytest.raises(RecordError):
        forged.verify()
    assert store.decisions(facilitator)[0] == record


def test_replaying_a_record_under_other_rules_shows_the_diff(
        store: WorkspaceStore, tmp_path: Path) -> None:
    """A record replayed under changed rules says whether the advice differs, with the diff."""
    from collab_advisor._workspace.record import replay_record

    facilitator, _ = _three(store)
    record = store.record_decision(facilitator, DecisionInput(chosen="qi_collaborative",
                                                              why="fits"))
    assert replay_record(record).same_rules
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, content in record.body["rules"]["files"].items():
        (folder / name).write_text(content, encoding="utf-8")
    first = sorted(folder.iterdir())[0]
    text_before = first.read_text(encoding="utf-8")
    assert "ruleset_version:" in text_before
    changed = re.sub(r"(\n *title: )", r"\1Revised ", text_before, count=1)
    assert changed != text_before
    first.write_text(changed, encoding="utf-8")
    newer = load_rules(folder)
    assert newer.fingerprint != store.rules.fingerprint
    again = replay_record(record, newer, sample=200)
    assert not again.same_rules and again.diff is not None
    assert again.diff.changed
    assert "recorded" in again.explain()


def test_answers_export_as_csv_that_batch_reads(store: WorkspaceStore, tmp_path: Path) -> None:
    """The CSV export is accepted by `collab-advisor batch`, one result per member."""
    facilitator, _ = _three(store)
    path = tmp_path / "answers.csv"
    path.write_text(store.answers_csv(facilitator), encoding="utf-8")
    command = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
    assert command is not None
    done = subprocess.run([command, "batch", str(path), "--format", "jsonl"],
                          capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 3
    assert "Ann" in done.stdout


def test_migrations_from_empty_and_from_the_previous_revision(database: str) -> None:  # noqa: F811
    """An empty database and one at the previous revision (with data) both reach the head."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from collab_advisor._workspace.database import (
        HEAD,
        database_url,
        migrate,
        open_engine,
        schema_revision,
    )

    engine = open_engine(database_url(database))
    try:
        assert schema_revision(engine) is None
        migrate(engine, "0001")
        assert schema_revision(engine) == "0001"
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO workspace (name, description, facilitator_hash, member_hash, "
                "members_joined, current_round, round_open, created_at, last_active_at) "
                "VALUES ('Kept', '', :f, :m, 0, 1, true, 1.0, 1.0)"),
                {"f": "f" * 64, "m": "a" * 64})
        migrate(engine)
        assert schema_revision(engine) == HEAD
        migrate(engine)  # idempotent
        with engine.connect() as connection:
            kept = connection.execute(select(schema.workspace)).one()
            assert kept.name == "Kept" and kept.join_window_count == 0
            differences = compare_metadata(MigrationContext.configure(connection),
                                           schema.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_the_public_api_reads_verifies_and_replays_a_record_file(tmp_path: Path) -> None:
    """From ``collab_advisor``: a store, a record read back from its PDF, verified, replayed."""
    import collab_advisor as ca

    with ca.WorkspaceStore(tmp_path / "w.sqlite3") as store:
        made = store.create_workspace("Public")
        store.join(made.member_token, ANN)
        signed = store.record_decision(made.facilitator_token, ca.DecisionInput(
            chosen="qi_collaborative", why="fits"))
    path = tmp_path / "record.pdf"
    path.write_bytes(signed.to_pdf())
    again = ca.read_record(path)
    assert again == signed and again.verify(signed.public_key).startswith("OK")
    assert isinstance(ca.replay_record(again), ca.Replay)
    with pytest.raises(ca.RecordError, match="cannot read"):
        ca.read_record(tmp_path / "missing.pdf")


def test_saves_at_once_in_an_idle_workspace_all_land(store: WorkspaceStore) -> None:
    """Many members saving together when the workspace's last-active time is due all succeed.

    (On PostgreSQL the saves each held the workspace's shared lock while writing its
    last-active time, so two of them could deadlock.)
    """
    made = store.create_workspace("Idle")
    edits = [store.join(made.member_token, ANN).edit_token or "" for _ in range(12)]
    errors: list[BaseException] = []
    for attempt in range(3):
        with store.db.begin() as connection:
            connection.execute(schema.workspace.update().values(last_active_at=0.0))
        start = threading.Barrier(len(edits))

        def save(edit: str, version: int, start: threading.Barrier = start) -> None:
            try:
                start.wait(10)
                store.save(edit, BO, version=version)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=save, args=(edit, attempt + 1)) for edit in edits]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert store.progress(made.facilitator_token).members[0].fields_answered == 3
