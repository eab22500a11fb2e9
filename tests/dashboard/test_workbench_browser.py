"""The analyst's workbench, the commission simulator and the risk queue in a real browser, on the demo shop with its
six months of history (``seed --demo --history``): the charts drawn by plotly, the ranges and tabs as a person
uses them. Screenshots of each in tests/_artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from backend.seed import seed_base, seed_demo
from domain.db import unit_of_work
from tests.builders import make_staff
from tests.dashboard.browser import TIMEOUT_MS, body_text, dashboard, open_screen, screenshot, settle, sign_in
from tests.dashboard.test_screenshot import assert_looks_drawn, assert_no_error_shown

PASSWORD = "workbench-pass-2026"
RISK_KINDS = re.compile("买家与邀请人共用手机|短时间大量绑定|邀请人替买家付款")
# Plotly has drawn every chart the open tab shows: each visible chart has its SVG (bars, lines, funnel or slices).
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')].filter(c => c.offsetParent !== null);
  return charts.length > 0 && charts.every(c => c.querySelector('.main-svg'));
}"""


def shown(locator: Locator) -> Locator:
    """The one a person sees: every tab's content is in the page, only the open tab's is visible."""
    return locator.filter(visible=True).first


def open_tab(page: Page, name: str, *, charts: bool = True) -> None:
    shown(page.get_by_role("tab", name=name, exact=True)).click()
    if charts:
        page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS)
    page.wait_for_timeout(800)  # plotly's transitions


def choose(page: Page, option: str, expected: str) -> None:
    """Press a segmented control's option (a range preset, a granularity)."""
    shown(page.locator("[data-testid=stButtonGroup]").get_by_text(option, exact=True)).click()
    settle(page, expected)


def test_the_workbench_simulator_and_risk_queue_on_the_demo_history(committed, sandbox_url):
    with unit_of_work(committed) as session:
        seed_base(session)
        seed_demo(session, history=True)
        analyst = make_staff(session, "analyst", password=PASSWORD).username
        owner = make_staff(session, "owner", password=PASSWORD).username

    shots = []
    with dashboard(1400, 1500) as page:
        sign_in(page, analyst, PASSWORD)
        settle(page, "今日销售额")  # the overview, for those who read analytics (it fails if never shown)
        open_screen(page, "数据分析", "待付分销员（当前）")
        page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS)
        text = body_text(page)
        assert "（30 天），对比" in text and "分销占比" in text and "佣金率" in text
        page.wait_for_timeout(800)
        shots.append(screenshot(page, "dashboard-workbench-trends"))

        choose(page, "自定义", "起止日期")
        choose(page, "按周", "每周销售额")
        page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS)
        shots.append(screenshot(page, "dashboard-workbench-weeks"))
        choose(page, "30 天", "（30 天）")
        choose(page, "按日", "每日销售额")

        open_tab(page, "分销员排行")
        expect(shown(page.get_by_text("的分销数据"))).to_be_visible()
        shots.append(screenshot(page, "dashboard-workbench-distributors"))
        shown(page.get_by_text("的分销数据")).scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        shots.append(screenshot(page, "dashboard-workbench-distributor-page"))

        open_tab(page, "转化与同期群")
        expect(shown(page.get_by_text("绑定用户同期群"))).to_be_visible()
        shots.append(screenshot(page, "dashboard-workbench-conversion"))
        shown(page.get_by_text("绑定用户同期群")).scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        shots.append(screenshot(page, "dashboard-workbench-cohorts"))

        open_tab(page, "退款", charts=False)
        expect(shown(page.get_by_text("各分销员团队退款率"))).to_be_visible()
        shots.append(screenshot(page, "dashboard-workbench-refunds"))

        open_tab(page, "分销网络")
        expect(shown(page.locator(".sunburstlayer path"))).to_be_attached()
        shots.append(screenshot(page, "dashboard-workbench-network"))

        open_screen(page, "佣金模拟", "当前：一级")
        box = page.get_by_label("一级佣金比例（%）", exact=True)
        box.fill("12")
        box.press("Enter")
        settle(page, "一级 + 二级 = 17%")
        page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS)
        page.wait_for_timeout(800)
        assert "未超过佣金上限 30%" in body_text(page)
        shots.append(screenshot(page, "dashboard-commission-simulator"))

        open_screen(page, "风险信号", "个信号")
        # The count is drawn before the queue under it; on a slow run, read the page once a signal's kind is shown.
        expect(shown(page.get_by_text(RISK_KINDS))).to_be_visible(timeout=TIMEOUT_MS)
        settle(page, "由财务或店主处理。")
        text = body_text(page)
        assert RISK_KINDS.search(text), text[:800]
        assert "由财务或店主处理。" in text  # analysts read; they do not decide
        shots.append(screenshot(page, "dashboard-risk-queue"))
        assert_no_error_shown(page)

    with dashboard(1400, 1100) as page:
        sign_in(page, owner, PASSWORD)
        open_screen(page, "风险信号", "个信号")
        expect(page.get_by_role("button", name="开始提现复核").first).to_be_visible()
        shots.append(screenshot(page, "dashboard-risk-queue-owner"))
        assert_no_error_shown(page)

    for shot in shots:
        assert_looks_drawn(shot)
