"""The HTTP API for tools: each answer is exactly what the library returns as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from collab_advisor import Approach, Context, recommend

from .app import settings_of

router = APIRouter(prefix="/api", tags=["advice"])


class WhatIfRequest(BaseModel):
    """A context and the answers to change in it."""

    model_config = ConfigDict(extra="forbid")

    context: Context = Field(default_factory=Context,
                             description="The context as it stands (as for /api/recommend).")
    changes: dict[str, Any] = Field(
        description="Field names and their new values; null makes a field unknown again.")


class ApproachRequest(BaseModel):
    """A context and one approach to ask about."""

    model_config = ConfigDict(extra="forbid")

    context: Context = Field(default_factory=Context,
                             description="The context (as for /api/recommend).")
    approach: Approach


def _json(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(data)


@router.post("/recommend", summary="Rank the four approaches for a context")
def api_recommend(context: Context, request: Request) -> JSONResponse:
    """The recommendation, exactly as ``Recommendation.model_dump(mode="json")`` gives it.

    The body is a JSON object of context fields; leave out what is not known.
    """
    rec = recommend(context, rules=settings_of(request).rules)
    return _json(rec.model_dump(mode="json"))


@router.post("/what-if", summary="The advice if some answers changed")
def api_what_if(body: WhatIfRequest, request: Request) -> JSONResponse:
    """``recommend(context).what_if(**changes)`` as JSON."""
    rec = recommend(body.context, rules=settings_of(request).rules)
    return _json(rec.what_if(**body.changes).model_dump(mode="json"))


@router.post("/why-not", summary="Why an approach did not rank first")
def api_why_not(body: ApproachRequest, request: Request) -> JSONResponse:
    """``recommend(context).why_not(approach)`` as JSON."""
    rec = recommend(body.context, rules=settings_of(request).rules)
    return _json(rec.why_not(body.approach).model_dump(mode="json"))


@router.post("/path-to", summary="The fewest changed answers that put an approach first")
def api_path_to(body: ApproachRequest, request: Request) -> JSONResponse:
    """``recommend(context).path_to(approach)`` as JSON."""
    rec = recommend(body.context, rules=settings_of(request).rules)
    return _json(rec.path_to(body.approach).model_dump(mode="json"))


@router.get("/schema", summary="The context's JSON Schema")
def api_schema() -> JSONResponse:
    """``Context.model_json_schema()``: every field, its allowed values and their meanings."""
    return _json(Context.model_json_schema())


@router.get("/rules", summary="The rules in use")
def api_rules(request: Request) -> JSONResponse:
    """The rule set's version, fingerprint, number of rules and file names."""
    settings = settings_of(request)
    return _json({
        "version": settings.rules.version,
        "fingerprint": settings.rules.fingerprint,
        "rules": len(settings.rules),
        "files": list(settings.rule_files),
        "shipped": not settings.custom_rules,
    })
