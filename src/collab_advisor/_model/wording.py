"""Field values and conditions in plain words, shared by every explanation."""

from __future__ import annotations

from .context import MAX_SITES
from .fields import FIELDS


def field_label(field: str) -> str:
    """A field's name as a reader would say it: 'time span'."""
    return field.replace("_", " ")


def describe_value(field: str, value: object) -> str:
    """A field's value in words: 'fixed term', 'yes', '12'."""
    spec = FIELDS[field]
    if spec.kind == "yes_no":
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def describe_count_range(low: int, high: int) -> str:
    """A range of counts in words: 'at least 12', '1 to 3', 'exactly 5'."""
    if low == high:
        return f"exactly {low}"
    if high >= MAX_SITES:
        return f"at least {low}" if low > 1 else "any number"
    if low <= 1:
        return f"at most {high}"
    return f"{low} to {high}"


def count_classes_text(cuts: tuple[int, ...]) -> tuple[str, ...]:
    """The ranges of a count field that rules tell apart, in words."""
    texts = []
    for index, low in enumerate(cuts):
        high = cuts[index + 1] - 1 if index + 1 < len(cuts) else MAX_SITES
        texts.append(describe_count_range(low, high))
    return tuple(texts)


ENGINE_LABELS = {"durable": "durable-rules (Rete)", "python": "plain Python"}


def provenance(rules_version: str, fingerprint: str, engine: str) -> str:
    """Which rules and engine produced a result, as every output ends."""
    return (f"Rules {rules_version} (fingerprint {fingerprint[:12]}); "
            f"engine: {ENGINE_LABELS[engine]}.")


def points_text(value: int) -> str:
    """'1 point', '-3 points'."""
    return f"{value} point" if abs(value) == 1 else f"{value} points"


def join_words(items: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


NO_ADVICE_HEADLINE = "No approach stands out yet."
"""Opens every rendering of a result whose first place rests on no defining feature."""


def no_advice_detail(top_name: str) -> str:
    """Why a first place is not advice, for the approach listed first."""
    return (f"{top_name} is listed first only by its score or the fixed order of "
            "approaches; none of the features that define it in the guidance holds for "
            "what is known. Answer more questions before reading this ranking as advice.")
