"""WeChat payouts on both Pay APIs: v3's 商家转账 bill awaits the distributor's 确认收款 and its notification (or
the reconcile job) settles it; v2's 企业付款 pays at once. Exact amounts, ledger entries and what WeChat received."""

from __future__ import annotations

import httpx
import pytest

from domain.models import EntryType, WalletEntry, WithdrawalStatus
from domain.security.actor import SYSTEM, Shopper
from domain.settings.service import update_settings
from domain.wallet.actions import WithdrawalAction, withdrawal_actions
from domain.wallet.errors import WalletError
from domain.wallet.service import approve_withdrawal, balances, request_withdrawal
from domain.wallet.transfers import handle_transfer_notification, reconcile_transfers, transfer_confirmation
from domain.wechat import get_wechat
from domain.wechat.errors import WeChatError
from domain.wechat.pay_types import TransferState
from tests.builders import approve_distributor, make_user
from tests.refusals import refused


@pytest.fixture
def earner(db):
    """An approved distributor (real name 测试用户) with 5000 fen settled in the ledger."""
    user = make_user(db, "transfer_earner")
    approve_distributor(db, user)
    db.add(WalletEntry(user_id=user.id, entry_type=EntryType.ADJUSTMENT, amount_fen=5000, note="测试入账"))
    db.flush()
    return user


def records(sandbox_url: str, kind: str, number: str) -> list[dict]:
    items = httpx.get(sandbox_url + "records", params={"kind": kind}).json()["items"]
    return [r for r in items if number in (r.get("out_bill_no"), r.get("partner_trade_no"))]


def settle_at_wechat(db, sandbox_url: str, number: str, how: str, *, deliver: bool = True):
    """The distributor confirms (or the bill expires, or fails) at WeChat; its notification reaches us unless lost."""
    answer = httpx.post(sandbox_url + f"transfer/{how}", json={"out_bill_no": number, "deliver": False})
    assert answer.status_code == 200, answer.text
    if deliver:
        handle_transfer_notification(db, wechat=get_wechat(), body=answer.json()["body"].encode(),
                                     headers=answer.json()["headers"])
    return answer.json()


def test_transfer_then_confirmation_pays_it(db, earner, sandbox_url, pay_api):
    w = request_withdrawal(db, user=earner, amount_fen=3000, method="wechat")
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    if pay_api == "v3":
        assert (w.status, w.paid_at, w.failure) == (WithdrawalStatus.AWAITING_CONFIRMATION, None, "")
        assert withdrawal_actions(w, Shopper.of(earner)) == (WithdrawalAction.CONFIRM_RECEIPT,)
        assert withdrawal_actions(w, SYSTEM) == ()  # finance waits for WeChat
        b = balances(db, earner.id)
        assert (b.available_fen, b.withdrawing_fen, b.withdrawn_fen) == (2000, 3000, 0)
        confirmation = transfer_confirmation(db, user=earner, withdrawal_id=w.id)
        assert (confirmation.package, confirmation.mch_id) == (w.transfer_package, "1900000109")
        settle_at_wechat(db, sandbox_url, w.withdrawal_no, "confirm")
    assert (w.status, w.paid_at is not None, w.transfer_package) == (WithdrawalStatus.PAID, True, None)
    assert withdrawal_actions(w, Shopper.of(earner)) == ()
    b = balances(db, earner.id)
    assert (b.available_fen, b.withdrawing_fen, b.withdrawn_fen) == (2000, 0, 3000)
    [sent] = records(sandbox_url, "transfer", w.withdrawal_no)
    assert (sent["amount"], sent["openid"]) == (3000, earner.openid)
    assert w.payout_ref == (sent.get("transfer_bill_no") if pay_api == "v3" else sent["payment_no"])


def test_a_bill_that_expires_or_fails_releases_the_hold_and_the_distributor_can_ask_again(db, earner, sandbox_url,
                                                                                          pay_api):
    w = request_withdrawal(db, user=earner, amount_fen=5000, method="wechat")
    if pay_api == "v3":
        approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
        assert balances(db, earner.id).available_fen == 0
        settle_at_wechat(db, sandbox_url, w.withdrawal_no, "expire")
        assert w.failure == "超过时限未确认收款，转账已撤销，可重新申请提现"
    else:  # 企业付款 has no bill to expire: WeChat refuses it at once
        httpx.post(sandbox_url + "control/fail-next", json={"kind": "transfer", "code": "V2_ACCOUNT_SIMPLE_BAN"})
        approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert w.status == WithdrawalStatus.FAILED and w.transfer_package is None
    assert balances(db, earner.id).available_fen == 5000
    entries = [e.entry_type for e in db.query(WalletEntry).filter_by(withdrawal_id=w.id).order_by(WalletEntry.id)]
    assert entries == [EntryType.WITHDRAWAL_HOLD, EntryType.WITHDRAWAL_RELEASED]
    again = request_withdrawal(db, user=earner, amount_fen=5000, method="wechat")
    assert again.status == WithdrawalStatus.PENDING and balances(db, earner.id).available_fen == 0


def test_a_failed_bill_releases_the_hold_with_wechats_reason(db, earner, sandbox_url, pay_v3):
    w = request_withdrawal(db, user=earner, amount_fen=2000, method="wechat")
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    httpx.post(sandbox_url + "transfer/fail", json={"out_bill_no": w.withdrawal_no, "reason": "REAL_NAME_CHECK_FAIL",
                                                     "deliver": False})
    assert reconcile_transfers(db, wechat=get_wechat(), after_id=w.id - 1)[0] >= 1  # the notification was lost
    assert (w.status, w.failure) == (WithdrawalStatus.FAILED, "收款人实名信息不符，转账失败")
    assert balances(db, earner.id).available_fen == 5000


def test_repeated_notifications_change_nothing_and_another_amount_is_refused(db, earner, sandbox_url, pay_v3):
    w = request_withdrawal(db, user=earner, amount_fen=3000, method="wechat")
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    answer = settle_at_wechat(db, sandbox_url, w.withdrawal_no, "confirm")
    paid_at = w.paid_at
    handle_transfer_notification(db, wechat=get_wechat(), body=answer["body"].encode(), headers=answer["headers"])
    assert (w.status, w.paid_at) == (WithdrawalStatus.PAID, paid_at)
    assert balances(db, earner.id).withdrawn_fen == 3000
    forged = answer["body"].replace('"summary": "', '"summary": "x').encode()
    with refused(WeChatError.INVALID_SIGNATURE):
        handle_transfer_notification(db, wechat=get_wechat(), body=forged, headers=answer["headers"])


def test_the_reconcile_job_settles_a_bill_whose_notification_was_lost(db, earner, sandbox_url, pay_v3):
    confirmed = request_withdrawal(db, user=earner, amount_fen=1000, method="wechat")
    expired = request_withdrawal(db, user=earner, amount_fen=1500, method="wechat")
    waiting = request_withdrawal(db, user=earner, amount_fen=2000, method="wechat")
    for w in (confirmed, expired, waiting):
        approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    settle_at_wechat(db, sandbox_url, confirmed.withdrawal_no, "confirm", deliver=False)
    settle_at_wechat(db, sandbox_url, expired.withdrawal_no, "expire", deliver=False)
    moved, last = reconcile_transfers(db, wechat=get_wechat(), after_id=confirmed.id - 1)
    assert (moved, last) == (2, waiting.id)
    assert [w.status for w in (confirmed, expired, waiting)] == [
        WithdrawalStatus.PAID, WithdrawalStatus.FAILED, WithdrawalStatus.AWAITING_CONFIRMATION]
    b = balances(db, earner.id)
    assert (b.available_fen, b.withdrawing_fen, b.withdrawn_fen) == (2000, 2000, 1000)
    assert reconcile_transfers(db, wechat=get_wechat(), after_id=confirmed.id - 1)[0] == 0  # idempotent


def test_scene_1005_with_its_report_info_and_the_real_name_encrypted_when_the_amount_requires_it(
        db, earner, sandbox_url, pay_v3):
    update_settings(db, {"withdraw_real_name_threshold_fen": 2000})
    small = request_withdrawal(db, user=earner, amount_fen=1000, method="wechat")
    large = request_withdrawal(db, user=earner, amount_fen=2000, method="wechat")
    for w in (small, large):
        approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    [without] = records(sandbox_url, "transfer", small.withdrawal_no)
    [named] = records(sandbox_url, "transfer", large.withdrawal_no)
    assert (without["user_name_encrypted"], without["user_name"]) == (False, "")
    # Sent RSA-OAEP-encrypted with the platform public key; the sandbox decrypts it with its private key.
    assert (named["user_name_encrypted"], named["user_name"]) == (True, "测试用户")
    assert (named["transfer_scene_id"], named["user_recv_perception"]) == ("1005", "劳务报酬")
    assert {i["info_type"] for i in named["report_infos"]} == {"岗位类型", "报酬说明"}


def test_a_bill_is_created_once_however_often_approval_is_retried(db, earner, sandbox_url, pay_v3):
    w = request_withdrawal(db, user=earner, amount_fen=1200, method="wechat")
    httpx.post(sandbox_url + "control/fail-next", json={"kind": "transfer", "code": "SYSTEM_ERROR"})
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert (w.status, withdrawal_actions(w, SYSTEM)) == (WithdrawalStatus.APPROVED, (WithdrawalAction.RETRY_TRANSFER,))
    assert balances(db, earner.id).available_fen == 3800  # still held: the outcome was unclear
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    assert w.status == WithdrawalStatus.AWAITING_CONFIRMATION
    assert get_wechat().query_transfer(w.withdrawal_no).state == TransferState.AWAITING_CONFIRMATION
    assert len(records(sandbox_url, "transfer", w.withdrawal_no)) == 1


def test_only_the_distributor_of_a_bill_awaiting_confirmation_gets_its_package(db, earner, pay_v3):
    w = request_withdrawal(db, user=earner, amount_fen=1000, method="wechat")
    with refused(WalletError.TRANSFER_NOT_AWAITING_CONFIRMATION):
        transfer_confirmation(db, user=earner, withdrawal_id=w.id)
    approve_withdrawal(db, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
    with refused(WalletError.WITHDRAWAL_NOT_FOUND, status=404):
        transfer_confirmation(db, user=make_user(db, "someone_else"), withdrawal_id=w.id)
    assert transfer_confirmation(db, user=earner, withdrawal_id=w.id).package == w.transfer_package
