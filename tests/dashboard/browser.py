"""The dashboard as a real ``streamlit run`` process, driven by Playwright in Debian's headless Chromium.

Streamlit draws the page over a websocket, so "loaded" means nothing to a browser: every step waits until
Streamlit has stopped running the script and no skeleton placeholder is left, and the expected text shows.
Screenshots go to ``tests/_artifacts/screenshots/`` (ignored by git).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.support import ROOT, free_port, running

# Debian's package (``make test`` installs it): Playwright's own browser builds cannot be downloaded here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "tests" / "_artifacts" / "screenshots"
TIMEOUT_MS = 45_000

# True once Streamlit has stopped running the script and no skeleton placeholder is left, nor any element of the
# previous run that this one has not redrawn yet (Streamlit marks those stale until the run finishes). The app's
# root names the script's state as the server reported it; the status widget alone is not enough, since Streamlit
# shows it only once a run has lasted a moment, so a short run could look finished halfway down the page.
_SETTLED = """() => !!document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')
  && !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')
  && !document.querySelector('[data-stale="true"]')"""


@contextmanager
def dashboard_server() -> Iterator[str]:
    """``streamlit run dashboard/app.py`` on a free port, with this test run's MALL_* environment; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["run", "dashboard/app.py", "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
            # The code under test does not change during a test: no watcher (its "File change" banner) on the tree.
            "--server.fileWatcherType", "none"]
    with running(args, url + "/_stcore/health", log_name="dashboard", module="streamlit", timeout=60):
        yield url


@contextmanager
def browser_page(width: int = 1400, height: int = 900) -> Iterator[Page]:
    """A page in a fresh headless Chromium, with a window of ``width`` × ``height``."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # A context of its own (not browser.new_page's), so that a test may open more tabs in it.
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            yield page
        finally:
            browser.close()


@contextmanager
def dashboard(width: int = 1400, height: int = 900) -> Iterator[Page]:
    """The real dashboard in a real browser, on its login page. If the block fails, what the window showed is
    kept as ``failure-<test name>.png`` beside the screenshots."""
    with dashboard_server() as url, browser_page(width, height) as page:
        try:
            page.goto(url)
            settle(page, "登录")
            yield page
        except Exception:
            with suppress(Exception):  # a browser that has crashed must not hide the test's own failure
                screenshot(page, f"failure-{_current_test()}")
            raise


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "test").split("::")[-1].split(" ")[0]


def settle(page: Page, text: str) -> None:
    """Wait until ``text`` is visible and Streamlit has finished drawing. ``text`` must be something the awaited
    run brings, not already on the page: until the server starts that run, the old page looks settled too."""
    expect(page.get_by_text(text, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
    drawn(page)


def drawn(page: Page) -> None:
    """Wait until Streamlit has finished drawing: no run in progress, no stale or placeholder element."""
    page.wait_for_function(_SETTLED, timeout=TIMEOUT_MS)


def sign_in(page: Page, username: str, password: str) -> None:
    """Fill in the login form and press its button, as a member of staff would."""
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_text(username).first).to_be_visible(timeout=TIMEOUT_MS)  # the sidebar names who signed in
    page.wait_for_function(_SETTLED, timeout=TIMEOUT_MS)


def open_screen(page: Page, title: str, expected: str) -> None:
    """Go to a screen through the sidebar (the same Streamlit session, so still signed in)."""
    page.locator("[data-testid=stSidebarNavLink]", has_text=title).first.click()
    settle(page, expected)


def search(page: Page, label: str, text: str, expected: str) -> None:
    """Type into the text input labelled ``label`` and press Enter, which is when Streamlit takes the value."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    box.blur()
    settle(page, expected)


def body_text(page: Page) -> str:
    return page.locator("body").inner_text()


def screenshot(page: Page, name: str) -> Path:
    """The window as it is now, in ``tests/_artifacts/screenshots/<name>.png``. Streamlit scrolls inside the page,
    so a screenshot holds only what the window shows: resize the viewport first for a long screen."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path
