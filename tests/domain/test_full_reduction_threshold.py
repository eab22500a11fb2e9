"""满减 tiers are met at their threshold: "满199减20" means a subtotal of exactly ¥199 takes ¥20 off."""

from __future__ import annotations

from domain.orders.pricing import FullReduction, LineInput, PricingRules, price_order

RULES = dict(shipping_fee_fen=1000, free_shipping_threshold_fen=9900)
LADDER = FullReduction(id=1, tiers=((19900, 2000), (29900, 5000)), name="满199减20，满299减50")


def priced(*prices: int):
    lines = [LineInput(sku_id=i, product_id=i, category_id=None, quantity=1, price_fen=p, promo_price_fen=None)
             for i, p in enumerate(prices, start=1)]
    return price_order(lines, PricingRules(**RULES, full_reduction=LADDER))


def test_a_subtotal_exactly_at_a_threshold_gets_that_tier():
    assert priced(19900).full_reduction_fen == 2000
    assert priced(12000, 7900).full_reduction_fen == 2000  # the subtotal counts, not any one line
    assert priced(29900).full_reduction_fen == 5000  # exactly at the higher tier: the higher tier


def test_one_fen_below_a_threshold_gets_the_tier_below():
    assert priced(19899).full_reduction_fen == 0
    assert priced(29899).full_reduction_fen == 2000
