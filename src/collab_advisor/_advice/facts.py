"""Kept for imports of the old path: the context's facts now live with the result."""

from __future__ import annotations

from .._result.facts import facts_of, to_context

__all__ = ["facts_of", "to_context"]
