"""The dashboard's aggregates, computed in SQL, to the fen, on a small shop whose every number is known.

The shop: A invites B and D; B invites C and F; A and B are approved distributors; E came on their own and G
has applied. In Shanghai time, C paid ¥120 at 23:50 the day before yesterday and ¥100 at 00:10 yesterday
(twenty minutes apart, the same UTC day, two Shanghai days); D paid ¥60 yesterday noon and got it all back;
F and E have unpaid orders.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from domain import clock
from domain.analytics import queries
from domain.audit.service import audit_entity_types
from domain.distribution.distributors import apply
from domain.distribution.settlement import settle_due_commissions
from domain.distribution.team import team_tree
from domain.settings.service import update_settings
from domain.staff.work_queues import WorkQueues, work_queues
from domain.users.queries import nicknames
from domain.wallet.service import request_withdrawal
from tests.builders import (
    approve_distributor,
    complete,
    make_product,
    make_user,
    pay,
    place,
    refund,
)
from tests.conftest import rolled_back


def shanghai(day_offset: int, hour: int, minute: int) -> datetime:
    today = clock.local(clock.now()).date()
    return datetime.combine(today + timedelta(days=day_offset), time(hour, minute), tzinfo=clock.SHANGHAI)


def at(moment: datetime):
    return clock.travel(moment - clock.now())


@pytest.fixture(scope="module")
def db(migrated_database):
    """One transaction for the whole module, rolled back at its end: the shop is built once and only read."""
    with rolled_back(migrated_database) as session:
        yield session


@pytest.fixture(scope="module")
def shop(db, sandbox_url):
    a = make_user(db, "A")
    b = make_user(db, "B", inviter=a)
    c = make_user(db, "C", inviter=b)
    d = make_user(db, "D", inviter=a)
    e = make_user(db, "E")
    f = make_user(db, "F", inviter=b)
    g = make_user(db, "G")
    approve_distributor(db, a)
    approve_distributor(db, b)
    apply(db, user=g, real_name="王五", phone="13700137000", reason="想推广")
    cheap = make_product(db, title="小物件", prices=(5000,)).skus[0]  # below free shipping: ¥10 postage
    dear = make_product(db, title="大物件", prices=(12000,)).skus[0]

    with at(shanghai(-2, 23, 50)):
        first = pay(db, place(db, c, [(dear.id, 1)]), sandbox_url)  # ¥120, stays paid
    with at(shanghai(-1, 0, 10)):
        second = pay(db, place(db, c, [(cheap.id, 2)]), sandbox_url)  # ¥100, free shipping
        complete(db, second)
    with at(shanghai(-1, 12, 0)):
        third = pay(db, place(db, d, [(cheap.id, 1)]), sandbox_url)  # ¥50 + ¥10 postage
        refund(db, third, [(third.lines[0].id, 1)])  # all of it, postage included: the order closes
    place(db, f, [(cheap.id, 1)])
    place(db, e, [(cheap.id, 1)])
    refund(db, first, [(first.lines[0].id, 1)], approve=False, reason="想换颜色")

    update_settings(db, {"settle_after_days": 0})
    assert settle_due_commissions(db) == 2  # the second order's two records
    request_withdrawal(db, user=b, amount_fen=500, method="wechat")
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g, "orders": (first, second, third)}


def test_sales_are_grouped_by_shanghai_day_and_net_of_refunds(db, shop):
    days = queries.sales_by_day(db, days=30)
    assert len(days) == 30 and days[-1].day == clock.local(clock.now()).date()
    busy = {s.day: (s.orders, s.paid_fen, s.refunded_fen, s.net_fen) for s in days if s.orders}
    assert busy == {
        shanghai(-2, 0, 0).date(): (1, 12000, 0, 12000),
        shanghai(-1, 0, 0).date(): (2, 16000, 6000, 10000),
    }
    # Twenty minutes apart, and the same UTC day: only the Shanghai day tells them apart.
    first, second, _ = shop["orders"]
    assert first.paid_at.astimezone(UTC).date() == second.paid_at.astimezone(UTC).date()


def test_top_products_rank_by_money_kept_after_refunds(db, shop):
    top = queries.top_products(db, days=30)
    assert [(p.title, p.orders, p.units, p.net_fen) for p in top] == [
        ("大物件", 1, 1, 12000),
        ("小物件", 2, 2, 10000),  # two units kept of three sold; the refunded one counts for nothing
    ]


def test_commission_totals_per_status_and_level_with_filters(db, shop):
    totals = queries.commission_totals(db)
    assert (totals.overall.records, totals.overall.net_fen) == (5, 3300)
    assert {k: (v.records, v.amount_fen) for k, v in totals.by_status.items()} == {
        "cancelled": (1, 0),  # D's order, refunded whole before settlement
        "frozen": (2, 1800),  # the first order: B 10% of 12000, A 5%
        "settled": (2, 1500),  # the second: B 1000, A 500
    }
    assert {k: (v.records, v.amount_fen) for k, v in totals.by_level.items()} == {1: (3, 2200), 2: (2, 1100)}

    b_only = queries.commission_totals(db, beneficiary_id=shop["B"].id)
    assert (b_only.overall.records, b_only.overall.amount_fen) == (2, 2200)
    level2_settled = queries.commission_totals(db, level=2, status="settled")
    assert (level2_settled.overall.records, level2_settled.overall.amount_fen) == (1, 500)
    by_order = queries.commission_totals(db, order_no=shop["orders"][0].order_no)
    assert by_order.overall.amount_fen == 1800
    yesterday = queries.commission_totals(db, created_from=queries.day_start(shanghai(-1, 0, 0).date()))
    assert (yesterday.overall.records, yesterday.overall.amount_fen) == (3, 1500)


def test_commission_by_day_level_and_status(db, shop):
    rows = [(r.day, r.level, r.status, r.records, r.net_fen) for r in queries.commission_by_day(db, days=30)]
    before, last = shanghai(-2, 0, 0).date(), shanghai(-1, 0, 0).date()
    assert rows == [
        (before, 1, "frozen", 1, 1200),
        (before, 2, "frozen", 1, 600),
        (last, 1, "cancelled", 1, 0),
        (last, 1, "settled", 1, 1000),
        (last, 2, "settled", 1, 500),
    ]


def test_network_counts_both_levels_per_distributor(db, shop):
    rows, total = queries.distribution_network(db)
    assert total == 2
    assert [(r.nickname, r.level1_count, r.level2_count, r.is_enabled) for r in rows] == [
        ("A", 2, 2, True),  # B and D; C and F under B
        ("B", 2, 0, True),  # C and F
    ]


def test_funnel_narrows_from_users_to_completed_orders(db, shop):
    funnel = queries.distribution_funnel(db)
    # 7 users; B, C, D and F are bound; C, D and F ordered; C and D paid; C's second order completed.
    assert funnel == queries.Funnel(users=7, bound=4, ordered=3, paid=2, completed=1)


def test_team_tree_hangs_level_two_under_level_one(db, shop):
    nodes, total = team_tree(db, shop["A"].id)
    assert total == 4
    b, d = shop["B"].id, shop["D"].id
    assert [(n.nickname, n.level, n.inviter_id, n.order_count, n.order_amount_fen) for n in nodes] == [
        ("B", 1, shop["A"].id, 0, 0),
        ("D", 1, shop["A"].id, 1, 0),  # paid once, refunded whole
        ("C", 2, b, 2, 22000),
        ("F", 2, b, 0, 0),  # an unpaid order does not count
    ]
    assert d not in {n.inviter_id for n in nodes}
    assert team_tree(db, shop["C"].id) == ([], 0)


def test_work_queues_count_what_waits_for_staff(db, shop):
    assert work_queues(db) == WorkQueues(
        to_ship=1, upload_failed=0, refunds_requested=1, refunds_failed=0, returns_to_receive=0, applications_pending=1,
        withdrawals_pending=1, withdrawals_approved=0, stray_payments=0,
    )


def test_day_bounds_are_shanghai_midnights_in_utc():
    first, last = shanghai(-3, 0, 0).date(), shanghai(-1, 0, 0).date()
    start, end = queries.day_bounds(first, last)
    assert start == datetime.combine(first, time(), tzinfo=clock.SHANGHAI)
    assert (start.tzinfo, start.hour, end - start) == (UTC, 16, timedelta(days=3))
    assert queries.day_bounds(None, None) == (None, None)


def test_nicknames_and_audit_kinds_are_single_lookups(db, shop):
    assert nicknames(db, [shop["A"].id, shop["C"].id, None]) == {shop["A"].id: "A", shop["C"].id: "C"}
    assert nicknames(db, []) == {}
    kinds = audit_entity_types(db)
    assert kinds["distributor_application"] == 2  # A's and B's approvals
    assert kinds["refund"] == 1


def test_the_overview_gathers_every_figure_of_the_period(db, shop):
    o = queries.overview(db, days=30)
    assert (o.days, len(o.sales), o.distributors) == (30, 30, 2)
    assert o.order_statuses == {"paid": 1, "completed": 1, "closed": 1, "pending_payment": 2}
    assert [p.title for p in o.top_products] == ["大物件", "小物件"]
    assert (o.commission_total.records, o.commission_total.net_fen) == (5, 3300)
    assert o.funnel == queries.distribution_funnel(db) and len(o.commission_days) == 5
