"""Where results find their words: the presentation layer registers itself here.

Results offer ``explain()``, ``to_markdown()`` and ``to_html()``, but the words
are written by the presentation layer, which sits above the advice layer and
imports it. So that imports run one way only, each presentation module
registers its renderings here when the package is imported, and a result asks
for them by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._errors import CollabAdvisorError

Presenter = Callable[..., str]
_PRESENTERS: dict[str, Presenter] = {}


def register(name: str, presenter: Presenter) -> None:
    """Make ``presenter`` the rendering called ``name`` (a later call replaces it)."""
    _PRESENTERS[name] = presenter


def present(name: str, *args: Any, **kwargs: Any) -> str:
    """Render with the presenter called ``name``."""
    presenter = _PRESENTERS.get(name)
    if presenter is None:  # pragma: no cover - the package's __init__ registers them all
        raise CollabAdvisorError(f"no presenter called {name!r} is registered")
    return presenter(*args, **kwargs)
