"""Marketing in the pricing engine, with exact fen and no database: each coupon kind with its threshold and scope,
the percent cap, ladder and repeat 满减 at their boundaries, the best of several activities, stacking on and off,
and promo lines without the member discount (docs/money-and-rules.md, "Marketing")."""

from __future__ import annotations

from domain.marketing.labels import coupon_summary, discount_rate, full_reduction_tags
from domain.orders.pricing import Coupon, FullReduction, LineInput, PricingRules, Scope, price_order

FREE_SHIPPING = dict(shipping_fee_fen=1000, free_shipping_threshold_fen=9900)


def line(sku_id: int, price: int, qty: int = 1, *, category_id: int | None = None, promo: int | None = None,
         stacks: bool = False) -> LineInput:
    return LineInput(sku_id=sku_id, product_id=sku_id, category_id=category_id, quantity=qty, price_fen=price,
                     promo_price_fen=promo, promo_stacks=stacks)


def priced(lines, **rules):
    return price_order(lines, PricingRules(**FREE_SHIPPING, **rules))


MANJIAN_199_20 = Coupon(id=1, kind="fixed", value_fen=2000, threshold_fen=19900)
BAZHE_CAP_50 = Coupon(id=2, kind="percent", percent_off_bp=1500, cap_fen=5000)
LADDER = FullReduction(id=1, tiers=((19900, 2000), (29900, 5000)), name="满199减20，满299减50")
REPEAT = FullReduction(id=2, tiers=((10000, 1000),), repeat=True, max_off_fen=2500, name="每满100减10")


# --- coupons -----------------------------------------------------------------------------------------------------

def test_a_fixed_coupon_applies_exactly_at_its_threshold_and_not_a_fen_below():
    at = priced([line(1, 19900)], coupon=MANJIAN_199_20)
    assert (at.coupon_applied, at.coupon_discount_fen, at.payable_fen) == (True, 2000, 17900)
    below = priced([line(1, 19899)], coupon=MANJIAN_199_20)
    assert (below.coupon_applied, below.coupon_refusal, below.coupon_base_fen) == \
        (False, "coupon_threshold_not_met", 19899)
    assert below.payable_fen == 19899


def test_a_fixed_coupon_never_takes_more_than_the_lines_it_covers():
    no_threshold = Coupon(id=3, kind="fixed", value_fen=5000)
    order = priced([line(1, 3000)], coupon=no_threshold)
    assert (order.coupon_discount_fen, order.lines[0].paid_fen) == (3000, 0)


def test_a_percent_coupon_is_the_percentage_rule_and_stops_at_its_cap():
    # 15% of 19900 = 2985 (exact); of 33333 = 4999.95 → 4999 (floored); of 50000 = 7500 → capped at 5000.
    assert priced([line(1, 19900)], coupon=BAZHE_CAP_50).coupon_discount_fen == 2985
    assert priced([line(1, 33333)], coupon=BAZHE_CAP_50).coupon_discount_fen == 4999
    assert priced([line(1, 50000)], coupon=BAZHE_CAP_50).coupon_discount_fen == 5000
    uncapped = Coupon(id=4, kind="percent", percent_off_bp=1500)
    assert priced([line(1, 50000)], coupon=uncapped).coupon_discount_fen == 7500


def test_a_percent_coupon_with_a_threshold_counts_only_the_lines_in_its_scope():
    coupon = Coupon(id=5, kind="percent", percent_off_bp=2000, threshold_fen=10000,
                    scope=Scope(category_ids=frozenset({7})))
    short = priced([line(1, 6000, category_id=7), line(2, 9000, category_id=8)], coupon=coupon)
    assert (short.coupon_refusal, short.coupon_base_fen) == ("coupon_threshold_not_met", 6000)
    met = priced([line(1, 6000, category_id=7), line(2, 4000, category_id=7), line(3, 9000, category_id=8)],
                 coupon=coupon)
    assert [ln.coupon_discount_fen for ln in met.lines] == [1200, 800, 0]


def test_a_category_coupon_covers_only_that_categorys_lines():
    coupon = Coupon(id=6, kind="fixed", value_fen=1000, scope=Scope(category_ids=frozenset({7})))
    order = priced([line(1, 6000, category_id=7), line(2, 9000, category_id=8)], coupon=coupon)
    assert [ln.coupon_discount_fen for ln in order.lines] == [1000, 0]
    nothing = priced([line(2, 9000, category_id=8)], coupon=coupon)
    assert (nothing.coupon_applied, nothing.coupon_refusal) == (False, "coupon_not_applicable")


def test_a_product_coupon_is_spread_over_its_lines_by_largest_remainder():
    coupon = Coupon(id=7, kind="fixed", value_fen=2000, threshold_fen=15000,
                    scope=Scope(product_ids=frozenset({1, 2})))
    order = priced([line(1, 3333, 3), line(2, 5001), line(3, 7000)], coupon=coupon)
    # 2000 over 9999 : 5001 → 1333.2 and 666.8 → floors 1333 + 666, the fen left to the larger remainder.
    assert [ln.coupon_discount_fen for ln in order.lines] == [1333, 667, 0]
    assert [ln.paid_fen for ln in order.lines] == [8666, 4334, 7000]


# --- 满减 ----------------------------------------------------------------------------------------------------------

def test_ladder_full_reduction_at_and_below_each_threshold():
    assert [priced([line(1, p)], full_reduction=LADDER).full_reduction_fen
            for p in (19899, 19900, 29899, 29900)] == [0, 2000, 2000, 5000]


def test_repeat_full_reduction_counts_whole_multiples_up_to_its_cap():
    assert [priced([line(1, p)], full_reduction=REPEAT).full_reduction_fen
            for p in (9999, 10000, 29999, 35000)] == [0, 1000, 2000, 2500]
    uncapped = FullReduction(id=3, tiers=((10000, 1000),), repeat=True)
    assert priced([line(1, 35000)], full_reduction=uncapped).full_reduction_fen == 3000


def test_a_ladder_with_a_cap_never_takes_more_than_the_cap():
    capped = FullReduction(id=4, tiers=((19900, 2000), (29900, 5000)), max_off_fen=3000)
    assert priced([line(1, 30000)], full_reduction=capped).full_reduction_fen == 3000


def test_of_several_activities_the_one_that_takes_most_applies_alone():
    repeat_15 = FullReduction(id=5, tiers=((10000, 1500),), repeat=True, name="每满100减15")
    order = priced([line(1, 25000)], full_reductions=(LADDER, repeat_15))
    assert (order.full_reduction_fen, order.full_reduction_applied.id) == (3000, 5)
    small = priced([line(1, 19900)], full_reductions=(LADDER, repeat_15))
    assert (small.full_reduction_fen, small.full_reduction_applied.id) == (2000, 1)  # 2000 against 1500
    tie = priced([line(1, 20000)], full_reductions=(LADDER, FullReduction(id=6, tiers=((20000, 2000),))))
    assert tie.full_reduction_applied.id == 1  # on equal amounts, the first (the oldest)


def test_a_coupon_follows_a_full_reduction_that_stacks_and_is_refused_after_one_that_does_not():
    stacking = priced([line(1, 30000)], full_reduction=LADDER, coupon=MANJIAN_199_20)
    # 30000 − 5000 = 25000 still meets the coupon's 19900: both apply.
    assert (stacking.full_reduction_fen, stacking.coupon_discount_fen, stacking.payable_fen) == (5000, 2000, 23000)
    alone = FullReduction(id=7, tiers=((29900, 5000),), stack_with_coupon=False, name="满299减50")
    refused = priced([line(1, 30000)], full_reduction=alone, coupon=MANJIAN_199_20)
    assert (refused.full_reduction_fen, refused.coupon_applied, refused.coupon_refusal) == \
        (5000, False, "coupon_not_stackable")
    assert refused.payable_fen == 25000


def test_the_coupon_threshold_is_measured_after_the_full_reduction():
    order = priced([line(1, 21000)], full_reduction=LADDER, coupon=MANJIAN_199_20)
    assert (order.full_reduction_fen, order.coupon_base_fen, order.coupon_refusal) == \
        (2000, 19000, "coupon_threshold_not_met")


# --- limited-time lines ----------------------------------------------------------------------------------------

def test_a_promo_line_takes_no_member_discount():
    order = priced([line(1, 10000, promo=8000), line(2, 10000)], member_discount_bp=9500)
    assert [(ln.unit_price_fen, ln.member_discount_fen, ln.paid_fen) for ln in order.lines] == \
        [(8000, 0, 8000), (10000, 500, 9500)]


def test_a_promo_line_joins_full_reduction_and_coupons_only_when_its_activity_stacks():
    lines = [line(1, 25000, promo=20000), line(2, 5000)]
    apart = priced(lines, full_reduction=LADDER, coupon=Coupon(id=8, kind="fixed", value_fen=500))
    # Only the normal line (5000) counts: no 满减, and the coupon falls on it alone.
    assert (apart.full_reduction_fen, [ln.coupon_discount_fen for ln in apart.lines]) == (0, [0, 500])
    stacked = [line(1, 25000, promo=20000, stacks=True), line(2, 5000)]
    joined = priced(stacked, full_reduction=LADDER, coupon=Coupon(id=8, kind="fixed", value_fen=500))
    # 20000 + 5000 = 25000 meets 满199减20: 2000 over 20000:5000 = 1600 / 400; the coupon 500 over 18400:4600.
    assert [ln.full_reduction_fen for ln in joined.lines] == [1600, 400]
    assert [ln.coupon_discount_fen for ln in joined.lines] == [400, 100]
    assert joined.payable_fen == 25000 - 2000 - 500


# --- labels -----------------------------------------------------------------------------------------------------

def test_coupons_and_activities_are_named_as_shoppers_read_them():
    assert coupon_summary(kind="fixed", value_fen=2000, percent_off_bp=0, cap_fen=None, threshold_fen=19900) == \
        "满199减20"
    assert coupon_summary(kind="fixed", value_fen=990, percent_off_bp=0, cap_fen=None, threshold_fen=0) == \
        "无门槛减9.9"
    assert coupon_summary(kind="percent", value_fen=0, percent_off_bp=1500, cap_fen=5000, threshold_fen=10000) == \
        "满100享8.5折 最高减50"
    assert (discount_rate(2000), discount_rate(1500), discount_rate(1)) == ("8折", "8.5折", "9.999折")
    assert full_reduction_tags(tiers=[[19900, 2000], [29900, 5000]], repeat=False, max_off_fen=None) == \
        ["满199减20", "满299减50"]
    assert full_reduction_tags(tiers=[[10000, 1000]], repeat=True, max_off_fen=2500) == ["每满100减10 最高减25"]
