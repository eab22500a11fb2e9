"""After-sale on PostgreSQL: staff deciding the same return at once, in real transactions from threads."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from domain.db import unit_of_work
from domain.errors import DomainError
from domain.models import Order, Refund, RefundKind, RefundStatus, Sku
from domain.orders.errors import RefundError
from domain.orders.refunds import RefundItem, approve_refund, confirm_return, request_refund
from domain.security.actor import SYSTEM
from domain.settings.service import update_settings
from domain.wechat import get_wechat
from tests.builders import make_product, make_user, pay, place, ship
from tests.concurrency.test_postgres_concurrency import run_at_once
from tests.conftest import requires_postgres

pytestmark = requires_postgres


def test_two_staff_confirming_the_same_return_at_once_refund_it_once(committed, sandbox_url):
    with unit_of_work(committed) as s:
        update_settings(s, {"return_address": "退货仓 王五 13700137000 杭州市文一西路 100 号"})
        buyer = make_user(s, "并发退货")
        sku_id = make_product(s, prices=(3333,), stock=10).skus[0].id
        order = pay(s, place(s, buyer, [(sku_id, 3)]), sandbox_url)
        ship(s, order)
        r = request_refund(s, user=buyer, order_id=order.id, items=[RefundItem(order.lines[0].id, 2)],
                           reason="漏水", kind=RefundKind.RETURN_AND_REFUND)
        approve_refund(s, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
        refund_id, refund_no, order_id = r.id, r.refund_no, order.id

    def receive(i):
        with unit_of_work(committed) as s:
            return confirm_return(s, actor=SYSTEM, refund_id=refund_id, restock=True, wechat=get_wechat()).status

    results = run_at_once(4, receive)
    assert results.count(RefundStatus.REFUNDED) == 1
    assert [r.code for r in results if isinstance(r, DomainError)] == [RefundError.REFUND_NOT_PENDING] * 3
    with unit_of_work(committed) as s:
        order = s.get(Order, order_id)
        assert (order.refunded_fen, order.lines[0].refunded_quantity, order.lines[0].refunded_fen) == (6666, 2, 6666)
        assert s.get(Sku, sku_id).stock == 9  # 10 − 3 + 2, restocked once
        assert s.scalar(select(Refund.status).where(Refund.id == refund_id)) == RefundStatus.REFUNDED
    records = httpx.get(sandbox_url + "records", params={"kind": "refund"}).json()["items"]
    assert [x["refund_fee"] for x in records if x["out_refund_no"] == refund_no] == [6666]
