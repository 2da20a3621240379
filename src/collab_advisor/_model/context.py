"""The typed description of an improvement initiative, and the four approaches.

Every field is optional: ``None`` means "not known yet". Field and value
descriptions are written for improvement leads, not programmers; they are the
help text of forms and of ``Context.model_json_schema()``.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .described import DescribedEnum, register_old_spelling, unwrap_optional, warn_old_spelling


class Approach(DescribedEnum):
    """The four collaboration-based approaches the advisor ranks.

    The declaration order is the guidance's own order and is also the
    documented tie-break: when two approaches score the same, the one
    declared first ranks higher.
    """

    QI_COLLABORATIVE = (
        "qi_collaborative",
        "A time-limited, highly organised programme that brings teams from "
        "several organisations and professions together on one clinical topic "
        "where care varies or falls short of known best practice. Teams follow "
        "a shared timetable of learning events and improvement cycles, with "
        "expert faculty, to close that gap.",
    )
    COMMUNITY_OF_PRACTICE = (
        "community_of_practice",
        "A group of practitioners who share an interest or area of expertise "
        "and meet, often informally, to swap know-how, build skills and solve "
        "practical problems together. Members choose what they work on; such "
        "communities grow where conditions let them rather than being "
        "engineered into existence.",
    )
    MANAGED_CLINICAL_NETWORK = (
        "managed_clinical_network",
        "A standing, formally organised network of clinical professionals that "
        "works across organisational and geographic boundaries on problems and "
        "services no single organisation can fix alone, usually with a lead "
        "clinician, a manager, patient representatives and audit of its work.",
    )
    CLINICAL_COMMUNITY = (
        "clinical_community",
        "A network of clinicians and others focused on one clinical area or "
        "patient population that pairs a member-led, professionally driven "
        "ethos with administrative and managerial support from a central hub, "
        "and makes careful use of control devices such as shared data to hold "
        "units to account.",
    )

    @property
    def display_name(self) -> str:
        """The approach's name as the guidance writes it."""
        return _DISPLAY_NAMES[self]


_DISPLAY_NAMES: dict[Approach, str] = {
    Approach.QI_COLLABORATIVE: "Quality Improvement Collaborative",
    Approach.COMMUNITY_OF_PRACTICE: "Community of Practice",
    Approach.MANAGED_CLINICAL_NETWORK: "Managed Clinical Network",
    Approach.CLINICAL_COMMUNITY: "Clinical Community",
}


class Formality(DescribedEnum):
    """How much organised structure is wanted."""

    INFORMAL = "informal", "Little set structure: people meet and share as it suits them."
    MODERATE = "moderate", "Some structure, such as regular meetings and a light plan."
    HIGHLY_STRUCTURED = (
        "highly_structured",
        "A clear structure with a timetable, set activities and events.",
    )


class TimeSpan(DescribedEnum):
    """Whether the collaboration has an end date."""

    FIXED_TERM = "fixed_term", "Runs for a defined period, with a planned end."
    OPEN_ENDED = "open_ended", "Ongoing, with no planned end."


class Scope(DescribedEnum):
    """How many organisations take part: one, or several (distance is geographic_reach)."""

    SINGLE_ORGANISATION = (
        "single_organisation",
        "Within one organisation, however many sites or departments it has: for example "
        "the wards of one hospital trust, or the practices of one health board.",
    )
    MULTI_ORGANISATION = (
        "multi_organisation",
        "Across two or more separate organisations, near or far: for example three "
        "trusts in one city, or 40 hospitals across a country. Say how far on the map "
        "under geographic_reach.",
    )


class Control(DescribedEnum):
    """How the collaboration is steered and held to account."""

    SELF_DIRECTED = (
        "self_directed",
        "Members decide how they work and what they do, with no hub or manager behind them.",
    )
    SUPPORTED = (
        "supported",
        "Members lead, with administrative and managerial support behind them; any "
        "feedback of results goes only to each unit itself.",
    )
    ACCOUNTABLE = (
        "accountable",
        "Someone outside each unit (a hub, the leads, a funder or the other members) sees "
        "that unit's own results and expects it to explain or act on them, whether units "
        "are named or coded: for example a hub that shares anonymised league tables and "
        "follows up the units at the bottom. Confidential audit and feedback that only the "
        "unit sees is not this.",
    )


class Origin(DescribedEnum):
    """Whether the collaboration forms by itself or is set up."""

    EMERGENT = "emergent", "It is forming naturally among people who already work together."
    INTENTIONAL = "intentional", "It is being set up on purpose by a sponsor or leader."


class AgendaSetBy(DescribedEnum):
    """Who decides what the collaboration works on."""

    MEMBERS = (
        "members",
        "Members decide what it works on, even if a host pays for it: for example a "
        "board funds a coordinator and members pick the projects.",
    )
    SHARED = (
        "shared",
        "Members and a host or sponsor agree the goals together: for example a network "
        "board of member clinicians and funders sets the annual priorities.",
    )
    SPONSOR = (
        "sponsor",
        "A sponsor, funder or outside body sets the goals or topic, whoever does the work: "
        "for example a government programme names the target and recruits teams.",
    )


class Aim(DescribedEnum):
    """The main purpose of the collaboration."""

    CLOSE_PRACTICE_GAP = (
        "close_practice_gap",
        "Close a gap between current and best practice on a specific clinical topic.",
    )
    SHARE_KNOW_HOW = (
        "share_know_how",
        "Share knowledge, skills and practical know-how, including workarounds.",
    )
    REDESIGN_SERVICES = (
        "redesign_services",
        "Redesign or coordinate services across boundaries to solve complex problems.",
    )
    IMPROVE_SPECIALTY_OUTCOMES = (
        "improve_specialty_outcomes",
        "Improve outcomes in one clinical area or patient population over time.",
    )


class Evidence(DescribedEnum):
    """How clear best practice is for the problem."""

    ESTABLISHED = "established", "Best practice is well established; the task is to apply it."
    EMERGING = "emerging", "Some evidence exists, but best practice is still being worked out."
    UNCERTAIN = "uncertain", "It is not clear what best practice is."


class Professions(DescribedEnum):
    """Who takes part, counted by profession (not by medical specialty)."""

    SINGLE_PROFESSION = (
        "single_profession",
        "Members come from one profession; doctors of several specialties are one "
        "profession: for example surgeons, anaesthetists and oncologists.",
    )
    MULTI_PROFESSIONAL = (
        "multi_professional",
        "Members come from two or more professions, such as medicine, nursing, midwifery, "
        "pharmacy, allied health, psychology, social work or management: for example "
        "surgeons with theatre nurses.",
    )


class PatientInvolvement(DescribedEnum):
    """How patients, service users and carers take part."""

    NONE = "none", "Patients, service users and carers are not involved."
    CONSULTED = "consulted", "Their views are sought, but they do not shape the work."
    CO_PRODUCED = "co_produced", "They help set objectives and design the work as partners."


class Resourcing(DescribedEnum):
    """What sustains participation."""

    GOODWILL_ONLY = "goodwill_only", "Participation relies on volunteers' goodwill."
    SOME_SUPPORT = "some_support", "Some protected time, administrative help or funding."
    DEDICATED_FUNDING = "dedicated_funding", "Dedicated funding and staff for the collaboration."


class Leadership(DescribedEnum):
    """Who leads."""

    PROFESSIONAL = "professional", "Clinicians or other professionals lead."
    MANAGERIAL = "managerial", "Managers lead."
    SHARED = "shared", "Professionals and managers lead together."


class ClinicalFocus(DescribedEnum):
    """Whether the work centres on one clinical topic, a wider clinical area, or neither."""

    SPECIFIC_TOPIC = (
        "specific_topic",
        "One named practice or outcome to change, narrow enough to track with a few "
        "measures: for example central-line infections, door-to-needle time in stroke, or "
        "foot checks in diabetes.",
    )
    AREA_OR_POPULATION = (
        "area_or_population",
        "The care of a whole condition, specialty or patient group, even a narrow one: for "
        "example diabetes care, newborn care, ADHD care, intensive care or children with "
        "inflammatory bowel disease.",
    )
    NO_CLINICAL_FOCUS = (
        "no_clinical_focus",
        "No clinical focus: cross-cutting matters such as improvement methods, "
        "leadership or general know-how.",
    )


class EnablingSupport(DescribedEnum):
    """How the host organisation(s) stand behind a group of practitioners."""

    ENABLES = (
        "enables",
        "The host organisation(s) give time, space and recognition but leave the "
        "group to decide its own work.",
    )
    DIRECTS = (
        "directs",
        "Support comes with direction: the host decides what the group works on.",
    )
    NONE = "none", "Little or no support from any organisation."


class GeographicReach(DescribedEnum):
    """How far the collaboration spreads on the map, apart from how many organisations."""

    LOCAL = (
        "local",
        "One town or city and its surrounding area: for example one city's hospitals.",
    )
    REGIONAL = (
        "regional",
        "A region within one country, larger than a city's area: for example a province, "
        "a US state, an English region or a Scottish health board area.",
    )
    NATIONAL = "national", "A whole country, or most of it."
    INTERNATIONAL = "international", "Two or more countries."


class ImprovementFocus(DescribedEnum):
    """Whether the work is mainly about the quality of care, patient safety, or both."""

    QUALITY = "quality", "Mainly the quality of care and outcomes."
    SAFETY = "safety", "Mainly patient safety: preventing harm."
    BOTH = "both", "Quality and safety alike."


register_old_spelling(
    Scope, "regional_or_national", "multi_organisation",
    "Deprecated: the old value that mixed organisations with geography; read as "
    "multi_organisation, with geographic_reach regional unless geographic_reach is given.",
    advice="scope Scope.MULTI_ORGANISATION ('multi_organisation') with geographic_reach "
    "GeographicReach.REGIONAL, NATIONAL or INTERNATIONAL ('regional', 'national', "
    "'international')")

OLD_SCOPE_REACH = "regional"
"""What ``scope: regional_or_national`` (the old spelling) says of ``geographic_reach``:
at least a region."""


def upgrade_old_spellings(data: Any) -> Any:
    """Read the old ``scope: regional_or_national`` as several organisations across at
    least a region (``geographic_reach`` kept when it is given)."""
    if isinstance(data, dict) and data.get("scope") == "regional_or_national":
        warn_old_spelling(Scope, "regional_or_national", stacklevel=6)
        data = {**data, "scope": Scope.MULTI_ORGANISATION.value}
        if data.get("geographic_reach") is None:
            data["geographic_reach"] = OLD_SCOPE_REACH
    return data


MAX_SITES = 1_000_000
"""The largest ``sites`` accepted: far beyond any real collaboration, and
small enough for every engine to compare exactly."""


MAX_DIGITS = 18
"""The most digits a whole number may have where a file, a row or a request is read.
Counts and rule bounds are far smaller; a longer number is kept only as its length
(``LongNumber``), so that its error names the field without echoing the digits and
Python's limit on converting long numbers (4,300 digits) is never reached."""


class LongNumber:
    """A whole number with more than ``MAX_DIGITS`` digits, as a reader found it."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<a whole number of {self.digits:,} digits>"

    __str__ = __repr__


def read_int(text: str) -> int | LongNumber:
    """A number's digits as an ``int``, or a ``LongNumber`` past ``MAX_DIGITS`` digits
    (the ``parse_int`` of ``json.loads``, and the YAML readers' integers)."""
    digits = sum(character.isdigit() for character in text)
    if digits > MAX_DIGITS:
        return LongNumber(digits)
    return int(text)


YES_NO_WORDS: dict[str, bool] = {"yes": True, "no": False, "true": True, "false": False,
                                 "y": True, "n": False}
"""The spellings a yes/no field accepts besides ``True`` and ``False`` (any case)."""


TYPED_JSON: ContextVar[bool] = ContextVar("collab_advisor_typed_json", default=False)
"""Set while reading typed JSON (the HTTP API): yes/no fields then take only ``true`` and
``false`` and counts only numbers, as the JSON Schema says; files and forms keep the words."""


_KINDS: dict[str, str] = {}
"""Each field's kind ("yes_no", "count", ...), filled on first use."""


def _strict_kind(name: str, value: Any) -> Any:
    """Refuse what is surely a mistake before pydantic's lax conversion hides it: a
    yes/no field given a number (``0`` or ``"1"``), or a count given ``True``/``False``
    (which would become 1 or 0). Yes/no words become booleans."""
    if value is None:
        return value
    if isinstance(value, LongNumber):
        raise PydanticCustomError(
            "number_too_long", "expected a whole number of at most {most} digits; this one "
            "has {digits}", {"most": MAX_DIGITS, "digits": f"{value.digits:,}"})
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError(
                "text_unicode", "expected Unicode text; this holds a lone surrogate, "
                "which no file or page can carry") from None
    if not _KINDS:  # read once from the model's own annotations
        for field, info in Context.model_fields.items():
            base = unwrap_optional(info.annotation)
            _KINDS[field] = "yes_no" if base is bool else "count" if base is int else "other"
    kind = _KINDS.get(name)
    if TYPED_JSON.get() and isinstance(value, str) and kind in ("yes_no", "count"):
        raise PydanticCustomError(
            "json_type", "expected a JSON " + ("boolean (true or false)" if kind == "yes_no"
                                               else "whole number") + ", not text")
    if kind == "yes_no" and not isinstance(value, bool):
        word = value.strip().lower() if isinstance(value, str) else None
        if word is None or word not in YES_NO_WORDS:
            raise PydanticCustomError("yes_no", "expected yes or no (also true or false)")
        return YES_NO_WORDS[word]
    if kind == "count" and isinstance(value, bool):
        raise PydanticCustomError(
            "count_not_bool", "expected a whole number; a yes/no answer is not a count")
    return value


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
        return _strict_kind(info.field_name, value) if info.field_name else value

    def known(self) -> dict[str, object]:
        """The fields that are known, as JSON-normal values (enums as strings)."""
        return self.model_dump(mode="json", exclude_none=True)
