"""Team workspaces kept in a database, rounds, and signed decision records (issue 23).

Needs the 'workspaces' extra (SQLAlchemy, Alembic, cryptography, krippendorff, psycopg).
"""

from __future__ import annotations

import importlib.util

_NEEDED = ("sqlalchemy", "alembic", "cryptography", "krippendorff", "platformdirs")
_missing = [name for name in _NEEDED if importlib.util.find_spec(name) is None]
if _missing:
    raise ImportError(
        f"team workspaces need the optional 'workspaces' extra ({', '.join(_missing)} "
        "missing): pip install 'collab-advisor[workspaces]'")
