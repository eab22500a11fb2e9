"""Staff: distributor review, distributors and their teams, commission records and withdrawals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from backend.deps import CurrentActor, SessionDep, WeChatDep
from backend.schemas.common import STAFF_ERRORS, IdPath, IdQuery, Page, PageParams, errors, page_params
from backend.schemas.distribution import (
    AdminApplicationOut,
    AdminWithdrawalOut,
    CommissionOut,
    DisableIn,
    DistributorOut,
    MarkPaidIn,
    RevealedAccountOut,
    TeamMemberOut,
)
from backend.schemas.orders import RejectIn
from domain.distribution import distributors, queries
from domain.distribution.team import team_members
from domain.security.roles import Permission
from domain.wallet import queries as withdrawals
from domain.wallet import service as wallet

router = APIRouter(prefix="/api/v1/admin", tags=["admin: distribution"], responses=STAFF_ERRORS)


@router.get("/distributor-applications", response_model=Page[AdminApplicationOut])
def applications(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                 status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None
                 ) -> Page[AdminApplicationOut]:
    rows, total = queries.list_applications(session, viewer=actor, status=status, page=paging.page,
                                            page_size=paging.page_size)
    return Page[AdminApplicationOut](items=rows, total=total)


@router.post("/distributor-applications/{application_id}/approve", response_model=AdminApplicationOut,
             responses=errors(404, 409))
def approve_application(application_id: IdPath, actor: CurrentActor, session: SessionDep) -> AdminApplicationOut:
    """Refusals: ``application_not_found``, ``application_already_reviewed``."""
    distributors.approve_application(session, actor=actor, application_id=application_id)
    return _application(session, actor, application_id)


@router.post("/distributor-applications/{application_id}/reject", response_model=AdminApplicationOut,
             responses=errors(404, 409))
def reject_application(application_id: IdPath, body: RejectIn, actor: CurrentActor,
                       session: SessionDep) -> AdminApplicationOut:
    """Refusals: ``application_not_found``, ``application_already_reviewed``, ``reason_required`` (422)."""
    distributors.reject_application(session, actor=actor, application_id=application_id, reason=body.reason)
    return _application(session, actor, application_id)


def _application(session, actor, application_id: int) -> AdminApplicationOut:
    return AdminApplicationOut.model_validate(
        queries.application_detail(session, viewer=actor, application_id=application_id))


@router.get("/distributors", response_model=Page[DistributorOut])
def list_distributors(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                      q: Annotated[str | None, Query(max_length=32)] = None) -> Page[DistributorOut]:
    actor.require(Permission.DISTRIBUTORS)
    rows, total = queries.list_distributors(session, viewer=actor, q=q, page=paging.page, page_size=paging.page_size)
    return Page[DistributorOut](items=rows, total=total)


@router.get("/distributors/{user_id}/team", response_model=Page[TeamMemberOut], responses=errors(404))
def distributor_team(user_id: IdPath, actor: CurrentActor, session: SessionDep,
                     paging: Annotated[PageParams, Depends(page_params)],
                     level: Annotated[int, Query(ge=1, le=2)] = 1) -> Page[TeamMemberOut]:
    """Refusal: ``distributor_not_found``."""
    actor.require(Permission.DISTRIBUTORS)
    queries.distributor_row(session, viewer=actor, user_id=user_id)  # 404 for anyone who is not a distributor
    members, total = team_members(session, user_id, level=level, page=paging.page, page_size=paging.page_size)
    return Page[TeamMemberOut](items=members, total=total)


@router.post("/distributors/{user_id}/disable", response_model=DistributorOut, responses=errors(404, 409))
def disable(user_id: IdPath, actor: CurrentActor, session: SessionDep, body: DisableIn | None = None) -> DistributorOut:
    """Stops the distributor earning from the next order. Refusals: ``reason_required`` (422),
    ``distributor_not_found``, ``distributor_already_disabled``."""
    distributors.set_enabled(session, actor=actor, user_id=user_id, enabled=False, reason=body.reason if body else "")
    return _distributor(session, actor, user_id)


@router.post("/distributors/{user_id}/enable", response_model=DistributorOut, responses=errors(404, 409))
def enable(user_id: IdPath, actor: CurrentActor, session: SessionDep) -> DistributorOut:
    """Refusals: ``distributor_not_found``, ``distributor_already_enabled``."""
    distributors.set_enabled(session, actor=actor, user_id=user_id, enabled=True)
    return _distributor(session, actor, user_id)


def _distributor(session, actor, user_id: int) -> DistributorOut:
    return DistributorOut.model_validate(queries.distributor_row(session, viewer=actor, user_id=user_id))


@router.get("/commissions", response_model=Page[CommissionOut])
def list_commissions(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                     status: Annotated[Literal["frozen", "settled", "cancelled"] | None, Query()] = None,
                     level: Annotated[int | None, Query(ge=1, le=2)] = None,
                     beneficiary_id: IdQuery = None,
                     order_no: Annotated[str | None, Query(max_length=32)] = None,
                     created_from: datetime | None = None, created_to: datetime | None = None) -> Page[CommissionOut]:
    actor.require(Permission.COMMISSIONS_READ)
    rows, total = queries.list_commissions(session, viewer=actor, beneficiary_id=beneficiary_id, status=status,
                                           level=level, order_no=order_no, created_from=created_from,
                                           created_to=created_to, page=paging.page, page_size=paging.page_size)
    return Page[CommissionOut](items=rows, total=total)


@router.get("/withdrawals", response_model=Page[AdminWithdrawalOut])
def list_withdrawals(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                     status: Annotated[Literal["pending", "approved", "paid", "rejected", "failed"] | None,
                                       Query()] = None) -> Page[AdminWithdrawalOut]:
    """Bank accounts are masked here; ``reveal-account`` shows one in full."""
    rows, total = withdrawals.list_withdrawals(session, viewer=actor, status=status, page=paging.page,
                                               page_size=paging.page_size)
    return Page[AdminWithdrawalOut](items=rows, total=total)


@router.post("/withdrawals/{withdrawal_id}/approve", response_model=AdminWithdrawalOut, responses=errors(404, 409))
def approve_withdrawal(withdrawal_id: IdPath, actor: CurrentActor, session: SessionDep,
                       wechat: WeChatDep) -> AdminWithdrawalOut:
    """WeChat payouts are transferred at once (the withdrawal number is the idempotency key); a failed
    transfer marks it ``failed`` and releases the hold, an unclear one leaves it approved, and approving again
    retries it. Refusals: ``withdrawal_not_found``, ``withdrawal_not_pending``."""
    wallet.approve_withdrawal(session, actor=actor, withdrawal_id=withdrawal_id, wechat=wechat)
    return _withdrawal(session, actor, withdrawal_id)


@router.post("/withdrawals/{withdrawal_id}/reject", response_model=AdminWithdrawalOut, responses=errors(404, 409))
def reject_withdrawal(withdrawal_id: IdPath, body: RejectIn, actor: CurrentActor, session: SessionDep) -> AdminWithdrawalOut:
    """Releases the hold. Refusals: ``withdrawal_not_found``, ``withdrawal_not_pending``, ``reason_required``
    (422)."""
    wallet.reject_withdrawal(session, actor=actor, withdrawal_id=withdrawal_id, reason=body.reason)
    return _withdrawal(session, actor, withdrawal_id)


@router.post("/withdrawals/{withdrawal_id}/mark-paid", response_model=AdminWithdrawalOut, responses=errors(404, 409))
def mark_paid(withdrawal_id: IdPath, body: MarkPaidIn, actor: CurrentActor, session: SessionDep) -> AdminWithdrawalOut:
    """An approved bank withdrawal, paid by hand. Refusals: ``withdrawal_not_found``, ``not_bank_withdrawal``,
    ``withdrawal_not_approved``, ``withdrawal_not_pending``, ``reference_required`` (422)."""
    wallet.mark_withdrawal_paid(session, actor=actor, withdrawal_id=withdrawal_id, reference=body.reference)
    return _withdrawal(session, actor, withdrawal_id)


@router.post("/withdrawals/{withdrawal_id}/reveal-account", response_model=RevealedAccountOut,
             responses=errors(404, 409))
def reveal_account(withdrawal_id: IdPath, actor: CurrentActor, session: SessionDep) -> RevealedAccountOut:
    """A bank withdrawal's full account number and holder, for paying it by hand; each call is written to the
    audit log (``withdrawal.reveal_account``). Refusals: ``withdrawal_not_found``, ``not_bank_withdrawal``."""
    return RevealedAccountOut.model_validate(
        withdrawals.reveal_withdrawal_account(session, actor=actor, withdrawal_id=withdrawal_id))


def _withdrawal(session, actor, withdrawal_id: int) -> AdminWithdrawalOut:
    return AdminWithdrawalOut.model_validate(
        withdrawals.withdrawal_detail(session, viewer=actor, withdrawal_id=withdrawal_id))
