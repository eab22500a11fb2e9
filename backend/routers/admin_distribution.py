"""Staff: distributor review, distributors and their teams, commission records and withdrawals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from backend.deps import CurrentActor, SessionDep, WeChatDep
from backend.schemas.common import IdPath, IdQuery, Page, PageParams, page_params
from backend.schemas.distribution import (
    AdminApplicationOut,
    AdminWithdrawalOut,
    CommissionOut,
    DisableIn,
    DistributorOut,
    MarkPaidIn,
    TeamMemberOut,
    commission_out,
    withdrawal_out,
)
from backend.schemas.orders import RejectIn
from domain.distribution import distributors, queries
from domain.distribution.team import team_members
from domain.models import User
from domain.security import crypto
from domain.security.roles import Permission
from domain.wallet import service as wallet

router = APIRouter(prefix="/api/v1/admin", tags=["admin: distribution"])


def _application_out(application, user) -> AdminApplicationOut:
    return AdminApplicationOut(
        id=application.id, user_id=user.id, nickname=user.nickname,
        real_name=crypto.decrypt(application.real_name_enc), phone=crypto.decrypt(application.phone_enc),
        reason=application.reason, status=application.status, reject_reason=application.reject_reason,
        created_at=application.created_at, reviewed_at=application.reviewed_at,
    )


@router.get("/distributor-applications", response_model=Page[AdminApplicationOut])
def applications(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                 status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None
                 ) -> Page[AdminApplicationOut]:
    actor.require(Permission.DISTRIBUTORS)
    rows, total = queries.list_applications(session, status=status, page=paging.page, page_size=paging.page_size)
    return Page(items=[_application_out(a, u) for a, u in rows], total=total)


@router.post("/distributor-applications/{application_id}/approve", response_model=AdminApplicationOut)
def approve_application(application_id: IdPath, actor: CurrentActor, session: SessionDep) -> AdminApplicationOut:
    application = distributors.approve_application(session, actor=actor, application_id=application_id)
    return _application_out(application, session.get(User, application.user_id))


@router.post("/distributor-applications/{application_id}/reject", response_model=AdminApplicationOut)
def reject_application(application_id: IdPath, body: RejectIn, actor: CurrentActor,
                       session: SessionDep) -> AdminApplicationOut:
    application = distributors.reject_application(session, actor=actor, application_id=application_id,
                                                   reason=body.reason)
    return _application_out(application, session.get(User, application.user_id))


@router.get("/distributors", response_model=Page[DistributorOut])
def list_distributors(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                      q: Annotated[str | None, Query(max_length=32)] = None) -> Page[DistributorOut]:
    actor.require(Permission.DISTRIBUTORS)
    rows, total = queries.list_distributors(session, q=q, page=paging.page, page_size=paging.page_size)
    return Page(items=[DistributorOut(**r.__dict__) for r in rows], total=total)


@router.get("/distributors/{user_id}/team", response_model=Page[TeamMemberOut])
def distributor_team(user_id: IdPath, actor: CurrentActor, session: SessionDep,
                     paging: Annotated[PageParams, Depends(page_params)],
                     level: Annotated[int, Query(ge=1, le=2)] = 1) -> Page[TeamMemberOut]:
    actor.require(Permission.DISTRIBUTORS)
    members, total = team_members(session, user_id, level=level, page=paging.page, page_size=paging.page_size)
    return Page(items=[TeamMemberOut(**m.__dict__) for m in members], total=total)


@router.post("/distributors/{user_id}/disable", response_model=DistributorOut)
def disable(user_id: IdPath, actor: CurrentActor, session: SessionDep, body: DisableIn | None = None) -> DistributorOut:
    distributors.set_enabled(session, actor=actor, user_id=user_id, enabled=False, reason=body.reason if body else "")
    return _distributor(session, user_id)


@router.post("/distributors/{user_id}/enable", response_model=DistributorOut)
def enable(user_id: IdPath, actor: CurrentActor, session: SessionDep) -> DistributorOut:
    distributors.set_enabled(session, actor=actor, user_id=user_id, enabled=True)
    return _distributor(session, user_id)


def _distributor(session, user_id: int) -> DistributorOut:
    return DistributorOut(**queries.distributor_row(session, user_id).__dict__)


@router.get("/commissions", response_model=Page[CommissionOut])
def list_commissions(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                     status: Annotated[Literal["frozen", "settled", "cancelled"] | None, Query()] = None,
                     level: Annotated[int | None, Query(ge=1, le=2)] = None,
                     beneficiary_id: IdQuery = None,
                     order_no: Annotated[str | None, Query(max_length=32)] = None,
                     created_from: datetime | None = None, created_to: datetime | None = None) -> Page[CommissionOut]:
    actor.require(Permission.COMMISSIONS_READ)
    rows, total = queries.list_commissions(session, beneficiary_id=beneficiary_id, status=status, level=level,
                                           order_no=order_no, created_from=created_from, created_to=created_to,
                                           page=paging.page, page_size=paging.page_size)
    return Page(items=[commission_out(r) for r in rows], total=total)


def _admin_withdrawal(session, w) -> AdminWithdrawalOut:
    nickname = session.scalar(select(User.nickname).where(User.id == w.user_id)) or ""
    return AdminWithdrawalOut(**withdrawal_out(w).model_dump(), user_id=w.user_id, nickname=nickname)


@router.get("/withdrawals", response_model=Page[AdminWithdrawalOut])
def list_withdrawals(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                     status: Annotated[Literal["pending", "approved", "paid", "rejected", "failed"] | None,
                                       Query()] = None) -> Page[AdminWithdrawalOut]:
    actor.require(Permission.WITHDRAWALS)
    rows, total = wallet.list_withdrawals(session, status=status, page=paging.page, page_size=paging.page_size)
    names = dict(session.execute(select(User.id, User.nickname).where(User.id.in_({w.user_id for w in rows}))).all())
    return Page(items=[AdminWithdrawalOut(**withdrawal_out(w).model_dump(), user_id=w.user_id,
                                          nickname=names.get(w.user_id, "")) for w in rows], total=total)


@router.post("/withdrawals/{withdrawal_id}/approve", response_model=AdminWithdrawalOut)
def approve_withdrawal(withdrawal_id: IdPath, actor: CurrentActor, session: SessionDep,
                       wechat: WeChatDep) -> AdminWithdrawalOut:
    """WeChat payouts are transferred at once (the withdrawal number is the idempotency key); a failed
    transfer marks it ``failed`` and releases the hold."""
    return _admin_withdrawal(session, wallet.approve_withdrawal(session, actor=actor, withdrawal_id=withdrawal_id,
                                                                wechat=wechat))


@router.post("/withdrawals/{withdrawal_id}/reject", response_model=AdminWithdrawalOut)
def reject_withdrawal(withdrawal_id: IdPath, body: RejectIn, actor: CurrentActor, session: SessionDep) -> AdminWithdrawalOut:
    return _admin_withdrawal(session, wallet.reject_withdrawal(session, actor=actor, withdrawal_id=withdrawal_id,
                                                               reason=body.reason))


@router.post("/withdrawals/{withdrawal_id}/mark-paid", response_model=AdminWithdrawalOut)
def mark_paid(withdrawal_id: IdPath, body: MarkPaidIn, actor: CurrentActor, session: SessionDep) -> AdminWithdrawalOut:
    return _admin_withdrawal(session, wallet.mark_withdrawal_paid(session, actor=actor, withdrawal_id=withdrawal_id,
                                                                  reference=body.reference))
