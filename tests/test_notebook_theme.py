"""The notebook display reads well on a light and a dark theme (axe's colour-contrast check).

Each display is put in a page dressed as JupyterLab's light or dark theme (its page colours
and its ``data-jp-theme-light`` attribute, with the browser's colour scheme to match) and
checked with axe-core in Chromium. Screenshots of both are kept in $COLLAB_ADVISOR_ARTEFACTS
(default .cache/artefacts).
"""

from __future__ import annotations

from typing import Any, Literal

import pytest

from collab_advisor import recommend, recommend_team

from .test_web_browser import axe_source, browser  # noqa: F401  (fixtures)
from .test_web_layout import ARTEFACTS

pytest.importorskip("playwright", reason="Playwright is not installed: pip install -e '.[test]'")

from playwright.sync_api import Browser

THEMES = {
    # JupyterLab's own page colours for its two shipped themes.
    "light": ("true", "#ffffff", "rgba(0, 0, 0, 0.87)"),
    "dark": ("false", "#111111", "rgba(255, 255, 255, 0.87)"),
}


def _displays() -> dict[str, str]:
    rec = recommend(aim="share_know_how", formality="informal", scope="single_organisation")
    tied = recommend(aim="share_know_how", leadership="professional")
    team = recommend_team([{"member": "A", "aim": "share_know_how", "formality": "informal"},
                           {"member": "B", "aim": "redesign_services", "formality": "moderate"}])
    return {"advice": rec._repr_html_(), "tie": tied._repr_html_(), "team": team._repr_html_()}


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("shown", ["advice", "tie", "team"])
def test_the_display_passes_colour_contrast_on_light_and_dark_themes(
        browser: Browser, axe_source: str, theme: str, shown: str) -> None:  # noqa: F811
    """axe finds no colour-contrast problem in the rich display on either theme."""
    light, background, text = THEMES[theme]
    page_html = (f'<!doctype html><html lang="en"><head><title>notebook</title></head>'
                 f'<body data-jp-theme-light="{light}" style="background:{background};'
                 f'color:{text};font-family:sans-serif"><main>{_displays()[shown]}</main>'
                 "</body></html>")
    scheme: Literal["light", "dark"] = "dark" if theme == "dark" else "light"
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        page.set_content(page_html)
        for details in page.locator("details").all():
            details.evaluate("d => d.open = true")
        page.add_script_tag(content=axe_source)
        found: dict[str, Any] = page.evaluate(
            "() => axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations']})")
        problems = [(n["target"], n["any"][0]["message"][:160])
                    for v in found["violations"] for n in v["nodes"]]
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"notebook-{shown}-{theme}.png"), full_page=True)
        assert problems == [], problems[:5]
    finally:
        context.close()


def test_numbers_in_the_table_are_right_aligned(browser: Browser) -> None:  # noqa: F811
    """The score and rank cells are right-aligned as their class says (a broader rule used
    to win)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<!doctype html><title>t</title>" + _displays()["advice"])
        aligns = page.eval_on_selector_all(
            ".ca-num", "cells => cells.map(c => getComputedStyle(c).textAlign)")
        assert aligns and set(aligns) == {"right"}, aligns
    finally:
        context.close()
