"""What may be done with a withdrawal now, and by whom: the one answer that the operations, the admin API and
the dashboard all read (see docs/state-machines.md, "Withdrawals").

- pending (either method): approve or reject; approving a WeChat one creates the transfer at once;
- approved bank: paid by hand, so mark it paid, or reject it (nothing has left the shop yet);
- approved WeChat: the transfer's outcome was unclear, so only retry it (same number, never paid twice);
  it cannot be rejected, since the money may be on its way;
- awaiting confirmation (a 商家转账 bill): the distributor who asked for it may confirm receipt (确认收款 in the
  mini-program, with the bill's package); staff wait for WeChat's notification or the reconcile job;
- paid, rejected, failed: nothing more.

A distributor whose withdrawals are on review (a risk signal, domain/analytics/risk_queue.py) needs two approvals:
the first is recorded and the withdrawal stays pending; only another staff member may give the second.

A bank withdrawal's full account number and holder are shown only through ``reveal_account``, which is
audited each time.
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import Conflict
from domain.models import Withdrawal, WithdrawalStatus
from domain.security.actor import Shopper, Viewer
from domain.security.roles import Permission
from domain.wallet.errors import WalletError


class WithdrawalAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    MARK_PAID = "mark_paid"
    RETRY_TRANSFER = "retry_transfer"
    REVEAL_ACCOUNT = "reveal_account"
    CONFIRM_RECEIPT = "confirm_receipt"  # the distributor's, in WeChat


_BY_STATE: dict[tuple[str, str], tuple[WithdrawalAction, ...]] = {
    ("bank", WithdrawalStatus.PENDING): (WithdrawalAction.APPROVE, WithdrawalAction.REJECT),
    ("bank", WithdrawalStatus.APPROVED): (WithdrawalAction.MARK_PAID, WithdrawalAction.REJECT),
    ("wechat", WithdrawalStatus.PENDING): (WithdrawalAction.APPROVE, WithdrawalAction.REJECT),
    ("wechat", WithdrawalStatus.APPROVED): (WithdrawalAction.RETRY_TRANSFER,),
}


def withdrawal_actions(withdrawal: Withdrawal, viewer: Viewer) -> tuple[WithdrawalAction, ...]:
    """The actions this viewer may take on this withdrawal now: for its distributor, confirming receipt of a
    bill that awaits it; for staff with the WITHDRAWALS permission, the review and payout actions."""
    if isinstance(viewer, Shopper):
        awaiting = withdrawal.status == WithdrawalStatus.AWAITING_CONFIRMATION and withdrawal.transfer_package
        return (WithdrawalAction.CONFIRM_RECEIPT,) if awaiting and withdrawal.user_id == viewer.user_id else ()
    if not viewer.can(Permission.WITHDRAWALS):
        return ()
    actions = _BY_STATE.get((withdrawal.method, withdrawal.status), ())
    if _first_approver(withdrawal, viewer):
        actions = tuple(a for a in actions if a != WithdrawalAction.APPROVE)
    if withdrawal.method == "bank":
        actions = (*actions, WithdrawalAction.REVEAL_ACCOUNT)
    return actions


def needs_first_of_two_approvals(withdrawal: Withdrawal) -> bool:
    return (withdrawal.status == WithdrawalStatus.PENDING and bool(withdrawal.second_approval_required)
            and withdrawal.first_approved_at is None)


def awaits_second_approval(withdrawal: Withdrawal) -> bool:
    """Pending, on review, and approved once: the next approval, by someone else, approves it."""
    return (withdrawal.status == WithdrawalStatus.PENDING and bool(withdrawal.second_approval_required)
            and withdrawal.first_approved_at is not None)


def _first_approver(withdrawal: Withdrawal, viewer: Viewer) -> bool:
    return awaits_second_approval(withdrawal) and withdrawal.first_approved_by == getattr(viewer, "staff_id", None)


def require_withdrawal_action(withdrawal: Withdrawal, viewer: Viewer, *allowed: WithdrawalAction) -> WithdrawalAction:
    """The first of ``allowed`` that the withdrawal offers now, or the refusal that explains why none does."""
    offered = withdrawal_actions(withdrawal, viewer)
    for action in allowed:
        if action in offered:
            return action
    if WithdrawalAction.APPROVE in allowed and _first_approver(withdrawal, viewer):
        raise Conflict(WalletError.SECOND_APPROVER_REQUIRED, "该分销员的提现在复核中，需由另一位员工复核通过")
    raise _refusal(withdrawal, allowed[0])


def _refusal(withdrawal: Withdrawal, action: WithdrawalAction) -> Conflict:
    """Today's codes and messages for each action that is not offered."""
    if action == WithdrawalAction.CONFIRM_RECEIPT:
        return Conflict(WalletError.TRANSFER_NOT_AWAITING_CONFIRMATION, "该提现没有待确认收款的转账")
    if withdrawal.status == WithdrawalStatus.AWAITING_CONFIRMATION:
        return Conflict(WalletError.WITHDRAWAL_NOT_PENDING, "转账已发起，等待分销员确认收款")
    if action in (WithdrawalAction.MARK_PAID, WithdrawalAction.REVEAL_ACCOUNT) and withdrawal.method != "bank":
        message = "只有银行卡提现需要手动标记打款" if action == WithdrawalAction.MARK_PAID else "只有银行卡提现有收款账号"
        return Conflict(WalletError.NOT_BANK_WITHDRAWAL, message)
    if action == WithdrawalAction.MARK_PAID and withdrawal.status == WithdrawalStatus.PENDING:
        return Conflict(WalletError.WITHDRAWAL_NOT_APPROVED, "请先同意该提现申请，线下打款后再标记已打款")
    if action == WithdrawalAction.APPROVE and withdrawal.status == WithdrawalStatus.APPROVED:
        return Conflict(WalletError.WITHDRAWAL_NOT_PENDING, "已同意，请线下打款后标记已打款")
    if action == WithdrawalAction.REJECT:
        return Conflict(WalletError.WITHDRAWAL_NOT_PENDING, "该提现申请不能驳回")
    return Conflict(WalletError.WITHDRAWAL_NOT_PENDING, "该提现申请已处理")
