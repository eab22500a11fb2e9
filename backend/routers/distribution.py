"""The distribution centre (分销中心): binding, applying, sharing, team, commissions and withdrawals."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from backend.deps import CurrentUser, SessionDep, WeChatDep, limit_bind, limit_withdraw
from backend.schemas.common import SHOPPER_ERRORS, IdPath, Page, PageParams, errors, page_params
from backend.schemas.distribution import (
    ApplicationOut,
    ApplyIn,
    BalanceOut,
    CommissionOut,
    DistributionMeOut,
    PromotionOrderOut,
    TeamCountsOut,
    TeamMemberOut,
    TransferConfirmationOut,
    WithdrawalOut,
    WithdrawIn,
)
from backend.schemas.users import BindIn, BindOut
from domain.config import get_config
from domain.distribution import distributors, queries, share
from domain.distribution.binding import bind_inviter
from domain.distribution.team import team_counts, team_members
from domain.security.actor import Shopper
from domain.settings.service import get_settings
from domain.wallet import queries as withdrawals
from domain.wallet import service as wallet
from domain.wallet import transfers

router = APIRouter(prefix="/api/v1/distribution", tags=["shopper: distribution"], responses=SHOPPER_ERRORS)

PNG_CACHE = {"Cache-Control": "private, max-age=86400"}


@router.post("/bind", response_model=BindOut, dependencies=[Depends(limit_bind)], responses=errors(404, 409, 429))
def bind(body: BindIn, user: CurrentUser, session: SessionDep) -> BindOut:
    """Bind the inviter by invite code. Refusals: ``cannot_bind_self``, ``binding_cycle``, ``already_bound``,
    ``binding_closed``, ``invite_code_not_found``."""
    inviter = bind_inviter(session, user=user, invite_code=body.invite_code)
    return BindOut(inviter_id=inviter.id)


@router.post("/apply", response_model=ApplicationOut, status_code=201, responses=errors(409))
def apply(body: ApplyIn, user: CurrentUser, session: SessionDep) -> ApplicationOut:
    """Refusals: ``already_distributor``, ``application_pending``; ``invalid_real_name``, ``invalid_phone``."""
    application = distributors.apply(session, user=user, real_name=body.real_name, phone=body.phone,
                                     reason=body.reason)
    return ApplicationOut.model_validate(application)


@router.get("/me", response_model=DistributionMeOut)
def distribution_me(user: CurrentUser, session: SessionDep) -> DistributionMeOut:
    status = distributors.distributor_status(session, user.id)
    application = distributors.latest_application(session, user.id)
    settings = get_settings(session)
    n1, n2 = team_counts(session, user.id)
    base = get_config().public_url.rstrip("/")
    return DistributionMeOut(
        status=status, invite_code=user.invite_code, share_path=share.share_path(user),
        qrcode_url=f"{base}/api/v1/distribution/qrcode", poster_url=f"{base}/api/v1/distribution/poster",
        balance=BalanceOut.model_validate(wallet.balances(session, user.id)),
        team=TeamCountsOut(level1_count=n1, level2_count=n2),
        application=ApplicationOut.model_validate(application) if application else None,
        rates={"level1_bp": settings.commission_level1_bp, "level2_bp": settings.commission_level2_bp},
        withdraw_rules={"min_fen": settings.withdraw_min_fen, "max_fen": settings.withdraw_max_fen,
                        "fee_bp": settings.withdraw_fee_bp, "daily_count": settings.withdraw_daily_count},
    )


@router.get("/qrcode", response_class=Response, responses={200: {"content": {"image/png": {}}}, **errors(403, 502)})
def qrcode(user: CurrentUser, session: SessionDep, wechat: WeChatDep) -> Response:
    """The distributor's mini-program code (scene ``i=CODE``), fetched from WeChat once and cached. Refusal:
    ``not_distributor`` (403)."""
    return Response(share.qrcode_png(session, user=user, wechat=wechat), media_type="image/png", headers=PNG_CACHE)


@router.get("/poster", response_class=Response, responses={200: {"content": {"image/png": {}}}, **errors(403, 502)})
def poster(user: CurrentUser, session: SessionDep, wechat: WeChatDep) -> Response:
    """A share poster (PNG): shop name, nickname and the mini-program code."""
    return Response(share.poster_png(session, user=user, wechat=wechat), media_type="image/png", headers=PNG_CACHE)


@router.get("/team", response_model=Page[TeamMemberOut])
def team(user: CurrentUser, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
         level: Annotated[int, Query(ge=1, le=2)] = 1) -> Page[TeamMemberOut]:
    members, total = team_members(session, user.id, level=level, page=paging.page, page_size=paging.page_size)
    return Page[TeamMemberOut](items=members, total=total)


@router.get("/orders", response_model=Page[PromotionOrderOut])
def promotion_orders(user: CurrentUser, session: SessionDep,
                     paging: Annotated[PageParams, Depends(page_params)]) -> Page[PromotionOrderOut]:
    """Orders that earned this distributor commission (推广订单)."""
    rows, total = queries.promotion_orders(session, user.id, page=paging.page, page_size=paging.page_size)
    return Page[PromotionOrderOut](items=rows, total=total)


@router.get("/commissions", response_model=Page[CommissionOut])
def commissions(user: CurrentUser, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                status: Annotated[Literal["frozen", "settled", "cancelled"] | None, Query()] = None) -> Page[CommissionOut]:
    rows, total = queries.list_commissions(session, viewer=Shopper.of(user), status=status, page=paging.page,
                                           page_size=paging.page_size)
    return Page[CommissionOut](items=rows, total=total)


@router.post("/withdrawals", response_model=WithdrawalOut, status_code=201, dependencies=[Depends(limit_withdraw)],
             responses=errors(403, 409, 429))
def withdraw(body: WithdrawIn, user: CurrentUser, session: SessionDep) -> WithdrawalOut:
    """Refusals: ``withdraw_below_minimum``, ``withdraw_above_maximum``, ``insufficient_balance``,
    ``negative_balance``, ``withdraw_daily_limit``, ``real_name_required``, ``not_distributor``."""
    bank = wallet.BankAccount(**body.bank.model_dump()) if body.bank else None
    withdrawal = wallet.request_withdrawal(session, user=user, amount_fen=body.amount_fen, method=body.method,
                                           bank=bank)
    return WithdrawalOut.model_validate(withdrawals.withdrawal_detail(session, viewer=Shopper.of(user),
                                                                      withdrawal_id=withdrawal.id))


@router.get("/withdrawals", response_model=Page[WithdrawalOut])
def my_withdrawals(user: CurrentUser, session: SessionDep,
                   paging: Annotated[PageParams, Depends(page_params)]) -> Page[WithdrawalOut]:
    rows, total = withdrawals.list_withdrawals(session, viewer=Shopper.of(user), page=paging.page,
                                               page_size=paging.page_size)
    return Page[WithdrawalOut](items=rows, total=total)


@router.get("/withdrawals/{withdrawal_id}/transfer", response_model=TransferConfirmationOut,
            responses=errors(404, 409))
def withdrawal_transfer(withdrawal_id: IdPath, user: CurrentUser, session: SessionDep) -> TransferConfirmationOut:
    """What 确认收款 passes to ``wx.requestMerchantTransfer`` (``mchId``, ``appId``, ``package``) while the
    withdrawal's 商家转账 bill awaits the distributor's confirmation. Refusals: ``withdrawal_not_found`` (also
    for someone else's), ``transfer_not_awaiting_confirmation``."""
    return TransferConfirmationOut.model_validate(
        transfers.transfer_confirmation(session, user=user, withdrawal_id=withdrawal_id))
