"""Signing in through the login form in a real browser: a wrong password is refused on the form, the right one
opens the screens of the staff member's role, and signing out comes back to the form."""

from __future__ import annotations

from playwright.sync_api import expect

from domain.db import unit_of_work
from tests.builders import make_staff
from tests.dashboard.browser import body_text, dashboard, settle, sign_in

PASSWORD = "support-pass-2026"
NAV_LINK = "[data-testid=stSidebarNavLink]"


def test_support_signs_in_sees_only_its_screens_and_signs_out(committed):
    with unit_of_work(committed) as session:
        support = make_staff(session, "support", password=PASSWORD).username

    with dashboard() as page:
        page.get_by_label("用户名", exact=True).fill(support)
        page.get_by_label("密码", exact=True).fill("not-the-password")
        page.get_by_role("button", name="登录", exact=True).click()
        settle(page, "用户名或密码错误")
        assert page.locator(NAV_LINK).count() == 0

        sign_in(page, support, PASSWORD)
        assert "角色：客服" in body_text(page)
        # Each link's text starts with its Material icon's ligature name (e.g. "dashboard"); the title comes last.
        titles = [text.split()[-1] for text in page.locator(NAV_LINK).all_inner_texts()]
        assert titles == ["概览", "订单", "售后退款"]

        page.get_by_role("button", name="退出登录").click()
        settle(page, "员工账号登录")
        expect(page.get_by_label("密码", exact=True)).to_be_visible()
        expect(page.locator(NAV_LINK)).to_have_count(0)
