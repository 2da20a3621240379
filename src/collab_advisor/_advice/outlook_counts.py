"""The outlook's first places per answer, counted over the parts' classes in one product.

``parts.tops_apart`` gives, per unknown field and answer, how many completions put each
approach first, by adding the parts' classes of equal points pair by pair and summing
the counts down by halves: a dozen numpy steps per part, which for the few hundred
combinations of classes of a typical partial context cost far more than the arithmetic.
``first_places_by_answer`` gives the same counts (the same classes, the same even share
of a class's count among its combinations of answers) from one product of the classes
built part by part on a flat axis, one ``argmax`` and one sum per part (up to
``FLAT_CELLS`` combinations of classes; beyond, ``tops_apart`` itself).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from .._engines.plan import APPROACHES
from .parts import Parts, answer_counts, known_base, tops_apart

FLAT_CELLS = 2_048
"""Combinations of classes up to which the product is built flat; beyond, ``tops_apart``
(whose pairwise adding and narrow integers pay off on big products) counts them."""


def first_places_by_answer(parts: Parts, known: Mapping[str, int], unknown: Sequence[str],
                           codes: Mapping[str, list[int]]) -> dict[str, list[list[int]]]:
    """Per unknown field and answer (its ``codes``), how many completions of the unknown
    fields put each approach first (ties to the earlier approach): ``tops_apart``'s counts.

    ``known`` holds the class code of each known rule field, and the unknown code of any
    field left unknown without being completed."""
    import numpy as np

    count = len(APPROACHES)
    base, open_parts = known_base(parts, known)
    grids = []  # per part with free fields: its free fields, classes, sizes, answers
    cells = 1
    for part, free in open_parts:
        classes, sizes, answers = _part_classes(parts, part, known, codes)
        grids.append((free, classes, sizes, answers))
        cells *= len(sizes)
    if cells > FLAT_CELLS:
        return tops_apart(parts, known, list(unknown), codes)
    total = base[None, :]
    weights = np.ones(1, dtype=np.int64)
    for _, classes, sizes, _ in grids:
        total = (total[:, None, :] + classes[None, :, :]).reshape(-1, count)
        weights = (weights[:, None] * sizes[None, :]).reshape(-1)
    tops = total.argmax(axis=1)
    won = np.zeros((len(tops), count), dtype=np.int64)
    won[np.arange(len(tops)), tops] = weights
    everything = won.sum(axis=0)
    shape = [len(sizes) for _, _, sizes, _ in grids]
    cube = won.reshape(*shape, count)
    return answer_counts(parts, unknown, codes, grids,
                         [_sum_but(cube, axis) for axis in range(len(grids))], everything)


def _sum_but(cube: Any, axis: int) -> Any:
    """``cube`` summed over every axis but ``axis`` and the last (approaches)."""
    others = tuple(a for a in range(cube.ndim - 1) if a != axis)
    return cube.sum(axis=others) if others else cube


CLASS_BYTES_KEPT = 8 << 20
"""Per rule set, the bytes of the parts' classes ``_part_classes`` keeps by pattern of
codes: a bound on memory, not on entries (a custom part joining many fields has a pattern
for almost every context)."""
_kept: weakref.WeakKeyDictionary[Parts, dict[tuple[int, ...], tuple[Any, Any, Any]]] = (
    weakref.WeakKeyDictionary())
_kept_bytes: weakref.WeakKeyDictionary[Parts, int] = weakref.WeakKeyDictionary()


def _part_classes(parts: Parts, part: int, known: Mapping[str, int],
                  codes: Mapping[str, list[int]]) -> tuple[Any, Any, Any]:
    """A part's combinations of answers to its free fields grouped by the points they give
    (as ``tops_apart`` groups them): each class's points, its size, and per class how many
    of its combinations give each answer of each free field (in field order). Kept per
    rule set, by part and pattern of its codes, where every free field ranges over all
    its answers."""
    import numpy as np

    names, table = parts.fields[part], parts.tables[part]
    full = all(name in known or list(codes[name]) == list(range(table.shape[axis] - 1))
               for axis, name in enumerate(names))
    kept = _kept.get(parts)
    if kept is None:
        kept = _kept.setdefault(parts, {})
    key = (part, *(known.get(name, -1) for name in names))
    found = kept.get(key) if full else None
    if found is None:
        index = [[known[name]] if name in known else codes[name] for name in names]
        cells = table[np.ix_(*index)].reshape(-1, len(APPROACHES))
        classes, inverse, sizes = np.unique(cells, axis=0, return_inverse=True,
                                            return_counts=True)
        inverse = inverse.reshape(-1)
        free = [len(codes[name]) for name in names if name not in known]
        cell_of = np.arange(len(inverse)).reshape(free)
        columns = []
        for place, size in enumerate(free):
            for answer in range(size):  # how many cells of each class give this answer
                columns.append(np.bincount(
                    inverse[np.take(cell_of, answer, axis=place).reshape(-1)],
                    minlength=len(classes)))
        found = (classes, sizes.astype(np.int64), np.stack(columns, axis=1).astype(np.int64))
        size = sum(array.nbytes for array in found)
        used = _kept_bytes.get(parts, 0)
        if full and used + size <= CLASS_BYTES_KEPT:
            kept[key] = found
            _kept_bytes[parts] = used + size
    return found
