"""The funnel (shares → visits → bound → first order → paid → completed) and the cohort table, on the history of
tests/domain/analytics_history.py."""

from __future__ import annotations

from datetime import date

import pytest

from domain.analytics.cohorts import cohorts
from domain.analytics.funnel import FunnelCounts, funnel, funnel_by_distributor
from domain.analytics.periods import Period
from tests.domain.analytics_history import PERIOD, build_history


@pytest.fixture
def history(db, sandbox_url):
    return build_history(db, sandbox_url)


def test_the_shop_funnel_of_the_week(db, history):
    # A's two shares; D's visit to A's and G's to B's (made before the week); D and G bound; D ordered, paid and
    # had O2 completed; G has not ordered.
    got = funnel(db, period=Period.of(*PERIOD))
    assert got == FunnelCounts(shares=2, visits=2, bound=2, ordered=1, paid=1, completed=1)
    assert got.rate_bp("paid", "bound") == 5000


def test_each_distributors_funnel(db, history):
    u, week = history.users, Period.of(*PERIOD)
    assert funnel(db, period=week, distributor_id=u["A"].id) == FunnelCounts(2, 1, 1, 1, 1, 1)
    assert funnel(db, period=week, distributor_id=u["B"].id) == FunnelCounts(0, 1, 1, 0, 0, 0)
    rows, total = funnel_by_distributor(db, period=week)
    assert total == 3
    assert [(r.user_id, r.shares, r.visits, r.bound, r.ordered, r.paid, r.completed) for r in rows] == [
        (u["A"].id, 2, 1, 1, 1, 1, 1),  # most bound first, then most visits, then most shares
        (u["B"].id, 0, 1, 1, 0, 0, 0),
        (u["F"].id, 0, 0, 0, 0, 0, 0),
    ]


def test_the_previous_week_funnel(db, history):
    # B's share on 5 March; C bound on the 3rd, paid O0 on the 5th and had O1 completed since.
    assert funnel(db, period=Period.of(date(2026, 3, 2), date(2026, 3, 8))) == FunnelCounts(1, 0, 1, 1, 1, 1)


def test_cohorts_by_week_of_binding(db, history):
    table = cohorts(db, period=Period.of(date(2026, 3, 2), date(2026, 3, 15)), weeks=3)
    # Week of 2 March: C, who paid that week. Week of 9 March: D (paid that week) and G (never). "Now" is Monday
    # 16 March: the third week of the second cohort has not begun.
    assert [(r.week, r.size, r.bought, r.shares_bp) for r in table.rows] == [
        (date(2026, 3, 2), 1, [1, 1, 1], [10000, 10000, 10000]),
        (date(2026, 3, 9), 2, [1, 1, None], [5000, 5000, None]),
    ]


def test_a_purchase_before_the_binding_counts_from_week_zero(db, history):
    # B was bound to A on 20 February and has never bought: a cohort of one with no purchase.
    table = cohorts(db, period=Period.of(date(2026, 2, 16), date(2026, 2, 22)), weeks=2)
    assert [(r.week, r.size, r.bought) for r in table.rows] == [(date(2026, 2, 16), 1, [0, 0])]
