"""Cohorts and repeat purchases.

A cohort is the shoppers bound to an inviter in one Shanghai week (from Monday) of the period; its row says which
share of them had paid for an order by the end of that week (week 0), of the next (week 1), and so on — a
purchase made before the binding counts from week 0. Weeks that have not begun yet are empty (None); the current
week counts what it has so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.analytics.periods import Period, aggregate_query, in_period, ratio_bp, shanghai_week, today
from domain.analytics.summary import paid_in
from domain.models import Order, OrderStatus, User

DEFAULT_WEEKS = 8


@dataclass(frozen=True)
class CohortRow:
    week: date  # the Monday of the week they were bound
    size: int
    bought: list[int | None]  # bought[k]: how many had paid for an order by the end of week W+k

    @property
    def shares_bp(self) -> list[int | None]:
        return [None if n is None else ratio_bp(n, self.size) for n in self.bought]


@dataclass(frozen=True)
class CohortTable:
    period: Period
    weeks: int
    rows: list[CohortRow]


@dataclass(frozen=True)
class RepeatPurchase:
    buyers: int  # who paid for an order in the period
    repeat_buyers: int  # who paid for two or more
    rate_bp: int


@aggregate_query
def cohorts(session: Session, *, period: Period, weeks: int = DEFAULT_WEEKS) -> CohortTable:
    first_paid = (select(Order.user_id, func.min(Order.paid_at).label("paid_at"))
                  .where(Order.status.in_(OrderStatus.PAID_STATES)).group_by(Order.user_id).subquery())
    cohort, bought_week = shanghai_week(User.bound_at), shanghai_week(first_paid.c.paid_at)
    rows = session.execute(
        select(cohort, bought_week, func.count())
        .outerjoin(first_paid, first_paid.c.user_id == User.id)
        .where(*in_period(User.bound_at, period))
        .group_by(cohort, bought_week)
    ).all()
    by_cohort: dict[date, dict[int | None, int]] = {}
    for week, bought_in, n in rows:
        start = date.fromisoformat(week)
        k = None if bought_in is None else max(0, (date.fromisoformat(bought_in) - start).days // 7)
        cells = by_cohort.setdefault(start, {})
        cells[k] = cells.get(k, 0) + int(n)
    this_week = today() - timedelta(days=today().weekday())
    table = []
    for start in sorted(by_cohort):
        cells, running, bought = by_cohort[start], 0, []
        for k in range(weeks):
            running += cells.get(k, 0)
            bought.append(running if start + timedelta(weeks=k) <= this_week else None)
        table.append(CohortRow(week=start, size=sum(cells.values()), bought=bought))
    return CohortTable(period=period, weeks=weeks, rows=table)


@aggregate_query
def repeat_purchase(session: Session, *, period: Period) -> RepeatPurchase:
    per_buyer = (select(Order.user_id, func.count().label("orders")).where(*paid_in(period))
                 .group_by(Order.user_id).subquery())
    buyers, repeat = session.execute(
        select(func.count(), func.sum(case((per_buyer.c.orders >= 2, 1), else_=0))).select_from(per_buyer)).one()
    buyers, repeat = int(buyers), int(repeat or 0)
    return RepeatPurchase(buyers=buyers, repeat_buyers=repeat, rate_bp=ratio_bp(repeat, buyers))
