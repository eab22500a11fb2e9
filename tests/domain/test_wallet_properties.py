"""Stateful property test: random sequences of pay, complete, refund, settle, withdraw, approve, reject and fail
(and, with 商家转账 on APIv3, the distributor confirming or the bill expiring), on each Pay API.

After every step, whatever happened before:
- the ledger sum (available balance) equals what the commission records and withdrawals say it must be;
- no withdrawal was ever paid twice (one transfer per withdrawal number at WeChat);
- no commission record ever holds more than its base × rate, and its base never exceeds what is left of its line.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from domain import clock
from domain.db import get_engine
from domain.distribution.settlement import settle_due_commissions
from domain.errors import DomainError
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    OrderLine,
    OrderStatus,
    Withdrawal,
    WithdrawalStatus,
)
from domain.security.actor import SYSTEM
from domain.settings.service import update_settings
from domain.wallet import service as wallet
from domain.wallet.errors import WalletError
from domain.wallet.transfers import handle_transfer_notification
from domain.wechat import get_wechat
from tests.builders import (
    approve_distributor,
    complete,
    make_product,
    make_user,
    pay,
    place,
    refund,
)
from tests.conftest import rolled_back

PRICES = (1999, 2999, 9999, 33333)


class Wallets(RuleBasedStateMachine):
    sandbox_url = ""  # set by the test, from its fixture
    pay_api = "v3"  # likewise

    def __init__(self):
        super().__init__()
        self.transaction = rolled_back(get_engine())
        self.s = self.transaction.__enter__()
        self.a = make_user(self.s)
        self.b = make_user(self.s, inviter=self.a)
        self.c = make_user(self.s, inviter=self.b)
        approve_distributor(self.s, self.a)
        approve_distributor(self.s, self.b)
        self.skus = [make_product(self.s, prices=(p,), stock=10_000).skus[0].id for p in PRICES]
        # Refunds long after completion stay possible, so that clawbacks after settlement are explored.
        update_settings(self.s, {"after_sale_days": 365})
        self.withdrawals = []
        # Start with money in both wallets, so that withdrawal paths are reached in every example.
        first = pay(self.s, place(self.s, self.c, [(self.skus[3], 3)]), self.sandbox_url)
        complete(self.s, first)
        clock.advance(timedelta(days=8))
        assert settle_due_commissions(self.s) == 2
        self.orders = [first]

    def teardown(self):
        self.transaction.__exit__(None, None, None)
        clock.reset()

    @rule(sku=st.integers(0, len(PRICES) - 1), quantity=st.integers(1, 4))
    def buy_and_pay(self, sku, quantity):
        self.orders.append(pay(self.s, place(self.s, self.c, [(self.skus[sku], quantity)]), self.sandbox_url))

    @precondition(lambda self: any(o.status == OrderStatus.PAID for o in self.orders))
    @rule(data=st.data())
    def ship_and_receive(self, data):
        order = data.draw(st.sampled_from([o for o in self.orders if o.status == OrderStatus.PAID]))
        complete(self.s, order)

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data())
    def refund_some(self, data):
        order = data.draw(st.sampled_from(self.orders))
        line = order.lines[0]
        left = line.quantity - line.refunded_quantity
        if order.status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED) and left > 0:
            refund(self.s, order, [(line.id, data.draw(st.integers(1, left)))])
            self.s.refresh(order)
            event(f"refund of a {order.status} order")

    @rule(days=st.sampled_from([0, 3, 8]))
    def time_passes_and_settle(self, days):
        clock.advance(timedelta(days=days))
        if settle_due_commissions(self.s):
            event("commissions settled")

    @rule(percent=st.integers(1, 120), user=st.sampled_from(["a", "b"]))
    def withdraw(self, percent, user):
        """A share of what is available (over 100% must be refused)."""
        person = getattr(self, user)
        amount = max(1, wallet.available_balance(self.s, person.id) * percent // 100)
        try:
            self.withdrawals.append(wallet.request_withdrawal(self.s, user=person, amount_fen=amount,
                                                              method="wechat"))
            event("withdrawal held")
        except DomainError as exc:
            event(f"withdrawal refused: {exc.code}")
            assert exc.code in {WalletError.INSUFFICIENT_BALANCE, WalletError.NEGATIVE_BALANCE,
                                WalletError.WITHDRAW_BELOW_MINIMUM, WalletError.WITHDRAW_DAILY_LIMIT}
            assert exc.code != WalletError.INSUFFICIENT_BALANCE or percent > 100

    def _pending(self):
        return [w for w in self.withdrawals if w.status == WithdrawalStatus.PENDING]

    @precondition(lambda self: bool(self._pending()))
    @rule(data=st.data())
    def approve(self, data):
        w = data.draw(st.sampled_from(self._pending()))
        wallet.approve_withdrawal(self.s, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
        if self.pay_api == "v3":
            assert w.status == WithdrawalStatus.AWAITING_CONFIRMATION and w.transfer_package
            event("transfer awaiting confirmation")
        else:
            assert w.status == WithdrawalStatus.PAID
            event("withdrawal paid")

    def _awaiting(self):
        return [w for w in self.withdrawals if w.status == WithdrawalStatus.AWAITING_CONFIRMATION]

    def _settle_bill(self, w, how: str):
        answer = httpx.post(self.sandbox_url + f"transfer/{how}", json={"out_bill_no": w.withdrawal_no,
                                                                        "deliver": False}).json()
        handle_transfer_notification(self.s, wechat=get_wechat(), body=answer["body"].encode(),
                                     headers=answer["headers"])

    @precondition(lambda self: bool(self._awaiting()))
    @rule(data=st.data())
    def distributor_confirms(self, data):
        w = data.draw(st.sampled_from(self._awaiting()))
        self._settle_bill(w, "confirm")
        assert w.status == WithdrawalStatus.PAID
        event("withdrawal paid")

    @precondition(lambda self: bool(self._awaiting()))
    @rule(data=st.data())
    def bill_expires(self, data):
        w = data.draw(st.sampled_from(self._awaiting()))
        self._settle_bill(w, "expire")
        assert w.status == WithdrawalStatus.FAILED
        event("transfer expired")

    @precondition(lambda self: bool(self._pending()))
    @rule(data=st.data())
    def reject(self, data):
        w = data.draw(st.sampled_from(self._pending()))
        wallet.reject_withdrawal(self.s, actor=SYSTEM, withdrawal_id=w.id, reason="资料不符")
        event("withdrawal rejected")

    @precondition(lambda self: bool(self._pending()))
    @rule(data=st.data())
    def transfer_fails(self, data):
        w = data.draw(st.sampled_from(self._pending()))
        httpx.post(self.sandbox_url + "control/fail-next", json={"kind": "transfer", "code": "SYSTEMERROR_FINAL"})
        wallet.approve_withdrawal(self.s, actor=SYSTEM, withdrawal_id=w.id, wechat=get_wechat())
        assert w.status == WithdrawalStatus.FAILED
        event("transfer failed")

    @invariant()
    def ledger_matches_records_and_withdrawals(self):
        for user in (self.a, self.b):
            earned = self.s.scalar(
                select(func.coalesce(func.sum(CommissionRecord.amount_fen - CommissionRecord.clawed_back_fen), 0))
                .where(CommissionRecord.beneficiary_id == user.id,
                       CommissionRecord.status == CommissionStatus.SETTLED))
            held = self.s.scalar(
                select(func.coalesce(func.sum(Withdrawal.amount_fen), 0))
                .where(Withdrawal.user_id == user.id,
                       Withdrawal.status.in_((WithdrawalStatus.PENDING, WithdrawalStatus.APPROVED,
                                              WithdrawalStatus.AWAITING_CONFIRMATION, WithdrawalStatus.PAID))))
            assert wallet.available_balance(self.s, user.id) == earned - held
            assert wallet.balances(self.s, user.id).available_fen == earned - held

    @invariant()
    def no_withdrawal_is_paid_twice(self):
        paid = [w.withdrawal_no for w in self.withdrawals if w.status == WithdrawalStatus.PAID]
        if paid:
            transfers = httpx.get(self.sandbox_url + "records", params={"kind": "transfer"}).json()["items"]
            numbers = [t.get("partner_trade_no") or t["out_bill_no"] for t in transfers]
            assert all(numbers.count(n) == 1 for n in paid)

    @invariant()
    def commissions_never_exceed_base_times_rate(self):
        rows = self.s.execute(select(CommissionRecord, OrderLine).join(
            OrderLine, OrderLine.id == CommissionRecord.order_line_id)).all()
        for record, line in rows:
            assert record.amount_fen - record.clawed_back_fen <= record.base_fen * record.rate_bp // 10_000
            assert record.base_fen <= line.paid_fen - line.refunded_fen
            assert record.amount_fen >= 0 and record.clawed_back_fen >= 0


def test_ledger_invariants_hold_under_any_sequence(sandbox_url, pay_api):
    machine = type("WalletsHere", (Wallets,), {"sandbox_url": sandbox_url, "pay_api": pay_api})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=20, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
