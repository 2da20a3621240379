"""The rule-file format, as pydantic models (and, from them, its JSON Schema).

These models check the *shape* of a rule file. Whether a rule names a real
context field, an allowed value or a declared finding is checked afterwards
by ``_loader``, which knows the context model and can suggest the nearest
valid name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
    model_validator,
)

from .._model.context import Approach
from .._model.fields import RULE_FIELDS
from .strength import Direction, StrengthClass

SCHEMA_VERSION = 1
"""The rule-file format this library reads; files state it as ``schema_version``."""

KEBAB_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SEMVER = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
MAX_POINTS = 10


class Status(StrEnum):
    """How settled a rule is. Deprecated rules are validated but never run."""

    STABLE = "stable"
    TEST = "test"
    EXPERIMENTAL = "experimental"
    DEPRECATED = "deprecated"


class GuidanceSection(StrEnum):
    """The sections of the guidance a rule can rest on."""

    DEFINITIONS = "Definitions"
    FEATURES = "Features of collaboration-based approaches"
    APPROACHES = "Collaboration-based approaches"
    QIC = "Quality Improvement Collaboratives"
    COP = "Communities of Practice"
    MCN = "Managed Clinical Networks"
    CC = "Clinical Communities"
    BALANCE = "Key considerations: Balance structure and autonomy"
    GOODWILL = "Key considerations: Don't rely on goodwill"
    FLEXIBLE = "Key considerations: Be flexible"
    SUSTAINABILITY = "Key considerations: Plan for sustainability"
    WIDER_CONTEXT = "Key considerations: Consider the wider context"
    INCLUSIVE = "Key considerations: Be inclusive"
    VOICES = "Key considerations: Involve a range of voices"
    COSTS = "Key considerations: Weigh up costs and benefits"
    PURPOSE = "Practical questions: Purpose and goals"
    STAKEHOLDERS = "Practical questions: Stakeholders and participation"


_STRICT = ConfigDict(extra="forbid", frozen=True)

TestValue = StrictBool | StrictInt | StrictStr


class Source(BaseModel):
    """What a rule rests on: a guidance section, a published reference, or both."""

    model_config = _STRICT

    guidance: GuidanceSection | None = Field(
        default=None, description="The section of the guidance the rule paraphrases."
    )
    reference: Annotated[str, Field(min_length=8, max_length=300)] | None = Field(
        default=None,
        description="A published reference: authors, year and venue.",
        examples=["Wells S et al. 2018, BMJ Quality & Safety 27(3):226-240"],
    )
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = Field(
        default=None, description="The reference's DOI, without the https://doi.org/ prefix."
    )
    locator: Annotated[str, Field(min_length=2, max_length=120)] | None = Field(
        default=None,
        description="Where in the reference: a page, section or paragraph.",
        examples=["section 3, paragraph 2", "p. 4"],
    )

    @model_validator(mode="after")
    def _guidance_or_reference(self) -> Source:
        if self.guidance is None and self.reference is None:
            raise ValueError("a source needs 'guidance' (a section name) or 'reference'")
        if self.doi is not None and self.reference is None:
            raise ValueError("a 'doi' belongs to a 'reference'; add the reference text")
        if self.locator is not None and self.reference is None:
            raise ValueError("a 'locator' belongs to a 'reference'; add the reference text")
        return self

    def cite(self) -> str:
        """The source in one line, as a reader would cite it."""
        parts: list[str] = []
        if self.guidance is not None:
            parts.append(f"Guidance, '{self.guidance.value}'")
        if self.reference is not None:
            parts.append(self.reference + (f", {self.locator}" if self.locator else "")
                         + (f" (doi:{self.doi})" if self.doi else ""))
        return "; ".join(parts)


def cite_all(sources: Iterable[Source]) -> str:
    """Several sources in one line, separated by semicolons."""
    return "; ".join(source.cite() for source in sources)


class FieldTest(BaseModel):
    """A test of one context field. Give exactly one operator.

    A test on a field that is not known yet is never true, and neither is its
    negation: a rule fires only when what is known makes its condition certain.
    """

    model_config = _STRICT

    field: StrictStr = Field(
        description="A context field.", json_schema_extra={"enum": list(RULE_FIELDS)}
    )
    equals: TestValue | None = Field(default=None, description="The field has this value.")
    in_: Annotated[list[TestValue], Field(min_length=1)] | None = Field(
        default=None, alias="in", description="The field has one of these values."
    )
    gt: StrictInt | None = Field(default=None, description="A count greater than this.")
    gte: StrictInt | None = Field(default=None, description="A count at least this.")
    lt: StrictInt | None = Field(default=None, description="A count less than this.")
    lte: StrictInt | None = Field(default=None, description="A count at most this.")

    @model_validator(mode="after")
    def _one_operator(self) -> FieldTest:
        given = [name for name in OPERATORS if getattr(self, _attr(name)) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(
                f"a field test needs exactly one operator out of {', '.join(OPERATORS)}; "
                f"found {found}"
            )
        return self

    @property
    def operator(self) -> str:
        """The operator this test uses."""
        return next(name for name in OPERATORS if getattr(self, _attr(name)) is not None)

    @property
    def operand(self) -> Any:
        """The value the operator compares against."""
        return getattr(self, _attr(self.operator))


OPERATORS = ("equals", "in", "gt", "gte", "lt", "lte")
COMPARISONS = ("gt", "gte", "lt", "lte")


def _attr(operator: str) -> str:
    return "in_" if operator == "in" else operator


class FindingRef(BaseModel):
    """True once another rule has concluded the named finding."""

    model_config = _STRICT

    finding: Annotated[str, Field(pattern=KEBAB_ID)] = Field(
        description="The id of a finding declared in a rule file."
    )


class TopTest(BaseModel):
    """True when the top-ranked approach is one of these (only in advice rules)."""

    model_config = _STRICT

    top: Approach | Annotated[list[Approach], Field(min_length=1)] = Field(
        description="The approach, or approaches, that must rank first."
    )

    @property
    def approaches(self) -> list[Approach]:
        """The approaches as a list."""
        return self.top if isinstance(self.top, list) else [self.top]


class AllOf(BaseModel):
    """True when every condition is true."""

    model_config = _STRICT

    all: Annotated[list[Condition], Field(min_length=1)]


class AnyOf(BaseModel):
    """True when at least one condition is true."""

    model_config = _STRICT

    any: Annotated[list[Condition], Field(min_length=1)]


class Not(BaseModel):
    """True when the condition is certainly false (its fields are known)."""

    model_config = _STRICT

    not_: Condition = Field(alias="not")


CONDITION_TAGS = {
    "field": "field-test",
    "finding": "finding-ref",
    "top": "top-test",
    "all": "all-of",
    "any": "any-of",
    "not": "not-of",
}


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, tag in CONDITION_TAGS.items():
            if key in value:
                return tag
        return None
    if isinstance(value, BaseModel):
        return {
            FieldTest: "field-test",
            FindingRef: "finding-ref",
            TopTest: "top-test",
            AllOf: "all-of",
            AnyOf: "any-of",
            Not: "not-of",
        }.get(type(value))
    return None


Condition = Annotated[
    Annotated[FieldTest, Tag("field-test")]
    | Annotated[FindingRef, Tag("finding-ref")]
    | Annotated[TopTest, Tag("top-test")]
    | Annotated[AllOf, Tag("all-of")]
    | Annotated[AnyOf, Tag("any-of")]
    | Annotated[Not, Tag("not-of")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition_kind",
        custom_error_message="A condition needs one of the keys 'field', 'finding', "
        "'top', 'all', 'any' or 'not'",
    ),
]


for _model in (AllOf, AnyOf, Not):
    _model.model_rebuild()


class ScoreEffect(BaseModel):
    """Points for one approach, with the one-line reason a reader will see."""

    model_config = _STRICT

    approach: Approach
    points: Annotated[StrictInt, Field(ge=-MAX_POINTS, le=MAX_POINTS)] = Field(
        default=0,
        description="Points added to the approach's score; negative points hold it back. "
        "Give them only in a rule that names no feature (an organisation's own rule); a "
        "rule that names a feature gives 'direction' instead.",
    )
    direction: Direction | None = Field(
        default=None,
        description="For a rule that names a feature: 'for' when the answer shows the "
        "feature, 'against' when it contradicts it. The points then come from the "
        "strength table (rules/PRINCIPLES.md).",
    )
    why: Annotated[str, Field(min_length=10, max_length=300)] = Field(
        description="One line in plain words: why this context favours or disfavours "
        "the approach."
    )
    source: Annotated[list[Source], Field(min_length=1)] | None = Field(
        default=None,
        description="What this approach's points rest on, when narrower than the rule's "
        "sources (explanations then cite only these).",
    )

    @model_validator(mode="after")
    def _non_zero(self) -> ScoreEffect:
        if self.points == 0 and self.direction is None:
            raise ValueError("points must not be 0: a rule that changes nothing should go "
                             "(or give a 'direction', for or against, with the rule's "
                             "'feature')")
        return self


class ConsiderationKind(StrEnum):
    """The guidance's eight key considerations, and the evidence's caveat on an approach."""

    BALANCE = "balance-structure-and-autonomy"
    GOODWILL = "dont-rely-on-goodwill"
    FLEXIBLE = "be-flexible"
    SUSTAINABILITY = "plan-for-sustainability"
    WIDER_CONTEXT = "consider-the-wider-context"
    INCLUSIVE = "be-inclusive"
    VOICES = "involve-a-range-of-voices"
    COSTS = "weigh-up-costs-and-benefits"
    EVIDENCE = "what-the-evidence-says"

    @property
    def heading(self) -> str:
        """The consideration's heading."""
        return _CONSIDERATION_TITLES[self]


_CONSIDERATION_TITLES = {
    ConsiderationKind.BALANCE: "Balance structure and autonomy",
    ConsiderationKind.GOODWILL: "Don't rely on goodwill",
    ConsiderationKind.FLEXIBLE: "Be flexible",
    ConsiderationKind.SUSTAINABILITY: "Plan for sustainability",
    ConsiderationKind.WIDER_CONTEXT: "Consider the wider context",
    ConsiderationKind.INCLUSIVE: "Be inclusive",
    ConsiderationKind.VOICES: "Involve a range of voices",
    ConsiderationKind.COSTS: "Weigh up costs and benefits",
    ConsiderationKind.EVIDENCE: "What the evidence says",
}


class Advice(BaseModel):
    """A consideration to raise with the planner, and why it applies here."""

    model_config = _STRICT

    consideration: ConsiderationKind
    why: Annotated[str, Field(min_length=10, max_length=400)] = Field(
        description="Why it applies to this context, in plain words."
    )


class Example(BaseModel):
    """A context and whether the rule should fire for it; the test suite runs these."""

    model_config = _STRICT

    context: dict[str, Any] = Field(description="A context, as field: value pairs.")
    fires: StrictBool = Field(description="Whether the rule should fire for this context.")


class Rule(BaseModel):
    """One rule: when its condition holds, it scores approaches or concludes a finding."""

    model_config = _STRICT

    id: Annotated[str, Field(pattern=KEBAB_ID, max_length=80)] = Field(
        description="A stable kebab-case id; never reuse an id for a different rule."
    )
    title: Annotated[str, Field(min_length=5, max_length=200)] = Field(
        description="The rule in one plain sentence."
    )
    status: Status
    when: Condition
    score: Annotated[list[ScoreEffect], Field(min_length=1)] | None = Field(
        default=None, description="Points for one or more approaches."
    )
    concludes: Annotated[str, Field(pattern=KEBAB_ID)] | None = Field(
        default=None, description="Instead of points: the id of a finding this rule establishes."
    )
    advise: Advice | None = Field(
        default=None,
        description="Instead of points: a consideration to raise; such rules may test 'top'.",
    )
    source: Annotated[list[Source], Field(min_length=1)]
    examples: list[Example] = Field(default_factory=list)
    feature: Annotated[str, Field(pattern=KEBAB_ID, max_length=80)] | None = Field(
        default=None,
        description="The one feature of the ledger (an id under 'defining_features') this "
        "rule scores; its strength class and each entry's direction give the points.",
    )

    @model_validator(mode="after")
    def _one_effect(self) -> Rule:
        effects = [self.score, self.concludes, self.advise]
        if sum(effect is not None for effect in effects) != 1:
            raise ValueError("a rule needs exactly one of 'score', 'concludes' or 'advise'")
        return self


class FindingDecl(BaseModel):
    """A named intermediate conclusion that rules can establish and test."""

    model_config = _STRICT

    id: Annotated[str, Field(pattern=KEBAB_ID, max_length=80)]
    text: Annotated[str, Field(min_length=5, max_length=200)] = Field(
        description="The finding in plain words, as it reads in explanations."
    )


class DefiningFeature(BaseModel):
    """A feature that defines an approach in the guidance, as a condition on the context.

    An approach's first place reads as advice only when at least one of its
    defining features holds for the context.
    """

    model_config = _STRICT

    id: Annotated[str, Field(pattern=KEBAB_ID, max_length=80)] = Field(
        description="A stable kebab-case id for the feature."
    )
    approach: Approach = Field(description="The approach this feature defines.")
    text: Annotated[str, Field(min_length=5, max_length=200)] = Field(
        description="The feature in plain words, as it reads in explanations."
    )
    when: Condition = Field(
        description="When the feature holds: tests of context fields only (no findings, "
        "no 'top')."
    )
    source: Annotated[list[Source], Field(min_length=1)] = Field(
        description="Where the source states the feature: the guidance section, or a "
        "reference with its page or section."
    )
    strength: StrengthClass | None = Field(
        default=None,
        description="How firmly the source states the feature (rules/PRINCIPLES.md): "
        "defining, typical, hedged, design or local. Rules that name the feature take "
        "their points from it.",
    )
    approaches: Annotated[list[Approach], Field(min_length=1)] | None = Field(
        default=None,
        description="Every approach the sources tie this feature to (default: 'approach' "
        "alone); a rule naming the feature scores each of them or none.",
    )
    checked: date | None = Field(
        default=None, description="The date the source was last checked for this feature."
    )

    @model_validator(mode="after")
    def _names_guidance(self) -> DefiningFeature:
        if self.strength is None and not any(s.guidance is not None for s in self.source):
            raise ValueError("a defining feature must cite the guidance section that names it")
        if self.approaches is not None and self.approach not in self.approaches:
            raise ValueError(f"'approaches' must include the feature's own approach "
                             f"'{self.approach.value}'")
        return self

    @property
    def tied_to(self) -> tuple[Approach, ...]:
        """Every approach the sources tie the feature to, in the guidance's order."""
        wanted = set(self.approaches or [self.approach])
        return tuple(approach for approach in Approach if approach in wanted)


class RuleFile(BaseModel):
    """A YAML file of rules."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="collab_advisor rule file",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        },
    )

    schema_version: Literal[1] = Field(description="The rule-file format version.")
    ruleset_version: Annotated[str, Field(pattern=SEMVER)] = Field(
        description="The semantic version of this rule set, such as 1.2.0."
    )
    description: str | None = None
    findings: list[FindingDecl] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    ledger: Literal["strict"] | None = Field(
        default=None,
        description="'strict' for the shipped rules: every scoring rule names one feature, "
        "takes its points from the strength table, and no feature scores an approach "
        "twice in one context.",
    )
    defining_features: list[DefiningFeature] = Field(
        default_factory=list,
        description="Features that define an approach in the guidance; a first place reads "
        "as advice only when one of them holds.",
    )


def rule_file_json_schema() -> dict[str, Any]:
    """The JSON Schema of the rule-file format, as committed in ``rules/``."""
    return RuleFile.model_json_schema(by_alias=True)
