"""Money that arrives for an order already cancelled goes back to the shopper; a refund WeChat refuses is kept with
its error, retried with backoff, shown to staff and never left ``orphaned`` silently (docs/state-machines.md)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from domain import clock
from domain.db import unit_of_work
from domain.errors import CommonError
from domain.jobs import run_job
from domain.models import AuditEntry, Order, OrderStatus, Payment, PaymentStatus, Sku
from domain.orders.lifecycle import cancel_orders, lock_order
from domain.payments.errors import PaymentError
from domain.payments.service import handle_payment_notification
from domain.payments.stray_refunds import (
    retry_due_stray_refunds,
    retry_stray_refund,
    stray_payments,
    stray_refund_no,
)
from domain.security.actor import Actor
from domain.security.roles import Role
from domain.staff.work_queues import work_queues
from domain.wechat import get_wechat
from tests.builders import make_product, make_user, paid_at_wechat, place
from tests.refusals import refused

SUPPORT = Actor(staff_id=None, username="support", role=Role.SUPPORT)
OPERATOR = Actor(staff_id=None, username="operator", role=Role.OPERATOR)


def fail_next_refund(sandbox_url: str) -> None:
    httpx.post(sandbox_url + "control/fail-next", json={"kind": "refund", "code": "SYSTEMERROR"}).raise_for_status()


def refunds_at_wechat(sandbox_url: str, out_refund_no: str) -> list[dict]:
    items = httpx.get(sandbox_url + "records", params={"kind": "refund"}).json()["items"]
    return [r for r in items if r["out_refund_no"] == out_refund_no]


def paid_after_cancelling(db, sandbox_url, *, refund_fails: bool) -> Payment:
    """The shopper pays at WeChat while the order is being cancelled here; the notification arrives after."""
    buyer = make_user(db)
    order = place(db, buyer, [(make_product(db, prices=(9900,), stock=5).skus[0].id, 1)])
    body, headers = paid_at_wechat(db, order, sandbox_url)
    cancel_orders(db, [lock_order(db, order.id)], reason="timeout")
    if refund_fails:
        fail_next_refund(sandbox_url)
    handle_payment_notification(db, wechat=get_wechat(), body=body, headers=headers)
    return db.scalar(select(Payment).where(Payment.order_id == order.id))


def test_a_failed_automatic_refund_is_recorded_shown_to_staff_and_retried_with_backoff(db, sandbox_url):
    clock.freeze(clock.now())
    payment = paid_after_cancelling(db, sandbox_url, refund_fails=True)
    assert db.get(Order, payment.order_id).status == OrderStatus.CANCELLED
    assert (payment.status, payment.amount_fen, payment.refund_attempts) == (PaymentStatus.ORPHANED, 9900, 1)
    assert payment.refund_error  # WeChat's refusal, for staff to read
    assert payment.refund_retry_at == payment.paid_at + timedelta(minutes=5)
    assert work_queues(db).stray_payments == 1
    [shown] = stray_payments(db, viewer=SUPPORT)
    assert (shown.order_no, shown.amount_fen, shown.refund_attempts, shown.refund_error) == (
        payment.out_trade_no, 9900, 1, payment.refund_error)

    assert retry_due_stray_refunds(db, wechat=get_wechat()) == (0, 0)  # not due yet
    with clock.travel(timedelta(minutes=6)):
        fail_next_refund(sandbox_url)
        assert retry_due_stray_refunds(db, wechat=get_wechat()) == (1, 0)
        assert payment.refund_attempts == 2
        assert payment.refund_retry_at == clock.now() + timedelta(minutes=10)  # twice as long each time
    with clock.travel(timedelta(minutes=17)):
        assert retry_due_stray_refunds(db, wechat=get_wechat()) == (1, 1)
    assert (payment.status, payment.refund_error, payment.refund_retry_at) == (PaymentStatus.REFUNDED, "", None)
    [at_wechat] = refunds_at_wechat(sandbox_url, stray_refund_no(payment.out_trade_no))
    assert at_wechat["refund_fee"] == 9900
    assert work_queues(db).stray_payments == 0 and stray_payments(db, viewer=SUPPORT) == []


def test_the_wait_grows_to_at_most_six_hours(db, sandbox_url):
    payment = paid_after_cancelling(db, sandbox_url, refund_fails=True)
    waits = []
    for _ in range(9):
        with clock.travel(payment.refund_retry_at - clock.now() + timedelta(seconds=1)):
            fail_next_refund(sandbox_url)
            before = clock.now()
            retry_due_stray_refunds(db, wechat=get_wechat())
            waits.append(payment.refund_retry_at - before)
    assert [round(w.total_seconds() / 60) for w in waits] == [10, 20, 40, 80, 160, 320, 360, 360, 360]
    assert payment.status == PaymentStatus.ORPHANED and payment.refund_attempts == 10


def test_a_refund_that_goes_through_at_once_leaves_nothing_for_staff(db, sandbox_url):
    payment = paid_after_cancelling(db, sandbox_url, refund_fails=False)
    assert (payment.status, payment.refund_attempts, payment.refund_retry_at) == (PaymentStatus.REFUNDED, 1, None)
    assert work_queues(db).stray_payments == 0


def test_staff_who_handle_refunds_may_retry_one_now_and_it_is_audited(db, sandbox_url):
    payment = paid_after_cancelling(db, sandbox_url, refund_fails=True)
    with refused(CommonError.FORBIDDEN, status=403):
        retry_stray_refund(db, actor=OPERATOR, payment_id=payment.id, wechat=get_wechat())
    with refused(CommonError.FORBIDDEN, status=403):
        stray_payments(db, viewer=OPERATOR)
    done = retry_stray_refund(db, actor=SUPPORT, payment_id=payment.id, wechat=get_wechat())
    assert (done.status, done.refund_attempts) == (PaymentStatus.REFUNDED, 2)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "payment.refund_retry"))
    assert (entry.actor, entry.entity_id, entry.after["refunded"]) == ("support", str(payment.id), True)
    with refused(PaymentError.NOTHING_TO_REFUND, status=409):
        retry_stray_refund(db, actor=SUPPORT, payment_id=payment.id, wechat=get_wechat())
    with refused(PaymentError.PAYMENT_NOT_FOUND, status=404):
        retry_stray_refund(db, actor=SUPPORT, payment_id=payment.id + 1000, wechat=get_wechat())


def test_the_reconcile_payments_job_retries_the_refunds_that_are_due(committed, sandbox_url):
    with unit_of_work(committed) as s:
        payment = paid_after_cancelling(s, sandbox_url, refund_fails=True)
        payment_id, sku_id = payment.id, s.get(Order, payment.order_id).lines[0].sku_id
    assert run_job("reconcile-payments") == 0  # not due yet
    with clock.travel(timedelta(minutes=6)):
        assert run_job("reconcile-payments") == 1
    with unit_of_work(committed) as s:
        assert s.get(Payment, payment_id).status == PaymentStatus.REFUNDED
        assert s.get(Sku, sku_id).stock == 5  # the cancelled order's unit went back when it was cancelled


@pytest.mark.parametrize("status", [PaymentStatus.CAPTURED, PaymentStatus.REFUNDED])
def test_only_orphaned_payments_are_retried(db, sandbox_url, status):
    payment = paid_after_cancelling(db, sandbox_url, refund_fails=True)
    payment.status = status
    db.flush()
    with clock.travel(timedelta(hours=1)):
        assert retry_due_stray_refunds(db, wechat=get_wechat()) == (0, 0)
