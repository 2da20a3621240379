"""The workspace store: a small typed client over one database, for the web app and Python.

Every call is one short transaction and returns plain data; nothing is kept in memory
that another process serving the same database would need (the rule sets parsed from a
workspace's stored text are cached, but they are the same everywhere).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from types import EllipsisType
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.engine import Row

from .._advice.team import TeamRecommendation
from .._errors import CollabAdvisorError
from .._rulebook.ruleset import RuleSet
from . import schema
from .agreement import agreement
from .core import (
    JOIN_LIMIT,
    MAX_MEMBERS,
    MAX_RULES_TEXT,
    SAVE_LIMIT,
    TOUCH_EVERY,
    clean_answers,
    clean_label,
    clean_role,
    seat_of,
)
from .keeping import RecordsAndExports
from .models import (
    CreatedWorkspace,
    MemberPage,
    MemberProgress,
    Progress,
    RateLimited,
    RoundClosed,
    RoundStillOpen,
    RoundSummary,
    SaveConflict,
    Seat,
    TeamSummary,
)
from .rulestext import rules_text
from .tokens import new_token, token_hash

__all__ = ["JOIN_LIMIT", "MAX_MEMBERS", "MAX_RULES_TEXT", "SAVE_LIMIT", "TOUCH_EVERY",
           "WorkspaceStore", "clean_answers"]


class WorkspaceStore(RecordsAndExports):
    """Team workspaces kept in a database: SQLite by default, PostgreSQL by URL.

    ``database`` is a file path, a ``sqlite:///PATH`` or ``postgresql+psycopg://``
    URL, or None for ``workspaces.sqlite3`` under the user's data directory. The
    schema is migrated to the newest revision on opening. ``rules`` are used for
    workspaces created without a rule set of their own (default: the shipped rules).
    """


    # -- the facilitator ---------------------------------------------------------------

    def create_workspace(self, name: str, description: str = "", *,
                         rules: RuleSet | None = None) -> CreatedWorkspace:
        """A new workspace with round 1 open; its two link tokens are returned once."""
        name = " ".join(str(name).split())
        if not 1 <= len(name) <= 200:
            raise CollabAdvisorError("name: expected 1 to 200 characters")
        if len(description) > 5000:
            raise CollabAdvisorError("description: at most 5,000 characters")
        stored_rules = None
        if rules is not None:
            stored_rules = json.dumps(rules_text(rules), sort_keys=True)
            if len(stored_rules) > MAX_RULES_TEXT:
                raise CollabAdvisorError("rules: the rule files are too long to keep with "
                                         f"a workspace (at most {MAX_RULES_TEXT:,} characters)")
        facilitator, member = new_token(), new_token()
        now = time.time()
        with self._tx() as connection:
            workspace_id = connection.execute(insert(schema.workspace).values(
                name=name, description=description, rules_text=stored_rules,
                facilitator_hash=token_hash(facilitator), member_hash=token_hash(member),
                members_joined=0, current_round=1, round_open=True, created_at=now,
                last_active_at=now, join_window_start=0.0, join_window_count=0,
            )).inserted_primary_key[0]  # type: ignore[index]
            connection.execute(insert(schema.round_).values(
                workspace_id=workspace_id, number=1, opened_at=now))
        if self.retention_days:
            self.purge_idle(self.retention_days)
        return CreatedWorkspace(name=name, facilitator_token=facilitator,
                                member_token=member)

    @staticmethod
    def _summary(team: TeamRecommendation | None) -> TeamSummary | None:
        if team is None:
            return None
        best = team.advice.ranking[0].score
        tied = tuple(r.approach.value for r in team.advice.ranking if r.score == best)
        decisive = next((d.message for d in team.disputed if d.changes_top), None)
        top = team.advice.top
        return TeamSummary(top=None if len(tied) > 1 else top.approach.value,
                           top_name=None if len(tied) > 1 else top.name, tied=tied,
                           decisive=decisive, explanation=team.explain())

    def team(self, facilitator_token: str) -> TeamRecommendation | None:
        """The team's advice on the members' current answers (None before any answer)."""
        with self._db.connect() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token)
            return self._team(self.rules_of(row.rules_text),
                              self._answer_sets(connection, row.id))

    def progress(self, facilitator_token: str) -> Progress:
        """Who has answered, agreement per field, the team's advice and the rounds so far."""
        with self._db.connect() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token)
            members = self._answer_sets(connection, row.id)
            rounds = list(connection.execute(
                select(schema.round_).where(schema.round_.c.workspace_id == row.id)
                .order_by(schema.round_.c.number)))
            decisions = connection.execute(
                select(func.count()).select_from(schema.decision)
                .where(schema.decision.c.workspace_id == row.id)).scalar_one()
        rules = self.rules_of(row.rules_text)
        answers = [json.loads(m.answers) for m in members]
        return Progress(
            name=row.name, description=row.description, rules_version=rules.version,
            current_round=row.current_round, round_open=row.round_open,
            members=tuple(MemberProgress(shown_as=m.label or f"member {m.number}", role=m.role,
                                         fields_answered=len(a),
                                         answered_round=m.answered_round)
                          for m, a in zip(members, answers, strict=True)),
            agreement=agreement([a for a in answers if a]),
            team=self._summary(self._team(rules, members)),
            rounds=tuple(_round(r) for r in rounds), decisions=int(decisions))

    def close_round(self, facilitator_token: str) -> RoundSummary:
        """Close the open round, keeping its spread, agreement and advice in its history."""
        now = time.time()
        with self._tx() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token, lock=True)
            if not row.round_open:
                raise RoundClosed(f"round {row.current_round} is already closed")
            members = self._answer_sets(connection, row.id)
            answers = [a for a in (json.loads(m.answers) for m in members) if a]
            summary = RoundSummary(
                number=row.current_round, opened_at=0.0, closed_at=now, answered=len(answers),
                agreement=agreement(answers),
                team=self._summary(self._team(self.rules_of(row.rules_text), members)))
            connection.execute(
                update(schema.round_)
                .where(schema.round_.c.workspace_id == row.id,
                       schema.round_.c.number == row.current_round)
                .values(closed_at=now, summary=summary.model_dump_json()))
            connection.execute(update(schema.workspace).where(schema.workspace.c.id == row.id)
                               .values(round_open=False, last_active_at=now))
            opened = connection.execute(
                select(schema.round_.c.opened_at)
                .where(schema.round_.c.workspace_id == row.id,
                       schema.round_.c.number == row.current_round)).scalar_one()
        return summary.model_copy(update={"opened_at": opened})

    def open_round(self, facilitator_token: str) -> int:
        """Open the next round (members may revise); returns its number."""
        now = time.time()
        with self._tx() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token, lock=True)
            if row.round_open:
                raise RoundStillOpen(f"round {row.current_round} is still open; close it "
                                         "first")
            number = int(row.current_round) + 1
            connection.execute(insert(schema.round_).values(
                workspace_id=row.id, number=number, opened_at=now))
            connection.execute(update(schema.workspace).where(schema.workspace.c.id == row.id)
                               .values(round_open=True, current_round=number,
                                       last_active_at=now))
        return number

    def new_member_link(self, facilitator_token: str) -> str:
        """A new member link's token; the old member link stops working."""
        token = new_token()
        with self._tx() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token, lock=True)
            connection.execute(update(schema.workspace).where(schema.workspace.c.id == row.id)
                               .values(member_hash=token_hash(token)))
        return token

    def delete_workspace(self, facilitator_token: str) -> None:
        """Delete a workspace and every row that belongs to it."""
        with self._tx() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token, lock=True)
            _delete(connection, [row.id])

    def purge_idle(self, days: float, *, now: float | None = None) -> int:
        """Delete workspaces idle for more than ``days`` days; returns how many went."""
        if not days > 0:
            raise CollabAdvisorError(f"retention: expected a number of days above 0, not {days}")
        cutoff = (time.time() if now is None else now) - days * 86_400
        with self._tx() as connection:
            ids = list(connection.execute(select(schema.workspace.c.id)
                                          .where(schema.workspace.c.last_active_at < cutoff))
                       .scalars())
            _delete(connection, ids)
        return len(ids)

    # -- members -----------------------------------------------------------------------

    def member_entry(self, member_token: str) -> MemberPage:
        """What the member link shows before a member has answered."""
        with self._db.connect() as connection:
            row = self._by_link(connection, "member_hash", member_token)
            return self._member_page(connection, row, None)

    def _member_page(self, connection: Connection, workspace: Row[Any],
                     seat: Seat | None) -> MemberPage:
        last = connection.execute(
            select(schema.round_).where(schema.round_.c.workspace_id == workspace.id,
                                        schema.round_.c.closed_at.is_not(None))
            .order_by(schema.round_.c.number.desc()).limit(1)).first()
        return MemberPage(name=workspace.name, description=workspace.description,
                          current_round=workspace.current_round,
                          round_open=workspace.round_open, seat=seat,
                          last_closed=None if last is None else _round(last))

    def join(self, member_token: str, answers: Mapping[str, Any], *, label: str | None = None,
             role: str | None = None) -> Seat:
        """Answer through the member link: a new seat, with its private edit token."""
        clean = clean_answers(answers)
        label, role = clean_label(label), clean_role(role)
        edit = new_token()
        now = time.time()
        with self._tx() as connection:
            row = self._by_link(connection, "member_hash", member_token, lock=True)
            if not row.round_open:
                raise RoundClosed("no round is open: the facilitator opens the next one")
            if row.members_joined >= MAX_MEMBERS:
                raise CollabAdvisorError(f"a workspace has at most {MAX_MEMBERS} members")
            start, count = _window(row.join_window_start, row.join_window_count,
                                   self.join_limit, now)
            number = row.members_joined + 1
            connection.execute(update(schema.workspace).where(schema.workspace.c.id == row.id)
                               .values(members_joined=number, last_active_at=now,
                                       join_window_start=start, join_window_count=count))
            connection.execute(insert(schema.member).values(
                workspace_id=row.id, number=number, label=label, role=role,
                edit_hash=token_hash(edit), answers=json.dumps(clean, sort_keys=True),
                version=1, answered_round=row.current_round, created_at=now, updated_at=now,
                save_window_start=now, save_window_count=1))
        return Seat(number=number, label=label, role=role, answers=clean, version=1,
                    answered_round=row.current_round, edit_token=edit)

    def member_page(self, edit_token: str) -> MemberPage:
        """What a member's private edit link shows: their answers and the last round."""
        with self._db.connect() as connection:
            seat_row = self._by_link(connection, "edit_hash", edit_token)
            workspace = self._workspace(connection, seat_row.workspace_id)
            return self._member_page(connection, workspace, seat_of(seat_row))

    def save(self, edit_token: str, answers: Mapping[str, Any], *, version: int,
             label: str | EllipsisType | None = ...,
             role: str | EllipsisType | None = ...) -> Seat:
        """Save a member's answers over ``version`` (the one their form was opened at).

        ``label`` and ``role`` stay as they were unless given (None clears them).
        Raises ``SaveConflict`` with both versions when the stored answers have moved on,
        ``RoundClosed`` between rounds and ``RateLimited`` after too many saves.
        """
        clean = clean_answers(answers)
        new_label = None if label is ... else clean_label(label)
        new_role = None if role is ... else clean_role(role)
        now = time.time()
        with self._tx() as connection:
            found = self._by_link(connection, "edit_hash", edit_token)
            # the workspace first, then the member: the order every writer locks them in
            workspace = self._workspace(connection, found.workspace_id, share=True)
            seat = self._by_link(connection, "edit_hash", edit_token, lock=True)
            if not workspace.round_open:
                raise RoundClosed("no round is open: answers can change once the "
                                  "facilitator opens the next round")
            start, count = _window(seat.save_window_start, seat.save_window_count,
                                   self.save_limit, now)
            if label is ...:
                new_label = seat.label
            if role is ...:
                new_role = seat.role
            if seat.version != version:
                raise SaveConflict(yours=clean, theirs=json.loads(seat.answers),
                                   version=seat.version)
            changed = connection.execute(
                update(schema.member)
                .where(schema.member.c.id == seat.id, schema.member.c.version == version)
                .values(answers=json.dumps(clean, sort_keys=True), version=version + 1,
                        label=new_label, role=new_role,
                        answered_round=workspace.current_round,
                        updated_at=now, save_window_start=start, save_window_count=count))
            if changed.rowcount != 1:  # pragma: no cover - the row lock makes this unreachable
                raise SaveConflict(yours=clean, theirs=json.loads(seat.answers),
                                   version=seat.version + 1)
        if workspace.last_active_at < now - TOUCH_EVERY:
            # In a transaction of its own: inside the save, two saves that each held the
            # workspace's shared lock would wait for each other to write it (a deadlock).
            with self._tx() as connection:
                self._touch(connection, workspace.id, now)
        return Seat(number=seat.number, label=new_label, role=new_role, answers=clean,
                    version=version + 1, answered_round=workspace.current_round)


def _window(start: float, count: int, limit: tuple[int, float], now: float) -> tuple[float, int]:
    allowed, seconds = limit
    if now - start >= seconds or now < start:
        return now, 1
    if count >= allowed:
        raise RateLimited(max(1, int(seconds - (now - start)) + 1))
    return start, count + 1


def _round(row: Row[Any]) -> RoundSummary:
    if row.summary:
        kept = RoundSummary.model_validate_json(row.summary)
        return kept.model_copy(update={"opened_at": row.opened_at})
    return RoundSummary(number=row.number, opened_at=row.opened_at, closed_at=row.closed_at)


def _delete(connection: Connection, ids: Sequence[int]) -> None:
    if not ids:
        return
    for table in schema.TABLES_OF_A_WORKSPACE:
        connection.execute(delete(table).where(table.c.workspace_id.in_(ids)))
    connection.execute(delete(schema.workspace).where(schema.workspace.c.id.in_(ids)))
