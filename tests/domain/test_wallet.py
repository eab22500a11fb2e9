"""The wallet ledger and withdrawals: every rule and refusal, with exact amounts."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from domain import clock
from domain.errors import DomainError
from domain.models import EntryType, WalletEntry, Withdrawal, WithdrawalStatus
from domain.security.actor import SYSTEM
from domain.settings.service import update_settings
from domain.wallet.service import (
    BankAccount,
    approve_withdrawal,
    balances,
    mark_withdrawal_paid,
    reject_withdrawal,
    request_withdrawal,
)
from domain.wechat import get_wechat
from tests.builders import approve_distributor, make_user


@pytest.fixture
def earner(db):
    """An approved distributor with 5000 fen settled in the ledger."""
    user = make_user(db, "earner")
    approve_distributor(db, user)
    db.add(WalletEntry(user_id=user.id, entry_type=EntryType.ADJUSTMENT, amount_fen=5000, note="测试入账"))
    db.flush()
    return user


def refused(code: str, fn, **kwargs):
    with pytest.raises(DomainError) as info:
        fn(**kwargs)
    assert info.value.code == code, info.value.message


def test_a_withdrawal_holds_the_amount_and_wechat_payout_pays_it(db, earner, sandbox_url):
    w = request_withdrawal(db, user=earner, amount_fen=3000, method="wechat")
    assert (w.status, w.amount_fen, w.fee_fen) == (WithdrawalStatus.PENDING, 3000, 0)
    b = balances(db, earner.id)
    assert (b.available_fen, b.withdrawing_fen, b.withdrawn_fen) == (2000, 3000, 0)
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert w.status == WithdrawalStatus.PAID and w.payout_ref
    b = balances(db, earner.id)
    assert (b.available_fen, b.withdrawing_fen, b.withdrawn_fen) == (2000, 0, 3000)
    transfers = httpx.get(sandbox_url + "records", params={"kind": "transfer"}).json()["items"]
    mine = [t for t in transfers if t["partner_trade_no"] == w.withdrawal_no]
    assert [(t["amount"], t["openid"]) for t in mine] == [(3000, earner.openid)]


def test_approving_again_never_pays_twice(db, earner, sandbox_url):
    w = request_withdrawal(db, user=earner, amount_fen=1000, method="wechat")
    # The transfer goes through at WeChat but our answer is lost: the same number is sent again.
    first = get_wechat().transfer(partner_trade_no=w.withdrawal_no, openid=earner.openid, amount_fen=1000,
                                  desc="x", real_name=None)
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert w.payout_ref == first
    transfers = httpx.get(sandbox_url + "records", params={"kind": "transfer"}).json()["items"]
    assert len([t for t in transfers if t["partner_trade_no"] == w.withdrawal_no]) == 1


def test_rejection_releases_the_hold(db, earner):
    w = request_withdrawal(db, user=earner, amount_fen=5000, method="wechat")
    assert balances(db, earner.id).available_fen == 0
    reject_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, reason="信息有误，请重新申请")
    assert w.status == WithdrawalStatus.REJECTED
    assert balances(db, earner.id).available_fen == 5000
    refused("withdrawal_not_pending", reject_withdrawal, session=db, actor=SYSTEM, withdrawal_id=w.id, reason="x")


def test_a_failed_transfer_marks_failed_and_releases_the_hold(db, earner, sandbox_url):
    w = request_withdrawal(db, user=earner, amount_fen=2000, method="wechat")
    httpx.post(sandbox_url + "control/fail-next", json={"kind": "transfer", "code": "V2_ACCOUNT_SIMPLE_BAN"})
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert w.status == WithdrawalStatus.FAILED and w.failure
    assert balances(db, earner.id).available_fen == 5000
    entries = [e.entry_type for e in db.query(WalletEntry).filter_by(withdrawal_id=w.id).order_by(WalletEntry.id)]
    assert entries == [EntryType.WITHDRAWAL_HOLD, EntryType.WITHDRAWAL_RELEASED]


def test_bank_withdrawals_are_paid_by_hand_with_a_reference(db, earner):
    account = BankAccount(bank_name="招商银行深圳分行", account_name="测试用户", account_no="6225 8801 2345 6789")
    w = request_withdrawal(db, user=earner, amount_fen=4000, method="bank", bank=account)
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert w.status == WithdrawalStatus.APPROVED  # waiting for the transfer by hand
    mark_withdrawal_paid(db, actor=SYSTEM, withdrawal_id=w.id, reference="CMB20261127001")
    assert (w.status, w.payout_ref) == (WithdrawalStatus.PAID, "CMB20261127001")
    assert b"6225" not in (w.account_no_enc or "").encode()  # stored encrypted
    refused("bank_account_required", request_withdrawal, session=db, user=earner, amount_fen=100, method="bank")


def test_limits_fee_and_refusals(db, earner):
    refused("withdraw_below_minimum", request_withdrawal, session=db, user=earner, amount_fen=99, method="wechat")
    refused("insufficient_balance", request_withdrawal, session=db, user=earner, amount_fen=5001, method="wechat")
    update_settings(db, {"withdraw_max_fen": 3000, "withdraw_fee_bp": 60})
    refused("withdraw_above_maximum", request_withdrawal, session=db, user=earner, amount_fen=3001, method="wechat")
    w = request_withdrawal(db, user=earner, amount_fen=2999, method="wechat")
    assert (w.fee_fen, w.payout_fen) == (17, 2982)  # 2999 * 60 // 10000 = 17


def test_a_fourth_withdrawal_in_one_day_is_refused(db, earner):
    for _ in range(3):
        request_withdrawal(db, user=earner, amount_fen=100, method="wechat")
    refused("withdraw_daily_limit", request_withdrawal, session=db, user=earner, amount_fen=100, method="wechat")
    with clock.travel(timedelta(days=1)):
        assert request_withdrawal(db, user=earner, amount_fen=100, method="wechat").status == WithdrawalStatus.PENDING


def test_real_name_is_required_for_large_wechat_payouts(db):
    from domain.distribution.distributors import ensure_distributor

    update_settings(db, {"distributor_mode": "auto"})
    user = make_user(db)
    ensure_distributor(db, user.id)  # auto mode: no application, so no real name on file
    db.add(WalletEntry(user_id=user.id, entry_type=EntryType.ADJUSTMENT, amount_fen=300_000))
    db.flush()
    refused("real_name_required", request_withdrawal, session=db, user=user, amount_fen=200_000, method="wechat")
    assert request_withdrawal(db, user=user, amount_fen=199_999, method="wechat").amount_fen == 199_999


def test_only_distributors_can_withdraw(db):
    stranger = make_user(db)
    refused("not_distributor", request_withdrawal, session=db, user=stranger, amount_fen=100, method="wechat")
    assert db.query(Withdrawal).filter_by(user_id=stranger.id).count() == 0
