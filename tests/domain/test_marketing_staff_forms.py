"""What the staff forms for coupons and activities read from the domain: a refusal names the field it is about (so the
dashboard shows it there), the terms are locked once a coupon is held, and the pickers list products, categories and
the SKUs an activity already holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain import clock
from domain.catalog.errors import CatalogError
from domain.errors import CommonError
from domain.marketing.coupons import CouponTemplateInput, create_template
from domain.marketing.errors import CouponError, PromotionError
from domain.marketing.promotions import PromotionInput, PromotionItemInput, create_promotion
from domain.marketing.queries import coupon_template_detail, scope_choices, sku_choices
from domain.models import Sku
from domain.security.actor import Actor
from domain.security.roles import Permission
from tests.builders import give_coupon, make_category, make_coupon, make_product, make_promotion, make_staff, make_user
from tests.refusals import refused

COUPON = CouponTemplateInput(name="满100减20", kind="fixed", value_fen=2000, threshold_fen=10000, valid_days=7)


def marketer(db) -> Actor:
    return Actor.of(make_staff(db, "operator"))


def test_each_coupon_refusal_names_its_field(db):
    actor = marketer(db)
    for changes, field in (({"name": " "}, "name"), ({"value_fen": 0}, "value_fen"),
                           ({"threshold_fen": -1}, "threshold_fen"), ({"valid_days": None}, "validity"),
                           ({"kind": "percent", "percent_off_bp": 10_000}, "percent_off_bp"),
                           ({"total_quantity": 0}, "total_quantity"), ({"per_user_limit": 101}, "per_user_limit"),
                           ({"product_ids": (999_999,)}, "scope")):
        with refused(CatalogError.PRODUCT_NOT_FOUND if field == "scope" else CouponError.INVALID_COUPON) as info:
            create_template(db, actor=actor, data=replace(COUPON, **changes))
        assert info.value.details == {"field": field}, changes


def test_each_activity_refusal_names_its_field_and_the_sku(db):
    actor = marketer(db)
    sku = make_product(db, title="红富士苹果", prices=(5000,)).skus[0]
    start = clock.now()
    base = PromotionInput(kind="time_limited", name="限时", starts_at=start, ends_at=start + timedelta(days=1),
                          items=(PromotionItemInput(sku_id=sku.id, promo_price_fen=3900, activity_stock=10),))
    with refused(PromotionError.INVALID_PROMOTION) as info:
        create_promotion(db, actor=actor, data=replace(base, ends_at=start - timedelta(hours=1)))
    assert info.value.details == {"field": "window"}
    with refused(PromotionError.INVALID_PROMOTION) as info:
        create_promotion(db, actor=actor, data=replace(base, items=(replace(base.items[0], promo_price_fen=5000),)))
    assert info.value.details == {"field": "items", "sku_id": sku.id}
    ladder = PromotionInput(kind="full_reduction", name="满减", starts_at=start, ends_at=start + timedelta(days=1),
                            tiers=((10000, 1000), (20000, 1000)))
    with refused(PromotionError.INVALID_PROMOTION) as info:
        create_promotion(db, actor=actor, data=ladder)
    assert info.value.details == {"field": "tiers"}
    create_promotion(db, actor=actor, data=base)
    with refused(PromotionError.PROMOTION_OVERLAP) as info:
        create_promotion(db, actor=actor, data=replace(base, name="又一个"))
    assert info.value.details == {"field": "items", "sku_id": sku.id}


def test_a_coupons_terms_lock_once_someone_holds_one(db):
    actor = marketer(db)
    coupon = make_coupon(db)
    assert coupon_template_detail(db, coupon.id, viewer=actor).terms_locked is False
    give_coupon(db, coupon, make_user(db))
    assert coupon_template_detail(db, coupon.id, viewer=actor).terms_locked is True


def test_the_pickers_list_products_categories_and_the_skus_an_activity_holds(db):
    actor = marketer(db)
    fresh = make_category(db, "生鲜")
    apple = make_product(db, title="红富士苹果", prices=(5000, 8000), category_id=fresh.id)
    pear = make_product(db, title="库尔勒香梨")
    choices = scope_choices(db, viewer=actor)
    assert choices.products == {pear.id: "库尔勒香梨", apple.id: "红富士苹果"}  # newest first
    assert list(choices.products) == [pear.id, apple.id] and choices.categories == {fresh.id: "生鲜"}

    held = apple.skus[1]
    make_promotion(db, "time_limited", items=[(held.id, 6900, 5, None)])
    db.get(Sku, held.id).is_active = False
    db.flush()
    assert [c.sku_id for c in sku_choices(db, viewer=actor, q="苹果")[0]] == [apple.skus[0].id]  # active ones
    [chosen], total = sku_choices(db, viewer=actor, sku_ids=[held.id])
    assert (total, chosen.sku_id, chosen.price_fen, chosen.stock) == (1, held.id, 8000, 100)
    assert chosen.running_promotion_id is not None


def test_only_marketing_staff_read_the_pickers(db):
    finance = Actor.of(make_staff(db, "finance"))
    assert not finance.can(Permission.MARKETING)
    with refused(CommonError.FORBIDDEN):
        scope_choices(db, viewer=finance)
