"""After-sale and batch shipping in a real browser: a return awaiting its goods shows its kind, the buyer's photos,
the return address and the buyer's parcel; a spreadsheet uploaded on 订单 ships its good row and names the bad one
beside the upload. Screenshots go to tests/_artifacts/screenshots/ (after-sale-*.png)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from PIL import Image

from domain.db import unit_of_work
from domain.models import RefundKind
from domain.orders.refunds import RefundItem, approve_refund, request_refund, ship_return, upload_refund_photo
from domain.security.actor import SYSTEM
from domain.settings.service import update_settings
from domain.wechat import get_wechat
from tests.builders import make_product, make_staff, make_user, pay, place, ship
from tests.dashboard.browser import body_text, dashboard, open_screen, screenshot, settle, sign_in

PASSWORD = "owner-pass-2026"
RETURN_ADDRESS = "退货仓 王五 13700137000 浙江省杭州市余杭区文一西路 100 号"


def png_bytes(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def shop(committed, sandbox_url, tmp_path):
    """A shipped order returned (two photos, the parcel given) and two paid orders for a sheet with a bad row."""
    with unit_of_work(committed) as session:
        owner = make_staff(session, "owner", password=PASSWORD).username
        update_settings(session, {"return_address": RETURN_ADDRESS})
        buyer = make_user(session, "退货的小周")
        sku = make_product(session, title="青瓷茶杯", prices=(2933,), stock=20).skus[0]
        order = pay(session, place(session, buyer, [(sku.id, 3)]), sandbox_url)
        ship(session, order)
        photos = [upload_refund_photo(user=buyer, data=png_bytes(c)) for c in ((190, 60, 50), (40, 110, 190))]
        r = request_refund(session, user=buyer, order_id=order.id, items=[RefundItem(order.lines[0].id, 2)],
                           reason="杯口有裂纹", kind=RefundKind.RETURN_AND_REFUND, photos=photos)
        approve_refund(session, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
        ship_return(session, user=buyer, refund_id=r.id, carrier="中通快递", tracking_no="ZT778899001")
        a, b = (pay(session, place(session, buyer, [(sku.id, 1)]), sandbox_url) for _ in range(2))
        book = Workbook()
        for row in (("订单号", "快递公司", "快递单号"), (a.order_no, "顺丰速运", "SF500001"),
                    ("NO-SUCH-ORDER", "顺丰速运", "SF500002"), (b.order_no, "顺丰速运", "单号?")):
            book.active.append(list(row))
        sheet = tmp_path / "批量发货.xlsx"
        book.save(sheet)
        return owner, r.refund_no, a.order_no, sheet


def test_a_return_and_a_batch_shipment_as_staff_see_them(shop):
    owner, refund_no, shipped_no, sheet = shop
    with dashboard(height=1400) as page:
        sign_in(page, owner, PASSWORD)
        open_screen(page, "售后退款", "待买家退货 (1)")
        page.locator("[data-testid=stButtonGroup] button", has_text="待买家退货").click()
        settle(page, "买家退货物流")
        text = body_text(page)
        assert "退货退款" in text and "买家照片（2 张）" in text
        assert RETURN_ADDRESS in text and "ZT778899001" in text
        assert "确认收货并退款 ¥58.66" in text
        assert page.locator("[data-testid=stImage] img").count() == 2
        screenshot(page, "after-sale-return")

        open_screen(page, "订单", "批量发货（Excel）")
        page.get_by_text("批量发货（Excel）").first.click()
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(sheet))
        settle(page, "批量发货.xlsx")
        page.get_by_role("button", name="开始发货").click()
        settle(page, "已发货 1 单，2 行未发货。")
        # The per-row results are a data grid (drawn on a canvas: the AppTest reads its cells).
        assert page.locator("[data-testid=stExpander] [data-testid=stDataFrame]").count() == 1
        screenshot(page, "after-sale-batch-ship")
