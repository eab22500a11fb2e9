from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from backend.schemas.common import MAX_FEN, Strict


class ApplyIn(Strict):
    real_name: str = Field(min_length=2, max_length=20)
    phone: str = Field(min_length=11, max_length=20)
    reason: str = Field("", max_length=300)


class ApplicationOut(BaseModel):
    id: int
    status: str
    reject_reason: str = ""
    created_at: datetime


class BalanceOut(BaseModel):
    available_fen: int
    frozen_fen: int
    withdrawing_fen: int
    withdrawn_fen: int
    total_earned_fen: int


class TeamCountsOut(BaseModel):
    level1_count: int
    level2_count: int


class DistributionMeOut(BaseModel):
    status: Literal["none", "pending", "approved", "rejected", "disabled"]
    invite_code: str
    share_path: str
    qrcode_url: str
    poster_url: str
    balance: BalanceOut
    team: TeamCountsOut
    application: ApplicationOut | None = None
    rates: dict[str, int]
    withdraw_rules: dict[str, int]


class TeamMemberOut(BaseModel):
    user_id: int
    nickname: str
    avatar_url: str
    level: int
    joined_at: datetime | None
    order_count: int
    order_amount_fen: int
    inviter_id: int | None
    inviter_nickname: str


class CommissionOut(BaseModel):
    id: int
    order_no: str
    title: str
    buyer_nickname: str
    level: int
    base_fen: int
    rate_bp: int
    amount_fen: int
    clawed_back_fen: int
    status: Literal["frozen", "settled", "cancelled"]
    created_at: datetime
    settled_at: datetime | None


class PromotionOrderOut(BaseModel):
    order_id: int
    order_no: str
    buyer_nickname: str
    status: str
    paid_goods_fen: int
    commission_fen: int
    level: int
    created_at: datetime


class BankIn(Strict):
    bank_name: str = Field(min_length=2, max_length=64)
    account_name: str = Field(min_length=2, max_length=32)
    account_no: str = Field(min_length=12, max_length=40)


class WithdrawIn(Strict):
    amount_fen: int = Field(gt=0, le=MAX_FEN)
    method: Literal["wechat", "bank"] = "wechat"
    bank: BankIn | None = None


class WithdrawalOut(BaseModel):
    id: int
    withdrawal_no: str
    status: Literal["pending", "approved", "paid", "rejected", "failed"]
    amount_fen: int
    fee_fen: int
    payout_fen: int
    method: str
    bank_name: str
    account_no_masked: str
    reject_reason: str
    failure: str
    payout_ref: str
    created_at: datetime
    paid_at: datetime | None


class AdminApplicationOut(BaseModel):
    id: int
    user_id: int
    nickname: str
    real_name: str
    phone: str
    reason: str
    status: str
    reject_reason: str
    created_at: datetime
    reviewed_at: datetime | None


class DistributorOut(BaseModel):
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


class AdminWithdrawalOut(WithdrawalOut):
    user_id: int
    nickname: str


class DisableIn(Strict):
    reason: str = Field("", max_length=200)


class MarkPaidIn(Strict):
    reference: str = Field(min_length=1, max_length=64)


def withdrawal_out(w) -> WithdrawalOut:
    from domain.security import crypto

    account = crypto.decrypt_optional(w.account_no_enc) or ""
    return WithdrawalOut(
        id=w.id, withdrawal_no=w.withdrawal_no, status=w.status, amount_fen=w.amount_fen, fee_fen=w.fee_fen,
        payout_fen=w.payout_fen, method=w.method, bank_name=w.bank_name,
        account_no_masked=f"**** {account[-4:]}" if account else "", reject_reason=w.reject_reason,
        failure=w.failure, payout_ref=w.payout_ref, created_at=w.created_at, paid_at=w.paid_at,
    )


def commission_out(row) -> CommissionOut:
    from domain.security import crypto

    r = row.record
    return CommissionOut(id=r.id, order_no=row.order_no, title=row.line_title,
                         buyer_nickname=crypto.mask_name(row.buyer_nickname), level=r.level, base_fen=r.base_fen,
                         rate_bp=r.rate_bp, amount_fen=r.amount_fen, clawed_back_fen=r.clawed_back_fen,
                         status=r.status, created_at=r.created_at, settled_at=r.settled_at)
