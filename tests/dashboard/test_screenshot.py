"""A real browser renders the dashboard on the demo shop: products (with photos), orders and the distributors'
team tree, with Chinese text.

The screenshots land in ``tests/_artifacts/screenshots/``. ``make screenshots`` sets MALL_REFRESH_README_SCREENSHOT=1,
which also copies the products screenshot to ``dashboard/screenshot.png``, the README's picture; a plain test run
never touches a tracked file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from backend.seed import seed_base, seed_demo
from domain.db import unit_of_work
from domain.models import Order, OrderLine
from domain.staff.service import create_staff
from tests.dashboard.browser import TIMEOUT_MS, body_text, dashboard, open_screen, screenshot, search, sign_in
from tests.support import ROOT

README_IMAGE = ROOT / "dashboard" / "screenshot.png"
PASSWORD = "screen-pass-2026"
PLOTLY_DRAWN = "() => !!document.querySelector('.js-plotly-plot .sunburstlayer path')"
# The products table is a canvas; its cover photos are drawn as their data: URLs decode. Photos are the only
# strongly coloured pixels in it (text and grid lines are grey), so wait until there are some and their count
# has held still for three polls in a row.
THUMBNAILS_DRAWN = """() => {
  const canvas = document.querySelector('[data-testid=stDataFrame] canvas');
  if (!canvas || !canvas.width) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let coloured = 0;
  for (let i = 0; i < pixels.length; i += 16) {
    const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  const seen = window.__thumbnails || (window.__thumbnails = {coloured: 0, still: 0});
  seen.still = coloured > 0 && coloured === seen.coloured ? seen.still + 1 : 0;
  seen.coloured = coloured;
  return seen.still >= 3;
}"""


def test_products_orders_and_distributors_render_in_a_real_browser(committed, sandbox_url):
    with unit_of_work(committed) as session:
        seed_base(session)
        seed_demo(session)  # 22 products with drawn photos, 8 orders, demo_a → demo_b → demo_c
        # Signed in through the form as this account; its name is what the README's picture shows in the sidebar.
        owner = create_staff(session, username="manager", password=PASSWORD, role="owner", display_name="店长").username
        # The shipped order with a refund request: the richest detail panel.
        returned = session.scalar(select(Order.order_no).join(OrderLine).where(OrderLine.title.startswith("玻尿酸")))

    with dashboard(1400, 900) as page:
        sign_in(page, owner, PASSWORD)
        open_screen(page, "商品", "共 22 件商品")  # the table itself is a canvas, with no text to wait for
        assert "商品管理" in body_text(page)
        expect(page.locator("[data-testid=stDataFrame] canvas").first).to_be_visible()  # drawn after the run ends
        page.wait_for_function(THUMBNAILS_DRAWN, polling=200, timeout=TIMEOUT_MS)
        products = screenshot(page, "dashboard-products")

        page.set_viewport_size({"width": 1400, "height": 1300})
        open_screen(page, "订单", "共 8 个订单")
        search(page, "查看订单", returned, "物流轨迹")
        orders = screenshot(page, "dashboard-orders")

        page.set_viewport_size({"width": 1400, "height": 1100})
        open_screen(page, "分销员", "共 2 位分销员")
        search(page, "搜索分销员", "林晓", "共 1 位分销员")  # distributor A: both levels under her
        page.wait_for_function(PLOTLY_DRAWN, timeout=TIMEOUT_MS)
        assert "王芳（分销员B） 邀请的二级成员（2 人）" in body_text(page)
        distributors = screenshot(page, "dashboard-distributors")
        assert_no_error_shown(page)

    for shot in (products, orders, distributors):
        assert_looks_drawn(shot)
    if os.environ.get("MALL_REFRESH_README_SCREENSHOT") == "1":
        shutil.copyfile(products, README_IMAGE)


def assert_no_error_shown(page: Page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0, body_text(page)[:500]


def assert_looks_drawn(path: Path) -> None:
    image = Image.open(path).convert("RGB")
    assert image.size[0] == 1400
    counts = {colour: n for n, colour in image.getcolors(maxcolors=1 << 20)}
    assert len(counts) > 500, f"{path.name} looks blank"
    assert counts.get((255, 255, 255), 0) < 0.9 * image.size[0] * image.size[1], f"{path.name} is mostly white"
    assert path.stat().st_size > 50_000
