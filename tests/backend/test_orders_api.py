"""Shopping over HTTP: cart, addresses, preview, order, pay, cancel, ship, logistics, receipt and refunds."""

from __future__ import annotations

import httpx
import pytest

from domain.config import get_config
from domain.errors import CommonError
from domain.orders.errors import OrderError, RefundError
from domain.payments.errors import PaymentError
from domain.users.errors import UserError
from tests.builders import deliver_notification, give_growth, make_product
from tests.refusals import refused

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}


@pytest.fixture
def buyer(shopper):
    headers, body = shopper("api_buyer")
    return headers


def confirm_in_sandbox(client, sandbox_url, prepay_id):
    """What the sandbox does after the shopper pays: deliver WeChat's signed notification (here, to TestClient)."""
    return deliver_notification(client, sandbox_url, prepay_id)


def test_cart_add_merge_update_select_and_remove(client, db, buyer):
    p = make_product(db, prices=(3990, 5990), stock=5)
    a, b = p.skus
    assert client.post("/api/v1/cart/items", json={"sku_id": a.id, "quantity": 2}, headers=buyer).status_code == 201
    cart = client.post("/api/v1/cart/items", json={"sku_id": a.id, "quantity": 1}, headers=buyer).json()
    assert [(i["sku_id"], i["quantity"]) for i in cart["items"]] == [(a.id, 3)]
    too_many = client.post("/api/v1/cart/items", json={"sku_id": a.id, "quantity": 3}, headers=buyer)
    refused(OrderError.OUT_OF_STOCK, too_many, status=409)
    cart = client.post("/api/v1/cart/items", json={"sku_id": b.id, "quantity": 1}, headers=buyer).json()
    assert (cart["selected_count"], cart["selected_amount_fen"]) == (4, 3 * 3990 + 5990)
    item_b = next(i for i in cart["items"] if i["sku_id"] == b.id)
    cart = client.patch(f"/api/v1/cart/items/{item_b['id']}", json={"selected": False}, headers=buyer).json()
    assert cart["selected_amount_fen"] == 3 * 3990
    cart = client.delete(f"/api/v1/cart/items/{item_b['id']}", headers=buyer).json()
    assert cart["total"] == 1


def test_addresses_keep_one_default_and_are_private(client, buyer, shopper):
    first = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    assert first["is_default"] is True and first["phone"] == "13912345678"
    second = client.post("/api/v1/addresses", json={**ADDRESS, "name": "王五", "is_default": True}, headers=buyer).json()
    listed = client.get("/api/v1/addresses", headers=buyer).json()
    assert [(a["id"], a["is_default"]) for a in listed] == [(second["id"], True), (first["id"], False)]
    bad = client.post("/api/v1/addresses", json={**ADDRESS, "phone": "12345678901x"}, headers=buyer)
    assert bad.status_code == 422
    other, _ = shopper("address_stranger")
    assert client.get(f"/api/v1/addresses/{first['id']}", headers=other).status_code == 404


def test_an_address_field_sent_as_null_is_left_as_it_is(client, buyer):
    """Found by the schemathesis run on PostgreSQL: ``"is_default": null`` reached a NOT NULL column (500)."""
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    res = client.patch(f"/api/v1/addresses/{address['id']}", headers=buyer,
                       json={"city": "宁波市", "district": "", "is_default": None, "name": None})
    assert res.status_code == 200, res.text
    assert {k: res.json()[k] for k in ("city", "district", "is_default", "name")} == \
        {"city": "宁波市", "district": "", "is_default": True, "name": "李四"}


def test_preview_order_pay_ship_logistics_receive_and_refund(client, db, buyer, sandbox_url, staff_headers):
    p = make_product(db, title="真空保温杯", prices=(4500,), stock=10)
    sku = p.skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    client.post("/api/v1/cart/items", json={"sku_id": sku.id, "quantity": 3}, headers=buyer)
    items = [{"sku_id": sku.id, "quantity": 3}]
    preview = client.post("/api/v1/orders/preview", json={"items": items}, headers=buyer).json()
    assert {k: preview[k] for k in ("goods_fen", "shipping_fen", "payable_fen")} == \
        {"goods_fen": 13500, "shipping_fen": 0, "payable_fen": 13500}
    assert preview["lines"][0]["paid_fen"] == 13500

    res = client.post("/api/v1/orders", json={"items": items, "address_id": address["id"], "from_cart": True},
                      headers={**buyer, "Idempotency-Key": "order-abc"})
    assert res.status_code == 201, res.text
    order = res.json()
    assert (order["status"], order["payable_fen"], order["receiver_phone"]) == ("pending_payment", 13500, "13912345678")
    assert client.get("/api/v1/cart", headers=buyer).json()["total"] == 0  # ordered from the cart
    again = client.post("/api/v1/orders", json={"items": items, "address_id": address["id"]},
                        headers={**buyer, "Idempotency-Key": "order-abc"})
    # The same key answers the same order, read back from the database: what placing answered from the rows it wrote
    # (on PostgreSQL only their ids come back from its one statement) is what was stored.
    assert again.json() == order

    pay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=buyer).json()
    assert pay["sandbox"] is True and pay["pay_params"]["signType"] == {"v3": "RSA", "v2": "MD5"}[
        get_config().wechat_pay_api]
    ack = confirm_in_sandbox(client, sandbox_url, pay["prepay_id"])
    assert ack.status_code == 200 and "SUCCESS" in ack.text
    assert "SUCCESS" in confirm_in_sandbox(client, sandbox_url, pay["prepay_id"]).text  # a repeat is acknowledged
    assert client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()["status"] == "paid"

    operator = staff_headers("operator")
    shipped = client.post(f"/api/v1/admin/orders/{order['id']}/ship", headers=operator,
                          json={"carrier": "中通快递", "tracking_no": "ZT7788990011"})
    assert shipped.status_code == 200 and shipped.json()["shipment"]["wechat_uploaded"] is True
    client.post(f"/api/v1/admin/orders/{order['id']}/tracking-events", headers=operator,
                json={"text": "【杭州】快件已到达西湖区营业点"})
    logistics = client.get(f"/api/v1/orders/{order['id']}/logistics", headers=buyer).json()
    assert logistics["tracking_no"] == "ZT7788990011"
    assert [e["text"] for e in logistics["events"]][0] == "【杭州】快件已到达西湖区营业点"

    done = client.post(f"/api/v1/orders/{order['id']}/confirm-receipt", headers=buyer).json()
    assert done["status"] == "completed"
    line = done["lines"][0]
    asked = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer,
                        json={"lines": [{"order_line_id": line["id"], "quantity": 1}], "reason": "杯盖有划痕"})
    assert asked.status_code == 201 and asked.json()["amount_fen"] == 4500
    support = staff_headers("support")
    queue = client.get("/api/v1/admin/refunds", params={"status": "requested"}, headers=support).json()
    assert asked.json()["id"] in [r["id"] for r in queue["items"]]
    counts = client.get("/api/v1/orders/counts", headers=buyer).json()
    assert (counts["completed"], counts["pending_payment"], counts["after_sale"]) == (1, 0, 1)
    approved = client.post(f"/api/v1/admin/refunds/{asked.json()['id']}/approve", headers=support).json()
    assert (approved["status"], approved["amount_fen"]) == ("refunded", 4500)
    final = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    assert (final["refunded_fen"], final["lines"][0]["refunded_quantity"], final["status"]) == (4500, 1, "completed")


def test_refusals_answer_409_with_stable_codes(client, db, buyer, sandbox_url, staff_headers):
    sku = make_product(db, prices=(1000,), stock=1).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    body = {"items": [{"sku_id": sku.id, "quantity": 2}], "address_id": address["id"]}
    res = client.post("/api/v1/orders", json=body, headers=buyer)
    refused(OrderError.OUT_OF_STOCK, res, status=409)
    order = client.post("/api/v1/orders", json={**body, "items": [{"sku_id": sku.id, "quantity": 1}]}, headers=buyer).json()
    operator = staff_headers("operator")
    res = client.post(f"/api/v1/admin/orders/{order['id']}/ship", json={"carrier": "顺丰速运", "tracking_no": "SF1"},
                      headers=operator)
    refused(OrderError.ORDER_NOT_PAID, res, status=409)
    assert client.post(f"/api/v1/orders/{order['id']}/cancel", headers=buyer).json()["status"] == "cancelled"
    res = client.post(f"/api/v1/orders/{order['id']}/pay", headers=buyer)
    refused(PaymentError.ORDER_NOT_PAYABLE, res, status=409)
    res = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer,
                      json={"lines": [{"order_line_id": order["lines"][0]["id"], "quantity": 1}], "reason": "x"})
    refused(RefundError.ORDER_NOT_REFUNDABLE, res, status=409)
    analyst = staff_headers("analyst")
    res = client.post(f"/api/v1/admin/orders/{order['id']}/ship", json={"carrier": "x", "tracking_no": "y"},
                      headers=analyst)
    refused(CommonError.FORBIDDEN, res, status=403)


def test_a_bad_notification_answers_fail_and_changes_nothing(client, db, buyer, sandbox_url, pay_v2):
    sku = make_product(db, prices=(20000,)).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku.id, "quantity": 1}],
                                                "address_id": address["id"]}, headers=buyer).json()
    pay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=buyer).json()
    xml = httpx.post(sandbox_url + "pay/confirm", json={"prepay_id": pay["prepay_id"], "deliver": False}).json()["xml"]
    forged = client.post("/api/v1/payments/wechat/notify", content=xml.replace("20000", "1").encode())
    assert forged.status_code == 422 and "FAIL" in forged.text
    garbage = client.post("/api/v1/payments/wechat/notify", content=b"<xml><oops>")
    assert garbage.status_code == 422 and "FAIL" in garbage.text
    assert client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()["status"] == "pending_payment"


def test_orders_are_private(client, db, buyer, shopper):
    sku = make_product(db).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku.id, "quantity": 1}],
                                                "address_id": address["id"]}, headers=buyer).json()
    stranger, _ = shopper("order_stranger")
    for method, path in [("get", f"/api/v1/orders/{order['id']}"), ("post", f"/api/v1/orders/{order['id']}/pay"),
                         ("post", f"/api/v1/orders/{order['id']}/cancel")]:
        res = getattr(client, method)(path, headers=stranger)
        refused(OrderError.ORDER_NOT_FOUND, res, status=404)
    assert client.get("/api/v1/orders", headers=stranger).json()["total"] == 0
    assert client.get("/api/v1/orders", headers=buyer).json()["total"] == 1


def test_paying_and_reading_check_the_token_before_the_order(client, db, buyer, shopper):
    """The shopper and the order come in one statement; when it finds nothing, a bad token is still 401, whether
    the order exists or not, and a good token on a missing order is 404. Nothing is written either way."""
    from domain.models import Order

    sku = make_product(db).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku.id, "quantity": 1}],
                                                "address_id": address["id"]}, headers=buyer).json()
    leaver, _ = shopper("order_leaver")
    assert client.post("/api/v1/auth/logout", headers=leaver).status_code == 204
    for headers in ({"Authorization": "Bearer nope"}, leaver):
        for order_id in (order["id"], order["id"] + 1000):
            refused(UserError.INVALID_TOKEN, client.get(f"/api/v1/orders/{order_id}", headers=headers), status=401)
            refused(UserError.INVALID_TOKEN, client.post(f"/api/v1/orders/{order_id}/pay", headers=headers),
                    status=401)
    refused(OrderError.ORDER_NOT_FOUND, client.get(f"/api/v1/orders/{order['id'] + 1000}", headers=buyer),
            status=404)
    refused(OrderError.ORDER_NOT_FOUND, client.post(f"/api/v1/orders/{order['id'] + 1000}/pay", headers=buyer),
            status=404)
    db.expire_all()
    assert db.get(Order, order["id"]).prepay_id in (None, "")
    paid = client.post(f"/api/v1/orders/{order['id']}/pay", headers=buyer)
    assert paid.status_code == 200 and paid.json()["prepay_id"]
    read = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    assert (read["id"], read["status"], read["payable_fen"]) == (order["id"], "pending_payment", order["payable_fen"])


def test_admin_order_list_filters_by_status_and_number(client, db, buyer, staff_headers):
    sku = make_product(db).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku.id, "quantity": 1}],
                                                "address_id": address["id"]}, headers=buyer).json()
    support = staff_headers("support")
    found = client.get("/api/v1/admin/orders", params={"order_no": order["order_no"][-8:]}, headers=support).json()
    assert [o["id"] for o in found["items"]] == [order["id"]]
    none = client.get("/api/v1/admin/orders", params={"status": "shipped", "order_no": order["order_no"]},
                      headers=support).json()
    assert none["total"] == 0
    bad = client.get("/api/v1/admin/orders", params={"status": "lost"}, headers=support)
    refused(OrderError.INVALID_STATUS, bad, status=422)


def test_the_cart_total_comes_from_the_pricing_engine(client, db, shopper):
    from domain.members.service import ensure_default_levels
    from domain.models import User

    ensure_default_levels(db)
    headers, body = shopper("silver_member")
    give_growth(db, db.get(User, body["user"]["id"]), 1000)  # 银卡会员: 98% of the price
    db.commit()
    sku = make_product(db, prices=(3333,), stock=5).skus[0]
    cart = client.post("/api/v1/cart/items", json={"sku_id": sku.id, "quantity": 3}, headers=headers).json()
    assert (cart["selected_goods_fen"], cart["selected_discount_fen"], cart["selected_amount_fen"]) == \
        (9999, 9999 - 9999 * 9800 // 10000, 9999 * 9800 // 10000)
    preview = client.post("/api/v1/orders/preview", json={"items": [{"sku_id": sku.id, "quantity": 3}]},
                          headers=headers).json()
    assert preview["member_discount_fen"] == cart["selected_discount_fen"] == 200


def test_orders_answer_the_viewers_actions_and_refundable_units(client, db, buyer, sandbox_url, staff_headers):
    sku = make_product(db, prices=(3000,), stock=10).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku.id, "quantity": 2}],
                                                "address_id": address["id"]}, headers=buyer).json()
    assert order["actions"] == ["cancel", "pay"]
    assert [(ln["refundable_quantity"], ln["actions"]) for ln in order["lines"]] == [(0, [])]
    pay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=buyer).json()
    confirm_in_sandbox(client, sandbox_url, pay["prepay_id"])
    [listed] = client.get("/api/v1/orders", headers=buyer).json()["items"]
    assert (listed["actions"], listed["lines"][0]["refundable_quantity"]) == (["request_refund"], 2)

    line_id = listed["lines"][0]["id"]
    client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer,
                json={"lines": [{"order_line_id": line_id, "quantity": 1}], "reason": "多买了一个"})
    mine = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    # one open request per line: the other unit waits until support has decided
    assert [(ln["refundable_quantity"], ln["actions"]) for ln in mine["lines"]] == [(0, [])]
    assert (mine["open_refunds"], mine["receiver_phone"]) == (1, "13912345678")

    support, operator = staff_headers("support"), staff_headers("operator")
    seen = client.get(f"/api/v1/admin/orders/{order['id']}", headers=support).json()
    assert (seen["actions"], seen["receiver_name"], seen["receiver_phone"]) == ([], "李四", "139****5678")
    assert seen["lines"][0]["actions"] == []
    assert seen["buyer_nickname"] == client.get("/api/v1/me", headers=buyer).json()["nickname"]
    [queued] = client.get("/api/v1/admin/refunds", params={"status": "requested"}, headers=support).json()["items"]
    assert queued["actions"] == ["reject", "approve"]
    shipped = client.post(f"/api/v1/admin/orders/{order['id']}/ship", headers=operator,
                          json={"carrier": "顺丰速运", "tracking_no": "SF5566"}).json()
    assert (shipped["actions"], shipped["receiver_phone"]) == (["add_tracking_event"], "13912345678")
    # The ship button is gone, and pressing it anyway is refused by the same rule.
    again = client.post(f"/api/v1/admin/orders/{order['id']}/ship", headers=operator,
                        json={"carrier": "顺丰速运", "tracking_no": "SF5566"})
    refused(OrderError.ORDER_NOT_SHIPPABLE, again, status=409)
    upload = client.post(f"/api/v1/admin/orders/{order['id']}/shipping-upload", headers=operator)
    refused(OrderError.SHIPPING_ALREADY_UPLOADED, upload, status=409)
    final = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    assert final["actions"] == ["view_logistics", "confirm_receipt"]  # the request still waits for support


def test_every_endpoint_documents_its_refusals(client):
    paths = client.get("/openapi.json").json()["paths"]
    mine = {path: ops for path, ops in paths.items()
            if path.startswith(("/api/v1/orders", "/api/v1/refunds", "/api/v1/cart", "/api/v1/addresses",
                                "/api/v1/admin/orders", "/api/v1/admin/refunds"))}
    assert len(mine) >= 15
    for path, ops in mine.items():
        for method, op in ops.items():
            documented = set(op["responses"])
            assert {"401", "422"} <= documented, (method, path, documented)
            if path.startswith("/api/v1/admin"):
                assert "403" in documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)
    order = paths["/api/v1/orders/{order_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert order["$ref"].endswith("/OrderOut")


def test_previewing_and_placing_check_the_token_before_the_items(client, db, buyer):
    """The token's shopper and the SKUs come in one statement; items the domain refuses without a read (here the
    same SKU twice, over the most one order may hold of it) are refused after the token: a bad token is 401
    whatever the items, a good one gets the items' own code. Nothing is written."""
    from domain.models import Order

    sku = make_product(db, prices=(1500,), stock=5).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    too_many = [{"sku_id": sku.id, "quantity": 600}, {"sku_id": sku.id, "quantity": 600}]
    bad = {"Authorization": "Bearer nope"}
    for items in (too_many, [{"sku_id": sku.id, "quantity": 1}]):
        refused(UserError.INVALID_TOKEN, client.post("/api/v1/orders/preview", json={"items": items}, headers=bad),
                status=401)
        refused(UserError.INVALID_TOKEN, client.post("/api/v1/orders", json={"items": items, "address_id": address["id"]},
                                                     headers={**bad, "Idempotency-Key": "t-before-items"}), status=401)
    refused(OrderError.INVALID_QUANTITY, client.post("/api/v1/orders/preview", json={"items": too_many},
                                                     headers=buyer), status=422)
    refused(OrderError.INVALID_QUANTITY, client.post("/api/v1/orders", json={"items": too_many,
                                                                             "address_id": address["id"]},
                                                     headers={**buyer, "Idempotency-Key": "t-before-items"}),
            status=422)
    preview = client.post("/api/v1/orders/preview", json={"items": [{"sku_id": sku.id, "quantity": 2}]},
                          headers=buyer).json()
    assert (preview["goods_fen"], preview["lines"][0]["paid_fen"]) == (3000, 3000)
    db.expire_all()
    assert db.query(Order).count() == 0
