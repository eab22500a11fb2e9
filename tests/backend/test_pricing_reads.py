"""Placing an order by token reads the member levels and the running 满减 activities with the shopper's token, and
the SKUs' limited-time items with the SKUs (domain/json_rows.py): the order is priced exactly as the preview, which
reads each of them on its own, and a change committed before the next placement is what that placement prices by."""

from __future__ import annotations

from datetime import timedelta

from domain import clock
from domain.marketing.promotions import stop_promotion
from domain.members.service import LevelInput, list_levels, save_levels
from domain.models import User
from domain.staff.service import SYSTEM
from tests.builders import give_growth, make_product, make_promotion

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}
TOTALS = ("goods_fen", "member_discount_fen", "full_reduction_fen", "coupon_discount_fen", "shipping_fen",
          "payable_fen")


def _totals(answer: dict) -> dict:
    return {name: answer[name] for name in TOTALS}


def test_an_order_placed_by_token_is_priced_by_the_levels_activities_and_items_read_with_it(client, db, shopper):
    save_levels(db, actor=SYSTEM, levels=[LevelInput(name="普通会员", growth_threshold=0, discount_bp=10_000),
                                          LevelInput(name="银卡会员", growth_threshold=1000, discount_bp=9800)])
    headers, body = shopper("pricing-reads")
    give_growth(db, db.get(User, body["user"]["id"]), 1000)  # 银卡会员: 98%
    on_sale, plain = make_product(db, prices=(10000,), stock=20).skus[0], make_product(db, prices=(10000,), stock=20).skus[0]
    make_promotion(db, "time_limited", name="限时 8 折", items=[(on_sale.id, 8000, 5, None)])
    full_reduction = make_promotion(db, "full_reduction", name="满50减5", tiers=((5000, 500),), lasts=timedelta(hours=2))
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=headers).json()
    db.commit()
    items = [{"sku_id": on_sale.id, "quantity": 1}, {"sku_id": plain.id, "quantity": 1}]

    def place(key: str) -> dict:
        answer = client.post("/api/v1/orders", json={"items": items, "address_id": address["id"]},
                             headers={**headers, "Idempotency-Key": key})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def preview() -> dict:
        answer = client.post("/api/v1/orders/preview", json={"items": items}, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    # The limited-time line at ¥80.00 takes no member discount and no 满减 (it does not stack); the other line is
    # ¥100.00 × 98% = ¥98.00, and ¥5.00 off for 满50减5: ¥93.00. ¥173.00 ships free.
    expected = {"goods_fen": 18000, "member_discount_fen": 200, "full_reduction_fen": 500, "coupon_discount_fen": 0,
                "shipping_fen": 0, "payable_fen": 17300}
    first = place("k1")
    assert _totals(first) == _totals(preview()) == expected
    assert [(line["unit_price_fen"], line["paid_fen"]) for line in first["lines"]] == [(8000, 8000), (10000, 9300)]

    # The 满减 stopped and 银卡 at 90%: the next placement prices by both.
    stop_promotion(db, actor=SYSTEM, promotion_id=full_reduction.id)
    save_levels(db, actor=SYSTEM, levels=[
        LevelInput(id=level.id, name=level.name, growth_threshold=level.growth_threshold,
                   discount_bp=9000 if level.growth_threshold == 1000 else level.discount_bp, benefits=level.benefits)
        for level in list_levels(db)])
    db.commit()
    second = place("k2")
    assert _totals(second) == _totals(preview()) == {**expected, "member_discount_fen": 1000,
                                                     "full_reduction_fen": 0, "payable_fen": 17000}

    # Two days on, the limited-time activity has ended: both lines at ¥100.00, each 90%.
    clock.advance(timedelta(days=2, hours=1))
    third = place("k3")
    assert _totals(third) == _totals(preview()) == {**expected, "goods_fen": 20000, "member_discount_fen": 2000,
                                                    "full_reduction_fen": 0, "payable_fen": 18000}
    # A repeated key answers with its order as it was placed.
    assert _totals(place("k1")) == expected
