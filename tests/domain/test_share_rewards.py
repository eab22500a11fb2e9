"""Share tracking and 分享有礼: sharing, a visit and a binding earn nothing; a reward is pending at the invitee's first
paid order, granted once that order is complete and past the window, cancelled by a whole refund, and capped per
inviter (docs/state-machines.md, "Share rewards")."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain import clock
from domain.catalog.errors import CatalogError
from domain.marketing.coupons import stop_template
from domain.members.errors import ShareError
from domain.members.rewards import grant_due_rewards
from domain.members.shares import record_share, record_visit
from domain.models import (
    CouponSource,
    GrowthEntry,
    GrowthKind,
    Order,
    Refund,
    RefundStatus,
    Share,
    ShareReward,
    ShareRewardStatus,
    ShareVisit,
    UserCoupon,
    WalletEntry,
)
from domain.orders.refunds import reject_refund
from domain.security.actor import SYSTEM
from domain.settings.service import update_settings
from tests.builders import complete, make_coupon, make_product, make_user, pay, place, refund
from tests.refusals import refused

WINDOW = timedelta(days=8)  # past settle_after_days (7)


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=clock.SHANGHAI)


@pytest.fixture
def inviter(db):
    return make_user(db, "inviter")


@pytest.fixture
def sku(db):
    return make_product(db, prices=(12000,), stock=500).skus[0]


@pytest.fixture
def growth_reward(db):
    update_settings(db, {"share_reward_kind": "growth", "share_reward_growth_points": 100,
                         "share_reward_daily_cap": 3, "share_reward_lifetime_cap": 5})


def growth_of(db, user) -> list[tuple[str, int]]:
    return db.execute(select(GrowthEntry.kind, GrowthEntry.points).where(GrowthEntry.user_id == user.id)
                      .order_by(GrowthEntry.id)).all()


def rewards(db) -> list[ShareReward]:
    return list(db.scalars(select(ShareReward).order_by(ShareReward.id).execution_options(populate_existing=True)))


def grant(db) -> int:
    return grant_due_rewards(db)[0]


# --- sharing, visiting and binding earn nothing ------------------------------------------------------------------

def test_sharing_visiting_and_binding_without_a_paid_order_earn_nothing(db, inviter, sku, growth_reward, sandbox_url):
    shares = [record_share(db, user=inviter, target="product", product_id=sku.product_id, channel=channel)
              for channel in ("friend", "timeline", "poster")]
    visitors = [make_user(db, f"visitor{i}") for i in range(3)]
    for visitor in visitors:
        for share in shares:
            record_visit(db, visitor=visitor, share_id=share.share_id)
    bound = make_user(db, "bound_only", inviter=inviter)  # bound, never pays
    record_visit(db, visitor=bound, share_id=shares[0].share_id)
    place(db, bound, [(sku.id, 1)])  # an order placed and never paid
    with clock.travel(timedelta(days=30)):
        assert grant(db) == 0
    assert db.scalar(select(func.count()).select_from(ShareVisit)) == 10
    assert db.scalar(select(func.count()).select_from(GrowthEntry)) == 0  # nobody gained growth
    assert db.scalar(select(func.count()).select_from(ShareReward)) == 0
    assert db.scalar(select(func.count()).select_from(WalletEntry)) == 0  # nor money
    db.refresh(inviter)
    assert inviter.growth == 0


def test_a_share_gives_the_path_with_invite_and_share_id_and_the_card_title(db, inviter, sku):
    product = record_share(db, user=inviter, target="product", product_id=sku.product_id, channel="friend")
    assert product.path == f"pages/product/detail?id={sku.product_id}&invite={inviter.invite_code}&s={product.share_id}"
    assert product.title == sku.product.title
    shop = record_share(db, user=inviter, target="shop", channel="timeline", product_id=sku.product_id)
    assert shop.path == f"pages/index/index?invite={inviter.invite_code}&s={shop.share_id}"
    assert shop.title == "好物推荐，一起来逛逛"
    assert db.get(Share, shop.share_id).product_id is None
    with refused(ShareError.INVALID_SHARE, status=422):
        record_share(db, user=inviter, target="product", channel="friend")
    with refused(CatalogError.PRODUCT_NOT_FOUND, status=404):
        record_share(db, user=inviter, target="product", product_id=999_999, channel="friend")
    with refused(ShareError.INVALID_SHARE, status=422):
        record_share(db, user=inviter, target="shop", channel="moments")


def test_a_visit_counts_once_per_visitor_and_never_for_the_sharer(db, inviter):
    share = record_share(db, user=inviter, target="shop", channel="friend")
    visitor = make_user(db)
    assert record_visit(db, visitor=visitor, share_id=share.share_id) is True
    assert record_visit(db, visitor=visitor, share_id=share.share_id) is False
    assert record_visit(db, visitor=inviter, share_id=share.share_id) is False
    assert db.scalar(select(func.count()).select_from(ShareVisit)) == 1
    with refused(ShareError.SHARE_NOT_FOUND, status=404):
        record_visit(db, visitor=visitor, share_id=999_999)


# --- each transition ---------------------------------------------------------------------------------------------

def test_pending_at_the_first_paid_order_then_granted_once_complete_and_past_the_window(
        db, inviter, sku, growth_reward, sandbox_url):
    clock.freeze(shanghai("2026-03-10 23:30"))  # 15:30 UTC: the reward's day is Shanghai's
    invitee = make_user(db, "invitee", inviter=inviter)
    order = pay(db, place(db, invitee, [(sku.id, 1)]), sandbox_url)
    [reward] = rewards(db)
    assert (reward.status, reward.inviter_id, reward.invitee_id, reward.order_id, reward.kind, reward.points) == \
        (ShareRewardStatus.PENDING, inviter.id, invitee.id, order.id, "growth", 100)
    assert reward.reward_day.isoformat() == "2026-03-10"
    pay(db, place(db, invitee, [(sku.id, 1)]), sandbox_url)  # a second order is no first order
    assert len(rewards(db)) == 1

    assert grant(db) == 0  # paid, not complete
    complete(db, order)
    clock.advance(timedelta(days=6))
    assert grant(db) == 0  # complete, still inside the after-sale window
    clock.advance(timedelta(days=2))
    assert grant(db) == 1
    [reward] = rewards(db)
    assert (reward.status, reward.granted_at) == (ShareRewardStatus.GRANTED, clock.now())
    db.refresh(inviter)
    assert inviter.growth == 100
    assert growth_of(db, inviter) == [(GrowthKind.SHARE_REWARD, 100)]
    assert grant(db) == 0  # granted once
    assert growth_of(db, invitee) == [(GrowthKind.ORDER_COMPLETED, 120)]  # the invitee's own growth, as for anyone


def test_a_whole_refund_before_the_grant_cancels_the_reward(db, inviter, sku, growth_reward, sandbox_url):
    invitee = make_user(db, inviter=inviter)
    order = pay(db, place(db, invitee, [(sku.id, 2)]), sandbox_url)
    refund(db, order, [(order.lines[0].id, 1)])
    assert rewards(db)[0].status == ShareRewardStatus.PENDING  # a partial refund leaves it pending
    refund(db, order, [(order.lines[0].id, 1)])
    [reward] = rewards(db)
    assert reward.status == ShareRewardStatus.CANCELLED and reward.cancelled_at is not None
    with clock.travel(timedelta(days=30)):
        assert grant(db) == 0
    pay(db, place(db, invitee, [(sku.id, 1)]), sandbox_url)
    assert len(rewards(db)) == 1  # one invitee, one reward: the next order is not a first order
    db.refresh(inviter)
    assert inviter.growth == 0


def test_a_partially_refunded_order_still_rewards_and_an_open_refund_waits(db, inviter, sku, growth_reward,
                                                                           sandbox_url):
    invitee = make_user(db, inviter=inviter)
    order = pay(db, place(db, invitee, [(sku.id, 3)]), sandbox_url)
    complete(db, order)
    refund(db, order, [(order.lines[0].id, 1)])
    refund(db, order, [(order.lines[0].id, 1)], approve=False)  # a request support has not decided yet
    with clock.travel(WINDOW):
        assert grant(db) == 0
    assert rewards(db)[0].status == ShareRewardStatus.PENDING
    pending = db.scalar(select(Refund).where(Refund.status == RefundStatus.REQUESTED))
    reject_refund(db, actor=SYSTEM, refund_id=pending.id, reason="已超出售后范围")
    with clock.travel(WINDOW):
        assert grant(db) == 1
    assert rewards(db)[0].status == ShareRewardStatus.GRANTED


def test_a_coupon_reward_is_granted_through_marketing_and_a_refused_grant_waits_with_its_reason(
        db, inviter, sku, sandbox_url):
    template = make_coupon(db, name="邀请有礼券", value_fen=1000, threshold_fen=5000, per_user_limit=10)
    update_settings(db, {"share_reward_kind": "coupon", "share_reward_coupon_id": template.id})
    first, second = make_user(db, inviter=inviter), make_user(db, inviter=inviter)
    orders = [pay(db, place(db, u, [(sku.id, 1)]), sandbox_url) for u in (first, second)]
    for order in orders:
        complete(db, order)
    with clock.travel(WINDOW):
        assert grant(db) == 2  # two rewards for one inviter in one run: two coupons
    coupons = db.scalars(select(UserCoupon).where(UserCoupon.user_id == inviter.id)).all()
    assert [(c.template_id, c.source) for c in coupons] == [(template.id, CouponSource.REWARD)] * 2
    assert sorted(r.user_coupon_id for r in rewards(db)) == sorted(c.id for c in coupons)
    assert db.scalar(select(func.count()).select_from(GrowthEntry).where(GrowthEntry.user_id == inviter.id)) == 0

    third = make_user(db, inviter=inviter)
    order = pay(db, place(db, third, [(sku.id, 1)]), sandbox_url)
    complete(db, order)
    stop_template(db, actor=SYSTEM, template_id=template.id)
    with clock.travel(WINDOW):
        assert grant(db) == 0
    reward = rewards(db)[-1]
    assert reward.status == ShareRewardStatus.PENDING and reward.failure.startswith("coupon_stopped")


def test_no_reward_kind_means_no_reward(db, inviter, sku, sandbox_url):
    invitee = make_user(db, inviter=inviter)
    pay(db, place(db, invitee, [(sku.id, 1)]), sandbox_url)
    assert rewards(db) == []


def test_an_invitee_who_had_paid_before_being_bound_brings_no_reward(db, inviter, sku, growth_reward, sandbox_url):
    shopper = make_user(db)
    pay(db, place(db, shopper, [(sku.id, 1)]), sandbox_url)
    shopper.inviter_id = inviter.id  # bound later (overwrite mode)
    db.flush()
    pay(db, place(db, shopper, [(sku.id, 1)]), sandbox_url)
    assert rewards(db) == []


# --- caps --------------------------------------------------------------------------------------------------------

def test_daily_and_lifetime_caps_count_by_the_payment_day_and_rewards_over_a_cap_are_not_created(
        db, inviter, sku, growth_reward, sandbox_url):
    update_settings(db, {"share_reward_daily_cap": 2, "share_reward_lifetime_cap": 3})
    clock.freeze(shanghai("2026-08-01 10:00"))
    invitees = [make_user(db, inviter=inviter) for _ in range(6)]
    for invitee in invitees[:3]:
        pay(db, place(db, invitee, [(sku.id, 1)]), sandbox_url)
    assert [r.invitee_id for r in rewards(db)] == [invitees[0].id, invitees[1].id]  # the third is over the day's cap
    clock.advance(timedelta(days=1))
    pay(db, place(db, invitees[3], [(sku.id, 1)]), sandbox_url)
    pay(db, place(db, invitees[4], [(sku.id, 1)]), sandbox_url)
    assert [r.invitee_id for r in rewards(db)] == [invitees[0].id, invitees[1].id, invitees[3].id]  # lifetime: 3
    # A cancelled reward frees its place under the caps.
    first_order = db.get(Order, rewards(db)[0].order_id)
    refund(db, first_order, [(first_order.lines[0].id, 1)])
    assert rewards(db)[0].status == ShareRewardStatus.CANCELLED
    pay(db, place(db, invitees[5], [(sku.id, 1)]), sandbox_url)
    assert [r.invitee_id for r in rewards(db)][-1] == invitees[5].id
    assert sum(r.status != ShareRewardStatus.CANCELLED for r in rewards(db)) == 3
    # Those over a cap never come back: the skipped invitees' orders give nothing later either.
    assert {r.invitee_id for r in rewards(db)}.isdisjoint({invitees[2].id, invitees[4].id})
