"""Becoming a distributor: apply, review, disable and enable."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import clock
from domain.audit.service import record_action
from domain.distribution.actions import (
    ApplicationAction,
    DistributorAction,
    application_actions,
    distributor_actions,
)
from domain.distribution.errors import DistributionError
from domain.errors import Conflict, Invalid, NotFound
from domain.models import (
    ApplicationStatus,
    Distributor,
    DistributorApplication,
    User,
    Wallet,
)
from domain.security import crypto
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import get_settings
from domain.text import reject_reason, required_text


def distributor_status(session: Session, user_id: int) -> str:
    """none | pending | approved | rejected | disabled — as the shopper sees it."""
    distributor = session.get(Distributor, user_id)
    if distributor is not None:
        return "approved" if distributor.is_enabled else "disabled"
    if get_settings(session).distributor_mode == "auto":
        return "approved"  # everyone is a distributor; the row is made on first use
    latest = session.scalar(
        select(DistributorApplication.status)
        .where(DistributorApplication.user_id == user_id)
        .order_by(DistributorApplication.id.desc())
        .limit(1)
    )
    return latest or "none"


def is_qualified(session: Session, user_id: int) -> bool:
    """Approved and enabled right now — the test for earning commission."""
    distributor = session.get(Distributor, user_id)
    if distributor is not None:
        return distributor.is_enabled
    return get_settings(session).distributor_mode == "auto"


def ensure_distributor(session: Session, user_id: int) -> Distributor:
    """The distributor row (and its wallet), made on first need in ``auto`` mode."""
    distributor = session.get(Distributor, user_id)
    if distributor is None:
        distributor = Distributor(user_id=user_id, is_enabled=True)
        session.add(distributor)
        if session.get(Wallet, user_id) is None:
            session.add(Wallet(user_id=user_id))
        session.flush()
    return distributor


def apply(session: Session, *, user: User, real_name: str, phone: str, reason: str = "") -> DistributorApplication:
    real_name = (real_name or "").strip()
    if not 2 <= len(real_name) <= 20:
        raise Invalid(DistributionError.INVALID_REAL_NAME, "请填写 2–20 个字的真实姓名")
    digits = crypto.parse_mobile(phone)
    if len(reason or "") > 300:
        raise Invalid(DistributionError.INVALID_REASON, "申请理由不能超过 300 字")
    status = distributor_status(session, user.id)
    if status in ("approved", "disabled"):
        raise Conflict(DistributionError.ALREADY_DISTRIBUTOR, "您已经是分销员")
    if status == "pending":
        raise Conflict(DistributionError.APPLICATION_PENDING, "申请正在审核中，请耐心等待")
    application = DistributorApplication(
        user_id=user.id, real_name_enc=crypto.encrypt(real_name), phone_enc=crypto.encrypt(digits),
        phone_bidx=crypto.phone_index(digits), reason=(reason or "").strip(),
    )
    session.add(application)
    session.flush()
    if get_settings(session).distributor_mode == "auto":
        _approve(session, application)
    return application


def approve_application(session: Session, *, actor: Actor, application_id: int) -> DistributorApplication:
    actor.require(Permission.DISTRIBUTORS)
    application = _reviewable(session, application_id, actor, ApplicationAction.APPROVE)
    _approve(session, application, actor=actor)
    record_action(session, actor=actor, action="distributor.approve", entity_type="distributor_application",
                  entity_id=application.id, before={"status": "pending"},
                  after={"status": "approved", "user_id": application.user_id})
    return application


def reject_application(session: Session, *, actor: Actor, application_id: int, reason: str) -> DistributorApplication:
    actor.require(Permission.DISTRIBUTORS)
    reason = reject_reason(reason)
    application = _reviewable(session, application_id, actor, ApplicationAction.REJECT)
    application.status = ApplicationStatus.REJECTED
    application.reject_reason = reason[:200]
    application.reviewed_by = actor.staff_id
    application.reviewed_at = clock.now()
    session.flush()
    record_action(session, actor=actor, action="distributor.reject", entity_type="distributor_application",
                  entity_id=application.id, before={"status": "pending"},
                  after={"status": "rejected", "reason": application.reject_reason})
    return application


def set_enabled(session: Session, *, actor: Actor, user_id: int, enabled: bool, reason: str = "") -> Distributor:
    """Disable (a reason is required, and kept with the distributor) or enable a distributor's right to earn."""
    actor.require(Permission.DISTRIBUTORS)
    if not enabled:
        reason = required_text(reason, code=DistributionError.REASON_REQUIRED, message="请填写停用原因")
    distributor = session.get(Distributor, user_id)
    if distributor is None:
        if session.get(User, user_id) is None or get_settings(session).distributor_mode != "auto":
            raise NotFound(DistributionError.DISTRIBUTOR_NOT_FOUND, "分销员不存在")
        distributor = ensure_distributor(session, user_id)
    action = DistributorAction.ENABLE if enabled else DistributorAction.DISABLE
    if action not in distributor_actions(distributor, actor):
        if enabled:
            raise Conflict(DistributionError.DISTRIBUTOR_ALREADY_ENABLED, "该分销员未被停用")
        raise Conflict(DistributionError.DISTRIBUTOR_ALREADY_DISABLED, "该分销员已停用")
    before = {"is_enabled": distributor.is_enabled}
    distributor.is_enabled = enabled
    distributor.disabled_reason = "" if enabled else reason
    session.flush()
    record_action(session, actor=actor, action="distributor.enable" if enabled else "distributor.disable",
                  entity_type="distributor", entity_id=user_id, before=before,
                  after={"is_enabled": enabled, "reason": distributor.disabled_reason})
    return distributor


def latest_application(session: Session, user_id: int) -> DistributorApplication | None:
    return session.scalar(
        select(DistributorApplication).where(DistributorApplication.user_id == user_id)
        .order_by(DistributorApplication.id.desc()).limit(1)
    )


def _reviewable(session: Session, application_id: int, actor: Actor,
                action: ApplicationAction) -> DistributorApplication:
    application = session.get(DistributorApplication, application_id)
    if application is None:
        raise NotFound(DistributionError.APPLICATION_NOT_FOUND, "申请不存在")
    if action not in application_actions(application, actor):
        raise Conflict(DistributionError.APPLICATION_ALREADY_REVIEWED, "该申请已审核")
    return application


def _approve(session: Session, application: DistributorApplication, actor: Actor | None = None) -> None:
    application.status = ApplicationStatus.APPROVED
    application.reviewed_by = actor.staff_id if actor else None
    application.reviewed_at = clock.now()
    distributor = ensure_distributor(session, application.user_id)
    distributor.is_enabled = True
    distributor.real_name_enc = application.real_name_enc
    distributor.phone_enc = application.phone_enc
    distributor.application_id = application.id
    session.flush()
