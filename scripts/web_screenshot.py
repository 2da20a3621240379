"""Take the README's screenshot of the web app (docs/web-app.png) with Playwright.

Starts `collab-advisor serve` on a free loopback port and photographs a plan in
Debian's Chromium (or the browser named by $CHROMIUM).

    python scripts/web_screenshot.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "web-app.png"
PLAN = ("/?formality=highly_structured&time_span=fixed_term&scope=multi_organisation"
        "&aim=close_practice_gap&professions=multi_professional")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def main() -> int:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        sys.stderr.write("no Chromium found: apt-get install -y chromium (or set $CHROMIUM)\n")
        return 2
    server = subprocess.Popen(
        [sys.executable, "-m", "collab_advisor", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline())
        if not found:
            sys.stderr.write("the server did not start\n")
            return 1
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(found.group(0) + PLAN)
            page.locator("#approach-qi_collaborative details.reasons summary").click()
            page.locator("#results").evaluate("e => e.scrollTop = 0")
            page.screenshot(path=str(OUT))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
