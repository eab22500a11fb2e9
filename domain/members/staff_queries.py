"""Read models for staff (the marketing permission): member search, a member's ledger, the share rewards, and
the funnel shares → visits → bound → first orders with the rewards. Every figure is one SQL statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, distinct, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from domain import clock
from domain.db import paginate
from domain.errors import Invalid, NotFound
from domain.members.errors import MemberError
from domain.members.service import list_levels, rank_of
from domain.models import (
    GrowthEntry,
    Order,
    Share,
    ShareChannel,
    ShareReward,
    ShareRewardKind,
    ShareRewardStatus,
    ShareVisit,
    Staff,
    User,
)
from domain.search import contains
from domain.security import crypto
from domain.security.actor import Actor
from domain.security.disclosure import Field, masked
from domain.security.roles import Permission

MEMBER_SORTS = {"newest": (User.id.desc(),), "growth": (User.growth.desc(), User.id.desc())}


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    nickname: str
    avatar_url: str
    phone_masked: str
    level: int  # 0-based rank
    level_name: str
    growth: int
    orders: int  # paid orders
    spend_fen: int  # what those orders paid, less what was refunded
    inviter_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class LedgerRow:
    id: int
    kind: str
    points: int
    ref: str | None
    reason: str
    staff_username: str | None
    created_at: datetime


@dataclass(frozen=True)
class StaffShareReward:
    id: int
    inviter_id: int
    inviter_nickname: str
    invitee_id: int
    invitee_nickname: str
    order_no: str
    kind: str
    points: int | None
    coupon_template_id: int | None
    status: str
    failure: str
    reward_day: date
    created_at: datetime
    granted_at: datetime | None
    cancelled_at: datetime | None


@dataclass(frozen=True)
class ShareFunnel:
    """Shares made in the range and what followed from them; rewards created (or granted) in the range."""

    shares: int
    shares_by_channel: dict[str, int]
    visits: int  # one per visitor and share
    visitors: int
    bound: int  # visitors bound to the sharer
    first_orders: int  # of those, who have paid an order
    rewards_pending: int
    rewards_granted: int
    rewards_cancelled: int
    granted_points: int  # growth given by rewards granted in the range
    granted_coupons: int


def _orders_and_spend():
    return (select(Order.user_id, func.count(Order.id).label("orders"),
                   func.sum(Order.payable_fen - Order.refunded_fen).label("spend"))
            .where(Order.paid_at.is_not(None)).group_by(Order.user_id).subquery())


def search_members(session: Session, *, viewer: Actor, q: str | None = None, level: int | None = None,
                   sort: str = "newest", page: int = 1, page_size: int = 20) -> tuple[list[MemberRow], int]:
    """By nickname, or an 11-digit phone through the blind index (phones are never searched in clear), and by
    level rank. Phones are shown masked."""
    viewer.require(Permission.MARKETING)
    levels = list_levels(session)
    spend = _orders_and_spend()
    query = (select(User, func.coalesce(spend.c.orders, 0), func.coalesce(spend.c.spend, 0))
             .outerjoin(spend, spend.c.user_id == User.id))
    text = (q or "").strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        by_name = contains(User.nickname, text)
        query = query.where(or_(by_name, User.phone_bidx == crypto.phone_index(digits)) if len(digits) == 11
                            else by_name)
    if level is not None:
        if not 0 <= level < max(len(levels), 1):
            raise Invalid(MemberError.INVALID_LEVELS, f"会员等级需为 0–{max(len(levels) - 1, 0)}")
        level_id = levels[level].id if levels else None
        query = query.where(or_(User.member_level_id == level_id, User.member_level_id.is_(None)) if level == 0
                            else User.member_level_id == level_id)
    if sort not in MEMBER_SORTS and sort != "spend":
        raise Invalid(MemberError.INVALID_SORT, "排序可选 newest、growth、spend")
    order = MEMBER_SORTS.get(sort) or (func.coalesce(spend.c.spend, 0).desc(), User.id.desc())
    query, total = paginate(session, query, *order, page=page, page_size=page_size)
    return [_row(user, orders, spent, levels) for user, orders, spent in session.execute(query)], total


def member_detail(session: Session, *, viewer: Actor, user_id: int) -> MemberRow:
    viewer.require(Permission.MARKETING)
    spend = _orders_and_spend()
    found = session.execute(
        select(User, func.coalesce(spend.c.orders, 0), func.coalesce(spend.c.spend, 0))
        .outerjoin(spend, spend.c.user_id == User.id).where(User.id == user_id)
    ).first()
    if found is None:
        raise NotFound(MemberError.MEMBER_NOT_FOUND, "会员不存在")
    return _row(*found, list_levels(session))


def _row(user: User, orders: int, spent: int, levels) -> MemberRow:
    rank = rank_of(levels, user.member_level_id)
    return MemberRow(user_id=user.id, nickname=user.nickname, avatar_url=user.avatar_url,
                     phone_masked=masked(Field.USER_PHONE, user.phone_enc), level=rank,
                     level_name=levels[rank].name if levels else "普通会员", growth=user.growth, orders=int(orders),
                     spend_fen=int(spent), inviter_id=user.inviter_id, created_at=user.created_at)


def member_ledger(session: Session, *, viewer: Actor, user_id: int, page: int = 1,
                  page_size: int = 20) -> tuple[list[LedgerRow], int]:
    """A member's growth entries, newest first, with the adjusting staff member and the reason."""
    viewer.require(Permission.MARKETING)
    if session.get(User, user_id) is None:
        raise NotFound(MemberError.MEMBER_NOT_FOUND, "会员不存在")
    query = (select(GrowthEntry, Staff.username).outerjoin(Staff, Staff.id == GrowthEntry.staff_id)
             .where(GrowthEntry.user_id == user_id))
    query, total = paginate(session, query, GrowthEntry.id.desc(), page=page, page_size=page_size)
    return [LedgerRow(id=e.id, kind=e.kind, points=e.points, ref=e.ref, reason=e.reason, staff_username=username,
                      created_at=e.created_at) for e, username in session.execute(query)], total


def share_rewards(session: Session, *, viewer: Actor, status: str | None = None, page: int = 1,
                  page_size: int = 20) -> tuple[list[StaffShareReward], int]:
    viewer.require(Permission.MARKETING)
    inviter, invitee = aliased(User), aliased(User)
    query = (select(ShareReward, inviter.nickname, invitee.nickname, Order.order_no)
             .join(inviter, inviter.id == ShareReward.inviter_id).join(invitee, invitee.id == ShareReward.invitee_id)
             .join(Order, Order.id == ShareReward.order_id))
    if status:
        query = query.where(ShareReward.status == status)
    query, total = paginate(session, query, ShareReward.id.desc(), page=page, page_size=page_size)
    return [StaffShareReward(id=r.id, inviter_id=r.inviter_id, inviter_nickname=a, invitee_id=r.invitee_id,
                             invitee_nickname=b, order_no=order_no, kind=r.kind, points=r.points,
                             coupon_template_id=r.coupon_template_id, status=r.status, failure=r.failure,
                             reward_day=r.reward_day, created_at=r.created_at, granted_at=r.granted_at,
                             cancelled_at=r.cancelled_at)
            for r, a, b, order_no in session.execute(query)], total


def share_funnel(session: Session, *, viewer: Actor, first: date | None = None, last: date | None = None) -> ShareFunnel:
    """Shanghai days ``first``–``last`` (default: the last 30 days). One statement."""
    viewer.require(Permission.MARKETING)
    last = last or clock.local(clock.now()).date()
    first = first or last - timedelta(days=29)
    if first > last:
        raise Invalid(MemberError.INVALID_RANGE, "开始日期不能晚于结束日期")
    if first.year < 2000 or last.year > 2100:
        raise Invalid(MemberError.INVALID_RANGE, "日期需在 2000–2100 年之间")
    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    in_range = _within(Share.created_at, start, end)
    shares = select(func.count(Share.id), *[func.coalesce(func.sum(case((Share.channel == c, 1), else_=0)), 0)
                                            for c in ShareChannel]).where(in_range).subquery()
    visitor, buyers = aliased(User), (select(Order.user_id).where(Order.paid_at.is_not(None))
                                      .group_by(Order.user_id).subquery())
    is_bound = visitor.inviter_id == Share.user_id
    visits = (
        select(func.count(ShareVisit.id).label("visits"), func.count(distinct(ShareVisit.visitor_id)).label("visitors"),
               func.count(distinct(case((is_bound, ShareVisit.visitor_id)))).label("bound"),
               func.count(distinct(case((is_bound & buyers.c.user_id.is_not(None), ShareVisit.visitor_id))))
               .label("first_orders"))
        .join(Share, Share.id == ShareVisit.share_id).join(visitor, visitor.id == ShareVisit.visitor_id)
        .outerjoin(buyers, buyers.c.user_id == ShareVisit.visitor_id).where(in_range).subquery()
    )
    created = _within(ShareReward.created_at, start, end)
    granted = (ShareReward.status == ShareRewardStatus.GRANTED) & _within(ShareReward.granted_at, start, end)

    def count_of(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rewards = select(
        count_of(created & (ShareReward.status == ShareRewardStatus.PENDING)),
        count_of(created & (ShareReward.status == ShareRewardStatus.GRANTED)),
        count_of(created & (ShareReward.status == ShareRewardStatus.CANCELLED)),
        func.coalesce(func.sum(case((granted, ShareReward.points), else_=0)), 0),
        count_of(granted & (ShareReward.kind == ShareRewardKind.COUPON)),
    ).where(created | granted).subquery()
    one_row_each = select(shares, visits, rewards).select_from(shares).join(visits, true()).join(rewards, true())
    row = [int(v or 0) for v in session.execute(one_row_each).one()]
    channels = len(ShareChannel)
    return ShareFunnel(shares=row[0], shares_by_channel=dict(zip(ShareChannel, row[1:1 + channels], strict=True)),
                       visits=row[1 + channels], visitors=row[2 + channels], bound=row[3 + channels],
                       first_orders=row[4 + channels], rewards_pending=row[5 + channels],
                       rewards_granted=row[6 + channels], rewards_cancelled=row[7 + channels],
                       granted_points=row[8 + channels], granted_coupons=row[9 + channels])


def _within(column, start: datetime, end: datetime):
    return (column >= start) & (column < end)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.SHANGHAI).astimezone(UTC)
