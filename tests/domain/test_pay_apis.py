"""The one Pay gateway on each API: order query and close, refunds and their notifications, answer the same way
whether v3 (wechatpayv3) or v2 (wechatpy) carries them."""

from __future__ import annotations

import httpx

from backend.sandbox import pay_v3, v2
from domain.config import get_config
from domain.models import OrderStatus, RefundStatus
from domain.orders.refunds import handle_refund_notification
from domain.payments.service import start_payment
from domain.wechat import get_wechat
from domain.wechat.pay_types import TradeState
from tests.builders import make_product, make_user, pay, place, refund


def test_query_and_close_answer_in_the_domains_words(db, sandbox_url, pay_api):
    buyer = make_user(db, f"query_{pay_api}")
    sku = make_product(db, prices=(4500,)).skus[0]
    unknown = get_wechat().query_order("NO-SUCH-ORDER")
    assert (unknown.state, unknown.payment) == (TradeState.NOT_FOUND, None)
    order = place(db, buyer, [(sku.id, 1)])
    start_payment(db, user=buyer, order_id=order.id, wechat=get_wechat())
    assert get_wechat().query_order(order.order_no).state == TradeState.NOT_PAID
    httpx.post(sandbox_url + "pay/confirm", json={"out_trade_no": order.order_no, "deliver": False})
    paid = get_wechat().query_order(order.order_no)
    assert (paid.state, paid.payment.amount_fen, paid.payment.out_trade_no) == (
        TradeState.PAID, order.payable_fen, order.order_no)
    assert get_wechat().close_order(order.order_no) is False  # paid: it cannot be closed

    other = place(db, buyer, [(sku.id, 1)])
    start_payment(db, user=buyer, order_id=other.id, wechat=get_wechat())
    assert get_wechat().close_order(other.order_no) is True
    assert get_wechat().query_order(other.order_no).state == TradeState.CLOSED


def test_a_refund_goes_back_through_wechat_and_its_notification_is_verified(db, sandbox_url, pay_api):
    buyer = make_user(db, f"refund_{pay_api}")
    sku = make_product(db, prices=(3000,)).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)
    assert order.status == OrderStatus.PAID
    r = refund(db, order, [(order.lines[0].id, 1)])
    assert (r.status, r.amount_fen, bool(r.wechat_refund_id)) == (RefundStatus.REFUNDED, 3000, True)
    [sent] = [x for x in httpx.get(sandbox_url + "records", params={"kind": "refund"}).json()["items"]
              if x["out_refund_no"] == r.refund_no]
    assert (sent["refund_fee"], sent["total_fee"], sent["refund_id"]) == (3000, order.payable_fen, r.wechat_refund_id)
    # WeChat's notification of the same refund, as the API in use sends it, verifies and changes nothing more.
    if pay_api == "v3":
        body, headers = pay_v3.refund_notification(get_config(), sent)
    else:
        body, headers = v2.refund_notification(get_config(), sent).encode(), {}
    again = handle_refund_notification(db, wechat=get_wechat(), body=body, headers=headers)
    assert (again.id, again.status) == (r.id, RefundStatus.REFUNDED)
    db.refresh(order)
    assert order.refunded_fen == 3000
