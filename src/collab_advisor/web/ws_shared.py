"""What the workspace pages and the workspace API share: the store and calls into it."""

from __future__ import annotations

from typing import Any, cast

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .._workspace.models import WorkspaceNotFound
from .._workspace.store import WorkspaceStore


def store_of(request: Request) -> WorkspaceStore:
    """The app's workspace store."""
    return cast(WorkspaceStore, request.app.state.workspaces)


def missing() -> HTTPException:
    """The plain 404 that a guessed, stale or wrong-kind token gets."""
    return HTTPException(status_code=404)


async def call(request: Request, method: str, *args: Any, **kwargs: Any) -> Any:
    """``store.method(*args, **kwargs)`` off the event loop; an unknown token is a 404."""
    store = store_of(request)
    try:
        return await run_in_threadpool(getattr(store, method), *args, **kwargs)
    except WorkspaceNotFound:
        raise missing() from None
