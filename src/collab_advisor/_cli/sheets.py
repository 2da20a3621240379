"""Batch tables as planners keep them: Excel workbooks beside CSV and JSON Lines.

Reading (``read_table``): a ``.xlsx`` workbook (its first sheet; openpyxl), or CSV or
JSON Lines as ``csvinput.read_batch`` reads them. In a workbook or a CSV file, a column
that is not a context field (an id, a team name) is carried through to the output
unchanged; a column whose name is a near miss of a field (``formalty``) is an error
with a "did you mean", never carried. Rows are numbered as the spreadsheet shows them.

Writing (``write_table``): the results as CSV, JSON Lines or ``.xlsx``, with the carried
columns after the row number, in their input order, and the top approach's name beside
its id. Text that a spreadsheet would run as a formula is made inert in every format
that a spreadsheet opens.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .._model.context import Approach
from .._model.fields import FIELDS
from .._rulebook.files import MAX_BATCH_BYTES, STDIN, InputFileError, read_bytes
from .atomic import atomic_binary_output
from .csvinput import (
    BatchInput,
    InputRow,
    csv_dialect,
    decode_text,
    header_columns,
    header_key,
    neutralise_formula,
    parse_csv,
    read_batch,
    typed_cells,
)
from .values import ValueMatchError

FORMATS = ("csv", "jsonl", "xlsx")
"""The output formats of ``collab-advisor batch``."""

INPUT_FORMATS = ("csv", "jsonl", "json", "xlsx")
"""The input formats of ``collab-advisor batch``."""

NEAR_MISS = 0.8
"""How alike (difflib's ratio) a column name must be to a field's to count as its misspelling
rather than a column of its own: ``formalty`` is a misspelt ``formality``, but ``notes``
is not ``sites`` nor ``team_name`` ``name``."""

_ZIP_MAGIC = b"PK\x03\x04"
_FULLWIDTH_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")  # fullwidth = + - @
_NAMES = {approach.value: approach.display_name for approach in Approach}


def approach_name(approach_id: str) -> str:
    """The plain name of an approach from its id (empty for an empty id)."""
    return _NAMES.get(approach_id, "")


def defuse(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, made inert (a leading
    quote, as for CSV, also before the fullwidth = + - @ that some spreadsheets read
    as formula signs); other values unchanged."""
    inert = neutralise_formula(value)  # control characters replaced, ASCII leads quoted
    if isinstance(inert, str) and inert.startswith(_FULLWIDTH_STARTS):
        return "'" + inert
    return inert


@dataclass
class Table:
    """Batch input with the columns carried through beside the context fields."""

    form: str
    """How it was read: csv, jsonl, json or xlsx."""
    rows: list[InputRow]
    carried: list[str] = field(default_factory=list)
    """The headers of the columns carried through, in their input order."""
    carried_cells: dict[int, list[object]] = field(default_factory=dict)
    """Each row number's carried cells, in the order of ``carried``."""
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None
    """The sheet read, for a workbook."""

    def where(self, number: int) -> str:
        """A row as the person who keeps the file finds it."""
        return f"sheet '{self.sheet}', row {number}" if self.sheet else f"row {number}"


def _near_miss(key: str) -> str | None:
    matches = difflib.get_close_matches(key, list(FIELDS), n=1, cutoff=NEAR_MISS)
    return matches[0] if matches else None


def _carried_keys(header: Sequence[str]) -> dict[str, str]:
    """The normalised key and header text of each column to carry through: neither a
    context field nor a near miss of one (those are left for ``header_columns`` to reject)."""
    carried: dict[str, str] = {}
    for cell in header:
        key = header_key(cell)
        if key and key not in FIELDS and _near_miss(key) is None and key not in carried:
            carried[key] = cell.strip()
    return carried


def _split(batch: BatchInput, carried: dict[str, str], cells_of: dict[int, list[object]],
           form: str) -> Table:
    """Take the carried columns' cells out of each row's values."""
    table = Table(form, [], list(carried.values()), cells_of, list(batch.notes))
    for row in batch.rows:
        if row.values is not None:
            row = InputRow(row.number, values={key: value for key, value in row.values.items()
                                               if key not in carried})
        table.rows.append(row)
    return table


def _read_csv(data: bytes, label: str) -> Table:
    """CSV as ``parse_csv`` reads it, with the carried columns' cells of every row (a bad
    row's too) as they are."""
    carried: dict[str, str] = {}
    cells_of: dict[int, list[object]] = {}
    try:
        text, _ = decode_text(data, label)
        reader = csv.reader(io.StringIO(text, newline=""), csv_dialect(text))
        positions: list[int] | None = None
        for number, cells in enumerate(reader, start=1):
            if not "".join(cells).strip():
                continue
            if positions is None:
                carried = _carried_keys(cells)
                keys = [header_key(cell) for cell in cells]
                positions = [keys.index(key) for key in carried]
                continue
            cells_of[number] = [cells[p] if p < len(cells) else "" for p in positions]
    except (csv.Error, InputFileError):
        pass  # parse_csv reports what is wrong with the file
    batch = parse_csv(data, label, extra=tuple(carried))
    return _split(batch, carried, cells_of if carried else {}, "csv")


def _cell_text(value: object) -> str:
    """A workbook cell as a person would type it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, label: str) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InputFileError(label, f"is not a readable .xlsx workbook ({error}); save it "
                             "from Excel as 'Excel Workbook (.xlsx)' or as CSV UTF-8") from None
    try:
        sheet = book.worksheets[0]
        where = f"{label}, sheet '{sheet.title}'"
        notes = ([f"{label} has {len(book.worksheets)} sheets; only the first, "
                  f"'{sheet.title}', was read"] if len(book.worksheets) > 1 else [])
        rows: list[InputRow] = []
        cells_of: dict[int, list[object]] = {}
        carried: dict[str, str] = {}
        positions: list[int] = []
        columns: list[str | None] | None = None
        for number, raw in enumerate(sheet.iter_rows(values_only=True), start=1):
            texts = [_cell_text(value) for value in raw]
            if not "".join(texts).strip():
                continue  # a blank row
            if columns is None:
                carried = _carried_keys(texts)
                columns = header_columns(texts, where, tuple(carried))
                positions = [columns.index(key) for key in carried]
                columns = [None if key in carried else key for key in columns]
                continue
            cells_of[number] = [raw[p] if p < len(raw) and raw[p] is not None else ""
                                for p in positions]
            if len(texts) > len(columns) and any(t.strip() for t in texts[len(columns):]):
                rows.append(InputRow(number, error=f"has a cell beyond the last of the "
                                     f"{len(columns)} named columns"))
                continue
            try:
                values = typed_cells(columns, texts)
            except ValueMatchError as error:
                rows.append(InputRow(number, error=str(error)))
                continue
            rows.append(InputRow(number, values=values))
        if columns is None:
            raise InputFileError(where, "is empty; the first row names the context fields")
        return Table("xlsx", rows, list(carried.values()), cells_of, notes, sheet.title)
    finally:
        book.close()


def read_table(source: str, form: str | None = None) -> Table:
    """Batch input from a ``.xlsx``, ``.csv``, ``.jsonl`` or ``.json`` file, or ``-`` for
    standard input; ``form`` overrides the guess made from the extension (or, on standard
    input, from the first bytes)."""
    extension = os.path.splitext(source)[1].lower() if source != STDIN else ""
    if form is None and source != STDIN and extension not in (".xlsx", ".xlsm", ".csv", ".txt"):
        batch = read_batch(source, form)
        return Table("json" if extension == ".json" else "jsonl", batch.rows, notes=batch.notes)
    if source == STDIN and (sys.stdin is None or sys.stdin.isatty()):
        raise InputFileError("standard input", "is a terminal; pipe the rows in, as in "
                             "'collab-advisor batch - < rows.csv', or name the file instead of -")
    label = "standard input" if source == STDIN else source
    data = read_bytes(source, limit=MAX_BATCH_BYTES, what="batch input", stdin_ok=True)
    if form is None:
        if extension in (".xlsx", ".xlsm") or data.startswith(_ZIP_MAGIC):
            form = "xlsx"
        elif extension in (".csv", ".txt"):
            form = "csv"
        else:  # standard input: JSON Lines when it starts with {, else CSV
            stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
            form = "jsonl" if stripped.startswith(b"{") else "csv"
    if form == "xlsx":
        return _read_xlsx(data, label)
    if form == "csv":
        return _read_csv(data, label)
    from .csvinput import parse_json_array, parse_jsonl

    batch = parse_json_array(data, label) if form == "json" else parse_jsonl(data, label)
    return Table(form, batch.rows, notes=batch.notes)


def output_format(given: str | None, output: str | None, table: Table) -> str:
    """``--format`` if given, else from ``--output``'s extension, else the input's format
    (JSON Lines for JSON)."""
    if given:
        return given
    if output:
        extension = os.path.splitext(output)[1].lower()
        by_extension = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".json": "jsonl"}
        if extension in by_extension:
            return by_extension[extension]
    return table.form if table.form in FORMATS else "jsonl"


def widen(columns: Sequence[str], records: Iterable[list[Any]],
          table: Table) -> tuple[list[str], list[list[Any]]]:
    """The output columns and records with the carried columns after ``row`` and the top
    approach's name after ``top`` (records hold ``columns``' cells, ``row`` first)."""
    top = list(columns).index("top")
    names = [columns[0], *table.carried, *columns[1:top + 1], "top_name", *columns[top + 1:]]
    blank = [""] * len(table.carried)
    wide = [[record[0], *table.carried_cells.get(record[0], blank), *record[1:top + 1],
             approach_name(str(record[top])), *record[top + 1:]] for record in records]
    return names, wide


def _xlsx_cell(value: object) -> object:
    if isinstance(value, dt.time | dt.date | dt.datetime | int | float | str | bool):
        return defuse(value)
    return str(value)


def write_xlsx(names: Sequence[str], records: Iterable[list[Any]], target: str | IO[bytes],
               sheet: str = "Results") -> None:
    """The records as a one-sheet workbook; every text cell is stored as text (never a
    formula) and made inert as in CSV. A path is replaced only once it is complete."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    page = book.active
    assert page is not None
    page.title = sheet
    page.append([str(_xlsx_cell(name)) for name in names])
    for cell in page[1]:
        cell.font = Font(bold=True)
    for record in records:
        page.append([_xlsx_cell(value) for value in record])
    for row in page.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # stored as text, never as a formula
    page.freeze_panes = "A2"
    if not isinstance(target, str):
        book.save(target)
        return
    with atomic_binary_output(target) as stream:  # the whole workbook, or the old file
        book.save(stream)
