"""商家转账 after approval (docs/state-machines.md, "Withdrawals"): the bill waits for the distributor's 确认收款,
and WeChat's transfer notification, or a query by the ``reconcile-transfers`` job when a notification is lost,
settles the withdrawal through ``apply_transfer``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.config import get_config
from domain.db import unit_of_work
from domain.errors import Conflict, DomainError, NotFound
from domain.models import User, Withdrawal, WithdrawalStatus
from domain.security.actor import Shopper
from domain.wallet.actions import WithdrawalAction, require_withdrawal_action
from domain.wallet.errors import WalletError
from domain.wallet.service import apply_transfer
from domain.wechat.gateway import WeChatGateway

log = logging.getLogger(__name__)

BATCH = 50


@dataclass(frozen=True)
class TransferConfirmation:
    """What ``wx.requestMerchantTransfer`` needs to show the distributor the bill to confirm."""

    withdrawal_id: int
    mch_id: str
    app_id: str
    package: str
    sandbox: bool  # the fake WeChat confirms instead (``POST {sandbox}/transfer/confirm {package}``)


def transfer_confirmation(session: Session, *, user: User, withdrawal_id: int) -> TransferConfirmation:
    """The bill of one's own withdrawal while it awaits confirmation; someone else's answers 404."""
    withdrawal = session.get(Withdrawal, withdrawal_id)
    if withdrawal is None or withdrawal.user_id != user.id:
        raise NotFound(WalletError.WITHDRAWAL_NOT_FOUND, "提现申请不存在")
    require_withdrawal_action(withdrawal, Shopper.of(user), WithdrawalAction.CONFIRM_RECEIPT)
    config = get_config()
    return TransferConfirmation(withdrawal_id=withdrawal.id, mch_id=config.wechat_mch_id,
                                app_id=config.wechat_appid, package=withdrawal.transfer_package or "",
                                sandbox=config.sandbox)


def handle_transfer_notification(session: Session, *, wechat: WeChatGateway, body: bytes,
                                 headers: Mapping[str, str] | None = None) -> Withdrawal:
    """WeChat's transfer notification, verified by the gateway. Repeats change nothing; a bill for another
    amount than the withdrawal's payout is refused and changes nothing."""
    bill = wechat.parse_transfer_notification(body, headers or {})
    withdrawal = session.scalar(
        select(Withdrawal).where(Withdrawal.withdrawal_no == bill.out_bill_no).with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if withdrawal is None:
        raise NotFound(WalletError.WITHDRAWAL_NOT_FOUND, "提现申请不存在")
    if bill.amount_fen and bill.amount_fen != withdrawal.payout_fen:
        log.warning("transfer %s: amount %s differs from %s", bill.out_bill_no, bill.amount_fen, withdrawal.payout_fen)
        raise Conflict(WalletError.TRANSFER_AMOUNT_MISMATCH, "转账金额与提现金额不一致")
    apply_transfer(session, withdrawal=withdrawal, bill=bill)
    return withdrawal


def reconcile_transfers(session: Session, *, wechat: WeChatGateway, after_id: int = 0,
                        limit: int = BATCH) -> tuple[int, int]:
    """One batch: WeChat withdrawals still in flight at WeChat (approved with an unclear outcome, or awaiting
    confirmation), after ``after_id``, each asked of WeChat. Rows another runner holds are skipped; a WeChat
    error on one is logged and the batch goes on. Returns (how many moved, the last id looked at; 0 for none)."""
    withdrawals = list(session.scalars(
        select(Withdrawal)
        .where(Withdrawal.method == "wechat", Withdrawal.id > after_id,
               Withdrawal.status.in_((WithdrawalStatus.APPROVED, WithdrawalStatus.AWAITING_CONFIRMATION)))
        .order_by(Withdrawal.id).limit(limit).with_for_update(skip_locked=True, key_share=True)
    ))
    moved = 0
    for withdrawal in withdrawals:
        try:
            bill = wechat.query_transfer(withdrawal.withdrawal_no)
        except DomainError as exc:
            log.warning("reconciling withdrawal %s: %s; left for the next run", withdrawal.withdrawal_no, exc.code)
            continue
        moved += apply_transfer(session, withdrawal=withdrawal, bill=bill)
    return moved, withdrawals[-1].id if withdrawals else 0


def reconcile_transfers_job() -> int:
    """The ``reconcile-transfers`` job: one pass over every in-flight WeChat withdrawal, in short batches."""
    from domain.wechat import get_wechat

    total, after = 0, 0
    while True:
        with unit_of_work() as session:
            moved, after = reconcile_transfers(session, wechat=get_wechat(), after_id=after)
        total += moved
        if after == 0:
            return total
