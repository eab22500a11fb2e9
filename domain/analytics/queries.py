"""Read-only aggregates of the first analytics screen (the last 30 days): charts, totals, the team tree. The
workbench over any range reads ``summary``, ``series``, ``distributors``, ``funnel`` and ``cohorts`` instead.

Every figure is a GROUP BY or a COUNT in the database; Python only names the columns (and fills in the days
that had nothing). Days are Asia/Shanghai calendar days, computed in SQL by ``shanghai_day``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, aliased

from domain import clock
from domain.analytics.periods import day_start, shanghai_day
from domain.models import (
    CommissionRecord,
    Distributor,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    User,
)
from domain.orders.queries import status_counts
from domain.search import contains

# --- days -----------------------------------------------------------------------------------------


def last_days(days: int) -> list[date]:
    """The last ``days`` Shanghai calendar days, today included, oldest first."""
    today = clock.local(clock.now()).date()
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """Staff pick days in Shanghai; queries take ``[from, to)`` in UTC. Either end may be open."""
    return (day_start(first) if first else None,
            day_start(last + timedelta(days=1)) if last else None)


# --- sales ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailySales:
    day: date
    orders: int
    paid_fen: int  # what buyers paid, shipping included
    refunded_fen: int  # refunded so far on those orders
    net_fen: int


def sales_by_day(session: Session, *, days: int = 30) -> list[DailySales]:
    """Orders paid on each of the last ``days`` days, net of what has been refunded on them since; every day
    is present (zeros on quiet days). An order counts on the day it was paid, its refunds with it."""
    calendar = last_days(days)
    day = shanghai_day(Order.paid_at)
    rows = session.execute(
        select(day, func.count(Order.id), func.sum(Order.payable_fen), func.sum(Order.refunded_fen))
        .where(Order.paid_at >= day_start(calendar[0]), Order.status.in_(OrderStatus.PAID_STATES))
        .group_by(day)
    ).all()
    found = {date.fromisoformat(d): (int(n), int(paid), int(refunded)) for d, n, paid, refunded in rows}
    return [DailySales(day=d, orders=n, paid_fen=paid, refunded_fen=refunded, net_fen=paid - refunded)
            for d in calendar for n, paid, refunded in [found.get(d, (0, 0, 0))]]


@dataclass(frozen=True)
class TopProduct:
    product_id: int
    title: str
    orders: int
    units: int  # sold, net of refunded units
    net_fen: int  # paid for the goods, net of refunds (no shipping)


def top_products(session: Session, *, days: int = 30, limit: int = 10) -> list[TopProduct]:
    """Best sellers by money kept, over the orders paid in the last ``days`` days."""
    net = func.sum(OrderLine.paid_fen - OrderLine.refunded_fen)
    rows = session.execute(
        select(OrderLine.product_id, Product.title, func.count(distinct(OrderLine.order_id)),
               func.sum(OrderLine.quantity - OrderLine.refunded_quantity), net)
        .join(Order, Order.id == OrderLine.order_id).join(Product, Product.id == OrderLine.product_id)
        .where(Order.paid_at >= day_start(last_days(days)[0]), Order.status.in_(OrderStatus.PAID_STATES))
        .group_by(OrderLine.product_id, Product.title)
        .order_by(net.desc(), OrderLine.product_id).limit(limit)
    ).all()
    return [TopProduct(product_id=pid, title=title, orders=int(n), units=int(units), net_fen=int(fen))
            for pid, title, n, units, fen in rows]


# --- commissions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionTotal:
    records: int
    amount_fen: int  # as recorded (recomputed on refunds before settlement; 0 when cancelled)
    clawed_back_fen: int  # taken back after settlement

    @property
    def net_fen(self) -> int:
        return self.amount_fen - self.clawed_back_fen


NO_COMMISSION = CommissionTotal(records=0, amount_fen=0, clawed_back_fen=0)


@dataclass(frozen=True)
class CommissionTotals:
    overall: CommissionTotal
    by_status: dict[str, CommissionTotal]  # only statuses that have records
    by_level: dict[int, CommissionTotal]


def commission_totals(session: Session, *, beneficiary_id: int | None = None, status: str | None = None,
                      level: int | None = None, order_no: str | None = None, created_from: datetime | None = None,
                      created_to: datetime | None = None) -> CommissionTotals:
    """Totals of the records ``list_commissions`` lists with the same filters: overall, per status, per level."""
    conditions = []
    if beneficiary_id is not None:
        conditions.append(CommissionRecord.beneficiary_id == beneficiary_id)
    if status:
        conditions.append(CommissionRecord.status == status)
    if level:
        conditions.append(CommissionRecord.level == level)
    if order_no and order_no.strip():
        conditions.append(CommissionRecord.order_id.in_(
            select(Order.id).where(contains(Order.order_no, order_no.strip()))))
    if created_from:
        conditions.append(CommissionRecord.created_at >= created_from)
    if created_to:
        conditions.append(CommissionRecord.created_at < created_to)
    sums = (func.count(CommissionRecord.id), func.coalesce(func.sum(CommissionRecord.amount_fen), 0),
            func.coalesce(func.sum(CommissionRecord.clawed_back_fen), 0))

    def grouped(column) -> dict:
        rows = session.execute(select(column, *sums).where(*conditions).group_by(column).order_by(column)).all()
        return {key: CommissionTotal(int(n), int(amount), int(back)) for key, n, amount, back in rows}

    n, amount, back = session.execute(select(*sums).where(*conditions)).one()
    return CommissionTotals(overall=CommissionTotal(int(n), int(amount), int(back)),
                            by_status=grouped(CommissionRecord.status), by_level=grouped(CommissionRecord.level))


@dataclass(frozen=True)
class CommissionDay:
    day: date
    level: int
    status: str
    records: int
    net_fen: int  # amount net of clawbacks


def commission_by_day(session: Session, *, days: int = 30) -> list[CommissionDay]:
    """Commission written on each of the last ``days`` days (the day the order was paid), by level and by
    its status now. Days without commission are absent."""
    day = shanghai_day(CommissionRecord.created_at)
    rows = session.execute(
        select(day, CommissionRecord.level, CommissionRecord.status, func.count(CommissionRecord.id),
               func.sum(CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen))
        .where(CommissionRecord.created_at >= day_start(last_days(days)[0]))
        .group_by(day, CommissionRecord.level, CommissionRecord.status)
        .order_by(day, CommissionRecord.level, CommissionRecord.status)
    ).all()
    return [CommissionDay(day=date.fromisoformat(d), level=int(lvl), status=st, records=int(n), net_fen=int(fen))
            for d, lvl, st, n, fen in rows]


# --- the distribution network ---------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkRow:
    user_id: int
    nickname: str
    is_enabled: bool
    level1_count: int
    level2_count: int


def distribution_network(session: Session, *, limit: int = 20) -> tuple[list[NetworkRow], int]:
    """The distributors with the largest teams (level 1 + level 2), and how many distributors there are."""
    level1, level2 = aliased(User), aliased(User)
    n1, n2 = func.count(distinct(level1.id)), func.count(distinct(level2.id))
    rows = session.execute(
        select(Distributor.user_id, User.nickname, Distributor.is_enabled, n1, n2)
        .join(User, User.id == Distributor.user_id)
        .outerjoin(level1, level1.inviter_id == Distributor.user_id)
        .outerjoin(level2, level2.inviter_id == level1.id)
        .group_by(Distributor.user_id, User.nickname, Distributor.is_enabled)
        .order_by((n1 + n2).desc(), n1.desc(), Distributor.user_id).limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(Distributor)) or 0
    return [NetworkRow(user_id=uid, nickname=name, is_enabled=enabled, level1_count=int(a), level2_count=int(b))
            for uid, name, enabled, a, b in rows], total


@dataclass(frozen=True)
class Funnel:
    """Each step is a part of the one before: all users, those bound to an inviter, and of those, the ones
    who placed an order, paid for one, and had one completed."""

    users: int
    bound: int
    ordered: int
    paid: int
    completed: int


def distribution_funnel(session: Session) -> Funnel:
    bound_buyers = (select(func.count(distinct(Order.user_id))).join(User, User.id == Order.user_id)
                    .where(User.inviter_id.is_not(None)))
    row = session.execute(select(
        select(func.count(User.id)).scalar_subquery(),
        select(func.count(User.id)).where(User.inviter_id.is_not(None)).scalar_subquery(),
        bound_buyers.scalar_subquery(),
        bound_buyers.where(Order.status.in_(OrderStatus.PAID_STATES)).scalar_subquery(),
        bound_buyers.where(Order.status == OrderStatus.COMPLETED).scalar_subquery(),
    )).one()
    return Funnel(*(int(n or 0) for n in row))


# --- everything the analytics screen draws --------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    days: int
    sales: list[DailySales]
    order_statuses: dict[str, int]
    top_products: list[TopProduct]
    commission_days: list[CommissionDay]
    commission_total: CommissionTotal  # written in the period
    network: list[NetworkRow]
    distributors: int
    funnel: Funnel


def overview(session: Session, *, days: int = 30, top: int = 10, network_size: int = 15) -> Overview:
    network, distributors = distribution_network(session, limit=network_size)
    return Overview(
        days=days, sales=sales_by_day(session, days=days), order_statuses=status_counts(session),
        top_products=top_products(session, days=days, limit=top),
        commission_days=commission_by_day(session, days=days),
        commission_total=commission_totals(session, created_from=day_start(last_days(days)[0])).overall,
        network=network, distributors=distributors, funnel=distribution_funnel(session),
    )
