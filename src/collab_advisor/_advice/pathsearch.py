"""The candidate search behind ``path_to``, scored part by part.

A context's scores are a constant plus one small table per part (``parts.Parts``), so
the scores of every candidate (a few changed answers) are a handful of table lookups,
done for all candidates of one size at once. The candidates and their order are those
of ``itertools.combinations`` over the options (each option one field's answer), with
the distinct-field filter, so the winner (largest lead, the first on a tie) is the same
as scoring each candidate on the compiled core.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from .parts import Parts

MAX_VECTOR_CELLS = 4_000_000
"""Largest grid (options to the power of the size) listed at once; beyond it the search
goes candidate by candidate on the compiled core."""


def candidates(fields: Sequence[int], size: int) -> Any | None:
    """(candidates, size) option indices in ``itertools.combinations`` order, keeping the
    candidates whose options change ``size`` different fields; ``None`` when the grid
    would exceed ``MAX_VECTOR_CELLS``."""
    import numpy as np

    count = len(fields)
    if count ** size > MAX_VECTOR_CELLS or size < 1:
        return None
    field = np.asarray(fields, dtype=np.int64)
    if size == 1:
        return np.arange(count, dtype=np.int64)[:, None]
    grid = np.ones((count,) * size, dtype=bool)
    axes = [np.arange(count).reshape([-1 if a == axis else 1 for a in range(size)])
            for axis in range(size)]
    for first in range(size):
        for second in range(first + 1, size):
            grid &= axes[first] < axes[second]
            grid &= field[axes[first]] != field[axes[second]]
    return np.stack(np.nonzero(grid), axis=1).astype(np.int64)


SCORES_KEPT = 4
"""Candidate score matrices kept (the latest): a results page asks for a path to each
approach of one context, and each search of a size scores the same candidates."""
_kept: dict[tuple[Any, ...], Any] = {}
_keeping = threading.Lock()


def best_candidate(parts: Parts, base: Mapping[str, int], options: Sequence[tuple[str, int]],
                   chosen: Any, target: int) -> tuple[int, ...] | None:
    """Among ``chosen`` (rows of option indices), the one that puts ``target`` first with
    the largest lead over the next approach, the first on a tie; ``None`` if none does.
    ``base`` holds the context's class codes (absent: unknown); each option is a field
    and the class code it would take."""
    import numpy as np

    if not len(chosen):
        return None
    scores = (single_scores(parts, base, options) if chosen.shape[1] == 1
              else candidate_scores(parts, base, options, chosen))
    others = np.delete(scores, target, axis=1).max(axis=1)
    wins = scores.argmax(axis=1) == target
    if not wins.any():
        return None
    lead = np.where(wins, scores[:, target] - others, np.iinfo(np.int64).min)
    return tuple(int(i) for i in chosen[int(np.argmax(lead))])


LINE_BYTES_KEPT = 4 << 20
"""Per rule set, the bytes of the parts' lines (``_lines``) kept by part and pattern of
codes: a bound on memory, not on entries (a custom part joining many fields has a pattern
for almost every context)."""


def single_scores(parts: Parts, base: Mapping[str, int],
                  options: Sequence[tuple[str, int]]) -> Any:
    """The scores (options by approaches) after each option alone: the scores now plus,
    for the option's field, what its answer changes in its part (read from the part's
    table along that field's axis). The same as ``candidate_scores`` for candidates of one
    option, without listing a row of codes per candidate."""
    import numpy as np

    now = np.asarray(parts.constant, dtype=np.int64)
    blocks: list[Any] = [np.zeros((1, len(now)), dtype=np.int64)]  # options no rule reads
    start: dict[str, int] = {}
    offset = 1
    for part, names in enumerate(parts.fields):
        row, lines = _lines(parts, part, tuple(
            base.get(name, parts.tables[part].shape[axis] - 1)
            for axis, name in enumerate(names)))
        now = now + row
        for name, line in zip(names, lines, strict=True):
            start[name] = offset
            blocks.append(line)
            offset += len(line)
    changes = np.concatenate(blocks)
    at = np.fromiter((start[name] + code if name in start else 0 for name, code in options),
                     dtype=np.int64, count=len(options))
    return now + changes[at]


def _lines(parts: Parts, part: int, index: tuple[int, ...]) -> tuple[Any, tuple[Any, ...]]:
    """A part's points at ``index`` (codes of its fields), and per field, what each of its
    codes (the unknown one included) changes in them, the others held: kept per rule set,
    by part and pattern of codes (a part's patterns are few)."""
    kept = _lines_kept.get(parts)
    if kept is None:
        kept = _lines_kept.setdefault(parts, {})
    found = kept.get((part, index))
    if found is None:
        table = parts.tables[part]
        row = table[index]
        found = (row, tuple(table[(*index[:axis], slice(None), *index[axis + 1:])] - row
                            for axis in range(len(index))))
        size = row.nbytes + sum(line.nbytes for line in found[1])
        used = _lines_bytes.get(parts, 0)
        if used + size <= LINE_BYTES_KEPT:
            kept[(part, index)] = found
            _lines_bytes[parts] = used + size
    return found


_lines_kept: weakref.WeakKeyDictionary[
    Parts, dict[tuple[int, tuple[int, ...]], tuple[Any, tuple[Any, ...]]]] = (
        weakref.WeakKeyDictionary())
_lines_bytes: weakref.WeakKeyDictionary[Parts, int] = weakref.WeakKeyDictionary()


def candidate_scores(parts: Parts, base: Mapping[str, int], options: Sequence[tuple[str, int]],
                     chosen: Any) -> Any:
    """The scores (candidates by approaches) of each candidate in ``chosen``; the latest few
    are kept, keyed by what determines them (the parts, the codes, the options, the size)."""
    key = (parts, tuple(sorted(base.items())), tuple(options), chosen.shape)
    with _keeping:
        found = _kept.get(key)
    if found is None:
        found = _score_candidates(parts, base, options, chosen)
        found.flags.writeable = False
        with _keeping:
            while len(_kept) >= SCORES_KEPT:
                del _kept[next(iter(_kept))]
            _kept[key] = found
    return found


def _score_candidates(parts: Parts, base: Mapping[str, int],
                      options: Sequence[tuple[str, int]], chosen: Any) -> Any:
    import numpy as np

    rows = len(chosen)
    columns = {name: column for column, name in enumerate(
        dict.fromkeys(name for names in parts.fields for name in names))}
    codes = np.empty((rows, len(columns)), dtype=np.int64)
    for part, names in enumerate(parts.fields):
        for axis, name in enumerate(names):
            codes[:, columns[name]] = base.get(name, parts.tables[part].shape[axis] - 1)
    # Options on fields no scoring rule reads change no score: they write a spare column.
    option_column = np.asarray([columns.get(name, len(columns)) for name, _ in options],
                               dtype=np.int64)
    option_code = np.asarray([code for _, code in options], dtype=np.int64)
    codes = np.concatenate([codes, np.zeros((rows, 1), dtype=np.int64)], axis=1)
    every = np.arange(rows)
    for slot in range(chosen.shape[1]):
        codes[every, option_column[chosen[:, slot]]] = option_code[chosen[:, slot]]
    scores = np.tile(np.asarray(parts.constant, dtype=np.int64), (rows, 1))
    for names, table in zip(parts.fields, parts.tables, strict=True):
        scores += table[tuple(codes[:, columns[name]] for name in names)]
    return scores
