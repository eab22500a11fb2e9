"""Read models of withdrawals, by viewer: what the distribution centre, the admin API and the withdrawals screen
show. A bank account is masked for everyone here ("****1234", holder "钱**"); staff with the WITHDRAWALS
permission see it in full only through ``reveal_withdrawal_account``, which writes an audit entry each time
(see docs/security.md, "Personal data")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit.service import record_action
from domain.db import paginate
from domain.errors import NotFound
from domain.models import User, Withdrawal
from domain.security.actor import Actor, Shopper, Viewer
from domain.security.disclosure import Field, masked, reveal
from domain.security.roles import Permission
from domain.wallet.actions import WithdrawalAction, require_withdrawal_action, withdrawal_actions
from domain.wallet.errors import WalletError


@dataclass(frozen=True)
class WithdrawalView:
    id: int
    withdrawal_no: str
    user_id: int
    nickname: str
    status: str
    method: str
    amount_fen: int
    fee_fen: int
    payout_fen: int
    bank_name: str
    account_no_masked: str  # "****1234"; empty for WeChat
    account_holder_masked: str
    reject_reason: str
    failure: str  # why a transfer failed, or why its outcome is unclear (still approved)
    payout_ref: str
    created_at: datetime
    reviewed_at: datetime | None
    paid_at: datetime | None
    actions: tuple[WithdrawalAction, ...]
    # On withdrawal review (a risk signal): two approvals by different staff; the first one's time once given.
    second_approval_required: bool = False
    first_approved_at: datetime | None = None

    @property
    def account_text(self) -> str:
        """Bank, masked account and holder in one line ("招商银行 ****6789 钱**"); empty for WeChat."""
        return " ".join(filter(None, (self.bank_name, self.account_no_masked, self.account_holder_masked)))


@dataclass(frozen=True)
class RevealedAccount:
    withdrawal_id: int
    bank_name: str
    account_name: str
    account_no: str


def list_withdrawals(session: Session, *, viewer: Viewer, user_id: int | None = None, status: str | None = None,
                     page: int = 1, page_size: int = 20) -> tuple[list[WithdrawalView], int]:
    """Newest first. A shopper sees only their own; staff need the WITHDRAWALS permission."""
    _require_reader(viewer)
    if isinstance(viewer, Shopper):
        user_id = viewer.user_id
    query = select(Withdrawal, User.nickname).join(User, User.id == Withdrawal.user_id)
    if user_id is not None:
        query = query.where(Withdrawal.user_id == user_id)
    if status:
        query = query.where(Withdrawal.status == status)
    query, total = paginate(session, query, Withdrawal.id.desc(), page=page, page_size=page_size)
    return [_view(w, nickname, viewer) for w, nickname in session.execute(query).all()], total


def withdrawal_detail(session: Session, *, viewer: Viewer, withdrawal_id: int) -> WithdrawalView:
    """One withdrawal; someone else's answers 404 to a shopper, as a missing one does."""
    _require_reader(viewer)
    row = session.execute(
        select(Withdrawal, User.nickname).join(User, User.id == Withdrawal.user_id).where(Withdrawal.id == withdrawal_id)
    ).first()
    if row is None or (isinstance(viewer, Shopper) and row[0].user_id != viewer.user_id):
        raise NotFound(WalletError.WITHDRAWAL_NOT_FOUND, "提现申请不存在")
    return _view(row[0], row[1], viewer)


def reveal_withdrawal_account(session: Session, *, actor: Actor, withdrawal_id: int) -> RevealedAccount:
    """The full account number and holder of a bank withdrawal, for finance paying it by hand. Every reveal
    is written to the audit log (who, when, which withdrawal — never the number itself)."""
    actor.require(Permission.WITHDRAWALS)
    withdrawal = session.get(Withdrawal, withdrawal_id)
    if withdrawal is None:
        raise NotFound(WalletError.WITHDRAWAL_NOT_FOUND, "提现申请不存在")
    require_withdrawal_action(withdrawal, actor, WithdrawalAction.REVEAL_ACCOUNT)
    record_action(session, actor=actor, action="withdrawal.reveal_account", entity_type="withdrawal",
                  entity_id=withdrawal.id, after={"withdrawal_no": withdrawal.withdrawal_no})
    session.flush()
    return RevealedAccount(withdrawal_id=withdrawal.id, bank_name=withdrawal.bank_name,
                           account_name=reveal(withdrawal.account_name_enc),
                           account_no=reveal(withdrawal.account_no_enc))


def _require_reader(viewer: Viewer) -> None:
    if isinstance(viewer, Actor):
        viewer.require(Permission.WITHDRAWALS)


def _view(w: Withdrawal, nickname: str, viewer: Viewer) -> WithdrawalView:
    return WithdrawalView(
        id=w.id, withdrawal_no=w.withdrawal_no, user_id=w.user_id, nickname=nickname or "", status=w.status,
        method=w.method, amount_fen=w.amount_fen, fee_fen=w.fee_fen, payout_fen=w.payout_fen,
        bank_name=w.bank_name, account_no_masked=masked(Field.ACCOUNT_NO, w.account_no_enc),
        account_holder_masked=masked(Field.ACCOUNT_HOLDER, w.account_name_enc), reject_reason=w.reject_reason,
        failure=w.failure, payout_ref=w.payout_ref, created_at=w.created_at, reviewed_at=w.reviewed_at,
        paid_at=w.paid_at, actions=withdrawal_actions(w, viewer),
        second_approval_required=bool(w.second_approval_required), first_approved_at=w.first_approved_at,
    )
