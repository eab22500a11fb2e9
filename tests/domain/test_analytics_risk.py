"""Risk signals on a planted ring, and none on honest shoppers; the review actions and the second approval of a
distributor's withdrawals while they are on review.

The ring: distributor R and five accounts bound to R within a few minutes. P1's own phone is R's application
phone; P2's orders ship where R's own order ships (typed differently); R's WeChat paid for P3's order; P1 refunds
everything. The honest side: distributor H and shoppers S1, S2 with their own phones and addresses, bound days
apart, who keep what they buy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import clock
from domain.analytics.errors import AnalyticsError
from domain.analytics.risk import RiskThresholds, scan_risks
from domain.analytics.risk_queue import (
    RiskAction,
    hold_withdrawals,
    lift_review,
    list_reviews,
    list_risk_signals,
    mark_signal_reviewed,
    place_on_review,
    risk_signal_detail,
)
from domain.distribution.binding import bind_inviter
from domain.distribution.distributors import apply, approve_application
from domain.errors import CommonError
from domain.models import RiskKind, RiskStatus, WithdrawalReview
from domain.payments.service import record_payment
from domain.security import crypto
from domain.security.actor import SYSTEM
from domain.wallet.actions import WithdrawalAction, withdrawal_actions
from domain.wallet.errors import WalletError
from domain.wallet.service import BankAccount, adjust_wallet, approve_withdrawal, request_withdrawal
from domain.wechat import get_wechat
from domain.wechat.pay_types import PaymentNotice
from tests.builders import actor, make_address, make_product, make_staff, make_user, pay, place, refund
from tests.refusals import refused

THRESHOLDS = RiskThresholds(factor_percent=200, team_min_orders=2, burst_bindings=5, burst_minutes=60)
BANK = BankAccount(bank_name="招商银行", account_name="任某", account_no="6225880212345678")


def distributor(session, name: str, phone: str):
    user = make_user(session, name)
    approve_application(session, actor=SYSTEM, application_id=apply(session, user=user, real_name=f"{name}某",
                                                                    phone=phone).id)
    return user


def shopper(session, name: str, inviter, *, phone: str, street: str):
    user = make_user(session, name)
    bind_inviter(session, user=user, invite_code=inviter.invite_code)
    make_address(session, user, phone=phone, detail=street)
    return user


@pytest.fixture
def world(db, sandbox_url):
    clock.freeze(datetime(2026, 11, 20, 4, 0, tzinfo=UTC))
    sku = make_product(db, title="保温杯", prices=(8900,), stock=500).skus[0]
    r = distributor(db, "R", "13900000001")
    h = distributor(db, "H", "13900000002")
    make_address(db, r, phone="13900000001", detail="幸福路 8 号 3 单元")
    own = pay(db, place(db, r, [(sku.id, 1)]), sandbox_url)  # R's own order: the address to compare with

    clock.advance(timedelta(days=1))
    ring = {}
    for n in range(1, 6):  # five bindings to R's code within five minutes
        ring[f"P{n}"] = shopper(db, f"P{n}", r, phone=f"1370000000{n}", street=f"某小区 {n} 号")
        clock.advance(timedelta(minutes=1))
    p1, p2, p3 = ring["P1"], ring["P2"], ring["P3"]
    p1.phone_enc, p1.phone_bidx = crypto.encrypt("13900000001"), crypto.phone_index("139 0000 0001")
    make_address(db, p2, phone="13700000002", detail="幸福路８号 ３单元")  # full-width, spaced otherwise
    bought = [pay(db, place(db, p1, [(sku.id, 1)]), sandbox_url) for _ in range(2)]
    for order in bought:
        refund(db, order, [(order.lines[0].id, 1)])
    pay(db, place(db, p2, [(sku.id, 1)]), sandbox_url)
    by_r = place(db, p3, [(sku.id, 1)])
    record_payment(db, payment=PaymentNotice(out_trade_no=by_r.order_no, transaction_id="4200000001",
                                             amount_fen=by_r.payable_fen, payer_openid=r.openid,
                                             raw={"payer": {"openid": r.openid}}), wechat=get_wechat())

    honest = {}
    for n, name in enumerate(("S1", "S2"), start=1):
        clock.advance(timedelta(days=2))
        honest[name] = shopper(db, name, h, phone=f"1360000000{n}", street=f"光明街 {n} 号")
        for _ in range(3):
            pay(db, place(db, honest[name], [(sku.id, 1)]), sandbox_url)
    clock.advance(timedelta(days=1))
    db.expire_all()
    return {"R": r, "H": h, "own": own, **ring, **honest}


def signals(db, viewer=SYSTEM, **filters):
    rows, _ = list_risk_signals(db, viewer=viewer, page_size=100, **filters)
    return rows


def test_the_scan_flags_each_pattern_of_the_ring_with_its_evidence(db, world):
    assert scan_risks(db, THRESHOLDS) == 5
    r = world["R"]
    found = {(s.kind, s.distributor_id, s.user_id): s for s in signals(db)}
    assert set(found) == {
        (RiskKind.SHARED_PHONE, r.id, world["P1"].id),
        (RiskKind.SHARED_ADDRESS, r.id, world["P2"].id),
        (RiskKind.SHARED_PAYER, r.id, world["P3"].id),
        (RiskKind.TEAM_REFUNDS, r.id, None),
        (RiskKind.BINDING_BURST, r.id, None),
    }
    phone = found[(RiskKind.SHARED_PHONE, r.id, world["P1"].id)].evidence
    assert phone == {"level": 1, "orders": 2, "commission_fen": 0, "buyer_phone_from": "account",
                     "inviter_phone_from": "application"}  # P1's two orders were refunded: nothing earned
    address = found[(RiskKind.SHARED_ADDRESS, r.id, world["P2"].id)].evidence
    assert (address["inviter_order_no"], address["shared_orders"], address["region"]) == \
        (world["own"].order_no, 1, "广东省深圳市南山区")
    payer = found[(RiskKind.SHARED_PAYER, r.id, world["P3"].id)].evidence
    assert (payer["paid_by_inviter"], payer["commission_fen"]) == (1, 890)
    team = found[(RiskKind.TEAM_REFUNDS, r.id, None)].evidence
    # R's team: P1's two orders refunded whole, P2's and P3's kept: 17800 of 35600, 50%, above twice the shop's
    # rate: with R's own order and S1's and S2's three each, 17800 of 97900 (18.18%).
    assert (team["team_orders"], team["team_paid_fen"], team["team_refunded_fen"], team["team_rate_bp"],
            team["shop_rate_bp"], team["factor_percent"]) == (4, 35600, 17800, 5000, 1818, 200)
    burst = found[(RiskKind.BINDING_BURST, r.id, None)].evidence
    assert (burst["invite_code"], burst["bindings_at_least"], burst["threshold"]) == (r.invite_code, 5, 5)


def test_honest_shoppers_raise_nothing(db, world):
    scan_risks(db, THRESHOLDS)
    honest = {world["H"].id, world["S1"].id, world["S2"].id}
    assert [s for s in signals(db) if s.distributor_id in honest or s.user_id in honest] == []


def test_higher_thresholds_leave_the_burst_and_the_team_unflagged(db, world):
    scan_risks(db, RiskThresholds(factor_percent=300, team_min_orders=2, burst_bindings=6))
    assert {s.kind for s in signals(db)} == {RiskKind.SHARED_PHONE, RiskKind.SHARED_ADDRESS, RiskKind.SHARED_PAYER}


def test_scanning_again_raises_nothing_twice(db, world):
    assert scan_risks(db, THRESHOLDS) == 5
    assert scan_risks(db, THRESHOLDS) == 0
    assert len(signals(db, status=None)) == 5


def test_finance_marks_a_signal_reviewed_once(db, world):
    scan_risks(db, THRESHOLDS)
    finance = actor(make_staff(db, "finance"))
    first = signals(db, viewer=finance)[0]
    assert first.actions == (RiskAction.MARK_REVIEWED, RiskAction.HOLD_WITHDRAWALS)
    mark_signal_reviewed(db, actor=finance, signal_id=first.id, note="本人与家人共用手机")
    seen = risk_signal_detail(db, viewer=finance, signal_id=first.id)
    assert (seen.status, seen.outcome, seen.review_note, seen.actions) == \
        (RiskStatus.REVIEWED, "dismissed", "本人与家人共用手机", ())
    assert first.id not in {s.id for s in signals(db, viewer=finance)}  # the queue shows open signals
    with refused(AnalyticsError.SIGNAL_ALREADY_REVIEWED, status=409):
        mark_signal_reviewed(db, actor=finance, signal_id=first.id)


def test_analysts_read_the_queue_but_decide_nothing_and_support_cannot_see_it(db, world):
    scan_risks(db, THRESHOLDS)
    analyst, support = actor(make_staff(db, "analyst")), actor(make_staff(db, "support"))
    queue = signals(db, viewer=analyst)
    assert len(queue) == 5 and {s.actions for s in queue} == {()}
    with refused(CommonError.FORBIDDEN, status=403):
        mark_signal_reviewed(db, actor=analyst, signal_id=queue[0].id)
    with refused(CommonError.FORBIDDEN, status=403):
        list_risk_signals(db, viewer=support)


def test_withdrawals_on_review_need_a_second_approval_by_someone_else(db, world):
    scan_risks(db, THRESHOLDS)
    r = world["R"]
    first_staff, second_staff = actor(make_staff(db, "finance")), actor(make_staff(db, "finance"))
    adjust_wallet(db, actor=SYSTEM, user_id=r.id, amount_fen=10000, reason="测试余额")
    before = request_withdrawal(db, user=r, amount_fen=1000, method="bank", bank=BANK)

    burst = signals(db, kind=RiskKind.BINDING_BURST)[0]
    hold_withdrawals(db, actor=first_staff, signal_id=burst.id, reason="五分钟内绑定五人")
    assert db.get(WithdrawalReview, r.id).reason == "五分钟内绑定五人"
    others = signals(db, viewer=first_staff)
    assert {s.actions for s in others} == {(RiskAction.MARK_REVIEWED,)} and all(s.withdrawals_on_review for s in others)
    db.refresh(before)
    assert before.second_approval_required  # already pending: on review as well
    after = request_withdrawal(db, user=r, amount_fen=2000, method="bank", bank=BANK)
    assert after.second_approval_required

    approve_withdrawal(db, actor=first_staff, withdrawal_id=after.id, wechat=get_wechat())
    assert (after.status, after.first_approved_by) == ("pending", first_staff.staff_id)
    assert WithdrawalAction.APPROVE not in withdrawal_actions(after, first_staff)
    assert WithdrawalAction.APPROVE in withdrawal_actions(after, second_staff)
    with refused(WalletError.SECOND_APPROVER_REQUIRED, status=409):
        approve_withdrawal(db, actor=first_staff, withdrawal_id=after.id, wechat=get_wechat())
    approve_withdrawal(db, actor=second_staff, withdrawal_id=after.id, wechat=get_wechat())
    assert (after.status, after.reviewed_by) == ("approved", second_staff.staff_id)

    [review] = list_reviews(db, viewer=first_staff)
    assert (review.user_id, review.signal_id, review.pending_withdrawals) == (r.id, burst.id, 1)
    lift_review(db, actor=first_staff, user_id=r.id)
    db.refresh(before)
    assert not before.second_approval_required
    approve_withdrawal(db, actor=first_staff, withdrawal_id=before.id, wechat=get_wechat())
    assert before.status == "approved"  # one approval again
    with refused(AnalyticsError.NOT_ON_REVIEW, status=409):
        lift_review(db, actor=first_staff, user_id=r.id)


def test_an_honest_distributors_withdrawals_need_one_approval(db, world):
    h, finance = world["H"], actor(make_staff(db, "finance"))
    adjust_wallet(db, actor=SYSTEM, user_id=h.id, amount_fen=5000, reason="测试余额")
    w = request_withdrawal(db, user=h, amount_fen=1000, method="bank", bank=BANK)
    approve_withdrawal(db, actor=finance, withdrawal_id=w.id, wechat=get_wechat())
    assert (w.second_approval_required, w.status) == (False, "approved")


def test_putting_withdrawals_on_review_by_hand_needs_a_reason_and_a_distributor(db, world):
    finance = actor(make_staff(db, "finance"))
    with refused(CommonError.REASON_REQUIRED, status=422):
        place_on_review(db, actor=finance, user_id=world["H"].id, reason=" ")
    with refused(AnalyticsError.DISTRIBUTOR_NOT_FOUND, status=404):
        place_on_review(db, actor=finance, user_id=world["S1"].id, reason="可疑")
    place_on_review(db, actor=finance, user_id=world["H"].id, reason="客户投诉")
    with refused(AnalyticsError.ALREADY_ON_REVIEW, status=409):
        place_on_review(db, actor=finance, user_id=world["H"].id, reason="再次")
