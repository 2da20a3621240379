"""Team workspace pages (issue 23), mounted with the API of ``workspace_api.py`` by
``create_app(workspaces=...)``.

Every page and endpoint is reached through a capability link: ``/w/f/TOKEN`` for the
facilitator, ``/w/m/TOKEN`` for the member link passed around, ``/w/e/TOKEN`` for a
member's private edit link (and the same under ``/api/workspaces/``). A token that is
guessed, stale, of the wrong kind or for another workspace gets the app's plain 404,
the same as an address that does not exist. The store keeps everything in the
database, so any number of workers can serve the same workspaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from collab_advisor import Approach, CollabAdvisorError, Context

from .._workspace.agreement import QUESTION_FIELDS
from .._workspace.models import (
    ROLES,
    DecisionInput,
    MemberPage,
    Progress,
    RateLimited,
    RoundClosed,
    RoundStillOpen,
    SaveConflict,
    Seat,
)
from .._workspace.store import WorkspaceStore
from .settings import root_of
from .workspace_api import api
from .ws_shared import call as _call
from .ws_shared import missing, store_of

POLL_SECONDS = 5
"""How often an open facilitator page checks for new answers."""
POLL_MAX = 720
"""The most checks one facilitator page makes (an hour at POLL_SECONDS), then it stops."""

router = APIRouter(include_in_schema=False)  # pages for people; the API is documented


@dataclass(frozen=True)
class Question:
    """One context question as the member form shows it."""

    name: str
    question: str
    kind: Literal["choice", "yes_no", "count"]
    choices: tuple[tuple[str, str], ...]
    """(value, words) pairs for choices."""


def _questions() -> tuple[Question, ...]:
    schema = Context.model_json_schema()
    defs = schema.get("$defs", {})
    out = []
    for name in QUESTION_FIELDS:
        prop = schema["properties"][name]
        options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
        option = options[0]
        text = str(prop.get("question") or prop.get("description") or name)
        if "$ref" in option:
            enum = defs[option["$ref"].rsplit("/", 1)[1]]
            words = enum.get("enumDescriptions") or enum["enum"]
            out.append(Question(name, text, "choice",
                                tuple(zip(enum["enum"], words, strict=True))))
        elif option.get("type") == "boolean":
            out.append(Question(name, text, "yes_no", (("true", "Yes"), ("false", "No"))))
        else:
            out.append(Question(name, text, "count", ()))
    return tuple(out)


QUESTIONS = _questions()


def _answers_from_form(form: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in QUESTIONS:
        raw = str(form.get(question.name, "")).strip()
        if not raw:
            continue
        if question.kind == "yes_no":
            answers[question.name] = raw == "true"
        elif question.kind == "count":
            if not raw.isdigit():
                raise CollabAdvisorError(f"{question.name}: expected a whole number, "
                                         f"not {raw!r}")
            answers[question.name] = int(raw)
        else:
            answers[question.name] = raw
    return answers


def _render(request: Request, template: str, status: int = 200, **data: Any) -> HTMLResponse:
    settings = request.app.state.settings
    page = settings.templates.get_template(template).render(
        root=root_of(request), poll_seconds=POLL_SECONDS, poll_max=POLL_MAX,
        questions=QUESTIONS, roles=ROLES, approaches=list(Approach), **data)
    return HTMLResponse(page, status_code=status)


def _link(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


# -- pages -----------------------------------------------------------------------------


@router.get("/workspaces", response_class=HTMLResponse)
def new_workspace_page(request: Request) -> Response:
    """The form that creates a workspace."""
    return _render(request, "ws_new.html", error=None)


@router.post("/workspaces", response_class=HTMLResponse)
async def create_workspace_page(request: Request) -> Response:
    """Create a workspace and go to its facilitator page."""
    form = await request.form()
    try:
        made = await _call(request, "create_workspace", str(form.get("name", "")),
                           str(form.get("description", "")))
    except CollabAdvisorError as error:
        return _render(request, "ws_new.html", status=422, error=str(error))
    return _render(request, "ws_created.html", status=201, name=made.name,
                   facilitator_link=_link(request, f"/w/f/{made.facilitator_token}"),
                   member_link=_link(request, f"/w/m/{made.member_token}"))


@router.get("/w/f/{token}", response_class=HTMLResponse)
async def facilitator_page(request: Request, token: str) -> Response:
    """Progress, agreement, the team's advice, rounds and decisions."""
    store = store_of(request)
    progress: Progress = await _call(request, "progress", token)
    records = await _call(request, "decisions", token)
    return _render(request, "ws_facilitator.html", p=progress, token=token,
                   records=records, public_key=await run_in_threadpool(store.public_key),
                   error=None)


@router.post("/w/f/{token}/member-link", response_class=HTMLResponse)
async def member_link_page(request: Request, token: str) -> Response:
    """A new member link; the old one stops working (links are kept only as hashes)."""
    fresh = await _call(request, "new_member_link", token)
    progress: Progress = await _call(request, "progress", token)
    return _render(request, "ws_created.html", name=progress.name,
                   facilitator_link=_link(request, f"/w/f/{token}"),
                   member_link=_link(request, f"/w/m/{fresh}"))


@router.post("/w/f/{token}/round", response_class=HTMLResponse)
async def round_page(request: Request, token: str) -> Response:
    """Close the open round, or open the next."""
    form = await request.form()
    action = form.get("action")
    try:
        if action == "close":
            await _call(request, "close_round", token)
        elif action == "open":
            await _call(request, "open_round", token)
        else:
            raise CollabAdvisorError("action: expected close or open")
    except CollabAdvisorError as error:
        return await _facilitator_error(request, token, str(error))
    return RedirectResponse(f"{root_of(request)}/w/f/{token}", status_code=303)


async def _facilitator_error(request: Request, token: str, message: str) -> Response:
    store = store_of(request)
    progress = await _call(request, "progress", token)
    records = await _call(request, "decisions", token)
    return _render(request, "ws_facilitator.html", status=422, p=progress, token=token,
                   records=records, error=message,
                   public_key=await run_in_threadpool(store.public_key))


@router.post("/w/f/{token}/decision", response_class=HTMLResponse)
async def decision_page(request: Request, token: str) -> Response:
    """Record the team's decision."""
    form = await request.form()
    present = tuple(part.strip() for part in str(form.get("present", "")).split(",")
                    if part.strip())
    try:
        decision = DecisionInput(chosen=str(form.get("chosen", "")),
                                 why=str(form.get("why", "")).strip() or "-",
                                 present=present)
        await _call(request, "record_decision", token, decision)
    except (CollabAdvisorError, ValueError) as error:
        return await _facilitator_error(request, token, str(error))
    return RedirectResponse(f"{root_of(request)}/w/f/{token}#decisions", status_code=303)


@router.get("/w/f/{token}/decision/{number}.{kind}")
async def decision_file(request: Request, token: str, number: int, kind: str) -> Response:
    """A decision record as Markdown or PDF, with the signed JSON embedded."""
    records = await _call(request, "decisions", token)
    if not 1 <= number <= len(records) or kind not in ("md", "pdf", "json"):
        raise missing()
    record = records[number - 1]
    name = f"decision-{number}.{kind}"
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    if kind == "md":
        return Response(record.to_markdown(), media_type="text/markdown; charset=utf-8",
                        headers=headers)
    if kind == "json":
        return Response(record.to_json(), media_type="application/json", headers=headers)
    try:
        data = await run_in_threadpool(record.to_pdf)
    except CollabAdvisorError as error:
        return JSONResponse({"message": str(error), "detail": []}, status_code=501)
    return Response(data, media_type="application/pdf", headers=headers)


@router.get("/w/f/{token}/answers.{kind}")
async def answers_file(request: Request, token: str, kind: str) -> Response:
    """The members' answers as CSV or .xlsx, ready for ``collab-advisor batch``."""
    if kind == "csv":
        text = await _call(request, "answers_csv", token)
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="answers.csv"'})
    if kind == "xlsx":
        try:
            data = await _call(request, "answers_xlsx", token)
        except CollabAdvisorError as error:
            return JSONResponse({"message": str(error), "detail": []}, status_code=501)
        return Response(data, media_type="application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet",
                        headers={"content-disposition": 'attachment; filename="answers.xlsx"'})
    raise missing()


@router.post("/w/f/{token}/delete", response_class=HTMLResponse)
async def delete_page(request: Request, token: str) -> Response:
    """Delete the workspace and everything in it."""
    form = await request.form()
    if form.get("confirm") != "delete":
        return await _facilitator_error(request, token, "to delete, type delete in the box")
    await _call(request, "delete_workspace", token)
    return _render(request, "ws_deleted.html")


@router.get("/w/m/{token}", response_class=HTMLResponse)
async def member_entry_page(request: Request, token: str) -> Response:
    """The member link: the questions, a label and a role, all optional."""
    page: MemberPage = await _call(request, "member_entry", token)
    return _render(request, "ws_member.html", page=page, action=f"/w/m/{token}", seat=None,
                   answers={}, error=None, conflict=None)


@router.post("/w/m/{token}", response_class=HTMLResponse)
async def member_join_page(request: Request, token: str) -> Response:
    """Take a seat with these answers and go to the private edit link."""
    form = await request.form()
    try:
        answers = _answers_from_form(form)
        seat: Seat = await _call(request, "join", token, answers,
                                 label=str(form.get("label", "")) or None,
                                 role=str(form.get("role", "")) or None)
    except RateLimited as error:
        return _too_many(error)
    except (CollabAdvisorError, ValueError) as error:
        page = await _call(request, "member_entry", token)
        return _render(request, "ws_member.html", status=422, page=page,
                       action=f"/w/m/{token}", seat=None, answers=dict(form), error=str(error),
                       conflict=None)
    return RedirectResponse(f"{root_of(request)}/w/e/{seat.edit_token}?saved=1", status_code=303)


@router.get("/w/e/{token}", response_class=HTMLResponse)
async def member_page(request: Request, token: str) -> Response:
    """A member's own answers, to change while a round is open, and the last round."""
    page: MemberPage = await _call(request, "member_page", token)
    assert page.seat is not None
    return _render(request, "ws_member.html", page=page, action=f"/w/e/{token}",
                   seat=page.seat, answers=_as_form(page.seat.answers), error=None,
                   conflict=None, saved=request.query_params.get("saved") == "1",
                   link=_link(request, f"/w/e/{token}"))


def _as_form(answers: dict[str, Any]) -> dict[str, str]:
    return {k: ("true" if v is True else "false" if v is False else str(v))
            for k, v in answers.items()}


@router.post("/w/e/{token}", response_class=HTMLResponse)
async def member_save_page(request: Request, token: str) -> Response:
    """Save a member's answers over the version their form was opened at."""
    form = await request.form()
    try:
        answers = _answers_from_form(form)
        version = int(str(form.get("version", "0")))
        await _call(request, "save", token, answers, version=version,
                    label=str(form.get("label", "")) or None,
                    role=str(form.get("role", "")) or None)
    except RateLimited as error:
        return _too_many(error)
    except SaveConflict as conflict:
        page = await _call(request, "member_page", token)
        return _render(request, "ws_member.html", status=409, page=page,
                       action=f"/w/e/{token}", seat=page.seat, answers=_as_form(conflict.yours),
                       error=str(conflict), conflict=conflict,
                       link=_link(request, f"/w/e/{token}"))
    except (CollabAdvisorError, ValueError) as error:
        page = await _call(request, "member_page", token)
        return _render(request, "ws_member.html", status=422, page=page,
                       action=f"/w/e/{token}", seat=page.seat, answers=dict(form),
                       error=str(error), conflict=None, link=_link(request, f"/w/e/{token}"))
    return RedirectResponse(f"{root_of(request)}/w/e/{token}?saved=1", status_code=303)


def _too_many(error: RateLimited) -> Response:
    return HTMLResponse(f"<!DOCTYPE html><title>Too many saves</title><p>{escape(str(error))}</p>",
                        status_code=429, headers={"retry-after": str(error.retry_after)})


async def _round_closed(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"message": str(exc), "detail": []}, status_code=409)
    return HTMLResponse(f"<!DOCTYPE html><title>Round closed</title><p>{escape(str(exc))}</p>",
                        status_code=409)


def mount_workspaces(app: FastAPI, store: WorkspaceStore | None) -> None:
    """Add the workspace pages and API to ``app`` when a store is given."""
    if store is None:
        return
    app.state.workspaces = store
    app.include_router(api)
    app.include_router(router)
    app.add_exception_handler(RoundClosed, _round_closed)
    app.add_exception_handler(RoundStillOpen, _round_closed)
