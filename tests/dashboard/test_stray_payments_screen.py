"""Payments for cancelled orders whose automatic refund failed: a queue on the overview, and a table with WeChat's
error on the refunds screen, where support may retry one at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard import state
from domain.db import unit_of_work
from domain.models import Payment, PaymentStatus
from domain.orders.lifecycle import cancel_orders, lock_order
from domain.payments.service import handle_payment_notification
from domain.wechat import get_wechat
from tests.builders import make_product, make_user, paid_at_wechat, place
from tests.dashboard.conftest import fail_next, sandbox_records, table, texts

HOME, REFUNDS = "views/home.py", "views/refunds.py"


@pytest.fixture
def stray(committed, sandbox_url) -> tuple[int, str]:
    """¥99.00 paid at WeChat for an order cancelled here meanwhile; WeChat refused the automatic refund."""
    with unit_of_work(committed) as session:
        order = place(session, make_user(session), [(make_product(session, prices=(9900,), stock=3).skus[0].id, 1)])
        body, headers = paid_at_wechat(session, order, sandbox_url)
        cancel_orders(session, [lock_order(session, order.id)], reason="timeout")
        fail_next(sandbox_url, "refund")
        handle_payment_notification(session, wechat=get_wechat(), body=body, headers=headers)
        payment = session.scalar(select(Payment).where(Payment.order_id == order.id))
        assert payment.status == PaymentStatus.ORPHANED
        return payment.id, order.order_no


def test_the_overview_shows_stray_payments_to_whoever_handles_refunds(stray, open_as):
    at = open_as("support", HOME)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已取消订单的收款（未退回）"] == "1"
    assert metrics["退货已寄回待收货"] == "0"  # the same role's other queues beside it
    assert "1 笔自动退款未成功，系统正在重试" in texts(at, "warning")
    at = open_as("operator", HOME)
    assert "已取消订单的收款（未退回）" not in {m.label for m in at.metric}


def test_the_refunds_screen_lists_them_with_the_error_and_retries_one(committed, stray, open_as, sandbox_url):
    payment_id, order_no = stray
    at = open_as("support", REFUNDS)
    [row] = table(at, "微信错误")
    assert (row["订单号"], row["金额"], row["已尝试"]) == (order_no, "¥99.00", 1)
    assert "SYSTEMERROR" in row["微信错误"] and row["下次重试"]

    at.button(key=f"{state.REFUNDS_STRAY_SELECT}.retry").click().run()
    assert f"订单 {order_no} 的 ¥99.00 已退回买家。" in texts(at, "success")
    with unit_of_work(committed) as session:
        assert session.get(Payment, payment_id).status == PaymentStatus.REFUNDED
    assert [r["refund_fee"] for r in sandbox_records(sandbox_url, "refund") if r["out_refund_no"] == f"X{order_no}"] \
        == [9900]
    assert all("微信错误" not in frame.value.columns for frame in at.dataframe)  # nothing left to show
