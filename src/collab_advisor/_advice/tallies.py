"""Small tallies shared by the analyses: first places per completion and per answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def counts_by_answer(firsts: list[Any], unknown: list[str]) -> dict[str, list[list[int]]]:
    """Per field and answer, how many cells of each approach's array are set (``firsts``:
    per approach, where it comes first, one axis per field).

    Summed down by halves: each array is read as a matrix of the first half of the axes
    by the second, and its row and column sums are the two halves' arrays, so the full
    arrays are read twice however many fields there are.
    """
    import numpy as np

    out: dict[str, list[list[int]]] = {}
    pending: list[tuple[list[Any], list[str]]] = [(firsts, unknown)]
    while pending:
        arrays, names = pending.pop()
        shape = arrays[0].shape
        if len(names) == 1:
            out[names[0]] = np.stack([np.asarray(a, dtype=np.int64).reshape(-1)
                                      for a in arrays], axis=-1).tolist()
            continue
        half = len(names) // 2
        rows = 1
        for extent in shape[:half]:
            rows *= extent
        lefts, rights = [], []
        for array in arrays:
            matrix = array.reshape(rows, -1)
            if matrix.dtype == bool:
                matrix = matrix.view(np.uint8)
            lefts.append(matrix.sum(axis=1, dtype=np.int64).reshape(shape[:half]))
            rights.append(matrix.sum(axis=0, dtype=np.int64).reshape(shape[half:]))
        pending.append((lefts, names[:half]))
        pending.append((rights, names[half:]))
    return out


def first_places(total: Any) -> list[Any]:
    """Per approach, where it comes first in an array of scores (last axis: approaches),
    ties going to the earlier approach, as ``argmax`` does (by whole-array comparisons,
    much faster than ``argmax`` along a short last axis)."""
    import numpy as np

    planes = [total[..., approach] for approach in range(total.shape[-1])]
    best = planes[0]
    for plane in planes[1:]:
        best = np.maximum(best, plane)
    taken = planes[0] == best
    firsts = [taken]
    for plane in planes[1:-1]:
        here = (plane == best) & ~taken
        firsts.append(here)
        taken = taken | here
    firsts.append(~taken)
    return firsts


def keeps_first(gains: Sequence[int], top: int) -> bool:
    """Whether ``top`` stays first when each approach can get at most ``gains[i]`` points
    ahead of it: none may get ahead, nor level when it comes earlier (ties go to it)."""
    return all(gain < 0 or (gain == 0 and other > top)
               for other, gain in enumerate(gains) if other != top)
