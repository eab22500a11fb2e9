"""Money that arrives for an order already cancelled goes straight back to the shopper (docs/state-machines.md,
"Orders"). When WeChat refuses or cannot be reached, the payment stays ``orphaned`` with WeChat's error, and the
``reconcile-payments`` job tries again with backoff — 5 minutes, then twice as long each time, at most 6 hours
apart — until WeChat accepts. Staff see these payments on the overview and the refunds screen, and may retry one
at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import clock
from domain.audit.service import record_action
from domain.errors import Conflict, DomainError, NotFound
from domain.models import Payment, PaymentStatus
from domain.payments.errors import PaymentError
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.wechat.gateway import WeChatGateway

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)
REASON = "订单已取消，自动退款"
STAFF_PERMISSION = Permission.REFUNDS  # whoever decides refunds sees and retries these


@dataclass(frozen=True)
class StrayPaymentView:
    """A payment for a cancelled order that is not back with the shopper yet, as staff see it."""

    id: int
    order_id: int
    order_no: str
    status: str  # orphaned, or refunded once WeChat took the refund
    amount_fen: int
    received_at: datetime
    refund_attempts: int
    refund_error: str  # WeChat's last refusal
    refund_retry_at: datetime | None  # when the job tries again


def stray_refund_no(out_trade_no: str) -> str:
    """The refund number of an orphaned payment: the same for every try, so WeChat never refunds it twice."""
    return f"X{out_trade_no}"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th try failed."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 16), LONGEST_WAIT)


def refund_stray_payment(*, payment: Payment, wechat: WeChatGateway) -> bool:
    """One try at giving an orphaned payment back (the caller holds its row and flushes). True when WeChat
    accepted; otherwise the error and the next try are written on the payment."""
    payment.refund_attempts = (payment.refund_attempts or 0) + 1
    try:
        wechat.refund(out_trade_no=payment.out_trade_no, out_refund_no=stray_refund_no(payment.out_trade_no),
                      total_fen=payment.amount_fen, refund_fen=payment.amount_fen, reason=REASON)
    except DomainError as exc:
        log.error("automatic refund of the payment for cancelled order %s failed (try %d): %s",
                  payment.out_trade_no, payment.refund_attempts, exc)
        payment.refund_error = exc.message[:200]
        payment.refund_retry_at = clock.now() + retry_delay(payment.refund_attempts)
        return False
    payment.status, payment.refund_error, payment.refund_retry_at = PaymentStatus.REFUNDED, "", None
    return True


def retry_due_stray_refunds(session: Session, *, wechat: WeChatGateway, limit: int = 50) -> tuple[int, int]:
    """One batch of the job: the orphaned payments whose next try is due, claimed with SKIP LOCKED. Each one is
    either refunded or given a later try, so the next batch never sees it again. Returns (tried, refunded)."""
    due = list(session.scalars(
        select(Payment).where(Payment.status == PaymentStatus.ORPHANED, Payment.refund_retry_at <= clock.now())
        .order_by(Payment.refund_retry_at, Payment.id).limit(limit).with_for_update(skip_locked=True)
    ))
    refunded = sum(refund_stray_payment(payment=p, wechat=wechat) for p in due)
    session.flush()
    return len(due), refunded


def retry_stray_refund(session: Session, *, actor: Actor, payment_id: int, wechat: WeChatGateway) -> Payment:
    """Staff try an orphaned payment's refund now, instead of waiting for the job (audited)."""
    actor.require(STAFF_PERMISSION)
    payment = session.scalar(select(Payment).where(Payment.id == payment_id).with_for_update()
                             .execution_options(populate_existing=True))
    if payment is None:
        raise NotFound(PaymentError.PAYMENT_NOT_FOUND, "款项不存在")
    if payment.status != PaymentStatus.ORPHANED:
        raise Conflict(PaymentError.NOTHING_TO_REFUND, "这笔款项无需退回")
    refunded = refund_stray_payment(payment=payment, wechat=wechat)
    session.flush()
    record_action(session, actor=actor, action="payment.refund_retry", entity_type="payment", entity_id=payment.id,
                  before={"status": PaymentStatus.ORPHANED},
                  after={"status": payment.status, "refunded": refunded, "error": payment.refund_error})
    return payment


def stray_payments(session: Session, *, viewer: Actor, limit: int = 100) -> list[StrayPaymentView]:
    """Orphaned payments, the oldest first: money that is the shopper's and not yet back with them."""
    viewer.require(STAFF_PERMISSION)
    rows = session.scalars(select(Payment).where(Payment.status == PaymentStatus.ORPHANED)
                           .order_by(Payment.paid_at, Payment.id).limit(limit))
    return [stray_payment_view(p) for p in rows]


def stray_payment_view(payment: Payment) -> StrayPaymentView:
    return StrayPaymentView(id=payment.id, order_id=payment.order_id, order_no=payment.out_trade_no,
                            status=payment.status, amount_fen=payment.amount_fen, received_at=payment.paid_at,
                            refund_attempts=payment.refund_attempts, refund_error=payment.refund_error,
                            refund_retry_at=payment.refund_retry_at)
