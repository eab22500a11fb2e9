"""Read models for shoppers: the levels and their benefits, my growth history, my invitees and my share rewards.
Each list is one query for its page and one for its total."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from domain.db import paginate
from domain.members.service import list_levels
from domain.models import (
    CouponTemplate,
    GrowthEntry,
    Order,
    ShareReward,
    ShareRewardKind,
    ShareRewardStatus,
    User,
)


@dataclass(frozen=True)
class LevelView:
    level: int  # 0-based rank, as in ``GET /me``'s ``member.level``
    id: int
    name: str
    growth_threshold: int
    discount_bp: int
    benefits: str


@dataclass(frozen=True)
class GrowthEntryView:
    id: int
    kind: str
    points: int
    ref: str | None
    created_at: datetime


@dataclass(frozen=True)
class ShareRewardView:
    id: int
    invitee_nickname: str
    invitee_avatar_url: str
    order_no: str
    kind: str  # coupon | growth
    points: int | None
    coupon_template_id: int | None
    coupon_name: str | None
    status: str  # pending | granted | cancelled
    reward_day: date
    created_at: datetime
    granted_at: datetime | None


@dataclass(frozen=True)
class InviteeView:
    nickname: str
    avatar_url: str
    bound_at: datetime | None
    first_order_paid: bool
    reward_status: str | None  # the reward their first order gave, if any


@dataclass(frozen=True)
class ShareRewardTotals:
    invitees: int
    pending: int
    granted: int
    cancelled: int
    granted_points: int
    granted_coupons: int


def levels(session: Session) -> list[LevelView]:
    return [LevelView(level=rank, id=lv.id, name=lv.name, growth_threshold=lv.growth_threshold,
                      discount_bp=lv.discount_bp, benefits=lv.benefits)
            for rank, lv in enumerate(list_levels(session))]


def my_growth(session: Session, *, user: User, page: int = 1, page_size: int = 20) -> tuple[list[GrowthEntryView], int]:
    """Newest first. A staff adjustment shows as ``adjustment``; its reason stays with staff."""
    query, total = paginate(session, select(GrowthEntry).where(GrowthEntry.user_id == user.id), GrowthEntry.id.desc(),
                            page=page, page_size=page_size)
    return [GrowthEntryView(id=e.id, kind=e.kind, points=e.points, ref=e.ref, created_at=e.created_at)
            for e in session.scalars(query)], total


def my_share_rewards(session: Session, *, user: User, status: str | None = None, page: int = 1,
                     page_size: int = 20) -> tuple[list[ShareRewardView], int]:
    invitee = aliased(User)
    query = (
        select(ShareReward, invitee.nickname, invitee.avatar_url, Order.order_no, CouponTemplate.name)
        .join(invitee, invitee.id == ShareReward.invitee_id).join(Order, Order.id == ShareReward.order_id)
        .outerjoin(CouponTemplate, CouponTemplate.id == ShareReward.coupon_template_id)
        .where(ShareReward.inviter_id == user.id)
    )
    if status:
        query = query.where(ShareReward.status == status)
    query, total = paginate(session, query, ShareReward.id.desc(), page=page, page_size=page_size)
    return [ShareRewardView(id=r.id, invitee_nickname=nickname, invitee_avatar_url=avatar, order_no=order_no,
                            kind=r.kind, points=r.points, coupon_template_id=r.coupon_template_id,
                            coupon_name=coupon_name, status=r.status, reward_day=r.reward_day,
                            created_at=r.created_at, granted_at=r.granted_at)
            for r, nickname, avatar, order_no, coupon_name in session.execute(query)], total


def my_invitees(session: Session, *, user: User, page: int = 1, page_size: int = 20) -> tuple[list[InviteeView], int]:
    """The shoppers bound to me, newest binding first: whether they have paid an order, and the reward's state."""
    paid = exists(select(Order.id).where(Order.user_id == User.id, Order.paid_at.is_not(None)))
    query = (
        select(User.nickname, User.avatar_url, User.bound_at, paid, ShareReward.status)
        .outerjoin(ShareReward, (ShareReward.invitee_id == User.id) & (ShareReward.inviter_id == user.id))
        .where(User.inviter_id == user.id)
    )
    query, total = paginate(session, query, User.bound_at.desc(), User.id.desc(), page=page, page_size=page_size)
    return [InviteeView(nickname=nickname, avatar_url=avatar, bound_at=bound_at, first_order_paid=bool(has_paid),
                        reward_status=reward_status)
            for nickname, avatar, bound_at, has_paid, reward_status in session.execute(query)], total


def my_share_reward_totals(session: Session, *, user: User) -> ShareRewardTotals:
    granted = ShareReward.status == ShareRewardStatus.GRANTED

    def count_of(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    invitees = select(func.count(User.id)).where(User.inviter_id == user.id).scalar_subquery()
    row = session.execute(
        select(invitees, count_of(ShareReward.status == ShareRewardStatus.PENDING), count_of(granted),
               count_of(ShareReward.status == ShareRewardStatus.CANCELLED),
               func.coalesce(func.sum(case((granted, ShareReward.points), else_=0)), 0),
               count_of(granted & (ShareReward.kind == ShareRewardKind.COUPON)))
        .select_from(ShareReward).where(ShareReward.inviter_id == user.id)
    ).one()
    return ShareRewardTotals(*(int(v or 0) for v in row))
