"""Payments WeChat knows of and the shop does not (docs/state-machines.md, "Orders"): a notification can be lost,
so WeChat is asked before an unpaid order is given up.

- ``close-unpaid``: an order unpaid past the timeout is first looked up at WeChat. Paid there: it is marked paid
  here, with its commissions. Not paid: the WeChat order is closed, then this one is cancelled and its stock
  returned.
- ``reconcile-payments``: the same look-up for recent unpaid orders that went to WeChat, before their timeout.

A batch works through the orders in id order from where the previous one stopped, so orders WeChat cannot answer
for (or that it reports paid for another amount) are passed over until the next run, and never hold up the rest.
A WeChat error on one order is logged and the batch goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from domain import clock
from domain.errors import DomainError
from domain.models import Order, OrderStatus
from domain.orders.lifecycle import cancel_orders
from domain.payments.service import record_payment
from domain.wechat.gateway import WeChatGateway
from domain.wechat.pay_types import TradeState

log = logging.getLogger(__name__)

# A payment's notification normally arrives within seconds; ``reconcile-payments`` leaves younger orders alone.
NOTIFICATION_GRACE = timedelta(minutes=2)


class _Outcome(Enum):
    PAID = "paid"  # WeChat has the money: marked paid here
    CLOSABLE = "closable"  # WeChat can no longer take the money: cancel here
    LEFT = "left"  # still payable, or WeChat did not answer: left for the next run


@dataclass
class Batch:
    """What one batch did, and where the next one starts."""

    paid: int = 0
    cancelled: int = 0
    left: int = 0
    last_id: int = 0  # the highest order id looked at; 0 when there was none

    @property
    def looked_at(self) -> int:
        return self.paid + self.cancelled + self.left

    @property
    def processed(self) -> int:
        return self.paid + self.cancelled


def close_expired_unpaid(session: Session, *, wechat: WeChatGateway, timeout_minutes: int, after_id: int = 0,
                         limit: int = 50) -> Batch:
    """One batch of ``close-unpaid``: orders waiting for payment for ``timeout_minutes``, after ``after_id``."""
    deadline = clock.now() - timedelta(minutes=timeout_minutes)
    orders = _claim(session, Order.created_at <= deadline, after_id=after_id, limit=limit)
    batch = Batch(last_id=orders[-1].id if orders else 0)
    closable = []
    for order in orders:
        outcome = _look_up(session, order, wechat, close=True)
        if outcome is _Outcome.CLOSABLE:
            closable.append(order)
        _count(batch, outcome)
    cancel_orders(session, closable, reason="timeout")
    return batch


def reconcile_recent_payments(session: Session, *, wechat: WeChatGateway, timeout_minutes: int, after_id: int = 0,
                              limit: int = 50) -> Batch:
    """One batch of ``reconcile-payments``: orders sent to WeChat and still waiting for payment, younger than the
    timeout (older ones are ``close-unpaid``'s) and older than ``NOTIFICATION_GRACE``. Only a payment is acted
    on; an order WeChat still waits for is left to the shopper."""
    now = clock.now()
    orders = _claim(session, Order.prepay_id.is_not(None), Order.created_at > now - timedelta(minutes=timeout_minutes),
                    Order.created_at <= now - NOTIFICATION_GRACE, after_id=after_id, limit=limit)
    batch = Batch(last_id=orders[-1].id if orders else 0)
    for order in orders:
        _count(batch, _look_up(session, order, wechat, close=False))
    return batch


def _claim(session: Session, *conditions: ColumnElement[bool], after_id: int, limit: int) -> list[Order]:
    """Orders waiting for payment, in id order after ``after_id``; rows another runner holds are skipped."""
    return list(session.scalars(
        select(Order).where(Order.status == OrderStatus.PENDING_PAYMENT, Order.id > after_id, *conditions)
        .order_by(Order.id).limit(limit).with_for_update(skip_locked=True, key_share=True)
    ))


def _look_up(session: Session, order: Order, wechat: WeChatGateway, *, close: bool) -> _Outcome:
    """Ask WeChat about one order and act on a payment. With ``close``, an order WeChat could still be paid for
    is closed there, so that no money can arrive after it is cancelled here."""
    if order.prepay_id is None:
        return _Outcome.CLOSABLE if close else _Outcome.LEFT  # never sent to WeChat: nothing to ask
    try:
        answer = wechat.query_order(order.order_no)
        if answer.state == TradeState.PAID:
            if answer.payment is None:
                return _Outcome.LEFT
            with session.begin_nested():  # a refusal (another amount) undoes only this order
                record_payment(session, payment=answer.payment, wechat=wechat)
            return _Outcome.PAID
        if not close:
            return _Outcome.LEFT
        if answer.state == TradeState.NOT_PAID and not wechat.close_order(order.order_no):
            return _Outcome.LEFT  # paid a moment ago: its notification, or the next run, records it
    except DomainError as exc:
        log.warning("reconciling order %s with WeChat: %s (%s); left for the next run", order.order_no, exc.code, exc)
        return _Outcome.LEFT
    # Closed or refunded at WeChat, or never seen there: no money can come any more.
    return _Outcome.CLOSABLE


def _count(batch: Batch, outcome: _Outcome) -> None:
    if outcome is _Outcome.PAID:
        batch.paid += 1
    elif outcome is _Outcome.CLOSABLE:
        batch.cancelled += 1
    else:
        batch.left += 1
