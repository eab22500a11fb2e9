"""The ``expire-coupons`` job: unused coupons past their validity become expired, in batches of short
transactions (a coupon locked by an unpaid order is left to that order)."""

from __future__ import annotations

from domain.db import unit_of_work
from domain.marketing.coupons import expire_coupons


def expire_coupons_job(batch_size: int = 500) -> int:
    total = 0
    while True:
        with unit_of_work() as session:
            done = expire_coupons(session, limit=batch_size)
        total += done
        if done < batch_size:
            return total
