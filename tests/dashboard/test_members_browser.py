"""会员 and 分享有礼 in a real browser, on the demo shop: one member opened with their growth ledger, and the share
funnel drawn by plotly beside its figures. Screenshots of each."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from backend.seed import seed_base, seed_demo
from domain.db import unit_of_work
from tests.builders import make_staff
from tests.dashboard.browser import TIMEOUT_MS, body_text, dashboard, open_screen, screenshot, settle, sign_in

PASSWORD = "members-pass-2026"


def shown(locator: Locator) -> Locator:
    """The one a person sees: every tab's content is in the page, only the open tab's is visible."""
    return locator.filter(visible=True).first


def open_tab(page: Page, name: str) -> None:
    shown(page.get_by_role("tab", name=name, exact=True)).click()
    page.wait_for_timeout(300)


def test_a_member_s_ledger_and_the_share_funnel_on_the_demo_shop(committed, sandbox_url):
    with unit_of_work(committed) as session:
        seed_base(session)
        seed_demo(session)
        operator = make_staff(session, "operator", password=PASSWORD).username

    with dashboard(1400, 1300) as page:
        sign_in(page, operator, PASSWORD)
        open_screen(page, "会员", "位会员")
        box = page.get_by_label("搜索会员", exact=True)
        box.fill("陈明")
        box.press("Enter")
        settle(page, "共 1 位会员")
        expect(page.locator("[data-testid=stDataFrame] canvas").first).to_be_visible()
        page.wait_for_timeout(1000)
        text = body_text(page)
        assert "订单完成" in text and "签到" in text and "调整成长值" in text
        members = screenshot(page, "dashboard-members")

        open_screen(page, "分享有礼", "顾客看到的活动规则")
        text = body_text(page)
        assert "每份奖励：优惠券「邀请有礼 无门槛减10」（无门槛减10）" in text
        assert "分享本身、好友访问、好友绑定均不获得奖励；分享到朋友圈不获得任何奖励。" in text
        settings = screenshot(page, "dashboard-share-rewards-settings")

        open_tab(page, "分享效果")
        funnel = shown(page.locator("[data-testid=stPlotlyChart]"))
        expect(funnel).to_be_visible(timeout=TIMEOUT_MS)
        expect(funnel.get_by_text("首单").first).to_be_visible(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1000)
        results = screenshot(page, "dashboard-share-rewards-funnel")

        open_tab(page, "奖励记录")
        expect(shown(page.get_by_text("共 4 份奖励"))).to_be_visible(timeout=TIMEOUT_MS)
        expect(shown(page.locator("[data-testid=stDataFrame] canvas"))).to_be_visible()
        assert page.locator("[data-testid=stException]").count() == 0, body_text(page)[:500]
    assert min(p.stat().st_size for p in (members, settings, results)) > 30_000
