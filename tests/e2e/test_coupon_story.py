"""End to end over real HTTP, the coupon's story: staff make a coupon, a shopper claims it in the coupon centre,
the preview offers it in the picker, the order uses it, the sandbox takes the payment, and a partial refund of a
discounted line returns that line's share to the fen — as the sandbox's refund record shows."""

from __future__ import annotations

import httpx
import pytest

from domain.db import unit_of_work
from tests.builders import make_product
from tests.e2e.test_shopping_and_distribution_story import ADDRESS, pay_in_sandbox, shopper, staff


@pytest.fixture
def goods(committed):
    with unit_of_work(committed) as s:
        mugs = make_product(s, title="手绘马克杯", prices=(3333,), stock=20)
        pot = make_product(s, title="玻璃茶壶", prices=(5001,), stock=20)
        far = make_product(s, title="羊毛围巾", prices=(12900,), stock=20)
        return {"mugs": mugs.skus[0].id, "pot": pot.skus[0].id, "far": far.skus[0].id}


def test_claim_pick_order_pay_and_refund_one_discounted_unit(goods, api_url, sandbox_url):
    operator, support = staff(api_url, "operator"), staff(api_url, "support")
    template = operator.call("POST", "/api/v1/admin/coupons", expect=201, json={
        "name": "满150减20", "kind": "fixed", "value_fen": 2000, "threshold_fen": 15000, "valid_days": 7,
        "total_quantity": 100, "per_user_limit": 1})
    big = operator.call("POST", "/api/v1/admin/coupons", expect=201, json={
        "name": "满500减80", "kind": "fixed", "value_fen": 8000, "threshold_fen": 50000, "valid_days": 7})

    buyer, _ = shopper(api_url, "e2e_coupon_buyer")
    centre = buyer.call("GET", "/api/v1/coupons/claimable")["items"]
    assert {c["id"]: c["can_claim"] for c in centre} == {template["id"]: True, big["id"]: True}
    mine = buyer.call("POST", f"/api/v1/coupons/{template['id']}/claim", expect=201)
    unreachable = buyer.call("POST", f"/api/v1/coupons/{big['id']}/claim", expect=201)
    refusal = buyer.call("POST", f"/api/v1/coupons/{template['id']}/claim", expect=409)
    assert refusal["error"]["code"] == "coupon_limit_reached"

    items = [{"sku_id": goods["mugs"], "quantity": 3}, {"sku_id": goods["pot"], "quantity": 1}]
    picker = buyer.call("POST", "/api/v1/orders/preview", json={"items": items})
    assert [(c["id"], c["discount_fen"]) for c in picker["usable_coupons"]] == [(mine["id"], 2000)]
    assert [(c["id"], c["reason_code"]) for c in picker["unusable_coupons"]] == [(unreachable["id"], "threshold_not_met")]
    assert (picker["coupon_id"], picker["payable_fen"]) == (None, 15000)
    chosen = buyer.call("POST", "/api/v1/orders/preview", json={"items": items, "coupon_id": mine["id"]})
    assert (chosen["coupon_discount_fen"], chosen["payable_fen"]) == (2000, 13000)

    address = buyer.call("POST", "/api/v1/addresses", expect=201, json=ADDRESS)
    order = buyer.call("POST", "/api/v1/orders", expect=201, headers={"Idempotency-Key": "coupon-story-1"},
                       json={"items": items, "address_id": address["id"], "coupon_id": mine["id"]})
    assert (order["coupon_discount_fen"], order["payable_fen"]) == (2000, 13000)
    assert buyer.call("GET", "/api/v1/me/coupons/counts") == {"unused": 1, "locked": 1, "used": 0, "expired": 0}
    pay_in_sandbox(buyer, sandbox_url, order["id"])
    paid = buyer.call("GET", f"/api/v1/orders/{order['id']}")
    assert paid["status"] == "paid"
    used = buyer.call("GET", "/api/v1/me/coupons", params={"status": "used"})["items"]
    assert [(c["id"], c["order_id"]) for c in used] == [(mine["id"], order["id"])]

    mugs = next(line for line in paid["lines"] if line["sku_id"] == goods["mugs"])
    assert (mugs["amount_fen"], mugs["discount_fen"], mugs["paid_fen"]) == (9999, 1333, 8666)
    asked = buyer.call("POST", f"/api/v1/orders/{order['id']}/refunds", expect=201,
                       json={"lines": [{"order_line_id": mugs["id"], "quantity": 1}], "reason": "杯子有裂纹"})
    done = support.call("POST", f"/api/v1/admin/refunds/{asked['id']}/approve")
    assert (done["status"], done["amount_fen"]) == ("refunded", 2888)  # 8666 × 1 // 3
    records = httpx.get(sandbox_url + "records", params={"kind": "refund"}, timeout=30).json()["items"]
    assert [(r["out_trade_no"], r["refund_fee"], r["total_fee"]) for r in records
            if r["out_refund_no"] == asked["refund_no"]] == [(order["order_no"], 2888, 13000)]
    # A refund never gives the coupon back; the template counts the use and what the order paid.
    assert buyer.call("GET", "/api/v1/me/coupons/counts")["used"] == 1
    listed = operator.call("GET", f"/api/v1/admin/coupons/{template['id']}")
    assert (listed["claimed"], listed["used"], listed["orders"], listed["sales_fen"]) == (1, 1, 1, 13000)
