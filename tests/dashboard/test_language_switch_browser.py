"""Switching the dashboard's language in a real browser: chosen filter values, select options and chart dates
follow at once, and chart dates read Chinese in Chinese."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from domain.db import unit_of_work
from tests.builders import make_product, make_staff, make_user, pay, place
from tests.dashboard.browser import TIMEOUT_MS, dashboard, open_screen, screenshot, settle, sign_in

PASSWORD = "language-pass-2026"
# The x-axis labels of the first chart, the sales by day.
TICKS = "() => [...document.querySelector('.js-plotly-plot').querySelectorAll('.xtick text')].map(t => t.textContent)"


def switch_language(page: Page, name: str, expected: str) -> None:
    page.locator("[data-testid=stSidebar]").get_by_text(name, exact=True).click()
    settle(page, expected)


def shown_in(page: Page, label: str) -> str:
    """What the select box labelled ``label`` shows as chosen (the text of its combobox)."""
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def chart_ticks(page: Page) -> list[str]:
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .xtick text').length > 0",
                           timeout=TIMEOUT_MS)
    return page.evaluate(TICKS)


def test_filters_selects_and_chart_dates_follow_the_language_both_ways(committed, sandbox_url):
    with unit_of_work(committed) as session:
        sku = make_product(session, title="西湖龙井", prices=(12000,), is_on_shelf=True).skus[0]
        make_product(session, title="下架茶", is_on_shelf=False)
        pay(session, place(session, make_user(session, "茶客"), [(sku.id, 1)]), sandbox_url)
        owner = make_staff(session, "owner", password=PASSWORD).username

    with dashboard(1400, 1200) as page:
        sign_in(page, owner, PASSWORD)
        open_screen(page, "商品", "共 2 件商品")
        box = page.locator("[data-testid=stSelectbox]").filter(has_text="上架状态").first
        box.click()
        page.get_by_role("option", name="已下架", exact=True).click()
        settle(page, "共 1 件商品")
        switch_language(page, "English", "1 products (including off-shelf)")
        assert shown_in(page, "Shelf") == "Off shelf"
        assert shown_in(page, "Category") == "All categories"
        switch_language(page, "中文", "共 1 件商品")
        assert shown_in(page, "上架状态") == "已下架"

        open_screen(page, "设置", "保存设置")
        switch_language(page, "English", "Save settings")
        assert shown_in(page, "Inviter binding") == "First touch, permanent"
        assert shown_in(page, "Becoming a distributor") == "Application and review"
        screenshot(page, "language-settings-en")

        open_screen(page, "Analytics", "Sales by day, net of refunds")
        ticks = chart_ticks(page)
        assert ticks and not any("月" in tick for tick in ticks), ticks
        switch_language(page, "中文", "每日销售额（扣除退款）")
        expect(page.locator(".js-plotly-plot").first.locator(".xtick text").first).to_contain_text(
            "月", timeout=TIMEOUT_MS)
        ticks = chart_ticks(page)
        assert all("月" in tick and "日" in tick for tick in ticks), ticks
        screenshot(page, "language-analytics-zh")
