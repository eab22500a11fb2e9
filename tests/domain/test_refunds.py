"""After-sale: refund amounts to the fen, stock, order closing and every refusal."""

from __future__ import annotations

import httpx
import pytest

from domain.models import OrderStatus, RefundStatus, Sku
from domain.orders.errors import OrderError, RefundError
from domain.orders.refunds import (
    RefundItem,
    approve_refund,
    reject_refund,
    request_refund,
)
from domain.security.actor import SYSTEM
from domain.wechat import get_wechat
from tests.builders import make_product, make_user, pay, place, refund, ship
from tests.refusals import refused


@pytest.fixture
def buyer(db):
    return make_user(db, "refund_buyer")


def test_partial_refunds_split_a_line_and_the_last_units_take_what_is_left(db, buyer, sandbox_url):
    sku = make_product(db, prices=(2933,), stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 3)]), sandbox_url)  # paid_fen 8799, below free shipping
    line = order.lines[0]
    assert (line.paid_fen, order.shipping_fen, order.payable_fen) == (8799, 1000, 9799)
    first = refund(db, order, [(line.id, 2)])
    assert (first.status, first.amount_fen) == (RefundStatus.REFUNDED, 5866)  # 8799 * 2 // 3
    last = refund(db, order, [(line.id, 1)])
    # The last unit refunds exactly what is left of the line (8799 - 5866 = 2933), and the unshipped order's
    # postage comes back with it.
    assert (last.goods_fen, last.shipping_fen, last.amount_fen) == (2933, 1000, 3933)
    db.refresh(order)
    assert line.refunded_fen == 8799 and line.refunded_quantity == 3
    assert order.refunded_fen == 9799 == order.payable_fen
    assert order.status == OrderStatus.CLOSED


def test_uneven_line_refunds_sum_exactly_to_paid(db, buyer, sandbox_url):
    sku = make_product(db, prices=(3334,), stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 7)]), sandbox_url)
    line = order.lines[0]
    ship(db, order)
    amounts = [refund(db, order, [(line.id, k)]).amount_fen for k in (2, 1, 4)]
    assert line.paid_fen == 23338
    assert amounts == [23338 * 2 // 7, 23338 * 1 // 7, 23338 - 23338 * 2 // 7 - 23338 // 7]
    assert sum(amounts) == 23338


def test_refunding_more_than_was_bought_is_refused(db, buyer, sandbox_url):
    sku = make_product(db, stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)
    line = order.lines[0]
    refund(db, order, [(line.id, 1)], approve=False)  # pending requests reserve their units
    with refused(RefundError.REFUND_EXCEEDS_PURCHASE):
        request_refund(db, user=buyer, order_id=order.id, items=[RefundItem(line.id, 2)], reason="坏了")


def test_refunds_of_unpaid_or_foreign_orders_are_refused(db, buyer):
    sku = make_product(db).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    with refused(RefundError.ORDER_NOT_REFUNDABLE):
        request_refund(db, user=buyer, order_id=order.id, items=[RefundItem(order.lines[0].id, 1)], reason="x")
    with refused(OrderError.ORDER_NOT_FOUND):
        request_refund(db, user=make_user(db), order_id=order.id, items=[RefundItem(order.lines[0].id, 1)], reason="x")


def test_unshipped_refunds_return_stock_but_shipped_ones_do_not(db, buyer, sandbox_url):
    sku = make_product(db, stock=10).skus[0]
    a = pay(db, place(db, buyer, [(sku.id, 3)]), sandbox_url)
    refund(db, a, [(a.lines[0].id, 2)])
    db.expire_all()
    assert db.get(Sku, sku.id).stock == 9
    b = pay(db, place(db, buyer, [(sku.id, 3)]), sandbox_url)
    ship(db, b)
    refund(db, b, [(b.lines[0].id, 3)])
    db.expire_all()
    assert db.get(Sku, sku.id).stock == 6
    assert db.get(type(b), b.id).status == OrderStatus.CLOSED


def test_rejection_frees_the_units_and_the_refund_goes_through_wechat(db, buyer, sandbox_url):
    sku = make_product(db, prices=(5000,), stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)
    line = order.lines[0]
    r = refund(db, order, [(line.id, 2)], approve=False)
    reject_refund(db, actor=SYSTEM, refund_id=r.id, reason="商品已使用，不支持退款")
    assert (r.status, r.reject_reason) == (RefundStatus.REJECTED, "商品已使用，不支持退款")
    with refused(RefundError.REFUND_NOT_PENDING):
        approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    again = refund(db, order, [(line.id, 2)])
    assert again.amount_fen == 10000
    records = httpx.get(sandbox_url + "records", params={"kind": "refund"}).json()["items"]
    assert any(x["out_refund_no"] == again.refund_no and x["refund_fee"] == 10000 for x in records)


def test_a_wechat_failure_leaves_the_refund_approved_for_a_retry(db, buyer, sandbox_url):
    sku = make_product(db, stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    httpx.post(sandbox_url + "control/fail-next", json={"kind": "refund", "code": "SYSTEMERROR"})
    r = refund(db, order, [(order.lines[0].id, 1)])
    assert r.status == RefundStatus.APPROVED and r.failure
    assert order.lines[0].refunded_fen == 0
    r = approve_refund(db, actor=SYSTEM, refund_id=r.id, wechat=get_wechat())
    assert r.status == RefundStatus.REFUNDED and r.failure == ""
