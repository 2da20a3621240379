"""First place in every scored row, read from the rule set's count tables.

For one context, each part's cells over its open fields fall into a few distinct
vectors (classes, kept per pattern of known answers); first place, under the strength
table in use and the alternatives, is worked out once per combination of classes, and
each row reads its outcome from there (``count_tables`` builds the tables).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._rulebook.evaluation import Facts
from .._rulebook.ruleset import RuleSet
from .._rulebook.strength import StrengthClass
from .count_tables import (
    ALTERNATIVE_CLASSES,
    BLOCK_BYTES_KEPT,
    COUNT,
    WIDTH,
    CountTables,
    count_tables,
)

Alternatives = dict[tuple[StrengthClass, int], Any]


@dataclass(frozen=True)
class Layout:
    """How a full grid of rows maps onto combinations of classes: per part with several
    classes, its open fields (places among the open fields), its cells' classes and its
    class vectors; and each such part's number of classes (the first most significant)."""

    varying: list[tuple[list[int], Any, Any]]
    """Per part: its open fields' places, its cells' classes, its classes' vectors."""
    counts: list[int]


def by_unit(layout: Layout, sizes: Sequence[int], unit_weights: Sequence[Any],
            firsts: Any, combined: Any, outcomes: Any) -> list[Any]:
    """Per open field, per unit, the weight of each outcome over every completion with
    it, from the combinations of classes (``combined``: their weights; ``firsts``: their
    outcomes) rather than from every row. A field in no part with several classes
    leaves the outcomes as they are; in a part, its units share each class's outcomes
    in proportion to the weight of the class's cells that give them."""
    import numpy as np

    outcomes_count = len(outcomes)
    out: list[Any] = [np.outer(np.asarray(w) / np.sum(w), outcomes) for w in unit_weights]
    grid = np.arange(len(firsts))
    for place, (axes, inverse, classes) in enumerate(layout.varying):
        count = len(classes)
        stride = math.prod(layout.counts[place + 1:])
        mine = (grid // stride) % count
        per_class = np.bincount(mine * outcomes_count + firsts, weights=combined,
                                minlength=count * outcomes_count
                                ).reshape(count, outcomes_count)
        cell_weight = cell_weights(axes, sizes, unit_weights)
        class_weight = np.bincount(inverse, weights=cell_weight, minlength=count)
        scale = np.divide(1.0, class_weight, out=np.zeros_like(class_weight),
                          where=class_weight > 0)
        units = np.unravel_index(np.arange(len(inverse)), [sizes[a] for a in axes])
        for n, axis in enumerate(axes):
            share = np.bincount(inverse * sizes[axis] + units[n], weights=cell_weight,
                                minlength=count * sizes[axis]).reshape(count, sizes[axis])
            out[axis] = (share * scale[:, None]).T @ per_class
    return out


def row_masks(rules: RuleSet, facts: Facts, names: Sequence[str], sizes: Sequence[int],
              picks: Sequence[Any] | None, rows: int,
              alternatives: bool) -> tuple[Any, Any, Alternatives, Layout | None] | None:
    """Per scored row, its combination of classes (an index); per combination, the
    first-place mask, and per alternative strength table (class, step) the masks under
    it; ``None`` where the tables do not serve (the caller scores rule by rule).

    ``names``: the open fields, each completed over ``sizes`` units; ``picks``: per open
    field its unit in each row, or ``None`` for every combination in order (the last
    field varying fastest, as ``itertools.product``); ``rows``: how many rows.
    """
    import numpy as np

    split = split_open(rules, facts, names, sizes)
    if split is None:
        return None
    constant, varying = split
    counts = [len(classes) for _, _, classes in varying]
    grid = math.prod(counts)
    if grid <= rows:
        code = _grid_code(varying, counts, sizes, picks, rows)
        vectors = constant.reshape((1,) * len(varying) + (WIDTH,))
        for axis, (_, _, classes) in enumerate(varying):
            shape = [1] * len(varying) + [WIDTH]
            shape[axis] = len(classes)
            vectors = vectors + classes.reshape(shape)
        vectors = vectors.reshape(-1, WIDTH)
    else:
        assert picks is not None  # a full grid of rows is never smaller than its classes
        if grid < 1 << 62:  # each row's classes as one number, in mixed radix
            combined, code = np.unique(_grid_code(varying, counts, sizes, picks, rows),
                                       return_inverse=True)
            chosen = np.stack(np.unravel_index(combined, counts))
        else:
            chosen, code = np.unique(np.stack([
                inverse.reshape(-1)[_cell(axes, picks, sizes)]
                for axes, inverse, _ in varying]), axis=1, return_inverse=True)
        code = code.reshape(-1)
        vectors = np.tile(constant, (chosen.shape[1], 1))
        for column, (_, _, classes) in enumerate(varying):  # whole rows: a fast gather
            vectors += np.take(classes, chosen[column], axis=0)
    # Per combination of classes, its vector as one column of the planes (WIDTH rows).
    return (*_firsts(np.ascontiguousarray(vectors.T), alternatives, code),
            Layout(varying, counts) if picks is None else None)


@dataclass(frozen=True)
class ClassCount:
    """Every completion counted through the combinations of part classes: per
    combination its first-place mask (and under each alternative table) and its weight,
    the total of its completions' weights."""

    firsts: Any
    alternatives: Alternatives
    weights: Any
    layout: Layout

    def masks_of(self, sizes: Sequence[int], picks: Sequence[Any]) -> Any:
        """The first-place mask of rows given as units (``picks``, per open field)."""
        code = _grid_code(self.layout.varying, self.layout.counts, sizes, picks,
                          len(picks[0]) if picks else 1)
        return self.firsts[code]


def class_count(rules: RuleSet, facts: Facts, names: Sequence[str], sizes: Sequence[int],
                unit_weights: Sequence[Any], alternatives: bool,
                most: int) -> ClassCount | None:
    """First places over every completion of the open fields ``names`` (``sizes``
    units each, weighed by ``unit_weights``), scored once per combination of part
    classes, when there are at most ``most`` such combinations; ``None`` beyond that or
    where the tables do not serve. Parts share no field, so a combination's weight is
    the product of each part's class weight (the weights of the part's cells in that
    class) and the total weight of the open fields in parts with one class."""
    import numpy as np

    split = split_open(rules, facts, names, sizes)
    if split is None:
        return None
    constant, varying = split
    counts = [len(classes) for _, _, classes in varying]
    if math.prod(counts) > most:
        return None
    vectors = constant.reshape((1,) * len(varying) + (WIDTH,))
    weight = np.ones([1] * len(varying))
    spanned: set[int] = set()
    for axis, (axes, inverse, classes) in enumerate(varying):
        shape = [1] * len(varying) + [WIDTH]
        shape[axis] = len(classes)
        vectors = vectors + classes.reshape(shape)
        class_weight = np.bincount(inverse, weights=cell_weights(axes, sizes, unit_weights),
                                   minlength=len(classes))
        shape = [1] * len(varying)
        shape[axis] = len(classes)
        weight = weight * class_weight.reshape(shape)
        spanned.update(axes)
    for axis, w in enumerate(unit_weights):
        if axis not in spanned:
            weight = weight * float(np.sum(w))
    grid = math.prod(counts)
    code = np.arange(grid, dtype=np.int64)
    _, firsts, alt = _firsts(np.ascontiguousarray(vectors.reshape(-1, WIDTH).T),
                             alternatives, code)
    return ClassCount(firsts, alt, np.broadcast_to(weight, counts).reshape(-1).astype(float),
                      Layout(varying, counts))


def cell_weights(axes: Sequence[int], sizes: Sequence[int], unit_weights: Sequence[Any]) -> Any:
    """Per cell of a part's open fields (C order), the product of its units' weights."""
    import numpy as np

    weight = np.ones([1] * len(axes))
    for n, axis in enumerate(axes):
        shape = [1] * len(axes)
        shape[n] = sizes[axis]
        weight = weight * np.asarray(unit_weights[axis], dtype=float).reshape(shape)
    return np.broadcast_to(weight, [sizes[a] for a in axes]).reshape(-1)


def split_open(rules: RuleSet, facts: Facts, names: Sequence[str], sizes: Sequence[int]
               ) -> tuple[Any, list[tuple[list[int], Any, Any]]] | None:
    """``_split`` for the open fields ``names`` (``sizes`` units each), or ``None`` where
    the rule set's tables do not serve these fields."""
    tables = count_tables(rules)
    if tables is None:
        return None
    if any(name in tables.units and len(tables.units[name]) != size
           for name, size in zip(names, sizes, strict=True)):
        return None
    return _split(tables, rules, facts, {name: i for i, name in enumerate(names)})


def _split(tables: CountTables, rules: RuleSet, facts: Facts, index: Mapping[str, int]
           ) -> tuple[Any, list[tuple[list[int], Any, Any]]] | None:
    """The vector of the parts with one class, and per other part its open fields (their
    places in ``index``), its cells' classes and its class vectors (``None`` when a known
    answer falls in no unit)."""
    constant = tables.constant.copy()
    varying: list[tuple[list[int], Any, Any]] = []
    for part, part_fields in enumerate(tables.fields):
        pattern = []
        for name in part_fields:
            if name in index:
                pattern.append(-1)
            elif name in facts:
                unit = tables.unit_of(rules, name, facts[name])
                if unit is None:
                    return None
                pattern.append(unit)
            else:
                pattern.append(len(tables.units[name]))
        inverse, classes = _classes(tables, part, tuple(pattern))
        if len(classes) == 1:
            constant += classes[0]
        else:
            varying.append(([index[n] for n in part_fields if n in index], inverse, classes))
    return constant, varying


def _firsts(planes: Any, alternatives: bool, code: Any) -> tuple[Any, Any, Alternatives]:
    """``code``, and the first-place masks of each vector (a column of ``planes``) under
    each table (an alternative that moves no points in any of them has the table in
    use's masks).

    Each approach's scores under every table lie in one contiguous plane (tables by
    vectors): numpy compares whole planes far faster than along a short last axis.
    """
    import numpy as np

    scores, keys = planes[:COUNT], planes[COUNT:2 * COUNT]
    moving: list[tuple[StrengthClass, Any]] = []
    still: list[StrengthClass] = []
    for place, strength in enumerate(ALTERNATIVE_CLASSES if alternatives else ()):
        shift = planes[COUNT * (2 + place):COUNT * (3 + place)]
        if shift.any():
            moving.append((strength, shift))
        else:
            still.append(strength)
    stack = np.empty((COUNT, 1 + 2 * len(moving), planes.shape[1]), dtype=planes.dtype)
    stack[:, 0] = scores
    for n, (_, shift) in enumerate(moving):
        stack[:, 1 + 2 * n] = scores + shift
        stack[:, 2 + 2 * n] = scores - shift
    at_top, masks = _plane_bits(stack)
    table, row = np.nonzero(masks & (masks - 1))
    if len(row):  # only rows level on points need the tie-break
        masks[table, row] = _plane_bits(np.where(at_top[:, table, row], keys[:, row], -1))[1]
    alt: Alternatives = {}
    for n, (strength, _) in enumerate(moving):
        alt[(strength, 1)], alt[(strength, -1)] = masks[1 + 2 * n], masks[2 + 2 * n]
    for strength in still:
        alt[(strength, 1)] = alt[(strength, -1)] = masks[0]
    return code, masks[0], {key: alt[key] for key in sorted(alt, key=_table_order)}


def _plane_bits(planes: Any) -> tuple[Any, Any]:
    """Along the first axis (approaches, one plane each): where the most is, and that as
    a bit mask."""
    import numpy as np

    most = planes[0]
    for approach in range(1, len(planes)):
        most = np.maximum(most, planes[approach])
    at_top = planes == most[None]
    masks = at_top[0].astype(np.int64)
    for approach in range(1, len(planes)):
        masks |= at_top[approach].astype(np.int64) << approach
    return at_top, masks


def _table_order(key: tuple[StrengthClass, int]) -> tuple[int, int]:
    """Alternative tables in their usual order: by class, one step up first."""
    return ALTERNATIVE_CLASSES.index(key[0]), -key[1]


def _cell(axes: Sequence[int], picks: Sequence[Any], sizes: Sequence[int]) -> Any:
    """Per row, the flat index of its cell among a part's open fields (C order)."""
    cell = picks[axes[0]]
    for axis in axes[1:]:
        cell = cell * sizes[axis] + picks[axis]
    return cell


def _grid_code(varying: Sequence[tuple[list[int], Any, Any]], counts: Sequence[int],
               sizes: Sequence[int], picks: Sequence[Any] | None, rows: int) -> Any:
    """Per row, its combination of classes as one index (the first part's most
    significant)."""
    import numpy as np

    strides = [math.prod(counts[i + 1:]) for i in range(len(counts))]
    if picks is not None:
        code: Any = np.zeros(rows, dtype=np.int64)
        for (axes, inverse, _), stride in zip(varying, strides, strict=True):
            code = code + inverse.reshape(-1)[_cell(axes, picks, sizes)] * stride
        return code
    code = np.zeros([1] * len(sizes), dtype=np.int64)
    for (axes, inverse, _), stride in zip(varying, strides, strict=True):
        shape = [sizes[a] if a in axes else 1 for a in range(len(sizes))]
        code = code + inverse.reshape(shape) * stride
    return np.broadcast_to(code, tuple(sizes)).reshape(-1)


def _classes(tables: CountTables, part: int, pattern: tuple[int, ...]) -> tuple[Any, Any]:
    """A part's open cells (C order over its open fields) grouped by their vectors: each
    cell's class and each class's vector (in the tables' integers), kept per pattern of
    known answers (-1: open)."""
    import numpy as np

    key = (part, *pattern)
    found = tables.blocks.get(key)
    if found is None:
        names = tables.fields[part]
        block = tables.tables[part][tuple(
            slice(0, len(tables.units[name])) if at < 0 else at
            for name, at in zip(names, pattern, strict=True))]
        classes, inverse = np.unique(block.reshape(-1, WIDTH), axis=0, return_inverse=True)
        found = (inverse.reshape(-1), classes.astype(tables.dtype))
        size = found[0].nbytes + found[1].nbytes
        if tables.blocks_bytes[0] + size <= BLOCK_BYTES_KEPT:
            tables.blocks[key] = found
            tables.blocks_bytes[0] += size
    return found
