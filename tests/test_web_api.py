"""The web app and HTTP API, called in-process: answers equal the library's, safety rules hold."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from markupsafe import escape

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[test]'")

from fastapi import FastAPI
from fastapi.testclient import TestClient

from collab_advisor import Approach, Context, RuleSet, load_rules, recommend, recommend_team
from collab_advisor.web import create_app
from collab_advisor.web.cli import allowed_hosts, is_loopback
from collab_advisor.web.fields import QUESTIONS

from .conftest import write_rules

CONTEXTS: list[dict[str, Any]] = [
    {},
    {"aim": "share_know_how", "formality": "informal"},
    {"aim": "close_practice_gap", "time_span": "fixed_term", "evidence": "established",
     "scope": "multi_organisation", "professions": "multi_professional"},
    {"aim": "redesign_services", "single_org_can_solve": False, "existing_network": True,
     "sites": 12, "scope": "multi_organisation", "geographic_reach": "regional",
     "name": "Renal network"},
]


@pytest.fixture(scope="module")
def app() -> FastAPI:
    """The app with the shipped rules, answering to TestClient's host name."""
    return create_app(allowed_hosts={"testserver"})


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client for the app."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def rules(app: FastAPI) -> RuleSet:
    """The rule set the app was started with."""
    found: RuleSet = app.state.settings.rules
    return found


# -- the API returns what the library returns -----------------------------------------


@pytest.mark.parametrize("context", CONTEXTS)
def test_recommend_returns_exactly_the_library_result(
        client: TestClient, rules: RuleSet, context: dict[str, Any]) -> None:
    """POST /api/recommend gives recommend(context).report().model_dump(mode="json"), field
    for field: the recommendation with its analysis."""
    response = client.post("/api/recommend", json=context)
    assert response.status_code == 200
    assert response.json() == recommend(context, rules=rules).report().model_dump(mode="json")


@pytest.mark.parametrize("context", CONTEXTS[1:])
def test_what_if_why_not_and_path_to_match_the_library(
        client: TestClient, rules: RuleSet, context: dict[str, Any]) -> None:
    """The what-if, why-not and path-to endpoints give the library's answers as JSON."""
    rec = recommend(context, rules=rules)
    changes = {"aim": "improve_specialty_outcomes", "formality": None}
    response = client.post("/api/what-if", json={"context": context, "changes": changes})
    assert response.status_code == 200
    assert response.json() == rec.what_if(**changes).model_dump(mode="json")
    for approach in Approach:
        body = {"context": context, "approach": approach.value}
        why = client.post("/api/why-not", json=body)
        assert why.json() == rec.why_not(approach).model_dump(mode="json")
        path = client.post("/api/path-to", json=body)
        assert path.json() == rec.path_to(approach).model_dump(mode="json")


def test_schema_and_openapi_describe_the_api(client: TestClient) -> None:
    """GET /api/schema is the context's JSON Schema; /openapi.json lists every endpoint."""
    assert client.get("/api/schema").json() == Context.model_json_schema()
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/recommend", "/api/what-if", "/api/why-not", "/api/path-to",
                 "/api/schema", "/api/rules"):
        assert path in paths
    assert "/" not in paths  # pages are not part of the API


def test_rules_endpoint_names_the_rules_in_use(client: TestClient, rules: RuleSet) -> None:
    """GET /api/rules gives the version and fingerprint of the rules answering."""
    answer = client.get("/api/rules").json()
    assert answer["version"] == rules.version
    assert answer["fingerprint"] == rules.fingerprint
    assert answer["rules"] == len(rules) and answer["shipped"] is True


# -- bad input --------------------------------------------------------------------------


def test_a_bad_value_gets_422_naming_the_field_and_allowed_values(client: TestClient) -> None:
    """A value outside a field's choices is refused with its field and the allowed values."""
    response = client.post("/api/recommend", json={"aim": "world_peace"})
    assert response.status_code == 422
    message = response.json()["message"]
    assert message.startswith("aim: 'world_peace' is not allowed")
    assert "close_practice_gap, share_know_how, redesign_services" in message


def test_unknown_fields_counts_and_approaches_are_named(client: TestClient) -> None:
    """Unknown fields, out-of-range counts and unknown approaches each get a 422 that says so."""
    extra = client.post("/api/recommend", json={"aims": "share_know_how"})
    assert extra.status_code == 422
    assert "aims: not a field of the context" in extra.json()["message"]
    sites = client.post("/api/recommend", json={"sites": 0})
    assert sites.status_code == 422 and "sites: 0 is not allowed" in sites.json()["message"]
    approach = client.post("/api/why-not", json={"context": {}, "approach": "committee"})
    assert approach.status_code == 422 and "approach" in approach.json()["message"]
    assert "qi_collaborative" in approach.json()["message"]
    change = client.post("/api/what-if", json={"context": {}, "changes": {"scope": "galaxy"}})
    assert change.status_code == 422
    assert "scope: 'galaxy' is not allowed; allowed: single_organisation" in (
        change.json()["message"])
    not_json = client.post("/api/recommend", content=b"{aim:", headers={
        "content-type": "application/json"})
    assert not_json.status_code == 422


def test_request_bodies_are_limited_in_size(client: TestClient) -> None:
    """A body over 64 KiB is refused with 413, announced or streamed."""
    big = json.dumps({"name": "x" * 70_000}).encode()
    assert client.post("/api/recommend", content=big, headers={
        "content-type": "application/json"}).status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(80):
            yield b" " * 1024

    streamed = client.post("/api/recommend", content=chunks(), headers={
        "content-type": "application/json"})
    assert streamed.status_code == 413


# -- safety ---------------------------------------------------------------------------


def test_host_header_must_name_the_server(client: TestClient) -> None:
    """A request whose Host names another site (DNS rebinding) is refused."""
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 421
    assert client.get("/", headers={"host": "attacker.example:8000"}).status_code == 421
    assert client.get("/", headers={"host": "testserver:8000"}).status_code == 200


def test_loopback_server_answers_only_to_loopback_names() -> None:
    """The default app answers to 127.0.0.1 and localhost on any port, and to no other name."""
    with TestClient(create_app()) as local:
        assert local.get("/api/schema", headers={"host": "127.0.0.1:8000"}).status_code == 200
        assert local.get("/api/schema", headers={"host": "localhost:9"}).status_code == 200
        assert local.get("/api/schema", headers={"host": "[::1]:8000"}).status_code == 200
        assert local.get("/api/schema", headers={"host": "127.0.0.1.nip.io"}).status_code == 421


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    """A POST from another site's page (a different Origin) gets 403; the same origin works."""
    body = {"aim": "share_know_how"}
    other = client.post("/api/recommend", json=body, headers={"origin": "https://evil.example"})
    assert other.status_code == 403
    fetched = client.post("/api/recommend", json=body, headers={"sec-fetch-site": "cross-site"})
    assert fetched.status_code == 403
    same = client.post("/api/recommend", json=body, headers={"origin": "http://testserver"})
    assert same.status_code == 200
    own_form = client.post("/api/recommend", json=body, headers={
        "origin": "null", "sec-fetch-site": "same-origin"})
    assert own_form.status_code == 200


@pytest.mark.parametrize("path", ["/", "/api/schema", "/report", "/compare", "/nowhere"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    """Pages, API answers and errors all forbid framing, sniffing and referrers."""
    headers = client.get(path).headers
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"] or path == "/report"
    assert "script-src" not in headers["content-security-policy"] or path != "/report"


def test_pages_escape_what_planners_type(client: TestClient) -> None:
    """A name holding HTML is shown as text, never as markup."""
    page = client.get("/", params={"name": '<script>alert("x")</script>'}).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_static_route_serves_only_the_packaged_assets(client: TestClient) -> None:
    """Only the shipped stylesheet, script and icon are served; other names get 404."""
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/app.js").status_code == 200
    for name in ("fields.py", "..%2Fapp.py", "%2E%2E%2F%2E%2E%2Fpyproject.toml"):
        assert client.get(f"/static/{name}").status_code == 404


# -- pages ----------------------------------------------------------------------------


def _checked(page: str) -> dict[str, str]:
    """The answers a page's form shows as chosen (radio buttons checked, boxes filled)."""
    found = {name: value for name, value in re.findall(
        r'<input type="radio" name="(\w+)" value="(\w+)" checked>', page)}
    found.update(re.findall(r'<input id="in-\w+" name="(\w+)" type="\w+"[^>]* value="([^"]+)"',
                            page))
    return found


def test_the_page_shows_the_advice_for_the_answers_in_its_address(
        client: TestClient, rules: RuleSet) -> None:
    """GET /?aim=...: the form shows those answers and the results rank as the library does."""
    context = CONTEXTS[3]
    query = {k: ("yes" if v is True else "no" if v is False else str(v)) for k, v in
             context.items()}
    page = client.get("/", params=query).text
    shown = {k: ("yes" if v is True else "no" if v is False else str(v)) for k, v in
             Context.model_validate(context).known().items()}  # old spellings read anew
    assert _checked(page) == shown
    rec = recommend(context, rules=rules)
    names = re.findall(r'<span class="rank">\d\.</span> ([^<]+)</h4>', page)
    assert names == [r.name for r in rec.ranking]
    assert rec.fit.message in page.replace("&#39;", "'")
    assert f"Score <strong>{rec.top.score}</strong>" in page


def test_not_sure_answers_are_dropped_from_the_address(client: TestClient) -> None:
    """Submitting the form without JavaScript leads to a clean, shareable address."""
    response = client.get("/?formality=&aim=share_know_how&sites=&scope=", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/?aim=share_know_how"


def test_a_bad_answer_in_the_address_is_shown_not_used(client: TestClient) -> None:
    """An unknown value is named with its allowed values and treated as not known."""
    response = client.get("/?aim=world_peace&formality=informal")
    assert response.status_code == 422
    assert "aim: &#39;world_peace&#39; is not allowed; allowed: close_practice_gap" in (
        response.text)


def test_the_most_informative_question_is_marked(client: TestClient, rules: RuleSet) -> None:
    """The form marks the field ``next_questions`` puts first."""
    rec = recommend({"aim": "share_know_how"}, rules=rules)
    page = client.get("/?aim=share_know_how").text
    marked = page.split("<strong>Most useful next question.</strong>")[0].rsplit('id="q-', 1)[1]
    assert marked.split('"')[0] == rec.next_questions[0].field


def test_every_field_is_a_question_with_its_options(client: TestClient) -> None:
    """Every field of the context schema appears on the form, with every allowed value."""
    page = client.get("/").text
    schema = Context.model_json_schema()
    for name in schema["properties"]:
        assert f'name="{name}"' in page
    for question in QUESTIONS:
        for option in question.options:
            assert f'name="{question.name}" value="{option.value}"' in page


def test_what_if_on_the_page_matches_the_library(client: TestClient, rules: RuleSet) -> None:
    """A change tried in the what-if shows the library's new ranking and a link to keep it."""
    page = client.get("/?aim=share_know_how&formality=informal"
                      "&change=aim%3Dclose_practice_gap&change=formality%3Dhighly_structured").text
    result = recommend(aim="share_know_how", formality="informal", rules=rules).what_if(
        aim="close_practice_gap", formality="highly_structured")
    section = page.split('id="what-if"')[1]
    assert "If aim: close practice gap; formality: highly structured" in section
    for ranked in result.recommendation.ranking:
        assert f"{ranked.rank}. ({ranked.score} points)" in section
    assert 'href="/?formality=highly_structured&amp;aim=close_practice_gap"' in section


def test_path_to_links_into_the_what_if(client: TestClient, rules: RuleSet) -> None:
    """Each approach's path to first place links to a what-if trying exactly those changes."""
    rec = recommend(CONTEXTS[1], rules=rules)
    page = client.get("/?formality=informal&aim=share_know_how").text
    linked = 0
    for ranked in rec.ranking[1:]:
        path = rec.path_to(ranked.approach)
        section = page.split(f'id="approach-{ranked.approach.value}"')[1]
        section = section.split('<li class="approach')[0]
        assert str(escape(path.message)) in section
        if path.found:
            tokens = "&amp;".join(f"change={c.field}%3D{str(c.after).lower()}"
                                  if isinstance(c.after, bool) else
                                  f"change={c.field}%3D{c.after}" for c in path.changes)
            assert f'href="/?formality=informal&amp;aim=share_know_how&amp;{tokens}#what-if"' in (
                section)
            linked += 1
    assert linked >= 1


def test_context_downloads_round_trip(client: TestClient) -> None:
    """The YAML and JSON downloads hold the plan's answers, typed as the library takes them."""
    query = "aim=redesign_services&single_org_can_solve=no&sites=4"
    expected = {"aim": "redesign_services", "single_org_can_solve": False, "sites": 4}
    as_json = client.get(f"/download/context.json?{query}")
    assert "attachment" in as_json.headers["content-disposition"]
    assert as_json.json() == expected
    assert yaml.safe_load(client.get(f"/download/context.yaml?{query}").text) == expected


def test_report_is_the_library_report(client: TestClient, rules: RuleSet) -> None:
    """The report page and download are Recommendation.to_html() for the plan."""
    html = recommend(aim="share_know_how", rules=rules).to_html()
    assert client.get("/report?aim=share_know_how").text == html
    download = client.get("/download/report.html?aim=share_know_how")
    assert download.text == html and "attachment" in download.headers["content-disposition"]


def test_uploading_a_context_file_opens_it_as_a_plan(client: TestClient, tmp_path: Path) -> None:
    """A YAML or JSON file's answers go into the address; a bad one gets a clear message."""
    good = client.post("/upload", files={"context_file": (
        "plan.yaml", b"aim: share_know_how\nexisting_network: true\n", "application/yaml")},
        follow_redirects=False)
    assert good.status_code == 303
    assert good.headers["location"] == "/?aim=share_know_how&existing_network=yes"
    bad = client.post("/upload", files={"context_file": (
        "plan.json", b'{"aim": "world_peace", "colour": "blue"}', "application/json")})
    assert bad.status_code == 422
    assert "&#39;colour&#39; is not a field of the context" in bad.text
    assert "aim: &#39;world_peace&#39; is not allowed" in bad.text
    broken = client.post("/upload", files={"context_file": ("x.yaml", b"aim: [", "text/yaml")})
    assert broken.status_code == 422 and "x.yaml is not valid JSON or YAML" in broken.text
    large = client.post("/upload", files={"context_file": ("big.yaml", b"#" * 40_000,
                                                           "text/yaml")})
    assert large.status_code == 422 and "larger than 32 KiB" in large.text


def test_compare_shows_plans_side_by_side(client: TestClient, rules: RuleSet) -> None:
    """Two plans' answers and tops show in columns; adding a plan copies the last one."""
    page = client.get("/compare?n=2&p0.aim=share_know_how&p1.aim=close_practice_gap"
                      "&p1.time_span=fixed_term").text
    tops = re.findall(r'<tr class="summary">.*?</tr>', page, flags=re.S)[0]
    first = recommend(aim="share_know_how", rules=rules).top.name
    second = recommend(aim="close_practice_gap", time_span="fixed_term", rules=rules).top.name
    assert tops.index(first) < tops.rindex(second)
    assert 'class="differs"' in page and "differs</span>" in page
    added = client.get("/compare?n=2&p0.aim=share_know_how&p1.aim=close_practice_gap&add=1",
                       follow_redirects=False)
    assert added.headers["location"] == ("/compare?n=3&p0.aim=share_know_how"
                                         "&p1.aim=close_practice_gap&p2.aim=close_practice_gap")
    removed = client.get("/compare?n=2&p0.aim=share_know_how&p1.aim=close_practice_gap"
                         "&remove=0", follow_redirects=False)
    assert removed.headers["location"] == "/compare?n=1&p0.aim=close_practice_gap"


def test_custom_rules_are_used_and_shown(tmp_path: Path) -> None:
    """With rules given at start-up, pages say so and show their version; the API uses them."""
    folder = tmp_path / "own"
    write_rules(folder, "mine.yaml", """\
schema_version: 1
ruleset_version: 7.0.1
rules:
  - id: own-informal
    title: Informal groups suit communities of practice
    status: stable
    when: {field: formality, equals: informal}
    score: [{approach: community_of_practice, points: 5, why: Informal suits communities.}]
    source: [{guidance: Communities of Practice}]
""")
    own = load_rules(folder)
    with TestClient(create_app(own, allowed_hosts={"testserver"})) as local:
        page = local.get("/rules").text
        assert "your own rule files (mine.yaml)" in page and "7.0.1" in page
        assert "own-informal" in page and str(tmp_path) not in page
        answer = local.post("/api/recommend", json={"formality": "informal"}).json()
        assert answer == recommend({"formality": "informal"}, rules=own).report().model_dump(
            mode="json")


def test_the_server_keeps_no_state_between_requests(client: TestClient) -> None:
    """The same address gives the same page whatever was asked before."""
    first = client.get("/?aim=share_know_how").text
    client.get("/?aim=close_practice_gap&formality=highly_structured")
    client.post("/api/recommend", json={"aim": "redesign_services"})
    assert client.get("/?aim=share_know_how").text == first


# -- the command ----------------------------------------------------------------------


def test_binding_decides_the_allowed_host_names() -> None:
    """Loopback binds answer to loopback names; another address only to itself and extras."""
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")  # noqa: S104
    assert {"127.0.0.1", "localhost"} <= allowed_hosts("127.0.0.1")
    assert allowed_hosts("192.168.1.5", ["planner.example"]) == {"192.168.1.5",
                                                                "planner.example"}


_OPENED: list[str] = []
_RECORDING = [False]


def _record_opens(event: str, args: tuple[Any, ...]) -> None:
    if _RECORDING[0] and event == "open":
        _OPENED.append(str(args[0]))


def test_requests_read_no_files() -> None:
    """Once started (and warmed up), answering pages and the API opens no file at all."""
    sys.addaudithook(_record_opens)  # inert unless recording
    requests = [
        ("GET", "/?aim=share_know_how&change=aim%3Dredesign_services", None),
        ("GET", "/compare?n=2&p0.aim=share_know_how", None), ("GET", "/rules", None),
        ("GET", "/api-help", None), ("GET", "/report?aim=share_know_how", None),
        ("GET", "/download/context.yaml?aim=share_know_how", None),
        ("GET", "/static/app.css", None), ("GET", "/openapi.json", None),
        ("POST", "/api/recommend", {"aim": "share_know_how"}),
        ("POST", "/api/path-to", {"context": {}, "approach": "clinical_community"}),
    ]
    with TestClient(create_app(allowed_hosts={"testserver"})) as fresh:
        for method, path, body in requests:  # first use may import lazily loaded modules
            assert fresh.request(method, path, json=body).status_code == 200
        _RECORDING[0] = True
        try:
            for method, path, body in requests:
                fresh.request(method, path, json=body)
        finally:
            _RECORDING[0] = False
    assert _OPENED == []


def test_a_fully_answered_plan_says_it_is_settled(client: TestClient, rules: RuleSet) -> None:
    """With every question answered, the page says so and asks nothing more."""
    full: dict[str, str] = {}
    for question in QUESTIONS:
        if question.options:
            full[question.name] = question.options[0].value
    full["sites"] = "3"
    page = client.get("/", params=full)
    assert page.status_code == 200
    assert "Settled: every question is answered." in page.text
    assert "Most useful next question" not in page.text and "Answer next" not in page.text
    values: dict[str, Any] = {k: (v == "yes") if v in ("yes", "no") else v
                              for k, v in full.items()}
    assert recommend(values, rules=rules).top.name in page.text


def test_unknown_addresses_get_a_page_or_json(client: TestClient) -> None:
    """A missing page gets a 404 page for people; a missing API endpoint gets JSON."""
    page = client.get("/nowhere")
    assert page.status_code == 404 and "Page not found" in page.text
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/nowhere")
    assert api.status_code == 404 and "no such API endpoint" in api.json()["message"]


# -- the team page and POST /api/team ---------------------------------------------------

TEAM: list[dict[str, Any]] = [
    {"member": "Priya", "role": "clinician", "aim": "improve_specialty_outcomes",
     "formality": "informal", "control": "self_directed"},
    {"member": "Grace", "role": "manager", "aim": "improve_specialty_outcomes",
     "formality": "moderate", "control": "supported"},
    {"member": "Sam", "role": "carer", "aim": "improve_specialty_outcomes",
     "formality": "moderate", "control": "self_directed", "sites": 4},
]


@pytest.mark.parametrize("members", [TEAM[:1], TEAM, [{"aim": "share_know_how"}, {}]])
def test_team_api_returns_exactly_the_library_result(
        client: TestClient, rules: RuleSet, members: list[dict[str, Any]]) -> None:
    """POST /api/team gives recommend_team(members).model_dump(mode="json"), field for field."""
    response = client.post("/api/team", json={"members": members})
    assert response.status_code == 200
    assert response.json() == recommend_team(members, rules=rules).model_dump(mode="json")
    assert "/api/team" in client.get("/openapi.json").json()["paths"]


def test_team_api_names_the_bad_member_field_and_the_limit(client: TestClient) -> None:
    """A bad value names the member's place, field and allowed values; over 20 members is 422."""
    bad = client.post("/api/team", json={"members": [TEAM[0], {"member": "B",
                                                               "aim": "world_peace"}]})
    assert bad.status_code == 422
    assert bad.json()["message"].startswith("members.1.aim: 'world_peace' is not allowed; "
                                            "allowed: close_practice_gap")
    extra = client.post("/api/team", json={"members": [{"colour": "blue"}]})
    assert "members.0.colour: not a field of the context" in extra.json()["message"]
    label = client.post("/api/team", json={"members": [{"member": 7}]})
    assert label.status_code == 422 and "members.0.member" in label.json()["message"]
    many = client.post("/api/team", json={"members": [{}] * 21})
    assert many.status_code == 422
    assert "at most 20 items" in many.json()["message"]
    none = client.post("/api/team", json={"members": []})
    assert none.status_code == 422 and "at least 1 item" in none.json()["message"]
    assert none.json()["detail"][0]["loc"] == ["body", "members"]


def _team_url(members: list[dict[str, Any]]) -> str:
    pairs = [("n", str(len(members)))]
    for i, member in enumerate(members):
        pairs += [(f"p{i}.{k}", str(v)) for k, v in member.items()]
    return "/team?" + urlencode(pairs)


def test_team_page_shows_agreement_disputes_and_advice(client: TestClient,
                                                       rules: RuleSet) -> None:
    """The page shows the team's top, the decisive dispute first with who said what, and ranges."""
    team = recommend_team(TEAM, rules=rules)
    page = client.get(_team_url(TEAM))
    assert page.status_code == 200
    text = page.text
    verdict = re.search(r'<p class="verdict">.*?<strong>(.*?)</strong>', text)
    assert verdict and verdict.group(1) == team.advice.top.name
    decisive = team.decisive
    assert decisive is not None
    first = re.search(r'<li class="dispute decisive" id="dispute-(\w+)"', text)
    assert first and first.group(1) == decisive.field
    assert str(escape(decisive.message)) in text
    for approach in Approach:
        low, high = team.score_range_of(approach)
        assert (f"{low} to {high}" if low != high else f"{low} (fixed)") in text
    assert "<dt>Aim</dt><dd>improve specialty outcomes</dd>" in text.split('id="agreed-h"')[1]
    assert "Roles taking part: carer, clinician, manager." in text
    assert "No patient, service user or carer" not in text
    for view in team.member_views:
        assert f"<tr><th scope=\"row\">{view.label}</th>" in text
    assert '<a href="/team" aria-current="page">Team</a>' in text


def test_team_members_join_by_link_and_file_and_leave(client: TestClient) -> None:
    """A plan's link or a context file adds a member to the address; remove takes one out."""
    added = client.get("/team", params={
        "n": "0", "link": "http://127.0.0.1:8000/?aim=share_know_how&formality=informal",
        "new_member": "Ann", "new_role": "nurse", "add": "link"}, follow_redirects=False)
    assert added.status_code == 303
    assert added.headers["location"] == ("/team?n=1&p0.member=Ann&p0.role=nurse"
                                         "&p0.formality=informal&p0.aim=share_know_how")
    uploaded = client.post("/team/upload?n=1&p0.member=Ann&p0.aim=share_know_how",
                           files={"context_file": ("b.yaml", b"member: Bo\nrole: carer\n"
                                                   b"aim: redesign_services\n", "text/yaml")},
                           follow_redirects=False)
    assert uploaded.status_code == 303
    assert uploaded.headers["location"] == ("/team?n=2&p0.member=Ann&p0.aim=share_know_how"
                                            "&p1.member=Bo&p1.role=carer"
                                            "&p1.aim=redesign_services")
    removed = client.get("/team?n=2&p0.member=Ann&p0.aim=share_know_how&p1.member=Bo"
                         "&p1.aim=redesign_services&remove=0", follow_redirects=False)
    assert removed.headers["location"] == "/team?n=1&p0.member=Bo&p0.aim=redesign_services"
    edited = client.get("/team?n=1&p0.member=Bo&p0.aim=share_know_how&p0.formality="
                        "&link=&new_member=&new_role=", follow_redirects=False)
    assert edited.headers["location"] == "/team?n=1&p0.member=Bo&p0.aim=share_know_how"


def test_team_page_refuses_bad_links_files_and_too_many_members(client: TestClient) -> None:
    """A link or file with bad answers is shown, not added; the page holds at most 20 members."""
    bad_link = client.get("/team", params={"n": "0", "link": "/?aim=world_peace", "add": "1"})
    assert bad_link.status_code == 422
    assert "aim: &#39;world_peace&#39; is not allowed" in bad_link.text
    no_answers = client.get("/team", params={"n": "0", "link": "http://example.org/",
                                             "add": "1"})
    assert no_answers.status_code == 422 and "That link holds no answers" in no_answers.text
    bad_file = client.post("/team/upload?n=0", files={"context_file": (
        "c.json", b'{"colour": "blue"}', "application/json")})
    assert bad_file.status_code == 422
    assert "c.json: &#39;colour&#39; is not a field of the context" in bad_file.text
    large = client.post("/team/upload?n=0", files={"context_file": (
        "big.yaml", b"#" * 40_000, "text/yaml")})
    assert large.status_code == 422 and "larger than 32 KiB" in large.text
    full = _team_url([{"aim": "share_know_how"}] * 20)
    refused = client.get(full + "&link=%2F%3Faim%3Dshare_know_how&add=1")
    assert refused.status_code == 422 and "at most 20 members" in refused.text


def test_a_pasted_compare_or_team_link_adds_each_of_its_plans(client: TestClient) -> None:
    """Pasting a compare page's link adds both plans; a team link keeps labels and roles."""
    compare_link = ("http://127.0.0.1:8000/compare?n=2&p0.aim=share_know_how"
                    "&p1.aim=close_practice_gap")
    added = client.get("/team", params={"n": "0", "link": compare_link, "add": "link"},
                       follow_redirects=False)
    assert added.status_code == 303
    assert added.headers["location"] == ("/team?n=2&p0.aim=share_know_how"
                                         "&p1.aim=close_practice_gap")
    team_link = "/team?n=1&p0.member=Cy&p0.role=carer&p0.aim=redesign_services"
    joined = client.get("/team", params={"n": "1", "p0.member": "Ann", "link": team_link,
                                         "add": "link"}, follow_redirects=False)
    assert joined.headers["location"] == ("/team?n=2&p0.member=Ann&p1.member=Cy&p1.role=carer"
                                          "&p1.aim=redesign_services")


def test_members_with_the_same_label_get_buttons_that_tell_them_apart(
        client: TestClient) -> None:
    """Two members both called Ann get distinct column headings and Remove buttons."""
    page = client.get("/team?n=2&p0.member=Ann&p0.aim=share_know_how&p1.member=Ann"
                      "&p1.aim=close_practice_gap").text
    assert ">Remove Ann</button>" in page and ">Remove Ann (2)</button>" in page


def test_team_report_is_the_library_report(client: TestClient, rules: RuleSet) -> None:
    """The team report is TeamRecommendation.to_html() for the team in the address."""
    report = client.get(_team_url(TEAM[:2]).replace("/team?", "/team/report?"))
    assert report.text == recommend_team(TEAM[:2], rules=rules).to_html()


def test_a_plan_starts_a_team(client: TestClient) -> None:
    """The results link to a team page holding this plan as its first member."""
    page = client.get("/?aim=share_know_how&formality=informal").text
    assert ('<a href="/team?n=1&amp;p0.formality=informal&amp;p0.aim=share_know_how">'
            "Start a team with this plan</a>") in page
    assert 'href="/team?n=1">Start a team' in client.get("/").text


def test_the_page_names_no_winner_when_no_approach_stands_out(client: TestClient) -> None:
    """With nothing answered, the first approach's why-not says it leads only by the order."""
    page = client.get("/").text
    assert "listed first only by the fixed order of approaches: no approach stands out yet" in (
        " ".join(page.split()))
