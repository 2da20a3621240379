"""A planner's web app and an HTTP API for collab_advisor: ``collab-advisor serve``.

Needs the optional extra: ``pip install 'collab-advisor[web]'``. The app uses
only the library's public API. ``create_app()`` builds the ASGI app (FastAPI):

    >>> from collab_advisor.web import create_app  # doctest: +SKIP
    >>> app = create_app()                          # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `collab_advisor.web.cli` works without the extra.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
