"""Databases for the workspace tests: a fresh SQLite file, or a fresh PostgreSQL database.

The PostgreSQL leg reads the server's URL from COLLAB_ADVISOR_TEST_DATABASE_URL (set by
.ci/run after it starts a cluster); without it those tests skip, except on CI.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ON_CI

PG_ENV = "COLLAB_ADVISOR_TEST_DATABASE_URL"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_server_url() -> str:
    """The test server's URL, or a skip (a failure on CI) when there is none."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if ON_CI:
            pytest.fail(f"{PG_ENV} is not set: .ci/run starts PostgreSQL and sets it on CI")
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} (as .ci/run does) to run these")
    return url


def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(postgres_server_url()).set(drivername="postgresql+psycopg")
    name = f"ws_test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database's URL or path, on SQLite and (marked postgres) PostgreSQL."""
    if request.param == "sqlite":
        yield str(tmp_path / "workspaces.sqlite3")
    else:
        yield from fresh_postgres_database()
