"""The scores split into independent parts, and what the parts prove.

Fields that no scoring rule links are apart: a context's scores are a constant plus one
small table per part, so bounds, settledness and the two-step look-ahead of the next
questions are exact whatever the number of unknown fields, at the cost of a few tables
(under ``PARTS_BUDGET``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._engines.plan import APPROACHES, Scores, ScoringPlan
from .._reasoning.groups import group_points, score_groups
from .tallies import counts_by_answer, first_places, keeps_first

LOOKAHEAD_BUDGET = 2_000_000
"""Cells (answer pairs times approaches squared) the two-step look-ahead may fill; with
more answers than that allows (custom rules that split a count into hundreds of
ranges), questions look one step ahead only."""

PARTS_BUDGET = 1 << 20
"""Cells the tables of ``parts_of`` may hold in all (a work budget): a rule set whose
fields interact more widely than that gets no parts, and its analyses work as before."""


@dataclass(frozen=True, eq=False)
class Parts:
    """The scores split into independent parts: fields that no scoring rule links are apart.

    Each part is a group of fields that scoring rules read together (through findings
    too), with a table of the points its rules give for every answer of its fields, the
    unknown answer included (the last index on each axis). A context's scores are
    ``constant`` plus each part's table at its codes, so the most an approach can gain on
    another over every completion is a sum of per-part maxima: exact whatever the number
    of unknown fields, at the cost of a few small tables.
    """

    fields: tuple[tuple[str, ...], ...]
    """Per part, its fields."""
    tables: tuple[Any, ...]
    """Per part, points (one axis per field, sized its classes and one more for unknown,
    then approaches)."""
    constant: Scores
    """Points of rules that read no field."""
    part_of: dict[str, int]
    """The part of each field some scoring rule reads."""
    pieces: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)
    """What each part gives the look-ahead, by pattern of its fields' codes (``_piece``)."""


def parts_of(plan: ScoringPlan) -> Parts | None:
    """The plan's scores split into parts (built once per plan), or ``None`` over budget."""
    return plan.kept("parts", lambda: _build_parts(plan))


def _build_parts(plan: ScoringPlan) -> Parts | None:
    groups = score_groups(plan)
    cells = 0
    for positions in groups.positions:
        size = len(APPROACHES)
        for position in positions:
            size *= len(plan.classes[plan.fields[position]]) + 1
        cells += size
        if cells > PARTS_BUDGET:
            return None
    constant = group_points(plan, (), groups.constant)
    fields: list[tuple[str, ...]] = []
    tables: list[Any] = []
    part_of: dict[str, int] = {}
    for positions, rules in zip(groups.positions, groups.rules, strict=True):
        names = tuple(plan.fields[position] for position in positions)
        for name in names:
            part_of[name] = len(fields)
        fields.append(names)
        tables.append(group_points(plan, positions, rules, with_unknown=True))
    return Parts(tuple(fields), tuple(tables), tuple(int(v) for v in constant), part_of)


def part_scores(parts: Parts, codes: Mapping[str, int]) -> Scores:
    """The scores of a context given by class codes (absent fields: unknown)."""
    total = list(parts.constant)
    for names, table in zip(parts.fields, parts.tables, strict=True):
        index = tuple(codes.get(name, table.shape[axis] - 1) for axis, name in enumerate(names))
        for approach, points in enumerate(table[index].tolist()):
            total[approach] += points
    return tuple(total)


def parts_rows(parts: Parts, columns: Mapping[str, Any]) -> Any:
    """The scores of many contexts at once (rows by approaches), from one array of class
    codes per field (the unknown answer coded as one past its classes)."""
    import numpy as np

    rows = len(next(iter(columns.values())))
    scores = np.tile(np.asarray(parts.constant, dtype=np.int64), (rows, 1))
    for names, table in zip(parts.fields, parts.tables, strict=True):
        scores += table[tuple(columns[name] for name in names)]
    return scores


def part_gaps(parts: Parts, codes: Mapping[str, int], top: int,
              domains: Mapping[str, Sequence[int]] | None = None) -> list[int]:
    """Per approach, the most its score can exceed ``top``'s over every completion of the
    fields absent from ``codes`` (exact: a sum over parts), each over its ``domains``
    codes where given, else over all its classes."""
    import numpy as np

    gaps = [parts.constant[j] - parts.constant[top] for j in range(len(APPROACHES))]
    within = domains or {}
    for names, table in zip(parts.fields, parts.tables, strict=True):
        if any(name in within for name in names if name not in codes):
            block = table[np.ix_(*(
                [codes[name]] if name in codes
                else within.get(name, range(table.shape[axis] - 1))
                for axis, name in enumerate(names)))]
        else:
            block = table[tuple(codes[name] if name in codes
                                else slice(0, table.shape[axis] - 1)
                                for axis, name in enumerate(names))]
        block = block.reshape(-1, len(APPROACHES))
        best = (block - block[:, top:top + 1]).max(axis=0).tolist()
        for approach, gain in enumerate(best):
            gaps[approach] += gain
    return gaps


def settled_by_parts(parts: Parts, codes: Mapping[str, int], top: int,
                     domains: Mapping[str, Sequence[int]] | None = None) -> bool:
    """Whether every completion of the fields absent from ``codes`` (over their ``domains``
    where given) keeps ``top`` first."""
    return keeps_first(part_gaps(parts, codes, top, domains), top)


def tops_by_parts(parts: Parts, codes: Mapping[str, int]) -> frozenset[int]:
    """The approaches that rank first in some completion of the fields absent from ``codes``.

    An approach can come first when some completion puts it ahead of every earlier
    approach and level with or ahead of every later one: per part, only the best trades
    between those margins matter (the Pareto front), and fronts add part by part.
    """
    import numpy as np

    blocks = []
    for names, table in zip(parts.fields, parts.tables, strict=True):
        block = table[tuple(codes[name] if name in codes else slice(0, table.shape[axis] - 1)
                            for axis, name in enumerate(names))]
        blocks.append(block.reshape(-1, len(APPROACHES)))
    found = set()
    for candidate in range(len(APPROACHES)):
        others = [k for k in range(len(APPROACHES)) if k != candidate]
        need = np.array([1 if k < candidate else 0 for k in others])
        front = np.array([[parts.constant[candidate] - parts.constant[k] for k in others]])
        for block in blocks:
            margins = block[:, [candidate]] - block[:, others]
            front = _pareto((front[:, None, :] + _pareto(margins)[None, :, :])
                            .reshape(-1, len(others)))
        if (front >= need).all(axis=1).any():
            found.add(candidate)
    return frozenset(found)


def _pareto(points: Any) -> Any:
    """The points no other point matches or beats in every coordinate (duplicates once)."""
    import numpy as np

    points = np.unique(points, axis=0)
    if len(points) <= 1:
        return points
    covers = (points[:, None, :] >= points[None, :, :]).all(axis=2)
    np.fill_diagonal(covers, False)
    return points[~covers.any(axis=0)]


def lookahead(parts: Parts, codes: Mapping[str, int],
              answers: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """Per unknown field (``answers``: the codes it may take), about how many more
    questions first place needs once it is answered (see ``lookahead_detail``)."""
    return lookahead_detail(parts, codes, answers)[0]


def lookahead_detail(parts: Parts, codes: Mapping[str, int], answers: Mapping[str, Sequence[int]]
               ) -> tuple[dict[str, float], dict[str, list[list[int]]], tuple[Scores, Scores]]:
    """Per unknown field, about how many more questions are needed once it is answered;
    the scores after each of its answers alone; and the exact score ranges.

    Two steps ahead: for each answer of the field, 0 if it settles first place, else 1
    plus the best next field's average over its answers of 0 if both settle, else 1 plus
    ``log(1 + shortfall)``, the points by which the other approaches could still catch
    the leader. Answers count equally (as in the completions). Exact by parts: what one
    or two answers do to each part is read from its small table, for every answer pair
    at once. Beyond ``LOOKAHEAD_BUDGET``, one step: 0 if the answer settles, else 1 plus
    ``log(1 + shortfall)``.
    """
    import numpy as np

    fields = list(answers)
    units = [(name, code) for name in fields for code in answers[name]]
    size = len(units)
    pairs = size * size * len(APPROACHES) ** 2 <= LOOKAHEAD_BUDGET
    sums = _effects(parts, codes, answers, {unit: u for u, unit in enumerate(units)}, pairs)
    now_gain, now_score, low, high, gain_by, score_by, within = sums
    one = _shortfall(now_gain + gain_by, now_score + score_by)
    owner = np.array([fields.index(name) for name, _ in units], dtype=np.int64)
    sizes = np.bincount(owner, minlength=len(fields))
    alone = (now_score + score_by).tolist()
    starts = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    scores_after = {name: alone[starts[f]:starts[f + 1]] for f, name in enumerate(fields)}
    ranges = (tuple(low.tolist()), tuple(high.tolist()))
    if not pairs:
        after = np.where(one > 0, 1 + np.log1p(one), 0.0)
    else:
        pair_gain = gain_by[:, None] + gain_by[None, :]
        pair_score = score_by[:, None] + score_by[None, :]
        for rows, columns, gain, score in within:
            # A field's answers are consecutive units, so each block is a pair of slices.
            across = slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1)
            pair_gain[across] = gain
            pair_gain[across[::-1]] = gain.transpose(1, 0, 2, 3)
            pair_score[across] = score
            pair_score[across[::-1]] = score.transpose(1, 0, 2)
        two = _shortfall(now_gain + pair_gain, now_score + pair_score)
        cost = np.where(two > 0, 1 + np.log1p(two), 0.0)
        per_field = np.add.reduceat(cost, np.concatenate([[0], np.cumsum(sizes)[:-1]]),
                                    axis=1) / sizes
        per_field[np.arange(size), owner] = np.inf
        best_next = per_field.min(axis=1) if len(fields) > 1 else np.zeros(size)
        after = np.where(one > 0, 1 + best_next, 0.0)
    totals = np.bincount(owner, weights=after, minlength=len(fields)) / sizes
    return ({name: round(float(totals[f]), 9) for f, name in enumerate(fields)},
            scores_after, ranges)


def _effects(parts: Parts, codes: Mapping[str, int], answers: Mapping[str, Sequence[int]],
             unit_of: Mapping[tuple[str, int], int], pairs: bool) -> tuple[Any, ...]:
    """Summed over the parts: the most each approach gains on each other now, the scores
    now, the lowest and highest scores; per answer (unit), what it changes in both; and
    with ``pairs``, per two fields of one part, what each pair of their answers changes."""
    import numpy as np

    count = len(APPROACHES)
    size = len(unit_of)
    now_gain = np.zeros((count, count), dtype=np.int64)
    now_score = np.array(parts.constant, dtype=np.int64)
    low, high = now_score.copy(), now_score.copy()
    gain_by = np.zeros((size, count, count), dtype=np.int64)
    score_by = np.zeros((size, count), dtype=np.int64)
    within: list[tuple[Any, Any, Any, Any]] = []
    for part, names in enumerate(parts.fields):
        gain, score, part_low, part_high, singles, doubles = _piece(
            parts, part, codes, answers, pairs)
        now_gain += gain
        now_score += score
        low += part_low
        high += part_high
        for axis, (gains, scores) in singles:
            mine = [unit_of[(names[axis], code)] for code in answers[names[axis]]]
            gain_by[mine] = gains
            score_by[mine] = scores
        for first, second, gains, scores in doubles:
            within.append(([unit_of[(names[first], c)] for c in answers[names[first]]],
                           [unit_of[(names[second], c)] for c in answers[names[second]]],
                           gains, scores))
    return now_gain, now_score, low, high, gain_by, score_by, within


_PIECES_KEPT = 200_000
"""Parts' pieces ``_piece`` keeps per rule set (each a few small arrays)."""


def _piece(parts: Parts, part: int, codes: Mapping[str, int],
           answers: Mapping[str, Sequence[int]], pairs: bool) -> tuple[Any, ...]:
    """What one part gives ``_effects``, worked out once per part and pattern of its
    fields' codes (a known code, or unknown over every answer) and kept: a part's
    effects depend on its own fields alone, and its patterns are few."""
    names, table = parts.fields[part], parts.tables[part]
    full = all(name in codes or list(answers[name]) == list(range(table.shape[axis] - 1))
               for axis, name in enumerate(names))
    key = (part, pairs, *(codes.get(name, -1) for name in names))
    found = parts.pieces.get(key) if full else None
    if found is None:
        found = _work_out_piece(table, names, codes, answers, pairs)
        if full and len(parts.pieces) < _PIECES_KEPT:
            parts.pieces[key] = found
    return found


def _work_out_piece(table: Any, names: Sequence[str], codes: Mapping[str, int],
                    answers: Mapping[str, Sequence[int]], pairs: bool) -> tuple[Any, ...]:
    """One part's gains and scores now, its lowest and highest scores, and per free field
    (and with ``pairs``, per two free fields) what their answers change."""
    import numpy as np

    count = len(APPROACHES)
    index = [[codes[name]] if name in codes else list(answers[name]) for name in names]
    block = _block(table, index)
    spread = block[..., :, None] - block[..., None, :]  # (fields..., j, t): j's gain
    axes = tuple(range(len(names)))
    gain = spread.max(axis=axes)
    blank = [codes.get(name, table.shape[axis] - 1) for axis, name in enumerate(names)]
    score = table[tuple(blank)]
    free = [axis for axis, name in enumerate(names) if name not in codes]
    singles = []
    for axis in free:
        others = tuple(a for a in axes if a != axis)
        moved: list[Any] = list(blank)
        moved[axis] = np.asarray(index[axis])
        singles.append((axis, (
            spread.max(axis=others).reshape(len(index[axis]), count, count) - gain,
            table[tuple(moved)] - score)))
    doubles = []
    for place, first in enumerate(free if pairs else ()):
        for second in free[place + 1:]:
            rest = tuple(a for a in axes if a not in (first, second))
            pair = spread.max(axis=rest) if rest else spread
            pair = pair.reshape(len(index[first]), len(index[second]), count, count)
            moved = list(blank)
            moved[first] = np.asarray(index[first])[:, None]
            moved[second] = np.asarray(index[second])[None, :]
            doubles.append((first, second, pair - gain, table[tuple(moved)] - score))
    return gain, score, block.min(axis=axes), block.max(axis=axes), singles, doubles


def _block(table: Any, index: Sequence[Sequence[int]]) -> Any:
    """The cells of a part's table at these codes per field (then approaches), as slices
    where the codes run in order (the usual case), else by fancy indexing."""
    import numpy as np

    if all(len(codes) == 1 or list(codes) == list(range(codes[0], codes[0] + len(codes)))
           for codes in index):
        return table[tuple(slice(codes[0], codes[0] + len(codes)) for codes in index)]
    return table[np.ix_(*index)]


def _shortfall(gain: Any, score: Any) -> Any:
    """Points by which other approaches could still catch the leader (0: settled)."""
    import numpy as np

    count = len(APPROACHES)
    top = score.argmax(axis=-1)
    reach = np.take_along_axis(gain, top[..., None, None], axis=-1)[..., 0]  # (..., j)
    later = np.arange(count) > top[..., None]
    return np.maximum(0, reach - later + 1 - (np.arange(count) == top[..., None])).sum(axis=-1)


def known_base(parts: Parts, known: Mapping[str, int]) -> tuple[Any, list[tuple[int, list[str]]]]:
    """The constant plus every part whose fields are all in ``known`` (an int64 vector),
    and each other part with its fields not in ``known``."""
    import numpy as np

    base = np.asarray(parts.constant, dtype=np.int64)
    open_parts = []
    for part, (names, table) in enumerate(zip(parts.fields, parts.tables, strict=True)):
        free = [name for name in names if name not in known]
        if free:
            open_parts.append((part, free))
        else:
            base = base + table[tuple(known[name] for name in names)]
    return base, open_parts


def tops_apart(parts: Parts, known: Mapping[str, int], unknown: list[str],
               codes: Mapping[str, list[int]]) -> dict[str, list[list[int]]]:
    """``_tops_by_answer`` of every completion, counted from the parts' tables.

    Exact counts, part by part: within a part, combinations of answers that give the
    same points are one class, weighted by its size, so the completions enumerated are
    the combinations of classes across parts (often far fewer than of answers). A
    class's count is shared evenly by the combinations in it. Fields that no scoring
    rule reads are not enumerated: each of their answers leaves the same completions,
    so their counts are the others' totals, scaled.
    """
    import numpy as np

    count = len(APPROACHES)
    base, open_parts = known_base(parts, known)
    grids = []  # per part with free fields: (free fields, class of each cell, classes)
    bound = 0
    for part, free in open_parts:
        _, classes, most, sizes, answers = _classes(parts, part, known, codes)
        grids.append((free, classes, sizes, answers))
        bound += most
    bound += int(np.abs(base).max())
    dtype = np.int16 if bound < 2 ** 15 else np.int64
    axes = len(grids)
    pieces: dict[tuple[int, ...], Any] = {}
    weights: Any = np.ones((1,) * axes, dtype=np.int64)
    for axis, (_, classes, sizes, _) in enumerate(grids):
        shape = tuple(len(classes) if a == axis else 1 for a in range(axes))
        block = classes.astype(dtype).reshape(*shape, count)
        pieces[shape] = pieces[shape] + block if shape in pieces else block  # one class
        weights = weights * sizes.reshape(shape)
    pieces = add_smallest_first(pieces)
    total = (next(iter(pieces.values())) if pieces
             else np.zeros((*([1] * axes), count), dtype=dtype))
    firsts = [first * weights for first in first_places(total + base.astype(dtype))]
    everything = np.array([int(first.sum()) for first in firsts], dtype=np.int64)
    counted = counts_by_answer(firsts, [str(axis) for axis in range(axes)]) if axes else {}
    return answer_counts(parts, unknown, codes, grids,
                         [np.asarray(counted[str(axis)], dtype=np.int64)
                          for axis in range(axes)], everything)


def answer_counts(parts: Parts, unknown: Sequence[str], codes: Mapping[str, list[int]],
                  grids: Sequence[tuple[list[str], Any, Any, Any]], per_class: Sequence[Any],
                  everything: Any) -> dict[str, list[list[int]]]:
    """Per unknown field and answer, the first places counted per class of each part's
    free cells (``per_class``, one array per part in ``grids``: classes by approaches),
    spread to the answers: a class's count is shared evenly by its combinations of
    answers, and a field no scoring rule reads gets the totals (``everything``), scaled."""
    scale = 1
    for name in unknown:
        if name not in parts.part_of:
            scale *= len(codes[name])
    out: dict[str, list[list[int]]] = {}
    for (free, _, sizes, answers), counted in zip(grids, per_class, strict=True):
        by_answer = (answers.T @ (counted // sizes[:, None]) * scale).tolist()
        start = 0
        for name in free:
            out[name] = by_answer[start:start + len(codes[name])]
            start += len(codes[name])
    for name in unknown:
        if name not in out:
            each = (everything * (scale // len(codes[name]))).tolist()
            out[name] = [list(each) for _ in codes[name]]
    return out


def _classes(parts: Parts, part: int, known: Mapping[str, int],
             codes: Mapping[str, list[int]]) -> tuple[Any, Any, int, Any, Any]:
    """A part's combinations of answers to its free fields (C order) grouped by the points
    they give: each one's class, each class's points, the largest point, each class's
    size, and per class how many of its combinations give each answer of each free field
    (in field order), worked out once per pattern of the part's codes (as ``_piece``)."""
    import numpy as np

    names, table = parts.fields[part], parts.tables[part]
    full = all(name in known or list(codes[name]) == list(range(table.shape[axis] - 1))
               for axis, name in enumerate(names))
    key = ("classes", part, *(known.get(name, -1) for name in names))
    found = parts.pieces.get(key) if full else None
    if found is None:
        index = [[known[name]] if name in known else codes[name] for name in names]
        cells = _block(table, index).reshape(-1, len(APPROACHES))
        low = cells.min(axis=0)
        radix = [int(r) for r in cells.max(axis=0) - low + 1]
        if math.prod(radix) < 2 ** 62:  # each row as one number, in mixed radix
            steps = np.asarray([math.prod(radix[:i]) for i in range(len(radix))])
            _, first, inverse = np.unique(((cells - low) * steps).sum(axis=1),
                                          return_index=True, return_inverse=True)
            classes = cells[first]
        else:
            classes, inverse = np.unique(cells, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        free = [len(codes[name]) for name in names if name not in known]
        cell_of = np.arange(len(inverse)).reshape(free)
        answers = np.zeros((len(classes), sum(free)), dtype=np.int64)
        column = 0
        for place, size in enumerate(free):
            for answer in range(size):  # how many cells of each class give this answer
                answers[:, column] = np.bincount(
                    inverse[np.take(cell_of, answer, axis=place).reshape(-1)],
                    minlength=len(classes))
                column += 1
        found = (inverse, classes, int(np.abs(classes).max()),
                 np.bincount(inverse, minlength=len(classes)), answers)
        if full and len(parts.pieces) < _PIECES_KEPT:
            parts.pieces[key] = found
    return found


def add_smallest_first(pieces: dict[tuple[int, ...], Any]) -> dict[tuple[int, ...], Any]:
    """Arrays keyed by their broadcast shape, added into one: each time the pair whose
    union is smallest, so that the big additions come last (empty stays empty)."""
    pieces = dict(pieces)
    while len(pieces) > 1:
        keys = list(pieces)
        best: tuple[int, tuple[int, ...], tuple[int, ...]] | None = None
        for i, left in enumerate(keys):
            for right in keys[i + 1:]:
                size = 1
                for a, b in zip(left, right, strict=True):
                    size *= max(a, b)
                if best is None or size < best[0]:
                    best = (size, left, right)
        assert best is not None
        _, left, right = best
        merged = pieces.pop(left) + pieces.pop(right)
        key = tuple(max(a, b) for a, b in zip(left, right, strict=True))
        pieces[key] = pieces[key] + merged if key in pieces else merged
    return pieces
