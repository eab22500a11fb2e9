"""Today and yesterday at a glance, for the dashboard's overview: sales, paid orders and new shoppers by Shanghai
day, with the workbench's definitions (docs/money-and-rules.md, "Analytics"): an order counts on the day it was
paid, net of what has been refunded on it since; a shopper is new on the day their account was made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.analytics.periods import Granularity, Period, aggregate_query, in_period, shanghai_day, today
from domain.analytics.summary import paid_in
from domain.models import Order, OrderLine, User


@dataclass(frozen=True)
class DayFigures:
    day: date
    net_sales_fen: int
    paid_orders: int
    new_users: int


@aggregate_query
def recent_days(session: Session, *, days: int = 2) -> list[DayFigures]:
    """The last ``days`` Shanghai days, today first; quiet days are zeros."""
    period = Period(today() - timedelta(days=days - 1), today())
    paid_day, joined_day = shanghai_day(Order.paid_at), shanghai_day(User.created_at)
    sales = {day: (int(fen or 0), int(n)) for day, fen, n in session.execute(
        select(paid_day, func.sum(OrderLine.paid_fen - OrderLine.refunded_fen), func.count(func.distinct(Order.id)))
        .join(Order, Order.id == OrderLine.order_id).where(*paid_in(period)).group_by(paid_day))}
    joined = dict(session.execute(
        select(joined_day, func.count()).where(*in_period(User.created_at, period)).group_by(joined_day)).all())
    return [DayFigures(day, *sales.get(day.isoformat(), (0, 0)), int(joined.get(day.isoformat(), 0)))
            for day in reversed(period.buckets(Granularity.DAY))]
