"""Which actions an order or a refund offers, to whom, and the read models that carry them: the buttons and the
refusals come from one rule, refundable units are counted by the domain, and personal data is disclosed by role."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from domain import clock
from domain.errors import CommonError
from domain.orders import lifecycle
from domain.orders.actions import STAFF_ACTIONS, OrderAction, RefundAction, order_refusal
from domain.orders.errors import OrderError, RefundError
from domain.orders.queries import get_order, order_detail, order_list
from domain.orders.refund_queries import refund_detail, refund_list
from domain.orders.refunds import approve_refund, reject_refund
from domain.payments.errors import PaymentError
from domain.payments.service import start_payment
from domain.security.actor import SYSTEM, Actor, Shopper
from domain.security.roles import Role
from domain.wechat import get_wechat
from tests.builders import complete, make_product, make_user, pay, place, refund, ship
from tests.refusals import refused
from tests.support import statements_sent

OPERATOR = Actor(staff_id=None, username="operator", role=Role.OPERATOR)
SUPPORT = Actor(staff_id=None, username="support", role=Role.SUPPORT)
ANALYST = Actor(staff_id=None, username="analyst", role=Role.ANALYST)


@pytest.fixture
def buyer(db):
    return make_user(db, "actions_buyer")


def actions(db, order, viewer) -> list[str]:
    return list(order_detail(db, order.id, viewer=viewer).actions)


def lines(db, order, viewer=None) -> list[tuple[int, list[str]]]:
    view = order_detail(db, order.id, viewer=viewer or Shopper(order.user_id))
    return [(line.refundable_quantity, list(line.actions)) for line in view.lines]


def test_the_buyer_sees_the_actions_of_each_state_with_the_main_one_last(db, buyer, sandbox_url):
    me = Shopper.of(buyer)
    sku = make_product(db, stock=20).skus[0]
    pending = place(db, buyer, [(sku.id, 1)])
    assert actions(db, pending, me) == [OrderAction.CANCEL, OrderAction.PAY] == ["cancel", "pay"]
    assert lines(db, pending) == [(0, [])]  # nothing to ask back before paying

    paid = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)
    assert actions(db, paid, me) == ["request_refund"]
    assert lines(db, paid) == [(2, ["request_refund"])]

    ship(db, paid)
    assert actions(db, paid, me) == ["request_refund", "view_logistics", "confirm_receipt"]

    done = complete(db, pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url))
    assert actions(db, done, me) == ["request_refund", "view_logistics"]

    lifecycle.cancel_order(db, user=buyer, order_id=pending.id, wechat=get_wechat())
    assert actions(db, pending, me) == []

    closed = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    refund(db, closed, [(closed.lines[0].id, 1)])
    assert (get_order(db, closed.id).status, actions(db, closed, me)) == ("closed", [])
    assert lines(db, closed) == [(0, [])]


def test_an_unpaid_order_past_its_deadline_offers_no_pay_and_paying_is_refused_alike(db, buyer):
    sku = make_product(db).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    with clock.travel(timedelta(minutes=31)):
        view = order_detail(db, order.id, viewer=Shopper.of(buyer))
        assert list(view.actions) == ["cancel"]
        assert view.pay_expires_at == order.created_at + timedelta(minutes=30)
        with refused(PaymentError.ORDER_EXPIRED):
            start_payment(db, user=buyer, order_id=order.id, wechat=get_wechat())


def test_another_shopper_neither_sees_the_order_nor_gets_its_actions(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    stranger = Shopper.of(make_user(db))
    with refused(OrderError.ORDER_NOT_FOUND, status=404):
        order_detail(db, order.id, viewer=stranger)
    assert order_list(db, viewer=stranger) == ([], 0)
    r = refund(db, order, [(order.lines[0].id, 1)], approve=False)
    with refused(RefundError.REFUND_NOT_FOUND, status=404):
        refund_detail(db, r.id, viewer=stranger)


def test_staff_see_the_actions_their_role_allows(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    assert actions(db, order, OPERATOR) == ["ship"] == actions(db, order, SYSTEM)
    assert actions(db, order, SUPPORT) == []  # support reads orders, ships nothing
    assert lines(db, order, OPERATOR) == [(1, [])]  # the units are counted for staff too; asking back is the buyer's
    with refused(CommonError.FORBIDDEN, status=403):
        order_detail(db, order.id, viewer=ANALYST)

    httpx.post(sandbox_url + "control/fail-next", json={"kind": "shipping"})
    ship(db, order)
    assert actions(db, order, OPERATOR) == ["add_tracking_event", "retry_shipping_upload"]
    lifecycle.retry_shipping_upload(db, actor=OPERATOR, order_id=order.id, wechat=get_wechat())
    assert actions(db, order, OPERATOR) == ["add_tracking_event"]
    assert actions(db, order, Shopper.of(buyer)) == ["request_refund", "view_logistics", "confirm_receipt"]


def test_every_staff_refusal_is_the_rule_that_hides_the_button(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    unpaid = place(db, buyer, [(sku.id, 1)])
    shipped = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    ship(db, shipped)
    wechat = get_wechat()
    operations = {
        OrderAction.SHIP: lambda o: lifecycle.ship_order(db, actor=OPERATOR, order_id=o.id, carrier="顺丰速运",
                                                         tracking_no="SF1", wechat=wechat),
        OrderAction.RETRY_SHIPPING_UPLOAD: lambda o: lifecycle.retry_shipping_upload(db, actor=OPERATOR,
                                                                                     order_id=o.id, wechat=wechat),
        OrderAction.ADD_TRACKING_EVENT: lambda o: lifecycle.add_tracking_event(db, actor=OPERATOR, order_id=o.id,
                                                                               text="已揽收"),
    }
    expected = {
        (unpaid.id, OrderAction.SHIP): OrderError.ORDER_NOT_PAID,
        (unpaid.id, OrderAction.RETRY_SHIPPING_UPLOAD): OrderError.ORDER_NOT_SHIPPED,
        (unpaid.id, OrderAction.ADD_TRACKING_EVENT): OrderError.ORDER_NOT_SHIPPED,
        (shipped.id, OrderAction.SHIP): OrderError.ORDER_NOT_SHIPPABLE,
        (shipped.id, OrderAction.RETRY_SHIPPING_UPLOAD): OrderError.SHIPPING_ALREADY_UPLOADED,
    }
    for order in (unpaid, shipped):
        offered = actions(db, order, OPERATOR)
        for action in STAFF_ACTIONS:
            refusal = order_refusal(get_order(db, order.id), action)
            assert (action in offered) is (refusal is None)
            assert (refusal and refusal.code) == expected.get((order.id, action))
            if refusal is not None:
                with refused(refusal.code, status=409):
                    operations[action](order)
    assert actions(db, shipped, OPERATOR) == ["add_tracking_event"]
    operations[OrderAction.ADD_TRACKING_EVENT](shipped)  # offered, so accepted


def test_refundable_quantity_follows_requests_rejections_and_refunds(db, buyer, sandbox_url):
    sku = make_product(db, prices=(2000,), stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 3)]), sandbox_url)
    line_id = order.lines[0].id
    asked = refund(db, order, [(line_id, 1)], approve=False)
    assert lines(db, order) == [(0, [])]  # one open request per line: nothing more until it is decided
    assert order_detail(db, order.id, viewer=Shopper.of(buyer)).open_refunds == 1

    reject_refund(db, actor=SUPPORT, refund_id=asked.id, reason="请先寄回商品")
    assert lines(db, order) == [(3, ["request_refund"])]  # a rejection gives the units back

    refund(db, order, [(line_id, 2)])
    view = order_detail(db, order.id, viewer=Shopper.of(buyer))
    assert [(ln.refunded_quantity, ln.refunded_fen, ln.refundable_quantity) for ln in view.lines] == [(2, 4000, 1)]
    assert view.open_refunds == 0 and "request_refund" in view.actions

    refund(db, order, [(line_id, 1)], approve=False)
    view = order_detail(db, order.id, viewer=Shopper.of(buyer))
    assert [(ln.refundable_quantity, list(ln.actions)) for ln in view.lines] == [(0, [])]
    assert list(view.actions) == []  # paid, but every unit is asked back already
    with refused(RefundError.REFUND_EXCEEDS_PURCHASE):
        refund(db, order, [(line_id, 1)], approve=False)


def test_refund_actions_by_state_and_role(db, buyer, sandbox_url):
    sku = make_product(db, stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)
    asked = refund(db, order, [(order.lines[0].id, 1)], approve=False)
    assert list(refund_detail(db, asked.id, viewer=SUPPORT).actions) == [RefundAction.REJECT, RefundAction.APPROVE]
    assert list(refund_detail(db, asked.id, viewer=Shopper.of(buyer)).actions) == []
    with refused(CommonError.FORBIDDEN, status=403):
        refund_list(db, viewer=OPERATOR)
    # the operator still reads the order's refunds with the order, and may decide none of them
    [seen] = order_detail(db, order.id, viewer=OPERATOR).refunds
    assert (seen.id, seen.amount_fen, list(seen.actions)) == (asked.id, asked.amount_fen, [])

    httpx.post(sandbox_url + "control/fail-next", json={"kind": "refund", "code": "SYSTEMERROR"})
    approve_refund(db, actor=SUPPORT, refund_id=asked.id, wechat=get_wechat())
    failed = refund_detail(db, asked.id, viewer=SUPPORT)
    assert (failed.status, list(failed.actions)) == ("approved", ["reject", "retry"]) and failed.failure

    approve_refund(db, actor=SUPPORT, refund_id=asked.id, wechat=get_wechat())
    assert list(refund_detail(db, asked.id, viewer=SUPPORT).actions) == []
    with refused(RefundError.REFUND_NOT_PENDING, status=409):
        reject_refund(db, actor=SUPPORT, refund_id=asked.id, reason="已退款")


def test_the_receiver_is_disclosed_by_role(db, buyer, sandbox_url):
    sku = make_product(db).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)  # the builders' address: 张三 13800138000
    seen = {name: order_detail(db, order.id, viewer=viewer) for name, viewer in
            [("buyer", Shopper.of(buyer)), ("operator", OPERATOR), ("support", SUPPORT)]}
    assert {k: (v.receiver_name, v.receiver_phone) for k, v in seen.items()} == {
        "buyer": ("张三", "13800138000"), "operator": ("张三", "13800138000"), "support": ("张三", "138****8000")}
    [listed] = order_list(db, viewer=SUPPORT, order_no=order.order_no)[0]
    assert listed.receiver_phone == "138****8000"
    assert seen["support"].receiver_address == "广东省深圳市南山区科技园科苑路 15 号"


def test_a_page_of_orders_loads_in_the_same_number_of_queries_whatever_its_length(db, sandbox_url):
    sku = make_product(db, stock=50).skus[0]

    def shipped_order_with_a_refund(buyer):
        order = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)
        ship(db, order)
        refund(db, order, [(order.lines[0].id, 1)], approve=False)
        return order

    one = shipped_order_with_a_refund(make_user(db))
    ids = {one.id, *(shipped_order_with_a_refund(make_user(db)).id for _ in range(4))}
    one_no = one.order_no
    # Each listing in a transaction of its own, as each request is: the settings are read once per transaction
    # (domain/settings/service.py), so a second listing in the same one would not read them again.
    db.commit()
    db.expire_all()
    db.connection()  # the next transaction begun (here a savepoint) before counting
    with statements_sent(db.get_bind().engine) as for_one:
        [view] = order_list(db, viewer=SUPPORT, order_no=one_no)[0]
    db.commit()
    db.expire_all()
    db.connection()  # the next transaction begun (here a savepoint) before counting
    with statements_sent(db.get_bind().engine) as for_five:
        page, total = order_list(db, viewer=SUPPORT, page_size=5)
    assert total == 5 and {v.id for v in page} == ids
    assert len(for_five) == len(for_one) <= 10
    assert all(v.open_refunds == 1 and v.shipment.events for v in page)
    assert view.lines[0].refundable_quantity == 0  # 2 bought, 1 asked back: the open request holds the line
