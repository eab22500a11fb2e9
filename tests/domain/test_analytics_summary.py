"""The workbench's figures to the fen, on the history of tests/domain/analytics_history.py (read its table first)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.analytics.cohorts import repeat_purchase
from domain.analytics.distributors import distributor_drilldown, distributor_ranking
from domain.analytics.errors import AnalyticsError
from domain.analytics.periods import Granularity, Period
from domain.analytics.refunds import refund_rate_by_product, refund_rate_by_team, shop_refund_rate
from domain.analytics.series import commission_series, growth_series, sales_series
from domain.analytics.summary import summary
from tests.builders import approve_distributor, make_address, make_product, make_user, pay, place, refund
from tests.domain.analytics_history import PERIOD, PREVIOUS, at, bind, build_history
from tests.refusals import refused


@pytest.fixture
def history(db, sandbox_url):
    return build_history(db, sandbox_url)


@pytest.fixture
def week():
    return Period.of(*PERIOD)


def test_summary_counts_each_figure_of_the_orders_paid_in_the_period(db, history, week):
    s = summary(db, period=week)
    # O1 19998 + O2 (5000 + 3000) + O3 9999 + O4 (9999 − 9999) + O5 (10000 − 5000); O6 is unpaid, O0 is before.
    assert s.net_sales_fen == 42997
    assert s.refunded_fen == 9999 + 5000
    assert (s.paid_orders, s.buyers) == (5, 3)  # C, D and E
    assert s.aov_fen == 42997 // 5 == 8599
    # Lines with a record: O1's, O2's 耳机 (not 贴膜, out of distribution), O4's (net 0), O5's; not O3 (no inviter).
    assert s.distribution_sales_fen == 19998 + 5000 + 0 + 5000
    assert s.distribution_share_bp == 29998 * 10000 // 42997 == 6976
    # O1 1999 + 999, O2 1000, O4 cancelled, O5 recomputed to 1000 + 500.
    assert s.commission_fen == 5498
    assert s.commission_ratio_bp == 5498 * 10000 // 42997 == 1278
    assert (s.new_distributors, s.new_bound_users) == (1, 2)  # F; D and G


def test_summary_compares_with_the_previous_equal_period(db, history, week):
    s = summary(db, period=week)
    p = s.previous
    assert (p.period.first, p.period.last) == PREVIOUS
    assert (p.net_sales_fen, p.refunded_fen, p.paid_orders, p.buyers, p.aov_fen) == (9999, 0, 1, 1, 9999)
    assert (p.distribution_sales_fen, p.distribution_share_bp) == (9999, 10000)
    assert (p.commission_fen, p.commission_ratio_bp) == (999 + 499, 1498)
    assert (p.new_distributors, p.new_bound_users) == (0, 1)  # C bound on 3 March
    assert s.change_bp("net_sales_fen") == (42997 - 9999) * 10000 // 9999 == 33001
    assert s.change_bp("new_distributors") is None  # nothing before to compare with


def test_liability_is_frozen_plus_available_plus_withdrawing_now(db, history, week):
    owed = summary(db, period=week).liability
    # Frozen: O0 999 + 499, O1 1999 + 999, O2 1000, O5 1000 + 500 (O1 completed on 15 March, not yet settled).
    assert owed.frozen_fen == 6996
    assert (owed.available_fen, owed.withdrawing_fen) == (800 - 300, 300)
    assert owed.total_fen == 6996 + 500 + 300


def test_a_range_that_runs_backwards_or_past_three_years_is_refused():
    with refused(AnalyticsError.INVALID_RANGE, status=422):
        Period.of(date(2026, 3, 15), date(2026, 3, 9))
    with refused(AnalyticsError.INVALID_RANGE):
        Period.of(date(2020, 1, 1), date(2026, 1, 1))


def test_sales_series_by_day_has_every_day_and_by_week_adds_up(db, history, week):
    days = {p.bucket.day: (p.paid_orders, p.net_sales_fen, p.refunded_fen, p.distribution_sales_fen)
            for p in sales_series(db, period=week, by=Granularity.DAY)}
    assert days == {9: (0, 0, 0, 0), 10: (1, 19998, 0, 19998), 11: (1, 8000, 0, 5000),
                    12: (2, 9999, 9999, 0), 13: (1, 5000, 5000, 5000), 14: (0, 0, 0, 0), 15: (0, 0, 0, 0)}
    [whole] = sales_series(db, period=week, by=Granularity.WEEK)
    assert (whole.bucket, whole.paid_orders, whole.net_sales_fen, whole.refunded_fen,
            whole.distribution_sales_fen) == (date(2026, 3, 9), 5, 42997, 14999, 29998)
    [march] = sales_series(db, period=week, by=Granularity.MONTH)
    assert (march.bucket, march.net_sales_fen) == (date(2026, 3, 1), 42997)


def test_commission_series_by_level_and_status(db, history, week):
    points = {(p.bucket.day, p.level, p.status): (p.records, p.amount_fen)
              for p in commission_series(db, period=week, by=Granularity.DAY)}
    assert points == {
        (10, 1, "frozen"): (1, 1999), (10, 2, "frozen"): (1, 999),
        (11, 1, "frozen"): (1, 1000),
        (12, 1, "cancelled"): (1, 0), (12, 2, "cancelled"): (1, 0),
        (13, 1, "frozen"): (1, 1000), (13, 2, "frozen"): (1, 500),
    }


def test_growth_series_counts_bindings_and_new_distributors(db, history, week):
    points = {p.bucket.day: (p.bindings, p.new_distributors) for p in growth_series(db, period=week)}
    assert points == {9: (0, 0), 10: (1, 0), 11: (0, 0), 12: (0, 0), 13: (0, 0), 14: (1, 1), 15: (0, 0)}


def test_distributor_ranking_most_commission_first(db, history, week):
    rows, total = distributor_ranking(db, period=week)
    u = history.users
    assert total == 3
    got = [(r.user_id, r.level1_sales_fen, r.level2_sales_fen, r.commission_fen, r.level1_members,
            r.level2_members, r.team_size, r.new_members) for r in rows]
    assert got == [
        # B: level 1 on O1, O4 (net 0) and O5; team C and G, G bound in the week.
        (u["B"].id, 19998 + 0 + 5000, 0, 1999 + 1000, 2, 0, 2, 1),
        # A: level 1 on O2's 耳机, level 2 on C's orders; team B, D and C, G beneath B; D and G bound in the week.
        (u["A"].id, 5000, 19998 + 0 + 5000, 1000 + 999 + 500, 2, 2, 4, 2),
        (u["F"].id, 0, 0, 0, 0, 0, 0, 0),
    ]
    second_page, _ = distributor_ranking(db, period=week, page=2, page_size=2)
    assert [r.user_id for r in second_page] == [u["F"].id]


def test_a_distributor_drills_down_by_day(db, history, week):
    a = history.users["A"]
    drill = distributor_drilldown(db, user_id=a.id, period=week, by=Granularity.DAY)
    assert (drill.totals.level1_sales_fen, drill.totals.level2_sales_fen, drill.totals.commission_fen) == \
        (5000, 24998, 2499)
    by_day = {p.bucket.day: (p.level1_sales_fen, p.level2_sales_fen, p.commission_fen, p.new_members,
                             p.new_members_bought, p.team_size) for p in drill.series}
    # B and C were bound before the week: a team of 2 at its start; D (who bought) on the 10th, G on the 14th.
    assert by_day == {9: (0, 0, 0, 0, 0, 2), 10: (0, 19998, 999, 1, 1, 3), 11: (5000, 0, 1000, 0, 0, 3),
                      12: (0, 0, 0, 0, 0, 3), 13: (0, 5000, 500, 0, 0, 3), 14: (0, 0, 0, 1, 0, 4),
                      15: (0, 0, 0, 0, 0, 4)}
    assert [p.conversion_bp for p in drill.series if p.new_members] == [10000, 0]


def test_a_shopper_who_is_no_distributor_has_no_drill_down(db, history, week):
    with refused(AnalyticsError.DISTRIBUTOR_NOT_FOUND, status=404):
        distributor_drilldown(db, user_id=history.users["C"].id, period=week)


def test_repeat_purchase_rate(db, history, week):
    r = repeat_purchase(db, period=week)
    assert (r.buyers, r.repeat_buyers, r.rate_bp) == (3, 1, 3333)  # C paid three times, D and E once


def test_refund_rate_by_product_and_by_team(db, history, week):
    products, total = refund_rate_by_product(db, period=week)
    assert total == 3
    assert [(p.title, p.orders, p.paid_fen, p.refunded_fen, p.rate_bp) for p in products] == [
        ("手机壳", 3, 19998 + 9999 + 9999, 9999, 2500),
        ("耳机", 2, 5000 + 10000, 5000, 3333),
        ("贴膜", 1, 3000, 0, 0),
    ]
    shop = shop_refund_rate(db, period=week)
    assert (shop.orders, shop.paid_fen, shop.refunded_fen, shop.rate_bp) == (5, 57996, 14999, 2586)
    teams, total = refund_rate_by_team(db, period=week)
    u = history.users
    assert total == 2  # F's team bought nothing
    assert [(t.user_id, t.orders, t.paid_fen, t.refunded_fen, t.rate_bp) for t in teams] == [
        (u["B"].id, 3, 39997, 14999, 3750),  # C's O1, O4, O5
        (u["A"].id, 4, 47997, 14999, 3124),  # and D's O2
    ]


def test_an_order_holding_two_skus_of_one_product_counts_once_for_it(db, sandbox_url):
    """Orders per product are counted over the lines that are their order's first of the product, and refund rates
    by team group the lines by the buyer each carries: both written with the line (docs/architecture.md)."""
    at("03-10")
    buyer, inviter = make_user(db, "双款买家"), make_user(db, "双款分销员")
    make_address(db, buyer, phone="13800138099", detail="科技园 Z 栋")
    approve_distributor(db, inviter)
    bind(db, buyer, inviter)
    shirt = make_product(db, title="T 恤", prices=(5000, 6000), stock=10)
    socks = make_product(db, title="袜子", prices=(1000,), stock=10).skus[0]
    order = pay(db, place(db, buyer, [(shirt.skus[0].id, 1), (socks.id, 1), (shirt.skus[1].id, 2)]), sandbox_url)
    lines = sorted(order.lines, key=lambda line: line.line_no)
    assert [(line.product_id, line.first_of_product, line.buyer_id) for line in lines] == [
        (shirt.id, True, buyer.id), (socks.product_id, True, buyer.id), (shirt.id, False, buyer.id)]
    refund(db, order, [(lines[2].id, 1)])  # one of the two 6000 shirts back
    day = Period.of(date(2026, 3, 10), date(2026, 3, 10))
    products, total = refund_rate_by_product(db, period=day)
    assert total == 2
    assert [(p.title, p.orders, p.paid_fen, p.refunded_fen, p.rate_bp) for p in products] == [
        ("T 恤", 1, 5000 + 12000, 6000, 3529), ("袜子", 1, 1000, 0, 0)]
    teams, total = refund_rate_by_team(db, period=day)
    assert total == 1
    assert [(t.user_id, t.orders, t.paid_fen, t.refunded_fen) for t in teams] == [(inviter.id, 1, 18000, 6000)]
