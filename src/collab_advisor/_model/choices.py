"""The answers a context's choice fields take, and the four approaches: each an enum
whose values carry the plain words forms and schemas show."""

from __future__ import annotations

from typing import Any

from .described import DescribedEnum, register_old_spelling, warn_old_spelling


class Approach(DescribedEnum):
    """The four collaboration-based approaches the advisor ranks.

    The declaration order is the guidance's own order. It lists approaches, and is
    never a preference: approaches level on points are separated only by the stated
    tie-break of rules/PRINCIPLES.md, and a tie it leaves stands.
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
