"""Activities in the domain: limited-time prices with their activity stock taken and given back like SKU stock,
the per-user limit over the activity, overlaps refused, the normal price once units or time run out; 满减 in real
orders, the best of several and stacking; results while an activity runs
(docs/money-and-rules.md, "满减 activities" and "Limited-time discounts")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain import clock
from domain.audit.service import list_actions
from domain.marketing.errors import PromotionError
from domain.marketing.promotions import stop_promotion, update_promotion
from domain.marketing.queries import promotion_sales
from domain.models import MemberLevel, PromotionItem, PromotionUse, Sku
from domain.orders.checkout import OrderItem, order_preview
from domain.orders.lifecycle import cancel_order, cancel_orders
from domain.security.actor import SYSTEM
from domain.wechat import get_wechat
from tests.builders import give_coupon, give_growth, make_coupon, make_product, make_promotion, make_user, pay, place
from tests.refusals import refused


@pytest.fixture
def buyer(db):
    return make_user(db, "promo_buyer")


def sold(db, promotion) -> int:
    item = db.scalar(select(PromotionItem).where(PromotionItem.promotion_id == promotion.id))
    db.refresh(item)
    return item.sold


def stock(db, sku) -> int:
    db.expire(sku)
    return db.get(Sku, sku.id).stock


# --- limited-time discounts ------------------------------------------------------------------------------------

def test_an_order_takes_the_promo_price_and_the_activity_units_with_the_skus_stock(db, buyer):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    sale = make_promotion(db, "time_limited", items=[(sku.id, 6900, 5, None)])
    order = place(db, buyer, [(sku.id, 2)])
    assert [(ln.unit_price_fen, ln.paid_fen) for ln in order.lines] == [(6900, 13800)]
    assert (sold(db, sale), stock(db, sku)) == (2, 18)
    [use] = db.scalars(select(PromotionUse).where(PromotionUse.order_id == order.id))
    assert (use.promotion_id, use.sku_id, use.quantity, use.off_fen) == (sale.id, sku.id, 2, 6000)


def test_cancelling_and_timing_out_give_the_activity_units_back(db, buyer):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    sale = make_promotion(db, "time_limited", items=[(sku.id, 6900, 5, None)])
    first, second = place(db, buyer, [(sku.id, 2)]), place(db, buyer, [(sku.id, 1)])
    assert sold(db, sale) == 3
    cancel_order(db, user=buyer, order_id=first.id, wechat=get_wechat())
    assert (sold(db, sale), stock(db, sku)) == (1, 19)
    cancel_orders(db, [second], reason="timeout")
    assert (sold(db, sale), stock(db, sku)) == (0, 20)


def test_once_the_activity_units_are_gone_the_sku_sells_at_its_normal_price(db, buyer):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    sale = make_promotion(db, "time_limited", items=[(sku.id, 6900, 2, None)])
    assert place(db, buyer, [(sku.id, 2)]).lines[0].unit_price_fen == 6900
    later = place(db, make_user(db), [(sku.id, 1)])
    assert (later.lines[0].unit_price_fen, later.payable_fen) == (9900, 9900)
    assert (sold(db, sale), stock(db, sku)) == (2, 17)


def test_asking_for_more_units_than_the_activity_has_left_is_refused(db, buyer):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    make_promotion(db, "time_limited", items=[(sku.id, 6900, 3, None)])
    with refused(PromotionError.PROMOTION_STOCK_SHORT, status=409) as info:
        place(db, buyer, [(sku.id, 4)])
    assert "仅剩 3 件" in info.value.message


def test_before_and_after_its_window_the_sku_has_its_normal_price(db, buyer):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    make_promotion(db, "time_limited", starts_in=timedelta(hours=1), lasts=timedelta(hours=2),
                   items=[(sku.id, 6900, 5, None)])
    assert place(db, buyer, [(sku.id, 1)]).lines[0].unit_price_fen == 9900
    with clock.travel(timedelta(hours=2)):
        assert place(db, buyer, [(sku.id, 1)]).lines[0].unit_price_fen == 6900
    with clock.travel(timedelta(hours=3, seconds=1)):
        assert place(db, buyer, [(sku.id, 1)]).lines[0].unit_price_fen == 9900


def test_the_per_user_limit_counts_units_over_the_activity_in_orders_not_cancelled(db, buyer):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    make_promotion(db, "time_limited", items=[(sku.id, 6900, 10, 3)])
    first = place(db, buyer, [(sku.id, 2)])
    with refused(PromotionError.PROMOTION_LIMIT_REACHED, status=409) as info:
        place(db, buyer, [(sku.id, 2)])
    assert "每人限购 3 件，你已购买 2 件" in info.value.message
    place(db, buyer, [(sku.id, 1)])
    cancel_order(db, user=buyer, order_id=first.id, wechat=get_wechat())
    assert place(db, buyer, [(sku.id, 2)]).lines[0].unit_price_fen == 6900  # the cancelled two no longer count
    assert place(db, make_user(db), [(sku.id, 3)]).lines[0].unit_price_fen == 6900  # the limit is per shopper


def test_a_promo_line_takes_no_member_discount_in_a_real_order(db, buyer):
    db.add_all([MemberLevel(name="普通会员", growth_threshold=0, discount_bp=10_000),
                MemberLevel(name="金卡会员", growth_threshold=5000, discount_bp=9500)])
    give_growth(db, buyer, 6000)
    db.flush()
    on_sale, normal = make_product(db, prices=(10000, 10000), stock=20).skus
    make_promotion(db, "time_limited", items=[(on_sale.id, 8000, 5, None)])
    order = place(db, buyer, [(on_sale.id, 1), (normal.id, 1)])
    assert sorted((ln.sku_id, ln.unit_price_fen, ln.paid_fen) for ln in order.lines) == \
        [(on_sale.id, 8000, 8000), (normal.id, 10000, 9500)]
    assert order.member_discount_fen == 500


def test_promo_lines_join_full_reduction_and_coupons_only_when_the_activity_stacks(db, buyer):
    apart_sku, joined_sku = (make_product(db, prices=(25000,), stock=10).skus[0] for _ in range(2))
    make_promotion(db, "time_limited", name="独享", items=[(apart_sku.id, 20000, 5, None)])
    make_promotion(db, "time_limited", name="可叠加", stack_with_others=True, items=[(joined_sku.id, 20000, 5, None)])
    make_promotion(db, "full_reduction", name="满199减20", tiers=((19900, 2000),))
    apart = place(db, buyer, [(apart_sku.id, 1)])
    joined = place(db, buyer, [(joined_sku.id, 1)])
    assert (apart.full_reduction_fen, apart.payable_fen) == (0, 20000)
    assert (joined.full_reduction_fen, joined.payable_fen) == (2000, 18000)


def test_two_running_activities_may_not_hold_the_same_sku(db):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    first = make_promotion(db, "time_limited", items=[(sku.id, 6900, 5, None)])
    with refused(PromotionError.PROMOTION_OVERLAP, status=409):
        make_promotion(db, "time_limited", starts_in=timedelta(days=1), items=[(sku.id, 5900, 5, None)])
    later = make_promotion(db, "time_limited", starts_in=timedelta(days=3), items=[(sku.id, 5900, 5, None)])
    with refused(PromotionError.PROMOTION_OVERLAP):
        update_promotion(db, actor=SYSTEM, promotion_id=later.id, changes={"starts_at": clock.now()})
    stop_promotion(db, actor=SYSTEM, promotion_id=first.id)
    make_promotion(db, "time_limited", items=[(sku.id, 5900, 5, None)])  # a stopped one holds nothing


def test_editing_keeps_what_was_sold_and_never_sets_the_stock_below_it(db, buyer):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    sale = make_promotion(db, "time_limited", items=[(sku.id, 6900, 5, None)])
    place(db, buyer, [(sku.id, 3)])
    with refused(PromotionError.INVALID_PROMOTION):
        update_promotion(db, actor=SYSTEM, promotion_id=sale.id, changes={"items": [
            {"sku_id": sku.id, "promo_price_fen": 6900, "activity_stock": 2}]})
    update_promotion(db, actor=SYSTEM, promotion_id=sale.id, changes={"items": [
        {"sku_id": sku.id, "promo_price_fen": 5900, "activity_stock": 4}]})
    assert sold(db, sale) == 3
    with refused(PromotionError.PROMOTION_STOCK_SHORT):
        place(db, make_user(db), [(sku.id, 2)])  # one unit left of four
    assert place(db, make_user(db), [(sku.id, 1)]).lines[0].unit_price_fen == 5900
    entries, _ = list_actions(db, entity_type="promotion", entity_id=sale.id)
    assert [e.action for e in entries] == ["promotion.update", "promotion.create"]


def test_a_sku_whose_units_orders_hold_cannot_leave_the_activity(db, buyer):
    held, free, other = make_product(db, prices=(9900, 9900, 9900), stock=20).skus
    sale = make_promotion(db, "time_limited", items=[(held.id, 6900, 5, None), (free.id, 6900, 5, None)])
    place(db, buyer, [(held.id, 1)])
    with refused(PromotionError.INVALID_PROMOTION, status=409):
        update_promotion(db, actor=SYSTEM, promotion_id=sale.id, changes={"items": [
            {"sku_id": free.id, "promo_price_fen": 6900, "activity_stock": 5}]})
    update_promotion(db, actor=SYSTEM, promotion_id=sale.id, changes={"items": [
        {"sku_id": held.id, "promo_price_fen": 6900, "activity_stock": 1},
        {"sku_id": other.id, "promo_price_fen": 7900, "activity_stock": 5}]})
    items = db.scalars(select(PromotionItem).where(PromotionItem.promotion_id == sale.id)
                       .order_by(PromotionItem.sku_id)).all()
    assert [(i.sku_id, i.activity_stock, i.sold) for i in items] == [(held.id, 1, 1), (other.id, 5, 0)]


def test_a_stopped_activity_no_longer_prices_new_orders(db, buyer):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    sale = make_promotion(db, "time_limited", items=[(sku.id, 6900, 5, None)])
    stop_promotion(db, actor=SYSTEM, promotion_id=sale.id)
    assert place(db, buyer, [(sku.id, 1)]).lines[0].unit_price_fen == 9900
    with refused(PromotionError.PROMOTION_NOT_EDITABLE):
        stop_promotion(db, actor=SYSTEM, promotion_id=sale.id)


# --- 满减 in real orders -----------------------------------------------------------------------------------------

def test_an_order_gets_the_best_running_full_reduction_and_records_it(db, buyer):
    sku = make_product(db, prices=(25000,), stock=20).skus[0]
    make_promotion(db, "full_reduction", name="满199减20", tiers=((19900, 2000),))
    repeat = make_promotion(db, "full_reduction", name="每满100减15", tiers=((10000, 1500),), repeat=True)
    preview = order_preview(db, user=buyer, items=[OrderItem(sku.id, 1)])
    assert (preview.full_reduction.promotion_id, preview.full_reduction.off_fen) == (repeat.id, 3000)
    order = place(db, buyer, [(sku.id, 1)])
    assert (order.full_reduction_fen, order.payable_fen) == (3000, 22000)
    [use] = db.scalars(select(PromotionUse).where(PromotionUse.order_id == order.id))
    assert (use.promotion_id, use.sku_id, use.off_fen) == (repeat.id, None, 3000)


def test_a_full_reduction_that_does_not_stack_makes_every_coupon_unusable_with_the_reason(db, buyer):
    sku = make_product(db, prices=(30000,), stock=20).skus[0]
    make_promotion(db, "full_reduction", name="满299减50", tiers=((29900, 5000),), stack_with_coupon=False)
    coupon = give_coupon(db, make_coupon(db), buyer)
    preview = order_preview(db, user=buyer, items=[OrderItem(sku.id, 1)], coupon_id=coupon.id)
    assert (preview.full_reduction_fen, preview.coupon_discount_fen, preview.coupon_id) == (5000, 0, None)
    assert (preview.coupon_refusal.code, preview.coupon_refusal.reason) == ("not_stackable", "不能与「满299减50」同时使用")
    assert [(c.id, c.reason_code) for c in preview.unusable_coupons] == [(coupon.id, "not_stackable")]
    assert preview.usable_coupons == ()


def test_the_preview_lists_usable_coupons_best_first_and_the_others_with_reasons(db, buyer):
    sku = make_product(db, prices=(15000,), stock=20).skus[0]
    big, small, far = (give_coupon(db, make_coupon(db, name=n, value_fen=v, threshold_fen=t), buyer)
                       for n, v, t in (("满100减20", 2000, 10000), ("无门槛5元", 500, 0), ("满300减50", 5000, 30000)))
    percent = give_coupon(db, make_coupon(db, name="九折", kind="percent", value_fen=0, percent_off_bp=1000,
                                          threshold_fen=0), buyer)
    preview = order_preview(db, user=buyer, items=[OrderItem(sku.id, 1)])
    assert [(c.id, c.discount_fen) for c in preview.usable_coupons] == [(big.id, 2000), (percent.id, 1500),
                                                                       (small.id, 500)]
    assert [(c.id, c.reason_code, c.reason) for c in preview.unusable_coupons] == \
        [(far.id, "threshold_not_met", "满¥300.00可用，还差¥150.00")]
    assert preview.payable_fen == 15000  # nothing is chosen for the shopper


def test_sales_while_it_runs_count_paid_orders_and_hold_pending_ones_apart(db, buyer, sandbox_url):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    sale = make_promotion(db, "time_limited", items=[(sku.id, 6900, 10, None)])
    pay(db, place(db, buyer, [(sku.id, 2)]), sandbox_url)
    pay(db, place(db, make_user(db), [(sku.id, 1)]), sandbox_url)
    place(db, buyer, [(sku.id, 1)])
    cancelled = place(db, buyer, [(sku.id, 1)])
    cancel_order(db, user=buyer, order_id=cancelled.id, wechat=get_wechat())
    result = promotion_sales(db, sale.id, viewer=SYSTEM)
    assert (result.orders, result.buyers, result.units, result.sales_fen, result.off_fen, result.pending_orders) == \
        (2, 2, 3, 20700, 9000, 1)
    assert [(i.sku_id, i.units, i.sales_fen) for i in result.items] == [(sku.id, 3, 20700)]
