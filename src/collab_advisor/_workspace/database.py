"""Opening a workspace database: SQLite (the default, in WAL mode) or PostgreSQL by URL.

Migrations ship inside the package and run at start-up, under a lock so that several
workers starting at once migrate the database once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .._errors import CollabAdvisorError

APP_NAME = "collab-advisor"
DATABASE_FILE = "workspaces.sqlite3"
SQLITE_BUSY_MS = 15_000
"""How long a SQLite writer waits for another process's write to finish."""
POOL_SIZE = 5
"""Connections each worker keeps to PostgreSQL (plus as many again in bursts)."""
HEAD = "0002"
"""The newest schema revision this version of the package writes."""


def default_database_path() -> Path:
    """The SQLite file under the user's data directory (made on first use)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DATABASE_FILE


def database_url(database: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from ``--database``: a URL, a file path, or None for the default.

    Only SQLite files and ``postgresql+psycopg://`` URLs are accepted.
    """
    if database is None:
        path = default_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite+pysqlite:///{path}"
    raw = os.fspath(database)
    if "://" not in raw:
        path = Path(raw).expanduser()
        if path.is_dir():
            raise CollabAdvisorError(f"--database {raw}: is a folder; give a file name "
                                     "such as workspaces.sqlite3, or a postgresql+psycopg:// URL")
        if not path.parent.is_dir():
            raise CollabAdvisorError(f"--database {raw}: the folder {path.parent} does "
                                     "not exist")
        return f"sqlite+pysqlite:///{path.resolve()}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise CollabAdvisorError(
            "--database: not a database URL; expected a file path or "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername not in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        raise CollabAdvisorError(
            f"--database: the driver {url.drivername!r} is not supported; expected a file "
            "path, sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME")
    return url.render_as_string(hide_password=False)


def open_engine(url: str, *, pool_size: int = POOL_SIZE) -> Engine:
    """An engine for ``url``, with SQLite set to WAL, foreign keys on and a busy wait."""
    parsed = make_url(url)
    options: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": SQLITE_BUSY_MS / 1000,
                                   "check_same_thread": False}
    else:
        options.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                       pool_timeout=30, connect_args={"connect_timeout": 10})
    engine = create_engine(url, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take the write lock at BEGIN
        # so that a read-then-write transaction cannot be overtaken (no lost updates).
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema to ``revision`` (default: the newest), once.

    On PostgreSQL an advisory lock keeps workers that start together from
    migrating at the same time; on SQLite the write lock does.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(2323)"))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None when it has none)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if value is None else str(value)
