"""The pricing engine, step by step, with exact amounts in fen (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.orders.pricing import (
    Coupon,
    FullReduction,
    LineInput,
    PricingRules,
    Scope,
    price_order,
)

SHIP = dict(shipping_fee_fen=1000, free_shipping_threshold_fen=9900)


def line(sku_id: int, price: int, qty: int = 1, *, product_id: int | None = None, category_id: int | None = None,
         promo: int | None = None) -> LineInput:
    return LineInput(sku_id=sku_id, product_id=product_id or sku_id, category_id=category_id, quantity=qty,
                     price_fen=price, promo_price_fen=promo)


def test_unit_price_and_flat_shipping_below_the_threshold():
    order = price_order([line(1, 3990, 2)], PricingRules(**SHIP))
    assert order.goods_fen == 7980
    assert order.shipping_fen == 1000
    assert order.payable_fen == 8980
    assert [(ln.amount_fen, ln.discount_fen, ln.paid_fen) for ln in order.lines] == [(7980, 0, 7980)]


def test_shipping_is_free_at_the_threshold_and_never_part_of_a_line():
    order = price_order([line(1, 9900)], PricingRules(**SHIP))
    assert order.shipping_fen == 0 and order.payable_fen == 9900
    below = price_order([line(1, 9899)], PricingRules(**SHIP))
    assert below.shipping_fen == 1000 and below.lines[0].paid_fen == 9899


def test_limited_time_price_replaces_the_sku_price_and_skips_the_member_discount():
    order = price_order([line(1, 10000, promo=8000), line(2, 10000)], PricingRules(**SHIP, member_discount_bp=9500))
    assert [ln.unit_price_fen for ln in order.lines] == [8000, 10000]
    assert [ln.member_discount_fen for ln in order.lines] == [0, 500]
    assert order.member_discount_fen == 500
    assert order.payable_fen == 8000 + 9500


def test_member_price_is_the_percentage_rule_applied_to_the_price():
    # 3333 at 98% = 3266.34 → the buyer pays bp_of(3333, 9800) = 3266 (the price rounds down), the discount is 67.
    order = price_order([line(1, 3333)], PricingRules(**SHIP, member_discount_bp=9800))
    assert order.lines[0].member_discount_fen == 67
    assert order.lines[0].paid_fen == 3266


def test_full_reduction_takes_the_highest_tier_met_and_spreads_it_by_largest_remainder():
    activity = FullReduction(id=1, tiers=((10000, 1000), (20000, 3000)), name="满200减30")
    order = price_order([line(1, 10000), line(2, 7000), line(3, 3001)], PricingRules(**SHIP, full_reduction=activity))
    assert order.full_reduction_fen == 3000
    # 3000 over 10000:7000:3001 → 1499.92 / 1049.94 / 450.13 → floors 1499 + 1049 + 450 = 2998, +1 to the two
    # largest remainders (.94 then .92).
    assert [ln.full_reduction_fen for ln in order.lines] == [1500, 1050, 450]
    assert sum(ln.paid_fen for ln in order.lines) == 20001 - 3000


def test_full_reduction_only_counts_lines_in_its_scope():
    activity = FullReduction(id=1, tiers=((5000, 500),), scope=Scope(category_ids=frozenset({7})))
    order = price_order([line(1, 4000, category_id=7), line(2, 9000, category_id=8)],
                        PricingRules(**SHIP, full_reduction=activity))
    assert order.full_reduction_fen == 0  # only 4000 of eligible goods
    order = price_order([line(1, 6000, category_id=7), line(2, 9000, category_id=8)],
                        PricingRules(**SHIP, full_reduction=activity))
    assert [ln.full_reduction_fen for ln in order.lines] == [500, 0]


def test_fixed_coupon_with_threshold():
    coupon = Coupon(id=1, kind="fixed", value_fen=2000, threshold_fen=15000)
    short = price_order([line(1, 14999)], PricingRules(**SHIP, coupon=coupon))
    assert short.coupon_discount_fen == 0 and short.coupon_refusal == "coupon_threshold_not_met"
    met = price_order([line(1, 10000), line(2, 5000)], PricingRules(**SHIP, coupon=coupon))
    assert met.coupon_applied
    assert [ln.coupon_discount_fen for ln in met.lines] == [1333, 667]
    assert met.payable_fen == 13000


def test_percent_coupon_is_capped_and_applies_after_full_reduction():
    activity = FullReduction(id=1, tiers=((19900, 2000),))
    coupon = Coupon(id=2, kind="percent", percent_off_bp=1500, cap_fen=2500)
    order = price_order([line(1, 25000)], PricingRules(**SHIP, full_reduction=activity, coupon=coupon))
    # 25000 - 2000 = 23000; 15% of it is 3450, capped at 2500.
    assert (order.full_reduction_fen, order.coupon_discount_fen) == (2000, 2500)
    assert order.lines[0].paid_fen == 20500
    assert order.shipping_fen == 0


def test_every_step_together_keeps_the_lines_summing_to_the_goods_paid():
    activity = FullReduction(id=1, tiers=((10000, 1000),))
    coupon = Coupon(id=3, kind="fixed", value_fen=777, scope=Scope(product_ids=frozenset({2, 3})))
    rules = PricingRules(shipping_fee_fen=800, free_shipping_threshold_fen=50000, member_discount_bp=9800,
                         full_reduction=activity, coupon=coupon)
    order = price_order([line(1, 4990, 2), line(2, 3333, 3, promo=2999), line(3, 1999)], rules)
    assert order.goods_fen == 9980 + 8997 + 1999
    assert order.member_discount_fen == (9980 - 9980 * 9800 // 10000) + (1999 - 1999 * 9800 // 10000)
    assert order.payable_fen == sum(ln.paid_fen for ln in order.lines) + 800
    assert order.payable_fen == order.goods_fen - order.member_discount_fen - order.full_reduction_fen \
        - order.coupon_discount_fen + order.shipping_fen


def test_refuses_empty_orders_and_bad_quantities():
    with pytest.raises(ValueError):
        price_order([], PricingRules(**SHIP))
    with pytest.raises(ValueError):
        price_order([line(1, 100, 0)], PricingRules(**SHIP))


prices = st.integers(min_value=1, max_value=2_000_000)


@given(
    lines=st.lists(st.tuples(prices, st.integers(min_value=1, max_value=20), st.booleans()), min_size=1, max_size=8),
    member_bp=st.integers(min_value=5000, max_value=10000),
    tier=st.tuples(st.integers(min_value=0, max_value=5_000_000), st.integers(min_value=0, max_value=500_000)),
    coupon_value=st.integers(min_value=0, max_value=500_000),
)
def test_any_order_prices_consistently(lines, member_bp, tier, coupon_value):
    rules = PricingRules(shipping_fee_fen=1000, free_shipping_threshold_fen=9900, member_discount_bp=member_bp,
                         full_reduction=FullReduction(id=1, tiers=(tier,)),
                         coupon=Coupon(id=1, kind="fixed", value_fen=coupon_value))
    inputs = [line(i + 1, p, q, promo=p * 9 // 10 if promo else None) for i, (p, q, promo) in enumerate(lines)]
    order = price_order(inputs, rules)
    assert all(ln.paid_fen >= 0 and ln.discount_fen >= 0 for ln in order.lines)
    assert sum(ln.paid_fen for ln in order.lines) == order.payable_fen - order.shipping_fen
    assert order.goods_fen - order.member_discount_fen - order.full_reduction_fen - order.coupon_discount_fen \
        == order.payable_fen - order.shipping_fen
    assert order.shipping_fen in (0, 1000)
