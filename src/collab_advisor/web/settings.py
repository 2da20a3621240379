"""What the app was started with: the rules, the templates and the assets, read once.

Pages and the API read these from the request; nothing else is kept between requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from fastapi import Request
from jinja2 import Environment

from collab_advisor import RuleSet


@dataclass(frozen=True)
class Settings:
    """What the app was started with; read-only for every request."""

    rules: RuleSet
    custom_rules: bool
    """True when the rules came from ``--rules`` rather than the shipped set."""
    templates: Environment = field(repr=False)
    static: dict[str, tuple[bytes, str]] = field(repr=False)
    """Asset name -> (content, media type), read once from the package."""

    @property
    def rule_files(self) -> tuple[str, ...]:
        """The rule files' names (not their folders, which may be private)."""
        return tuple(Path(path).name for path in self.rules.paths)


def settings_of(request: Request) -> Settings:
    """The app's settings, from inside a request."""
    return cast(Settings, request.app.state.settings)


def root_of(request: Request) -> str:
    """The path the app is mounted at behind a proxy (``serve --root-path``), without a
    trailing slash: "" when served at the top. Every link and redirect starts with it."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def route_path(request: Request) -> str:
    """The request's path inside the app (without the root path a proxy mounts it at)."""
    path = request.url.path
    root = root_of(request)
    return path[len(root):] or "/" if root and path.startswith(root) else path
