"""The staff session in a real browser: after signing in, F5 and a deep link opened in a new tab are still signed
in; after 退出登录 a reload shows the login form, and the cookie the browser held is worth nothing; a token that
has expired shows the login form. (Before the session cookie, every reload showed the login form.)"""

from __future__ import annotations

import time
from datetime import timedelta

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import update

from dashboard.components.session import COOKIE
from domain import clock
from domain.db import unit_of_work
from domain.models import StaffToken
from tests.builders import make_staff
from tests.dashboard.browser import TIMEOUT_MS, body_text, dashboard, screenshot, settle, sign_in

PASSWORD = "support-pass-2026"
NAV_LINK = "[data-testid=stSidebarNavLink]"


def session_cookie(context: BrowserContext, timeout: float = TIMEOUT_MS / 1000) -> dict | None:
    """The session cookie once the browser holds it (the page exchanges its code just after signing in)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == COOKIE]
        if found:
            return found[0]
        time.sleep(0.1)
    return None


def cookie_gone(context: BrowserContext, timeout: float = TIMEOUT_MS / 1000) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [c for c in context.cookies() if c["name"] == COOKIE]:
            return True
        time.sleep(0.1)
    return False


def shows_login_form(page: Page) -> None:
    expect(page.get_by_label("密码", exact=True)).to_be_visible()
    expect(page.locator(NAV_LINK)).to_have_count(0)


def test_f5_and_a_deep_link_stay_signed_in_and_logout_ends_the_session(committed):
    with unit_of_work(committed) as session:
        support = make_staff(session, "support", password=PASSWORD).username

    with dashboard() as page:
        base = page.url.rstrip("/")
        sign_in(page, support, PASSWORD)
        cookie = session_cookie(page.context)
        assert cookie is not None
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        hours = (cookie["expires"] - time.time()) / 3600
        assert 11.9 < hours <= 12  # MALL_STAFF_TOKEN_HOURS, as the token
        assert "token" not in page.url
        assert page.evaluate("document.cookie").find(COOKIE) == -1  # no script on the page can read it

        page.reload()  # F5
        settle(page, "退出登录")
        assert support in body_text(page)
        page.locator(NAV_LINK, has_text="订单").first.click()
        settle(page, "订单管理")
        assert page.url == f"{base}/orders"
        page.reload()
        settle(page, "订单管理")
        assert page.url == f"{base}/orders" and support in body_text(page)

        tab = page.context.new_page()  # a deep link, opened in a new tab
        tab.set_default_timeout(TIMEOUT_MS)
        tab.goto(f"{base}/orders")
        settle(tab, "订单管理")
        assert support in body_text(tab)
        screenshot(tab, "staff-session-deep-link")

        page.get_by_role("button", name="退出登录").click()
        settle(page, "员工账号登录")
        assert cookie_gone(page.context)
        page.reload()
        settle(page, "员工账号登录")
        shows_login_form(page)
        tab.reload()
        settle(tab, "员工账号登录")
        shows_login_form(tab)

        # A copy of the cookie taken before 退出登录 is worthless: its token was ended on the server.
        stolen = page.context.browser.new_context(locale="zh-CN")
        try:
            stolen.add_cookies([cookie])
            thief = stolen.new_page()
            thief.set_default_timeout(TIMEOUT_MS)
            thief.goto(f"{base}/orders")
            settle(thief, "员工账号登录")
            shows_login_form(thief)
            assert "订单管理" not in body_text(thief)
        finally:
            stolen.close()


def test_an_expired_token_shows_the_login_form(committed):
    with unit_of_work(committed) as session:
        support = make_staff(session, "support", password=PASSWORD).username

    with dashboard() as page:
        sign_in(page, support, PASSWORD)
        assert session_cookie(page.context) is not None
        page.reload()
        settle(page, "退出登录")
        # MALL_STAFF_TOKEN_HOURS pass (the dashboard runs in its own process, so its clock cannot be moved).
        with unit_of_work(committed) as session:
            session.execute(update(StaffToken).values(expires_at=clock.now() - timedelta(seconds=1)))
        page.reload()
        settle(page, "登录已失效，请重新登录")
        shows_login_form(page)
        assert cookie_gone(page.context)  # the browser was told to forget it
        screenshot(page, "staff-session-expired")
