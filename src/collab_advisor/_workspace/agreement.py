"""How far a team agrees: the share giving the most common answer per field, and
Krippendorff's alpha for nominal data across the team (from the ``krippendorff`` package)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from .._model.context import Context
from .models import Agreement, FieldAgreement, Value, ValueCount

QUESTION_FIELDS: tuple[str, ...] = tuple(name for name in Context.model_fields if name != "name")
"""The context fields a member answers, in the form's order."""


def agreement(answer_sets: Sequence[Mapping[str, Any]]) -> Agreement:
    """Agreement per field and Krippendorff's alpha over members' answers."""
    fields = []
    for field in QUESTION_FIELDS:
        given: list[Value] = [answers[field] for answers in answer_sets if field in answers]
        if not given:
            continue
        counts = Counter(given)
        first_seen = {value: index for index, value in reversed(list(enumerate(given)))}
        spread = tuple(ValueCount(value=value, count=count) for value, count in
                       sorted(counts.items(), key=lambda kv: (-kv[1], first_seen[kv[0]])))
        fields.append(FieldAgreement(
            field=field, answered=len(given), spread=spread,
            modal_share=spread[0].count / len(given), agreed=len(spread) == 1))
    alpha, note = _alpha(answer_sets)
    return Agreement(fields=tuple(fields), alpha=alpha, alpha_note=note)


def _alpha(answer_sets: Sequence[Mapping[str, Any]]) -> tuple[float | None, str]:
    pairable = [field for field in QUESTION_FIELDS
                if sum(field in answers for answers in answer_sets) >= 2]
    if not pairable:
        return None, ("Krippendorff's alpha needs at least two members answering the "
                      "same question.")
    codes: dict[tuple[str, Value], int] = {}
    rows = []
    for answers in answer_sets:
        row = []
        for field in pairable:
            if field in answers:
                key = (field, answers[field])
                row.append(float(codes.setdefault(key, len(codes))))
            else:
                row.append(math.nan)
        rows.append(row)
    if len(codes) < 2:
        return None, "Krippendorff's alpha is undefined when every answer is the same."
    import krippendorff
    import numpy as np

    value = float(krippendorff.alpha(reliability_data=np.array(rows),
                                     level_of_measurement="nominal"))
    if math.isnan(value):
        return None, "Krippendorff's alpha is undefined for these answers."
    return round(value, 4), (
        "Krippendorff's alpha for nominal data, members as coders and questions as units: "
        "1 is full agreement, 0 is what chance alone would give.")
