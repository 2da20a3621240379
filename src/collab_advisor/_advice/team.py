"""Advice for a planning team: where members agree, where they differ, and what that decides.

Each member gives a context of their own. Fields every answering member agrees
on are the team's answers; a field members answered differently is *disputed*
and may take any of the values proposed for it. The team's advice ranks the
approaches under the agreed answers, and the reasoning over unknowns is run
with each disputed field restricted to its proposed values, so the team sees
whether its disagreements could change first place, and which one decides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .._engines.choose import EngineChoice
from .._engines.plan import APPROACHES, ScoringPlan, plan_for
from .._errors import CollabAdvisorError
from .._model.context import Approach, Context
from .._model.fields import RULE_FIELDS
from .._model.wording import describe_value, field_label, join_words
from .._result.build import recommend, shipped_rules
from .._result.facts import facts_of, to_context
from .._result.record import RESULT_SCHEMA_VERSION, Recommendation
from .._rulebook.evaluation import Facts
from .._rulebook.ledger import first_place
from .._rulebook.ruleset import RuleSet
from .analysis import FieldImpact, outlook_for
from .confidence import Confidence, confidence
from .confidence_count import band_of
from .pairing import has_advice, scored
from .presenters import words
from .settledness import no_level_at_top

_FROZEN = ConfigDict(frozen=True)

PATIENT_ROLES = frozenset({"patient", "carer", "service user", "service_user", "patient or carer"})
"""Roles that count as the voice of patients, service users and carers (case-insensitive)."""

MAX_MEMBERS = 200
"""The most members one team result accepts: a bound on the work of one call."""

Value = str | bool | int


class TeamMember(BaseModel):
    """One member of a planning team: a label, an optional role, and their answers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1, max_length=100)
    """How the member is named in the team's report."""
    role: str | None = Field(default=None, max_length=100)
    """For example clinician, manager, patient or carer; free text."""
    context: Context
    """The member's own answers (unknown fields left out)."""


class ProposedValue(BaseModel):
    """One answer proposed for a disputed field, who proposed it, and where it leads."""

    model_config = _FROZEN

    value: Value
    """The proposed answer."""
    members: tuple[str, ...]
    """The labels of the members who proposed it."""
    leads_to: Approach
    """The approach ranked first if the team settled on this answer (other disputes open)."""


class Disagreement(BaseModel):
    """A disputed field, its proposed answers, and how much resolving it matters."""

    model_config = _FROZEN

    field: str
    """The disputed context field."""
    options: tuple[ProposedValue, ...]
    """Each proposed answer, who proposed it and where it leads."""
    changes_top: bool
    """Whether some proposed answer would put another approach first."""
    possible_tops_after: float
    """How many approaches could still come first once it is resolved, on average over its
    proposed answers (1.0: resolving it settles first place across the other disputes)."""
    message: str
    """What resolving it would do, in plain words."""


class MemberView(BaseModel):
    """One member's own advice and how far it is from the team's."""

    model_config = _FROZEN

    label: str
    """The member's label."""
    role: str | None
    """The member's role, when given."""
    recommendation: Recommendation
    """The ranking on the member's own answers."""
    agrees_on_top: bool
    """Whether the member's first place is the team's."""
    distance: int
    """Pairs of approaches this member's ranking orders differently from the team's (0 to 6)."""


class TeamRecommendation(BaseModel):
    """The team's advice, its agreements and disputes, and each member's own view."""

    model_config = _FROZEN

    schema_version: int = RESULT_SCHEMA_VERSION
    """The result schema version (as a ``Report``'s); the JSON Schema is published
    (``collab-advisor schema --team``)."""
    members: tuple[TeamMember, ...]
    """Every member with their answers, as given."""
    agreed: Context
    """The answers every member who answered the field agrees on."""
    disputed: tuple[Disagreement, ...]
    """Every disputed field, the disagreement that matters most first."""
    advice: Recommendation
    """The ranking under the agreed answers, disputed and unanswered fields left open."""
    score_ranges: tuple[tuple[Approach, int, int], ...]
    """Per approach (in ``Approach`` order), its lowest and highest score over every
    combination of the proposed answers and of answers to fields nobody gave."""
    ranges_exact: bool
    """True when the score ranges come from scoring every combination; otherwise they
    are sound bounds."""
    settled_across_disputes: bool
    """Whether every combination of the proposed answers puts the same approach first
    (fields nobody answered left open)."""
    is_settled: bool
    """Whether no combination of proposed answers and answers to the open fields could
    change first place, under these rules."""
    roles: tuple[str, ...]
    """The roles the members gave, each once, in lower case and sorted."""
    voices_note: str | None
    """A reminder when no patient, service user or carer took part."""
    member_views: tuple[MemberView, ...]
    """Each member's own advice and how far it is from the team's."""
    has_advice: bool = True
    """Whether first place under the agreed answers is advice (``Analysis.has_advice``)."""
    confidence: Confidence | None = None
    """How often first place holds over the ways the open questions could be answered,
    each disputed field's answers weighted by how many members proposed them."""

    @property
    def top(self) -> Approach:
        """The approach ranked first under the agreed answers."""
        return self.advice.top.approach

    @property
    def decisive(self) -> Disagreement | None:
        """The disagreement to discuss next, if any field is disputed."""
        return self.disputed[0] if self.disputed else None

    def score_range_of(self, approach: Approach | str) -> tuple[int, int]:
        """The lowest and highest score ``approach`` could reach across the team's answers."""
        wanted = Approach(approach)
        return next((low, high) for a, low, high in self.score_ranges if a is wanted)

    def explain(self) -> str:
        """The team's advice in plain words: agreement, disputes, advice, members."""
        return str(words().explain_team(self))

    def to_markdown(self) -> str:
        """A Markdown report of the team's advice."""
        return str(words().team_markdown(self))

    def to_html(self) -> str:
        """A self-contained, printable HTML page of the team's advice."""
        return str(words().team_html_document(self))

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return str(words().team_html(self))

    def __repr__(self) -> str:
        return (f"<TeamRecommendation {len(self.members)} members, top "
                f"{self.advice.top.name!r}, {len(self.disputed)} disputed>")

    def __str__(self) -> str:
        """The team's verdict in one line (``print(team)``): the advice on the agreed
        answers, every approach tied for first named, and how many answers are disputed."""
        deciding = sum(d.changes_top for d in self.disputed)
        disputes = (f"{len(self.disputed)} disputed answer"
                    f"{'' if len(self.disputed) == 1 else 's'}"
                    + (f", {deciding} of which could change first place" if deciding else ""))
        verdict = str(self.advice).rstrip(".")
        return f"A team of {len(self.members)}, on its agreed answers: {verdict}; {disputes}."


def _member(index: int, item: TeamMember | Context | Mapping[str, Any]) -> TeamMember:
    if isinstance(item, TeamMember):
        return item
    if isinstance(item, Context):
        return TeamMember(label=item.name or f"Member {index + 1}", context=item)
    if isinstance(item, Mapping):
        data = dict(item)
        label = data.pop("member", None)
        role = data.pop("role", None)
        context = to_context(data, {})
        if label is None:
            label = context.name or f"Member {index + 1}"
        return TeamMember(label=str(label), role=None if role is None else str(role),
                          context=context)
    raise TypeError(
        "each team member must be a TeamMember, a Context or a mapping of context fields "
        f"(with optional 'member' and 'role'), not {type(item).__name__}"
    )


def _unique_labels(members: list[TeamMember]) -> list[TeamMember]:
    seen: dict[str, int] = {}
    out = []
    for member in members:
        count = seen.get(member.label, 0) + 1
        seen[member.label] = count
        out.append(member if count == 1 else
                   member.model_copy(update={"label": f"{member.label} ({count})"}))
    return out


Answers = dict[str, list[tuple[Value, list[str]]]]
"""Per disputed field, each proposed value and the members who gave it."""


def _positions(members: list[TeamMember]) -> tuple[dict[str, Value], Answers]:
    agreed: dict[str, Value] = {}
    disputed: Answers = {}
    answered = [(member.label, facts_of(member.context)) for member in members]
    for field in RULE_FIELDS:
        answers: dict[Value, list[str]] = {}
        for label, facts in answered:
            value = facts.get(field)
            if value is not None:
                answers.setdefault(value, []).append(label)
        if len(answers) == 1:
            agreed[field] = next(iter(answers))
        elif answers:
            disputed[field] = list(answers.items())
    return agreed, disputed


def _distance(mine: Recommendation, team: Recommendation) -> int:
    # Places in the listed order (the fixed order among equal scores), as in 0.1.
    mine_rank = {r.approach: place for place, r in enumerate(mine.ranking)}
    team_rank = {r.approach: place for place, r in enumerate(team.ranking)}
    out = 0
    for i, a in enumerate(APPROACHES):
        for b in APPROACHES[i + 1:]:
            if (mine_rank[a] < mine_rank[b]) != (team_rank[a] < team_rank[b]):
                out += 1
    return out


def proposal_weights(disputes: Mapping[str, list[tuple[Value, list[str]]]]
                     ) -> dict[str, dict[Any, float]]:
    """Per disputed field, each proposed answer weighted by how many members gave it
    (``sites``: by band)."""
    weights: dict[str, dict[Any, float]] = {}
    for name, answers in disputes.items():
        counted = weights.setdefault(name, {})
        for value, who in answers:
            key = band_of(value) if RULE_FIELDS[name].kind == "count" else value
            counted[key] = counted.get(key, 0.0) + len(who)
    return weights


def _members(contexts: Iterable[TeamMember | Context | Mapping[str, Any]]
             ) -> list[TeamMember]:
    """Each member, read and labelled uniquely; at least one and at most ``MAX_MEMBERS``."""
    members = []
    for index, item in enumerate(contexts):
        if index >= MAX_MEMBERS:
            raise CollabAdvisorError(f"a team may have at most {MAX_MEMBERS} members")
        members.append(_member(index, item))
    if not members:
        raise CollabAdvisorError("a team needs at least one member's answers")
    return _unique_labels(members)


def _voices_note(roles: Sequence[str]) -> str | None:
    """A note when no patient, service user or carer is among the roles."""
    if any(role in PATIENT_ROLES for role in roles):
        return None
    return ("No patient, service user or carer took part in these answers. The guidance "
            "asks planners to bring their views in, ideally as partners in designing the work.")


def recommend_team(
    contexts: Iterable[TeamMember | Context | Mapping[str, Any]],
    *,
    rules: RuleSet | None = None,
    engine: EngineChoice = "auto",
) -> TeamRecommendation:
    """Advice for a planning team from each member's answers.

    ``contexts`` holds one entry per member: a ``TeamMember``, a ``Context``
    (labelled by its ``name``), or a mapping of context fields with optional
    ``member`` (a label) and ``role`` keys.
    """
    members = _members(contexts)
    ruleset = rules if rules is not None else shipped_rules()
    agreed_facts, disputes = _positions(members)
    agreed = Context.model_validate(agreed_facts)
    advice = recommend(agreed, rules=ruleset, engine=engine)
    plan = plan_for(ruleset)
    facts: Facts = dict(agreed_facts)
    domains = {field: tuple(value for value, _ in answers) for field, answers in disputes.items()}
    look = outlook_for(plan, facts, domains)
    order = list(disputes)
    unanswered = [f for f in RULE_FIELDS if f not in facts and f not in domains]
    if not order:
        across = None
    elif not unanswered:
        across = look  # every open field is disputed: the same enumeration
    else:
        across = outlook_for(plan, facts, domains, field_order=order)
    settled_across = across is None or across.settled
    impacts = {impact.field: impact for impact in across.impacts} if across else {}
    team_top = APPROACHES.index(advice.top.approach)
    disagreements = [_disagreement(plan, impacts[field], team_top, disputes[field],
                                   (ruleset, facts)) for field in order]
    position = {field: index for index, field in enumerate(RULE_FIELDS)}
    disagreements.sort(key=lambda d: (not d.changes_top, d.possible_tops_after,
                                      position[d.field]))
    views = _member_views(members, advice, ruleset, engine)
    roles = tuple(sorted({m.role.strip().lower() for m in members if m.role and m.role.strip()}))
    return TeamRecommendation(
        members=tuple(members),
        agreed=agreed,
        disputed=tuple(disagreements),
        advice=advice,
        score_ranges=tuple((a, look.low[i], look.high[i]) for i, a in enumerate(APPROACHES)),
        ranges_exact=look.exact,
        settled_across_disputes=settled_across,
        # a completion level on points at the top goes to the tie-break: not settled
        # (over every open answer, disputed ones included: cautious, as for one context)
        is_settled=look.settled and no_level_at_top(*scored(advice, ruleset)),
        roles=roles,
        voices_note=_voices_note(roles),
        member_views=tuple(views),
        has_advice=has_advice(advice, ruleset),
        confidence=confidence(advice, ruleset, weights=proposal_weights(disputes)),
    )


def _leads_to(plan: ScoringPlan, rules: RuleSet, facts: Facts) -> Approach:
    """The approach listed first once a disputed answer is settled (after the stated
    tie-break, as ``recommend`` ranks it)."""
    scores, _ = plan.score(facts)
    return first_place(rules, dict(zip(APPROACHES, scores, strict=True)), facts).first[0]


def _member_views(members: list[TeamMember], advice: Recommendation, ruleset: RuleSet,
                  engine: EngineChoice) -> list[MemberView]:
    """Each member's own advice, and how far it is from the team's."""
    views = []
    for member in members:
        own = recommend(member.context, rules=ruleset, engine=engine)
        views.append(MemberView(
            label=member.label, role=member.role, recommendation=own,
            agrees_on_top=own.top.approach is advice.top.approach,
            distance=_distance(own, advice),
        ))
    return views


def _disagreement(plan: ScoringPlan, impact: FieldImpact, team_top: int,
                  answers: list[tuple[Value, list[str]]],
                  agreed: tuple[RuleSet, Facts]) -> Disagreement:
    field = impact.field
    rules, facts = agreed
    options = [
        ProposedValue(value=value, members=tuple(members),
                      leads_to=_leads_to(plan, rules, {**facts, field: value}))
        for value, members in answers
    ]
    changes = any(option.leads_to is not APPROACHES[team_top] for option in options)
    leads = []
    for option in options:
        who = join_words(list(option.members))
        leads.append(f"{describe_value(field, option.value)} ({who}) leads to "
                     f"{option.leads_to.display_name}")
    if changes:
        message = (f"Settling {field_label(field)} decides the advice: "
                   + "; ".join(leads) + ".")
    else:
        message = (f"Whichever answer the team settles on for {field_label(field)}, "
                   f"{APPROACHES[team_top].display_name} stays first: " + "; ".join(leads) + ".")
    return Disagreement(field=field, options=tuple(options), changes_top=changes,
                        possible_tops_after=impact.open_after, message=message)
