"""Orders over HTTP after the hardening review: whole numbers are JSON integers only, the after-sale rules answer
409 with their codes, order searches take ``%`` and ``_`` literally, and staff see stray payments."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from domain import clock
from domain.errors import CommonError
from domain.models import Order, Payment
from domain.orders.errors import RefundError
from domain.orders.lifecycle import cancel_orders, lock_order
from domain.payments.errors import PaymentError
from domain.payments.service import handle_payment_notification
from domain.wechat import get_wechat
from tests.builders import deliver_notification, make_product, make_user, paid_at_wechat, place
from tests.refusals import refused

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}
NOT_INTEGERS = [True, 2.0, "2", 1.5]


@pytest.fixture
def buyer(shopper):
    headers, _ = shopper("hardening_buyer")
    return headers


def paid_order(client, db, buyer, sandbox_url, quantity: int = 2) -> dict:
    sku = make_product(db, prices=(5000,), stock=10).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=buyer).json()
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku.id, "quantity": quantity}],
                                                "address_id": address["id"]}, headers=buyer).json()
    prepay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=buyer).json()["prepay_id"]
    assert deliver_notification(client, sandbox_url, prepay).status_code in (200, 204)
    return client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()


@pytest.mark.parametrize("value", NOT_INTEGERS)
def test_quantities_are_json_integers_only(client, db, buyer, value):
    sku = make_product(db, stock=10).skus[0]
    db.commit()  # a refused request rolls its unit of work back, and would take unsaved test data with it
    cart = client.post("/api/v1/cart/items", json={"sku_id": sku.id, "quantity": value}, headers=buyer)
    assert cart.status_code == 422, cart.text
    preview = client.post("/api/v1/orders/preview", json={"items": [{"sku_id": sku.id, "quantity": value}]},
                          headers=buyer)
    assert preview.status_code == 422, preview.text
    added = client.post("/api/v1/cart/items", json={"sku_id": sku.id, "quantity": 1}, headers=buyer)
    assert added.status_code == 201, added.text
    item = added.json()["items"][0]
    patched = client.patch(f"/api/v1/cart/items/{item['id']}", json={"quantity": value}, headers=buyer)
    assert patched.status_code == 422, patched.text
    assert client.get("/api/v1/cart", headers=buyer).json()["items"][0]["quantity"] == 1


@pytest.mark.parametrize("value", NOT_INTEGERS)
def test_refund_quantities_and_ids_are_json_integers_only(client, db, buyer, sandbox_url, value):
    order = paid_order(client, db, buyer, sandbox_url)
    line_id = order["lines"][0]["id"]
    for line in ({"order_line_id": line_id, "quantity": value}, {"order_line_id": value, "quantity": 1}):
        res = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"lines": [line], "reason": "坏了"},
                          headers=buyer)
        assert res.status_code == 422, res.text
    assert client.get(f"/api/v1/orders/{order['id']}/refunds", headers=buyer).json() == []


def test_the_after_sale_rules_answer_409_with_their_codes(client, db, buyer, sandbox_url, staff_headers):
    order = paid_order(client, db, buyer, sandbox_url)
    line_id = order["lines"][0]["id"]
    body = {"lines": [{"order_line_id": line_id, "quantity": 1}], "reason": "不想要了"}
    assert client.post(f"/api/v1/orders/{order['id']}/refunds", json=body, headers=buyer).status_code == 201
    again = client.post(f"/api/v1/orders/{order['id']}/refunds", json=body, headers=buyer)
    refused(RefundError.REFUND_IN_PROGRESS, again, status=409)
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    assert (seen["actions"], seen["lines"][0]["refundable_quantity"], seen["lines"][0]["actions"]) == ([], 0, [])

    operator = staff_headers("operator")
    client.post(f"/api/v1/admin/orders/{order['id']}/ship", headers=operator,
                json={"carrier": "顺丰速运", "tracking_no": "SF1234567890"})
    assert client.post(f"/api/v1/orders/{order['id']}/confirm-receipt", headers=buyer).status_code == 200
    with clock.travel(timedelta(days=8)):
        late = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer,
                           json={"lines": [{"order_line_id": line_id, "quantity": 1}], "reason": "x"})
        refused(RefundError.AFTER_SALE_EXPIRED, late, status=409)
        assert "request_refund" not in client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()["actions"]


def test_the_admin_order_search_takes_wildcards_literally(client, db, staff_headers):
    buyer = make_user(db)
    sku = make_product(db, stock=10).skus[0]
    order = place(db, buyer, [(sku.id, 1)])
    support = staff_headers("support")
    for pattern in ("%", "_", "%%", order.order_no[:4] + "%"):
        found = client.get("/api/v1/admin/orders", params={"order_no": pattern}, headers=support).json()
        assert found["total"] == 0, pattern
    found = client.get("/api/v1/admin/orders", params={"order_no": order.order_no[2:10]}, headers=support).json()
    assert [o["id"] for o in found["items"]] == [order.id]


def test_staff_see_and_retry_stray_payments(client, db, sandbox_url, staff_headers):
    buyer = make_user(db)
    order = place(db, buyer, [(make_product(db, prices=(9900,), stock=5).skus[0].id, 1)])
    body, headers = paid_at_wechat(db, order, sandbox_url)
    cancel_orders(db, [lock_order(db, order.id)], reason="timeout")
    httpx.post(sandbox_url + "control/fail-next", json={"kind": "refund", "code": "SYSTEMERROR"})
    handle_payment_notification(db, wechat=get_wechat(), body=body, headers=headers)
    payment = db.scalar(select(Payment).where(Payment.order_id == order.id))

    support = staff_headers("support")
    [listed] = client.get("/api/v1/admin/stray-payments", headers=support).json()
    assert (listed["order_no"], listed["status"], listed["amount_fen"], listed["refund_attempts"]) == (
        order.order_no, "orphaned", 9900, 1)
    assert listed["refund_error"] and listed["refund_retry_at"]
    refused(CommonError.FORBIDDEN, client.get("/api/v1/admin/stray-payments", headers=staff_headers("operator")), status=403)

    done = client.post(f"/api/v1/admin/stray-payments/{payment.id}/retry", headers=support).json()
    assert (done["status"], done["refund_attempts"], done["refund_error"]) == ("refunded", 2, "")
    assert client.get("/api/v1/admin/stray-payments", headers=support).json() == []
    again = client.post(f"/api/v1/admin/stray-payments/{payment.id}/retry", headers=support)
    refused(PaymentError.NOTHING_TO_REFUND, again, status=409)
    unknown = client.post(f"/api/v1/admin/stray-payments/{payment.id + 999}/retry", headers=support)
    refused(PaymentError.PAYMENT_NOT_FOUND, unknown, status=404)
    assert db.get(Order, order.id).status == "cancelled"
