"""Payments WeChat has and the shop never heard of (docs/state-machines.md, "Orders"): ``close-unpaid`` asks WeChat
before it cancels, ``reconcile-payments`` asks for recent orders, and no batch of such orders holds up the rest."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain import clock
from domain.db import unit_of_work
from domain.errors import ExternalServiceError
from domain.jobs import get_job, run_job
from domain.models import CommissionRecord, Order, OrderStatus, Payment, PaymentStatus, Product, Sku
from domain.payments.reconciliation import close_expired_unpaid, reconcile_recent_payments
from domain.security.roles import Permission
from domain.wechat import get_wechat
from domain.wechat.errors import WeChatError
from domain.wechat.pay_types import TradeState
from tests.builders import approve_distributor, make_address, make_product, make_user, paid_at_wechat, place


@pytest.fixture
def chain(db):
    """A invites B, B invites C; A and B are approved distributors."""
    a = make_user(db)
    b = make_user(db, inviter=a)
    c = make_user(db, inviter=b)
    approve_distributor(db, a)
    approve_distributor(db, b)
    return a, b, c


class WeChatAnswering:
    """The sandbox's gateway, except for the order numbers named: WeChat cannot be reached for them, or reports a
    payment of another amount."""

    def __init__(self, *, unreachable: set[str] = frozenset(), other_amount: set[str] = frozenset()) -> None:
        self.real, self.unreachable, self.other_amount = get_wechat(), unreachable, other_amount

    def query_order(self, out_trade_no: str):
        if out_trade_no in self.unreachable:
            raise ExternalServiceError(WeChatError.WECHAT_UNAVAILABLE, "微信服务暂时不可用")
        answer = self.real.query_order(out_trade_no)
        if out_trade_no in self.other_amount:
            return replace(answer, payment=replace(answer.payment, amount_fen=answer.payment.amount_fen + 1))
        return answer

    def __getattr__(self, name):
        return getattr(self.real, name)


def stock_of(db, sku_id: int) -> int:
    db.expire_all()
    return db.get(Sku, sku_id).stock


def test_close_unpaid_marks_an_order_paid_at_wechat_paid_with_its_commissions_and_closes_the_rest(
        db, chain, sandbox_url):
    _, _, c = chain
    sku = make_product(db, prices=(10000,), stock=10).skus[0]
    paid_there = place(db, c, [(sku.id, 2)])
    paid_at_wechat(db, paid_there, sandbox_url)  # the notification is lost
    waiting_there = place(db, c, [(sku.id, 3)])
    get_wechat().unified_order(out_trade_no=waiting_there.order_no, amount_fen=waiting_there.payable_fen, body="x",
                               openid=c.openid, notify_url="http://127.0.0.1:9/")
    waiting_there.prepay_id = "sent"
    never_sent = place(db, c, [(sku.id, 1)])
    assert stock_of(db, sku.id) == 4

    with clock.travel(timedelta(minutes=31)):
        batch = close_expired_unpaid(db, wechat=get_wechat(), timeout_minutes=30)
    assert (batch.paid, batch.cancelled, batch.left) == (1, 2, 0)
    db.expire_all()
    assert db.get(Order, paid_there.id).status == OrderStatus.PAID
    payment = db.scalar(select(Payment).where(Payment.order_id == paid_there.id))
    assert (payment.status, payment.amount_fen) == (PaymentStatus.CAPTURED, 20000)
    assert payment.transaction_id == get_wechat().query_order(paid_there.order_no).payment.transaction_id
    commissions = db.scalars(select(CommissionRecord.amount_fen).where(CommissionRecord.order_id == paid_there.id))
    assert sorted(commissions) == [1000, 2000]  # level 2 at 500 bp, level 1 at 1000 bp of 20000
    assert db.get(Product, sku.product_id).sales == 2
    for order in (waiting_there, never_sent):
        assert (db.get(Order, order.id).status, db.get(Order, order.id).cancel_reason) == ("cancelled", "timeout")
    assert get_wechat().query_order(waiting_there.order_no).state == TradeState.CLOSED  # no money can come now
    assert stock_of(db, sku.id) == 8  # the paid order keeps its 2 units


def test_a_wechat_error_or_another_amount_leaves_that_order_and_the_batch_goes_on(db, sandbox_url):
    buyer = make_user(db)
    sku = make_product(db, prices=(5000,), stock=10).skus[0]
    unreachable, mismatched, abandoned = (place(db, buyer, [(sku.id, 1)]) for _ in range(3))
    for order in (unreachable, mismatched):
        paid_at_wechat(db, order, sandbox_url)
    wechat = WeChatAnswering(unreachable={unreachable.order_no}, other_amount={mismatched.order_no})

    with clock.travel(timedelta(minutes=31)):
        first = close_expired_unpaid(db, wechat=wechat, timeout_minutes=30, limit=2)
        rest = close_expired_unpaid(db, wechat=wechat, timeout_minutes=30, after_id=first.last_id, limit=2)
        done = close_expired_unpaid(db, wechat=wechat, timeout_minutes=30, after_id=rest.last_id, limit=2)
    assert (first.paid, first.cancelled, first.left, first.last_id) == (0, 0, 2, mismatched.id)
    assert (rest.cancelled, rest.last_id) == (1, abandoned.id)  # the next batch moved past the two left behind
    assert done.looked_at == 0
    db.expire_all()
    assert [db.get(Order, o.id).status for o in (unreachable, mismatched, abandoned)] == [
        "pending_payment", "pending_payment", "cancelled"]
    assert db.scalar(select(func.count()).select_from(Payment)) == 0  # the other amount was refused, not recorded
    assert stock_of(db, sku.id) == 8


def test_reconcile_finds_a_lost_payment_before_the_timeout_and_leaves_orders_still_waiting(db, sandbox_url):
    buyer = make_user(db)
    sku = make_product(db, prices=(5000,), stock=10).skus[0]
    lost = place(db, buyer, [(sku.id, 1)])
    paid_at_wechat(db, lost, sandbox_url)
    waiting = place(db, buyer, [(sku.id, 1)])
    get_wechat().unified_order(out_trade_no=waiting.order_no, amount_fen=waiting.payable_fen, body="x",
                               openid=buyer.openid, notify_url="http://127.0.0.1:9/")
    waiting.prepay_id = "sent"
    with clock.travel(timedelta(minutes=1)):  # the notification may still be on its way: too early to ask
        assert reconcile_recent_payments(db, wechat=get_wechat(), timeout_minutes=30).looked_at == 0
    with clock.travel(timedelta(minutes=5)):
        batch = reconcile_recent_payments(db, wechat=get_wechat(), timeout_minutes=30)
    assert (batch.paid, batch.left) == (1, 1)
    db.expire_all()
    assert db.get(Order, lost.id).status == OrderStatus.PAID
    assert db.get(Order, waiting.id).status == OrderStatus.PENDING_PAYMENT  # the shopper may still pay
    assert get_wechat().query_order(waiting.order_no).state == TradeState.NOT_PAID
    with clock.travel(timedelta(minutes=31)):  # past the timeout it is close-unpaid's
        assert reconcile_recent_payments(db, wechat=get_wechat(), timeout_minutes=30).looked_at == 0


def test_reconcile_payments_is_a_job_with_its_interval_and_permission():
    job = get_job("reconcile-payments")
    assert (job.every, job.permission) == (timedelta(minutes=5), Permission.ORDERS_MANAGE)


def test_close_unpaid_never_starves_behind_more_orders_paid_but_never_notified_than_a_batch(
        committed, sandbox_url):
    """The review's finding: with a batch's worth of such orders first, the job processed 0 and an abandoned
    order kept its stock for ever."""
    n = 101  # more than the old batch of 100, and two of today's batches of 50
    with unit_of_work(committed) as s:
        buyer = make_user(s, "starving")
        address = make_address(s, buyer)
        sku_id = make_product(s, prices=(1000,), stock=200).skus[0].id
        orders = [place(s, buyer, [(sku_id, 1)], address=address) for _ in range(n)]
        for order in orders:
            paid_at_wechat(s, order, sandbox_url)
        abandoned = place(s, buyer, [(sku_id, 5)], address=address).id
        paid_ids = [o.id for o in orders]

    with clock.travel(timedelta(minutes=31)):
        assert run_job("close-unpaid") == n + 1
        assert run_job("close-unpaid") == 0
    with unit_of_work(committed) as s:
        statuses = dict(s.execute(select(Order.id, Order.status)).all())
        assert {statuses[i] for i in paid_ids} == {OrderStatus.PAID}
        assert statuses[abandoned] == OrderStatus.CANCELLED
        assert s.scalar(select(func.count()).select_from(Payment)) == n
        assert s.get(Sku, sku_id).stock == 200 - n  # the abandoned order's 5 units are back


def test_a_v2_answer_saying_paid_under_another_key_pays_nothing(db, sandbox_url, pay_v2):
    """APIv2 signs its answers with the merchant's key: an order query answered "paid" under any other signature is
    refused (``invalid_signature``), and reconciling leaves the order waiting, with no payment and no commission."""
    import httpx

    from tests.refusals import refused

    buyer = make_user(db)
    sku = make_product(db, prices=(5000,), stock=10).skus[0]
    waiting = place(db, buyer, [(sku.id, 1)])
    get_wechat().unified_order(out_trade_no=waiting.order_no, amount_fen=waiting.payable_fen, body="x",
                               openid=buyer.openid, notify_url="http://127.0.0.1:9/")
    waiting.prepay_id = "sent"

    def forge_next_query():
        httpx.post(sandbox_url + "control/fail-next", json={"kind": "query", "code": "FORGED"}).raise_for_status()

    forge_next_query()
    with refused(WeChatError.INVALID_SIGNATURE):
        get_wechat().query_order(waiting.order_no)
    assert get_wechat().query_order(waiting.order_no).state == TradeState.NOT_PAID  # the genuine answer
    forge_next_query()
    with clock.travel(timedelta(minutes=5)):
        batch = reconcile_recent_payments(db, wechat=get_wechat(), timeout_minutes=30)
    assert (batch.paid, batch.left) == (0, 1)
    db.expire_all()
    assert db.get(Order, waiting.id).status == OrderStatus.PENDING_PAYMENT
    assert db.scalar(select(func.count()).select_from(Payment)) == 0
    assert db.scalar(select(func.count()).select_from(CommissionRecord)) == 0
