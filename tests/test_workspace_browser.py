"""The whole team workspace flow in headless Chromium, against `collab-advisor serve`.

A facilitator creates a workspace; three members answer in their own browser contexts;
a round closes and the members see the spread; one revises in the next round; the
decision is recorded, its PDF downloaded and checked with `collab-advisor record verify`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ON_CI
from .workspace_support import Served, serve

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    if ON_CI:
        raise
    pytest.skip("Playwright is not installed: pip install -e '.[test]'", allow_module_level=True)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
STEP_TIMEOUT = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if ON_CI:
            pytest.fail("browser tests must run on CI: no Chromium found")
        pytest.skip("no Chromium found: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    """`serve` with two workers on a fresh SQLite file."""
    served = serve("--workers", "2", "--database", str(tmp_path / "w.sqlite3"))
    try:
        yield served
    finally:
        served.stop()


def _page(browser: Browser) -> Page:
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(STEP_TIMEOUT)
    return context.new_page()


def test_a_team_decides_in_rounds_and_verifies_its_record(
        browser: Browser, server: Served, tmp_path: Path) -> None:
    """Create, three members answer, a round closes, one revises, the PDF record verifies."""
    host = _page(browser)
    host.goto(server.url + "/workspaces")
    host.fill("#name", "Stroke rehabilitation network")
    host.fill("#description", "Which way should we run it?")
    host.get_by_role("button", name="Create the workspace").click()
    member_link = host.locator("#member-link").inner_text().strip()
    facilitator_link = host.locator("#facilitator-link").get_attribute("href")
    assert facilitator_link and member_link.startswith(server.url + "/w/m/")

    answers = [
        ("Ann", {"time_span": "fixed_term", "aim": "close_practice_gap", "control": "supported"}),
        ("", {"time_span": "open_ended", "aim": "close_practice_gap", "control": "supported"}),
        ("", {"time_span": "fixed_term", "aim": "close_practice_gap", "control": "accountable"}),
    ]
    members = []
    for label, chosen in answers:
        member = _page(browser)  # a separate browser context: no shared cookies or storage
        member.goto(member_link)
        if label:
            member.fill("#label", label)
        for field, value in chosen.items():
            member.select_option(f"#q-{field}", value)
        member.get_by_role("button", name="Save my answers").click()
        expect(member.locator("#saved")).to_contain_text("Your answers are saved")
        members.append(member)

    host.goto(facilitator_link)
    rows = host.locator("#members tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Ann")
    expect(rows.nth(1)).to_contain_text("member 2")
    expect(host.locator("#agreement")).to_contain_text("disputed: 2 of 3")
    expect(host.locator("#team-top")).to_contain_text("First")
    host.get_by_role("button", name="Close round 1").click()
    expect(host.locator("#round-state")).to_have_text("closed")

    for member in members:
        member.reload()
        spread = member.locator("#spread")
        expect(spread).to_contain_text("fixed_term (2); open_ended (1)")
        expect(member.get_by_role("button", name="Save my answers")).to_be_disabled()

    host.get_by_role("button", name="Open round 2").click()
    expect(host.locator("#round-state")).to_have_text("open")
    reviser = members[1]
    reviser.reload()
    reviser.select_option("#q-time_span", "fixed_term")
    reviser.get_by_role("button", name="Save my answers").click()
    expect(reviser.locator("#saved")).to_contain_text("version 2")

    host.reload()
    expect(host.locator("#members tbody tr").nth(1).locator("td").last).to_have_text("2")
    expect(host.locator("#members tbody tr").nth(0).locator("td").last).to_have_text("1")
    expect(host.locator("#agreement")).to_contain_text("fixed_term (3)")
    host.fill("#why", "Members want to keep learning together after the funding ends.")
    host.fill("#present", "Ann, member 2, member 3")
    host.select_option("#chosen", "community_of_practice")
    host.get_by_role("button", name="Record the decision").click()
    expect(host.locator("#records li")).to_have_count(1)
    key = host.locator("#public-key").inner_text().strip()
    with host.expect_download() as download_info:
        host.locator("#records a", has_text="PDF").click()
    pdf = tmp_path / "decision.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    command = shutil.which("collab-advisor", path=str(Path(sys.executable).parent))
    assert command is not None
    verified = subprocess.run([command, "record", "verify", str(pdf), "--key", key],
                              capture_output=True, text=True, timeout=120, check=False)
    assert verified.returncode == 0, verified.stderr
    assert re.search(r"OK: decision record for 'Stroke rehabilitation network' "
                     r"\(Community of Practice", verified.stdout)
