"""What shoppers type is plain text to staff: Markdown and HTML in a remark, an address, a refund reason, an
application reason or a nickname never render in the dashboard, so they cannot make a staff member's browser
fetch anything. A local HTTP server stands for the address such text points at; it must receive no request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dashboard.components.plain import WORD_JOINER
from domain.db import unit_of_work
from domain.distribution.distributors import apply
from domain.orders.checkout import OrderItem, place_order
from domain.orders.refunds import RefundItem, request_refund
from tests.builders import approve_distributor, make_address, make_product, make_staff, make_user, pay
from tests.dashboard.browser import body_text, dashboard, open_screen, screenshot, sign_in
from tests.support import free_port

PASSWORD = "owner-pass-2026"


@contextmanager
def listening() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on a free port that records every path asked of it (and answers 404)."""
    asked: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            asked.append(self.path)
            self.send_error(404)

        def log_message(self, *args):
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port, asked
    finally:
        server.shutdown()
        server.server_close()


def both(port: int, name: str) -> str:
    """A Markdown image and an HTML image, each pointing at the recording server."""
    return f"![{name}](http://127.0.0.1:{port}/{name}.png) <img src=http://127.0.0.1:{port}/{name}-html.png>"


def short(port: int, name: str) -> str:
    """The same in at most 64 characters (a nickname's length), with protocol-relative addresses."""
    return f"![](//127.0.0.1:{port}/{name}) <img src=//127.0.0.1:{port}/{name}h>"


@pytest.fixture
def planted(committed, sandbox_url):
    """A → B → C → E, with B and C named with images; C orders with a remark and an address full of them, pays and
    asks for a refund with such a reason; D applies with one too. Yields the owner's username, the texts the
    screens must show, the server's address and the paths it was asked for."""
    with listening() as (port, asked):
        texts = {
            "distributor": short(port, "b"), "buyer": short(port, "c"), "applicant": short(port, "d"),
            "receiver": f"<img src=//127.0.0.1:{port}/name>", "street": both(port, "street"),
            "remark": both(port, "remark"), "refund_reason": both(port, "refund"),
            "application_reason": both(port, "apply"),
        }
        assert all(len(texts[k]) <= 64 for k in ("distributor", "buyer", "applicant"))
        with unit_of_work(committed) as session:
            owner = make_staff(session, "owner", password=PASSWORD).username
            a = make_user(session, "root_a")
            b = make_user(session, "b", inviter=a)
            c = make_user(session, "c", inviter=b)
            make_user(session, "e", inviter=c)
            b.nickname, c.nickname = texts["distributor"], texts["buyer"]
            for user in (a, c, b):  # B last: the newest distributor is the one the screen opens
                approve_distributor(session, user)
            applicant = make_user(session, "d")
            applicant.nickname = texts["applicant"]
            apply(session, user=applicant, real_name="丁一", phone="13900139001", reason=texts["application_reason"])
            sku = make_product(session, title="纯文本测试杯", prices=(9900,)).skus[0]
            address = make_address(session, c, name=texts["receiver"], detail=texts["street"])
            order = place_order(session, user=c, items=[OrderItem(sku_id=sku.id, quantity=1)],
                                address_id=address.id, remark=texts["remark"])
            pay(session, order, sandbox_url)
            request_refund(session, user=c, order_id=order.id, items=[RefundItem(order.lines[0].id, 1)],
                           reason=texts["refund_reason"])
        yield owner, texts, f"127.0.0.1:{port}", asked


def shown(page) -> str:
    """The page's text as staff read it (the word joiner that keeps :codes: from turning into emoji is invisible)."""
    return body_text(page).replace(WORD_JOINER, "")


def test_shoppers_markdown_and_html_show_as_typed_and_fetch_nothing(planted):
    owner, texts, server, asked = planted
    pointing_at_server = f"img[src*='{server}'], a[href*='{server}']"
    with dashboard() as page:
        sign_in(page, owner, PASSWORD)

        open_screen(page, "订单", "收货人")
        for key in ("buyer", "receiver", "street", "remark"):
            assert texts[key] in shown(page), key
        assert page.locator(pointing_at_server).count() == 0  # not even a bare address became a link
        screenshot(page, "plain-text-order")

        open_screen(page, "售后退款", "申请于")
        for key in ("buyer", "refund_reason"):
            assert texts[key] in shown(page), key

        open_screen(page, "分销审核", "的申请")
        assert texts["applicant"] in shown(page)  # in the approve button's label

        open_screen(page, "分销员", "团队")
        assert texts["distributor"] in shown(page)  # the detail's heading
        page.get_by_text("邀请的二级成员").first.click()  # the expander named after C, who has E below
        assert texts["buyer"] in shown(page)
        screenshot(page, "plain-text-distributor")

        # Nothing of it became an image, a link or a tag, and nothing was ever asked of the server.
        assert page.locator(pointing_at_server).count() == 0
        assert asked == []
