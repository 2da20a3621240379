"""Batch input as offices save it, and CSV output that a spreadsheet cannot run.

Reading (``read_batch``): CSV or JSON Lines from a file or standard input.
CSV may carry Excel's UTF-8 byte-order mark, be saved as UTF-16 or as
Windows-1252/Latin-1 (read as such, with a note), use semicolons or tabs
instead of commas (``csv.Sniffer``), and name its columns in any case, with
spaces for underscores. A bad header is one error for the whole file; blank
rows are skipped; rows are numbered as a spreadsheet shows them (the header is
row 1). JSON Lines rows are numbered by line.

Writing (``neutralise_formula``): a text cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would be run as a formula by a
spreadsheet; it is prefixed with a single quote, as OWASP recommends.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import operator
import os
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._errors import nearest
from .._model.context import read_int
from .._model.fields import FIELDS
from .._rulebook.files import MAX_BATCH_BYTES, STDIN, InputFileError, read_bytes
from .values import ValueMatchError, match_value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a cell may not start with in CSV output (OWASP's CSV-injection list)."""


@dataclass(frozen=True)
class InputRow:
    """One row of batch input: its values, or what is wrong with it."""

    number: int
    """The row as a spreadsheet shows it (the header is row 1), or the JSON Lines line."""
    values: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class BatchInput:
    """The readable rows of a batch file and notes worth telling the user."""

    rows: list[InputRow]
    notes: list[str] = field(default_factory=list)


_UNWRITABLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F],
                            "\ufffd")
"""Control characters a CSV cell must not carry (a NUL ends the cell in many readers);
each becomes U+FFFD, the replacement character. Tabs and line breaks are quoted."""


def neutralise_formula(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made inert (also when it
    starts with a fullwidth equals, plus, minus or at sign, read as the ASCII sign), and
    stripped of control characters; other cells unchanged."""
    if not isinstance(value, str):
        return value
    value = value.translate(_UNWRITABLE)
    if value.startswith(FORMULA_STARTS) or (
            value and unicodedata.normalize("NFKC", value[0]).startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def decode_text(data: bytes, label: str) -> tuple[str, str | None]:
    """The text and, if it was not UTF-8, a note saying how it was read."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            raise InputFileError(label, "starts like UTF-16 text but is not valid UTF-16; "
                                 "save it as CSV UTF-8") from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, (f"{label} is not UTF-8 (first at line {line}); it was read as {name}. "
                      "Save it as CSV UTF-8 to be sure of accented letters")
    raise InputFileError(label, "is not text")  # pragma: no cover - latin-1 decodes any bytes


def header_key(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def header_columns(header: list[str], label: str, extra: tuple[str, ...] = ()) -> list[str | None]:
    """The context field of each column (``None`` for an empty, ignored one); ``extra``
    names other columns a reader accepts, such as a team member's label and role."""
    columns: list[str | None] = []
    problems: list[str] = []
    seen: set[str] = set()
    for cell in header:
        key = header_key(cell)
        if not key:
            columns.append(None)
            continue
        if key not in FIELDS and key not in extra:
            guess = nearest(key, [*FIELDS, *extra])
            problems.append(f"column '{cell.strip()}' is not a context field"
                            + (f" (did you mean '{guess}'?)" if guess else ""))
        elif key in seen:
            problems.append(f"column '{cell.strip()}' is given twice")
        seen.add(key)
        columns.append(key)
    if problems:
        raise InputFileError(
            f"{label}, row 1 (the header)",
            "; ".join(problems) + f". The columns are context fields: {', '.join(FIELDS)}"
            + (f"; also {', '.join(extra)}" if extra else ""))
    if not any(columns):
        raise InputFileError(f"{label}, row 1 (the header)",
                             f"names no columns; the columns are context fields: "
                             f"{', '.join(FIELDS)}")
    return columns


def csv_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text[:65_536].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] == 0 or best == ",":
            return csv.excel
        return csv.excel_tab if best == "\t" else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def typed_cells(columns: list[str | None], cells: list[str],
                 matcher: _Matcher | None = None) -> dict[str, Any]:
    """A row's non-empty cells, each context value matched as a person types it: any
    case, spaces or hyphens for underscores, an unambiguous prefix (``fixed`` for
    ``fixed_term``); other columns (a member's label or role) are kept as text.

    A ``matcher`` keeps what each column's cells matched across the rows of a file:
    a column holds few distinct answers, so most rows are only looked up.
    """
    if matcher is not None:
        found = list(map(operator.call, matcher.lookups, cells))
        if None not in found:  # every cell seen before, or free text
            return {column: value for column, value in zip(columns, found, strict=False)
                    if value is not _EMPTY and column is not None}
    values: dict[str, Any] = {}
    for position, (column, cell) in enumerate(zip(columns, cells, strict=False)):
        if column is None:
            continue
        text = cell.strip()
        if text == "":
            if matcher is not None:
                matcher.keep(position, cell, _EMPTY)
            continue
        if column not in FIELDS or FIELDS[column].kind == "text":
            values[column] = text
            continue
        values[column] = match_value(column, text)  # a bad cell raises: the row's error
        if matcher is not None:
            matcher.keep(position, cell, values[column])
    return values


_EMPTY = object()
_MATCHES_KEPT = 10_000
"""Distinct cells per column whose match ``parse_csv`` keeps while reading a file."""


class _Matcher:
    """Per column, a lookup from a cell to its value (``None``: not seen yet)."""

    def __init__(self, columns: list[str | None]) -> None:
        self._kept: list[dict[str, Any]] = [{"": _EMPTY} for _ in columns]
        self.lookups: list[Callable[[str], Any]] = [
            _ignored if column is None
            else _free_text if column not in FIELDS or FIELDS[column].kind == "text"
            else self._kept[position].get
            for position, column in enumerate(columns)]

    def keep(self, position: int, cell: str, value: Any) -> None:
        """Remember what a cell of a column matched (while the column has few)."""
        kept = self._kept[position]
        if len(kept) < _MATCHES_KEPT:
            kept[cell] = value


def _ignored(cell: str) -> Any:
    return _EMPTY


def _free_text(cell: str) -> Any:
    return cell.strip() or _EMPTY


def parse_csv(data: bytes, label: str, extra: tuple[str, ...] = ()) -> BatchInput:
    """Rows of a CSV file whose first row names context fields."""
    text, note = decode_text(data, label)
    reader = csv.reader(io.StringIO(text, newline=""), csv_dialect(text))
    rows: list[InputRow] = []
    columns: list[str | None] | None = None
    matcher: _Matcher | None = None
    try:
        for number, cells in enumerate(reader, start=1):
            if not "".join(cells).strip():
                continue  # a blank row
            if columns is None:
                columns = header_columns(cells, label, extra)
                matcher = _Matcher(columns)
                continue
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
                rows.append(InputRow(number, error=f"has {len(cells)} cells but the header "
                                     f"has {len(columns)} columns"))
                continue
            try:
                values = typed_cells(columns, cells, matcher)
            except ValueMatchError as error:
                rows.append(InputRow(number, error=str(error)))
                continue
            rows.append(InputRow(number, values=values))
    except csv.Error as error:
        raise InputFileError(f"{label}, row {reader.line_num}", f"not valid CSV: {error}") from None
    if columns is None:
        raise InputFileError(label, "is empty; the first row names the context fields")
    return BatchInput(rows, [note] if note else [])


def parse_jsonl(data: bytes, label: str) -> BatchInput:
    """Rows of JSON Lines: one JSON object per line; blank lines are skipped."""
    text, note = decode_text(data, label)
    rows: list[InputRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line, parse_int=read_int)
        except json.JSONDecodeError as error:
            rows.append(InputRow(number, error=f"not valid JSON ({error.msg})"))
            continue
        if isinstance(item, dict):
            rows.append(InputRow(number, values=item))
        else:
            rows.append(InputRow(number, error="not a JSON object"))
    return BatchInput(rows, [note] if note else [])


def parse_json_array(data: bytes, label: str) -> BatchInput:
    """Rows of a ``.json`` file: a JSON array of objects (or one object), numbered from 1."""
    text, note = decode_text(data, label)
    try:
        items = json.loads(text, parse_int=read_int)
    except json.JSONDecodeError as error:
        raise InputFileError(f"{label}:{error.lineno}", f"not valid JSON: {error.msg} "
                             f"(column {error.colno}); a .json batch file holds one array "
                             "of objects (use .jsonl for one object per line)",
                             error.lineno) from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise InputFileError(label, "a .json batch file holds one array of objects")
    rows = [InputRow(number, values=item) if isinstance(item, dict)
            else InputRow(number, error="not a JSON object")
            for number, item in enumerate(items, start=1)]
    return BatchInput(rows, [note] if note else [])


def read_batch(source: str, form: str | None = None,
               extra: tuple[str, ...] = ()) -> BatchInput:
    """Batch input from a ``.csv`` or ``.jsonl`` file, or ``-`` for standard input.

    ``form`` ("csv", "jsonl" or "json") overrides the guess, which is made from the
    file's extension (``.json`` is one JSON array of objects), or for standard input
    from its first character (``{`` means JSON Lines).
    """
    if source == STDIN:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputFileError(
                "standard input", "is a terminal; pipe the rows in, as in "
                "'collab-advisor batch - < rows.csv', or name the file instead of -")
        label = "standard input"
    else:
        label = source
    data = read_bytes(source, limit=MAX_BATCH_BYTES, what="batch input", stdin_ok=True)
    if form is None:
        if source == STDIN:
            form = "jsonl" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"
        else:
            extension = os.path.splitext(source)[1].lower()
            form = {".csv": "csv", ".txt": "csv", ".json": "json"}.get(extension, "jsonl")
    if form == "json":
        return parse_json_array(data, label)
    return parse_csv(data, label, extra) if form == "csv" else parse_jsonl(data, label)
