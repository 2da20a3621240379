"""``collab-advisor batch``: a result for every row of a workbook, CSV or JSON Lines file."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from ..._advice.batch import recommend_many, survey_chunks
from ..._advice.confidence_batch import CONFIDENCE_COLUMNS, confidence_cells
from ..._engines.plan import APPROACHES
from ..._model.context import Approach
from ..._result.record import RESULT_SCHEMA_VERSION, Recommendation
from ..._rulebook.collector import collection_paused
from ..._rulebook.ruleset import RuleSet
from ..atomic import atomic_output
from ..options import PROG, UsageError, add_engine_and_rules, choice_type, rules_from
from ..sheets import FORMATS as TABLE_FORMATS
from ..sheets import (
    INPUT_FORMATS,
    Table,
    defuse,
    output_format,
    read_table,
    widen,
    write_xlsx,
)
from .interview import refuse_same

_CHUNK = 5000
"""Batch rows are processed (and progress shown) in chunks of this many."""



_BATCH_COLUMNS = ("row", "name", "top", *(f"score_{a.value}" for a in Approach),
                  "settled", "rules_fired", "tied_for_first", "tie_break", "error")
"""The columns of batch output, in order. ``top`` is the first of ``tied_for_first`` (every
approach first after the stated tie-break, space-separated: several on a tie, which is no
preference); ``tie_break`` is empty when one approach had the top score alone, 'decided'
when the stated tie-break separated approaches level on points, 'tie stands' when not."""


def tie_cells(tied: tuple[Approach, ...], level: tuple[Approach, ...]) -> list[str]:
    """The ``tied_for_first`` and ``tie_break`` cells of one row."""
    verdict = "" if len(level) < 2 else "tie stands" if len(tied) > 1 else "decided"
    return [" ".join(a.value for a in tied), verdict]


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.engine == "durable":  # durable-rules leaves cyclic garbage: keep collecting
        return _run_batch(args, out)
    with collection_paused():  # rows and results hold no cycles: no collector walks
        return _run_batch(args, out)


def _run_batch(args: argparse.Namespace, out: TextIO) -> int:
    if args.output and not args.overwrite_input:
        refuse_same("--output", args.output, [args.input])
    table = read_table(args.input, args.input_format)
    for note in table.notes:
        sys.stderr.write(f"{PROG}: note: {note}\n")
    numbered = [(row.number, row.values if row.values is not None else str(row.error))
                for row in table.rows]
    rules = rules_from(args)
    form = output_format(args.format, args.output, table)
    if form == "xlsx" and not args.output and sys.stdout.isatty():
        raise UsageError("a workbook cannot be shown on a terminal: give --output FILE.xlsx")
    records: list[list[Any]] = []
    bad = 0
    blank = [""] * (len(_BATCH_COLUMNS) - 2)
    with _progress(len(numbered)) as bar:
        for start in range(0, len(numbered), _CHUNK):
            chunk = numbered[start:start + _CHUNK]
            for (number, _), result in zip(chunk, _compute_chunk(
                    [row for _, row in chunk], rules, args.engine), strict=True):
                if isinstance(result, str):
                    bad += 1
                    sys.stderr.write(f"{table.where(number)}: {result}\n")
                    records.append([number, *blank, result])
                else:
                    result[0] = number
                    records.append(result)
            bar.update(len(chunk))
    if args.confidence:
        records = _with_confidence(records, dict(numbered), rules)
    if form == "xlsx":
        _write_workbook(records, table, args.output)
    elif args.output:
        with atomic_output(args.output, newline="") as target:
            _write_records(records, form, target, table)
    else:
        _write_records(records, form, out, table)
    if table.carried:
        sys.stderr.write(f"Carried through unchanged: {', '.join(table.carried)}.\n")
    if bad:
        sys.stderr.write(f"{bad} of {len(numbered)} rows could not be read; "
                         "the others completed.\n")
    return 2 if bad else 0


def _progress(total: int) -> Any:
    """A progress bar on stderr when it is a terminal and the input is large, else nothing."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    return tqdm(total=total, unit="row", disable=not sys.stderr.isatty() or total < _CHUNK,
                file=sys.stderr)


def _compute_chunk(chunk: list[dict[str, Any] | str], rules: RuleSet | None,
                   engine: str) -> list[list[Any] | str]:
    """Each row's output cells (in ``_BATCH_COLUMNS`` order, the row number left 0), or its
    error: on the compiled core's array path, or one full recommendation per row when
    durable-rules is asked for by name."""
    readable = [row for row in chunk if isinstance(row, dict)]
    results: Iterator[list[Any] | str]
    if engine == "durable":
        results = iter([
            _record(item.recommendation, bool(item.is_settled))
            if item.recommendation is not None
            else item.error or "unreadable"
            for item in recommend_many(readable, rules=rules, engine="durable")])
    else:
        results = _surveyed(readable, rules)
    return [row if isinstance(row, str) else next(results) for row in chunk]


_TOPS = tuple(approach.value for approach in Approach)


def _surveyed(rows: list[dict[str, Any]], rules: RuleSet | None) -> Iterator[list[Any] | str]:
    """Output cells for rows on the array path (``survey_chunks``), or each row's error."""
    for part in survey_chunks(rows, rules=rules, chunk_size=max(1, len(rows))):
        fired = [" ".join(ids) for ids in part.fired_sets]
        names = (str(row.get("name") or "") for row in rows)
        for row, (name, error, top, scores, settled, which) in enumerate(zip(
                names, part.errors, part.tops, part.scores, part.settled, part.fired,
                strict=True)):
            if error is not None:
                yield error
            else:
                level, first = part.level_and_first(row)
                yield [0, name, _TOPS[top], *scores, settled, fired[which],
                       *tie_cells(tuple(APPROACHES[i] for i in first),
                                  tuple(APPROACHES[i] for i in level)), ""]


def _record(rec: Recommendation, settled: bool) -> list[Any]:
    return [0, rec.context.name or "", rec.top.approach.value,
            *(rec.score_of(approach) for approach in Approach), settled,
            " ".join(rec.fired_rules), *tie_cells(rec.tied_for_first, rec.level_on_points), ""]


def _with_confidence(records: list[list[Any]], rows: dict[int, dict[str, Any] | str],
                     rules: RuleSet | None) -> list[list[Any]]:
    """Each record with the confidence columns (blank for a row that failed)."""
    out = []
    for record in records:
        row = rows.get(record[0])
        good = isinstance(row, dict) and not record[-1]
        cells = confidence_cells(row, rules) if good and isinstance(row, dict) else (
            [""] * len(CONFIDENCE_COLUMNS))
        out.append([*record, *cells])
    return out


def _columns_of(records: list[list[Any]]) -> tuple[str, ...]:
    """The output columns: with the confidence columns when the records carry them."""
    if records and len(records[0]) > len(_BATCH_COLUMNS):
        return (*_BATCH_COLUMNS, *CONFIDENCE_COLUMNS)
    return _BATCH_COLUMNS


def _write_records(records: list[list[Any]], form: str, target: TextIO, table: Table) -> None:
    names, wide = widen(_columns_of(records), records, table)
    if form == "jsonl":
        for record in wide:
            target.write(json.dumps({"schema_version": RESULT_SCHEMA_VERSION,
                                     **{column: value for column, value
                                        in zip(names, record, strict=True)
                                        if value != ""}}, default=str) + "\n")
        return
    writer = csv.writer(target)
    writer.writerow([defuse(name) for name in names])
    writer.writerows([defuse(cell) for cell in record] for record in wide)


def _write_workbook(records: list[list[Any]], table: Table, output: str | None) -> None:
    names, wide = widen(_columns_of(records), records, table)
    if output:
        write_xlsx(names, wide, output)
    else:
        write_xlsx(names, wide, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def add(commands: Any) -> None:
    """Register ``batch``."""
    batch = commands.add_parser(
        "batch", help="recommend for every row of an Excel, CSV or JSON Lines file",
        description="Read contexts from an Excel workbook (.xlsx, its first sheet) or CSV "
        "(one column per field; empty cells are unknown) or JSON Lines, and write one result "
        "per row. Other columns (an id, a team name) are carried through unchanged. Bad rows "
        "are reported by sheet, row and field on standard error; the others still complete "
        "(exit 2 if any failed).")
    batch.add_argument("input", metavar="INPUT",
                       help="a .xlsx, .csv or .jsonl file, or - for stdin")
    batch.add_argument("--input-format", type=choice_type(INPUT_FORMATS, "input format"),
                       metavar="|".join(INPUT_FORMATS),
                       help="the input's format (default: from its extension)")
    batch.add_argument("--output", metavar="FILE", help="where to write (default: stdout)")
    batch.add_argument("--overwrite-input", action="store_true",
                       help="allow --output to be the input file (it is replaced when done)")
    batch.add_argument("--format", type=choice_type(TABLE_FORMATS, "format"),
                       metavar="|".join(TABLE_FORMATS),
                       help="output format (default: from --output's extension, else the "
                       "input's format)")
    batch.add_argument("--confidence", action="store_true",
                       help="add how often first place holds over the ways each row's open "
                       "questions could be answered (every open answer counted as equally "
                       "likely): columns " + ", ".join(CONFIDENCE_COLUMNS) + " (slower: "
                       "each row counts its completions)")
    add_engine_and_rules(batch)
    batch.set_defaults(run=run)
