"""The HTTP API for tools: each answer is exactly what the library returns as JSON."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    RootModel,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from collab_advisor import (
    Approach,
    Context,
    PathTo,
    Report,
    TeamRecommendation,
    WhatIf,
    WhyNot,
    recommend,
    recommend_team,
)
from collab_advisor._model.values import strict_kind
from collab_advisor._present.schema_notes import described_schema

from .fields import describe_problem
from .guard import is_unicode
from .settings import settings_of

router = APIRouter(prefix="/api", tags=["advice"])


class _Changes(BaseModel):
    """Changes keep the order they were given in (the answer lists them so)."""

    _order: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _keep_order(cls, data: Any, handler: Any) -> Any:
        model = handler(data)
        if isinstance(data, dict):
            model._order = tuple(str(key) for key in data)
        return model

    @field_validator("*", mode="before")
    @classmethod
    def _as_context_reads(cls, value: Any, info: ValidationInfo) -> Any:
        return strict_kind(info.field_name, value) if info.field_name else value

    def given(self) -> dict[str, Any]:
        """The changes given, in their order, with null where a field becomes unknown."""
        dumped = self.model_dump(exclude_unset=True)
        return {key: dumped[key] for key in self._order if key in dumped}


_CHANGE_FIELDS: dict[str, Any] = {
    name: (info.annotation, Field(default=None, description=info.description))
    for name, info in Context.model_fields.items()}
Changes = cast(type[_Changes], create_model(
    "Changes", __base__=_Changes, __doc__="Context fields and their new values; null "
    "makes a field unknown again.", **_CHANGE_FIELDS))
Changes.model_config["extra"] = "forbid"
Changes.model_rebuild(force=True)


_VISIBLE = (r"[^\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029"
            r"\u202f\u205f\u3000]")
"""A label must hold a character that is not white space (as Python's ``str.strip`` sees
it: its refusal and the published schema agree)."""
VISIBLE = _VISIBLE
_MEMBER_FIELDS: dict[str, Any] = {
    "member": (str | None, Field(default=None, min_length=1, max_length=100,
                                 pattern=_VISIBLE, description="A label for the member.")),
    "role": (str | None, Field(default=None, min_length=1, max_length=100, pattern=_VISIBLE,
                               description="The member's role: clinician, manager, patient, "
                               "carer...")),
    **_CHANGE_FIELDS}
Member = cast(type[_Changes], create_model(
    "Member", __base__=_Changes, __doc__="One member: an optional label and role, and "
    "that member's context fields (leave out what they do not know).", **_MEMBER_FIELDS))
Member.model_config["extra"] = "forbid"
Member.model_rebuild(force=True)


class WhatIfRequest(BaseModel):
    """A context and the answers to change in it."""

    model_config = ConfigDict(extra="forbid")

    context: Context = Field(default_factory=Context,
                             description="The context as it stands (as for /api/recommend).")
    changes: Changes = Field(  # type: ignore[valid-type]
        description="Field names and their new values; null makes a field unknown again.")


class ApproachRequest(BaseModel):
    """A context and one approach to ask about."""

    model_config = ConfigDict(extra="forbid")

    context: Context = Field(default_factory=Context,
                             description="The context (as for /api/recommend).")
    approach: Approach


MAX_TEAM_SIZE = 20


class TeamRequest(BaseModel):
    """The members of a planning team, each a mapping of context fields."""

    model_config = ConfigDict(extra="forbid")

    members: list[Member] = Field(  # type: ignore[valid-type]
        min_length=1, max_length=MAX_TEAM_SIZE,
        description="One object per member: optional \"member\" (a label) and \"role\" "
        "(e.g. clinician, manager, patient, carer), plus that member's context fields "
        "(as for /api/recommend). At most 20 members.")


MAX_TEAM = 20
"""The most members ``POST /api/team`` takes (the team page holds as many)."""
MAX_LABEL = 100


def _team_problems(members: list[dict[str, Any]]) -> list[str]:
    """Each bad member, label, role or context field, named by its place in the body."""
    if not members:
        return ["members: give at least one member's answers"]
    if len(members) > MAX_TEAM:
        return [f"members: a team may have at most {MAX_TEAM} members here; "
                f"{len(members)} were given"]
    problems = []
    for i, member in enumerate(members):
        for key in ("member", "role"):
            value = member.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()
                                      or len(value) > MAX_LABEL or not is_unicode(value)):
                problems.append(f"members.{i}.{key}: {value!r:.40} is not allowed; allowed: "
                                f"text of 1 to {MAX_LABEL} characters, or null")
        fields = {k: v for k, v in member.items() if k not in ("member", "role")}
        try:
            Context.model_validate(fields)
        except ValidationError as error:
            for problem in error.errors(include_url=False):
                located = {**problem, "loc": ("members", i, *problem["loc"])}
                problems.append(describe_problem(located))
    return problems


def _located(problem: str) -> dict[str, Any]:
    """A problem ("members.0.sites: ...") as a validation error object, as 422s have."""
    where, _, _ = problem.partition(": ")
    loc: list[str | int] = [int(part) if part.isascii() and part.isdigit() else part
                            for part in where.split(".")]
    return {"loc": ["body", *loc], "msg": problem, "type": "value_error"}


def _json(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(data)


class JSONSchemaDocument(RootModel[dict[str, Any]]):
    """A JSON Schema document (draft 2020-12), as pydantic writes it."""


class RulesInUse(BaseModel):
    """The rule set the server answers with."""

    version: str = Field(description="The rule set's version.")
    fingerprint: str = Field(description="SHA-256 over the rule set's canonical form.")
    rules: int = Field(ge=0, description="How many rules it has.")
    files: list[str] = Field(description="The rule files it was read from.")
    shipped: bool = Field(description="Whether these are the rules shipped with the package.")


@router.post("/recommend", summary="Rank the four approaches for a context",
             response_model=Report)
async def api_recommend(context: Context, request: Request) -> Response:
    """The recommendation with its analysis, exactly as ``Report.model_dump(mode="json")``
    gives it (``recommend(context).report()``).

    The body is a JSON object of context fields; leave out what is not known.
    """
    # Run on the event loop, not a worker thread: the work is all Python, so threads only
    # take turns holding the interpreter lock (and the hop costs as much as the JSON).
    rec = recommend(context, rules=settings_of(request).rules)
    return Response(rec.report().model_dump_json(), media_type="application/json")


@router.post("/what-if", summary="The advice if some answers changed", response_model=WhatIf)
async def api_what_if(body: WhatIfRequest, request: Request) -> JSONResponse:
    """``recommend(context).what_if(**changes)`` as JSON."""
    rec = recommend(body.context, rules=settings_of(request).rules)
    changes = cast(_Changes, body.changes).given()
    return _json(rec.what_if(**changes).model_dump(mode="json"))


@router.post("/why-not", summary="Why an approach did not rank first",
             response_model=WhyNot)
async def api_why_not(body: ApproachRequest, request: Request) -> JSONResponse:
    """``recommend(context).why_not(approach)`` as JSON."""
    rec = recommend(body.context, rules=settings_of(request).rules)
    return _json(rec.why_not(body.approach).model_dump(mode="json"))


@router.post("/path-to", summary="The fewest changed answers that put an approach first",
             response_model=PathTo)
async def api_path_to(body: ApproachRequest, request: Request) -> JSONResponse:
    """``recommend(context).path_to(approach)`` as JSON."""
    rec = recommend(body.context, rules=settings_of(request).rules)
    return _json(rec.path_to(body.approach).model_dump(mode="json"))


@router.post("/team", summary="A planning team's advice: body {\"members\": [{\"member\": "
             "label, \"role\": role, <context fields>}, ...]} (at most 20 members)",
             response_model=TeamRecommendation)
def api_team(body: TeamRequest, request: Request) -> JSONResponse:
    """``recommend_team(members).model_dump(mode="json")``: agreement, disputes, advice.

    Each member is a JSON object of context fields with optional ``member`` (a
    label) and ``role`` keys; leave out what that member does not know.
    """
    members = [cast(_Changes, member).given() for member in body.members]
    problems = _team_problems(members)
    if problems:
        return JSONResponse({"message": "; ".join(problems),
                             "detail": [_located(problem) for problem in problems]},
                            status_code=422)
    team = recommend_team(members, rules=settings_of(request).rules)
    return _json(team.model_dump(mode="json"))


@router.get("/schema", summary="The context's JSON Schema",
            response_model=JSONSchemaDocument)
def api_schema() -> JSONResponse:
    """``Context.model_json_schema()``: every field, its allowed values and their meanings."""
    return _json(Context.model_json_schema())


@router.get("/report-schema", summary="The JSON Schema of a recommendation with its analysis",
            response_model=JSONSchemaDocument)
def api_report_schema() -> JSONResponse:
    """The JSON Schema of a ``Report``, every field described: what ``/api/recommend``
    answers."""
    return _json(described_schema(Report))


@router.get("/team-schema", summary="The JSON Schema of a team's advice",
            response_model=JSONSchemaDocument)
def api_team_schema() -> JSONResponse:
    """The JSON Schema of a ``TeamRecommendation``, every field described: what
    ``/api/team`` answers."""
    return _json(described_schema(TeamRecommendation))


@router.get("/rules", summary="The rules in use", response_model=RulesInUse)
def api_rules(request: Request) -> JSONResponse:
    """The rule set's version, fingerprint, number of rules and file names."""
    settings = settings_of(request)
    return _json(RulesInUse(
        version=settings.rules.version, fingerprint=settings.rules.fingerprint,
        rules=len(settings.rules), files=list(settings.rule_files),
        shipped=not settings.custom_rules).model_dump(mode="json"))
