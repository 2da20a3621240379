"""The team page: several members' answers, where they agree and differ, and the team's advice.

Like every page, the team lives in its address: ``n=3`` members, each with
``p{i}.member`` (a label), ``p{i}.role`` and ``p{i}.<field>`` answers (the
compare page's pattern). Adding a member from a plan's link or an uploaded
file, editing or removing one, all end in a redirect to the new address;
nothing is kept on the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from collab_advisor import Approach, TeamMember, TeamRecommendation, recommend_team

from .fields import BY_NAME, QUESTIONS, Value, mapping_state, read_state, to_query
from .guard import CSP_HEADER, REPORT_CSP, is_unicode, small_int
from .pages import read_upload, render
from .settings import root_of, settings_of

router = APIRouter(include_in_schema=False)

MAX_TEAM = 20
"""The most members the team page and ``POST /api/team`` take."""
MAX_LABEL = 100
"""The longest member label or role (as ``TeamMember`` allows)."""


@dataclass(frozen=True)
class Member:
    """One member as the address holds them: a label, a role and the answers."""

    label: str
    role: str
    values: dict[str, Value]

    def label_or(self, index: int) -> str:
        """The label, or 'Member 2' when none was given."""
        return self.label or f"Member {index + 1}"


def team_query(members: Sequence[Member]) -> str:
    """The team's address: ``n=``, then each member's label, role and answers."""
    parts = [f"n={len(members)}"]
    for i, member in enumerate(members):
        named = [(f"p{i}.{key}", value) for key, value in
                 (("member", member.label), ("role", member.role)) if value]
        parts += [urlencode(named), to_query(member.values, prefix=f"p{i}.")]
    return "&".join(part for part in parts if part)


def _text(raw: str | None, what: str, problems: list[str]) -> str:
    text = (raw or "").strip()
    if not is_unicode(text):
        problems.append(f"{what} is not valid Unicode text (it holds a lone surrogate); "
                        "it was left out")
        return ""
    if len(text) > MAX_LABEL:
        problems.append(f"{what} is longer than {MAX_LABEL} characters; it was shortened")
        text = text[:MAX_LABEL]
    return text


def read_team(params: Sequence[tuple[str, str]]) -> tuple[list[Member], list[str]]:
    """The members in a query string, and problems naming the member and field."""
    given = small_int(dict(params).get("n"))
    count = min(given if given is not None else 0, MAX_TEAM)
    lookup = dict(params)
    members: list[Member] = []
    problems: list[str] = []
    for i in range(count):
        state = read_state(params, prefix=f"p{i}.")
        label = _text(lookup.get(f"p{i}.member"), f"Member {i + 1}'s label", problems)
        role = _text(lookup.get(f"p{i}.role"), f"Member {i + 1}'s role", problems)
        member = Member(label, role, dict(state.values))
        problems += [f"{member.label_or(i)}, {message}" for message in state.errors.values()]
        members.append(member)
    return members, problems


def _from_link(link: str) -> tuple[list[Member], list[str]]:
    """The plans in a pasted link, and problems naming the plan and field.

    A plan's link gives one member; a compare or team link (``n=2&p0.aim=...``) gives
    one member a plan, keeping the team link's labels and roles.
    """
    text = link.strip()
    parts = urlsplit(text)
    query = parts.query if parts.query or parts.scheme or parts.path.startswith("/") else text
    pairs = parse_qsl(query.lstrip("?"), keep_blank_values=False)
    known = [(key, value) for key, value in pairs if key in BY_NAME]
    if known:
        state = read_state(known)
        return ([Member("", "", dict(state.values))],
                [f"The link's {message}" for message in state.errors.values()])
    if any(key.startswith("p") and "." in key for key, _ in pairs):
        plans, problems = read_team(pairs)
        plans = [plan for plan in plans if plan.values or plan.label]
        if plans:
            return plans, [f"In the link, {message}" for message in problems]
    return [], ["That link holds no answers: copy the address of a plan from the Plan "
                "page (it looks like /?aim=...&formality=...), or of a compare or team page"]


def _redirect(request: Request, members: Sequence[Member]) -> RedirectResponse:
    return RedirectResponse(f"{root_of(request)}/team?{team_query(members)}", status_code=303)


def _recommendation(request: Request, members: Sequence[Member]) -> TeamRecommendation | None:
    if not members:
        return None
    return recommend_team(
        [TeamMember(label=m.label_or(i), role=m.role or None, context=m.values)
         for i, m in enumerate(members)],
        rules=settings_of(request).rules)


@router.get("/team", response_class=HTMLResponse)
def team(request: Request) -> Response:
    """The team's members and answers, where they agree and differ, and the team's advice."""
    params = request.query_params.multi_items()
    members, problems = read_team(params)
    query = request.query_params
    remove, link = query.get("remove"), (query.get("link") or "").strip()
    adding = query.get("add") is not None or bool(link)
    if adding:
        joining, link_problems = _from_link(link) if link else ([], [
            "Paste the link of a plan first (copy it from the Plan page's address bar)"])
        if len(members) + max(len(joining), 1) > MAX_TEAM:
            link_problems.append(f"A team page holds at most {MAX_TEAM} members; remove one "
                                 "before adding another")
        if link_problems:
            return _page(request, members, [*problems, *link_problems], link=link)
        if len(joining) == 1:
            label = _text(query.get("new_member"), "The new member's label", problems)
            role = _text(query.get("new_role"), "The new member's role", problems)
            joining = [Member(label or joining[0].label, role or joining[0].role,
                              joining[0].values)]
        return _redirect(request, [*members, *joining])
    removed = small_int(remove)
    if removed is not None and removed < len(members):
        members.pop(removed)
        return _redirect(request, members)
    if any(value.strip() == "" for _, value in params) or remove is not None:
        return _redirect(request, members)  # a submitted form: drop the blanks from the address
    return _page(request, members, problems)


@router.post("/team/upload", response_class=HTMLResponse)
async def team_upload(request: Request,
                      context_file: Annotated[UploadFile, File()]) -> Response:
    """A member's context file: its answers (and ``member``/``role`` keys) join the team."""
    members, problems = read_team(request.query_params.multi_items())
    mapping, file_problems = await read_upload(context_file)
    label = _text(_scalar(mapping.pop("member", None)), "The file's member", file_problems)
    role = _text(_scalar(mapping.pop("role", None)), "The file's role", file_problems)
    state = mapping_state(mapping)
    file_problems += list(state.errors.values())
    if len(members) >= MAX_TEAM:
        file_problems.append(f"A team page holds at most {MAX_TEAM} members; remove one "
                             "before adding another")
    if file_problems:
        name = context_file.filename or "the file"
        return _page(request, members, [*problems,
                                        *(f"{name}: {p}" for p in file_problems)])
    return _redirect(request, [*members, Member(label, role, dict(state.values))])


def _scalar(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)


@router.get("/team/report", response_class=HTMLResponse)
def team_report(request: Request) -> Response:
    """The printable team report, ``TeamRecommendation.to_html()``."""
    members, _ = read_team(request.query_params.multi_items())
    result = _recommendation(request, members)
    if result is None:
        return RedirectResponse(f"{root_of(request)}/team", status_code=303)
    return HTMLResponse(result.to_html(), headers={CSP_HEADER.decode(): REPORT_CSP})


@dataclass(frozen=True)
class RankRow:
    """One approach in the team's ranking, with its score range across the team's answers."""

    rank: int
    name: str
    score: int
    low: int
    high: int
    top: bool


def _rank_rows(result: TeamRecommendation) -> list[RankRow]:
    rows = []
    for ranked in result.advice.ranking:
        low, high = result.score_range_of(ranked.approach)
        rows.append(RankRow(ranked.rank, ranked.name, ranked.score, low, high,
                            ranked.rank == 1))
    return rows


def _agreed(result: TeamRecommendation) -> list[tuple[str, str]]:
    known: Mapping[str, Any] = result.agreed.known()
    return [(q.label, _shown(q.name, known[q.name])) for q in QUESTIONS if q.name in known]


def _shown(field: str, value: Any) -> str:
    if isinstance(value, Approach):
        return value.display_name
    text = BY_NAME[field].url_value(value.value if hasattr(value, "value") else value)
    return text.replace("_", " ")


def _page(request: Request, members: list[Member], problems: Sequence[str],
          link: str = "") -> HTMLResponse:
    result = _recommendation(request, members)
    disputed = {d.field for d in result.disputed} if result else set()
    return render(
        request, "team.html", status=422 if problems else 200,
        questions=QUESTIONS,
        members=members,
        labels=([view.label for view in result.member_views] if result
                else [m.label_or(i) for i, m in enumerate(members)]),
        answers=[{n: BY_NAME[n].url_value(v) for n, v in m.values.items()} for m in members],
        plan_queries=[to_query(m.values) for m in members],
        query=team_query(members),
        result=result,
        rank_rows=_rank_rows(result) if result else [],
        agreed=_agreed(result) if result else [],
        disputed=disputed,
        label_of={q.name: q.label for q in QUESTIONS},
        shown=_shown,
        problems=problems,
        link=link,
        max_team=MAX_TEAM,
    )
