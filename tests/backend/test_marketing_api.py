"""Marketing over HTTP: staff make coupons and activities, shoppers claim, preview with the picker, order with a
coupon, and the catalog shows promo prices and 满减 tags; every refusal with its code and status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain import clock
from domain.audit.service import list_actions
from domain.catalog.errors import CatalogError
from domain.errors import CommonError
from domain.marketing.errors import CouponError, PromotionError
from domain.members.service import ensure_default_levels
from domain.security import crypto
from domain.security.actor import SYSTEM as SYSTEM_ACTOR
from tests.builders import deliver_notification, give_growth, make_category, make_product, make_user
from tests.refusals import refused

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}


def iso(delta: timedelta) -> str:
    return (clock.now() + delta).isoformat()


@pytest.fixture
def operator(staff_headers):
    return staff_headers("operator")


def fixed_coupon(**fields) -> dict:
    return {"name": "满100减20", "kind": "fixed", "value_fen": 2000, "threshold_fen": 10000, "valid_days": 7,
            "total_quantity": 100, "per_user_limit": 1, **fields}


def test_staff_create_list_edit_and_stop_a_coupon_with_the_audit_log(client, db, operator):
    created = client.post("/api/v1/admin/coupons", json=fixed_coupon(), headers=operator)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["summary"], body["state"], body["claimed"], body["remaining"]) == ("满100减20", "active", 0, 100)
    assert body["actions"] == ["edit", "issue", "stop"]
    listed = client.get("/api/v1/admin/coupons", headers=operator).json()
    assert [c["id"] for c in listed["items"]] == [body["id"]] and listed["total"] == 1

    edited = client.patch(f"/api/v1/admin/coupons/{body['id']}", json={"value_fen": 3000, "name": "满100减30"},
                          headers=operator).json()
    assert (edited["value_fen"], edited["summary"]) == (3000, "满100减30")
    stopped = client.post(f"/api/v1/admin/coupons/{body['id']}/stop", headers=operator).json()
    assert (stopped["status"], stopped["state"], stopped["actions"]) == ("stopped", "stopped", [])
    again = client.post(f"/api/v1/admin/coupons/{body['id']}/stop", headers=operator)
    refused(CouponError.COUPON_STOPPED, again, status=409)
    entries, _ = list_actions(db, entity_type="coupon_template", entity_id=body["id"])
    assert [e.action for e in entries] == ["coupon.stop", "coupon.update", "coupon.create"]
    assert entries[1].before == {"name": "满100减20", "value_fen": 2000}


def test_coupon_templates_that_make_no_sense_are_refused(client, operator):
    refused(CouponError.INVALID_COUPON, client.post("/api/v1/admin/coupons", headers=operator,
                                                     json=fixed_coupon(valid_days=None)), status=422)
    refused(CouponError.INVALID_COUPON, client.post("/api/v1/admin/coupons", headers=operator,
                                                     json=fixed_coupon(valid_to=iso(timedelta(days=1)))), status=422)
    refused(CouponError.INVALID_COUPON, client.post("/api/v1/admin/coupons", headers=operator,
                                                     json=fixed_coupon(kind="percent", percent_off_bp=0)), status=422)
    unknown = client.post("/api/v1/admin/coupons", headers=operator, json=fixed_coupon(scope={"product_ids": [999999]}))
    refused(CatalogError.PRODUCT_NOT_FOUND, unknown, status=404)
    assert client.post("/api/v1/admin/coupons", headers=operator,
                       json=fixed_coupon(value_fen=True)).status_code == 422  # JSON integers only


def test_marketing_is_for_owner_and_operator_only(client, staff_headers):
    for role in ("support", "finance", "analyst"):
        headers = staff_headers(role)
        refused(CommonError.FORBIDDEN, client.get("/api/v1/admin/coupons", headers=headers), status=403)
        refused(CommonError.FORBIDDEN, client.post("/api/v1/admin/promotions", headers=headers, json={
            "kind": "full_reduction", "name": "满减", "starts_at": iso(timedelta(0)), "ends_at": iso(timedelta(days=1)),
            "tiers": [{"threshold_fen": 10000, "off_fen": 1000}]}), status=403)
    assert client.get("/api/v1/admin/coupons", headers=staff_headers("owner")).status_code == 200


def test_a_shopper_claims_within_the_limit_and_sees_it_in_my_coupons(client, db, operator, shopper):
    template = client.post("/api/v1/admin/coupons", json=fixed_coupon(total_quantity=2), headers=operator).json()
    buyer, _ = shopper("claimer")
    centre = client.get("/api/v1/coupons/claimable", headers=buyer).json()["items"]
    assert [(c["id"], c["claimed_by_me"], c["can_claim"], c["remaining"]) for c in centre] == [(template["id"], 0, True, 2)]
    claimed = client.post(f"/api/v1/coupons/{template['id']}/claim", headers=buyer)
    assert claimed.status_code == 201
    coupon = claimed.json()
    assert (coupon["template_id"], coupon["status"], coupon["summary"]) == (template["id"], "unused", "满100减20")
    refused(CouponError.COUPON_LIMIT_REACHED, client.post(f"/api/v1/coupons/{template['id']}/claim", headers=buyer),
            status=409)
    [after] = client.get("/api/v1/coupons/claimable", headers=buyer).json()["items"]
    assert (after["claimed_by_me"], after["can_claim"], after["refusal"]) == (1, False, "coupon_limit_reached")

    other, _ = shopper("claimer2")
    client.post(f"/api/v1/coupons/{template['id']}/claim", headers=other)
    third, _ = shopper("claimer3")
    refused(CouponError.COUPON_SOLD_OUT, client.post(f"/api/v1/coupons/{template['id']}/claim", headers=third),
            status=409)
    refused(CouponError.COUPON_NOT_FOUND, client.post("/api/v1/coupons/999999/claim", headers=third), status=404)

    mine = client.get("/api/v1/me/coupons", params={"status": "unused"}, headers=buyer).json()
    assert [c["id"] for c in mine["items"]] == [coupon["id"]] and mine["total"] == 1
    assert client.get("/api/v1/me/coupons/counts", headers=buyer).json() == \
        {"unused": 1, "locked": 0, "used": 0, "expired": 0}
    assert client.get("/api/v1/me/coupons", params={"status": "lost"}, headers=buyer).status_code == 422
    with clock.travel(timedelta(days=8)):
        assert client.get("/api/v1/me/coupons/counts", headers=buyer).json()["expired"] == 1


def test_a_stopped_coupon_cannot_be_claimed_but_one_held_stays_usable(client, db, operator, shopper):
    template = client.post("/api/v1/admin/coupons", json=fixed_coupon(per_user_limit=2), headers=operator).json()
    buyer, _ = shopper("stopped_claimer")
    held = client.post(f"/api/v1/coupons/{template['id']}/claim", headers=buyer).json()
    client.post(f"/api/v1/admin/coupons/{template['id']}/stop", headers=operator)
    refused(CouponError.COUPON_NOT_CLAIMABLE, client.post(f"/api/v1/coupons/{template['id']}/claim", headers=buyer),
            status=409)
    assert client.get("/api/v1/coupons/claimable", headers=buyer).json()["items"] == []
    sku = make_product(db, prices=(12000,), stock=5).skus[0]
    preview = client.post("/api/v1/orders/preview", headers=buyer,
                          json={"items": [{"sku_id": sku.id, "quantity": 1}], "coupon_id": held["id"]}).json()
    assert (preview["coupon_id"], preview["coupon_discount_fen"], preview["payable_fen"]) == (held["id"], 2000, 10000)


def test_staff_issue_to_chosen_users_with_a_reason_and_see_who_was_skipped(client, db, operator):
    template = client.post("/api/v1/admin/coupons", json=fixed_coupon(total_quantity=2, claimable=False),
                           headers=operator).json()
    a, b, c = make_user(db, "issue_a"), make_user(db, "issue_b"), make_user(db, "issue_c")
    answer = client.post(f"/api/v1/admin/coupons/{template['id']}/issue", headers=operator,
                         json={"user_ids": [a.id, a.id, b.id, c.id, 999999], "reason": "老客回馈"}).json()
    assert answer == {"issued": 2, "skipped": [{"user_id": 999999, "code": "user_not_found"},
                                                {"user_id": c.id, "code": "coupon_sold_out"}]}
    again = client.post(f"/api/v1/admin/coupons/{template['id']}/issue", headers=operator,
                        json={"user_ids": [a.id], "reason": "再发一张"}).json()
    assert again == {"issued": 0, "skipped": [{"user_id": a.id, "code": "coupon_limit_reached"}]}
    no_reason = client.post(f"/api/v1/admin/coupons/{template['id']}/issue", headers=operator,
                            json={"user_ids": [a.id], "reason": " "})
    refused(CommonError.REASON_REQUIRED, no_reason, status=422)
    # Not claimable: the coupon centre neither lists it nor gives it.
    [entry] = [e for e in list_actions(db, entity_type="coupon_template", entity_id=template["id"])[0]
               if e.action == "coupon.issue" and e.after["issued"]]
    assert entry.after["reason"] == "老客回馈" and sorted(entry.after["issued"]) == sorted([a.id, b.id])


def test_terms_cannot_change_once_a_coupon_is_held(client, db, operator):
    template = client.post("/api/v1/admin/coupons", json=fixed_coupon(), headers=operator).json()
    user = make_user(db, "holder")
    client.post(f"/api/v1/admin/coupons/{template['id']}/issue", headers=operator,
                json={"user_ids": [user.id], "reason": "测试"})
    refused(CouponError.COUPON_TERMS_LOCKED, client.patch(f"/api/v1/admin/coupons/{template['id']}", headers=operator,
                                                          json={"value_fen": 5000}), status=409)
    renamed = client.patch(f"/api/v1/admin/coupons/{template['id']}", headers=operator,
                           json={"name": "老客专享", "total_quantity": 50}).json()
    assert (renamed["name"], renamed["total_quantity"], renamed["claimed"]) == ("老客专享", 50, 1)


def test_the_staff_preview_says_what_a_cart_would_get(client, operator):
    percent = {"kind": "percent", "percent_off_bp": 1500, "cap_fen": 5000, "threshold_fen": 10000}
    assert client.post("/api/v1/admin/coupons/preview", headers=operator, json={**percent, "cart_fen": 19900}).json() \
        == {"cart_fen": 19900, "applicable": True, "discount_fen": 2985, "payable_fen": 16915, "reason": ""}
    capped = client.post("/api/v1/admin/coupons/preview", headers=operator, json={**percent, "cart_fen": 50000}).json()
    assert (capped["discount_fen"], capped["payable_fen"]) == (5000, 45000)
    short = client.post("/api/v1/admin/coupons/preview", headers=operator, json={**percent, "cart_fen": 9999}).json()
    assert (short["applicable"], short["discount_fen"]) == (False, 0)
    repeat = client.post("/api/v1/admin/promotions/preview", headers=operator, json={
        "tiers": [{"threshold_fen": 10000, "off_fen": 1000}], "repeat": True, "max_off_fen": 2500, "cart_fen": 35000})
    assert repeat.json()["discount_fen"] == 2500


def test_recipients_by_nickname_phone_and_level(client, db, operator):
    ensure_default_levels(db)
    a, b = make_user(db, "林小满"), make_user(db, "王大力")
    b.phone_enc, b.phone_bidx = crypto.encrypt("13811112222"), crypto.phone_index("13811112222")
    give_growth(db, a, 1200)  # 银卡
    db.flush()
    by_name = client.get("/api/v1/admin/coupons/recipients", params={"q": "小满"}, headers=operator).json()
    assert [r["user_id"] for r in by_name["items"]] == [a.id]
    by_phone = client.get("/api/v1/admin/coupons/recipients", params={"q": "138-1111-2222"}, headers=operator).json()
    assert [(r["user_id"], r["phone_masked"]) for r in by_phone["items"]] == [(b.id, "138****2222")]
    silver = client.get("/api/v1/admin/coupons/recipients", params={"level": 1}, headers=operator).json()
    assert [(r["user_id"], r["level_name"]) for r in silver["items"]] == [(a.id, "银卡会员")]


def running_window() -> dict:
    return {"starts_at": iso(-timedelta(hours=1)), "ends_at": iso(timedelta(days=2))}


def test_promotions_overlap_is_refused_and_products_show_promo_and_tags(client, db, operator, shopper):
    category = make_category(db)
    product = make_product(db, prices=(19900, 29900), stock=20, category_id=category.id)
    cheap, dear = product.skus
    sale = client.post("/api/v1/admin/promotions", headers=operator, json={
        "kind": "time_limited", "name": "周末秒杀", **running_window(),
        "items": [{"sku_id": dear.id, "promo_price_fen": 25900, "activity_stock": 5, "per_user_limit": 2}]})
    assert sale.status_code == 201, sale.text
    assert sale.json()["state"] == "running" and sale.json()["items"][0]["remaining"] == 5
    clash = client.post("/api/v1/admin/promotions", headers=operator, json={
        "kind": "time_limited", "name": "再来一场", "starts_at": iso(timedelta(days=1)),
        "ends_at": iso(timedelta(days=3)),
        "items": [{"sku_id": dear.id, "promo_price_fen": 24900, "activity_stock": 5}]})
    refused(PromotionError.PROMOTION_OVERLAP, clash, status=409)
    too_dear = client.post("/api/v1/admin/promotions", headers=operator, json={
        "kind": "time_limited", "name": "假折扣", **running_window(),
        "items": [{"sku_id": cheap.id, "promo_price_fen": 19900, "activity_stock": 5}]})
    refused(PromotionError.INVALID_PROMOTION, too_dear, status=422)
    full = client.post("/api/v1/admin/promotions", headers=operator, json={
        "kind": "full_reduction", "name": "满199减20", **running_window(),
        "tiers": [{"threshold_fen": 19900, "off_fen": 2000}, {"threshold_fen": 29900, "off_fen": 5000}],
        "scope": {"category_ids": [category.id]}})
    assert full.json()["tags"] == ["满199减20", "满299减50"]

    [card] = client.get("/api/v1/products", params={"category_id": category.id}).json()["items"]
    assert card["tags"] == ["满199减20", "满299减50"] and card["promo_price_fen"] == 25900
    assert (card["promo"]["promotion_id"], card["promo"]["remaining"]) == (sale.json()["id"], 5)
    detail = client.get(f"/api/v1/products/{product.id}").json()
    assert [(s["id"], s["promo_price_fen"]) for s in detail["skus"]] == [(cheap.id, None), (dear.id, 25900)]
    assert detail["tags"] == ["满199减20", "满299减50"]

    client.post(f"/api/v1/admin/promotions/{sale.json()['id']}/stop", headers=operator)
    [card] = client.get("/api/v1/products", params={"category_id": category.id}).json()["items"]
    assert (card["promo"], card["promo_price_fen"]) == (None, None)


def test_preview_answers_the_picker_and_an_order_locks_the_chosen_coupon(client, db, operator, shopper):
    product = make_product(db, prices=(15000,), stock=10)
    sku = product.skus[0]
    big = client.post("/api/v1/admin/coupons", headers=operator, json=fixed_coupon(name="满100减20")).json()
    small = client.post("/api/v1/admin/coupons", headers=operator,
                        json=fixed_coupon(name="无门槛5元", value_fen=500, threshold_fen=0)).json()
    far = client.post("/api/v1/admin/coupons", headers=operator,
                      json=fixed_coupon(name="满300减50", value_fen=5000, threshold_fen=30000)).json()
    buyer, _ = shopper("picker")
    mine = {t["id"]: client.post(f"/api/v1/coupons/{t['id']}/claim", headers=buyer).json()["id"]
            for t in (big, small, far)}
    items = [{"sku_id": sku.id, "quantity": 1}]
    preview = client.post("/api/v1/orders/preview", headers=buyer, json={"items": items}).json()
    assert [(c["id"], c["discount_fen"]) for c in preview["usable_coupons"]] == [(mine[big["id"]], 2000),
                                                                                (mine[small["id"]], 500)]
    [unusable] = preview["unusable_coupons"]
    assert (unusable["id"], unusable["reason_code"], unusable["reason"]) == \
        (mine[far["id"]], "threshold_not_met", "满¥300.00可用，还差¥150.00")
    assert (preview["coupon_id"], preview["coupon_discount_fen"], preview["payable_fen"]) == (None, 0, 15000)

    chosen = client.post("/api/v1/orders/preview", headers=buyer, json={"items": items, "coupon_id": mine[big["id"]]})
    assert (chosen.json()["coupon_id"], chosen.json()["payable_fen"]) == (mine[big["id"]], 13000)
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    refused(CouponError.COUPON_NOT_APPLICABLE, client.post("/api/v1/orders", headers=buyer, json={
        "items": items, "address_id": address["id"], "coupon_id": mine[far["id"]]}), status=409)
    order = client.post("/api/v1/orders", headers=buyer, json={
        "items": items, "address_id": address["id"], "coupon_id": mine[big["id"]]}).json()
    assert (order["coupon_discount_fen"], order["payable_fen"]) == (2000, 13000)
    locked = client.get("/api/v1/me/coupons", params={"status": "locked"}, headers=buyer).json()["items"]
    assert [(c["id"], c["order_id"]) for c in locked] == [(mine[big["id"]], order["id"])]
    again = client.post("/api/v1/orders/preview", headers=buyer, json={"items": items}).json()
    assert {c["id"]: c["reason_code"] for c in again["unusable_coupons"]}[mine[big["id"]]] == "locked"

    client.post(f"/api/v1/orders/{order['id']}/cancel", headers=buyer)
    back = client.get("/api/v1/me/coupons", params={"status": "unused"}, headers=buyer).json()["items"]
    assert mine[big["id"]] in [c["id"] for c in back]

    stranger, _ = shopper("picker_stranger")
    refused(CouponError.COUPON_NOT_FOUND, client.post("/api/v1/orders/preview", headers=stranger, json={
        "items": items, "coupon_id": mine[big["id"]]}), status=404)


def test_limited_time_units_over_the_shoppers_limit_are_refused(client, db, operator, shopper):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    client.post("/api/v1/admin/promotions", headers=operator, json={
        "kind": "time_limited", "name": "限时特价", **running_window(),
        "items": [{"sku_id": sku.id, "promo_price_fen": 6900, "activity_stock": 10, "per_user_limit": 2}]})
    buyer, _ = shopper("limited")
    preview = client.post("/api/v1/orders/preview", headers=buyer,
                          json={"items": [{"sku_id": sku.id, "quantity": 2}]}).json()
    assert [(ln["unit_price_fen"], ln["promo_price_fen"]) for ln in preview["lines"]] == [(6900, 6900)]
    over = client.post("/api/v1/orders/preview", headers=buyer, json={"items": [{"sku_id": sku.id, "quantity": 3}]})
    refused(PromotionError.PROMOTION_LIMIT_REACHED, over, status=409)
    client.post("/api/v1/cart/items", headers=buyer, json={"sku_id": sku.id, "quantity": 3})
    cart = client.get("/api/v1/cart", headers=buyer).json()  # the cart still answers: priced normally
    assert cart["selected_amount_fen"] == 3 * 9900


def test_promotion_sales_while_it_runs(client, db, operator, shopper, sandbox_url):
    sku = make_product(db, prices=(9900,), stock=20).skus[0]
    sale = client.post("/api/v1/admin/promotions", headers=operator, json={
        "kind": "time_limited", "name": "限时特价", **running_window(),
        "items": [{"sku_id": sku.id, "promo_price_fen": 6900, "activity_stock": 10}]}).json()
    buyer, _ = shopper("sales_buyer")
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    paid = client.post("/api/v1/orders", headers=buyer, json={"items": [{"sku_id": sku.id, "quantity": 2}],
                                                              "address_id": address["id"]}).json()
    pay = client.post(f"/api/v1/orders/{paid['id']}/pay", headers=buyer).json()
    deliver_notification(client, sandbox_url, pay["prepay_id"])
    client.post("/api/v1/orders", headers=buyer, json={"items": [{"sku_id": sku.id, "quantity": 1}],
                                                       "address_id": address["id"]})
    sales = client.get(f"/api/v1/admin/promotions/{sale['id']}/sales", headers=operator).json()
    assert (sales["orders"], sales["units"], sales["sales_fen"], sales["off_fen"], sales["pending_orders"]) == \
        (1, 2, 13800, 6000, 1)
    detail = client.get(f"/api/v1/admin/promotions/{sale['id']}", headers=operator).json()
    assert [(i["sold"], i["remaining"], i["stock"]) for i in detail["items"]] == [(3, 7, 17)]
    skus = client.get("/api/v1/admin/promotions/skus", headers=operator).json()["items"]
    assert {s["sku_id"]: s["running_promotion_id"] for s in skus}[sku.id] == sale["id"]


def test_the_demo_shop_has_coupons_to_claim_a_ladder_and_two_limited_time_skus(db, sandbox_url):
    from backend.seed import seed_base, seed_demo
    from domain.marketing.queries import claimable_coupons, my_coupons, product_tags, promotions
    from domain.models import User

    seed_base(db)
    seed_demo(db)
    centre = {c.name: c for c in claimable_coupons(db, user=None)}
    assert {n: (c.kind, c.threshold_fen, c.cap_fen, c.scope.category_ids != []) for n, c in centre.items()} == {
        "满199减20": ("fixed", 19900, None, False), "满100享9折": ("percent", 10000, 3000, False),
        "生鲜满50减8": ("fixed", 5000, None, True)}
    running, _ = promotions(db, viewer=SYSTEM_ACTOR, state="running")
    ladder = next(p for p in running if p.kind == "full_reduction")
    sale = next(p for p in running if p.kind == "time_limited")
    assert (ladder.repeat, ladder.tags) == (False, ["满199减20", "满299减50"])
    assert [(i.title, i.promo_price_fen < i.price_fen) for i in sale.items] == [("降噪蓝牙耳机", True),
                                                                              ("陶瓷马克杯 350ml", True)]
    assert product_tags(db, [(sale.items[0].product_id, None)])[sale.items[0].product_id] == ("满199减20", "满299减50")
    demo_c = db.scalar(select(User).where(User.openid == "o_sandbox_demo_c"))
    _, total = my_coupons(db, user=demo_c, status="unused")
    assert total == 2
