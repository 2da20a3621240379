"""The web app in a real browser: Chromium (Debian's) driven by Playwright against `serve`.

On CI (CI=true) these tests must run: a missing browser, Playwright or axe-core fails
them. Elsewhere they skip with the reason. `.ci/run` installs Chromium with apt-get
and axe-core with npm; the axe fixture fetches axe-core with npm itself if needed.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collab_advisor import load_rules, recommend, recommend_team

from .conftest import ON_CI, ROOT

AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / ".cache" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
START_TIMEOUT = 30.0
"""Seconds the server may take to say it is ready."""
STEP_TIMEOUT = 15_000
"""Milliseconds any one browser step may take."""

try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        FilePayload,
        Page,
        expect,
        sync_playwright,
    )
except ImportError:  # pragma: no cover - the test extra installs it
    if ON_CI:
        raise
    pytest.skip("Playwright is not installed: pip install -e '.[test]'", allow_module_level=True)


def _unavailable(reason: str) -> None:
    if ON_CI:
        pytest.fail(f"browser tests must run on CI: {reason}")
    pytest.skip(reason)


def find_chromium() -> str | None:
    """Debian's Chromium (or the one named by $CHROMIUM)."""
    named = os.environ.get("CHROMIUM")
    if named:
        return named
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`collab-advisor serve` on a free loopback port; yields its address."""
    process = subprocess.Popen(
        [sys.executable, "-m", "collab_advisor", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=START_TIMEOUT)
    except queue.Empty:
        process.kill()
        pytest.fail("the server did not start in time")
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    assert found, f"unexpected start-up line: {line!r}"
    try:
        yield found.group(1)
    finally:
        process.terminate()
        try:
            _, errors = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate()
        # No access log by default: the answers in query strings are never written down.
        assert "aim=" not in errors and "GET /" not in errors, errors


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system's packages."""
    executable = find_chromium()
    if executable is None:
        _unavailable("no Chromium found: apt-get install -y chromium (or set $CHROMIUM)")
    assert executable is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile, with JavaScript on."""
    fresh = browser.new_context(accept_downloads=True)
    fresh.set_default_timeout(STEP_TIMEOUT)
    try:
        yield fresh
    finally:
        fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that records every console error (a CSP violation shows up there)."""
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda message: errors.append(message.text)
              if message.type == "error" else None)
    yield opened
    assert not [e for e in errors if "Content Security Policy" in e], errors


def _top(page: Page) -> str:
    return page.locator("#results .verdict strong").first.inner_text()


def _choose(page: Page, field: str, value: str) -> None:
    page.locator(f'#plan input[name="{field}"][value="{value}"]').check()


# -- with JavaScript ------------------------------------------------------------------


def test_filling_the_form_moves_the_ranking_live(server: str, page: Page) -> None:
    """Choosing answers updates the ranking in place and puts the answers in the address."""
    page.goto(server + "/?aim=share_know_how&formality=informal")
    before = recommend(aim="share_know_how", formality="informal").top.name
    assert _top(page) == before
    answers = {"aim": "close_practice_gap", "time_span": "fixed_term",
               "formality": "highly_structured", "evidence": "established"}
    for field, value in answers.items():
        _choose(page, field, value)
    expected = recommend(answers)
    # Quick changes overlap; a late, older response must never put stale answers back.
    page.wait_for_url(lambda url: all(f"{f}={v}" in url for f, v in answers.items()),
                      timeout=15_000)
    expect(page.locator("#results .verdict strong")).to_have_text(expected.top.name)
    assert expected.top.name != before
    for field, value in answers.items():
        expect(page.locator(f'#plan input[name="{field}"][value="{value}"]')).to_be_checked()
    names = page.locator("#results .ranking h4").all_inner_texts()
    assert [re.sub(r"^\d\.\s*", "", n) for n in names] == [r.name for r in expected.ranking]
    status = page.locator("#live-status")
    expect(status).to_have_text(f"Advice updated: {expected.top.name} fits best.")


def test_the_address_round_trips_the_answers(server: str, page: Page,
                                             context: BrowserContext) -> None:
    """A shared address opens the same plan; the back button returns to the previous one."""
    page.goto(server + "/?aim=share_know_how&formality=informal&sites=5")
    expect(page.locator('#plan input[name="aim"][value="share_know_how"]')).to_be_checked()
    expect(page.locator('#plan input[name="formality"][value="informal"]')).to_be_checked()
    expect(page.locator("#in-sites")).to_have_value("5")
    _choose(page, "formality", "highly_structured")
    expect(page).to_have_url(re.compile(r"formality=highly_structured"))
    changed_url, changed_top = page.url, _top(page)
    page.go_back()
    expect(page).to_have_url(re.compile(r"formality=informal"))
    expect(page.locator('#plan input[name="formality"][value="informal"]')).to_be_checked()
    other = context.new_page()
    other.goto(changed_url)
    chosen = other.locator('#plan input[name="formality"][value="highly_structured"]')
    expect(chosen).to_be_checked()
    assert _top(other) == changed_top
    other.close()


def test_why_not_and_what_if(server: str, page: Page) -> None:
    """Each approach's why-not opens; a what-if shows the ranking move and can be kept."""
    answers = {"aim": "share_know_how", "formality": "informal"}
    rec = recommend(answers)
    page.goto(server + "/?aim=share_know_how&formality=informal")
    last = rec.ranking[-1]
    details = page.locator(f"#approach-{last.approach.value} details.why-not")
    details.locator("summary").click()
    why = rec.why_not(last.approach)
    expect(details).to_contain_text(f"{why.gap} points behind the top approach")
    expect(details).to_contain_text(rec.path_to(last.approach).message)

    page.select_option("#what-if-change", "aim=close_practice_gap")
    result = rec.what_if(aim="close_practice_gap")
    table = page.locator(".what-if-result table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == [r.name for r in
                                                   result.recommendation.ranking]
    page.get_by_role("link", name=re.compile("^Keep this change")).click()
    expect(page).to_have_url(re.compile(r"aim=close_practice_gap"))
    expect(page.locator("#results .verdict strong")).to_have_text(
        result.recommendation.top.name)


def test_downloading_the_report_and_answers(server: str, page: Page) -> None:
    """The report downloads as the library's HTML; the answers download as YAML."""
    page.goto(server + "/?aim=redesign_services&single_org_can_solve=no")
    with page.expect_download() as report:
        page.get_by_role("link", name="download it").click()
    path = report.value.path()
    html = Path(path).read_text(encoding="utf-8")
    assert html == recommend(aim="redesign_services", single_org_can_solve=False).to_html()
    assert report.value.suggested_filename == "collab-advisor-report.html"
    with page.expect_download() as answers:
        page.get_by_role("link", name="YAML").click()
    text = Path(answers.value.path()).read_text(encoding="utf-8")
    assert text == "aim: redesign_services\nsingle_org_can_solve: false\n"


def test_keyboard_reaches_the_form_with_visible_focus(server: str, page: Page) -> None:
    """The skip link comes first; a focused answer shows a visible outline."""
    page.goto(server + "/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    focused = page.locator('#plan input[name="formality"][value=""]')
    focused.focus()
    page.keyboard.press("ArrowDown")
    chosen = page.locator('#plan input[name="formality"][value="informal"]')
    expect(chosen).to_be_checked()
    outline = chosen.evaluate("e => getComputedStyle(e).outlineStyle + ' ' + "
                              "getComputedStyle(e).outlineWidth")
    assert outline.startswith("solid") and outline != "solid 0px"


# -- without JavaScript ---------------------------------------------------------------


def test_everything_works_without_javascript(server: str, browser: Browser) -> None:
    """With scripts off, the form, what-if, compare and upload all work by plain requests."""
    plain = browser.new_context(java_script_enabled=False)
    plain.set_default_timeout(STEP_TIMEOUT)
    page = plain.new_page()
    try:
        page.goto(server + "/")
        _choose(page, "aim", "close_practice_gap")
        _choose(page, "time_span", "fixed_term")
        page.get_by_role("button", name="Show the advice").click()
        expect(page).to_have_url(server + "/?time_span=fixed_term&aim=close_practice_gap")
        expected = recommend(aim="close_practice_gap", time_span="fixed_term")
        assert _top(page) == expected.top.name

        page.select_option("#what-if-change", "evidence=uncertain")
        page.get_by_role("button", name="Try it").click()
        result = expected.what_if(evidence="uncertain")
        expect(page.locator(".what-if-result")).to_contain_text(
            result.recommendation.top.name)

        page.get_by_role("link", name="Compare this plan with another").click()
        page.select_option("#p1-aim", "share_know_how")
        page.get_by_role("button", name="Update").last.click()
        summary = page.locator("tr.summary td").all_inner_texts()
        assert summary[0].startswith(expected.top.name)
        assert summary[1].startswith(recommend(aim="share_know_how",
                                               time_span="fixed_term").top.name)

        page.goto(server + "/")
        page.set_input_files("#context-file", files=FilePayload(
            name="plan.yaml", mimeType="application/yaml",
            buffer=b"aim: share_know_how\nformality: informal\n"))
        page.get_by_role("button", name="Open").click()
        expect(page).to_have_url(server + "/?formality=informal&aim=share_know_how")
    finally:
        plain.close()


# -- accessibility --------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, installed with npm into .cache/axe (fetched here if missing)."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("axe-core is not installed and npm is missing")
        assert npm is not None
        subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
                        str(AXE_DIR), f"axe-core@{AXE_VERSION}"], check=False,
                       capture_output=True, timeout=180)
    if not AXE_JS.exists():
        _unavailable(f"could not install axe-core {AXE_VERSION} with npm")
    return AXE_JS.read_text(encoding="utf-8")


AXE_PAGES = [
    "/",
    "/?aim=share_know_how&formality=informal&change=aim%3Dclose_practice_gap",
    "/?aim=world_peace",
    "/compare?n=2&p0.aim=share_know_how&p1.aim=close_practice_gap",
    "/team",
    "/team?n=3&p0.member=Priya&p0.role=clinician&p0.formality=informal&p0.control=self_directed"
    "&p1.member=Grace&p1.formality=moderate&p1.control=supported&p1.aim=share_know_how"
    "&p2.formality=moderate&p2.aim=world_peace",
    "/team/report?n=2&p0.formality=informal&p1.formality=moderate",
    "/rules",
    "/glossary",
    "/api-help",
    "/nowhere",
    "/report?aim=close_practice_gap&time_span=fixed_term",
]


@pytest.mark.parametrize("path", AXE_PAGES)
def test_no_serious_accessibility_problems(server: str, browser: Browser, axe_source: str,
                                          path: str) -> None:
    """axe-core finds no serious or critical violation on the app's pages and the report."""
    # axe is injected as a script of its own, which the app's CSP rightly forbids.
    checked = browser.new_context(bypass_csp=True)
    checked.set_default_timeout(STEP_TIMEOUT)
    try:
        page = checked.new_page()
        page.goto(server + path)
        for details in page.locator("details").all():  # check the folded text too
            details.evaluate("d => d.open = true")
        page.add_script_tag(content=axe_source)
        found: dict[str, Any] = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})")
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in found["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
    finally:
        checked.close()


def test_the_rules_page_lists_every_rule(server: str, page: Page) -> None:
    """The rules page shows the version and one row per rule of the shipped set."""
    rules = load_rules()
    page.goto(server + "/rules")
    expect(page.locator("dl.facts")).to_contain_text(rules.version)
    assert page.locator("table.rules tbody tr").count() == len(rules)


def test_enter_in_a_compare_answer_updates_and_keeps_every_plan(server: str,
                                                                page: Page) -> None:
    """Pressing Enter in a typed answer on the compare page updates; it removes no plan."""
    page.goto(server + "/compare?n=2&p0.aim=share_know_how&p1.aim=close_practice_gap")
    page.fill("#p1-name", "Renal")
    page.press("#p1-name", "Enter")
    expect(page).to_have_url(re.compile(r"p1\.name=Renal"))
    expect(page.locator("#plan-1")).to_have_text("Plan 2")
    expect(page.locator("#p0-aim")).to_have_value("share_know_how")


# -- the team page --------------------------------------------------------------------

SHARED = {"aim": "improve_specialty_outcomes", "clinical_focus": "area_or_population",
          "agenda_set_by": "members", "time_span": "open_ended"}  # rules 2.0.0: control decides
PLANS = [("Priya", "clinician", {**SHARED, "formality": "informal", "control": "self_directed"}),
         ("Grace", "manager", {**SHARED, "formality": "moderate", "control": "supported"}),
         ("Sam", "carer", {**SHARED, "formality": "moderate", "control": "self_directed"})]


def _team_of(plans: list[tuple[str, str, dict[str, str]]]) -> Any:
    return recommend_team([{"member": label, "role": role, **answers}
                           for label, role, answers in plans])


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_team_built_from_plan_links(server: str, browser: Browser, scripts: bool) -> None:
    """Three plan links make a team; the decisive dispute and the top show; removing one works."""
    plain = browser.new_context(java_script_enabled=scripts)
    plain.set_default_timeout(STEP_TIMEOUT)
    page = plain.new_page()
    try:
        page.goto(server + "/")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
        expect(page.locator("#no-members")).to_be_visible()
        for label, role, answers in PLANS:
            page.get_by_label("Their name or label").fill(label)
            page.get_by_label("Their role").fill(role)
            link = page.get_by_label("Link to the member's plan")
            link.fill(server + "/?" + "&".join(f"{k}={v}" for k, v in answers.items()))
            if label == "Sam":  # Enter in the link field adds the member too
                link.press("Enter")
            else:
                page.get_by_role("button", name="Add this member").click()
            expect(page.locator("table.member-views")).to_contain_text(label)
        team = _team_of(PLANS)
        assert team.decisive is not None and team.decisive.changes_top
        expect(page.locator(".verdict strong")).to_have_text(team.advice.top.name)
        decisive = page.locator(".dispute.decisive")
        expect(decisive).to_contain_text("discuss first")
        expect(decisive).to_contain_text(team.decisive.field.replace("_", " ").capitalize())
        for option in team.decisive.options:
            expect(decisive).to_contain_text(option.leads_to.display_name)
        assert page.locator(".dispute").first.get_attribute("id") == (
            f"dispute-{team.decisive.field}")
        expect(page.locator("table.member-views tbody tr")).to_have_count(3)

        page.get_by_role("button", name="Remove Sam").click()
        expect(page.locator("table.member-views tbody tr")).to_have_count(2)
        after = _team_of(PLANS[:2])
        expect(page.locator(".verdict strong")).to_have_text(after.advice.top.name)
        assert "Sam" not in page.url

        page.select_option("#p0-control", "supported")  # edited in place
        page.get_by_role("button", name="Update the team").first.click()
        expect(page).to_have_url(re.compile(r"p0\.control=supported"))
        expect(page.locator("#dispute-control")).to_have_count(0)

        page.set_input_files("#team-file", files=FilePayload(
            name="ann.yaml", mimeType="application/yaml",
            buffer=b"member: Ann\nrole: patient\nformality: informal\n"))
        page.get_by_role("button", name="Add from the file").click()
        expect(page.locator("table.member-views tbody tr")).to_have_count(3)
        expect(page.locator("table.member-views")).to_contain_text("Ann")
        expect(page.locator(".next-mark")).to_have_count(0)  # a patient's voice is present
    finally:
        plain.close()
