"""The distributor's wallet: an append-only ledger whose sum is the available balance, and withdrawals.

A withdrawal takes a hold (a negative ledger entry) when requested, under a lock on the wallet row, so two
requests at once can never overdraw. Rejection or a transfer that fails, is cancelled or expires releases the
hold; a payout keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain import clock
from domain.audit.service import record_action
from domain.config import get_config
from domain.db import lock_row
from domain.distribution.distributors import ensure_distributor, is_qualified
from domain.distribution.errors import DistributionError
from domain.errors import CommonError, Conflict, DomainError, Forbidden, Invalid, NotFound
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    Distributor,
    EntryType,
    User,
    Wallet,
    WalletEntry,
    Withdrawal,
    WithdrawalReview,
    WithdrawalStatus,
)
from domain.money import bp_of, yuan
from domain.numbers import business_number
from domain.security import crypto
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import get_settings
from domain.text import reject_reason, required_text
from domain.wallet.actions import WithdrawalAction, needs_first_of_two_approvals, require_withdrawal_action
from domain.wallet.errors import WalletError
from domain.wechat.gateway import WeChatGateway
from domain.wechat.pay_types import TransferBill, TransferState

METHODS = ("wechat", "bank")
TRANSFER_NOTIFY_PATH = "/api/v1/payments/wechat/transfer-notify"
TRANSFER_REMARK = "分销佣金提现"  # what the distributor reads in WeChat (at most 32 characters)
# Why a transfer did not complete, in the distributor's words, for WeChat's commonest reasons.
TRANSFER_ENDINGS = {
    "TRANSFER_EXPIRED": "超过时限未确认收款，转账已撤销，可重新申请提现",
    "MERCHANT_REVOCATION": "商户已撤销转账，可重新申请提现",
    "PAYEE_ACCOUNT_ABNORMAL": "收款账户异常，转账失败",
    "REAL_NAME_CHECK_FAIL": "收款人实名信息不符，转账失败",
    "BLOCK_B2C_USERLIMITAMOUNT_MONTH": "收款人本月收款已达上限，转账失败",
}


@dataclass(frozen=True)
class Balances:
    available_fen: int  # the ledger sum; may be negative after a clawback
    frozen_fen: int  # commission earned but not yet settled
    withdrawing_fen: int  # pending or approved withdrawals
    withdrawn_fen: int  # paid out
    total_earned_fen: int  # every commission not cancelled, net of clawbacks


@dataclass(frozen=True)
class BankAccount:
    bank_name: str
    account_name: str
    account_no: str


def available_balance(session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(WalletEntry.amount_fen), 0))
                              .where(WalletEntry.user_id == user_id)))


def balances(session: Session, user_id: int) -> Balances:
    commissions = session.execute(
        select(
            func.coalesce(func.sum(case((CommissionRecord.status == CommissionStatus.FROZEN,
                                         CommissionRecord.amount_fen), else_=0)), 0),
            func.coalesce(func.sum(case((CommissionRecord.status != CommissionStatus.CANCELLED,
                                         CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen),
                                        else_=0)), 0),
        ).where(CommissionRecord.beneficiary_id == user_id)
    ).one()
    withdrawals = session.execute(
        select(
            func.coalesce(func.sum(case((Withdrawal.status.in_(WithdrawalStatus.IN_FLIGHT), Withdrawal.amount_fen),
                                        else_=0)), 0),
            func.coalesce(func.sum(case((Withdrawal.status == WithdrawalStatus.PAID, Withdrawal.amount_fen),
                                        else_=0)), 0),
        ).where(Withdrawal.user_id == user_id)
    ).one()
    return Balances(available_fen=available_balance(session, user_id), frozen_fen=int(commissions[0]),
                    withdrawing_fen=int(withdrawals[0]), withdrawn_fen=int(withdrawals[1]),
                    total_earned_fen=int(commissions[1]))


def request_withdrawal(session: Session, *, user: User, amount_fen: int, method: str,
                       bank: BankAccount | None = None) -> Withdrawal:
    settings = get_settings(session)
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise Invalid(WalletError.INVALID_AMOUNT, "提现金额必须是正整数（分）")
    if method not in METHODS:
        raise Invalid(WalletError.INVALID_METHOD, "提现方式只能是微信零钱或银行卡")
    distributor = session.get(Distributor, user.id)
    if distributor is None and not is_qualified(session, user.id):
        raise Forbidden(WalletError.NOT_DISTRIBUTOR, "成为分销员后才能提现")
    distributor = distributor or ensure_distributor(session, user.id)
    if amount_fen < settings.withdraw_min_fen:
        raise Conflict(WalletError.WITHDRAW_BELOW_MINIMUM, f"单笔最低提现 ¥{yuan(settings.withdraw_min_fen)}")
    if amount_fen > settings.withdraw_max_fen:
        raise Conflict(WalletError.WITHDRAW_ABOVE_MAXIMUM, f"单笔最高提现 ¥{yuan(settings.withdraw_max_fen)}")
    if method == "bank":
        _check_bank_account(bank)
    real_name = crypto.decrypt_optional(distributor.real_name_enc)
    if method == "wechat" and amount_fen >= settings.withdraw_real_name_threshold_fen and not real_name:
        raise Conflict(WalletError.REAL_NAME_REQUIRED,
                       f"提现 ¥{yuan(settings.withdraw_real_name_threshold_fen)} 及以上需要实名信息，请先完善分销员资料")

    if session.get(Wallet, user.id) is None:
        session.add(Wallet(user_id=user.id))
        session.flush()
    lock_row(session, "wallets", "user_id", user.id)  # from here on, one request per wallet at a time
    balance = available_balance(session, user.id)
    if balance < 0:
        raise Conflict(WalletError.NEGATIVE_BALANCE, "账户余额为负（有退款追回的佣金），暂不能提现")
    if amount_fen > balance:
        raise Conflict(WalletError.INSUFFICIENT_BALANCE, f"可提现余额不足，当前可提现 ¥{yuan(balance)}")
    today = session.scalar(
        select(func.count()).where(Withdrawal.user_id == user.id, Withdrawal.created_at >= clock.local_day_start(),
                                   Withdrawal.status != WithdrawalStatus.REJECTED)
    ) or 0
    if today >= settings.withdraw_daily_count:
        raise Conflict(WalletError.WITHDRAW_DAILY_LIMIT, f"每天最多提现 {settings.withdraw_daily_count} 次")

    withdrawal = Withdrawal(
        withdrawal_no=business_number("W"), user_id=user.id, amount_fen=amount_fen,
        fee_fen=bp_of(amount_fen, settings.withdraw_fee_bp), method=method,
        second_approval_required=session.get(WithdrawalReview, user.id) is not None,
        bank_name=bank.bank_name.strip() if bank else "",
        account_name_enc=crypto.encrypt(bank.account_name.strip()) if bank else None,
        account_no_enc=crypto.encrypt(bank.account_no.replace(" ", "")) if bank else None,
    )
    session.add(withdrawal)
    session.flush()
    session.add(WalletEntry(user_id=user.id, entry_type=EntryType.WITHDRAWAL_HOLD, amount_fen=-amount_fen,
                            withdrawal_id=withdrawal.id, note=f"提现冻结 {withdrawal.withdrawal_no}"))
    session.flush()
    return withdrawal


def transfer_notify_url() -> str:
    return get_config().public_url.rstrip("/") + TRANSFER_NOTIFY_PATH


def _check_bank_account(bank: BankAccount | None) -> None:
    if bank is None or not all((bank.bank_name.strip(), bank.account_name.strip(), bank.account_no.strip())):
        raise Invalid(WalletError.BANK_ACCOUNT_REQUIRED, "请填写开户行、户名和卡号")
    digits = bank.account_no.replace(" ", "")
    if not digits.isdigit() or not 12 <= len(digits) <= 30:
        raise Invalid(WalletError.INVALID_BANK_ACCOUNT, "银行卡号格式不正确")


def approve_withdrawal(session: Session, *, actor: Actor, withdrawal_id: int, wechat: WeChatGateway) -> Withdrawal:
    """Finance approves. A WeChat payout becomes a transfer at once, numbered with the withdrawal number, so
    approving again after an unclear failure never pays twice. With 商家转账 (APIv3) the bill then awaits the
    distributor's 确认收款 (``awaiting_confirmation``); v2's 企业付款 pays at once. Bank payouts wait for
    ``mark_withdrawal_paid`` (docs/state-machines.md, "Withdrawals"). A distributor on withdrawal review needs
    two approvals by different staff: the first is only recorded."""
    actor.require(Permission.WITHDRAWALS)
    withdrawal = _lock(session, withdrawal_id)
    require_withdrawal_action(withdrawal, actor, WithdrawalAction.APPROVE, WithdrawalAction.RETRY_TRANSFER)
    if needs_first_of_two_approvals(withdrawal):
        withdrawal.first_approved_by, withdrawal.first_approved_at = actor.staff_id, clock.now()
        session.flush()
        record_action(session, actor=actor, action="withdrawal.first_approve", entity_type="withdrawal",
                      entity_id=withdrawal.id, after={"status": withdrawal.status, "awaiting": "second_approval"})
        return withdrawal
    before = withdrawal.status
    withdrawal.status = WithdrawalStatus.APPROVED
    withdrawal.reviewed_by, withdrawal.reviewed_at = actor.staff_id, clock.now()
    if withdrawal.method == "wechat":
        _transfer(session, withdrawal=withdrawal, wechat=wechat)
    session.flush()
    record_action(session, actor=actor, action="withdrawal.approve", entity_type="withdrawal", entity_id=withdrawal.id,
                  before={"status": before},
                  after={"status": withdrawal.status, "payout_ref": withdrawal.payout_ref, "failure": withdrawal.failure})
    return withdrawal


def _transfer(session: Session, *, withdrawal: Withdrawal, wechat: WeChatGateway) -> None:
    """Create (or, with the same number, find again) the transfer for this withdrawal and follow its answer."""
    user = session.get(User, withdrawal.user_id)
    distributor = session.get(Distributor, withdrawal.user_id)
    settings = get_settings(session)
    real_name = None
    if withdrawal.amount_fen >= settings.withdraw_real_name_threshold_fen and distributor is not None:
        real_name = crypto.decrypt_optional(distributor.real_name_enc)
    try:
        bill = wechat.transfer(out_bill_no=withdrawal.withdrawal_no, openid=user.openid,
                               amount_fen=withdrawal.payout_fen, remark=TRANSFER_REMARK, real_name=real_name,
                               notify_url=transfer_notify_url())
    except DomainError as exc:
        if exc.code == CommonError.WECHAT_UNAVAILABLE:
            # Outcome unknown (network): stay approved; approving again retries with the same number.
            withdrawal.failure = exc.message[:200]
            return
        withdrawal.status, withdrawal.failure = WithdrawalStatus.FAILED, exc.message[:200]
        _release(session, withdrawal, note="转账失败，退回余额")
        return
    apply_transfer(session, withdrawal=withdrawal, bill=bill)


def apply_transfer(session: Session, *, withdrawal: Withdrawal, bill: TransferBill) -> bool:
    """What WeChat says of a withdrawal's transfer (its creation, a query or a notification), once verified.
    Only a withdrawal still in flight at WeChat moves; a repeat changes nothing. Returns whether it moved.

    - awaiting confirmation: keep the package for 确认收款;
    - success: paid;
    - failed, or cancelled (by us or expired unconfirmed): failed, and the hold is released, so the
      distributor can ask again;
    - processing, or not found: left as it is for the reconcile job or finance's retry."""
    if withdrawal.status not in (WithdrawalStatus.APPROVED, WithdrawalStatus.AWAITING_CONFIRMATION):
        return False
    before = (withdrawal.status, withdrawal.transfer_package)
    if bill.transfer_bill_no:
        withdrawal.payout_ref = bill.transfer_bill_no[:64]
    if bill.state == TransferState.AWAITING_CONFIRMATION:
        withdrawal.status, withdrawal.failure = WithdrawalStatus.AWAITING_CONFIRMATION, ""
        withdrawal.transfer_package = bill.package_info or withdrawal.transfer_package
    elif bill.state == TransferState.SUCCESS:
        withdrawal.status, withdrawal.paid_at, withdrawal.failure = WithdrawalStatus.PAID, clock.now(), ""
        withdrawal.transfer_package = None
    elif bill.state in (TransferState.FAILED, TransferState.CANCELLED):
        reason = TRANSFER_ENDINGS.get(bill.fail_reason) or bill.fail_reason or "转账未完成"
        if bill.state == TransferState.CANCELLED and not bill.fail_reason:
            reason = "转账已撤销"
        withdrawal.status, withdrawal.failure = WithdrawalStatus.FAILED, reason[:200]
        withdrawal.transfer_package = None
        _release(session, withdrawal, note="转账未完成，退回余额")
    session.flush()
    return (withdrawal.status, withdrawal.transfer_package) != before


def reject_withdrawal(session: Session, *, actor: Actor, withdrawal_id: int, reason: str) -> Withdrawal:
    actor.require(Permission.WITHDRAWALS)
    reason = reject_reason(reason)
    withdrawal = _lock(session, withdrawal_id)
    # An approved WeChat payout may already be on its way, so it is never offered for rejection.
    require_withdrawal_action(withdrawal, actor, WithdrawalAction.REJECT)
    before = withdrawal.status
    withdrawal.status, withdrawal.reject_reason = WithdrawalStatus.REJECTED, reason
    withdrawal.reviewed_by, withdrawal.reviewed_at = actor.staff_id, clock.now()
    _release(session, withdrawal, note="提现驳回，退回余额")
    record_action(session, actor=actor, action="withdrawal.reject", entity_type="withdrawal", entity_id=withdrawal.id,
                  before={"status": before}, after={"status": WithdrawalStatus.REJECTED, "reason": reason})
    return withdrawal


def mark_withdrawal_paid(session: Session, *, actor: Actor, withdrawal_id: int, reference: str) -> Withdrawal:
    """A bank payout made by hand, after approval: record its reference."""
    actor.require(Permission.WITHDRAWALS)
    reference = required_text(reference, code=WalletError.REFERENCE_REQUIRED, message="请填写银行转账流水号",
                              max_length=64)
    withdrawal = _lock(session, withdrawal_id)
    require_withdrawal_action(withdrawal, actor, WithdrawalAction.MARK_PAID)
    before = withdrawal.status
    withdrawal.status, withdrawal.payout_ref, withdrawal.paid_at = WithdrawalStatus.PAID, reference, clock.now()
    withdrawal.reviewed_by = withdrawal.reviewed_by or actor.staff_id
    withdrawal.reviewed_at = withdrawal.reviewed_at or clock.now()
    session.flush()
    record_action(session, actor=actor, action="withdrawal.mark_paid", entity_type="withdrawal",
                  entity_id=withdrawal.id, before={"status": before},
                  after={"status": WithdrawalStatus.PAID, "reference": reference})
    return withdrawal


def ledger(session: Session, user_id: int, *, limit: int = 100) -> list[WalletEntry]:
    return list(session.scalars(
        select(WalletEntry).where(WalletEntry.user_id == user_id).order_by(WalletEntry.id.desc()).limit(limit)
    ))


def _release(session: Session, withdrawal: Withdrawal, *, note: str) -> None:
    session.add(WalletEntry(user_id=withdrawal.user_id, entry_type=EntryType.WITHDRAWAL_RELEASED,
                            amount_fen=withdrawal.amount_fen, withdrawal_id=withdrawal.id,
                            note=f"{note} {withdrawal.withdrawal_no}"))
    session.flush()


def _lock(session: Session, withdrawal_id: int) -> Withdrawal:
    withdrawal = session.scalar(
        select(Withdrawal).where(Withdrawal.id == withdrawal_id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if withdrawal is None:
        raise NotFound(WalletError.WITHDRAWAL_NOT_FOUND, "提现申请不存在")
    return withdrawal


MAX_ADJUSTMENT_FEN = 10_000_000  # ¥100,000.00 either way in one adjustment


def adjust_wallet(session: Session, *, actor: Actor, user_id: int, amount_fen: int, reason: str) -> WalletEntry:
    """Staff credit (positive) or debit (negative) a distributor's wallet by hand, e.g. a compensation or a
    correction: an ``adjustment`` ledger entry noting the reason, audited. A debit never takes the available
    balance below zero (docs/money-and-rules.md, Wallet)."""
    actor.require(Permission.WITHDRAWALS)
    if (not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen == 0
            or abs(amount_fen) > MAX_ADJUSTMENT_FEN):
        raise Invalid(WalletError.INVALID_ADJUSTMENT,
                      f"调整金额需为非 0 的整数（分），一次不超过 ¥{yuan(MAX_ADJUSTMENT_FEN)}")
    reason = required_text(reason, code=WalletError.ADJUSTMENT_REASON_REQUIRED,
                           message="请填写调整原因（1–100 个字），分销员会在钱包流水中看到它", max_length=100)
    if session.get(Distributor, user_id) is None:
        raise NotFound(DistributionError.DISTRIBUTOR_NOT_FOUND, "分销员不存在")
    if session.get(Wallet, user_id) is None:
        session.add(Wallet(user_id=user_id))
        session.flush()
    lock_row(session, "wallets", "user_id", user_id)  # the same lock as a withdrawal: the balance cannot move
    balance = available_balance(session, user_id)
    if balance + amount_fen < 0:
        raise Conflict(WalletError.INSUFFICIENT_BALANCE,
                       f"扣减 ¥{yuan(-amount_fen)} 超过可提现余额 ¥{yuan(max(balance, 0))}")
    entry = WalletEntry(user_id=user_id, entry_type=EntryType.ADJUSTMENT, amount_fen=amount_fen,
                        note=f"人工调整：{reason}")
    session.add(entry)
    session.flush()
    record_action(session, actor=actor, action="wallet.adjust", entity_type="distributor", entity_id=user_id,
                  before={"available_fen": balance},
                  after={"available_fen": balance + amount_fen, "amount_fen": amount_fen, "reason": reason})
    return entry
