"""Files the command line writes: all or nothing.

Every file goes to a temporary file in the same folder, is flushed to the disk,
and only then renamed over the target (``os.replace`` is atomic on POSIX and
Windows). A kill, a full disk or an error while writing leaves the old file
as it was, or no file, never a shortened one that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, cast


class SameFileError(ValueError):
    """The output would overwrite one of the command's inputs."""


@contextlib.contextmanager
def atomic_output(path: Path | str, *, newline: str | None = None) -> Iterator[TextIO]:
    """A text stream whose content replaces ``path`` in one step when the block ends.

    If the block raises, the temporary file is removed and ``path`` is untouched.
    An ``OSError`` while writing (a full disk, say) names ``path``.
    """
    with _replacing(path, binary=False, newline=newline) as stream:
        yield cast(TextIO, stream)


@contextlib.contextmanager
def atomic_binary_output(path: Path | str) -> Iterator[BinaryIO]:
    """``atomic_output`` for bytes (an .xlsx workbook, say): all of it or nothing."""
    with _replacing(path, binary=True) as stream:
        yield cast(BinaryIO, stream)


@contextlib.contextmanager
def _replacing(path: Path | str, *, binary: bool,
               newline: str | None = None) -> Iterator[IO[Any]]:
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        opened = (os.fdopen(handle, "wb") if binary
                  else os.fdopen(handle, "w", encoding="utf-8", newline=newline))
        with opened as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        _keep_mode(target, temporary)
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError) and not error.filename and error.errno is not None:
            raise OSError(error.errno, error.strerror, str(target)) from error
        raise
    _sync_folder(folder)


def write_atomic(path: Path | str, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step."""
    with atomic_output(path) as stream:
        stream.write(text)


def refuse_same_file(option: str, output: Path | str, inputs: Iterable[Path | str | None]) -> None:
    """Raise ``SameFileError`` when ``output`` is one of ``inputs`` (by file identity)."""
    target = Path(output)
    if not target.exists():
        return
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        with contextlib.suppress(OSError):
            if os.path.samefile(target, given):
                raise SameFileError(
                    f"{option} {output} is also the input {given}; writing there would "
                    "replace it. Choose another file, or add --overwrite-input")


def _keep_mode(target: Path, temporary: str) -> None:
    """Give the new file the old one's permissions (mkstemp makes it private)."""
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the platform allows opening a folder."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


__all__ = ["SameFileError", "atomic_binary_output", "atomic_output", "refuse_same_file",
           "write_atomic"]
