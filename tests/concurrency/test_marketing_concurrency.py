"""Marketing under concurrency on PostgreSQL: real transactions at once, released together by a barrier. The last
coupon goes to one shopper, a per-user limit holds against a flood of claims, one coupon pays for one order, and a
limited-time SKU sells exactly its activity units at the promo price (docs/money-and-rules.md, "Marketing")."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from domain.db import unit_of_work
from domain.errors import DomainError
from domain.marketing.coupons import claim_coupon
from domain.marketing.errors import CouponError, PromotionError
from domain.models import CouponTemplate, Order, OrderLine, PromotionItem, Sku, User, UserCoupon, UserCouponStatus
from domain.orders.checkout import OrderItem, place_order
from tests.builders import give_coupon, make_coupon, make_product, make_promotion, make_user
from tests.concurrency.test_postgres_concurrency import make_buyers, run_at_once
from tests.conftest import requires_postgres

pytestmark = requires_postgres


def test_fifty_shoppers_claiming_the_last_coupon_give_exactly_one(committed):
    with unit_of_work(committed) as s:
        template_id = make_coupon(s, total_quantity=1).id
        shoppers = [make_user(s, f"last_coupon_{i}").id for i in range(50)]

    def claim(i):
        with unit_of_work(committed) as s:
            return claim_coupon(s, user=s.get(User, shoppers[i]), template_id=template_id).id

    results = run_at_once(50, claim)
    assert sum(isinstance(r, int) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {CouponError.COUPON_SOLD_OUT}
    with unit_of_work(committed) as s:
        assert s.scalar(select(func.count()).select_from(UserCoupon)) == 1
        assert s.get(CouponTemplate, template_id).claimed == 1


def test_one_shopper_claiming_twenty_times_at_once_gets_exactly_the_limit(committed):
    with unit_of_work(committed) as s:
        template_id = make_coupon(s, per_user_limit=2).id
        user_id = make_user(s, "greedy").id

    def claim(_):
        with unit_of_work(committed) as s:
            return claim_coupon(s, user=s.get(User, user_id), template_id=template_id).id

    results = run_at_once(20, claim)
    assert sum(isinstance(r, int) for r in results) == 2
    assert {r.code for r in results if isinstance(r, DomainError)} == {CouponError.COUPON_LIMIT_REACHED}
    with unit_of_work(committed) as s:
        assert s.scalar(select(func.count()).where(UserCoupon.user_id == user_id)) == 2


def test_one_coupon_in_ten_concurrent_orders_goes_to_exactly_one(committed):
    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(15000,), stock=50).skus[0].id
        (user_id, address_id), = make_buyers(s, 1, "one_coupon_")
        coupon_id = give_coupon(s, make_coupon(s), s.get(User, user_id)).id

    def order(_):
        with unit_of_work(committed) as s:
            return place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 1)], address_id=address_id,
                               coupon_id=coupon_id).id

    results = run_at_once(10, order)
    placed = [r for r in results if isinstance(r, int)]
    assert len(placed) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {CouponError.COUPON_NOT_APPLICABLE}
    with unit_of_work(committed) as s:
        [(order_id, discount, payable)] = s.execute(select(Order.id, Order.coupon_discount_fen, Order.payable_fen))
        assert (order_id, discount, payable) == (placed[0], 2000, 13000)
        coupon = s.get(UserCoupon, coupon_id)
        assert (coupon.status, coupon.order_id) == (UserCouponStatus.LOCKED, placed[0])
        assert s.get(Sku, sku_id).stock == 49  # the refused orders took nothing


def test_three_hundred_buyers_for_fifty_promo_units_get_exactly_fifty_at_the_promo_price(committed):
    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(9900,), stock=400).skus[0].id
        promotion_id = make_promotion(s, "time_limited", items=[(sku_id, 4900, 50, None)]).id
        buyers = make_buyers(s, 300, "flash_promo_")

    def buy(i):
        user_id, address_id = buyers[i]
        for _ in range(2):  # a shopper told the last promo unit went meanwhile buys again, at the price now shown
            try:
                with unit_of_work(committed) as s:
                    return place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 1)],
                                       address_id=address_id).id
            except DomainError as exc:
                if exc.code != PromotionError.PROMOTION_STOCK_SHORT:
                    raise
        raise AssertionError("refused twice")

    results = run_at_once(300, buy, workers=60)
    assert all(isinstance(r, int) for r in results), {getattr(r, "code", r) for r in results}
    with unit_of_work(committed) as s:
        prices = Counter(s.scalars(select(OrderLine.unit_price_fen)))
        assert prices == {4900: 50, 9900: 250}
        assert s.get(Sku, sku_id).stock == 400 - 300
        item = s.scalar(select(PromotionItem).where(PromotionItem.promotion_id == promotion_id))
        assert (item.sold, item.remaining) == (50, 0)


def test_one_shopper_sending_ten_orders_at_once_gets_at_most_the_per_user_limit(committed):
    with unit_of_work(committed) as s:
        sku_id = make_product(s, prices=(9900,), stock=100).skus[0].id
        make_promotion(s, "time_limited", items=[(sku_id, 4900, 50, 3)])
        (user_id, address_id), = make_buyers(s, 1, "limit_racer_")

    def order(_):
        with unit_of_work(committed) as s:
            return place_order(s, user=s.get(User, user_id), items=[OrderItem(sku_id, 1)],
                               address_id=address_id).id

    results = run_at_once(10, order)
    assert sum(isinstance(r, int) for r in results) == 3
    assert {r.code for r in results if isinstance(r, DomainError)} == {PromotionError.PROMOTION_LIMIT_REACHED}
    with unit_of_work(committed) as s:
        units = s.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.unit_price_fen == 4900))
        assert units == 3
        assert s.get(Sku, sku_id).stock == 97
