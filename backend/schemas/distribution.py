from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from backend.schemas.common import MAX_FEN, Strict, StrictInt
from domain.distribution.actions import ApplicationAction, DistributorAction
from domain.wallet.actions import WithdrawalAction


class FromDomain(BaseModel):
    """Answers read straight from the domain's objects and read models."""

    model_config = ConfigDict(from_attributes=True)


class ApplyIn(Strict):
    real_name: str = Field(min_length=2, max_length=20)
    phone: str = Field(min_length=11, max_length=20)
    reason: str = Field("", max_length=300)


class ApplicationOut(FromDomain):
    id: int
    status: str
    reject_reason: str = ""
    created_at: datetime


class BalanceOut(FromDomain):
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


class TeamMemberOut(FromDomain):
    user_id: int
    nickname: str
    avatar_url: str
    level: int
    joined_at: datetime | None
    order_count: int
    order_amount_fen: int
    inviter_id: int | None
    inviter_nickname: str


class CommissionOut(FromDomain):
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


class PromotionOrderOut(FromDomain):
    order_id: int
    order_no: str
    buyer_nickname: str
    status: str
    paid_goods_fen: int
    commission_fen: int
    level: int
    created_at: datetime
    commission_status: str = Field(description="frozen (still expected), settled (earned) or cancelled")


class BankIn(Strict):
    bank_name: str = Field(min_length=2, max_length=64)
    account_name: str = Field(min_length=2, max_length=32)
    account_no: str = Field(min_length=12, max_length=40)


class WithdrawIn(Strict):
    amount_fen: StrictInt = Field(gt=0, le=MAX_FEN)
    method: Literal["wechat", "bank"] = "wechat"
    bank: BankIn | None = None


class WithdrawalOut(FromDomain):
    id: int
    withdrawal_no: str
    status: Literal["pending", "approved", "awaiting_confirmation", "paid", "rejected", "failed"]
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
    # For the distributor: ["confirm_receipt"] while a 商家转账 bill awaits 确认收款 (then GET …/transfer).
    actions: list[WithdrawalAction]

    @field_serializer("account_no_masked")
    def _spaced(self, masked: str) -> str:
        # The mini-program has always shown the card as "**** 6789"; the domain's mask is "****6789".
        return masked.replace("****", "**** ", 1)


class AdminApplicationOut(FromDomain):
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
    actions: list[ApplicationAction]


class DistributorOut(FromDomain):
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
    actions: list[DistributorAction]


class AdminWithdrawalOut(WithdrawalOut):
    user_id: int
    nickname: str
    account_holder_masked: str
    reviewed_at: datetime | None
    actions: list[WithdrawalAction]
    second_approval_required: bool = Field(False, description="on review: approved by two staff members")
    first_approved_at: datetime | None = Field(None, description="the first of the two approvals, once given")


class TransferConfirmationOut(FromDomain):
    """The arguments of ``wx.requestMerchantTransfer``: ``mchId``, ``appId`` and ``package``."""

    withdrawal_id: int
    mch_id: str
    app_id: str
    package: str
    sandbox: bool  # confirm through the sandbox (POST {sandbox}/transfer/confirm {package}) instead of WeChat


class RevealedAccountOut(FromDomain):
    withdrawal_id: int
    bank_name: str
    account_name: str
    account_no: str


class DisableIn(Strict):
    reason: str = Field("", max_length=200)


class MarkPaidIn(Strict):
    reference: str = Field(min_length=1, max_length=64)
