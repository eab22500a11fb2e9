"""Order jobs: ``close-unpaid`` and ``auto-receive``, in batches of short transactions."""

from __future__ import annotations

from domain.db import unit_of_work
from domain.orders.lifecycle import auto_receive, close_expired_unpaid
from domain.settings.service import get_settings
from domain.wechat import get_wechat


def close_unpaid() -> int:
    total = 0
    while True:
        with unit_of_work() as session:
            minutes = get_settings(session).unpaid_timeout_minutes
            done = close_expired_unpaid(session, wechat=get_wechat(), timeout_minutes=minutes)
        total += done
        if done == 0:
            return total


def auto_receive_shipped() -> int:
    total = 0
    while True:
        with unit_of_work() as session:
            done = auto_receive(session, days=get_settings(session).auto_receive_days)
        total += done
        if done == 0:
            return total
