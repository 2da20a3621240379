"""The web app on a phone and from the keyboard alone, in Chromium (Debian's, via Playwright).

Screenshots of the phone views are kept in $COLLAB_ADVISOR_ARTEFACTS (default
.cache/artefacts) for a person to look at; the assertions stand on measurements.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from collab_advisor import recommend

from .conftest import ROOT
from .test_web_browser import (  # noqa: F401  (fixtures)
    STEP_TIMEOUT,
    browser,
    server,
)

pytest.importorskip("playwright", reason="Playwright is not installed: pip install -e '.[test]'")

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

PHONE: ViewportSize = {"width": 360, "height": 740}
ARTEFACTS = Path(os.environ.get("COLLAB_ADVISOR_ARTEFACTS", ROOT / ".cache" / "artefacts"))
ANSWERS = {"aim": "close_practice_gap", "time_span": "fixed_term"}
MAX_TABS = 300
"""The most Tab presses any walk through a page may take before the test gives up."""


def _phone(browser: Browser, scripts: bool) -> BrowserContext:  # noqa: F811
    made = browser.new_context(viewport=PHONE, java_script_enabled=scripts)
    made.set_default_timeout(STEP_TIMEOUT)
    return made


def _keep(page: Page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


def _sideways(page: Page) -> int:
    """How many pixels the page is wider than the viewport (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_on_a_phone_the_verdict_is_on_the_first_screen_after_submitting(
        server: str, browser: Browser, scripts: bool) -> None:  # noqa: F811
    """At 360 px wide, pressing "Show the advice" leaves the verdict inside the first
    screen (it was about 10,000 px down), with nothing wider than the screen."""
    context = _phone(browser, scripts)
    try:
        page = context.new_page()
        page.goto(server + "/")
        for field, value in ANSWERS.items():
            page.locator(f'#plan input[name="{field}"][value="{value}"]').check()
        page.get_by_role("button", name="Show the advice").click()
        expected = recommend(ANSWERS).top.name
        verdict = page.locator("#results .verdict")
        expect(verdict.locator("strong")).to_have_text(expected)
        if scripts:
            expect(page.locator("#results-h")).to_be_focused()
        box = verdict.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        assert _sideways(page) == 0
        _keep(page, f"phone-advice-{'scripts' if scripts else 'no-scripts'}")
    finally:
        context.close()


def test_on_a_phone_a_shared_link_opens_on_the_advice(
        server: str, browser: Browser) -> None:  # noqa: F811
    """A link with answers opens at 360 px with the verdict on the first screen and a link
    back to the answers, which still work."""
    context = _phone(browser, True)
    try:
        page = context.new_page()
        page.goto(server + "/?aim=share_know_how&formality=informal")
        box = page.locator("#results .verdict").bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"]
        page.get_by_role("link", name="Change the answers").click()
        chosen = page.locator('#plan input[name="formality"][value="informal"]')
        expect(chosen).to_be_checked()
        expect(chosen).to_be_in_viewport()
    finally:
        context.close()


def test_on_a_phone_the_compare_view_does_not_scroll_sideways(
        server: str, browser: Browser) -> None:  # noqa: F811
    """Three plans side by side stack at 360 px: the page is no wider than the screen, and
    every answer's control fits on it."""
    context = _phone(browser, False)
    try:
        page = context.new_page()
        page.goto(server + "/compare?p0.aim=share_know_how&p1.aim=redesign_services"
                  "&p2.aim=close_practice_gap&n=3")
        expect(page.locator("table.compare")).to_be_visible()
        assert _sideways(page) == 0
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('table.compare select, "
            "table.compare input')].map(e => e.getBoundingClientRect().right))")
        assert widest <= PHONE["width"], widest
        _keep(page, "phone-compare")
    finally:
        context.close()


PHONE_PAGES = [
    "/team?n=3&p0.member=Priya&p0.role=clinician&p0.formality=informal"
    "&p1.member=Grace&p1.formality=moderate&p2.formality=moderate&p2.aim=share_know_how",
    "/team/report?n=2&p0.formality=informal&p1.formality=moderate",
    "/report?aim=close_practice_gap", "/rules", "/glossary", "/api-help", "/workspaces",
    "/?aim=world_peace"]


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_no_page_scrolls_sideways_on_a_phone(server: str, browser: Browser,  # noqa: F811
                                             path: str) -> None:
    """At 360 px wide no page is wider than the screen (before: the team page by 153 px, the
    rules page by 226, the workspace form by 162, the report by 167)."""
    context = _phone(browser, True)
    try:
        page = context.new_page()
        page.goto(server + path)
        assert _sideways(page) == 0
    finally:
        context.close()


@pytest.fixture
def keyboard_page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    """A desktop-sized page with scripts on."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until ``selector`` has focus (at most MAX_TABS presses)."""
    target = page.locator(selector)
    for _ in range(MAX_TABS):
        if target.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} was not reached in {MAX_TABS} Tab presses")


def test_the_form_and_the_advice_work_from_the_keyboard_alone(
        server: str, keyboard_page: Page) -> None:  # noqa: F811
    """With Tab, the arrow keys and Enter only: skip to the content, answer a question, show
    the advice (focus lands on it), and open an approach's why-not."""
    page = keyboard_page
    page.goto(server + "/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Enter")  # this used to reload the page (popstate), losing focus
    expect(page).to_have_url(re.compile("#main$"))
    expect(page.locator("main")).to_be_focused()
    _tab_to(page, '#plan input[name="formality"][value=""]')
    page.keyboard.press("ArrowDown")
    expect(page.locator('#plan input[name="formality"][value="informal"]')).to_be_checked()
    _tab_to(page, '#plan button[type="submit"]')
    page.keyboard.press("Enter")
    expect(page.locator("#results-h")).to_be_focused()
    expected = recommend(formality="informal")
    expect(page.locator("#results .verdict strong")).to_have_text(expected.top.name)
    last = expected.ranking[-1].approach.value
    summary = f"#approach-{last} details.why-not summary"
    _tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(page.locator(f"#approach-{last} details.why-not")).to_have_attribute("open", "")


def test_the_glossary_is_linked_from_every_page(server: str, browser: Browser) -> None:  # noqa: F811
    """Every page's menu links to the four approaches in plain words, where each approach
    has its description and the rules' features with their sources."""
    from collab_advisor import Approach, load_rules

    context = browser.new_context()
    context.set_default_timeout(STEP_TIMEOUT)
    try:
        page = context.new_page()
        for path in ("/", "/compare", "/team", "/rules", "/api-help", "/nowhere",
                     "/?aim=share_know_how", "/workspaces"):
            page.goto(server + path)
            link = page.get_by_role("link", name="The four approaches")
            expect(link).to_have_attribute("href", "/glossary")
        link.click()
        rules = load_rules()
        for approach in Approach:
            entry = page.locator(f"section#{approach.value}")
            expect(entry.locator("h2")).to_have_text(approach.display_name)
            expect(entry).to_contain_text(approach.description)
            features = rules.features_of(approach)
            assert features
            expect(entry.locator("li")).to_have_count(len(features))
            expect(entry.locator("li .source").first).not_to_be_empty()
    finally:
        context.close()


KEYBOARD_PAGES = ["/", "/?aim=share_know_how&formality=informal",
                  "/compare?n=2&p0.aim=share_know_how", "/team", "/glossary", "/rules",
                  "/api-help", "/workspaces"]

_STOPS = """() => {
  const shown = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
    && !e.closest('details:not([open]) > :not(summary)') && !e.disabled
    && getComputedStyle(e).visibility !== 'hidden';
  const all = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')].filter(shown);
  const groups = new Set();
  return all.filter(e => {
    if (e.type !== 'radio') return true;
    if (groups.has(e.name)) return false;
    groups.add(e.name);
    return true;
  }).map(e => e.type === 'radio' ? 'radio:' + e.name : e.outerHTML.slice(0, 120));
}"""

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return [e.type === 'radio' ? 'radio:' + e.name : e.outerHTML.slice(0, 120), ring];
}"""


@pytest.mark.parametrize("path", KEYBOARD_PAGES)
def test_every_control_is_reached_by_tab_with_a_visible_focus_ring(
        server: str, keyboard_page: Page, path: str) -> None:  # noqa: F811
    """Tab alone reaches every link, button, field and radio group on the page, in one pass,
    and each shows a focus outline when reached."""
    page = keyboard_page
    page.goto(server + path)
    wanted = page.evaluate(_STOPS)
    reached: list[str] = []
    no_ring: list[str] = []
    for _ in range(len(wanted) + 20):
        page.keyboard.press("Tab")
        found = page.evaluate(_FOCUSED)
        if found is None:
            continue
        name, ring = found
        if reached and name == reached[0]:
            break  # round the page once
        reached.append(name)
        if not ring:
            no_ring.append(name)
    assert len(wanted) > 5 and set(wanted) - set(reached) == set(), \
        sorted(set(wanted) - set(reached))[:5]
    assert no_ring == [], no_ring[:5]
