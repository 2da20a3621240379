"""The app as each ``serve`` worker builds it, from settings the parent process passes on.

``collab-advisor serve --workers N`` starts N processes on one listening socket; each
imports this module and calls ``app_from_environment()``. The settings travel in one
environment variable, so no worker needs anything from another's memory: the
workspaces live in the database.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from .._workspace.store import WorkspaceStore

ENVIRONMENT = "COLLAB_ADVISOR_SERVE"
IMPORT_STRING = "collab_advisor.web.workspace_serve:app_from_environment"


def open_store(settings: dict[str, Any]) -> WorkspaceStore | None:
    """The workspace store the settings name (None when workspaces are off)."""
    if settings.get("database") is None:
        return None
    from collab_advisor import load_rules

    from .._workspace.store import WorkspaceStore

    rules = load_rules(*settings["rules"]) if settings.get("rules") else None
    store = WorkspaceStore(settings["database"], rules=rules,
                           pool_size=int(settings.get("pool_size", 5)),
                           save_limit=(int(settings.get("save_limit", 30)), 60.0))
    days = settings.get("retention_days")
    if days:
        store.retention_days = float(days)
        store.purge_idle(float(days))
    return store


def build_app(settings: dict[str, Any]) -> ASGIApp:
    """The web app for these settings (rules, allowed hosts, database, access log)."""
    from collab_advisor import load_rules

    from .app import create_app
    from .cli import PathLog

    rules = load_rules(*settings["rules"]) if settings.get("rules") else None
    app: ASGIApp = create_app(rules, allowed_hosts=settings["allowed_hosts"],
                              workspaces=open_store(settings))
    if settings.get("access_log"):
        app = PathLog(app)
    return app


def app_from_environment() -> ASGIApp:
    """The app for a worker process (uvicorn calls this factory in each worker)."""
    return build_app(json.loads(os.environ[ENVIRONMENT]))
