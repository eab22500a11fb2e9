"""``reconcile-payments``: payments WeChat has and the shop has not recorded, and stray payments' refunds that
are due for another try, in batches of short transactions (docs/architecture.md, "Jobs")."""

from __future__ import annotations

from domain.db import unit_of_work
from domain.payments.reconciliation import reconcile_recent_payments
from domain.payments.stray_refunds import retry_due_stray_refunds
from domain.settings.service import get_settings
from domain.wechat import get_wechat


def reconcile_payments() -> int:
    """Orders found paid at WeChat, plus stray payments given back."""
    found, after = 0, 0
    while True:
        with unit_of_work() as session:
            minutes = get_settings(session).unpaid_timeout_minutes
            batch = reconcile_recent_payments(session, wechat=get_wechat(), timeout_minutes=minutes, after_id=after)
        found += batch.paid
        if batch.looked_at == 0:
            break
        after = batch.last_id
    refunded = 0
    while True:
        with unit_of_work() as session:
            tried, done = retry_due_stray_refunds(session, wechat=get_wechat())
        refunded += done
        if tried == 0:
            return found + refunded
