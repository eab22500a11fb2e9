"""The withdrawals screen: WeChat payouts paid on approval (or failed and released), rejections release the hold,
bank payouts marked paid with their reference."""

from __future__ import annotations

import pytest

from dashboard import state
from domain.audit.service import list_actions
from domain.db import unit_of_work
from domain.errors import ExternalServiceError
from domain.models import User, Withdrawal, WithdrawalStatus
from domain.wallet.service import BankAccount, balances, request_withdrawal
from tests.builders import approve_distributor, make_user
from tests.dashboard.conftest import fail_next, sandbox_records, table, texts
from tests.dashboard.shop import credit

WITHDRAWALS = "views/withdrawals.py"


def key(withdrawal_id: int, field: str, version: int = 0) -> str:
    return state.widget_key(state.withdrawal_form(withdrawal_id), field, version)


@pytest.fixture
def earner(committed):
    """An approved distributor with ¥50.00 available."""
    with unit_of_work(committed) as session:
        user = make_user(session, "提现人")
        approve_distributor(session, user)
        credit(session, user, 5000)
        return user.id


def withdraw(committed, user_id: int, amount_fen: int, method: str = "wechat", bank: BankAccount | None = None):
    with unit_of_work(committed) as session:
        w = request_withdrawal(session, user=session.get(User, user_id), amount_fen=amount_fen, method=method,
                               bank=bank)
        return w.id, w.withdrawal_no


def stored(committed, withdrawal_id: int) -> Withdrawal:
    with unit_of_work(committed) as session:
        return session.get(Withdrawal, withdrawal_id)


def available(committed, user_id: int) -> int:
    with unit_of_work(committed) as session:
        return balances(session, user_id).available_fen


def pay(at, withdrawal_id: int, version: int = 0):
    at.checkbox(key=key(withdrawal_id, "confirm", version)).check()
    return at.button(key=key(withdrawal_id, "approve_submit", version)).click().run()


def test_approving_a_wechat_withdrawal_pays_it_at_once(committed, earner, open_as, sandbox_url, pay_v2):
    withdrawal_id, number = withdraw(committed, earner, 3000)
    at = open_as("finance", WITHDRAWALS)
    [row] = table(at, "提现单号")
    assert (row["分销员"], row["提现金额"], row["手续费"], row["实际到账"], row["方式"], row["状态"]) == (
        "提现人", "¥30.00", "¥0.00", "¥30.00", "微信零钱", "待审核")
    pay(at, withdrawal_id)

    w = stored(committed, withdrawal_id)
    assert texts(at, "success") == [f"已打款 ¥30.00 到微信零钱（微信付款单号 {w.payout_ref}）。"]
    assert (w.status, w.paid_at is not None) == (WithdrawalStatus.PAID, True)
    [transfer] = [x for x in sandbox_records(sandbox_url, "transfer") if x.get("partner_trade_no") == number]
    assert (transfer["amount"], transfer["payment_no"]) == (3000, w.payout_ref)
    assert available(committed, earner) == 2000


def test_approving_a_wechat_withdrawal_on_v3_creates_a_bill_awaiting_confirmation(committed, earner, open_as,
                                                                                    sandbox_url, pay_v3):
    withdrawal_id, number = withdraw(committed, earner, 3000)
    at = open_as("finance", WITHDRAWALS)
    pay(at, withdrawal_id)

    w = stored(committed, withdrawal_id)
    assert (w.status, w.paid_at, bool(w.transfer_package)) == (WithdrawalStatus.AWAITING_CONFIRMATION, None, True)
    assert texts(at, "success")[0].startswith(f"已发起微信转账 ¥30.00（转账单号 {w.payout_ref}）")
    [bill] = [x for x in sandbox_records(sandbox_url, "transfer") if x.get("out_bill_no") == number]
    assert (bill["amount"], bill["transfer_scene_id"], bill["state"]) == (3000, "1005", "WAIT_USER_CONFIRM")
    assert available(committed, earner) == 2000  # still held until the distributor confirms

    at.get("button_group")[0].set_value(WithdrawalStatus.AWAITING_CONFIRMATION).run()
    [row] = table(at, "提现单号")
    assert row["状态"] == "待分销员确认收款"


def test_rejecting_releases_the_hold(committed, earner, open_as):
    withdrawal_id, number = withdraw(committed, earner, 5000)
    assert available(committed, earner) == 0
    at = open_as("owner", WITHDRAWALS)
    at.text_area(key=key(withdrawal_id, "reason")).set_value("账户信息有误，请重新申请")
    at.button(key=key(withdrawal_id, "reject_submit")).click().run()
    assert texts(at, "success") == [f"提现 {number} 已驳回，¥50.00 已退回余额。"]
    w = stored(committed, withdrawal_id)
    assert (w.status, w.reject_reason) == (WithdrawalStatus.REJECTED, "账户信息有误，请重新申请")
    assert available(committed, earner) == 5000


def test_a_failed_transfer_shows_failed_and_releases_the_hold(committed, earner, open_as, sandbox_url, pay_v2):
    withdrawal_id, number = withdraw(committed, earner, 2000)
    at = open_as("finance", WITHDRAWALS)
    fail_next(sandbox_url, "transfer", "V2_ACCOUNT_SIMPLE_BAN")
    pay(at, withdrawal_id)

    w = stored(committed, withdrawal_id)
    assert w.status == WithdrawalStatus.FAILED
    assert texts(at, "error") == [f"打款失败：{w.failure}。提现金额 ¥20.00 已退回分销员的可提现余额。"]
    assert w.failure.startswith("微信转账失败")
    assert available(committed, earner) == 5000
    assert [x["err_code"] for x in sandbox_records(sandbox_url, "transfer_failed")
            if x.get("partner_trade_no") == number] == ["V2_ACCOUNT_SIMPLE_BAN"]

    at.get("button_group")[0].set_value(WithdrawalStatus.FAILED).run()
    [row] = table(at, "提现单号")
    assert (row["状态"], row["备注"]) == ("打款失败", w.failure)


def test_bank_payouts_are_approved_then_marked_paid_with_the_reference(committed, earner, open_as):
    bank = BankAccount(bank_name="招商银行", account_name="钱多多", account_no="6225 8801 2345 6789")
    withdrawal_id, number = withdraw(committed, earner, 4000, method="bank", bank=bank)
    at = open_as("finance", WITHDRAWALS)
    [row] = table(at, "提现单号")
    assert (row["方式"], row["收款账户"]) == ("银行卡", "招商银行 ****6789 钱**")

    at.button(key=key(withdrawal_id, "approve_bank")).click().run()
    assert texts(at, "success") == [f"提现 {number} 已同意，请转账后标记已打款。"]
    assert stored(committed, withdrawal_id).status == WithdrawalStatus.APPROVED

    at.get("button_group")[0].set_value(WithdrawalStatus.APPROVED).run()
    at.button(key=key(withdrawal_id, "paid_submit")).click().run()
    assert texts(at, "error") == ["请填写银行转账流水号"]
    at.text_input(key=key(withdrawal_id, "reference")).set_value("CMB20240501001")
    at.button(key=key(withdrawal_id, "paid_submit")).click().run()
    assert texts(at, "success") == [f"提现 {number} 已标记为已打款。"]
    w = stored(committed, withdrawal_id)
    assert (w.status, w.payout_ref) == (WithdrawalStatus.PAID, "CMB20240501001")
    with unit_of_work(committed) as session:
        assert balances(session, earner).withdrawn_fen == 4000


class Unreachable:
    """WeChat as seen during a network failure: the transfer's outcome is unknown."""

    def transfer(self, **_):
        raise ExternalServiceError("wechat_unavailable", "微信服务暂时不可用")


def test_a_network_error_leaves_it_approved_and_paying_again_retries_once(committed, earner, open_as, sandbox_url,
                                                                          monkeypatch, pay_v2):
    withdrawal_id, number = withdraw(committed, earner, 1500)
    at = open_as("finance", WITHDRAWALS)
    with monkeypatch.context() as patched:
        patched.setattr("domain.wechat.get_wechat", Unreachable)
        pay(at, withdrawal_id)
    assert texts(at, "warning")[0].startswith("微信暂未确认打款结果（微信服务暂时不可用）")
    w = stored(committed, withdrawal_id)
    assert (w.status, w.failure) == (WithdrawalStatus.APPROVED, "微信服务暂时不可用")
    assert available(committed, earner) == 3500  # still held: the money may be on its way

    at.get("button_group")[0].set_value(WithdrawalStatus.APPROVED).run()
    assert "**重试打款**" in texts(at, "markdown")
    pay(at, withdrawal_id, version=1)
    assert stored(committed, withdrawal_id).status == WithdrawalStatus.PAID
    assert [x["amount"] for x in sandbox_records(sandbox_url, "transfer") if x.get("partner_trade_no") == number] == [1500]


def test_finance_reveals_a_bank_account_on_request_and_each_reveal_is_audited(committed, earner, open_as):
    bank = BankAccount(bank_name="招商银行", account_name="钱多多", account_no="6225 8801 2345 6789")
    withdrawal_id, _ = withdraw(committed, earner, 4000, method="bank", bank=bank)
    at = open_as("finance", WITHDRAWALS)
    assert "6225880123456789" not in str(table(at, "提现单号")) and not at.code
    at.button(key=key(withdrawal_id, "reveal")).click().run()
    assert [c.value for c in at.code] == ["6225880123456789"]
    assert "招商银行 钱多多" in texts(at, "text")
    at.run()  # the next run shows it masked again
    assert not at.code
    at.button(key=key(withdrawal_id, "reveal")).click().run()
    with unit_of_work(committed) as session:
        entries, total = list_actions(session, entity_type="withdrawal", entity_id=withdrawal_id)
        assert total == 2 and {e.action for e in entries} == {"withdrawal.reveal_account"}


def test_a_pending_bank_withdrawal_offers_approve_and_reject_but_not_mark_paid(committed, earner, open_as):
    bank = BankAccount(bank_name="招商银行", account_name="钱多多", account_no="6225 8801 2345 6789")
    withdrawal_id, _ = withdraw(committed, earner, 4000, method="bank", bank=bank)
    at = open_as("owner", WITHDRAWALS)
    shown = {b.key for b in at.button if b.key}
    assert {key(withdrawal_id, "approve_bank"), key(withdrawal_id, "reject_submit"),
            key(withdrawal_id, "reveal")} <= shown
    assert key(withdrawal_id, "paid_submit") not in shown
