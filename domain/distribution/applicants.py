"""What a reviewer weighs before approving an application: who invited the applicant, and what they bought.

Read by viewer like every read model: reviewers (the DISTRIBUTORS permission) only. Shoppers' text (nicknames,
product titles) is returned as written; screens show it as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from domain.distribution.distributors import is_qualified
from domain.distribution.errors import DistributionError
from domain.errors import NotFound
from domain.models import (
    DistributorApplication,
    Order,
    OrderLine,
    OrderStatus,
    User,
)
from domain.security.actor import Actor
from domain.security.roles import Permission

RECENT_ORDERS = 10


@dataclass(frozen=True)
class ApplicantInviter:
    user_id: int
    nickname: str
    invite_code: str
    is_distributor: bool  # approved and enabled: earns on the applicant's team once approved
    bound_at: datetime | None  # when the applicant was bound to them


@dataclass(frozen=True)
class ApplicantOrder:
    order_no: str
    status: str
    payable_fen: int
    refunded_fen: int
    items: str  # the titles of its lines
    paid_at: datetime | None


@dataclass(frozen=True)
class ApplicantProfile:
    application_id: int
    user_id: int
    joined_at: datetime
    inviter: ApplicantInviter | None
    paid_orders: int  # orders that were paid (whatever happened after)
    paid_fen: int  # what those orders cost the applicant
    refunded_fen: int  # what was refunded of them
    recent_orders: list[ApplicantOrder]  # newest first, up to RECENT_ORDERS, paid or not


def applicant_profile(session: Session, *, viewer: Actor, application_id: int) -> ApplicantProfile:
    """The applicant's inviter and purchase history: a handful of queries, whatever the history's length."""
    viewer.require(Permission.DISTRIBUTORS)
    inviter = aliased(User)
    row = session.execute(
        select(DistributorApplication.user_id, User.created_at, User.bound_at, inviter)
        .join(User, User.id == DistributorApplication.user_id)
        .outerjoin(inviter, inviter.id == User.inviter_id)
        .where(DistributorApplication.id == application_id)
    ).first()
    if row is None:
        raise NotFound(DistributionError.APPLICATION_NOT_FOUND, "申请不存在")
    user_id, joined_at, bound_at, inviter_user = row
    paid = (select(func.count(Order.id), func.coalesce(func.sum(Order.payable_fen), 0),
                   func.coalesce(func.sum(Order.refunded_fen), 0))
            .where(Order.user_id == user_id, Order.status.in_(OrderStatus.PAID_STATES)))
    paid_orders, paid_fen, refunded_fen = session.execute(paid).one()
    orders = list(session.scalars(select(Order).where(Order.user_id == user_id)
                                  .order_by(Order.created_at.desc(), Order.id.desc()).limit(RECENT_ORDERS)))
    titles: dict[int, list[str]] = {}
    if orders:
        for order_id, title in session.execute(
            select(OrderLine.order_id, OrderLine.title).where(OrderLine.order_id.in_([o.id for o in orders]))
            .order_by(OrderLine.order_id, OrderLine.line_no)
        ):
            titles.setdefault(order_id, []).append(title)
    return ApplicantProfile(
        application_id=application_id, user_id=user_id, joined_at=joined_at,
        inviter=ApplicantInviter(
            user_id=inviter_user.id, nickname=inviter_user.nickname, invite_code=inviter_user.invite_code,
            is_distributor=is_qualified(session, inviter_user.id),
            bound_at=bound_at,
        ) if inviter_user is not None else None,
        paid_orders=int(paid_orders), paid_fen=int(paid_fen), refunded_fen=int(refunded_fen),
        recent_orders=[ApplicantOrder(order_no=o.order_no, status=o.status, payable_fen=o.payable_fen,
                                      refunded_fen=o.refunded_fen, items="、".join(titles.get(o.id, [])),
                                      paid_at=o.paid_at) for o in orders],
    )
