"""Time series over a period, by Shanghai day, week (from Monday) or month: sales, distribution sales, commission
by level and status, bindings and new distributors. Each series is one GROUP BY; every bucket of the period is
present, with zeros where nothing happened, so that charts draw quiet days as quiet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.analytics.periods import Granularity, Period, aggregate_query, bucket, in_period
from domain.analytics.summary import lines_paid_in, orders_counted, records_paid_in
from domain.models import CommissionRecord, Distributor, OrderLine, User


@dataclass(frozen=True)
class SalesPoint:
    bucket: date  # the day, the week's Monday or the month's first day
    paid_orders: int
    net_sales_fen: int
    refunded_fen: int
    distribution_sales_fen: int


@dataclass(frozen=True)
class CommissionPoint:
    bucket: date
    level: int
    status: str  # as it stands now: frozen, settled or cancelled
    records: int
    amount_fen: int  # net of clawbacks


@dataclass(frozen=True)
class GrowthPoint:
    bucket: date
    bindings: int  # shoppers bound to an inviter
    new_distributors: int


@aggregate_query
def sales_series(session: Session, *, period: Period, by: Granularity = Granularity.DAY) -> list[SalesPoint]:
    """Orders count in the bucket of their payment, with whatever has been refunded on them since."""
    when = bucket(OrderLine.paid_at, by)
    net = OrderLine.paid_fen - OrderLine.refunded_fen
    rows = session.execute(
        select(when, orders_counted(), func.sum(net), func.sum(OrderLine.refunded_fen),
               func.sum(case((OrderLine.earns_commission, net), else_=0)))
        .where(*lines_paid_in(period)).group_by(when)
    ).all()
    found = {date.fromisoformat(b): tuple(int(v or 0) for v in values) for b, *values in rows}
    return [SalesPoint(b, *found.get(b, (0, 0, 0, 0))) for b in period.buckets(by)]


@aggregate_query
def commission_series(session: Session, *, period: Period,
                      by: Granularity = Granularity.DAY) -> list[CommissionPoint]:
    """Commission of the orders paid in each bucket, by level and by its status now; only what exists."""
    when = bucket(CommissionRecord.paid_at, by)
    rows = session.execute(
        select(when, CommissionRecord.level, CommissionRecord.status, func.count(),
               func.sum(CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen))
        .where(*records_paid_in(period))
        .group_by(when, CommissionRecord.level, CommissionRecord.status)
        .order_by(when, CommissionRecord.level, CommissionRecord.status)
    ).all()
    return [CommissionPoint(date.fromisoformat(b), int(level), status, int(n), int(fen or 0))
            for b, level, status, n, fen in rows]


@aggregate_query
def growth_series(session: Session, *, period: Period, by: Granularity = Granularity.DAY) -> list[GrowthPoint]:
    """Bindings (by when the shopper was bound) and new distributors (by when they were approved)."""
    bound_when, joined_when = bucket(User.bound_at, by), bucket(Distributor.created_at, by)
    bindings = dict(session.execute(
        select(bound_when, func.count()).where(*in_period(User.bound_at, period)).group_by(bound_when)).all())
    joined = dict(session.execute(
        select(joined_when, func.count()).where(*in_period(Distributor.created_at, period))
        .group_by(joined_when)).all())
    return [GrowthPoint(b, int(bindings.get(b.isoformat(), 0)), int(joined.get(b.isoformat(), 0)))
            for b in period.buckets(by)]
