"""Staff adjust a distributor's wallet by hand: a signed ledger entry of its own kind with the reason, audited,
and never below zero."""

from __future__ import annotations

from sqlalchemy import select

from domain.distribution.errors import DistributionError
from domain.errors import CommonError
from domain.models import AuditEntry, EntryType
from domain.security.actor import Actor
from domain.wallet.errors import WalletError
from domain.wallet.service import adjust_wallet, available_balance, ledger
from tests.builders import approve_distributor, make_staff, make_user
from tests.dashboard.shop import credit
from tests.refusals import refused


def test_a_credit_and_a_debit_move_the_balance_and_show_in_the_ledger_with_the_reason(db):
    finance = Actor.of(make_staff(db, "finance"))
    user = make_user(db, "小林")
    approve_distributor(db, user)
    credit(db, user, 1000)
    adjust_wallet(db, actor=finance, user_id=user.id, amount_fen=2500, reason="活动奖励补发")
    adjust_wallet(db, actor=finance, user_id=user.id, amount_fen=-1250, reason="重复结算更正")
    assert available_balance(db, user.id) == 1000 + 2500 - 1250
    newest, older = ledger(db, user.id, limit=2)
    assert [(e.entry_type, e.amount_fen, e.note) for e in (older, newest)] == [
        (EntryType.ADJUSTMENT, 2500, "人工调整：活动奖励补发"), (EntryType.ADJUSTMENT, -1250, "人工调整：重复结算更正")]
    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "wallet.adjust").order_by(AuditEntry.id)))
    assert [(e.actor, e.entity_id, e.before, e.after) for e in entries] == [
        (finance.username, str(user.id), {"available_fen": 1000},
         {"available_fen": 3500, "amount_fen": 2500, "reason": "活动奖励补发"}),
        (finance.username, str(user.id), {"available_fen": 3500},
         {"available_fen": 2250, "amount_fen": -1250, "reason": "重复结算更正"}),
    ]


def test_a_debit_beyond_the_balance_a_zero_amount_a_missing_reason_and_a_non_distributor_are_refused(db):
    owner = Actor.of(make_staff(db, "owner"))
    user = make_user(db)
    approve_distributor(db, user)
    credit(db, user, 500)
    with refused(WalletError.INSUFFICIENT_BALANCE, status=409):
        adjust_wallet(db, actor=owner, user_id=user.id, amount_fen=-501, reason="扣回")
    with refused(WalletError.INVALID_ADJUSTMENT):
        adjust_wallet(db, actor=owner, user_id=user.id, amount_fen=0, reason="无")
    with refused(WalletError.ADJUSTMENT_REASON_REQUIRED):
        adjust_wallet(db, actor=owner, user_id=user.id, amount_fen=100, reason="  ")
    with refused(DistributionError.DISTRIBUTOR_NOT_FOUND, status=404):
        adjust_wallet(db, actor=owner, user_id=make_user(db).id, amount_fen=100, reason="补发")
    assert available_balance(db, user.id) == 500


def test_only_roles_that_handle_money_may_adjust(db):
    user = make_user(db)
    approve_distributor(db, user)
    with refused(CommonError.FORBIDDEN, status=403):
        adjust_wallet(db, actor=Actor.of(make_staff(db, "operator")), user_id=user.id, amount_fen=100, reason="补发")
