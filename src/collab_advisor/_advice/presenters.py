"""Where results find their words: the presentation layer registers itself here.

Results offer ``explain()``, ``to_markdown()`` and ``to_html()``, but the words
are written by the presentation layer, which sits above the advice layer and
imports it. So that imports run one way only, each presentation module
registers its renderings here when the package is imported, and a result asks
for them by name. The package's ``__init__`` names, with ``words_from``, how to import
the presentation layer, and the first result asked for its words imports it: so
``import collab_advisor`` does not pay for the words until a result is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Presenter = Callable[..., str]
_PRESENTERS: dict[str, Presenter] = {}
_LOADERS: list[Callable[[], object]] = []


def words_from(loader: Callable[[], object]) -> None:
    """Call ``loader`` (which imports the presentation layer, registering its renderings)
    the first time a rendering is asked for that is not yet registered."""
    _LOADERS.append(loader)


def register(name: str, presenter: Presenter) -> None:
    """Make ``presenter`` the rendering called ``name`` (a later call replaces it)."""
    _PRESENTERS[name] = presenter


def present(name: str, *args: Any, **kwargs: Any) -> str:
    """Render with the presenter called ``name``."""
    presenter = _PRESENTERS.get(name)
    if presenter is None:
        # Every loader runs each time (importing a module already imported is cheap), so a
        # thread that asks while another is importing the words waits for that import.
        for loader in tuple(_LOADERS):
            loader()
        presenter = _PRESENTERS.get(name)
    if presenter is None:  # pragma: no cover - the package's __init__ names the loader
        from .._errors import CollabAdvisorError

        raise CollabAdvisorError(f"no presenter called {name!r} is registered")
    return presenter(*args, **kwargs)
