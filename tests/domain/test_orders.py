"""Placing, paying, cancelling, shipping and receiving orders, with every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from domain import clock
from domain.catalog.errors import CatalogError
from domain.models import Order, OrderStatus, Payment, Sku
from domain.orders import lifecycle
from domain.orders.checkout import OrderItem, place_order, preview_order
from domain.orders.errors import AddressError, OrderError
from domain.orders.logistics import StaffEntered, TrackedEvent
from domain.payments.errors import PaymentError
from domain.payments.reconciliation import close_expired_unpaid
from domain.payments.service import handle_payment_notification, start_payment
from domain.security.actor import SYSTEM
from domain.settings.service import update_settings
from domain.wechat import get_wechat
from domain.wechat.errors import WeChatError
from tests.builders import (
    complete,
    make_address,
    make_product,
    make_user,
    notification,
    pay,
    place,
    ship,
)
from tests.refusals import refused


@pytest.fixture
def buyer(db):
    return make_user(db, "buyer")


def stock_of(db, sku_id: int) -> int:
    db.expire_all()
    return db.get(Sku, sku_id).stock


def test_placing_an_order_snapshots_prices_and_takes_stock(db, buyer):
    product = make_product(db, title="保温杯", prices=(8900, 9900), stock=10)
    white, black = product.skus
    order = place(db, buyer, [(white.id, 2), (black.id, 1)])
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert len(order.order_no) == 22 and order.order_no.isdigit()
    assert [(ln.title, ln.unit_price_fen, ln.quantity, ln.paid_fen) for ln in order.lines] == [
        ("保温杯", 8900, 2, 17800), ("保温杯", 9900, 1, 9900)]
    assert (order.goods_fen, order.shipping_fen, order.payable_fen) == (27700, 0, 27700)
    assert stock_of(db, white.id) == 8 and stock_of(db, black.id) == 9
    # Later price edits never touch the order.
    white.price_fen = 1
    db.flush()
    db.refresh(order)
    assert order.lines[0].unit_price_fen == 8900


def test_small_orders_pay_shipping(db, buyer):
    sku = make_product(db, prices=(3990,)).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    assert (order.goods_fen, order.shipping_fen, order.payable_fen) == (3990, 1000, 4990)


def test_preview_and_checkout_price_identically(db, buyer):
    sku = make_product(db, prices=(4590,)).skus[0]
    preview = preview_order(db, user=buyer, items=[OrderItem(sku.id, 2)]).priced
    order = place(db, buyer, [(sku.id, 2)])
    assert (preview.goods_fen, preview.shipping_fen, preview.payable_fen) == (9180, 1000, 10180)
    assert order.payable_fen == preview.payable_fen


def test_out_of_stock_is_refused_and_nothing_is_written(db, buyer):
    sku = make_product(db, stock=2).skus[0]
    address = make_address(db, buyer)
    before = db.query(Order).count()
    with refused(OrderError.OUT_OF_STOCK):
        place_order(db, user=buyer, items=[OrderItem(sku.id, 3)], address_id=address.id)
    assert db.query(Order).count() == before and stock_of(db, sku.id) == 2


def test_off_shelf_unknown_and_foreign_address_are_refused(db, buyer):
    off = make_product(db, is_on_shelf=False).skus[0]
    ok = make_product(db).skus[0]
    other = make_user(db)
    foreign = make_address(db, other)
    mine = make_address(db, buyer)
    cases = [
        ([OrderItem(off.id, 1)], mine.id, OrderError.PRODUCT_UNAVAILABLE),
        ([OrderItem(999_999, 1)], mine.id, CatalogError.SKU_NOT_FOUND),
        ([OrderItem(ok.id, 1)], foreign.id, AddressError.ADDRESS_NOT_FOUND),
        ([], mine.id, OrderError.EMPTY_ORDER),
        ([OrderItem(ok.id, 0)], mine.id, OrderError.INVALID_QUANTITY),
    ]
    for items, address_id, code in cases:
        with refused(code):
            place_order(db, user=buyer, items=items, address_id=address_id)


def test_placing_by_token_refuses_a_foreign_or_unknown_address_and_writes_nothing(db, buyer):
    """The token's statement brings the address with the shopper: only the shopper's own address of that id."""
    from domain.orders.checkout import place_order_for_token
    from domain.users.service import issue_token

    sku = make_product(db, stock=5).skus[0]
    foreign = make_address(db, make_user(db))
    token = issue_token(db, user=buyer)
    before = db.query(Order).count()
    for address_id in (foreign.id, 999_999):
        with refused(AddressError.ADDRESS_NOT_FOUND):
            place_order_for_token(db, token=token, items=[OrderItem(sku.id, 1)], address_id=address_id,
                                  idempotency_key=f"addr-{address_id}")
    assert db.query(Order).count() == before and stock_of(db, sku.id) == 5
    mine = make_address(db, buyer)
    placed = place_order_for_token(db, token=token, items=[OrderItem(sku.id, 2)], address_id=mine.id,
                                   idempotency_key="addr-mine")
    # Two of ¥99.99, shipped free (over ¥99), to the shopper's own address read with the token.
    assert (placed.goods_fen, placed.shipping_fen, placed.payable_fen) == (19998, 0, 19998)
    assert placed.receiver_region == ("广东省", "深圳市", "南山区") and placed.receiver_street == "科技园科苑路 15 号"
    assert db.get(Order, placed.id).payable_fen == 19998 and stock_of(db, sku.id) == 3


def test_the_same_idempotency_key_returns_the_same_order(db, buyer):
    sku = make_product(db, stock=5).skus[0]
    first = place(db, buyer, [(sku.id, 1)], key="tap-1")
    again = place(db, buyer, [(sku.id, 1)], key="tap-1")
    assert again.id == first.id and stock_of(db, sku.id) == 4
    other = place(db, buyer, [(sku.id, 1)], key="tap-2")
    assert other.id != first.id and stock_of(db, sku.id) == 3


def test_paying_through_wechat_marks_the_order_paid_once(db, buyer, sandbox_url, pay_api):
    sku = make_product(db, prices=(12900,)).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    started = start_payment(db, user=buyer, order_id=order.id, wechat=get_wechat())
    assert started.sandbox is True
    assert set(started.pay_params) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert started.pay_params["package"] == f"prepay_id={started.prepay_id}"
    assert started.pay_params["signType"] == {"v3": "RSA", "v2": "MD5"}[pay_api]
    body, headers = notification(sandbox_url, started.prepay_id)
    assert handle_payment_notification(db, wechat=get_wechat(), body=body, headers=headers).newly_paid is True
    assert handle_payment_notification(db, wechat=get_wechat(), body=body, headers=headers).newly_paid is False
    db.refresh(order)
    assert order.status == OrderStatus.PAID and order.paid_at is not None
    payments = db.query(Payment).filter_by(order_id=order.id).all()
    assert [(p.amount_fen, p.out_trade_no) for p in payments] == [(12900, order.order_no)]


def test_a_forged_or_wrong_amount_notification_is_refused(db, buyer, sandbox_url, pay_api):
    sku = make_product(db, prices=(5000,)).skus[0]
    order = place(db, buyer, [(sku.id, 2)])
    started = start_payment(db, user=buyer, order_id=order.id, wechat=get_wechat())
    body, headers = notification(sandbox_url, started.prepay_id)
    if pay_api == "v2":
        forged = body.replace(b"<total_fee>10000</total_fee>", b"<total_fee>1</total_fee>")
    else:  # the amount is inside the encrypted resource: any change to the signed body breaks the signature
        forged = body.replace(b'"summary": "', b'"summary": "forged ')
    assert forged != body
    with refused(WeChatError.INVALID_SIGNATURE):
        handle_payment_notification(db, wechat=get_wechat(), body=forged, headers=headers)
    wrong_amount, headers = notification(sandbox_url, started.prepay_id, total_fee=9999)
    with refused(PaymentError.AMOUNT_MISMATCH):
        handle_payment_notification(db, wechat=get_wechat(), body=wrong_amount, headers=headers)
    db.refresh(order)
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_paying_a_cancelled_order_is_refused(db, buyer):
    sku = make_product(db, stock=3).skus[0]
    order = place(db, buyer, [(sku.id, 2)])
    lifecycle.cancel_order(db, user=buyer, order_id=order.id, wechat=get_wechat())
    assert order.status == OrderStatus.CANCELLED and stock_of(db, sku.id) == 3
    with refused(PaymentError.ORDER_NOT_PAYABLE):
        start_payment(db, user=buyer, order_id=order.id, wechat=get_wechat())
    with refused(OrderError.ORDER_NOT_CANCELLABLE):
        lifecycle.cancel_order(db, user=buyer, order_id=order.id, wechat=get_wechat())


def test_cancelling_closes_the_wechat_order_so_it_cannot_be_paid_later(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    started = start_payment(db, user=buyer, order_id=order.id, wechat=get_wechat())
    lifecycle.cancel_order(db, user=buyer, order_id=order.id, wechat=get_wechat())
    res = httpx.post(sandbox_url + "pay/confirm", json={"prepay_id": started.prepay_id, "deliver": False})
    assert res.status_code == 409


def test_someone_elses_order_is_not_found(db, buyer):
    sku = make_product(db).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    stranger = make_user(db)
    with refused(OrderError.ORDER_NOT_FOUND, status=404):
        lifecycle.cancel_order(db, user=stranger, order_id=order.id, wechat=get_wechat())


def test_shipping_an_unpaid_order_is_refused(db, buyer):
    sku = make_product(db).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    with refused(OrderError.ORDER_NOT_PAID):
        ship(db, order)


def test_shipping_uploads_to_wechat_and_builds_the_timeline(db, buyer, sandbox_url):
    sku = make_product(db, prices=(9900,)).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    shipment = ship(db, order, tracking_no="SF9000000001")
    assert order.status == OrderStatus.SHIPPED and shipment.wechat_uploaded
    uploads = httpx.get(sandbox_url + "records", params={"kind": "shipping"}).json()["items"]
    mine = [u for u in uploads if u["shipping_list"][0]["tracking_no"] == "SF9000000001"]
    assert mine and mine[0]["order_key"]["transaction_id"] == order.payment.transaction_id
    assert mine[0]["payer"]["openid"] == buyer.openid
    messages = httpx.get(sandbox_url + "records", params={"kind": "message"}).json()["items"]
    sent = [m for m in messages if m["data"]["character_string4"]["value"] == "SF9000000001"]
    assert [(m["touser"], m["template_id"], m["page"]) for m in sent] == \
        [(buyer.openid, "sandbox_order_shipped", f"pages/order/detail?id={order.id}")]
    with clock.travel(timedelta(hours=5)):
        lifecycle.add_tracking_event(db, actor=SYSTEM, order_id=order.id, text="【深圳】快件已到达南山营业部")

    class Courier(StaffEntered):
        def events(self, carrier, tracking_no):
            return [TrackedEvent(time=datetime(2030, 1, 1, tzinfo=UTC), text="【深圳】派件中")]

    _, events = lifecycle.logistics(db, order=order, tracker=Courier())
    assert [e.text for e in events] == ["【深圳】派件中", "【深圳】快件已到达南山营业部",
                                        "商家已发货，顺丰速运 运单号 SF9000000001"]
    _, again = lifecycle.logistics(db, order=order, tracker=Courier())
    assert len(again) == 3  # the tracker's events are stored once


def test_a_failed_wechat_upload_keeps_the_shipment_and_can_be_retried(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    httpx.post(sandbox_url + "control/fail-next", json={"kind": "shipping"})
    shipment = ship(db, order)
    assert order.status == OrderStatus.SHIPPED
    assert shipment.wechat_uploaded is False and shipment.wechat_error
    assert lifecycle.retry_shipping_upload(db, actor=SYSTEM, order_id=order.id, wechat=get_wechat()).wechat_uploaded


def test_confirm_receipt_only_after_shipping(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    with refused(OrderError.ORDER_NOT_SHIPPED):
        lifecycle.confirm_receipt(db, user=buyer, order_id=order.id)
    complete(db, order)
    assert order.status == OrderStatus.COMPLETED and order.completed_at is not None


def test_close_unpaid_cancels_after_the_timeout_and_returns_stock(db, buyer):
    sku = make_product(db, stock=10).skus[0]
    old = place(db, buyer, [(sku.id, 3)])
    with clock.travel(timedelta(minutes=20)):
        fresh = place(db, buyer, [(sku.id, 2)])
    assert stock_of(db, sku.id) == 5
    with clock.travel(timedelta(minutes=31)):
        closed = close_expired_unpaid(db, wechat=get_wechat(), timeout_minutes=30).cancelled
    assert closed == 1
    db.refresh(old), db.refresh(fresh)
    assert (old.status, old.cancel_reason) == (OrderStatus.CANCELLED, "timeout")
    assert fresh.status == OrderStatus.PENDING_PAYMENT
    assert stock_of(db, sku.id) == 8
    with clock.travel(timedelta(minutes=31)):
        assert close_expired_unpaid(db, wechat=get_wechat(), timeout_minutes=30).cancelled == 0  # idempotent


def test_paying_after_the_timeout_is_refused(db, buyer):
    update_settings(db, {"unpaid_timeout_minutes": 15})
    sku = make_product(db).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    with clock.travel(timedelta(minutes=16)), refused(PaymentError.ORDER_EXPIRED):
        start_payment(db, user=buyer, order_id=order.id, wechat=get_wechat())


def test_auto_receive_completes_orders_shipped_seven_days_ago(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    ship(db, order)
    with clock.travel(timedelta(days=6, hours=23)):
        assert lifecycle.auto_receive(db, days=7) == 0
    with clock.travel(timedelta(days=7, minutes=1)):
        assert lifecycle.auto_receive(db, days=7) == 1
    db.refresh(order)
    assert order.status == OrderStatus.COMPLETED


def test_the_same_tracking_event_entered_twice_is_kept_once(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    ship(db, order)
    when = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    first = lifecycle.add_tracking_event(db, actor=SYSTEM, order_id=order.id, text="已揽收", time=when)
    again = lifecycle.add_tracking_event(db, actor=SYSTEM, order_id=order.id, text="已揽收", time=when)
    assert again.id == first.id


def test_the_shoppers_order_page_read_as_rows_is_the_page_read_as_entities(db, buyer, sandbox_url):
    """GET /orders/{id} builds the shopper's page from rows read on the tables; the dashboard and every other read
    from ORM entities. The two are the same page in every state the order passes through."""
    from domain.orders.order_rows import shopper_order_for_token
    from domain.orders.queries import order_detail
    from domain.security.actor import Shopper
    from domain.users.service import issue_token

    token, viewer = issue_token(db, user=buyer), Shopper.of(buyer)
    product = make_product(db, title="保温杯", prices=(8900, 9900), stock=10)
    white, black = product.skus

    def both(order):
        db.expire_all()
        by_rows = shopper_order_for_token(db, token=token, order_id=order.id)
        db.expire_all()
        assert by_rows == order_detail(db, order.id, viewer=viewer, buyer_nickname=buyer.nickname)
        return by_rows

    cancelled = place(db, buyer, [(white.id, 1)])
    assert both(cancelled).actions == ("cancel", "pay")
    lifecycle.cancel_order(db, user=buyer, order_id=cancelled.id, wechat=get_wechat())
    assert both(cancelled).status == OrderStatus.CANCELLED

    order = place(db, buyer, [(white.id, 2), (black.id, 1)])
    pay(db, order, sandbox_url)
    page = both(order)
    assert (page.status, page.transaction_id != "", page.shipment) == (OrderStatus.PAID, True, None)
    assert [line.actions for line in page.lines] == [("request_refund",), ("request_refund",)]
    ship(db, order, tracking_no="SF0000000001")
    lifecycle.add_tracking_event(db, actor=SYSTEM, order_id=order.id, text="已揽收",
                                 time=clock.now() - timedelta(hours=2))
    lifecycle.add_tracking_event(db, actor=SYSTEM, order_id=order.id, text="运输中", time=clock.now())
    page = both(order)
    assert page.shipment.tracking_no == "SF0000000001"
    assert [e.text for e in page.shipment.events] == ["运输中", "商家已发货，顺丰速运 运单号 SF0000000001", "已揽收"]
    lifecycle.confirm_receipt(db, user=buyer, order_id=order.id)
    assert both(order).status == OrderStatus.COMPLETED
    # With a refund request the page is read as entities (its requests have lines of their own): the same answer.
    from tests.builders import refund
    refund(db, order, [(order.lines[0].id, 1)], approve=False)
    page = both(order)
    assert page.open_refunds == 1 and len(page.refunds) == 1

    stranger = make_user(db, "stranger")
    with refused(OrderError.ORDER_NOT_FOUND):
        shopper_order_for_token(db, token=issue_token(db, user=stranger), order_id=order.id)


def test_the_answer_to_placing_read_from_what_was_written_is_the_order_page(db, buyer):
    """POST /orders answers with a view built from the rows its INSERTs returned, not read back: it is the page
    ``order_detail`` reads of the same order, discounts, receiver and actions included; the same key answers the
    same page again."""
    from domain.orders.checkout import place_order_for_token
    from domain.orders.queries import order_detail
    from domain.security.actor import Shopper
    from domain.users.service import issue_token
    from tests.builders import make_promotion

    token = issue_token(db, user=buyer)
    product = make_product(db, title="保温杯", prices=(8900, 9900), stock=10)
    white, black = product.skus
    make_promotion(db, "time_limited", name="限时特价", items=[(black.id, 5900, 5, None)])
    make_promotion(db, "full_reduction", name="满100减10", tiers=((10000, 1000),))
    address = make_address(db, buyer, name="李四", phone="13912345678")
    items = [OrderItem(sku_id=white.id, quantity=2), OrderItem(sku_id=black.id, quantity=1)]
    answer = place_order_for_token(db, token=token, items=items, address_id=address.id, remark="请尽快发货",
                                   idempotency_key="k-1")
    assert (answer.goods_fen, answer.full_reduction_fen, answer.payable_fen) == (23700, 1000, 22700)
    assert (answer.receiver_name, answer.receiver_phone, answer.actions) == ("李四", "13912345678", ("cancel", "pay"))
    db.expire_all()
    assert answer == order_detail(db, answer.id, viewer=Shopper.of(buyer), buyer_nickname=buyer.nickname)
    db.expire_all()
    assert place_order_for_token(db, token=token, items=items, address_id=address.id, remark="请尽快发货",
                                 idempotency_key="k-1") == answer
