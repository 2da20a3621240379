"""``--version`` and ``collab-advisor completion SHELL``: tab completion of commands,
options and values for bash, zsh and fish, made by argcomplete from the parser itself."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ..options import PROG, choice_type

SHELLS = ("bash", "zsh", "fish")


class VersionAction(argparse.Action):
    """``--version``: print the installed version (read only when asked) and exit."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("collab-advisor")
        except PackageNotFoundError:  # pragma: no cover - an uninstalled checkout
            found = "0+unknown"
        sys.stdout.write(f"{PROG} {found}\n")
        parser.exit(0)


def add_version(parser: argparse.ArgumentParser) -> None:
    """Register ``--version`` on the top parser."""
    parser.add_argument("--version", action=VersionAction,
                        help="print the version and exit")


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer a shell's completion request and exit, if this run is one (argcomplete sets
    _ARGCOMPLETE); otherwise do nothing (argcomplete is not even imported)."""
    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    import argcomplete

    out.write(argcomplete.shellcode([PROG], shell=args.shell))
    return 0


def add(commands: Any) -> None:
    """Register ``completion``."""
    parser = commands.add_parser(
        "completion", help="print a shell's tab-completion script",
        description="Print the script that makes the shell complete collab-advisor's "
        "commands, options and values. bash: add 'eval \"$(collab-advisor completion bash)\"' "
        "to ~/.bashrc; zsh: the same line in ~/.zshrc; fish: 'collab-advisor completion fish "
        "> ~/.config/fish/completions/collab-advisor.fish'.")
    parser.add_argument("shell", metavar="|".join(SHELLS), type=choice_type(SHELLS, "shell"),
                        help="the shell to complete in")
    parser.set_defaults(run=_run)
