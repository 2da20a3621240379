"""``collab-advisor record verify|replay FILE``: check a decision record, or replay it.

A record exported from a workspace (Markdown or PDF) embeds its signed canonical JSON.
``verify`` recomputes the SHA-256 and checks the Ed25519 signature, and says so in one
line (exit 0), or names what failed (exit 1). ``replay`` runs the recorded answers under
the rules installed now (or ``--rules``) and shows whether the advice would differ, with
the rules diff.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any, TextIO

PROG = "collab-advisor"
INSTALL_HINT = ("decision records need the optional 'workspaces' extra: "
                "pip install 'collab-advisor[workspaces]'")


def add_record_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``record verify`` and ``record replay`` to the command line."""
    record = commands.add_parser(
        "record", help="verify or replay a workspace's decision record",
        description="Work with decision records exported from a team workspace "
        "(Markdown or PDF).")
    verbs = record.add_subparsers(dest="record_command", metavar="COMMAND", required=True)
    verify = verbs.add_parser(
        "verify", help="recompute a record's hash and check its signature",
        description="Recompute the SHA-256 over the record's canonical JSON and check the "
        "server's Ed25519 signature. One line; exit 0 when both hold, 1 when not.")
    verify.add_argument("file", metavar="FILE", type=Path,
                        help="a decision record: .md, .pdf or .json")
    verify.add_argument("--key", metavar="PUBLIC_KEY",
                        help="the server's public key (base64, as /api/workspaces/public-key "
                        "gives it): the record must be signed by it")
    verify.set_defaults(run=run_verify)
    replay = verbs.add_parser(
        "replay", help="whether the advice would differ under other rules, and why",
        description="Run the recorded answers under the shipped rules (or --rules) and show "
        "whether the advice would differ from the recorded one, with the rules diff.")
    replay.add_argument("file", metavar="FILE", type=Path,
                        help="a decision record: .md, .pdf or .json")
    replay.add_argument("--rules", action="append", metavar="PATH", type=Path,
                        help="rule files or folders to replay under (default: shipped rules)")
    replay.set_defaults(run=run_replay)


def _read(path: Path) -> Any:
    from collab_advisor import CollabAdvisorError

    if importlib.util.find_spec("cryptography") is None:
        raise CollabAdvisorError(INSTALL_HINT)
    from collab_advisor._workspace.record import MAX_FILE, extract

    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise CollabAdvisorError(f"{path}: {size:,} bytes is more than a record can be "
                                     f"({MAX_FILE:,} bytes at most)")
        data = path.read_bytes()
    except OSError as error:
        raise CollabAdvisorError(f"cannot read {path}: {error.strerror or error}") from None
    return extract(data, str(path))


def run_verify(args: argparse.Namespace, out: TextIO) -> int:
    """Check one record; one line either way."""
    from collab_advisor._workspace.record import RecordError

    record = _read(args.file)
    try:
        verdict = record.verify(args.key)
    except RecordError as error:
        sys.stderr.write(f"{PROG}: FAILED: {args.file}: {error}\n")
        return 1
    out.write(f"{args.file}: {verdict}\n")
    return 0


def run_replay(args: argparse.Namespace, out: TextIO) -> int:
    """Replay a record's answers under other rules."""
    from collab_advisor import load_rules
    from collab_advisor._workspace.record import RecordError, replay_record

    record = _read(args.file)
    try:
        record.verify()
    except RecordError as error:
        sys.stderr.write(f"{PROG}: FAILED: {args.file}: {error}\n")
        return 1
    rules = load_rules(*args.rules) if args.rules else None
    out.write(replay_record(record, rules).explain() + "\n")
    return 0
