"""Members under concurrency on PostgreSQL: real transactions at once, released together by a barrier. Twenty
check-ins by one shopper write one entry, and an inviter whose ten invitees pay their first orders at the same
moment against a daily cap of 3 gets exactly three rewards (docs/money-and-rules.md, "Members and growth")."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from domain import clock
from domain.db import unit_of_work
from domain.members.checkin import check_in
from domain.members.errors import MemberError
from domain.members.rewards import settle_share_rewards_job
from domain.models import (
    CheckIn,
    CouponTemplate,
    GrowthEntry,
    Order,
    OrderStatus,
    ShareReward,
    ShareRewardStatus,
    User,
    UserCoupon,
)
from domain.orders.checkout import OrderItem, place_order
from domain.payments.service import handle_payment_notification, mark_paid, start_payment
from domain.settings.service import update_settings
from domain.wechat import get_wechat
from domain.wechat.pay_types import PaymentNotice
from tests.builders import complete, make_coupon, make_product, make_user, notification
from tests.concurrency.test_postgres_concurrency import make_buyers, run_at_once
from tests.conftest import requires_postgres

pytestmark = requires_postgres


def test_twenty_check_ins_at_once_by_one_shopper_write_one_entry(committed):
    with unit_of_work(committed) as s:
        user_id = make_user(s, "eager_checker").id

    def tap(_):
        with unit_of_work(committed) as s:
            return check_in(s, user=s.get(User, user_id)).points_today

    results = run_at_once(20, tap)
    assert results.count(5) == 1
    assert {r.code for r in results if not isinstance(r, int)} == {MemberError.ALREADY_CHECKED_IN}
    with unit_of_work(committed) as s:
        assert s.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.user_id == user_id)) == 1
        assert s.scalars(select(GrowthEntry.points).where(GrowthEntry.user_id == user_id)).all() == [5]
        assert s.get(User, user_id).growth == 5


def test_ten_invitees_paying_their_first_orders_at_once_give_exactly_the_daily_cap(committed, sandbox_url):
    with unit_of_work(committed) as s:
        update_settings(s, {"share_reward_kind": "growth", "share_reward_growth_points": 100,
                            "share_reward_daily_cap": 3, "share_reward_lifetime_cap": 50})
        inviter_id = make_user(s, "popular_inviter").id
        # A product each: paying one moves its product's sales, and a shared product would queue the payments.
        sku_ids = [make_product(s, prices=(9900,), stock=5).skus[0].id for _ in range(10)]
        invitees = make_buyers(s, 10, "invitee_")
        for user_id, _ in invitees:
            s.get(User, user_id).inviter_id = inviter_id
    notices = []
    for (user_id, address_id), sku_id in zip(invitees, sku_ids, strict=True):  # paid at WeChat, not yet notified
        with unit_of_work(committed) as s:
            order = place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 1)], address_id=address_id)
            started = start_payment(s, user=s.get(User, user_id), order_id=order.id, wechat=get_wechat())
        notices.append(notification(sandbox_url, started.prepay_id))

    def deliver(i):
        body, headers = notices[i]
        with unit_of_work(committed) as s:
            return handle_payment_notification(s, wechat=get_wechat(), body=body, headers=headers).newly_paid

    assert run_at_once(10, deliver) == [True] * 10
    with unit_of_work(committed) as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.status == OrderStatus.PAID)) == 10
        rewards = s.scalars(select(ShareReward)).all()
        assert len(rewards) == 3
        assert {(r.inviter_id, r.status, r.points) for r in rewards} == {(inviter_id, ShareRewardStatus.PENDING, 100)}
        assert len({r.invitee_id for r in rewards}) == 3
    assert settle_share_rewards_job() == 0  # none is complete yet


def test_four_runners_of_the_settle_job_grant_each_reward_once(committed, sandbox_url):
    with unit_of_work(committed) as s:
        template_id = make_coupon(s, name="邀请礼", value_fen=1000, threshold_fen=0, per_user_limit=100).id
        update_settings(s, {"share_reward_kind": "coupon", "share_reward_coupon_id": template_id,
                            "share_reward_daily_cap": 3})
        inviters = [make_user(s, f"runner_inviter{i}").id for i in range(8)]
        sku_id = make_product(s, prices=(5000,), stock=100).skus[0].id
        invitees = make_buyers(s, 24, "runner_invitee")
        for n, (user_id, _) in enumerate(invitees):
            s.get(User, user_id).inviter_id = inviters[n % 8]
    with clock.travel(-timedelta(days=10)):  # paid and received ten days ago: past the window now
        for user_id, address_id in invitees:
            with unit_of_work(committed) as s:
                order = place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 1)], address_id=address_id)
                mark_paid(s, order=order, payment=PaymentNotice(out_trade_no=order.order_no,
                                                                transaction_id=f"4200{order.order_no}",
                                                                amount_fen=order.payable_fen))
                complete(s, order)
    results = run_at_once(4, lambda _: settle_share_rewards_job(batch_size=5))
    assert sum(results) == 24
    with unit_of_work(committed) as s:
        statuses = s.scalars(select(ShareReward.status)).all()
        assert statuses == [ShareRewardStatus.GRANTED] * 24
        held = dict(s.execute(select(UserCoupon.user_id, func.count()).group_by(UserCoupon.user_id)).all())
        assert held == {inviter_id: 3 for inviter_id in inviters}
        assert s.get(CouponTemplate, template_id).claimed == 24
    assert settle_share_rewards_job() == 0
