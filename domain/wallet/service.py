"""The distributor's wallet: an append-only ledger whose sum is the available balance, and withdrawals.

A withdrawal takes a hold (a negative ledger entry) when requested, under a lock on the wallet row, so two
requests at once can never overdraw. Rejection or a failed transfer releases the hold; a payout keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain import clock
from domain.audit.service import record_action
from domain.db import lock_row, paginate
from domain.distribution.distributors import ensure_distributor, is_qualified
from domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    Distributor,
    EntryType,
    User,
    Wallet,
    WalletEntry,
    Withdrawal,
    WithdrawalStatus,
)
from domain.money import bp_of, yuan
from domain.numbers import business_number
from domain.security import crypto
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.service import get_settings
from domain.text import reject_reason, required_text
from domain.wechat.gateway import WeChatGateway

METHODS = ("wechat", "bank")


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
        raise Invalid("invalid_amount", "提现金额必须是正整数（分）")
    if method not in METHODS:
        raise Invalid("invalid_method", "提现方式只能是微信零钱或银行卡")
    distributor = session.get(Distributor, user.id)
    if distributor is None and not is_qualified(session, user.id):
        raise Forbidden("not_distributor", "成为分销员后才能提现")
    distributor = distributor or ensure_distributor(session, user.id)
    if amount_fen < settings.withdraw_min_fen:
        raise Conflict("withdraw_below_minimum", f"单笔最低提现 ¥{yuan(settings.withdraw_min_fen)}")
    if amount_fen > settings.withdraw_max_fen:
        raise Conflict("withdraw_above_maximum", f"单笔最高提现 ¥{yuan(settings.withdraw_max_fen)}")
    if method == "bank":
        if bank is None or not all((bank.bank_name.strip(), bank.account_name.strip(), bank.account_no.strip())):
            raise Invalid("bank_account_required", "请填写开户行、户名和卡号")
        if not bank.account_no.replace(" ", "").isdigit() or not 12 <= len(bank.account_no.replace(" ", "")) <= 30:
            raise Invalid("invalid_bank_account", "银行卡号格式不正确")
    real_name = crypto.decrypt_optional(distributor.real_name_enc)
    if method == "wechat" and amount_fen >= settings.withdraw_real_name_threshold_fen and not real_name:
        raise Conflict("real_name_required",
                       f"提现 ¥{yuan(settings.withdraw_real_name_threshold_fen)} 及以上需要实名信息，请先完善分销员资料")

    if session.get(Wallet, user.id) is None:
        session.add(Wallet(user_id=user.id))
        session.flush()
    lock_row(session, "wallets", "user_id", user.id)  # from here on, one request per wallet at a time
    balance = available_balance(session, user.id)
    if balance < 0:
        raise Conflict("negative_balance", "账户余额为负（有退款追回的佣金），暂不能提现")
    if amount_fen > balance:
        raise Conflict("insufficient_balance", f"可提现余额不足，当前可提现 ¥{yuan(balance)}")
    today = session.scalar(
        select(func.count()).where(Withdrawal.user_id == user.id, Withdrawal.created_at >= clock.local_day_start(),
                                   Withdrawal.status != WithdrawalStatus.REJECTED)
    ) or 0
    if today >= settings.withdraw_daily_count:
        raise Conflict("withdraw_daily_limit", f"每天最多提现 {settings.withdraw_daily_count} 次")

    withdrawal = Withdrawal(
        withdrawal_no=business_number("W"), user_id=user.id, amount_fen=amount_fen,
        fee_fen=bp_of(amount_fen, settings.withdraw_fee_bp), method=method,
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


def approve_withdrawal(session: Session, *, actor: Actor, withdrawal_id: int, wechat: WeChatGateway) -> Withdrawal:
    """Finance approves. WeChat payouts are transferred at once; the withdrawal number is the transfer's
    idempotency key, so approving again after an unclear failure never pays twice. Bank payouts wait for
    ``mark_withdrawal_paid``."""
    actor.require(Permission.WITHDRAWALS)
    withdrawal = _lock(session, withdrawal_id)
    if withdrawal.status not in (WithdrawalStatus.PENDING, WithdrawalStatus.APPROVED):
        raise Conflict("withdrawal_not_pending", "该提现申请已处理")
    if withdrawal.status == WithdrawalStatus.APPROVED and withdrawal.method == "bank":
        raise Conflict("withdrawal_not_pending", "已同意，请线下打款后标记已打款")
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
    user = session.get(User, withdrawal.user_id)
    distributor = session.get(Distributor, withdrawal.user_id)
    settings = get_settings(session)
    real_name = None
    if withdrawal.amount_fen >= settings.withdraw_real_name_threshold_fen and distributor is not None:
        real_name = crypto.decrypt_optional(distributor.real_name_enc)
    try:
        payment_no = wechat.transfer(partner_trade_no=withdrawal.withdrawal_no, openid=user.openid,
                                     amount_fen=withdrawal.payout_fen, desc="分销佣金提现", real_name=real_name)
    except DomainError as exc:
        if exc.code == "wechat_unavailable":
            # Outcome unknown (network): stay approved; approving again retries with the same number.
            withdrawal.failure = exc.message[:200]
            return
        withdrawal.status, withdrawal.failure = WithdrawalStatus.FAILED, exc.message[:200]
        _release(session, withdrawal, note="转账失败，退回余额")
        return
    withdrawal.status, withdrawal.paid_at = WithdrawalStatus.PAID, clock.now()
    withdrawal.payout_ref, withdrawal.failure = payment_no, ""


def reject_withdrawal(session: Session, *, actor: Actor, withdrawal_id: int, reason: str) -> Withdrawal:
    actor.require(Permission.WITHDRAWALS)
    reason = reject_reason(reason)
    withdrawal = _lock(session, withdrawal_id)
    # An approved WeChat payout may already be on its way; only pending ones (and approved bank ones) can be
    # rejected.
    if not (withdrawal.status == WithdrawalStatus.PENDING
            or (withdrawal.status == WithdrawalStatus.APPROVED and withdrawal.method == "bank")):
        raise Conflict("withdrawal_not_pending", "该提现申请不能驳回")
    before = withdrawal.status
    withdrawal.status, withdrawal.reject_reason = WithdrawalStatus.REJECTED, reason
    withdrawal.reviewed_by, withdrawal.reviewed_at = actor.staff_id, clock.now()
    _release(session, withdrawal, note="提现驳回，退回余额")
    record_action(session, actor=actor, action="withdrawal.reject", entity_type="withdrawal", entity_id=withdrawal.id,
                  before={"status": before}, after={"status": WithdrawalStatus.REJECTED, "reason": reason})
    return withdrawal


def mark_withdrawal_paid(session: Session, *, actor: Actor, withdrawal_id: int, reference: str) -> Withdrawal:
    """A bank payout made by hand: record its reference."""
    actor.require(Permission.WITHDRAWALS)
    reference = required_text(reference, code="reference_required", message="请填写银行转账流水号", max_length=64)
    withdrawal = _lock(session, withdrawal_id)
    if withdrawal.method != "bank":
        raise Conflict("not_bank_withdrawal", "只有银行卡提现需要手动标记打款")
    if withdrawal.status not in (WithdrawalStatus.PENDING, WithdrawalStatus.APPROVED):
        raise Conflict("withdrawal_not_pending", "该提现申请已处理")
    before = withdrawal.status
    withdrawal.status, withdrawal.payout_ref, withdrawal.paid_at = WithdrawalStatus.PAID, reference, clock.now()
    withdrawal.reviewed_by = withdrawal.reviewed_by or actor.staff_id
    withdrawal.reviewed_at = withdrawal.reviewed_at or clock.now()
    session.flush()
    record_action(session, actor=actor, action="withdrawal.mark_paid", entity_type="withdrawal",
                  entity_id=withdrawal.id, before={"status": before},
                  after={"status": WithdrawalStatus.PAID, "reference": reference})
    return withdrawal


def list_withdrawals(session: Session, *, user_id: int | None = None, status: str | None = None, page: int = 1,
                     page_size: int = 20) -> tuple[list[Withdrawal], int]:
    query = select(Withdrawal)
    if user_id is not None:
        query = query.where(Withdrawal.user_id == user_id)
    if status:
        query = query.where(Withdrawal.status == status)
    query, total = paginate(session, query, Withdrawal.id.desc(), page=page, page_size=page_size)
    return list(session.scalars(query)), total


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
        raise NotFound("withdrawal_not_found", "提现申请不存在")
    return withdrawal
