"""The overview's today and yesterday (domain/analytics/days.py), and figures over a shop with no sales at all, on
the history of tests/domain/analytics_history.py."""

from __future__ import annotations

from datetime import date

from domain.analytics.days import DayFigures, recent_days
from domain.analytics.periods import Period
from domain.analytics.refunds import RefundRate, shop_refund_rate
from tests.builders import make_user
from tests.domain.analytics_history import at, build_history


def test_today_and_yesterday_are_shanghai_days_of_payment_net_of_refunds(db, sandbox_url):
    build_history(db, sandbox_url)
    at("03-13", 23, 30)  # 15:30 UTC: still 13 March in Shanghai
    make_user(db, "新人甲")
    make_user(db, "新人乙")
    # 13 March: O5 ¥100.00 with ¥50.00 refunded since. 12 March: O3 ¥99.99 and O4, refunded whole (still paid).
    assert recent_days(db) == [DayFigures(date(2026, 3, 13), 5000, 1, 2), DayFigures(date(2026, 3, 12), 9999, 2, 0)]
    at("03-14", 0, 30)
    assert recent_days(db, days=3) == [DayFigures(date(2026, 3, 14), 0, 0, 0),
                                       DayFigures(date(2026, 3, 13), 5000, 1, 2),
                                       DayFigures(date(2026, 3, 12), 9999, 2, 0)]


def test_a_shop_that_sold_nothing_has_a_refund_rate_of_nothing(db):
    assert shop_refund_rate(db, period=Period.of(date(2026, 3, 9), date(2026, 3, 15))) == RefundRate(0, 0, 0)
