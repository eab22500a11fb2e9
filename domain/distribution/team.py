"""A distributor's team: level-1 members (invited by them) and level-2 members (invited by those), never deeper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from domain.models import Order, OrderStatus, User


@dataclass(frozen=True)
class TeamMember:
    user_id: int
    nickname: str
    avatar_url: str
    level: int
    joined_at: datetime | None
    order_count: int
    order_amount_fen: int  # paid goods, net of refunds
    inviter_id: int | None = None
    inviter_nickname: str = ""


def team_counts(session: Session, user_id: int) -> tuple[int, int]:
    level1 = select(User.id).where(User.inviter_id == user_id)
    n1 = session.scalar(select(func.count()).select_from(level1.subquery())) or 0
    n2 = session.scalar(select(func.count()).where(User.inviter_id.in_(level1))) or 0
    return n1, n2


def team_members(session: Session, user_id: int, *, level: int, page: int = 1, page_size: int = 20) -> tuple[list[TeamMember], int]:
    """Level-1 members (invited by the user) or level-2 (invited by those), with their orders, in one query."""
    inviter = aliased(User)
    members = select(User.id).where(User.inviter_id == user_id)
    if level == 2:
        members = select(User.id).where(User.inviter_id.in_(members))
    orders = (
        select(Order.user_id, func.count(Order.id).label("n"),
               func.coalesce(func.sum(Order.payable_fen - Order.shipping_fen - Order.refunded_fen), 0).label("fen"))
        .where(Order.status.in_(OrderStatus.PAID_STATES)).group_by(Order.user_id).subquery()
    )
    query = (
        select(User, inviter.nickname, func.coalesce(orders.c.n, 0), func.coalesce(orders.c.fen, 0))
        .join(inviter, inviter.id == User.inviter_id)
        .outerjoin(orders, orders.c.user_id == User.id)
        .where(User.id.in_(members))
    )
    total = session.scalar(select(func.count()).select_from(members.subquery())) or 0
    rows = session.execute(query.order_by(User.bound_at.desc().nulls_last(), User.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return [TeamMember(user_id=u.id, nickname=u.nickname, avatar_url=u.avatar_url, level=level, joined_at=u.bound_at,
                       order_count=int(n), order_amount_fen=max(0, int(fen)), inviter_id=u.inviter_id,
                       inviter_nickname=inviter_name)
            for u, inviter_name, n, fen in rows], total


@dataclass(frozen=True)
class TeamNode:
    user_id: int
    nickname: str
    level: int
    inviter_id: int  # for level 2, the level-1 member above them
    joined_at: datetime | None
    order_count: int  # paid orders
    order_amount_fen: int  # paid goods, net of refunds (the same measure as the shopper's team page)


def team_tree(session: Session, user_id: int, *, limit: int = 500) -> tuple[list[TeamNode], int]:
    """Both levels under a distributor in one query, level 1 first, each member with its inviter's id so that
    level 2 can hang under level 1. Returns at most ``limit`` members and how many there are."""
    level1_ids = select(User.id).where(User.inviter_id == user_id)
    orders = (
        select(Order.user_id, func.count(Order.id).label("n"),
               func.sum(Order.payable_fen - Order.shipping_fen - Order.refunded_fen).label("fen"))
        .where(Order.status.in_(OrderStatus.PAID_STATES)).group_by(Order.user_id).subquery()
    )
    members = or_(User.inviter_id == user_id, User.inviter_id.in_(level1_ids))
    is_level1 = User.inviter_id == user_id
    rows = session.execute(
        select(User.id, User.nickname, is_level1, User.inviter_id, User.bound_at,
               func.coalesce(orders.c.n, 0), func.coalesce(orders.c.fen, 0))
        .outerjoin(orders, orders.c.user_id == User.id)
        .where(members)
        .order_by(is_level1.desc(), User.inviter_id, User.id).limit(limit)
    ).all()
    total = session.scalar(select(func.count(User.id)).where(members)) or 0
    return [TeamNode(user_id=uid, nickname=name, level=1 if first else 2, inviter_id=inviter, joined_at=joined,
                     order_count=int(n), order_amount_fen=max(0, int(fen)))
            for uid, name, first, inviter, joined, n, fen in rows], total
