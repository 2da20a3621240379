"""Choosing an engine: durable-rules where it imports, plain Python otherwise."""

from __future__ import annotations

import functools
from typing import Literal, get_args

from .._errors import UnknownEngineError
from .._rulebook.engine import Engine
from .durable import DurableEngine, durable_import_error
from .python import PythonEngine

EngineChoice = Literal["auto", "durable", "python"]
ENGINE_CHOICES: tuple[str, ...] = get_args(EngineChoice)


@functools.cache
def durable_available() -> bool:
    """Whether durable-rules can be imported in this Python."""
    return durable_import_error() is None


def runnable_engines() -> list[EngineChoice]:
    """The engines that can run here: plain Python always, durable-rules where it imports."""
    return ["python", "durable"] if durable_available() else ["python"]


@functools.cache
def _python_engine() -> PythonEngine:
    return PythonEngine()


def get_engine(choice: str) -> Engine:
    """The engine for ``choice``: 'auto' prefers durable-rules when it is importable."""
    if choice not in ENGINE_CHOICES:
        raise UnknownEngineError(
            f"engine must be one of {', '.join(repr(c) for c in ENGINE_CHOICES)}; got {choice!r}"
        )
    if choice == "python" or (choice == "auto" and not durable_available()):
        return _python_engine()
    return DurableEngine()
