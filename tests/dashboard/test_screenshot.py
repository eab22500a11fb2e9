"""A real browser renders the dashboard on the demo shop: products (with photos), orders and the distributors'
team tree, with Chinese text."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from backend.seed import seed_base, seed_demo
from domain.db import unit_of_work
from domain.models import Order, OrderLine, Staff
from domain.staff.service import issue_staff_token
from tests.dashboard.browser import chromium, dashboard_server
from tests.support import ROOT

ARTIFACTS = ROOT / "tests" / "_artifacts"
README_IMAGE = ROOT / "dashboard" / "screenshot.png"
PLOTLY_DRAWN = "!!document.querySelector('.js-plotly-plot .sunburstlayer path')"


def test_products_orders_and_distributors_render_in_a_real_browser(committed, sandbox_url):
    with unit_of_work(committed) as session:
        seed_base(session)
        seed_demo(session)  # 22 products with drawn photos, 8 orders, demo_a → demo_b → demo_c
        owner = session.query(Staff).filter_by(role="owner").first()
        # A magic link: the token is a real staff token, stored hashed, as the admin API issues them.
        token = issue_staff_token(session, staff=owner)
        # The shipped order with a refund request: the richest detail panel.
        returned = session.scalar(select(Order.order_no).join(OrderLine).where(OrderLine.title.startswith("玻尿酸")))

    with dashboard_server() as url, chromium(1400, 900) as open_page:
        page = open_page(f"{url}/products?token={token}")
        page.wait_for_text("共 22 件商品")  # the table itself is a canvas, with no text to wait for
        assert "商品管理" in page.evaluate("document.body.innerText")
        assert page.evaluate("!!document.querySelector('[data-testid=stDataFrame] canvas')")
        assert "token=" not in page.evaluate("location.href")
        time.sleep(1.0)  # let the table's canvas draw the thumbnails
        products = page.screenshot(ARTIFACTS / "dashboard-products.png")

        page.resize(height=1300)
        page.click("[data-testid=stSidebarNavLink]", "订单")  # in the same session, as staff would
        page.wait_for_text("共 8 个订单")
        page.type_into("查看订单", returned)
        page.wait_for_text("物流轨迹")
        time.sleep(0.5)
        orders = page.screenshot(ARTIFACTS / "dashboard-orders.png")

        page.resize(height=1100)
        page.click("[data-testid=stSidebarNavLink]", "分销员")
        page.wait_for_text("共 2 位分销员")
        page.type_into("搜索分销员", "林晓")  # distributor A: both levels under her
        page.wait_for_text("共 1 位分销员")
        page.wait_for(PLOTLY_DRAWN)
        assert "王芳（分销员B） 邀请的二级成员（2 人）" in page.evaluate("document.body.innerText")
        time.sleep(0.5)
        distributors = page.screenshot(ARTIFACTS / "dashboard-distributors.png")

    for shot in (products, orders, distributors):
        assert_looks_drawn(shot)
    shutil.copyfile(products, README_IMAGE)


def assert_looks_drawn(path: Path) -> None:
    image = Image.open(path).convert("RGB")
    assert image.size[0] == 1400
    counts = {colour: n for n, colour in image.getcolors(maxcolors=1 << 20)}
    assert len(counts) > 500, f"{path.name} looks blank"
    assert counts.get((255, 255, 255), 0) < 0.9 * image.size[0] * image.size[1], f"{path.name} is mostly white"
    assert path.stat().st_size > 50_000
