"""Read models of distribution, by viewer: commission records, promotion orders, applications, distributors.

Personal data is shown through ``domain.security.disclosure``; a shopper sees only their own records and the
buyers behind them by masked nickname. Each staff read model carries the ``actions`` its viewer may take.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from domain.db import paginate
from domain.distribution.actions import (
    ApplicationAction,
    DistributorAction,
    application_actions,
    distributor_actions,
)
from domain.distribution.errors import DistributionError
from domain.errors import NotFound
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    Distributor,
    DistributorApplication,
    Order,
    OrderLine,
    User,
    WalletEntry,
    Withdrawal,
    WithdrawalStatus,
)
from domain.search import contains
from domain.security import crypto
from domain.security.actor import Actor, Shopper, Viewer
from domain.security.disclosure import Field, masked, show
from domain.security.roles import Permission


@dataclass(frozen=True)
class CommissionView:
    id: int
    order_no: str
    title: str  # the order line's
    buyer_nickname: str  # masked for shoppers: a distributor sees who bought only by a masked nickname
    beneficiary_id: int
    beneficiary_nickname: str
    level: int
    base_fen: int
    rate_bp: int
    amount_fen: int
    clawed_back_fen: int
    status: str
    created_at: datetime
    settled_at: datetime | None


def list_commissions(session: Session, *, viewer: Viewer, beneficiary_id: int | None = None,
                     status: str | None = None, level: int | None = None, order_no: str | None = None,
                     created_from: datetime | None = None, created_to: datetime | None = None, page: int = 1,
                     page_size: int = 20) -> tuple[list[CommissionView], int]:
    """Newest first; a shopper sees only their own."""
    if isinstance(viewer, Shopper):
        beneficiary_id = viewer.user_id
    buyer, beneficiary = aliased(User), aliased(User)
    query = (
        select(CommissionRecord, Order.order_no, buyer.nickname, beneficiary.nickname, OrderLine.title)
        .join(Order, Order.id == CommissionRecord.order_id)
        .join(OrderLine, OrderLine.id == CommissionRecord.order_line_id)
        .join(buyer, buyer.id == CommissionRecord.buyer_id)
        .join(beneficiary, beneficiary.id == CommissionRecord.beneficiary_id)
    )
    if beneficiary_id is not None:
        query = query.where(CommissionRecord.beneficiary_id == beneficiary_id)
    if status:
        query = query.where(CommissionRecord.status == status)
    if level:
        query = query.where(CommissionRecord.level == level)
    if order_no:
        query = query.where(contains(Order.order_no, order_no.strip()))
    if created_from:
        query = query.where(CommissionRecord.created_at >= created_from)
    if created_to:
        query = query.where(CommissionRecord.created_at < created_to)
    query, total = paginate(session, query, CommissionRecord.id.desc(), page=page, page_size=page_size)
    shown = crypto.mask_name if isinstance(viewer, Shopper) else str
    return [CommissionView(
        id=r.id, order_no=no, title=title, buyer_nickname=shown(buyer_name or ""), beneficiary_id=r.beneficiary_id,
        beneficiary_nickname=beneficiary_name or "", level=r.level, base_fen=r.base_fen, rate_bp=r.rate_bp,
        amount_fen=r.amount_fen, clawed_back_fen=r.clawed_back_fen, status=r.status, created_at=r.created_at,
        settled_at=r.settled_at,
    ) for r, no, buyer_name, beneficiary_name, title in session.execute(query)], total


@dataclass(frozen=True)
class PromotionOrder:
    order_id: int
    order_no: str
    buyer_nickname: str
    status: str
    paid_goods_fen: int
    commission_fen: int
    level: int
    created_at: datetime
    # frozen while any of its records still waits (预计佣金), settled once all that is left is settled (已得佣金),
    # cancelled when nothing is left (a whole refund).
    commission_status: str = CommissionStatus.FROZEN


def promotion_orders(session: Session, user_id: int, *, page: int = 1, page_size: int = 20) -> tuple[list[PromotionOrder], int]:
    """Orders that earned this distributor commission, with what each earned them."""
    mine = (
        select(CommissionRecord.order_id, func.min(CommissionRecord.level).label("level"),
               func.sum(CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen).label("fen"),
               func.sum(case((CommissionRecord.status == CommissionStatus.FROZEN, 1), else_=0)).label("frozen"),
               func.sum(case((CommissionRecord.status == CommissionStatus.SETTLED, 1), else_=0)).label("settled"))
        .where(CommissionRecord.beneficiary_id == user_id).group_by(CommissionRecord.order_id).subquery()
    )
    query = (
        select(Order, User.nickname, mine.c.level, mine.c.fen, mine.c.frozen, mine.c.settled)
        .join(mine, mine.c.order_id == Order.id).join(User, User.id == Order.user_id)
    )
    total = session.scalar(select(func.count()).select_from(mine)) or 0
    rows = session.execute(query.order_by(Order.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return [PromotionOrder(order_id=o.id, order_no=o.order_no, buyer_nickname=crypto.mask_name(name), status=o.status,
                           paid_goods_fen=o.payable_fen - o.shipping_fen - o.refunded_fen, commission_fen=int(fen),
                           level=int(level), created_at=o.created_at,
                           commission_status=CommissionStatus.FROZEN if frozen else CommissionStatus.SETTLED
                           if settled else CommissionStatus.CANCELLED)
            for o, name, level, fen, frozen, settled in rows], total


@dataclass(frozen=True)
class ApplicationView:
    id: int
    user_id: int
    nickname: str
    invite_code: str
    real_name: str  # in clear for reviewers (the DISTRIBUTORS permission) and the applicant, otherwise masked
    real_name_masked: str
    phone: str
    phone_masked: str
    reason: str
    status: str
    reject_reason: str
    created_at: datetime
    reviewed_at: datetime | None
    actions: tuple[ApplicationAction, ...]


def list_applications(session: Session, *, viewer: Actor, status: str | None = None, page: int = 1,
                      page_size: int = 20) -> tuple[list[ApplicationView], int]:
    """Newest first, for reviewers."""
    viewer.require(Permission.DISTRIBUTORS)
    query = select(DistributorApplication, User).join(User, User.id == DistributorApplication.user_id)
    if status:
        query = query.where(DistributorApplication.status == status)
    query, total = paginate(session, query, DistributorApplication.id.desc(), page=page, page_size=page_size)
    return [_application_view(a, u, viewer) for a, u in session.execute(query).all()], total


def application_detail(session: Session, *, viewer: Viewer, application_id: int) -> ApplicationView:
    """One application: for reviewers, or for the shopper who made it (anyone else's answers 404)."""
    if isinstance(viewer, Actor):
        viewer.require(Permission.DISTRIBUTORS)
    row = session.execute(
        select(DistributorApplication, User).join(User, User.id == DistributorApplication.user_id)
        .where(DistributorApplication.id == application_id)
    ).first()
    if row is None or (isinstance(viewer, Shopper) and row[0].user_id != viewer.user_id):
        raise NotFound(DistributionError.APPLICATION_NOT_FOUND, "申请不存在")
    return _application_view(row[0], row[1], viewer)


def _application_view(application: DistributorApplication, user: User, viewer: Viewer) -> ApplicationView:
    return ApplicationView(
        id=application.id, user_id=user.id, nickname=user.nickname, invite_code=user.invite_code,
        real_name=show(viewer, Field.APPLICANT_NAME, application.real_name_enc, owner_id=user.id),
        real_name_masked=masked(Field.APPLICANT_NAME, application.real_name_enc),
        phone=show(viewer, Field.APPLICANT_PHONE, application.phone_enc, owner_id=user.id),
        phone_masked=masked(Field.APPLICANT_PHONE, application.phone_enc),
        reason=application.reason, status=application.status, reject_reason=application.reject_reason,
        created_at=application.created_at, reviewed_at=application.reviewed_at,
        actions=application_actions(application, viewer),
    )


@dataclass(frozen=True)
class DistributorRow:
    user_id: int
    nickname: str
    invite_code: str
    is_enabled: bool
    real_name_masked: str
    level1_count: int
    level2_count: int
    available_fen: int
    frozen_fen: int
    withdrawn_fen: int
    total_earned_fen: int
    since: datetime
    disabled_reason: str
    actions: tuple[DistributorAction, ...]


def list_distributors(session: Session, *, viewer: Actor, q: str | None = None, user_id: int | None = None,
                      page: int = 1, page_size: int = 20) -> tuple[list[DistributorRow], int]:
    """Every distributor with team sizes and balances — aggregated in SQL, one query per page. The real name is
    masked for all staff; the actions are this viewer's."""
    lvl1 = aliased(User)
    lvl2 = aliased(User)
    n1 = select(func.count(lvl1.id)).where(lvl1.inviter_id == Distributor.user_id).scalar_subquery()
    n2 = (select(func.count(lvl2.id)).join(lvl1, lvl1.id == lvl2.inviter_id)
          .where(lvl1.inviter_id == Distributor.user_id).scalar_subquery())
    available = (select(func.coalesce(func.sum(WalletEntry.amount_fen), 0))
                 .where(WalletEntry.user_id == Distributor.user_id).scalar_subquery())
    frozen = (select(func.coalesce(func.sum(CommissionRecord.amount_fen), 0))
              .where(CommissionRecord.beneficiary_id == Distributor.user_id,
                     CommissionRecord.status == CommissionStatus.FROZEN).scalar_subquery())
    earned = (select(func.coalesce(func.sum(case((CommissionRecord.status != CommissionStatus.CANCELLED,
                                                  CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen),
                                                 else_=0)), 0))
              .where(CommissionRecord.beneficiary_id == Distributor.user_id).scalar_subquery())
    withdrawn = (select(func.coalesce(func.sum(Withdrawal.amount_fen), 0))
                 .where(Withdrawal.user_id == Distributor.user_id, Withdrawal.status == WithdrawalStatus.PAID)
                 .scalar_subquery())
    query = select(Distributor, User, n1, n2, available, frozen, withdrawn, earned).join(User, User.id == Distributor.user_id)
    if user_id is not None:
        query = query.where(Distributor.user_id == user_id)
    if q and q.strip():
        term = q.strip()
        query = query.where(or_(contains(User.nickname, term), User.invite_code == term.upper()))
    query, total = paginate(session, query, Distributor.created_at.desc(), page=page, page_size=page_size)
    rows = session.execute(query).all()
    return [DistributorRow(user_id=u.id, nickname=u.nickname, invite_code=u.invite_code, is_enabled=d.is_enabled,
                           real_name_masked=masked(Field.DISTRIBUTOR_NAME, d.real_name_enc),
                           level1_count=int(a), level2_count=int(b), available_fen=int(av), frozen_fen=int(fr),
                           withdrawn_fen=int(wd), total_earned_fen=int(te), since=d.created_at,
                           disabled_reason=d.disabled_reason, actions=distributor_actions(d, viewer))
            for d, u, a, b, av, fr, wd, te in rows], total


def distributor_row(session: Session, *, viewer: Actor, user_id: int) -> DistributorRow:
    """One distributor, found by user id (never by a text search that could match another's nickname)."""
    rows, _ = list_distributors(session, viewer=viewer, user_id=user_id, page_size=1)
    if not rows:
        raise NotFound(DistributionError.DISTRIBUTOR_NOT_FOUND, "分销员不存在")
    return rows[0]
