"""The risk queue: signals with their evidence, what staff may do with each, and distributors whose withdrawals
are on review (docs/security.md, "Risk signals"; docs/state-machines.md, "Withdrawals").

Analysts and the owner read the queue (ANALYTICS); whoever pays withdrawals (WITHDRAWALS: finance, the owner)
decides: mark a signal reviewed, or put the distributor's withdrawals on review — from then on each withdrawal of
theirs waits for a second approval by another staff member, until the review is lifted. Every decision is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from domain import clock
from domain.analytics.errors import AnalyticsError
from domain.analytics.periods import Period, in_period
from domain.audit.service import record_action
from domain.db import paginate
from domain.errors import CommonError, Conflict, Forbidden, NotFound
from domain.models import (
    Distributor,
    RiskOutcome,
    RiskSignal,
    RiskStatus,
    Staff,
    User,
    Withdrawal,
    WithdrawalReview,
    WithdrawalStatus,
)
from domain.security.actor import Actor, Viewer
from domain.security.roles import Permission
from domain.text import clean_text, required_text


class RiskAction(StrEnum):
    MARK_REVIEWED = "mark_reviewed"
    HOLD_WITHDRAWALS = "hold_withdrawals"  # put the distributor's withdrawals on review


@dataclass(frozen=True)
class RiskSignalView:
    id: int
    kind: str
    distributor_id: int
    distributor_nickname: str
    user_id: int | None
    user_nickname: str
    evidence: dict
    status: str
    outcome: str | None
    review_note: str
    reviewed_by: str  # the staff member's username
    reviewed_at: datetime | None
    created_at: datetime
    withdrawals_on_review: bool
    actions: tuple[RiskAction, ...]


@dataclass(frozen=True)
class WithdrawalReviewView:
    user_id: int
    nickname: str
    reason: str
    signal_id: int | None
    placed_by: str
    created_at: datetime
    pending_withdrawals: int


def risk_signal_actions(signal: RiskSignal, viewer: Viewer, *, on_review: bool) -> tuple[RiskAction, ...]:
    """What this viewer may do with this signal now: only open signals, only staff who decide withdrawals."""
    if signal.status != RiskStatus.OPEN or not viewer.can(Permission.WITHDRAWALS):
        return ()
    return (RiskAction.MARK_REVIEWED,) if on_review else (RiskAction.MARK_REVIEWED, RiskAction.HOLD_WITHDRAWALS)


def _require_reader(viewer: Viewer) -> None:
    if not (viewer.can(Permission.ANALYTICS) or viewer.can(Permission.WITHDRAWALS)):
        raise Forbidden(CommonError.FORBIDDEN, "当前角色无权查看风险信号")


def list_risk_signals(session: Session, *, viewer: Viewer, status: str | None = RiskStatus.OPEN,
                      kind: str | None = None, distributor_id: int | None = None, raised_in: Period | None = None,
                      page: int = 1, page_size: int = 20) -> tuple[list[RiskSignalView], int]:
    """The queue, newest first; by default only the open signals (``status=None``: all)."""
    _require_reader(viewer)
    query = _signals()
    if status:
        query = query.where(RiskSignal.status == status)
    if kind:
        query = query.where(RiskSignal.kind == kind)
    if distributor_id is not None:
        query = query.where(RiskSignal.distributor_id == distributor_id)
    if raised_in is not None:
        query = query.where(*in_period(RiskSignal.created_at, raised_in))
    query, total = paginate(session, query, RiskSignal.id.desc(), page=page, page_size=page_size)
    return [_view(row, viewer) for row in session.execute(query).all()], total


def risk_signal_detail(session: Session, *, viewer: Viewer, signal_id: int) -> RiskSignalView:
    _require_reader(viewer)
    row = session.execute(_signals().where(RiskSignal.id == signal_id)).first()
    if row is None:
        raise NotFound(AnalyticsError.SIGNAL_NOT_FOUND, "风险信号不存在")
    return _view(row, viewer)


def _signals():
    distributor, buyer = aliased(User), aliased(User)
    return (select(RiskSignal, distributor.nickname, buyer.nickname, Staff.username, WithdrawalReview.user_id)
            .join(distributor, distributor.id == RiskSignal.distributor_id)
            .outerjoin(buyer, buyer.id == RiskSignal.user_id)
            .outerjoin(Staff, Staff.id == RiskSignal.reviewed_by)
            .outerjoin(WithdrawalReview, WithdrawalReview.user_id == RiskSignal.distributor_id))


def _view(row, viewer: Viewer) -> RiskSignalView:
    signal, distributor_name, buyer_name, reviewer, on_review = row
    return RiskSignalView(
        id=signal.id, kind=signal.kind, distributor_id=signal.distributor_id,
        distributor_nickname=distributor_name or "", user_id=signal.user_id, user_nickname=buyer_name or "",
        evidence=dict(signal.evidence or {}), status=signal.status, outcome=signal.outcome,
        review_note=signal.review_note, reviewed_by=reviewer or "", reviewed_at=signal.reviewed_at,
        created_at=signal.created_at, withdrawals_on_review=on_review is not None,
        actions=risk_signal_actions(signal, viewer, on_review=on_review is not None),
    )


def _open_signal(session: Session, signal_id: int) -> RiskSignal:
    signal = session.scalar(select(RiskSignal).where(RiskSignal.id == signal_id).with_for_update()
                            .execution_options(populate_existing=True))
    if signal is None:
        raise NotFound(AnalyticsError.SIGNAL_NOT_FOUND, "风险信号不存在")
    if signal.status != RiskStatus.OPEN:
        raise Conflict(AnalyticsError.SIGNAL_ALREADY_REVIEWED, "该风险信号已处理")
    return signal


def _close(session: Session, actor: Actor, signal: RiskSignal, outcome: RiskOutcome, note: str) -> None:
    signal.status, signal.outcome, signal.review_note = RiskStatus.REVIEWED, outcome, note
    signal.reviewed_by, signal.reviewed_at = actor.staff_id, clock.now()
    session.flush()
    record_action(session, actor=actor, action="risk.review", entity_type="risk_signal", entity_id=signal.id,
                  before={"status": RiskStatus.OPEN},
                  after={"status": RiskStatus.REVIEWED, "outcome": outcome, "note": note})


def mark_signal_reviewed(session: Session, *, actor: Actor, signal_id: int, note: str = "") -> RiskSignal:
    """Looked at, nothing to do: the signal leaves the queue with the reviewer's note."""
    actor.require(Permission.WITHDRAWALS)
    signal = _open_signal(session, signal_id)
    _close(session, actor, signal, RiskOutcome.DISMISSED, (clean_text(note) or "")[:200])
    return signal


def hold_withdrawals(session: Session, *, actor: Actor, signal_id: int, reason: str) -> RiskSignal:
    """Put the signal's distributor on withdrawal review, and close the signal with that outcome."""
    actor.require(Permission.WITHDRAWALS)
    signal = _open_signal(session, signal_id)
    review = place_on_review(session, actor=actor, user_id=signal.distributor_id, reason=reason, signal_id=signal.id)
    _close(session, actor, signal, RiskOutcome.WITHDRAWALS_ON_REVIEW, review.reason)
    return signal


def place_on_review(session: Session, *, actor: Actor, user_id: int, reason: str,
                    signal_id: int | None = None) -> WithdrawalReview:
    """From now on every withdrawal of this distributor, those already pending included, needs a second
    approval by another staff member."""
    actor.require(Permission.WITHDRAWALS)
    reason = required_text(reason, code=CommonError.REASON_REQUIRED, message="请填写原因（1–200 个字）")
    if session.get(Distributor, user_id) is None:
        raise NotFound(AnalyticsError.DISTRIBUTOR_NOT_FOUND, "分销员不存在")
    if session.get(WithdrawalReview, user_id) is not None:
        raise Conflict(AnalyticsError.ALREADY_ON_REVIEW, "该分销员的提现已在复核中")
    review = WithdrawalReview(user_id=user_id, reason=reason, signal_id=signal_id, placed_by=actor.staff_id)
    session.add(review)
    pending = session.execute(
        update(Withdrawal).where(Withdrawal.user_id == user_id, Withdrawal.status == WithdrawalStatus.PENDING)
        .values(second_approval_required=True).execution_options(synchronize_session="fetch")).rowcount
    session.flush()
    record_action(session, actor=actor, action="withdrawal_review.place", entity_type="distributor",
                  entity_id=user_id, after={"reason": reason, "signal_id": signal_id, "pending_withdrawals": pending})
    return review


def lift_review(session: Session, *, actor: Actor, user_id: int) -> None:
    """Withdrawals need one approval again, those pending included (a first approval given meanwhile is kept
    on record but no longer waits for a second)."""
    actor.require(Permission.WITHDRAWALS)
    review = session.get(WithdrawalReview, user_id)
    if review is None:
        raise Conflict(AnalyticsError.NOT_ON_REVIEW, "该分销员的提现不在复核中")
    session.delete(review)
    session.execute(
        update(Withdrawal).where(Withdrawal.user_id == user_id, Withdrawal.status == WithdrawalStatus.PENDING)
        .values(second_approval_required=False).execution_options(synchronize_session="fetch"))
    session.flush()
    record_action(session, actor=actor, action="withdrawal_review.lift", entity_type="distributor",
                  entity_id=user_id, before={"reason": review.reason})


def list_reviews(session: Session, *, viewer: Viewer) -> list[WithdrawalReviewView]:
    """Distributors whose withdrawals are on review, most recent first, with how many withdrawals wait."""
    _require_reader(viewer)
    waiting = (select(Withdrawal.user_id, func.count().label("n"))
               .where(Withdrawal.status == WithdrawalStatus.PENDING).group_by(Withdrawal.user_id).subquery())
    rows = session.execute(
        select(WithdrawalReview, User.nickname, Staff.username, func.coalesce(waiting.c.n, 0))
        .join(User, User.id == WithdrawalReview.user_id)
        .outerjoin(Staff, Staff.id == WithdrawalReview.placed_by)
        .outerjoin(waiting, waiting.c.user_id == WithdrawalReview.user_id)
        .order_by(WithdrawalReview.created_at.desc(), WithdrawalReview.user_id)
    ).all()
    return [WithdrawalReviewView(user_id=r.user_id, nickname=nickname or "", reason=r.reason, signal_id=r.signal_id,
                                 placed_by=staff or "", created_at=r.created_at, pending_withdrawals=int(n))
            for r, nickname, staff, n in rows]
