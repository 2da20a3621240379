"""The workspace store's core: the database, its transactions and finding rows by link.

The store (``store.py``) is this core plus the rounds, members, decision records and
exports built on it; every call is one short transaction.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Self

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import SQLAlchemyError

from .._advice.team import TeamMember, TeamRecommendation, recommend_team
from .._engines.choose import EngineChoice
from .._errors import CollabAdvisorError
from .._model.context import Context
from .._rulebook.loader import load_rules
from .._rulebook.ruleset import RuleSet
from . import schema
from .agreement import QUESTION_FIELDS
from .database import database_url, migrate, open_engine
from .models import (
    ROLES,
    Seat,
    Value,
    WorkspaceNotFound,
)
from .rulestext import rules_from_text
from .tokens import plausible, same_hash, token_hash

SAVE_LIMIT = (30, 60.0)
"""Saves allowed through one edit link per window of seconds."""
JOIN_LIMIT = (120, 60.0)
"""New members allowed through one member link per window of seconds."""
MAX_MEMBERS = 200
TOUCH_EVERY = 60.0
"""Seconds between updates of a workspace's last-active time (for retention)."""
MAX_RULES_TEXT = 2_000_000
"""The most characters of rule text a workspace may carry."""


def clean_answers(answers: Mapping[str, Any]) -> dict[str, Value]:
    """Answers validated as a ``Context`` and kept as JSON-normal values (no ``name``)."""
    context = Context.model_validate(dict(answers))
    known = context.known()
    return {field: known[field] for field in QUESTION_FIELDS  # type: ignore[misc]
            if field in known}


def clean_label(label: str | None) -> str | None:
    if label is None or not label.strip():
        return None
    label = " ".join(label.split())
    if len(label) > 100:
        raise CollabAdvisorError("label: at most 100 characters")
    return label


def clean_role(role: str | None) -> str | None:
    if role is None or role == "":
        return None
    if role not in ROLES:
        raise CollabAdvisorError(f"role: {role!r} is not one of {', '.join(ROLES)} "
                                 "(or leave it out)")
    return role


def seat_of(row: Row[Any], edit_token: str | None = None) -> Seat:
    return Seat(number=row.number, label=row.label, role=row.role,
                answers=json.loads(row.answers), version=row.version,
                answered_round=row.answered_round, edit_token=edit_token)


class StoreCore:
    """The database under a workspace store, opened and migrated (see ``WorkspaceStore``)."""

    def __init__(self, database: str | os.PathLike[str] | None = None, *,
                 rules: RuleSet | None = None, engine: EngineChoice = "auto",
                 save_limit: tuple[int, float] = SAVE_LIMIT,
                 join_limit: tuple[int, float] = JOIN_LIMIT,
                 pool_size: int | None = None) -> None:
        self.url = database_url(database)
        self._db: Engine = (open_engine(self.url) if pool_size is None
                            else open_engine(self.url, pool_size=pool_size))
        try:
            migrate(self._db)
        except SQLAlchemyError as error:
            self._db.dispose()
            reason = " ".join(str(getattr(error, "orig", None) or error).split())
            raise CollabAdvisorError(f"cannot open the workspace database "
                                     f"({self._db.url.render_as_string(hide_password=True)}):"
                                     f" {reason[:300]}") from None
        self.rules = rules if rules is not None else load_rules()
        self.engine_choice: EngineChoice = engine
        self.save_limit = save_limit
        self.join_limit = join_limit
        self._signing: Any = None
        self.retention_days: float | None = None
        """When set, workspaces idle longer than this are removed as new ones are made."""

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._db.dialect.name

    @property
    def db(self) -> Engine:
        """The SQLAlchemy engine (for tests and maintenance)."""
        return self._db

    def close(self) -> None:
        """Close every pooled connection."""
        self._db.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._db.begin() as connection:
            yield connection

    # -- finding things by link --------------------------------------------------------

    def _by_link(self, connection: Connection, column: str, token: str,
                 lock: bool = False) -> Row[Any]:
        if not isinstance(token, str) or not plausible(token):
            raise WorkspaceNotFound
        table = schema.member if column == "edit_hash" else schema.workspace
        query = select(table).where(table.c[column] == token_hash(token))
        if lock and connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = connection.execute(query).first()
        if row is None or not same_hash(getattr(row, column), token):
            raise WorkspaceNotFound
        return row

    def _workspace(self, connection: Connection, workspace_id: int,
                   share: bool = False) -> Row[Any]:
        query = select(schema.workspace).where(schema.workspace.c.id == workspace_id)
        if share and connection.dialect.name == "postgresql":
            # a save holds the round open until it commits: closing waits for it
            query = query.with_for_update(read=True)
        row = connection.execute(query).first()
        if row is None:
            raise WorkspaceNotFound
        return row

    def _touch(self, connection: Connection, workspace_id: int, now: float) -> None:
        # At most once a minute: a write to the workspace's row on every save would make
        # every save in a workspace wait for the one before it.
        connection.execute(update(schema.workspace)
                           .where(schema.workspace.c.id == workspace_id,
                                  schema.workspace.c.last_active_at < now - TOUCH_EVERY)
                           .values(last_active_at=now))

    def rules_of(self, rules_text_json: str | None) -> RuleSet:
        """The rule set a workspace uses."""
        if rules_text_json is None:
            return self.rules
        return rules_from_text(json.loads(rules_text_json))

    def _answer_sets(self, connection: Connection, workspace_id: int) -> list[Row[Any]]:
        return list(connection.execute(
            select(schema.member).where(schema.member.c.workspace_id == workspace_id)
            .order_by(schema.member.c.number)))

    def _team(self, rules: RuleSet, members: Sequence[Row[Any]]) -> TeamRecommendation | None:
        team = [TeamMember(label=row.label or f"member {row.number}", role=row.role,
                           context=Context.model_validate(json.loads(row.answers)))
                for row in members if json.loads(row.answers)]
        if not team:
            return None
        return recommend_team(team, rules=rules, engine=self.engine_choice)
