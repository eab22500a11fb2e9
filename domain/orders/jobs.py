"""Order jobs: ``close-unpaid`` and ``auto-receive``, in batches of short transactions."""

from __future__ import annotations

from domain.db import unit_of_work
from domain.orders.lifecycle import auto_receive
from domain.payments.reconciliation import close_expired_unpaid
from domain.settings.service import get_settings
from domain.wechat import get_wechat


def close_unpaid() -> int:
    """Expired unpaid orders, each asked of WeChat first: paid ones are marked paid, the rest closed and cancelled.
    Each batch starts after the last order the previous one looked at, so a run ends after one pass."""
    total, after = 0, 0
    while True:
        with unit_of_work() as session:
            minutes = get_settings(session).unpaid_timeout_minutes
            batch = close_expired_unpaid(session, wechat=get_wechat(), timeout_minutes=minutes, after_id=after)
        total += batch.processed
        if batch.looked_at == 0:
            return total
        after = batch.last_id


def auto_receive_shipped() -> int:
    total = 0
    while True:
        with unit_of_work() as session:
            done = auto_receive(session, days=get_settings(session).auto_receive_days)
        total += done
        if done == 0:
            return total
