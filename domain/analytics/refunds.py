"""Refund rates over a period, by product and by distributor's team: the money refunded on the lines of the
orders paid in the period, as a share of what those lines were paid (``refunded_fen * 10000 // paid_fen``).

A distributor's team is its level-1 members and their level-2 members as bound now; a team that refunds far more
than the shop is one of the risk signals (domain/analytics/risk.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import Session, aliased

from domain.analytics.periods import Period, aggregate_query, ratio_bp
from domain.analytics.summary import lines_paid_in, orders_counted
from domain.models import Distributor, OrderLine, Product, User


@dataclass(frozen=True)
class RefundRate:
    orders: int
    paid_fen: int  # what the lines were paid (goods, after every discount)
    refunded_fen: int

    @property
    def rate_bp(self) -> int:
        return ratio_bp(self.refunded_fen, self.paid_fen)


@dataclass(frozen=True)
class ProductRefundRate(RefundRate):
    product_id: int
    title: str


@dataclass(frozen=True)
class TeamRefundRate(RefundRate):
    user_id: int
    nickname: str


@aggregate_query
def shop_refund_rate(session: Session, *, period: Period) -> RefundRate:
    orders, paid, refunded = session.execute(
        select(orders_counted(), func.sum(OrderLine.paid_fen), func.sum(OrderLine.refunded_fen))
        .where(*lines_paid_in(period))).one()
    return RefundRate(int(orders or 0), int(paid or 0), int(refunded or 0))  # no lines: NULL sums


@aggregate_query
def refund_rate_by_product(session: Session, *, period: Period, page: int = 1,
                           page_size: int = 20) -> tuple[list[ProductRefundRate], int]:
    """Products sold in the period, most money refunded first."""
    per_product = (
        select(OrderLine.product_id, func.sum(case((OrderLine.first_of_product, 1), else_=0)).label("orders"),
               func.sum(OrderLine.paid_fen).label("paid"), func.sum(OrderLine.refunded_fen).label("refunded"))
        .where(*lines_paid_in(period)).group_by(OrderLine.product_id)
        .subquery()
    )
    rows = session.execute(
        select(per_product.c.product_id, Product.title, per_product.c.orders, per_product.c.paid,
               per_product.c.refunded, func.count().over())  # the whole list's length, in the same pass
        .join(Product, Product.id == per_product.c.product_id)
        .order_by(per_product.c.refunded.desc(), per_product.c.product_id)
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    total = rows[0][-1] if rows else _count(session, per_product, page)
    return [ProductRefundRate(int(n), int(paid or 0), int(back or 0), product_id=pid, title=title)
            for pid, title, n, paid, back, _ in rows], int(total)


def team_refunds(period: Period):
    """Per distributor, its team's orders paid in the period: (user_id, orders, paid, refunded), as a subquery."""
    # A line carries its buyer and its order's payment time: the lines of the orders paid in the period, alone.
    # Materialised, PostgreSQL sums them once, in parallel; as a subquery each of its workers summed all of them.
    per_buyer = (
        select(OrderLine.buyer_id, orders_counted().label("orders"),
               func.sum(OrderLine.paid_fen).label("paid"), func.sum(OrderLine.refunded_fen).label("refunded"))
        .where(*lines_paid_in(period)).group_by(OrderLine.buyer_id)
        .cte("per_buyer").prefix_with("MATERIALIZED", dialect="postgresql")
    )
    parent = aliased(User)
    team = union_all(
        select(User.inviter_id.label("user_id"), User.id.label("buyer_id")).where(User.inviter_id.is_not(None)),
        select(parent.inviter_id.label("user_id"), User.id.label("buyer_id"))
        .join(parent, parent.id == User.inviter_id).where(parent.inviter_id.is_not(None)),
    ).subquery()
    return (
        select(team.c.user_id, func.sum(per_buyer.c.orders).label("orders"), func.sum(per_buyer.c.paid).label("paid"),
               func.sum(per_buyer.c.refunded).label("refunded"))
        .join(per_buyer, per_buyer.c.buyer_id == team.c.buyer_id)
        .join(Distributor, Distributor.user_id == team.c.user_id)
        .group_by(team.c.user_id).subquery()
    )


@aggregate_query
def refund_rate_by_team(session: Session, *, period: Period, page: int = 1,
                        page_size: int = 20) -> tuple[list[TeamRefundRate], int]:
    """Distributors whose teams bought in the period, the highest refund rate first (then most refunded)."""
    teams = team_refunds(period)
    rate = teams.c.refunded * 10_000 / func.nullif(teams.c.paid, 0)
    rows = session.execute(
        select(teams.c.user_id, User.nickname, teams.c.orders, teams.c.paid, teams.c.refunded, func.count().over())
        .join(User, User.id == teams.c.user_id)
        .order_by(func.coalesce(rate, 0).desc(), teams.c.refunded.desc(), teams.c.user_id)
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    total = rows[0][-1] if rows else _count(session, teams, page)
    return [TeamRefundRate(int(n), int(paid or 0), int(back or 0), user_id=uid, nickname=nickname or "")
            for uid, nickname, n, paid, back, _ in rows], int(total)


def _count(session: Session, rows, page: int) -> int:
    """An empty page: the list is empty, unless the page is past its end."""
    return session.scalar(select(func.count()).select_from(rows)) or 0 if page > 1 else 0
