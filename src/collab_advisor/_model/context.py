"""The typed description of an improvement initiative, and the four approaches.

Every field is optional: ``None`` means "not known yet". Field and value
descriptions are written for improvement leads, not programmers; they are the
help text of forms and of ``Context.model_json_schema()``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .choices import (
    OLD_SCOPE_REACH,
    AgendaSetBy,
    Aim,
    Approach,
    ClinicalFocus,
    Control,
    EnablingSupport,
    Evidence,
    Formality,
    GeographicReach,
    ImprovementFocus,
    Leadership,
    Origin,
    PatientInvolvement,
    Professions,
    Resourcing,
    Scope,
    TimeSpan,
    upgrade_old_spellings,
)
from .described import unwrap_optional
from .values import (
    FIELD_KINDS,
    MAX_DIGITS,
    MAX_SITES,
    TYPED_JSON,
    YES_NO_WORDS,
    LongNumber,
    read_int,
    strict_kind,
)

__all__ = ["MAX_DIGITS", "MAX_SITES", "OLD_SCOPE_REACH", "TYPED_JSON", "YES_NO_WORDS",
           "AgendaSetBy", "Aim", "Approach", "ClinicalFocus", "Context", "Control",
           "EnablingSupport", "Evidence", "Formality", "GeographicReach", "ImprovementFocus",
           "Leadership", "LongNumber", "Origin", "PatientInvolvement", "Professions",
           "Resourcing", "Scope", "TimeSpan", "read_int", "upgrade_old_spellings"]


def _described(description: str, question: str) -> dict[str, str]:
    return {"description": description, "question": question}


class Context(BaseModel):
    """What is known about an improvement initiative; ``None`` means not known yet."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        title="Context",
        json_schema_extra={
            "description": "What is known about an improvement initiative. "
            "Leave a field out (or null) when it is not known yet."
        },
    )

    formality: Formality | None = Field(
        default=None,
        description="How much organised structure is wanted: timetable, set activities, events.",
        json_schema_extra={"question": "How much organised structure do you want?"},
    )
    time_span: TimeSpan | None = Field(
        default=None,
        description="Whether the collaboration runs for a defined period or is ongoing.",
        json_schema_extra={"question": "Will it run for a defined period, or carry on?"},
    )
    scope: Scope | None = Field(
        default=None,
        description="How many organisations take part: one, or two or more. Count "
        "organisations only; how far apart they are is geographic_reach. The old value "
        "regional_or_national is still read, as multi_organisation across a region.",
        json_schema_extra={"question": "Will it stay within one organisation, or include two "
                           "or more?"},
    )
    control: Control | None = Field(
        default=None,
        description="How it is steered: by members alone, by members with a supporting hub, "
        "or with each unit's results followed up from outside the unit. Confidential audit "
        "and feedback counts as accountable only if someone outside the unit sees its "
        "results and follows them up; anonymous peer comparison counts when the hub or "
        "leads know which unit is which and act on it.",
        json_schema_extra={"question": "How will the work be steered and held to account "
                           "(does anyone outside each unit see its results and follow them "
                           "up)?"},
    )
    origin: Origin | None = Field(
        default=None,
        description="Whether it is forming naturally or being set up on purpose.",
        json_schema_extra={"question": "Is it forming by itself, or being set up on purpose?"},
    )
    agenda_set_by: AgendaSetBy | None = Field(
        default=None,
        description="Who chooses the goals and the work. A host that funds the group and "
        "also sets its goals is a sponsor here (and its support 'directs' under "
        "enabling_support); funding alone does not make a sponsor.",
        json_schema_extra={"question": "Who decides what the collaboration works on?"},
    )
    aim: Aim | None = Field(
        default=None,
        description="The main purpose of the collaboration.",
        json_schema_extra={"question": "What is the main purpose?"},
    )
    evidence: Evidence | None = Field(
        default=None,
        description="How clear best practice is for the problem.",
        json_schema_extra={"question": "How clear is best practice for this problem?"},
    )
    single_org_can_solve: bool | None = Field(
        default=None,
        description="Whether one organisation could tackle the problem on its own.",
        json_schema_extra={"question": "Could one organisation tackle this problem alone?"},
    )
    professions: Professions | None = Field(
        default=None,
        description="Whether members come from one profession or several. Count "
        "professions, not specialties: doctors of several specialties are one profession.",
        json_schema_extra={"question": "Will members come from one profession or several?"},
    )
    patient_involvement: PatientInvolvement | None = Field(
        default=None,
        description="How patients, service users and carers take part.",
        json_schema_extra={"question": "How will patients, service users and carers take part?"},
    )
    resourcing: Resourcing | None = Field(
        default=None,
        description="What sustains participation: goodwill, some support, or dedicated funding.",
        json_schema_extra={"question": "What will sustain people's participation?"},
    )
    leadership: Leadership | None = Field(
        default=None,
        description="Who leads: professionals, managers, or both together.",
        json_schema_extra={"question": "Who will lead it?"},
    )
    existing_network: bool | None = Field(
        default=None,
        description="Whether an active network already exists to build on.",
        json_schema_extra={"question": "Is there already an active network to build on?"},
    )
    sites: Annotated[int, Field(ge=1, le=MAX_SITES)] | None = Field(
        default=None,
        description="How many organisations, units or teams take part (not people). Where "
        "members join as individuals, count the workplaces they come from, or the members "
        "if those are not known; where membership grows over the years, give the latest "
        "count known (for a plan, its planned full size). Read in bands: 1 to 3, 4 to 11, "
        "12 or more.",
        json_schema_extra={"question": "How many organisations, units or teams will take part?"},
    )
    name: Annotated[str, Field(max_length=200)] | None = Field(
        default=None,
        description="A label for reports; it does not affect the advice.",
        json_schema_extra={"question": "What is the initiative called?"},
    )

    clinical_focus: ClinicalFocus | None = Field(
        default=None,
        description="Whether the work centres on one clinical topic, a whole clinical area or "
        "patient population, or has no clinical focus. Work on one condition as a whole "
        "(ADHD care, newborn care, diabetes care) is an area_or_population; it is a "
        "specific_topic only when it targets one named practice or outcome within it "
        "(foot checks in diabetes). Apart from the aim: a network sharing know-how can "
        "still centre on one patient population.",
        json_schema_extra={"question": "Does the work centre on one clinical topic, a whole "
                           "clinical area or patient group, or neither?"},
    )
    enabling_support: EnablingSupport | None = Field(
        default=None,
        description="How the host organisation(s) back the group: support that leaves the "
        "group free to choose its work, support that directs it, or none. When a host "
        "both funds the group and sets its goals, answer 'directs' here (and 'sponsor' or "
        "'shared' under agenda_set_by); funding with the choice of work left to members "
        "is 'enables'. Apart from 'control', which says who steers day to day.",
        json_schema_extra={"question": "Will the host organisations give time and "
                           "recognition while leaving the group to choose its work?"},
    )
    shared_domain: bool | None = Field(
        default=None,
        description="Whether members share a common area of interest or expertise, "
        "whatever their professions.",
        json_schema_extra={"question": "Do members share a common area of interest or "
                           "expertise?"},
    )
    geographic_reach: GeographicReach | None = Field(
        default=None,
        description="How far it spreads geographically: a town or city's area, a region "
        "within a country (a province or a US state is a region), a whole country, or "
        "several countries. Apart from 'scope', which counts organisations.",
        json_schema_extra={"question": "How far will it spread geographically?"},
    )
    improvement_focus: ImprovementFocus | None = Field(
        default=None,
        description="Whether the work is mainly about quality of care, patient safety, or both.",
        json_schema_extra={"question": "Is the work mainly about quality, safety, or both?"},
    )

    @model_validator(mode="before")
    @classmethod
    def _old_spellings(cls, data: Any) -> Any:
        return upgrade_old_spellings(data)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_loose_types(cls, value: Any, info: ValidationInfo) -> Any:
        return strict_kind(info.field_name, value) if info.field_name else value

    def known(self) -> dict[str, object]:
        """The fields that are known, as JSON-normal values (enums as strings)."""
        return self.model_dump(mode="json", exclude_none=True)


FIELD_KINDS.update({
    name: "yes_no" if unwrap_optional(info.annotation) is bool
    else "count" if unwrap_optional(info.annotation) is int else "other"
    for name, info in Context.model_fields.items()})
