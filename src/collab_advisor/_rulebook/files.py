"""Reading the files a user names, without trusting them.

Rule files, context files and batch input all come through here. A path is
opened without blocking (a FIFO would otherwise wait for a writer for ever),
the open file is checked to be a regular file, and at most the limit plus one
byte is read, so ``/dev/zero`` or a 1 GB file costs no more memory than the
limit. Each refusal says what the path is and what was expected.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any, BinaryIO

from .._errors import CollabAdvisorError
from .._model.context import read_int
from .._printable import one_line
from .yamlsource import MAX_FILE_BYTES, YamlReadError, read_yaml

STDIN = "-"
"""The name that stands for standard input where a command documents it."""

MAX_CONTEXT_BYTES = 1_000_000
"""Context files larger than this are refused (a real one is a few hundred bytes)."""

MAX_BATCH_BYTES = 100_000_000
"""Batch input larger than this is refused (a million rows of a typical context fit)."""


class InputFileError(CollabAdvisorError, ValueError):
    """A file named by the user cannot be used; the message names it and says why.

    ``reason`` is the message without the file's name, for callers that show
    the name themselves.
    """

    def __init__(self, where: str, reason: str, line: int | None = None) -> None:
        super().__init__(one_line(f"{where}: {reason}"))  # a file name may hold controls
        self.reason = reason
        self.line = line


def _size(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit:,} bytes"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _read_bounded(stream: BinaryIO | int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes, read in pieces (a pipe may return short reads)."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        want = min(limit + 1 - total, 1 << 20)
        piece = os.read(stream, want) if isinstance(stream, int) else stream.read(want)
        if not piece:
            break
        chunks.append(piece)
        total += len(piece)
    return b"".join(chunks)


def read_bytes(source: str | os.PathLike[str], *, limit: int, what: str,
               stdin_ok: bool = False) -> bytes:
    """The bytes of a regular file (or of standard input for ``-`` when ``stdin_ok``).

    ``what`` names the file's role in messages ("rule file", "context file").
    Raises ``InputFileError`` for a missing path, a folder, a FIFO, a device,
    an unreadable file or one larger than ``limit`` bytes.
    """
    if stdin_ok and os.fspath(source) == STDIN:
        data = _read_bounded(sys.stdin.buffer, limit)
        if len(data) > limit:
            raise InputFileError("standard input", f"more than {_size(limit)}, the most "
                                 f"a {what} may hold")
        return data
    path = Path(source)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileError(str(path), f"cannot read the {what}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(str(path),
                             f"cannot read the {what}: it is a folder, not a file") from None
    except OSError as error:
        raise InputFileError(str(path), f"cannot open the {what}: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            hint = "; pass a regular file" + (" or - for standard input" if stdin_ok else "")
            raise InputFileError(str(path), f"cannot read the {what}: it is {kind}, not a "
                                 f"regular file{hint}")
        if info.st_size > limit:
            raise InputFileError(str(path), f"the {what} is larger than {_size(limit)} "
                                 f"({info.st_size:,} bytes), the most accepted")
        try:
            data = _read_bounded(fd, limit)
        except OSError as error:
            raise InputFileError(str(path), f"cannot read the {what}: {error.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise InputFileError(str(path), f"the {what} is larger than {_size(limit)}, the "
                             "most accepted")
    return data


def read_text(source: str | os.PathLike[str], *, limit: int, what: str,
              stdin_ok: bool = False) -> str:
    """A file's text, which must be UTF-8 (a byte-order mark is allowed and dropped)."""
    data = read_bytes(source, limit=limit, what=what, stdin_ok=stdin_ok)
    label = "standard input" if stdin_ok and os.fspath(source) == STDIN else str(source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InputFileError(
            f"{label}:{line}", f"the {what} is not UTF-8 text (byte "
            f"0x{data[error.start]:02x}); save it as UTF-8", line) from None


def read_rule_text(path: Path) -> str:
    """A rule file's text, bounded and checked like every other input."""
    return read_text(path, limit=MAX_FILE_BYTES, what="rule file")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise ValueError(f"the key '{key}' is given twice in one object")
        mapping[key] = value
    return mapping


def parse_json(text: str, label: str) -> Any:
    """Strict JSON (no trailing commas, no comments, no key given twice)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_int=read_int)
    except json.JSONDecodeError as error:
        raise InputFileError(
            f"{label}:{error.lineno}", f"not valid JSON: {error.msg} "
            f"(column {error.colno})", error.lineno) from None
    except ValueError as error:
        raise InputFileError(label, f"not valid JSON: {error}") from None


def parse_mapping(text: str, label: str, *, as_json: bool) -> dict[str, Any]:
    """One mapping of field names to values from JSON (strict) or YAML (safe, no duplicate
    keys, no aliases). ``label`` names the source in messages."""
    if as_json:
        data = parse_json(text, label)
    else:
        try:
            data = read_yaml(text, "context files").data
        except YamlReadError as error:
            where = f"{label}:{error.line}" if error.line is not None else label
            raise InputFileError(where, error.message, error.line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputFileError(label, "must hold one mapping of field names to values")
    return data


def read_context_file(source: str) -> dict[str, Any]:
    """A context from a ``.json`` file (read as JSON), a YAML file, or ``-`` for standard
    input (JSON or YAML)."""
    return read_context_with_lines(source)[0]


def read_context_with_lines(source: str) -> tuple[dict[str, Any], dict[str, int]]:
    """A context file's mapping and the line each of its keys is on, so that a bad value
    can be reported as ``file:line``."""
    text = read_text(source, limit=MAX_CONTEXT_BYTES, what="context file", stdin_ok=True)
    label = "standard input" if source == STDIN else source
    as_json = source != STDIN and source.lower().endswith(".json")
    data = parse_mapping(text, label, as_json=as_json)
    return data, _key_lines(text, data)


def _key_lines(text: str, data: dict[str, Any]) -> dict[str, int]:
    """The first line on which each top-level key is written (JSON or YAML)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().lstrip("{,").strip()
        for key in data:
            if key in lines or not isinstance(key, str):
                continue
            if stripped.startswith((f"{key}:", f'"{key}":', f"'{key}':", f'"{key}" :')):
                lines[key] = number
    return lines
