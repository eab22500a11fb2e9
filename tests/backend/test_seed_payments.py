"""The demo data pays its orders through the WeChat sandbox, so the refund it leaves waiting can be approved."""

from __future__ import annotations

from sqlalchemy import select

from backend.seed import seed_base, seed_demo
from domain.db import unit_of_work
from domain.models import Payment, Refund, RefundStatus
from domain.orders.refunds import approve_refund
from domain.security.actor import SYSTEM
from domain.wechat import get_wechat
from domain.wechat.pay_types import TradeState


def test_the_seeded_refund_can_be_approved_because_the_sandbox_knows_the_payments(committed, sandbox_url):
    with unit_of_work(committed) as session:
        seed_base(session)
        lines = seed_demo(session)
    assert "demo payments registered with the WeChat sandbox: 7" in lines

    with unit_of_work(committed) as session:
        payments = session.scalars(select(Payment)).all()
        assert len(payments) == 7
        for payment in payments:
            answer = get_wechat().query_order(payment.out_trade_no)
            assert (answer.state, answer.payment.transaction_id) == (TradeState.PAID, payment.transaction_id)
        [waiting] = session.scalars(select(Refund).where(Refund.status == RefundStatus.REQUESTED)).all()
        done = approve_refund(session, actor=SYSTEM, refund_id=waiting.id, wechat=get_wechat())
        assert (done.status, done.failure) == (RefundStatus.REFUNDED, "")
