"""The products screen in a real browser: what only a browser shows — which tab is open after a save, what the
SKU table does with what staff type into its cells — and the screenshot of the product form."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from backend.seed import seed_base, seed_demo
from domain.catalog.service import get_product, update_product
from domain.db import unit_of_work
from domain.distribution.distributors import apply, reject_application
from domain.models import Product
from domain.security.actor import SYSTEM
from tests.builders import make_product, make_staff, make_user
from tests.dashboard.browser import TIMEOUT_MS, body_text, dashboard, open_screen, screenshot, settle, sign_in

PASSWORD = "products-pass-2026"
SELECTED_TAB = "[data-testid=stTab][aria-selected=true]"


def selected_tab(page: Page) -> str:
    return page.locator(SELECTED_TAB).first.inner_text().strip()


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).first.click()
    expect(page.locator(SELECTED_TAB).first).to_have_text(name, timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)


def adjust_stock(page: Page, delta: int, expected: str) -> None:
    box = page.get_by_label("增减数量", exact=True)
    box.fill(str(delta))
    box.press("Tab")
    page.get_by_role("button", name="调整库存", exact=True).click()
    settle(page, expected)


def test_after_a_stock_adjustment_the_edit_tab_stays_open_and_the_next_refusal_is_seen(committed):
    with unit_of_work(committed) as session:
        make_product(session, title="保温杯", stock=10)
        operator = make_staff(session, "operator", password=PASSWORD).username

    with dashboard(1400, 1400) as page:
        sign_in(page, operator, PASSWORD)
        open_screen(page, "商品", "共 1 件商品")
        open_tab(page, "编辑商品")

        adjust_stock(page, 1, "库存已调整：10 → 11。")
        assert selected_tab(page) == "编辑商品"
        expect(page.get_by_text("库存已调整：10 → 11。")).to_be_visible()

        adjust_stock(page, -1000, "调整后库存不能为负数")
        assert selected_tab(page) == "编辑商品"
        expect(page.get_by_text("调整后库存不能为负数")).to_be_visible()
        assert "库存已调整" not in body_text(page)


def test_the_history_tab_of_applications_stays_open_after_an_approval_and_a_filter_change(committed):
    with unit_of_work(committed) as session:
        for name in ("小周", "小吴", "小郑"):
            application = apply(session, user=make_user(session, name), real_name="周" + name, phone="13912345678",
                                reason="")
            if name != "小郑":
                reject_application(session, actor=SYSTEM, application_id=application.id, reason="资料不全")
        owner = make_staff(session, "owner", password=PASSWORD).username

    with dashboard(1400, 1100) as page:
        sign_in(page, owner, PASSWORD)
        open_screen(page, "分销审核", "1 个申请待审核")
        page.get_by_role("button", name="通过 小郑 的申请").click()
        settle(page, "小郑 已成为分销员。")
        open_tab(page, "审核记录")
        page.get_by_text("已驳回", exact=True).first.click()
        settle(page, "共 2 条")
        assert selected_tab(page) == "审核记录"


def test_the_sku_table_keeps_bad_input_and_marks_every_bad_cell(committed):
    with unit_of_work(committed) as session:
        operator = make_staff(session, "operator", password=PASSWORD).username

    with dashboard(1400, 1600) as page:
        sign_in(page, operator, PASSWORD)
        open_screen(page, "商品", "共 0 件商品")
        open_tab(page, "新建商品")
        page.get_by_label("商品标题", exact=True).fill("错价测试")
        editor = page.locator("[data-testid=stDataFrame]").last
        editor.scroll_into_view_if_needed()
        box = editor.bounding_box()
        # The table is a canvas: open a cell's editor with a double click, type, and press Enter, as staff do.
        # Where the price and the stock columns sit, as fractions of the table's width (1400 px window).
        for fraction, typed in ((0.14, "abc"), (0.735, "-5")):
            page.mouse.dblclick(box["x"] + box["width"] * fraction, box["y"] + 35 + 17)
            page.wait_for_timeout(300)
            page.keyboard.press("Control+A")
            page.keyboard.type(typed, delay=50)
            page.keyboard.press("Enter")
            page.wait_for_timeout(300)
        screenshot(page, "products-sku-table-typed")
        page.get_by_role("button", name="创建商品", exact=True).click()
        settle(page, "第 1 行：库存请填写不小于 0 的整数。")
        text = body_text(page)
        assert "第 1 行：价格请填写金额（元），最多两位小数，如 39.90。" in text
        assert "下表标出了有问题的格子" in text
        screenshot(page, "products-sku-table-marked")


def test_screenshots_of_the_product_form_and_the_audit_log(committed, sandbox_url):
    with unit_of_work(committed) as session:
        seed_base(session)
        seed_demo(session)
        owner = make_staff(session, "owner", password=PASSWORD).username
        scarf = session.scalar(select(Product).where(Product.title == "羊毛混纺围巾"))
        skus = [{"id": s.id, "specs": s.specs, "price_fen": s.price_fen, "stock": s.stock,
                 "original_price_fen": s.price_fen + 7000, "cost_price_fen": s.price_fen // 3,
                 "image": scarf.images[0] if i == 0 else ""} for i, s in enumerate(get_product(session, scarf.id).skus)]
        update_product(session, actor=SYSTEM, product_id=scarf.id, changes={
            "skus": skus, "sort": 50, "detail_html": f'<h3>细节</h3><p>羊毛 30%，柔软不扎</p><img src="{scarf.images[0]}">'})

    with dashboard(1400, 2200) as page:
        sign_in(page, owner, PASSWORD)
        open_screen(page, "商品", "共 22 件商品")
        open_tab(page, "编辑商品")
        settle(page, "规格矩阵")
        page.get_by_text("规格矩阵：按规格值生成规格表").click()
        page.wait_for_timeout(500)
        form = screenshot(page, "dashboard-product-form")

        page.set_viewport_size({"width": 1400, "height": 1200})
        open_screen(page, "操作日志", "共 ")
        expect(page.locator("[data-testid=stDataFrame] canvas").first).to_be_visible()  # drawn after the run
        page.wait_for_timeout(1000)
        screenshot(page, "dashboard-audit-log")
        page.get_by_label("操作", exact=True).fill("修改商品")
        page.get_by_label("操作", exact=True).press("Enter")
        settle(page, "匹配的操作：修改商品")
        audit = screenshot(page, "dashboard-audit-log-filtered")
        assert page.locator("[data-testid=stException]").count() == 0, body_text(page)[:500]
    assert form.stat().st_size > 50_000 and audit.stat().st_size > 30_000
