"""What waits for staff: the counts behind the overview's queues and the status filters' badges."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import (
    ApplicationStatus,
    DistributorApplication,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    Shipment,
    Withdrawal,
    WithdrawalStatus,
)


@dataclass(frozen=True)
class WorkQueues:
    to_ship: int  # paid, not shipped
    upload_failed: int  # shipped, but WeChat has not got the shipping info
    refunds_requested: int
    refunds_failed: int  # approved, but WeChat has not refunded (approving again retries)
    returns_to_receive: int  # returns the buyer has sent back: staff confirm receipt, then the money goes back
    applications_pending: int
    withdrawals_pending: int
    withdrawals_approved: int  # bank payouts to make, or WeChat transfers to retry
    stray_payments: int  # paid for cancelled orders, and WeChat has not taken the automatic refund yet


def work_queues(session: Session) -> WorkQueues:
    def count(model, *conditions):
        return select(func.count()).select_from(model).where(*conditions).scalar_subquery()

    row = session.execute(select(
        count(Order, Order.status == OrderStatus.PAID),
        count(Shipment, Shipment.wechat_uploaded.is_(False)),
        count(Refund, Refund.status == RefundStatus.REQUESTED),
        count(Refund, Refund.status == RefundStatus.APPROVED),
        count(Refund, Refund.status == RefundStatus.AWAITING_RETURN, Refund.return_shipped_at.is_not(None)),
        count(DistributorApplication, DistributorApplication.status == ApplicationStatus.PENDING),
        count(Withdrawal, Withdrawal.status == WithdrawalStatus.PENDING),
        count(Withdrawal, Withdrawal.status == WithdrawalStatus.APPROVED),
        count(Payment, Payment.status == PaymentStatus.ORPHANED),
    )).one()
    return WorkQueues(*(int(n) for n in row))
