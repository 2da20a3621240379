"""Many contexts at once: results in input order, bad items reported, not raised."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .._engines.choose import EngineChoice
from .._engines.plan import APPROACHES, ScoringPlan, plan_for
from .._errors import nearest
from .._model.context import Approach, Context
from .._model.fields import FIELDS
from .._printable import one_line
from .._rulebook.evaluation import Facts
from .._rulebook.ruleset import RuleSet
from .facts import facts_of
from .recommend import Recommendation, recommend


class BatchItem(BaseModel):
    """One input's result: a recommendation, or the error that stopped it."""

    model_config = ConfigDict(frozen=True)

    index: int
    """The item's position in the input, from 0."""
    recommendation: Recommendation | None = None
    error: str | None = None
    """What was wrong with the item, naming the field, when there is no recommendation."""

    @property
    def ok(self) -> bool:
        """Whether the item produced a recommendation."""
        return self.recommendation is not None


def describe_validation_error(error: ValidationError) -> str:
    """A pydantic error in one line a non-programmer can act on: field, problem, value."""
    parts = []
    for detail in error.errors(include_url=False):
        field = ".".join(str(part) for part in detail["loc"]) or "context"
        message = str(detail["msg"])
        if detail["type"] == "extra_forbidden":
            message = "is not a context field"
            guess = nearest(field, FIELDS)
            if guess:
                message += f" (did you mean '{guess}'?)"
            parts.append(f"'{field}' {message}")
            continue
        parts.append(f"{field}: {message} (got {detail.get('input')!r})")
    return one_line("; ".join(parts))  # field names are the user's keys, shown inert


def recommend_many(
    contexts: Iterable[Context | Mapping[str, Any]],
    *,
    rules: RuleSet | None = None,
    engine: EngineChoice = "auto",
) -> list[BatchItem]:
    """Recommend for every context, in order; an item's bad input becomes its ``error``."""
    results: list[BatchItem] = []
    for index, context in enumerate(contexts):
        try:
            rec = recommend(context, rules=rules, engine=engine)
        except ValidationError as error:
            results.append(BatchItem(index=index, error=describe_validation_error(error)))
        except TypeError as error:
            results.append(BatchItem(index=index, error=str(error)))
        else:
            results.append(BatchItem(index=index, recommendation=rec))
    return results


WITNESS_SAMPLES = 16
"""Random completions tried per row, as one array, before a row's full outlook is needed."""

DEFAULT_CHUNK = 10_000
"""Rows scored together by ``survey``: large enough for arrays to pay, small in memory."""


@dataclass(frozen=True)
class SurveyRow:
    """The columns a survey needs for one context, without a full ``Recommendation``."""

    top: Approach
    """The best-fitting approach (ties broken by the order of ``Approach``)."""
    scores: dict[Approach, int]
    settled: bool
    """Whether no answers to the unknown fields could change the top approach (as
    ``Recommendation.is_settled``)."""
    fired_rules: tuple[str, ...]
    """The scoring and concluding rules that fired, sorted (as ``Recommendation.fired_rules``)."""


def survey(
    contexts: Iterable[Context | Mapping[str, Any]],
    *,
    rules: RuleSet | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Iterator[SurveyRow | str]:
    """Top approach, scores, settledness and fired rules for each context, in order.

    Scored chunk by chunk as arrays on the compiled core (the python engine's
    semantics, which durable-rules shares). A context that does not validate
    gives the text of its error instead, naming the field.
    """
    from .recommend import _shipped_rules

    ruleset = rules if rules is not None else _shipped_rules()
    plan = plan_for(ruleset)
    pending: list[Context | str] = []
    for item in contexts:
        pending.append(_validated(item))
        if len(pending) >= chunk_size:
            yield from _survey_chunk(plan, pending, facts_of)
            pending = []
    if pending:
        yield from _survey_chunk(plan, pending, facts_of)


def _validated(item: Context | Mapping[str, Any]) -> Context | str:
    if isinstance(item, Context):
        return item
    if not isinstance(item, Mapping):
        return ("the context must be a Context or a mapping of field names to values, "
                f"not {type(item).__name__}")
    try:
        return Context.model_validate(dict(item))
    except ValidationError as error:
        return describe_validation_error(error)


def _survey_chunk(plan: ScoringPlan, items: list[Context | str],
                  facts_of: Callable[[Context], Facts]) -> Iterator[SurveyRow | str]:
    valid = [item for item in items if isinstance(item, Context)]
    rows = [facts_of(item) for item in valid]
    results = iter(survey_facts(plan, rows)) if rows else iter(())
    for item in items:
        yield item if isinstance(item, str) else next(results)


def survey_facts(plan: ScoringPlan, rows: Sequence[Facts]) -> list[SurveyRow]:
    """``survey`` for rows of facts (known rule fields, JSON-normal), as arrays."""
    import numpy as np

    columns = plan.encode(rows)
    scores, fired = plan.score_rows(columns)
    settled = _settledness(plan, rows, columns, scores, fired)
    tops = scores.argmax(axis=1)
    ids = [rule.id for rule in plan.all_rules if not rule.advises]
    order = np.argsort(np.asarray(ids, dtype=object))
    sorted_ids = [ids[i] for i in order]
    packed = np.packbits(fired[:, order], axis=1)
    names: dict[bytes, tuple[str, ...]] = {}
    out = []
    for row in range(len(rows)):
        key = packed[row].tobytes()
        fired_ids = names.get(key)
        if fired_ids is None:
            hits = fired[row, order]
            fired_ids = tuple(rule_id for rule_id, hit in zip(sorted_ids, hits, strict=True)
                              if hit)
            names[key] = fired_ids
        values = scores[row].tolist()
        out.append(SurveyRow(top=APPROACHES[int(tops[row])],
                             scores=dict(zip(APPROACHES, values, strict=True)),
                             settled=bool(settled[row]), fired_rules=fired_ids))
    return out


def _settledness(plan: ScoringPlan, rows: Sequence[Facts], columns: list[Any], scores: Any,
                 fired: Any) -> Any:
    """Per row, ``Recommendation.is_settled``: bounds, then witnesses, then the outlook."""
    import numpy as np

    from .analysis import settled_exactly, settled_rows

    tabled = settled_rows(plan, columns, scores)
    if tabled is not None:
        return tabled
    count = len(rows)
    unknown = np.zeros((count, len(plan.classes)), dtype=bool)
    for position, name in enumerate(plan.classes):
        unknown[:, position] = columns[position] == len(plan.classes[name])
    settled = ~unknown.any(axis=1)
    scoring = [rule for rule in range(len(plan.all_rules)) if not plan.all_rules[rule].advises]
    could = plan.fire_arrays(columns, scoring, possible=True)
    maybe = np.zeros_like(fired)
    for column, rule in enumerate(scoring):
        maybe[:, column] = np.broadcast_to(could[rule], (count,))
    maybe &= ~fired
    _, vectors = plan.tables()
    vectors = vectors[scoring]
    spread = maybe.astype(np.float64)
    low = scores + np.rint(spread @ np.minimum(vectors, 0).astype(np.float64)).astype(np.int64)
    high = scores + np.rint(spread @ np.maximum(vectors, 0).astype(np.float64)).astype(np.int64)
    tops = scores.argmax(axis=1)
    top_low = low[np.arange(count), tops]
    proven = np.ones(count, dtype=bool)
    for other in range(len(APPROACHES)):
        beaten = (high[:, other] > top_low) | ((high[:, other] == top_low) & (other < tops))
        proven &= (tops == other) | ~beaten
    open_rows = np.flatnonzero(~settled & ~proven)
    settled |= proven
    if not len(open_rows):
        return settled
    rng = np.random.default_rng(0)
    repeated = np.repeat(open_rows, WITNESS_SAMPLES)
    trial = []
    for position, name in enumerate(plan.fields):
        column = columns[position][repeated].copy()
        if name in plan.classes:
            size = len(plan.classes[name])
            blank = column == size
            column[blank] = rng.integers(0, size, size=int(blank.sum()))
        trial.append(column)
    trial_scores, _ = plan.score_rows(trial)
    differs = (trial_scores.argmax(axis=1) != tops[repeated]).reshape(-1, WITNESS_SAMPLES)
    witnessed = differs.any(axis=1)
    unproven = open_rows[~witnessed]
    if len(unproven):
        proved = _field_by_field(plan, columns, unproven, unknown[unproven], scores[unproven],
                                 tops[unproven], maybe[unproven], vectors)
        settled[unproven[proved]] = True
        unproven = unproven[~proved]
    order = list(plan.classes)
    for row in unproven.tolist():
        facts = rows[row]
        fired_ids = frozenset(plan.rules[column].id for column in np.flatnonzero(fired[row]))
        row_scores = tuple(int(v) for v in scores[row])
        settled[row] = bool(settled_exactly(plan, facts, row_scores, fired_ids, order))
    return settled


def _field_by_field(plan: ScoringPlan, columns: list[Any], which: Any, unknown: Any,
                    scores: Any, tops: Any, candidates: Any, vectors: Any) -> Any:
    """Prove settledness where a tighter bound does: rules that hinge on one unknown field
    are scored for each of its answers (only one answer holds at a time); rules that hinge
    on several count their best case. Sound (never claims settled wrongly)."""
    import numpy as np

    names = list(plan.classes)
    reads = np.array([[name in fields for name in names] for fields in plan.fields_of],
                     dtype=np.int64)
    hinges = unknown.astype(np.int64) @ reads.T  # (rows, rules): unknown fields each reads
    several = candidates & (hinges >= 2)
    single = candidates & (hinges == 1)
    pieces = [(row, position, len(plan.classes[names[position]]))
              for row in range(len(unknown)) for position in np.flatnonzero(unknown[row])]
    count = len(APPROACHES)
    gap_now = scores - scores[np.arange(len(tops)), tops][:, None]  # (rows, approaches)
    best = np.zeros((len(tops), count), dtype=np.int64)  # the most each gap can still grow
    if pieces:
        sizes = np.array([p[2] for p in pieces])
        owner = np.repeat(np.array([p[0] for p in pieces]), sizes)
        field = np.repeat(np.array([p[1] for p in pieces]), sizes)
        answer = np.concatenate([np.arange(size) for size in sizes])
        trial = [np.asarray(column)[which][owner] for column in columns]
        for position in range(len(names)):
            chosen = field == position
            trial[position][chosen] = answer[chosen]
        _, fired = plan.score_rows(trial)
        counted = fired & single[owner] & reads.T.astype(bool)[field]
        gained = np.rint(counted.astype(np.float64) @ vectors.astype(np.float64)
                         ).astype(np.int64)  # (trial rows, approaches)
        gap = gained - gained[np.arange(len(owner)), tops[owner]][:, None]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        per_piece = np.maximum.reduceat(gap, starts, axis=0)  # the best answer of each field
        np.add.at(best, np.array([p[0] for p in pieces]), per_piece)
    rows = np.arange(len(tops))
    differences = vectors[None, :, :] - vectors[:, tops].T[:, :, None]  # (rows, rules, appr.)
    best += np.einsum("rk,rka->ra", several.astype(np.int64), np.maximum(differences, 0))
    reach = gap_now + best
    earlier = np.arange(count)[None, :] < tops[:, None]
    caught = (reach > 0) | ((reach == 0) & earlier)
    caught[rows, tops] = False
    return ~caught.any(axis=1)


def recommend_frame(frame: Any, *, rules: RuleSet | None = None,
                    chunk_size: int = DEFAULT_CHUNK) -> Any:
    """A pandas DataFrame of contexts (one column per field; missing values are unknown)
    in, the same rows with ``top``, ``score_<approach>``, ``settled``, ``rules_fired`` and
    ``error`` columns out. Needs pandas (``pip install collab-advisor[pandas]``).

    Columns that are not context fields (an id such as ``team_id``, notes) are not
    read as answers: they pass through to the output untouched. Columns named like
    the output's (``top``, ``score_<approach>``, ``settled``, ``rules_fired``,
    ``error``) are overwritten in place, so running it on its own output gives the
    same columns once, with fresh values.
    """
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("recommend_frame needs pandas: pip install collab-advisor[pandas]"
                          ) from error
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"recommend_frame takes a pandas DataFrame, not {type(frame).__name__}")
    fields = set(Context.model_fields)
    records = []
    for raw in frame.to_dict(orient="records"):
        records.append({str(key): _plain(value) for key, value in raw.items()
                        if str(key) in fields and not _missing(value)})
    out: dict[str, list[Any]] = {"top": [], **{f"score_{a.value}": [] for a in Approach},
                                 "settled": [], "rules_fired": [], "error": []}
    for result in survey(records, rules=rules, chunk_size=chunk_size):
        if isinstance(result, str):
            out["top"].append(None)
            for approach in Approach:
                out[f"score_{approach.value}"].append(None)
            out["settled"].append(None)
            out["rules_fired"].append(None)
            out["error"].append(result)
            continue
        out["top"].append(result.top.value)
        for approach in Approach:
            out[f"score_{approach.value}"].append(result.scores[approach])
        out["settled"].append(result.settled)
        out["rules_fired"].append(" ".join(result.fired_rules))
        out["error"].append(None)
    added = pd.DataFrame(out, index=frame.index)
    kept = frame.drop(columns=[c for c in frame.columns if str(c) in out])
    return pd.concat([kept, added], axis=1)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pandas' missing markers
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """numpy scalars as Python values, so that validation sees ints and bools."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value
