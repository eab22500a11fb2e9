"""A real browser renders the products screen, with Chinese text and product photos."""

from __future__ import annotations

import shutil
import time

from PIL import Image

from backend.seed import seed_base, seed_demo
from domain.db import unit_of_work
from domain.models import Staff
from domain.staff.service import issue_staff_token
from tests.dashboard.browser import chromium, dashboard_server
from tests.support import ROOT

ARTIFACT = ROOT / "tests" / "_artifacts" / "dashboard-products.png"
README_IMAGE = ROOT / "dashboard" / "screenshot.png"


def test_products_screen_renders_in_a_real_browser(committed):
    with unit_of_work(committed) as session:
        seed_base(session)
        seed_demo(session)  # 22 products with drawn photos, some low on stock
        owner = session.query(Staff).filter_by(role="owner").first()
        # A magic link: the token is a real staff token, stored hashed, as the admin API issues them.
        token = issue_staff_token(session, staff=owner)

    with dashboard_server() as url, chromium(1400, 900) as open_page:
        page = open_page(f"{url}/products?token={token}")
        page.wait_for_text("共 22 件商品")  # the table itself is a canvas, with no text to wait for
        assert "商品管理" in page.evaluate("document.body.innerText")
        assert page.evaluate("!!document.querySelector('[data-testid=stDataFrame] canvas')")
        assert "token=" not in page.evaluate("location.href")
        time.sleep(1.0)  # let the table's canvas draw the thumbnails
        page.screenshot(ARTIFACT)

    image = Image.open(ARTIFACT).convert("RGB")
    assert image.size == (1400, 900)
    counts = {colour: n for n, colour in image.getcolors(maxcolors=1 << 20)}
    assert len(counts) > 500, "the screenshot looks blank"
    assert counts.get((255, 255, 255), 0) < 0.9 * image.size[0] * image.size[1], "the screenshot is mostly white"
    assert ARTIFACT.stat().st_size > 50_000
    shutil.copyfile(ARTIFACT, README_IMAGE)
