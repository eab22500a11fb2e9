"""The wallet ledger and withdrawals: every rule and refusal, with exact amounts."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from domain import clock
from domain.audit.service import list_actions
from domain.errors import CommonError, ExternalServiceError
from domain.models import EntryType, WalletEntry, Withdrawal, WithdrawalStatus
from domain.security.actor import SYSTEM, Actor, Shopper
from domain.security.roles import Role
from domain.settings.service import update_settings
from domain.wallet.actions import WithdrawalAction, withdrawal_actions
from domain.wallet.errors import WalletError
from domain.wallet.queries import list_withdrawals, reveal_withdrawal_account, withdrawal_detail
from domain.wallet.service import (
    BankAccount,
    approve_withdrawal,
    balances,
    mark_withdrawal_paid,
    reject_withdrawal,
    request_withdrawal,
    transfer_notify_url,
)
from domain.wechat import get_wechat
from tests.builders import approve_distributor, make_user
from tests.refusals import refused


@pytest.fixture
def earner(db):
    """An approved distributor with 5000 fen settled in the ledger."""
    user = make_user(db, "earner")
    approve_distributor(db, user)
    db.add(WalletEntry(user_id=user.id, entry_type=EntryType.ADJUSTMENT, amount_fen=5000, note="测试入账"))
    db.flush()
    return user


def test_a_withdrawal_holds_the_amount_and_wechat_payout_pays_it(db, earner, sandbox_url, pay_v2):
    w = request_withdrawal(db, user=earner, amount_fen=3000, method="wechat")
    assert (w.status, w.amount_fen, w.fee_fen) == (WithdrawalStatus.PENDING, 3000, 0)
    b = balances(db, earner.id)
    assert (b.available_fen, b.withdrawing_fen, b.withdrawn_fen) == (2000, 3000, 0)
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert w.status == WithdrawalStatus.PAID and w.payout_ref
    b = balances(db, earner.id)
    assert (b.available_fen, b.withdrawing_fen, b.withdrawn_fen) == (2000, 0, 3000)
    transfers = httpx.get(sandbox_url + "records", params={"kind": "transfer"}).json()["items"]
    mine = [t for t in transfers if t.get("partner_trade_no") == w.withdrawal_no]
    assert [(t["amount"], t["openid"]) for t in mine] == [(3000, earner.openid)]


def test_approving_again_never_pays_twice(db, earner, sandbox_url, pay_api):
    w = request_withdrawal(db, user=earner, amount_fen=1000, method="wechat")
    # The transfer goes through at WeChat but our answer is lost: the same number is sent again.
    first = get_wechat().transfer(out_bill_no=w.withdrawal_no, openid=earner.openid, amount_fen=1000,
                                  remark="x", real_name=None, notify_url=transfer_notify_url())
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert w.payout_ref == first.transfer_bill_no
    transfers = httpx.get(sandbox_url + "records", params={"kind": "transfer"}).json()["items"]
    assert len([t for t in transfers if w.withdrawal_no in (t.get("partner_trade_no"), t.get("out_bill_no"))]) == 1


def test_rejection_releases_the_hold(db, earner):
    w = request_withdrawal(db, user=earner, amount_fen=5000, method="wechat")
    assert balances(db, earner.id).available_fen == 0
    reject_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, reason="信息有误，请重新申请")
    assert w.status == WithdrawalStatus.REJECTED
    assert balances(db, earner.id).available_fen == 5000
    with refused(WalletError.WITHDRAWAL_NOT_PENDING):
        reject_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, reason="x")


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
    with refused(WalletError.BANK_ACCOUNT_REQUIRED):
        request_withdrawal(db, user=earner, amount_fen=100, method="bank")


def test_limits_fee_and_refusals(db, earner):
    with refused(WalletError.WITHDRAW_BELOW_MINIMUM):
        request_withdrawal(db, user=earner, amount_fen=99, method="wechat")
    with refused(WalletError.INSUFFICIENT_BALANCE):
        request_withdrawal(db, user=earner, amount_fen=5001, method="wechat")
    update_settings(db, {"withdraw_max_fen": 3000, "withdraw_fee_bp": 60})
    with refused(WalletError.WITHDRAW_ABOVE_MAXIMUM):
        request_withdrawal(db, user=earner, amount_fen=3001, method="wechat")
    w = request_withdrawal(db, user=earner, amount_fen=2999, method="wechat")
    assert (w.fee_fen, w.payout_fen) == (17, 2982)  # 2999 * 60 // 10000 = 17


def test_a_fourth_withdrawal_in_one_day_is_refused(db, earner):
    for _ in range(3):
        request_withdrawal(db, user=earner, amount_fen=100, method="wechat")
    with refused(WalletError.WITHDRAW_DAILY_LIMIT):
        request_withdrawal(db, user=earner, amount_fen=100, method="wechat")
    with clock.travel(timedelta(days=1)):
        assert request_withdrawal(db, user=earner, amount_fen=100, method="wechat").status == WithdrawalStatus.PENDING


def test_real_name_is_required_for_large_wechat_payouts(db):
    from domain.distribution.distributors import ensure_distributor

    update_settings(db, {"distributor_mode": "auto"})
    user = make_user(db)
    ensure_distributor(db, user.id)  # auto mode: no application, so no real name on file
    db.add(WalletEntry(user_id=user.id, entry_type=EntryType.ADJUSTMENT, amount_fen=300_000))
    db.flush()
    with refused(WalletError.REAL_NAME_REQUIRED):
        request_withdrawal(db, user=user, amount_fen=200_000, method="wechat")
    assert request_withdrawal(db, user=user, amount_fen=199_999, method="wechat").amount_fen == 199_999


def test_only_distributors_can_withdraw(db):
    stranger = make_user(db)
    with refused(WalletError.NOT_DISTRIBUTOR):
        request_withdrawal(db, user=stranger, amount_fen=100, method="wechat")
    assert db.query(Withdrawal).filter_by(user_id=stranger.id).count() == 0


# --- what may be done now, and who sees what ------------------------------------------------------

FINANCE, OWNER = Actor(staff_id=None, username="fin", role=Role.FINANCE), Actor(None, "own", Role.OWNER)
SUPPORT, ANALYST = Actor(None, "sup", Role.SUPPORT), Actor(None, "ana", Role.ANALYST)
A = WithdrawalAction
BANK = BankAccount(bank_name="招商银行", account_name="钱多多", account_no="6225 8801 2345 6789")


@pytest.mark.parametrize(("method", "status", "expected"), [
    ("bank", WithdrawalStatus.PENDING, (A.APPROVE, A.REJECT, A.REVEAL_ACCOUNT)),
    ("bank", WithdrawalStatus.APPROVED, (A.MARK_PAID, A.REJECT, A.REVEAL_ACCOUNT)),
    ("bank", WithdrawalStatus.PAID, (A.REVEAL_ACCOUNT,)),
    ("bank", WithdrawalStatus.REJECTED, (A.REVEAL_ACCOUNT,)),
    ("wechat", WithdrawalStatus.PENDING, (A.APPROVE, A.REJECT)),
    ("wechat", WithdrawalStatus.APPROVED, (A.RETRY_TRANSFER,)),  # outcome unclear: only retry, never reject
    ("wechat", WithdrawalStatus.PAID, ()),
    ("wechat", WithdrawalStatus.FAILED, ()),
    ("wechat", WithdrawalStatus.REJECTED, ()),
])
def test_actions_per_method_and_state_for_finance_and_the_owner_and_none_for_others(method, status, expected):
    w = Withdrawal(method=method, status=status)
    assert withdrawal_actions(w, FINANCE) == expected
    assert withdrawal_actions(w, OWNER) == expected
    for nobody in (SUPPORT, ANALYST, Shopper(user_id=1)):
        assert withdrawal_actions(w, nobody) == ()


def test_a_pending_bank_withdrawal_is_approved_before_it_can_be_marked_paid(db, earner):
    w = request_withdrawal(db, user=earner, amount_fen=4000, method="bank", bank=BANK)
    assert A.MARK_PAID not in withdrawal_actions(w, FINANCE)
    with refused(WalletError.WITHDRAWAL_NOT_APPROVED, status=409):
        mark_withdrawal_paid(db, actor=FINANCE, withdrawal_id=w.id, reference="CMB1")
    assert (w.status, w.payout_ref) == (WithdrawalStatus.PENDING, "")
    approve_withdrawal(db, actor=FINANCE, withdrawal_id=w.id, wechat=get_wechat())
    assert withdrawal_actions(w, FINANCE) == (A.MARK_PAID, A.REJECT, A.REVEAL_ACCOUNT)
    with refused(WalletError.WITHDRAWAL_NOT_PENDING):
        approve_withdrawal(db, actor=FINANCE, withdrawal_id=w.id, wechat=get_wechat())
    # Approved but not yet paid: rejecting still gives the money back.
    reject_withdrawal(db, actor=FINANCE, withdrawal_id=w.id, reason="户名与实名不一致")
    assert w.status == WithdrawalStatus.REJECTED and balances(db, earner.id).available_fen == 5000
    with refused(WalletError.WITHDRAWAL_NOT_PENDING):
        mark_withdrawal_paid(db, actor=FINANCE, withdrawal_id=w.id, reference="CMB1")


def test_an_unclear_wechat_transfer_can_be_retried_but_not_rejected(db, earner, pay_v2):
    class Unreachable:
        def transfer(self, **_):
            raise ExternalServiceError(CommonError.WECHAT_UNAVAILABLE, "微信服务暂时不可用")

    w = request_withdrawal(db, user=earner, amount_fen=1500, method="wechat")
    approve_withdrawal(db, actor=FINANCE, withdrawal_id=w.id, wechat=Unreachable())
    assert (w.status, withdrawal_actions(w, FINANCE)) == (WithdrawalStatus.APPROVED, (A.RETRY_TRANSFER,))
    with refused(WalletError.WITHDRAWAL_NOT_PENDING):
        reject_withdrawal(db, actor=FINANCE, withdrawal_id=w.id, reason="不想等了")
    with refused(WalletError.NOT_BANK_WITHDRAWAL):
        mark_withdrawal_paid(db, actor=FINANCE, withdrawal_id=w.id, reference="X1")
    approve_withdrawal(db, actor=FINANCE, withdrawal_id=w.id, wechat=get_wechat())
    assert (w.status, withdrawal_actions(w, FINANCE)) == (WithdrawalStatus.PAID, ())
    assert balances(db, earner.id).withdrawn_fen == 1500


def test_staff_without_the_withdrawals_permission_are_refused(db, earner):
    w = request_withdrawal(db, user=earner, amount_fen=1000, method="bank", bank=BANK)
    for nobody in (SUPPORT, ANALYST):
        with refused(CommonError.FORBIDDEN, status=403):
            approve_withdrawal(db, actor=nobody, withdrawal_id=w.id, wechat=get_wechat())
        with refused(CommonError.FORBIDDEN, status=403):
            list_withdrawals(db, viewer=nobody)
    assert w.status == WithdrawalStatus.PENDING


def test_lists_and_details_never_hold_the_full_account_number(db, earner):
    w = request_withdrawal(db, user=earner, amount_fen=4000, method="bank", bank=BANK)
    wechat = request_withdrawal(db, user=earner, amount_fen=500, method="wechat")
    rows, total = list_withdrawals(db, viewer=FINANCE, user_id=earner.id)
    mine, _ = list_withdrawals(db, viewer=Shopper.of(earner))
    detail = withdrawal_detail(db, viewer=OWNER, withdrawal_id=w.id)
    assert total == 2 and [r.id for r in rows] == [r.id for r in mine] == [wechat.id, w.id]
    bank_row = rows[1]
    assert (bank_row.nickname, bank_row.account_no_masked, bank_row.account_holder_masked, bank_row.account_text) == (
        "earner", "****6789", "钱**", "招商银行 ****6789 钱**")
    assert (rows[0].account_no_masked, rows[0].account_text) == ("", "")
    for view in (*rows, *mine, detail):
        shown = " ".join(str(v) for v in vars(view).values())
        assert "6225880123456789" not in shown and "钱多多" not in shown
    assert mine[1].actions == () and bank_row.actions == (A.APPROVE, A.REJECT, A.REVEAL_ACCOUNT)


def test_a_shopper_sees_only_their_own_withdrawals(db, earner):
    w = request_withdrawal(db, user=earner, amount_fen=1000, method="wechat")
    stranger = make_user(db)
    assert list_withdrawals(db, viewer=Shopper.of(stranger)) == ([], 0)
    with refused(WalletError.WITHDRAWAL_NOT_FOUND, status=404):
        withdrawal_detail(db, viewer=Shopper.of(stranger), withdrawal_id=w.id)
    assert withdrawal_detail(db, viewer=Shopper.of(earner), withdrawal_id=w.id).amount_fen == 1000


def test_revealing_a_bank_account_writes_one_audit_entry_each_time(db, earner):
    w = request_withdrawal(db, user=earner, amount_fen=4000, method="bank", bank=BANK)
    first = reveal_withdrawal_account(db, actor=FINANCE, withdrawal_id=w.id)
    reveal_withdrawal_account(db, actor=OWNER, withdrawal_id=w.id)
    assert (first.bank_name, first.account_name, first.account_no) == ("招商银行", "钱多多", "6225880123456789")
    entries, total = list_actions(db, entity_type="withdrawal", entity_id=w.id)
    assert total == 2 and [(e.action, e.actor) for e in entries] == [
        ("withdrawal.reveal_account", "own"), ("withdrawal.reveal_account", "fin")]
    assert all("6225880123456789" not in str(e.after) for e in entries)  # the log says who looked, not what


def test_revealing_is_refused_to_support_and_analysts_and_for_wechat_payouts(db, earner):
    w = request_withdrawal(db, user=earner, amount_fen=4000, method="bank", bank=BANK)
    wechat = request_withdrawal(db, user=earner, amount_fen=500, method="wechat")
    for nobody in (SUPPORT, ANALYST):
        with refused(CommonError.FORBIDDEN, status=403):
            reveal_withdrawal_account(db, actor=nobody, withdrawal_id=w.id)
    with refused(WalletError.NOT_BANK_WITHDRAWAL, status=409):
        reveal_withdrawal_account(db, actor=FINANCE, withdrawal_id=wechat.id)
    with refused(WalletError.WITHDRAWAL_NOT_FOUND, status=404):
        reveal_withdrawal_account(db, actor=FINANCE, withdrawal_id=w.id + 1000)
    assert list_actions(db, action_prefix="withdrawal.reveal")[1] == 0
