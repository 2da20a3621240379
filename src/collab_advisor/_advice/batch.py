"""Many contexts at once: results in input order, bad items reported, not raised."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .._engines.choose import EngineChoice, get_engine
from .._engines.plan import APPROACHES, ScoringPlan, plan_for
from .._errors import CollabAdvisorError, nearest
from .._model.context import MAX_SITES, Approach, Context
from .._model.fields import FIELDS
from .._printable import one_line
from .._result.build import construct, recommend, shipped_rules
from .._result.facts import facts_of
from .._result.record import Recommendation
from .._rulebook.collector import collection_paused
from .._rulebook.ruleset import RuleSet
from .pairing import rules_for, scored
from .settledness import is_settled, no_level_rows, settledness
from .ties import row_first_places


class BatchItem(BaseModel):
    """One input's result: a recommendation, or the error that stopped it."""

    model_config = ConfigDict(frozen=True)

    index: int
    """The item's position in the input, from 0."""
    recommendation: Recommendation | None = None
    error: str | None = None
    """What was wrong with the item, naming the field, when there is no recommendation."""
    is_settled: bool | None = None
    """Whether no answers to the unknown fields could change first place (as
    ``analyse(rec).is_settled``); ``None`` with an error."""

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
    """Recommend for every context, in order; an item's bad input becomes its ``error``.

    Each result's ``is_settled`` is worked out for all of them at once, as arrays.
    On the python engine, Python's cyclic garbage collector is paused meanwhile (as
    ``load_rules`` does): results hold no reference cycles, and walking the growing
    list of them again and again had taken about as long as making them. (durable-rules
    leaves cyclic garbage behind each call, so with it the collector keeps running.)
    """
    errors: dict[int, BatchItem] = {}
    made: dict[int, Recommendation] = {}
    count = 0
    with collection_paused() if _on_python(engine) else nullcontext():
        for index, context in enumerate(contexts):
            count = index + 1
            try:
                made[index] = recommend(_as_built(context), rules=rules, engine=engine)
            except ValidationError as error:
                errors[index] = BatchItem(index=index, error=describe_validation_error(error))
            except TypeError as error:
                errors[index] = BatchItem(index=index, error=str(error))
        settled = dict(zip(made, settled_all(list(made.values()), rules), strict=True))
        return [errors[index] if index in errors else construct(BatchItem, {
            "index": index, "recommendation": made[index], "error": None,
            "is_settled": settled[index]}) for index in range(count)]


def _on_python(engine: str) -> bool:
    """Whether ``engine`` names the python engine (a bad name is left to ``recommend``)."""
    try:
        return get_engine(engine).name == "python"
    except ValueError:
        return False


def _as_built(item: Any) -> Any:
    """A ``Context`` made directly from a plain dict whose answers are exactly what a
    ``Context`` holds (a choice's text, a yes/no boolean, a count in range, a short
    name), equal to what validating it makes; anything else unchanged, to be validated."""
    if type(item) is not dict or not item.keys() <= FIELDS.keys():
        return item
    held = _held_values()
    values: dict[str, Any] = dict.fromkeys(FIELDS)
    for name, value in item.items():
        if value is not None:
            value = held[name](value)
            if value is _ANY:
                return item
            values[name] = value
    context = Context.__new__(Context)
    object.__setattr__(context, "__dict__", values)
    object.__setattr__(context, "__pydantic_fields_set__", set(item))
    object.__setattr__(context, "__pydantic_extra__", None)
    object.__setattr__(context, "__pydantic_private__", None)
    return context


_HELD: dict[str, Callable[[Any], Any]] = {}


def _held_values() -> dict[str, Callable[[Any], Any]]:
    """Per field, what a ``Context`` holds for an exactly typed answer, else ``_ANY``."""
    if _HELD:
        return _HELD
    limits = _text_limits()
    held: dict[str, Callable[[Any], Any]] = {}
    for name, spec in FIELDS.items():
        if spec.choices is not None:
            members = {member.value: member for member in spec.choices}
            held[name] = lambda value, members=members: (  # type: ignore[misc]
                members.get(value, _ANY) if type(value) is str else _ANY)
        elif spec.kind == "yes_no":
            held[name] = lambda value: value if type(value) is bool else _ANY
        elif spec.kind == "count":
            held[name] = lambda value: (
                value if type(value) is int and 1 <= value <= MAX_SITES else _ANY)
        else:
            held[name] = lambda value, most=limits[name]: (  # type: ignore[misc]
                value if type(value) is str and (most is None or len(value) <= most)
                else _ANY)
    _HELD.update(held)  # whole, so that another thread never sees part of it
    return _HELD


def settled_all(recs: list[Recommendation], rules: RuleSet | None = None) -> list[bool]:
    """``analyse(rec).is_settled`` for results of one rule set, worked out together: the
    vectorised proofs (``settled_rows``) first, the scalar ones for any they leave open."""
    import numpy as np

    from .rowproofs import settled_rows

    if not recs:
        return []
    found = [scored(rec, rules_for(rec, rules)) for rec in recs]
    plan = found[0][0]
    if any(entry[0] is not plan for entry in found):
        raise CollabAdvisorError("settled_all takes results of one rule set")
    columns, _ = _codes(plan, [facts for _, facts, _, _ in found])
    scores = np.asarray([scores for _, _, scores, _ in found], dtype=np.int64)
    settled = settled_rows(plan, columns, scores)
    if settled is None:
        return [is_settled(rec, rules) for rec in recs]
    settled &= no_level_rows(plan, columns, scores)
    return [bool(value) for value in settled.tolist()]


DEFAULT_CHUNK = 10_000
"""Rows scored together by ``survey``: large enough for arrays to pay, small in memory."""


@dataclass(frozen=True, slots=True)
class SurveyRow:
    """The columns a survey needs for one context, without a full ``Recommendation``."""

    top: Approach
    """As ``Recommendation.top`` (on a tie that stands: listed first, not preferred)."""
    scores: dict[Approach, int]
    settled: bool
    """Whether no answers to the unknown fields could change the top approach (as
    ``Recommendation.is_settled``)."""
    fired_rules: tuple[str, ...]
    """The scoring and concluding rules that fired, sorted (as ``Recommendation.fired_rules``)."""
    tied_for_first: tuple[Approach, ...] = ()
    """First after the stated tie-break (as ``Recommendation.tied_for_first``)."""
    level_on_points: tuple[Approach, ...] = ()
    """The approaches with the top score, before the stated tie-break."""


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
    for chunk in survey_chunks(contexts, rules=rules, chunk_size=chunk_size):
        yield from chunk.rows()


def survey_chunks(contexts: Iterable[Context | Mapping[str, Any]], *,
                  rules: RuleSet | None = None,
                  chunk_size: int = DEFAULT_CHUNK) -> Iterator[SurveyChunk]:
    """``survey`` as columns, one ``SurveyChunk`` per ``chunk_size`` contexts."""
    ruleset = rules if rules is not None else shipped_rules()
    plan = plan_for(ruleset)
    pending: list[Any] = []
    for item in contexts:
        pending.append(item)
        if len(pending) >= chunk_size:
            yield _survey_chunk(plan, pending, ruleset)
            pending = []
    if pending:
        yield _survey_chunk(plan, pending, ruleset)


@dataclass(frozen=True)
class SurveyChunk:
    """``survey``'s results for a run of contexts, as columns (rows in input order)."""

    errors: list[str | None]
    """Per row, what was wrong with it (naming the field), or ``None``."""
    tops: list[int]
    """Per row, the index in ``Approach`` of the top approach (meaningless for errors)."""
    scores: list[list[int]]
    """Per row, the scores in the order of ``Approach``."""
    settled: list[bool]
    fired: list[int]
    """Per row, its index in ``fired_sets``."""
    fired_sets: list[tuple[str, ...]]
    """Each distinct set of fired scoring and concluding rules, sorted."""
    places: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)
    """Per row level on points at the top: ``level_and_first`` of it."""

    def level_and_first(self, row: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """A row's approaches (indices) level on points at the top, and first after it."""
        found = self.places.get(row)
        return found if found is not None else ((self.tops[row],), (self.tops[row],))

    def rows(self) -> Iterator[SurveyRow | str]:
        """Each row as a ``SurveyRow``, or the text of its error."""
        places = [self.level_and_first(row) for row in range(len(self.tops))]
        made = map(SurveyRow, map(APPROACHES.__getitem__, self.tops),  # made in C loops
                   map(dict, map(zip, repeat(APPROACHES), self.scores)), self.settled,
                   map(self.fired_sets.__getitem__, self.fired),
                   (tuple(APPROACHES[i] for i in first) for _, first in places),
                   (tuple(APPROACHES[i] for i in level) for level, _ in places))
        if not any(error is not None for error in self.errors):
            yield from made
            return
        for error, row in zip(self.errors, made, strict=True):
            yield row if error is None else error


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


_ANY = object()
"""In a column of typed answers: a value the fast check leaves to ``Context`` to judge."""


def _text_limits() -> dict[str, int | None]:
    """Each free-text field's longest accepted length (``None``: no limit), from the
    model's own schema."""
    limits: dict[str, int | None] = {}
    properties = Context.model_json_schema()["properties"]
    for name, spec in FIELDS.items():
        if spec.kind != "text":
            continue
        options = properties[name].get("anyOf", [properties[name]])
        lengths = [option.get("maxLength") for option in options
                   if option.get("type") == "string"]
        limits[name] = lengths[0] if lengths else None
    return limits


_TEXT_LIMITS: dict[str, int | None] = {}


def _mappings(items: Sequence[Any]) -> tuple[list[Mapping[str, Any]], set[int]]:
    """Each row as a mapping of fields, and the rows that must be validated one by one
    (not a plain dict of known fields, nor a ``Context``)."""
    mappings: list[Mapping[str, Any]] = []
    slow: set[int] = set()
    for row, item in enumerate(items):
        if type(item) is dict:
            mappings.append(item)
            if not item.keys() <= FIELDS.keys():
                slow.add(row)
        elif isinstance(item, Context):
            mappings.append(facts_of(item))
        else:
            mappings.append({})
            slow.add(row)
    return mappings, slow


def _codes(plan: ScoringPlan, items: Sequence[Any]) -> tuple[list[Any], list[str | None]]:
    """Class codes per field (``ScoringPlan.encode``) and per row its error or ``None``.

    Answers of exactly the type and value a ``Context`` holds (a choice's text, a
    yes/no boolean, a count in range, a short name) are coded directly; any other
    row is validated as a ``Context``, so its error (or its conversion) is
    ``Context``'s own.
    """
    import numpy as np

    if not _TEXT_LIMITS:
        _TEXT_LIMITS.update(_text_limits())
    count = len(items)
    errors: list[str | None] = [None] * count
    mappings, slow = _mappings(items)
    unknown = plan.codes_of({})
    columns: list[Any] = []
    for position, name in enumerate(plan.fields):
        if name not in plan.classes:
            columns.append(np.full(count, unknown[position], dtype=np.int64))
            continue
        classes = plan.classes[name]
        if FIELDS[name].kind == "count":
            values = [mapping.get(name) for mapping in mappings]
            counts = [value if type(value) is int and 1 <= value <= MAX_SITES
                      else 0 if value is None else -1 for value in values]
            raw = np.asarray(counts, dtype=np.int64)
            codes = np.searchsorted(np.asarray(classes), raw, side="right") - 1
            codes[raw == 0] = unknown[position]
            codes[raw < 0] = -1
        else:
            codes = _choice_codes(mappings, name, classes, unknown[position])
        slow.update(np.flatnonzero(codes < 0).tolist())
        columns.append(codes)
    for name, limit in _TEXT_LIMITS.items():
        for row, mapping in enumerate(mappings):
            value = mapping.get(name)
            if value is not None and (type(value) is not str
                                      or (limit is not None and len(value) > limit)):
                slow.add(row)
    for row in sorted(slow):
        checked = _validated(items[row])
        if isinstance(checked, str):
            errors[row] = checked
            codes_now = unknown
        else:
            codes_now = plan.codes_of(facts_of(checked))
        for position, code in enumerate(codes_now):
            columns[position][row] = code
    return columns, errors


def _choice_codes(mappings: Sequence[Mapping[str, Any]], name: str,
                  classes: Sequence[object], unknown: int) -> Any:
    """A choice or yes/no field's class codes: -1 where the value is not exactly one of
    its values (left to ``Context``), the unknown code where it is missing."""
    import numpy as np

    table: dict[Any, int] = {value: code for code, value in enumerate(classes)}
    table[None] = unknown
    kind = bool if FIELDS[name].kind == "yes_no" else str
    try:
        if kind is str:  # only text equals text: numbers and booleans miss the table
            return np.asarray([table.get(mapping.get(name), -1) for mapping in mappings],
                              dtype=np.int64)
    except TypeError:  # an unhashable value: checked one by one below
        pass
    values = [mapping.get(name) for mapping in mappings]
    if not set(map(type, values)) <= {kind, type(None)}:  # 1 == True: only booleans pass
        values = [value if value is None or type(value) is kind else _ANY for value in values]
    return np.asarray([table.get(value, -1) for value in values], dtype=np.int64)


def _survey_chunk(plan: ScoringPlan, items: list[Any], rules: RuleSet) -> SurveyChunk:
    import numpy as np

    columns, errors = _codes(plan, items)
    scores, fired = plan.score_rows(columns)
    settled = settledness(plan, columns, scores, fired)
    tops = scores.argmax(axis=1)
    ids = [rule.id for rule in plan.all_rules if not rule.advises]
    order = np.argsort(np.asarray(ids, dtype=object))
    sorted_ids = [ids[i] for i in order]
    ordered = fired[:, order]
    packed = np.packbits(ordered, axis=1)
    words = -(-packed.shape[1] // 8)
    padded = np.zeros((len(packed), words * 8), dtype=np.uint8)
    padded[:, :packed.shape[1]] = packed
    keys = padded.view(np.uint64)  # one whole number per 64 rules: sorting them is cheap
    _, first, which = (np.unique(keys[:, 0], return_index=True, return_inverse=True)
                       if words == 1 else
                       np.unique(keys, axis=0, return_index=True, return_inverse=True))
    sets, hits = np.nonzero(ordered[first])
    names = [sorted_ids[hit] for hit in hits.tolist()]
    ends = np.cumsum(np.bincount(sets, minlength=len(first))).tolist()
    fired_sets = [tuple(names[start:end]) for start, end in zip([0, *ends[:-1]], ends,
                                                                   strict=True)]
    top_list = tops.tolist()
    places = row_first_places(rules, scores, top_list, lambda row: None if errors[row]
                              is not None else _validated(items[row]))
    return SurveyChunk(errors, top_list, scores.tolist(), settled.tolist(),
                       np.asarray(which).reshape(-1).tolist(), fired_sets, places)


def recommend_frame(frame: Any, *, rules: RuleSet | None = None,
                    chunk_size: int = DEFAULT_CHUNK, confidence: bool = False) -> Any:
    """A pandas DataFrame of contexts (one column per field; missing values are unknown)
    in, the same rows with ``top``, ``score_<approach>``, ``settled``, ``rules_fired``,
    ``tied_for_first``, ``tie_break`` (as the batch command's) and ``error`` columns out.
    Needs pandas (``pip install collab-advisor[pandas]``).

    Columns that are not context fields (an id such as ``team_id``, notes) are not
    read as answers: they pass through to the output untouched. Columns named like
    the output's (``top``, ``score_<approach>``, ``settled``, ``rules_fired``,
    ``error``) are overwritten in place, so running it on its own output gives the
    same columns once, with fresh values. ``confidence=True`` adds how often first place
    holds (``confidence_batch.CONFIDENCE_COLUMNS``; slower, each row counts its
    completions).
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
                                 "settled": [], "rules_fired": [], "tied_for_first": [],
                                 "tie_break": [], "error": []}
    for result in survey(records, rules=rules, chunk_size=chunk_size):
        if isinstance(result, str):
            out["top"].append(None)
            for approach in Approach:
                out[f"score_{approach.value}"].append(None)
            out["settled"].append(None)
            out["rules_fired"].append(None)
            out["tied_for_first"].append(None)
            out["tie_break"].append(None)
            out["error"].append(result)
            continue
        out["top"].append(result.top.value)
        for approach in Approach:
            out[f"score_{approach.value}"].append(result.scores[approach])
        out["settled"].append(result.settled)
        out["rules_fired"].append(" ".join(result.fired_rules))
        out["tied_for_first"].append(" ".join(a.value for a in result.tied_for_first))
        out["tie_break"].append(None if len(result.level_on_points) < 2 else "tie stands"
                                if len(result.tied_for_first) > 1 else "decided")
        out["error"].append(None)
    if confidence:
        from .confidence_batch import add_confidence_columns

        add_confidence_columns(out, records, rules)
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
