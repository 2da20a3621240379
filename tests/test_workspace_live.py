"""The facilitator page follows new answers without a reload, for a bounded number of checks."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the workspaces extra is not installed")

from collab_advisor.web.workspaces import POLL_MAX, POLL_SECONDS

from .test_workspace_browser import STEP_TIMEOUT, browser  # noqa: F401  (fixture)
from .workspace_support import Served, serve

pytest.importorskip("playwright", reason="Playwright is not installed: pip install -e '.[test]'")

from playwright.sync_api import Browser, Page, Route, expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`serve` on a fresh SQLite file."""
    folder: Path = tmp_path_factory.mktemp("live")
    served = serve("--database", str(folder / "w.sqlite3"))
    try:
        yield served
    finally:
        served.stop()


def _post(url: str, body: dict[str, object]) -> dict[str, str]:
    request = urllib.request.Request(  # noqa: S310 (http on loopback)
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
        found: dict[str, str] = json.loads(answer.read())
        return found


def _workspace(server: Served) -> dict[str, str]:
    return _post(server.url + "/api/workspaces", {"name": "Ward 7"})


def _facilitator(browser: Browser, server: Served, token: str) -> Page:  # noqa: F811
    context = browser.new_context()
    context.set_default_timeout(STEP_TIMEOUT)
    page = context.new_page()
    page.goto(f"{server.url}/w/f/{token}")
    return page


def test_answers_appear_on_the_open_facilitator_page(browser: Browser,  # noqa: F811
                                                     server: Served) -> None:
    """A member answering (over the API, elsewhere) shows up on the facilitator's open page,
    with the agreement and the team's advice, and an opened detail stays open."""
    made = _workspace(server)
    page = _facilitator(browser, server, made["facilitator_token"])
    expect(page.locator("#members-h")).to_have_text("Who has answered (0)")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    member = f"{server.url}/api/workspaces/m/{made['member_token']}/members"
    _post(member, {"answers": {"aim": "share_know_how"}, "label": "Ana"})
    wait = (POLL_SECONDS * 3 + 5) * 1000
    expect(page.locator("#members-h")).to_have_text("Who has answered (1)", timeout=wait)
    expect(page.locator("#members")).to_contain_text("Ana")
    expect(page.locator("#team-top")).to_be_visible()
    page.locator("#live-advice summary").click()
    _post(member, {"answers": {"aim": "redesign_services"}})
    expect(page.locator("#members-h")).to_have_text("Who has answered (2)", timeout=wait)
    expect(page.locator("#agreement")).to_contain_text("disputed")
    expect(page.locator("#live-advice details")).to_have_attribute("open", "")
    expect(page.locator("#live-note")).to_contain_text("Updated at")
    assert navigations == []  # swapped in place, never reloaded


def test_the_checks_stop_at_their_bound_and_say_so(browser: Browser,  # noqa: F811
                                                   server: Served) -> None:
    """The page carries the bound; a page that reaches its bound stops asking the server and
    tells the facilitator to reload (a bound of 3 here, with the page's clock run forward)."""
    made = _workspace(server)
    token = made["facilitator_token"]
    context = browser.new_context()
    context.set_default_timeout(STEP_TIMEOUT)
    page = context.new_page()
    with urllib.request.urlopen(f"{server.url}/w/f/{token}", timeout=30) as served:  # noqa: S310
        assert f'data-poll-max="{POLL_MAX}"' in served.read().decode()
    small = 3

    def bounded(route: Route) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, body=answer.text().replace(
            f'data-poll-max="{POLL_MAX}"', f'data-poll-max="{small}"'))

    asked: list[str] = []
    page.route(f"**/w/f/{token}", bounded)
    page.on("request", lambda request: asked.append(request.url)
            if request.url.endswith(token) else None)
    page.clock.install()
    page.goto(f"{server.url}/w/f/{token}")
    note = page.locator("#live-note")
    for _ in range(10 * small):
        page.clock.run_for(POLL_SECONDS * 1000)
        page.wait_for_timeout(100)  # the check's answer arrives (real time, not the page's)
        if "stopped" in note.inner_text():
            break
    expect(note).to_contain_text(f"stopped after {small} checks")
    assert len(asked) - 1 == small  # the first request is the page itself
    page.clock.run_for(POLL_SECONDS * 10_000)
    page.wait_for_timeout(100)
    assert len(asked) - 1 == small
    context.close()


def test_workspace_pages_fit_a_phone(browser: Browser, server: Served) -> None:  # noqa: F811
    """At 360 px the facilitator's page, the member link and a member's own page, with the
    spread of a closed round on them, are no wider than the screen (they were by 162 and
    40 px)."""
    made = _workspace(server)
    seat = _post(f"{server.url}/api/workspaces/m/{made['member_token']}/members",
                 {"answers": {"aim": "share_know_how", "formality": "informal"}})
    _post(f"{server.url}/api/workspaces/m/{made['member_token']}/members",
          {"answers": {"aim": "redesign_services", "formality": "moderate"}})
    _post(f"{server.url}/api/workspaces/f/{made['facilitator_token']}/rounds/close", {})
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(STEP_TIMEOUT)
    try:
        page = context.new_page()
        for path in (f"/w/f/{made['facilitator_token']}", f"/w/m/{made['member_token']}",
                     f"/w/e/{seat['edit_token']}", "/workspaces"):
            page.goto(server.url + path)
            wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wider == 0, (path.split("/")[2] if path.count("/") > 1 else path, wider)
    finally:
        context.close()
