"""The command line: ``collab-advisor`` and ``python -m collab_advisor``."""

from .app import main

__all__ = ["main"]
