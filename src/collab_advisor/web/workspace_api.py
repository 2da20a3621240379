"""The team workspaces' HTTP API (``/api/workspaces/...``), typed for the OpenAPI document.

As for the pages (``workspaces.py``), each call goes through a capability token, and a
token that is guessed, stale or of the wrong kind gets the plain 404.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from collab_advisor import Context

from .._workspace.models import (
    CreatedWorkspace,
    DecisionInput,
    MemberPage,
    Progress,
    RateLimited,
    Role,
    RoundSummary,
    SaveConflict,
    Seat,
)
from .api import VISIBLE
from .errors import WORKSPACE_ERRORS, ErrorAnswer
from .ws_shared import call as _call
from .ws_shared import store_of

api = APIRouter(prefix="/api/workspaces", tags=["workspaces"], responses=WORKSPACE_ERRORS)

TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorAnswer, "description": "Too many saves through this link: the "
          "Retry-After header says how many seconds to wait."}}
def _links(token: str, *operations: str) -> dict[str, Any]:
    """OpenAPI links: the token in a 201's body opens these operations."""
    return {operation: {"operationId": operation,
                        "parameters": {"token": f"$response.body#/{token}"}}
            for operation in operations}


# Deleting is left unlinked: a client that follows the links would otherwise find its
# workspace gone on the next step, by design.
CREATED_LINKS = {**_links("facilitator_token", "progress", "close_round", "open_round",
                          "record_decision", "decisions"),
                 **_links("member_token", "join")}
JOINED_LINKS = _links("edit_token", "member_page", "save")
ROUND_CLOSED: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorAnswer, "description": "The round is closed: answers wait for the "
          "facilitator to open the next."}}


class NewWorkspace(BaseModel):
    """A workspace to create."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=VISIBLE,
                      description="The workspace's name (some visible text).")
    description: str = Field(default="", max_length=5000)


class MemberAnswers(BaseModel):
    """A member's answers, with an optional label and role."""

    model_config = ConfigDict(extra="forbid")

    answers: Context
    label: str | None = Field(default=None, max_length=100)
    role: Role | None = None


class SavedAnswers(MemberAnswers):
    """A member's answers over the version their form was opened at."""

    version: int = Field(ge=1)


class Conflict(BaseModel):
    """A refused save: the stored answers moved on since the form was opened."""

    message: str
    version: int
    yours: dict[str, Any]
    theirs: dict[str, Any]


class PublicKey(BaseModel):
    """The server's key for decision records."""

    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str
    """Base64 of the 32-byte raw key."""


class Record(BaseModel):
    """A signed decision record."""

    record: dict[str, Any]
    sha256: str
    signature: str
    public_key: str


class RoundOpened(BaseModel):
    """The round just opened."""

    round: int


def _known(answers: Context) -> dict[str, Any]:
    return {k: v for k, v in answers.known().items() if k != "name"}


@api.post("", status_code=201, response_model=CreatedWorkspace, operation_id="create_workspace",
          responses={201: {"links": CREATED_LINKS}})
async def api_create(request: Request, body: NewWorkspace) -> CreatedWorkspace:
    """Create a workspace; the two tokens are returned once and kept only as hashes."""
    return cast(CreatedWorkspace,
                await _call(request, "create_workspace", body.name, body.description))


@api.get("/public-key", response_model=PublicKey, operation_id="public_key")
async def api_public_key(request: Request) -> PublicKey:
    """The Ed25519 key that signs this server's decision records."""
    return PublicKey(public_key=await run_in_threadpool(store_of(request).public_key))


@api.get("/f/{token}", response_model=Progress, operation_id="progress")
async def api_progress(request: Request, token: str) -> Progress:
    """Who answered, agreement per field, the team's advice and the rounds."""
    return cast(Progress, await _call(request, "progress", token))


@api.post("/f/{token}/rounds/close", response_model=RoundSummary, operation_id="close_round",
          responses={409: {"model": ErrorAnswer, "description": "No round is open."}})
async def api_close(request: Request, token: str) -> RoundSummary:
    """Close the open round; its spread and advice are kept."""
    return cast(RoundSummary, await _call(request, "close_round", token))


@api.post("/f/{token}/rounds/open", response_model=RoundOpened, operation_id="open_round",
          responses={409: {"model": ErrorAnswer, "description": "A round is still open."}})
async def api_open(request: Request, token: str) -> RoundOpened:
    """Open the next round."""
    return RoundOpened(round=await _call(request, "open_round", token))


@api.post("/f/{token}/decisions", status_code=201, response_model=Record,
          operation_id="record_decision")
async def api_decide(request: Request, token: str, body: DecisionInput) -> Record:
    """Record the decision, signed."""
    signed = await _call(request, "record_decision", token, body)
    return Record(record=signed.body, sha256=signed.sha256, signature=signed.signature,
                  public_key=signed.public_key)


@api.get("/f/{token}/decisions", response_model=list[Record], operation_id="decisions")
async def api_decisions(request: Request, token: str) -> list[Record]:
    """The decision records, oldest first."""
    return [Record(record=s.body, sha256=s.sha256, signature=s.signature,
                   public_key=s.public_key) for s in await _call(request, "decisions", token)]


@api.delete("/f/{token}", status_code=204, operation_id="delete_workspace")
async def api_delete(request: Request, token: str) -> Response:
    """Delete the workspace and every row of it."""
    await _call(request, "delete_workspace", token)
    return Response(status_code=204)


@api.post("/m/{token}/members", status_code=201, response_model=Seat, operation_id="join",
          responses={**ROUND_CLOSED, **TOO_MANY, 201: {"links": JOINED_LINKS}})
async def api_join(request: Request, token: str, body: MemberAnswers) -> Any:
    """Answer through the member link; the seat's private edit token is returned once."""
    try:
        return await _call(request, "join", token, _known(body.answers), label=body.label,
                           role=body.role)
    except RateLimited as error:
        return _api_too_many(error)


@api.get("/e/{token}", response_model=MemberPage, operation_id="member_page")
async def api_member(request: Request, token: str) -> MemberPage:
    """A member's answers and, once a round has closed, its spread and advice."""
    return cast(MemberPage, await _call(request, "member_page", token))


@api.put("/e/{token}", response_model=Seat, operation_id="save", responses={
    **TOO_MANY, 409: {"model": Conflict | ErrorAnswer, "description": "The answers moved on "
                      "since the form was opened (both versions given), or the round is "
                      "closed."}})
async def api_save(request: Request, token: str, body: SavedAnswers) -> Any:
    """Save over ``version``; a stale version gets 409 with both versions."""
    try:
        return await _call(request, "save", token, _known(body.answers), version=body.version,
                           label=body.label, role=body.role)
    except SaveConflict as conflict:
        return JSONResponse(Conflict(message=str(conflict), version=conflict.version,
                                     yours=conflict.yours, theirs=conflict.theirs).model_dump(),
                            status_code=409)
    except RateLimited as error:
        return _api_too_many(error)


def _api_too_many(error: RateLimited) -> Response:
    return JSONResponse({"message": str(error), "detail": []}, status_code=429,
                        headers={"retry-after": str(error.retry_after)})
