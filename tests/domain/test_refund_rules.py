"""The after-sale rules (docs/state-machines.md, "Refund requests"): one open request per order line until support
decides it, and no request ``after_sale_days`` after completion. The allowed actions say the same as the refusals."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from domain import clock
from domain.models import RefundStatus
from domain.orders.actions import OrderAction, order_refusal
from domain.orders.errors import RefundError
from domain.orders.queries import get_order, order_detail, order_list
from domain.orders.refunds import RefundItem, approve_refund, reject_refund, request_refund
from domain.security.actor import SYSTEM, Shopper
from domain.settings.service import get_settings, update_settings
from domain.wechat import get_wechat
from tests.builders import complete, make_product, make_user, pay, place, refund
from tests.refusals import refused


@pytest.fixture
def buyer(db):
    return make_user(db, "rules_buyer")


def ask(db, buyer, order, line_id: int, quantity: int = 1):
    return request_refund(db, user=buyer, order_id=order.id, items=[RefundItem(line_id, quantity)], reason="不合适")


def offered(db, order, buyer) -> tuple[list[str], list[tuple[int, list[str]]]]:
    view = order_detail(db, order.id, viewer=Shopper.of(buyer))
    return list(view.actions), [(ln.refundable_quantity, list(ln.actions)) for ln in view.lines]


def test_a_line_with_an_open_request_takes_no_second_one_until_it_is_decided(db, buyer, sandbox_url):
    a, b = make_product(db, prices=(3000, 4000), stock=10).skus
    order = pay(db, place(db, buyer, [(a.id, 3), (b.id, 1)]), sandbox_url)
    tee, mug = order.lines
    first = ask(db, buyer, order, tee.id)
    assert offered(db, order, buyer) == (["request_refund"], [(0, []), (1, ["request_refund"])])
    with refused(RefundError.REFUND_IN_PROGRESS, status=409):
        ask(db, buyer, order, tee.id)
    ask(db, buyer, order, mug.id)  # the other line is free
    assert offered(db, order, buyer) == ([], [(0, []), (0, [])])

    reject_refund(db, actor=SYSTEM, refund_id=first.id, reason="请先寄回商品")
    assert offered(db, order, buyer)[1][0] == (3, ["request_refund"])  # decided: the line is free again
    second = ask(db, buyer, order, tee.id, 2)

    httpx.post(sandbox_url + "control/fail-next", json={"kind": "refund", "code": "SYSTEMERROR"})
    approve_refund(db, actor=SYSTEM, refund_id=second.id, wechat=get_wechat())
    assert second.status == RefundStatus.APPROVED  # approved, but WeChat has not refunded: still open
    with refused(RefundError.REFUND_IN_PROGRESS, status=409):
        ask(db, buyer, order, tee.id)
    approve_refund(db, actor=SYSTEM, refund_id=second.id, wechat=get_wechat())
    assert second.status == RefundStatus.REFUNDED
    assert offered(db, order, buyer)[1][0] == (1, ["request_refund"])
    assert ask(db, buyer, order, tee.id).amount_fen == 9000 - 6000  # the last unit takes what is left


def test_asking_for_more_than_is_left_is_still_refund_exceeds_purchase(db, buyer, sandbox_url):
    sku = make_product(db, stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)
    ask(db, buyer, order, order.lines[0].id)
    with refused(RefundError.REFUND_EXCEEDS_PURCHASE):
        ask(db, buyer, order, order.lines[0].id, 2)


def test_requests_are_refused_after_sale_days_after_completion(db, buyer, sandbox_url):
    assert get_settings(db).after_sale_days == 7
    sku = make_product(db, prices=(5000,), stock=10).skus[0]
    order = complete(db, pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url))
    line_id = order.lines[0].id
    with clock.travel(timedelta(days=6, hours=23)):
        assert offered(db, order, buyer) == (["request_refund", "view_logistics"], [(2, ["request_refund"])])
        assert order_refusal(get_order(db, order.id), OrderAction.REQUEST_REFUND,
                             after_sale_deadline=order.completed_at + timedelta(days=7)) is None
    with clock.travel(timedelta(days=7, minutes=1)):
        assert offered(db, order, buyer) == (["view_logistics"], [(0, [])])
        with refused(RefundError.AFTER_SALE_EXPIRED, status=409):
            ask(db, buyer, order, line_id)
        update_settings(db, {"after_sale_days": 30})  # a longer after-sale period applies at once
        assert ask(db, buyer, order, line_id).amount_fen == 5000


def test_the_after_sale_period_runs_from_completion_not_from_payment(db, buyer, sandbox_url):
    update_settings(db, {"after_sale_days": 0})
    sku = make_product(db, prices=(5000,), stock=10).skus[0]
    paid = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    done = complete(db, pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url))
    with clock.travel(timedelta(days=40)):
        assert refund(db, paid, [(paid.lines[0].id, 1)], approve=False).goods_fen == 5000  # not completed yet
        with refused(RefundError.AFTER_SALE_EXPIRED):
            ask(db, buyer, done, done.lines[0].id)


def test_order_search_takes_percent_and_underscore_as_characters(db, buyer):
    sku = make_product(db, stock=10).skus[0]
    orders = [place(db, buyer, [(sku.id, 1)]) for _ in range(3)]
    assert order_list(db, viewer=SYSTEM, order_no="%") == ([], 0)
    assert order_list(db, viewer=SYSTEM, order_no="_")[1] == 0
    assert order_list(db, viewer=SYSTEM, order_no=orders[1].order_no[:-1] + "_")[1] == 0
    [found], total = order_list(db, viewer=SYSTEM, order_no=orders[1].order_no[-6:])
    assert (found.id, total) == (orders[1].id, 1)
