"""What the workspace store returns: typed, frozen, JSON-ready (they are the API's schemas)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .._errors import CollabAdvisorError
from .._model.context import Approach

_FROZEN = ConfigDict(frozen=True)

ROLES = ("clinician", "manager", "improvement lead", "patient or carer", "commissioner",
         "other")
"""The roles a member may pick (or none)."""

Role = Literal["clinician", "manager", "improvement lead", "patient or carer", "commissioner",
               "other"]
Value = str | bool | int


class WorkspaceNotFound(CollabAdvisorError):  # noqa: N818 (reads as the HTTP answer)
    """No workspace or member has this link: missing, mistyped, deleted or never made."""

    def __init__(self) -> None:
        super().__init__("no such workspace or link")


class RoundClosed(CollabAdvisorError):  # noqa: N818
    """Answers cannot change while no round is open (or the round is already closed)."""


class RoundStillOpen(CollabAdvisorError):  # noqa: N818
    """The next round cannot open while one is open."""


class RateLimited(CollabAdvisorError):  # noqa: N818
    """Too many saves through one link in a short time."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many saves through this link; try again in {retry_after} s")
        self.retry_after = retry_after


class SaveConflict(CollabAdvisorError):  # noqa: N818
    """The answers changed since the form was opened: nothing was saved."""

    def __init__(self, yours: dict[str, Any], theirs: dict[str, Any], version: int) -> None:
        super().__init__(
            "these answers changed since you opened the form (now at version "
            f"{version}); nothing was saved: compare both versions and save again")
        self.yours = yours
        self.theirs = theirs
        self.version = version


class CreatedWorkspace(BaseModel):
    """A new workspace's two links' tokens: shown once, kept only as hashes."""

    model_config = _FROZEN

    name: str
    facilitator_token: str
    member_token: str


class Seat(BaseModel):
    """One member's place in a workspace, as the member sees it."""

    model_config = _FROZEN

    number: int
    label: str | None
    role: str | None
    answers: dict[str, Value]
    version: int
    answered_round: int
    edit_token: str | None = None
    """Only when the seat is first taken: the private link to come back with."""

    @property
    def shown_as(self) -> str:
        """The label, or "member N" for an anonymous member."""
        return self.label or f"member {self.number}"


class ValueCount(BaseModel):
    """One answer given for a field and how many members gave it."""

    model_config = _FROZEN

    value: Value
    count: int


class FieldAgreement(BaseModel):
    """How far the members agree on one field."""

    model_config = _FROZEN

    field: str
    answered: int
    spread: tuple[ValueCount, ...]
    """Each answer given, most often first (ties in the order answers are listed)."""
    modal_share: float
    """The share of those who answered who gave the most common answer (1.0: agreed)."""
    agreed: bool


class Agreement(BaseModel):
    """Agreement per field, and one coefficient across the team."""

    model_config = _FROZEN

    fields: tuple[FieldAgreement, ...]
    alpha: float | None
    """Krippendorff's alpha for nominal data (members as coders, fields as units)."""
    alpha_note: str


class TeamSummary(BaseModel):
    """The team's advice at a moment: first place, the decisive disagreement, the words."""

    model_config = _FROZEN

    top: str | None
    top_name: str | None
    tied: tuple[str, ...]
    decisive: str | None
    """The disagreement that decides first place, in words (None when none does)."""
    explanation: str


class RoundSummary(BaseModel):
    """A round: when it ran, and the spread, agreement and advice when it closed."""

    model_config = _FROZEN

    number: int
    opened_at: float
    closed_at: float | None
    answered: int = 0
    agreement: Agreement | None = None
    team: TeamSummary | None = None


class MemberProgress(BaseModel):
    """Who has answered, as the facilitator sees it (never their edit link)."""

    model_config = _FROZEN

    shown_as: str
    role: str | None
    fields_answered: int
    answered_round: int


class Progress(BaseModel):
    """A workspace as the facilitator sees it."""

    model_config = _FROZEN

    name: str
    description: str
    rules_version: str
    current_round: int
    round_open: bool
    members: tuple[MemberProgress, ...]
    agreement: Agreement
    team: TeamSummary | None
    rounds: tuple[RoundSummary, ...]
    decisions: int


class MemberPage(BaseModel):
    """What a member sees: their answers and, once a round has closed, its summary."""

    model_config = _FROZEN

    name: str
    description: str
    current_round: int
    round_open: bool
    seat: Seat | None
    last_closed: RoundSummary | None


class DecisionInput(BaseModel):
    """What the facilitator records: the chosen approach, why, and who was there."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chosen: Approach = Field(description="The approach the team chose.")
    why: str = Field(min_length=1, max_length=5000)
    present: tuple[str, ...] = Field(default=(), max_length=200)
