"""The notebook display hook: where team results find their words.

A ``TeamRecommendation`` offers ``explain()``, ``to_markdown()`` and ``to_html()`` and a
notebook display, but its words are written by the presentation layer, a floor above
this one. The hook imports that layer by name when a team result is first shown. It
is the only such hook left (0.1 had a registry of renderers for every result); plain
recommendations are rendered by functions of (result, analysis) in ``_present``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

WORDS_MODULE = "collab_advisor._present"


def words() -> Any:
    """The presentation layer's package (its team renderers), imported on first use."""
    return import_module(WORDS_MODULE)
