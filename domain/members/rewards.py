"""分享有礼: the inviter's reward for an invitee's first paid order (docs/state-machines.md, "Share rewards").

- ``pending`` when a user bound to an inviter pays their first order, if the inviter is under both caps
  (``share_reward_daily_cap`` by the invitee's payment day in Shanghai, ``share_reward_lifetime_cap`` in all;
  cancelled rewards do not count). A reward over a cap is not created. One invitee gives one reward, ever.
- ``granted`` by the ``settle-share-rewards`` job once that order is completed, past ``settle_after_days`` and has
  no open refund: a coupon (through marketing's grant) or growth points. Never money, never commission.
- ``cancelled`` when that order is refunded whole before.

Sharing, visits and bindings give nothing (WeChat's 小程序平台运营规范 5.1): only the invitee's paid order does.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import clock
from domain.db import lock_row, unit_of_work
from domain.errors import DomainError
from domain.marketing.coupons import grant_coupons
from domain.members.growth import GrowthChange, record_growth
from domain.models import (
    CouponSource,
    GrowthKind,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    ShareReward,
    ShareRewardKind,
    ShareRewardStatus,
    User,
)
from domain.settings.service import get_settings

GRANT_BATCH = 200


def reward_first_payment(session: Session, *, order: Order) -> ShareReward | None:
    """Called as an order is marked paid: the pending reward for the buyer's inviter, when this is the buyer's
    first paid order, a reward kind is set, and the inviter is under both caps."""
    settings = get_settings(session)
    if settings.share_reward_kind == "none":
        return None
    inviter_id = session.scalar(select(User.inviter_id).where(User.id == order.user_id))
    if inviter_id is None:
        return None
    paid_before = session.scalar(select(Order.id).where(Order.user_id == order.user_id, Order.id != order.id,
                                                        Order.paid_at.is_not(None)).limit(1))
    if paid_before is not None:
        return None
    # One payment at a time per inviter counts and moves the caps: of ten invitees paying at once against a
    # daily cap of 3, exactly three rewards are created.
    lock_row(session, "users", "id", inviter_id)
    day = clock.local(order.paid_at or clock.now()).date()
    that_day, in_all = session.execute(
        select(func.coalesce(func.sum(case((ShareReward.reward_day == day, 1), else_=0)), 0), func.count())
        .where(ShareReward.inviter_id == inviter_id, ShareReward.status != ShareRewardStatus.CANCELLED)
    ).one()
    if that_day >= settings.share_reward_daily_cap or in_all >= settings.share_reward_lifetime_cap:
        return None
    coupon = settings.share_reward_kind == ShareRewardKind.COUPON
    reward = ShareReward(inviter_id=inviter_id, invitee_id=order.user_id, order_id=order.id,
                         kind=settings.share_reward_kind, status=ShareRewardStatus.PENDING, reward_day=day,
                         points=None if coupon else settings.share_reward_growth_points,
                         coupon_template_id=settings.share_reward_coupon_id if coupon else None)
    try:
        with session.begin_nested():
            session.add(reward)
    except IntegrityError:
        return None  # another first order of the same invitee got there first
    return reward


def cancel_for_whole_refund(session: Session, *, order: Order) -> int:
    """The order is refunded whole: its pending reward is cancelled (a granted one stays granted)."""
    if order.status != OrderStatus.CLOSED:
        return 0
    result = session.execute(
        update(ShareReward).where(ShareReward.order_id == order.id, ShareReward.status == ShareRewardStatus.PENDING)
        .values(status=ShareRewardStatus.CANCELLED, cancelled_at=clock.now()),
        execution_options={"synchronize_session": "fetch"},
    )
    return result.rowcount or 0


def grant_due_rewards(session: Session, *, after_id: int = 0, batch_size: int = GRANT_BATCH) -> tuple[int, int]:
    """One batch of the job: pending rewards (id > ``after_id``) whose order is completed, past the window and
    without an open refund. Claims them (``SKIP LOCKED``), locks their inviters in id order, grants growth in one
    go and coupons one template at a time. Returns (granted, last id looked at); a refused coupon (stopped, sold
    out, the per-user limit) leaves its reward pending with the reason, tried again on the next run."""
    cutoff = clock.now() - timedelta(days=get_settings(session).settle_after_days)
    open_refund = exists(select(Refund.id).where(Refund.order_id == ShareReward.order_id,
                                                 Refund.status.in_(RefundStatus.OPEN)))
    rewards = list(session.scalars(
        select(ShareReward).join(Order, Order.id == ShareReward.order_id)
        .where(ShareReward.id > after_id, ShareReward.status == ShareRewardStatus.PENDING,
               Order.status == OrderStatus.COMPLETED, Order.completed_at <= cutoff, ~open_refund)
        .order_by(ShareReward.id).limit(batch_size)
        .with_for_update(skip_locked=True, key_share=True, of=ShareReward)
        .execution_options(populate_existing=True)
    ))
    if not rewards:
        return 0, after_id
    inviters = sorted({r.inviter_id for r in rewards})
    session.execute(select(User.id).where(User.id.in_(inviters)).order_by(User.id).with_for_update(key_share=True))
    order_nos = dict(session.execute(select(Order.id, Order.order_no)
                                     .where(Order.id.in_([r.order_id for r in rewards]))).all())
    growth = [r for r in rewards if r.kind == ShareRewardKind.GROWTH]
    record_growth(session, [GrowthChange(user_id=r.inviter_id, kind=GrowthKind.SHARE_REWARD, points=r.points or 0,
                                         key=f"share_reward:{r.id}", ref=order_nos.get(r.order_id))
                            for r in growth])
    granted = growth + _grant_coupons(session, [r for r in rewards if r.kind == ShareRewardKind.COUPON])
    now = clock.now()
    for reward in granted:
        reward.status, reward.granted_at, reward.failure = ShareRewardStatus.GRANTED, now, ""
    session.flush()
    return len(granted), rewards[-1].id


def _grant_coupons(session: Session, rewards: list[ShareReward]) -> list[ShareReward]:
    """Coupons by template, in rounds that hold one reward per inviter (a grant gives each user one)."""
    rounds: dict[tuple[int, int], list[ShareReward]] = defaultdict(list)
    taken: dict[tuple[int, int], int] = defaultdict(int)
    for reward in rewards:
        pair = (reward.coupon_template_id, reward.inviter_id)
        rounds[(reward.coupon_template_id, taken[pair])].append(reward)
        taken[pair] += 1
    granted = []
    for (template_id, _), batch in sorted(rounds.items(), key=lambda item: (item[0][1], item[0][0])):
        try:
            outcome = grant_coupons(session, template_id=template_id, user_ids=[r.inviter_id for r in batch],
                                    source=CouponSource.REWARD, reason="分享有礼")
        except DomainError as exc:
            for reward in batch:
                reward.failure = f"{exc.code}: {exc.message}"[:200]
            continue
        coupons = {c.user_id: c for c in outcome.granted}
        refusals = {s.user_id: s.code for s in outcome.skipped}
        for reward in batch:
            if reward.inviter_id in coupons:
                reward.user_coupon_id = coupons[reward.inviter_id].id
                granted.append(reward)
            else:
                reward.failure = str(refusals.get(reward.inviter_id, "not_granted"))
    return granted


def settle_share_rewards_job(batch_size: int = GRANT_BATCH) -> int:
    """``settle-share-rewards``: every due reward once per run, a unit of work per batch."""
    total, after_id = 0, 0
    while True:
        with unit_of_work() as session:
            done, last = grant_due_rewards(session, after_id=after_id, batch_size=batch_size)
        total += done
        if last == after_id:
            return total
        after_id = last
