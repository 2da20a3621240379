"""The old (0.1) spellings on the plain record, kept for one minor release.

In 0.1 a ``Recommendation`` computed its analyses and words itself. They now live
floors above it, which this layer must not import; so each old spelling warns, names
its replacement, and asks the notebook facade (``collab_advisor._present.notebook``,
imported by name here, at call time) to answer for the record with the shipped
rules. This is the only call upward, and it goes in 0.3.0 with the old spellings.
"""

from __future__ import annotations

import warnings
from importlib import import_module
from typing import Any

FACADE_MODULE = "collab_advisor._present.notebook"


def moved(record: object, name: str, replacement: str) -> Any:
    """Warn that ``name`` on a plain result is deprecated, then answer it as 0.1 did."""
    warnings.warn(
        f"{type(record).__name__}.{name} is deprecated since 0.2.0 and goes in 0.3.0; "
        f"use {replacement} (see docs/api-changes.md)",
        DeprecationWarning, stacklevel=3)
    facade = import_module(FACADE_MODULE).adopt(record)
    return getattr(facade, name)
