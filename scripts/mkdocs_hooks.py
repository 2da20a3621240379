"""mkdocs hooks: the command reference from the argparse parser and the API reference from
the package's public names, generated at each build so they cannot drift.

``<!-- cli-reference -->`` in a page becomes every command's help, as ``--help`` prints it;
``<!-- api-reference -->`` becomes a mkdocstrings entry for every public name. A link to a
repository file outside docs/ (``../rules/``) becomes its path in words.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

CLI_MARKER = "<!-- cli-reference -->"
API_MARKER = "<!-- api-reference -->"
_OUTSIDE = re.compile(r"\[([^\]]+)\]\(\.\./([^)#\s]+)\)")
"""A link from a page to a repository file outside docs/ (rules, casebook, examples)."""


def _parser() -> argparse.ArgumentParser:
    """The command line's parser, from whichever public builder the CLI module has."""
    from collab_advisor._cli import app

    for name in ("build_parser", "make_parser", "parser"):
        builder = getattr(app, name, None)
        if callable(builder):
            built = builder()
            if isinstance(built, argparse.ArgumentParser):
                return built
    raise RuntimeError("collab_advisor._cli.app has no parser builder (build_parser)")


def _commands(parser: argparse.ArgumentParser,
              path: tuple[str, ...]) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.extend(_commands(sub, (*path, name)))
    return found


def cli_reference() -> str:
    """Every command and subcommand's help text, each under its own heading."""
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"
    try:
        sections = []
        for path, parser in _commands(_parser(), ("collab-advisor",)):
            heading = "#" * min(2 + len(path) - 1, 4)
            sections.append(f"{heading} `{' '.join(path)}`\n\n```text\n"
                            f"{parser.format_help().rstrip()}\n```\n")
        return "\n".join(sections)
    finally:
        if columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = columns


def api_reference() -> str:
    """A mkdocstrings entry for every public name, where it is defined."""
    import collab_advisor

    public: dict[str, str] = getattr(collab_advisor, "_PUBLIC", {})
    entries = []
    for name in collab_advisor.__all__:
        module = public.get(name)
        if module is None:
            continue
        entries.append(f"::: collab_advisor{module}.{name}\n")
    return "\n".join(entries)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Expand the reference markers, and show links to repository files outside docs/ as
    their paths (the site holds only docs/)."""
    markdown = _OUTSIDE.sub(lambda found: f"{found.group(1)} (`{found.group(2)}` in the "
                            "repository)", markdown)
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    if API_MARKER in markdown:
        markdown = markdown.replace(API_MARKER, api_reference())
    return markdown
