"""How firmly a source states a feature, and the one table that turns that into points.

Every shipped scoring rule names one feature of the ledger (the ``defining_features``
of the rule files); the feature's strength class and the rule's direction (for or
against the approach) give the rule's points through ``POINTS``. No shipped rule sets
its own points. ``rules/PRINCIPLES.md`` gives the rule for assigning each class.
"""

from __future__ import annotations

from enum import StrEnum


class StrengthClass(StrEnum):
    """How firmly the source behind a feature states it."""

    DEFINING = "defining"
    """Stated plainly, as what the approach is (no hedge)."""
    TYPICAL = "typical"
    """Stated with "typically", "often" or "usually"."""
    HEDGED = "hedged"
    """Stated with "may", "generally", "can" or "tend to"."""
    DESIGN = "design"
    """From one programme's or one government's design documents, or a single evaluation."""
    LOCAL = "local"
    """An organisation's own rule: a local decision, not a published source."""

    @property
    def word(self) -> str:
        """The class in a word or two, as a reason shows it: 'defining', 'design-document'."""
        return _WORDS[self]

    @property
    def symbol(self) -> str:
        """A symbol for the class (never colour alone): filled circles for firmness."""
        return _SYMBOLS[self]

    @property
    def label(self) -> str:
        """Symbol and word together: '●●● defining'."""
        return f"{self.symbol} {self.word}"


_WORDS = {
    StrengthClass.DEFINING: "defining",
    StrengthClass.TYPICAL: "typical",
    StrengthClass.HEDGED: "hedged",
    StrengthClass.DESIGN: "design-document",
    StrengthClass.LOCAL: "local",
}

_SYMBOLS = {
    StrengthClass.DEFINING: "●●●",
    StrengthClass.TYPICAL: "●●○",
    StrengthClass.HEDGED: "●○○",
    StrengthClass.DESIGN: "◆○○",
    StrengthClass.LOCAL: "■",
}


class Direction(StrEnum):
    """Whether a rule's answer shows the feature (for) or contradicts it (against)."""

    FOR = "for"
    AGAINST = "against"


POINTS: dict[tuple[StrengthClass, Direction], int] = {
    (StrengthClass.DEFINING, Direction.FOR): 3,
    (StrengthClass.DEFINING, Direction.AGAINST): -3,
    (StrengthClass.TYPICAL, Direction.FOR): 2,
    (StrengthClass.TYPICAL, Direction.AGAINST): -2,
    (StrengthClass.HEDGED, Direction.FOR): 1,
    (StrengthClass.HEDGED, Direction.AGAINST): -1,
    (StrengthClass.DESIGN, Direction.FOR): 1,
    (StrengthClass.DESIGN, Direction.AGAINST): -1,
    (StrengthClass.LOCAL, Direction.FOR): 2,
    (StrengthClass.LOCAL, Direction.AGAINST): -2,
}
"""A rule's points, from its feature's strength class and its direction: the only place
points for a feature are set (documented in ``rules/PRINCIPLES.md``)."""


def points_for(strength: StrengthClass, direction: Direction) -> int:
    """The points a rule gives, from its feature's class and its direction."""
    return POINTS[(strength, direction)]


class SourceKind(StrEnum):
    """The kind of source a reason rests on."""

    GUIDANCE = "guidance"
    """The guidance itself."""
    PUBLISHED = "published study"
    """A published study or review."""
    DESIGN = "design document"
    """One programme's or government's design documents."""
    LOCAL = "local decision"
    """An organisation's own rule."""


SUMMARY_ORDER = (StrengthClass.DEFINING, StrengthClass.TYPICAL, StrengthClass.HEDGED,
                 StrengthClass.DESIGN, StrengthClass.LOCAL)
"""The classes in a summary of grades, firmest first."""


def rests_on(subject: str, counts: dict[str, int], *, none: str = "no reason") -> str:
    """'<subject> rests on 2 defining, 1 typical and 1 design-document reason', from the
    number of reasons per class word (in the order given; classes counted 0 are left out)."""
    total = sum(counts.values())
    if total == 0:
        return f"{subject} rests on {none}"
    parts = [f"{count} {word}" for word, count in counts.items() if count]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{subject} rests on {joined} reason{'s' if total != 1 else ''}"
