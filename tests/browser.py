"""A real browser for the template's tests: Playwright driving Debian's chromium (`make browser`).

No browser is downloaded; Playwright's Python package only speaks to the system's chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
WAIT_MS = 60_000


@contextmanager
def chromium(*extra_args: str) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("the browser tests need Debian's chromium; `make browser` installs it")
        pytest.skip("needs Debian's chromium: make browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[*ARGS, *extra_args]
        )
        try:
            yield browser
        finally:
            browser.close()


def keycloak_sign_in(browser: Browser, dashboard_url: str, username: str, password: str) -> Page:
    """A new browser session signed in to the dashboard through Keycloak's own login page."""
    page = browser.new_context().new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(dashboard_url)
    page.get_by_role("button", name="Log in").click()
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#kc-login").click()
    return page


def expect_text(page: Page, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible(timeout=WAIT_MS)


def try_prediction(page: Page) -> None:
    """The Try-a-prediction page's form, submitted with the model's example."""
    page.get_by_role("link", name="Try a prediction").click()
    page.get_by_role("button", name="Predict").click()


def screenshot_every_page(browser: Browser, folder: Path) -> None:
    """Kept for a failed run: what each open page showed at the end."""
    for number, context in enumerate(browser.contexts):
        for page in context.pages:
            page.screenshot(path=folder / f"page-{number}.png", full_page=True)
    print(f"--- screenshots of every open page in {folder}")
