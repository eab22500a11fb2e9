"""The distribution funnel over a period: shares → visits → bound → first order → paid → completed, for the whole
shop and per distributor. Shares and visits come from share tracking (domain/members/shares.py), which records
them for this funnel only: they earn nothing (docs/security.md, "WeChat's rules about sharing").

- ``shares``: shares made in the period; ``visits``: visits to shares, made in the period (once per visitor and
  share);
- ``bound``: shoppers bound to an inviter in the period;
- ``ordered`` / ``paid`` / ``completed``: of those bound, how many have placed an order, paid for one, had one
  completed (each a part of the step before), counted now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from domain.analytics.periods import Period, aggregate_query, in_period, ratio_bp
from domain.models import Distributor, Order, OrderStatus, Share, ShareVisit, User


@dataclass(frozen=True)
class FunnelCounts:
    shares: int
    visits: int
    bound: int
    ordered: int
    paid: int
    completed: int

    def rate_bp(self, step: str, of: str) -> int:
        """One step as a share of another (``rate_bp("paid", "bound")``)."""
        return ratio_bp(getattr(self, step), getattr(self, of))


@dataclass(frozen=True)
class DistributorFunnel(FunnelCounts):
    user_id: int
    nickname: str


def _bound_steps(period: Period, inviter_id: int | None = None, *, per_inviter: bool = True):
    """The shoppers bound in the period, and how many of them ordered, paid and completed: per inviter (a
    ``user_id`` column, grouped), or in all when ``per_inviter`` is false."""
    member = aliased(User)
    placed = exists().where(Order.user_id == member.id)
    paid = placed.where(Order.status.in_(OrderStatus.PAID_STATES))
    completed = exists().where(Order.user_id == member.id, Order.status == OrderStatus.COMPLETED)
    steps = (func.count().label("bound"), func.sum(case((placed, 1), else_=0)).label("ordered"),
             func.sum(case((paid, 1), else_=0)).label("paid"),
             func.sum(case((completed, 1), else_=0)).label("completed"))
    query = (select(member.inviter_id.label("user_id"), *steps).group_by(member.inviter_id) if per_inviter
             else select(*steps))
    query = query.where(*in_period(member.bound_at, period), member.inviter_id.is_not(None))
    return query.where(member.inviter_id == inviter_id) if inviter_id is not None else query


def _shares(period: Period):
    return (select(Share.user_id.label("user_id"), func.count().label("shares"))
            .where(*in_period(Share.created_at, period)).group_by(Share.user_id))


def _visits(period: Period):
    return (select(Share.user_id.label("user_id"), func.count().label("visits")).select_from(ShareVisit)
            .join(Share, Share.id == ShareVisit.share_id)
            .where(*in_period(ShareVisit.created_at, period)).group_by(Share.user_id))


@aggregate_query
def funnel(session: Session, *, period: Period, distributor_id: int | None = None) -> FunnelCounts:
    """The whole shop's funnel, or one inviter's (their shares, visits to them, shoppers bound to them)."""
    mine = (Share.user_id == distributor_id,) if distributor_id is not None else ()
    shares = (select(func.count()).select_from(Share).where(*in_period(Share.created_at, period), *mine)
              .scalar_subquery())
    visits = select(func.count()).select_from(ShareVisit).where(*in_period(ShareVisit.created_at, period))
    if distributor_id is not None:  # visits to this distributor's shares: the whole shop's need no join
        visits = visits.join(Share, Share.id == ShareVisit.share_id).where(*mine)
    visits = visits.scalar_subquery()
    bound = _bound_steps(period, distributor_id, per_inviter=False).subquery()
    row = session.execute(select(shares, visits, *(bound.c[n] for n in ("bound", "ordered", "paid", "completed")))
                          ).one()
    return FunnelCounts(*(int(v or 0) for v in row))


@aggregate_query
def funnel_by_distributor(session: Session, *, period: Period, page: int = 1,
                          page_size: int = 20) -> tuple[list[DistributorFunnel], int]:
    """Every distributor's funnel, most shoppers bound first (then most visits, most shares)."""
    shares, visits, bound = (_shares(period).subquery(), _visits(period).subquery(),
                             _bound_steps(period).subquery())
    counts = [func.coalesce(shares.c.shares, 0), func.coalesce(visits.c.visits, 0),
              *(func.coalesce(bound.c[n], 0) for n in ("bound", "ordered", "paid", "completed"))]
    rows = session.execute(
        select(Distributor.user_id, User.nickname, *counts)
        .join(User, User.id == Distributor.user_id)
        .outerjoin(shares, shares.c.user_id == Distributor.user_id)
        .outerjoin(visits, visits.c.user_id == Distributor.user_id)
        .outerjoin(bound, bound.c.user_id == Distributor.user_id)
        .order_by(counts[2].desc(), counts[1].desc(), counts[0].desc(), Distributor.user_id)
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    total = session.scalar(select(func.count()).select_from(Distributor)) or 0
    return [DistributorFunnel(*(int(v) for v in values), user_id=uid, nickname=nickname or "")
            for uid, nickname, *values in rows], total
