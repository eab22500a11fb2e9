"""Coupons in the domain: granting within the quantity and the per-user limit, validity by window or by days, every
state change of a user coupon (expiry while locked too), and what coupons mean for refunds and commission — to the
fen (docs/money-and-rules.md, "Coupons"; docs/state-machines.md, "User coupons")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain import clock
from domain.audit.service import list_actions
from domain.marketing.coupons import (
    claim_coupon,
    expire_coupons,
    issue_coupon,
    stop_template,
    update_template,
)
from domain.marketing.errors import CouponError
from domain.marketing.queries import my_coupon_counts
from domain.models import CommissionRecord, CouponSource, OrderStatus, UserCoupon, UserCouponStatus
from domain.orders.lifecycle import cancel_order, cancel_orders
from domain.orders.refunds import RefundItem, request_refund
from domain.security.actor import SYSTEM
from domain.wechat import get_wechat
from tests.builders import (
    approve_distributor,
    give_coupon,
    make_category,
    make_coupon,
    make_product,
    make_user,
    pay,
    place,
    refund,
)
from tests.refusals import refused


@pytest.fixture
def buyer(db):
    return make_user(db, "coupon_buyer")


def status_of(db, coupon) -> str:
    db.expire(coupon)
    return coupon.status


# --- granting --------------------------------------------------------------------------------------------------

def test_claims_stop_at_the_per_user_limit_and_at_the_total_quantity(db, buyer):
    template = make_coupon(db, total_quantity=3, per_user_limit=2)
    first, second = (claim_coupon(db, user=buyer, template_id=template.id) for _ in range(2))
    assert (first.source, first.status, second.status) == (CouponSource.CLAIM, "unused", "unused")
    with refused(CouponError.COUPON_LIMIT_REACHED, status=409):
        claim_coupon(db, user=buyer, template_id=template.id)
    claim_coupon(db, user=make_user(db), template_id=template.id)
    with refused(CouponError.COUPON_SOLD_OUT, status=409):
        claim_coupon(db, user=make_user(db), template_id=template.id)
    db.refresh(template)
    assert template.claimed == 3


def test_a_coupon_valid_for_days_runs_from_the_moment_it_is_claimed(db, buyer):
    template = make_coupon(db, valid_days=7)
    clock.freeze(clock.now())
    coupon = claim_coupon(db, user=buyer, template_id=template.id)
    assert (coupon.valid_from, coupon.valid_to) == (clock.now(), clock.now() + timedelta(days=7))


def test_a_coupon_with_a_window_keeps_the_window_whenever_it_is_claimed(db, buyer):
    start, end = clock.now() + timedelta(days=1), clock.now() + timedelta(days=10)
    template = make_coupon(db, valid_days=None, valid_from=start, valid_to=end)
    coupon = claim_coupon(db, user=buyer, template_id=template.id)
    assert (coupon.valid_from, coupon.valid_to) == (start, end)
    with clock.travel(timedelta(days=11)), refused(CouponError.COUPON_NOT_CLAIMABLE):
        claim_coupon(db, user=make_user(db), template_id=template.id)


def test_a_coupon_that_is_not_claimable_is_only_issued(db, buyer):
    template = make_coupon(db, claimable=False)
    with refused(CouponError.COUPON_NOT_FOUND, status=404):
        claim_coupon(db, user=buyer, template_id=template.id)
    result = issue_coupon(db, actor=SYSTEM, template_id=template.id, user_ids=[buyer.id], reason="补偿")
    assert (result.issued, result.skipped) == (1, ())
    coupon = db.scalar(select(UserCoupon).where(UserCoupon.user_id == buyer.id))
    assert (coupon.source, coupon.reason) == (CouponSource.ISSUE, "补偿")
    [entry] = list_actions(db, action_prefix="coupon.issue")[0]
    assert entry.after == {"reason": "补偿", "issued": [buyer.id], "skipped": []}


def test_stopping_ends_claims_and_issues_but_coupons_held_stay_usable(db, buyer):
    template = make_coupon(db, per_user_limit=2)
    held = claim_coupon(db, user=buyer, template_id=template.id)
    stop_template(db, actor=SYSTEM, template_id=template.id)
    with refused(CouponError.COUPON_NOT_CLAIMABLE):
        claim_coupon(db, user=buyer, template_id=template.id)
    with refused(CouponError.COUPON_STOPPED):
        issue_coupon(db, actor=SYSTEM, template_id=template.id, user_ids=[buyer.id], reason="再发")
    sku = make_product(db, prices=(12000,)).skus[0]
    order = place(db, buyer, [(sku.id, 1)], coupon_id=held.id)
    assert (order.coupon_id, order.coupon_discount_fen, order.payable_fen) == (held.id, 2000, 10000)


def test_what_a_coupon_gives_cannot_change_once_it_is_held(db, buyer):
    template = make_coupon(db)
    update_template(db, actor=SYSTEM, template_id=template.id, changes={"value_fen": 2500})  # nobody holds one yet
    give_coupon(db, template, buyer)
    with refused(CouponError.COUPON_TERMS_LOCKED, status=409):
        update_template(db, actor=SYSTEM, template_id=template.id, changes={"threshold_fen": 5000})
    with refused(CouponError.INVALID_COUPON):
        update_template(db, actor=SYSTEM, template_id=template.id, changes={"total_quantity": 0})
    update_template(db, actor=SYSTEM, template_id=template.id, changes={"name": "老客专享券", "per_user_limit": 3})
    assert (template.name, template.value_fen, template.per_user_limit) == ("老客专享券", 2500, 3)


# --- the life of a user coupon with an order -------------------------------------------------------------------

def test_placing_locks_it_and_paying_uses_it(db, buyer, sandbox_url):
    template = make_coupon(db)
    coupon = give_coupon(db, template, buyer)
    sku = make_product(db, prices=(15000,)).skus[0]
    order = place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)
    assert (status_of(db, coupon), coupon.order_id, order.payable_fen) == (UserCouponStatus.LOCKED, order.id, 13000)
    pay(db, order, sandbox_url)
    assert (status_of(db, coupon), coupon.order_id) == (UserCouponStatus.USED, order.id)
    db.refresh(template)
    assert (template.claimed, template.used) == (1, 1)


def test_a_locked_coupon_cannot_pay_for_a_second_order(db, buyer):
    coupon = give_coupon(db, make_coupon(db), buyer)
    sku = make_product(db, prices=(15000,)).skus[0]
    place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)
    with refused(CouponError.COUPON_NOT_APPLICABLE, status=409):
        place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)


def test_cancelling_gives_it_back_unused_while_it_is_still_valid(db, buyer):
    coupon = give_coupon(db, make_coupon(db), buyer)
    sku = make_product(db, prices=(15000,), stock=5).skus[0]
    order = place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)
    cancel_order(db, user=buyer, order_id=order.id, wechat=get_wechat())
    assert (status_of(db, coupon), coupon.order_id) == (UserCouponStatus.UNUSED, None)
    again = place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)  # and it can be used again
    assert again.coupon_discount_fen == 2000


def test_a_coupon_whose_validity_ended_while_locked_expires_when_the_order_times_out(db, buyer):
    coupon = give_coupon(db, make_coupon(db, valid_days=1), buyer)
    sku = make_product(db, prices=(15000,), stock=5).skus[0]
    order = place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)
    clock.freeze(clock.now() + timedelta(days=2))
    assert expire_coupons(db) == 0  # a locked coupon is left to its order
    cancel_orders(db, [order], reason="timeout")
    assert (status_of(db, coupon), coupon.expired_at, coupon.order_id) == (UserCouponStatus.EXPIRED, clock.now(), None)
    assert db.get(type(order), order.id).status == OrderStatus.CANCELLED


def test_the_expire_job_marks_unused_coupons_past_their_validity_and_nothing_else(db, buyer, sandbox_url):
    template = make_coupon(db, valid_days=3, per_user_limit=3)
    soon, used, later = give_coupon(db, template, buyer), give_coupon(db, template, buyer), None
    sku = make_product(db, prices=(15000,)).skus[0]
    pay(db, place(db, buyer, [(sku.id, 1)], coupon_id=used.id), sandbox_url)
    with clock.travel(timedelta(days=2)):
        later = give_coupon(db, template, buyer)
    with clock.travel(timedelta(days=3, minutes=1)):
        assert my_coupon_counts(db, user=buyer) == {"unused": 1, "locked": 0, "used": 1, "expired": 1}  # shown at once
        assert expire_coupons(db) == 1
        assert expire_coupons(db) == 0  # idempotent
    assert [status_of(db, c) for c in (soon, used, later)] == ["expired", "used", "unused"]


def test_an_order_with_a_coupon_that_does_not_apply_is_refused_not_placed_without_it(db, buyer):
    coupon = give_coupon(db, make_coupon(db, threshold_fen=20000), buyer)
    sku = make_product(db, prices=(15000,), stock=5).skus[0]
    with refused(CouponError.COUPON_NOT_APPLICABLE) as info:
        place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)
    assert "还差¥50.00" in info.value.message
    assert status_of(db, coupon) == UserCouponStatus.UNUSED


def test_someone_elses_coupon_is_not_found(db, buyer):
    coupon = give_coupon(db, make_coupon(db), make_user(db, "owner_of_it"))
    sku = make_product(db, prices=(15000,)).skus[0]
    with refused(CouponError.COUPON_NOT_FOUND, status=404):
        place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)


def test_a_coupon_before_its_window_is_unusable_until_then(db, buyer):
    start = clock.now() + timedelta(days=1)
    coupon = give_coupon(db, make_coupon(db, valid_days=None, valid_from=start, valid_to=start + timedelta(days=5)),
                         buyer)
    sku = make_product(db, prices=(15000,), stock=5).skus[0]
    with refused(CouponError.COUPON_NOT_APPLICABLE):
        place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id)
    with clock.travel(timedelta(days=1, minutes=1)):
        assert place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id).coupon_discount_fen == 2000


# --- refunds and commission ------------------------------------------------------------------------------------

def test_a_partial_refund_of_a_line_bought_with_a_coupon_refunds_that_lines_share_to_the_fen(db, buyer, sandbox_url):
    coupon = give_coupon(db, make_coupon(db, name="满150减20", threshold_fen=15000), buyer)
    mugs = make_product(db, prices=(3333,), stock=10).skus[0]
    pot = make_product(db, prices=(5001,), stock=10).skus[0]
    order = pay(db, place(db, buyer, [(mugs.id, 3), (pot.id, 1)], coupon_id=coupon.id), sandbox_url)
    by_sku = {line.sku_id: line for line in order.lines}
    assert [(by_sku[s].amount_fen, by_sku[s].discount_fen, by_sku[s].paid_fen) for s in (mugs.id, pot.id)] == \
        [(9999, 1333, 8666), (5001, 667, 4334)]
    assert (order.coupon_discount_fen, order.payable_fen) == (2000, 13000)
    line = by_sku[mugs.id]
    amounts = [refund(db, order, [(line.id, 1)]).amount_fen for _ in range(3)]
    assert amounts == [2888, 2888, 2890] and sum(amounts) == line.paid_fen
    assert status_of(db, coupon) == UserCouponStatus.USED  # a refund never gives the coupon back


def test_a_whole_refund_does_not_give_the_coupon_back(db, buyer, sandbox_url):
    coupon = give_coupon(db, make_coupon(db), buyer)
    sku = make_product(db, prices=(15000,)).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id), sandbox_url)
    done = refund(db, order, [(order.lines[0].id, 1)])
    assert done.amount_fen == 13000
    db.refresh(order)
    assert (order.status, status_of(db, coupon)) == (OrderStatus.CLOSED, UserCouponStatus.USED)


def test_commission_is_earned_on_what_was_paid_after_the_coupon(db, sandbox_url):
    a = make_user(db, "cp_A")
    b = make_user(db, "cp_B", inviter=a)
    c = make_user(db, "cp_C", inviter=b)
    approve_distributor(db, a)
    approve_distributor(db, b)
    coupon = give_coupon(db, make_coupon(db, name="满150减20", threshold_fen=15000), c)
    mugs = make_product(db, prices=(3333,), stock=10).skus[0]
    pot = make_product(db, prices=(5001,), stock=10).skus[0]
    order = pay(db, place(db, c, [(mugs.id, 3), (pot.id, 1)], coupon_id=coupon.id), sandbox_url)
    rows = db.execute(select(CommissionRecord.level, CommissionRecord.base_fen, CommissionRecord.amount_fen)
                      .where(CommissionRecord.order_id == order.id)
                      .order_by(CommissionRecord.level, CommissionRecord.base_fen.desc())).all()
    # Level 1 at 10%, level 2 at 5%, each line on its paid_fen (8666 and 4334), never on the price before the coupon.
    assert [tuple(r) for r in rows] == [(1, 8666, 866), (1, 4334, 433), (2, 8666, 433), (2, 4334, 216)]


def test_a_category_coupon_takes_off_only_that_categorys_lines_in_a_real_order(db, buyer):
    fruit = make_category(db)
    coupon = give_coupon(db, make_coupon(db, name="生鲜无门槛减10", value_fen=1000, threshold_fen=0,
                                         category_ids=(fruit.id,)), buyer)
    orange = make_product(db, prices=(6000,), category_id=fruit.id).skus[0]
    cable = make_product(db, prices=(9000,)).skus[0]
    order = place(db, buyer, [(orange.id, 1), (cable.id, 1)], coupon_id=coupon.id)
    assert sorted((ln.sku_id, ln.discount_fen) for ln in order.lines) == [(orange.id, 1000), (cable.id, 0)]


def test_a_refund_request_before_shipping_keeps_the_coupon_used(db, buyer, sandbox_url):
    coupon = give_coupon(db, make_coupon(db), buyer)
    sku = make_product(db, prices=(15000,)).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)], coupon_id=coupon.id), sandbox_url)
    request_refund(db, user=buyer, order_id=order.id, reason="不要了",
                   items=[RefundItem(order_line_id=order.lines[0].id, quantity=1)])
    assert status_of(db, coupon) == UserCouponStatus.USED


def test_the_expire_coupons_job_runs_from_the_jobs_table_for_marketing_staff(committed):
    from domain.db import unit_of_work
    from domain.errors import CommonError
    from domain.jobs import run_job
    from tests.builders import actor, make_staff

    with unit_of_work(committed) as s:
        user = make_user(s, "job_holder")
        coupon_id = give_coupon(s, make_coupon(s, valid_days=1), user).id
        operator, support = actor(make_staff(s, "operator")), actor(make_staff(s, "support"))
    with refused(CommonError.FORBIDDEN):
        run_job("expire-coupons", actor=support)
    with clock.travel(timedelta(days=1, seconds=1)):
        assert run_job("expire-coupons", actor=operator) == 1
        assert run_job("expire-coupons") == 0
    with unit_of_work(committed) as s:
        assert s.get(UserCoupon, coupon_id).status == UserCouponStatus.EXPIRED
