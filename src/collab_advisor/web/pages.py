"""The pages: the guided form with its results, compare, rules, files.

Every page is worked out from its URL alone. To add a page, add a route here
that calls ``render()`` with a template extending ``base.html``, and an entry
in ``NAV`` if it belongs in the menu.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import yaml
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.responses import PlainTextResponse as _Text

from collab_advisor import Approach, Recommendation, recommend

from .fields import BY_NAME, QUESTIONS, State, Value, mapping_state, read_state, to_query
from .guard import CSP_HEADER, REPORT_CSP, is_unicode, small_int
from .settings import Settings, root_of, route_path, settings_of
from .views import (
    apply_changes,
    approach_views,
    change_options,
    describe_change,
    differing_fields,
    read_changes,
    settled_words,
    what_if_rows,
)

router = APIRouter(include_in_schema=False)

NAV: list[tuple[str, str]] = [("/", "Plan"), ("/compare", "Compare plans"), ("/team", "Team"),
                              ("/glossary", "The four approaches"), ("/rules", "Rules"),
                              ("/api-help", "API")]
"""The menu: (path, label)."""

MAX_UPLOAD = 32 * 1024
"""The largest context file accepted, in bytes."""
MAX_PLANS = 6
"""The most plans the compare page shows side by side."""


def render(request: Request, template: str, status: int = 200, **data: Any) -> HTMLResponse:
    """A page from ``template``, with the menu and the rules in use."""
    settings = settings_of(request)
    page = settings.templates.get_template(template).render(
        nav=NAV, path=route_path(request), root=root_of(request), rules=settings.rules,
        rule_files=settings.rule_files, custom_rules=settings.custom_rules, **data)
    return HTMLResponse(page, status_code=status)


def _redirect(request: Request, url: str) -> RedirectResponse:
    return RedirectResponse(root_of(request) + url, status_code=303)


def _has_blanks(params: Sequence[tuple[str, str]]) -> bool:
    return any(value.strip() == "" for _, value in params)


# -- the guided form and its results ---------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:  # on the event loop: see api_recommend
    """The form, and the advice for the answers in the query string."""
    params = request.query_params.multi_items()
    state = read_state(params)
    tokens = [value for key, value in params if key == "change" and value.strip()]
    if _has_blanks(params):  # a submitted form: drop the "not sure yet" answers from the URL
        extra = urlencode([("change", token) for token in tokens])
        query = "&".join(part for part in (to_query(_raw(params)), extra) if part)
        return _redirect(request, "/" + (f"?{query}" if query else ""))
    return _advice_page(request, state, tokens)


def _raw(params: Sequence[tuple[str, str]]) -> dict[str, Value | None]:
    """The non-blank answers as given (kept as text so bad ones still show their error)."""
    known = {key: value for key, value in params if key in BY_NAME and value.strip()}
    return dict(known)


def _advice_page(request: Request, state: State, tokens: Sequence[str],
                 upload_problems: Sequence[str] = ()) -> HTMLResponse:
    settings = settings_of(request)
    rec = recommend(state.values, rules=settings.rules)
    changes, change_problems = read_changes(tokens)
    what_if = rec.what_if(**changes) if changes else None
    query = state.query()
    next_question = rec.next_questions[0] if rec.next_questions else None
    status = 422 if state.errors or change_problems or upload_problems else 200
    return render(
        request, "index.html", status=status,
        questions=QUESTIONS,
        current={name: BY_NAME[name].url_value(value) for name, value in state.values.items()},
        errors=state.errors,
        upload_problems=upload_problems,
        rec=rec,
        views=approach_views(rec, settings.rules),
        settled=settled_words(rec),
        next_question=next_question,
        query=query,
        known_values=state.values,
        change_options=change_options(state.values),
        changes=[describe_change(f, v) for f, v in changes.items()],
        change_tokens=[f"{f}=" + ("" if v is None else BY_NAME[f].url_value(v))
                       for f, v in changes.items()],
        change_problems=change_problems,
        what_if=what_if,
        what_if_rows=what_if_rows(what_if, rec) if what_if else [],
        applied_query=apply_changes(state.values, changes),
        compare_query=_compare_query([state.values, state.values]),
        team_query=to_query(state.values, prefix="p0."),
    )


# -- files ----------------------------------------------------------------------------


def _known(request: Request) -> dict[str, Any]:
    return read_state(request.query_params.multi_items()).context.known()


@router.get("/download/context.json")
def download_json(request: Request) -> Response:
    """The plan's answers as a JSON file (the body /api/recommend takes)."""
    body = json.dumps(_known(request), indent=2) + "\n"
    return Response(body, media_type="application/json",
                    headers={"content-disposition": 'attachment; filename="context.json"'})


@router.get("/download/context.yaml")
def download_yaml(request: Request) -> Response:
    """The plan's answers as a YAML file (what ``collab-advisor recommend --context`` reads)."""
    known = _known(request)
    body = yaml.safe_dump(known, sort_keys=False, allow_unicode=True) if known else "{}\n"
    return Response(body, media_type="application/yaml",
                    headers={"content-disposition": 'attachment; filename="context.yaml"'})


def _report(request: Request) -> Recommendation:
    state = read_state(request.query_params.multi_items())
    return recommend(state.values, rules=settings_of(request).rules)


@router.get("/report", response_class=HTMLResponse)
def report(request: Request) -> HTMLResponse:
    """The printable report, ``Recommendation.to_html()``, to read or print."""
    return HTMLResponse(_report(request).to_html(),
                        headers={CSP_HEADER.decode(): REPORT_CSP})


@router.get("/download/report.html")
def download_report(request: Request) -> HTMLResponse:
    """The same report as a file."""
    return HTMLResponse(_report(request).to_html(), headers={
        CSP_HEADER.decode(): REPORT_CSP,
        "content-disposition": 'attachment; filename="collab-advisor-report.html"'})


async def read_upload(context_file: UploadFile) -> tuple[dict[str, Any], list[str]]:
    """The mapping in an uploaded JSON or YAML file (at most ``MAX_UPLOAD`` bytes), and problems."""
    data = await context_file.read(MAX_UPLOAD + 1)
    problems: list[str] = []
    mapping: dict[str, Any] = {}
    name = context_file.filename or "the file"
    if len(data) > MAX_UPLOAD:
        problems.append(f"{name} is larger than {MAX_UPLOAD // 1024} KiB; a context is a few "
                        "lines of field: value pairs")
    else:
        try:
            loaded = yaml.safe_load(data.decode("utf-8"))  # JSON is YAML too
        except UnicodeDecodeError:
            problems.append(f"{name} is not UTF-8 text")
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            problems.append(f"{name} is not valid JSON or YAML{where}")
        except RecursionError:
            problems.append(f"{name} is nested too deeply; a context is one flat mapping")
        except ValueError:  # a whole number too long for Python to read
            problems.append(f"{name} holds a number with thousands of digits; "
                            "a context's numbers are small")
        else:
            if not _all_unicode(loaded):
                problems.append(f"{name} holds text that is not valid Unicode (a lone "
                                "surrogate such as \\ud800)")
            elif isinstance(loaded, dict):
                mapping = dict(loaded)
            elif loaded is not None:
                problems.append(f"{name} must hold one mapping of field names to values")
    return mapping, problems


def _all_unicode(value: Any, depth: int = 0) -> bool:
    """Whether every text in a loaded file (keys too) can be written as UTF-8."""
    if isinstance(value, str):
        return is_unicode(value)
    if depth > 50:
        return True  # too deep to be a context; refused as not a flat mapping
    if isinstance(value, dict):
        return all(_all_unicode(k, depth + 1) and _all_unicode(v, depth + 1)
                   for k, v in value.items())
    if isinstance(value, list):
        return all(_all_unicode(item, depth + 1) for item in value)
    return True


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, context_file: Annotated[UploadFile, File()]) -> Response:
    """A context file (JSON or YAML) opened as a plan: its answers go into the URL."""
    mapping, problems = await read_upload(context_file)
    state = mapping_state(mapping)
    if not problems and not state.errors:
        return _redirect(request, "/" + (f"?{state.query()}" if state.query() else ""))
    return _advice_page(request, state, (), [*problems, *state.errors.values()])


# -- compare --------------------------------------------------------------------------


def _compare_query(plans: Sequence[Mapping[str, Value | None]]) -> str:
    parts = [f"n={len(plans)}"]
    parts += [to_query(plan, prefix=f"p{i}.") for i, plan in enumerate(plans)]
    return "&".join(part for part in parts if part)


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request) -> Response:
    """Two or more plans side by side; each column is a plan's answers and its advice."""
    params = request.query_params.multi_items()
    given = small_int(request.query_params.get("n"))
    count = min(max(given if given is not None else 2, 1), MAX_PLANS)
    states = [read_state(params, prefix=f"p{i}.") for i in range(count)]
    plans: list[dict[str, Value | None]] = [dict(s.values) for s in states]
    action = request.query_params.get("add"), request.query_params.get("remove")
    if action[0] is not None and len(plans) < MAX_PLANS:
        plans.append(dict(plans[-1]))
    removed = small_int(action[1])
    if removed is not None and len(plans) > 1:
        plans.pop(min(removed, len(plans) - 1))
    if any(action) or _has_blanks(params):
        return _redirect(request, f"/compare?{_compare_query(plans)}")
    settings: Settings = settings_of(request)
    recs = [recommend(s.values, rules=settings.rules) for s in states]
    errors = [f"Plan {i + 1}, {message}" for i, s in enumerate(states)
              for message in s.errors.values()]
    return render(
        request, "compare.html", status=422 if errors else 200,
        questions=QUESTIONS,
        plans=[{n: BY_NAME[n].url_value(v) for n, v in s.values.items()} for s in states],
        plan_queries=[s.query() for s in states],
        recs=recs,
        approaches=list(Approach),
        differs=differing_fields([s.values for s in states]),
        errors=errors,
        max_plans=MAX_PLANS,
    )


# -- rules, API help, assets ----------------------------------------------------------


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request) -> HTMLResponse:
    """The rules in use: where they come from, their version, and each rule's title."""
    return render(request, "rules.html")


@router.get("/glossary", response_class=HTMLResponse)
def glossary_page(request: Request) -> HTMLResponse:
    """The four approaches in plain words, each with the features the rules look for and
    their sources."""
    rules = settings_of(request).rules
    entries = [{"approach": approach,
                "features": [{"text": feature.text,
                              "cited": "; ".join(source.cite() for source in feature.source)}
                             for feature in rules.features_of(approach)]}
               for approach in Approach]
    return render(request, "glossary.html", entries=entries)


@router.get("/api-help", response_class=HTMLResponse)
def api_help(request: Request) -> HTMLResponse:
    """How a tool calls the HTTP API, with an example."""
    host = request.headers.get("host", "127.0.0.1:8000")
    return render(request, "api.html", base=f"http://{host}")


@router.get("/static/{name}")
def static(name: str, request: Request) -> Response:
    """A stylesheet or script shipped in the package (read once at start-up)."""
    asset = settings_of(request).static.get(name)
    if asset is None:
        return _Text("Not found", status_code=404)
    content, media_type = asset
    return Response(content, media_type=media_type,
                    headers={"cache-control": "no-cache"})
