"""After-sale and the merchant's order tools over HTTP: a return from request with photos to refund, the kinds an
order offers, staff's note and receiver change, the packing list, batch shipping from an .xlsx with a bad row,
search and status counts — in exact fen."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from PIL import Image

from domain.media.errors import MediaError
from domain.models import OrderStatus, RefundKind, RefundStatus, Sku
from domain.orders.actions import OrderAction, OrderEdit, RefundAction
from domain.orders.errors import OrderError, RefundError
from tests.builders import deliver_notification, make_product
from tests.refusals import refused

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}
RETURN_ADDRESS = "退货仓 王五 13700137000 浙江省杭州市余杭区文一西路 100 号"


def png_bytes(colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def buyer(shopper):
    headers, _ = shopper("after_sale_buyer", nickname="阿梅")
    return headers


@pytest.fixture
def operator(staff_headers):
    return staff_headers("operator")


@pytest.fixture
def support(staff_headers):
    return staff_headers("support")


def paid_order(client, sandbox_url, headers, sku_id, quantity, address=ADDRESS):
    address_id = client.post("/api/v1/addresses", json=address, headers=headers).json()["id"]
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku_id, "quantity": quantity}],
                                                "address_id": address_id}, headers=headers).json()
    prepay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=headers).json()["prepay_id"]
    assert deliver_notification(client, sandbox_url, prepay).status_code == 200
    return client.get(f"/api/v1/orders/{order['id']}", headers=headers).json()


def test_a_return_with_photos_from_request_through_the_parcel_to_the_refund(client, db, buyer, operator, support,
                                                                            sandbox_url, staff_headers):
    sku = make_product(db, title="保温杯", prices=(3333,), stock=10).skus[0]
    order = paid_order(client, sandbox_url, buyer, sku.id, 3)
    assert order["refund_kinds"] == [RefundKind.REFUND_ONLY] and order["merchant_note"] == "" and order["edits"] == []
    line = order["lines"][0]
    asked = {"lines": [{"order_line_id": line["id"], "quantity": 2}], "reason": "杯盖漏水",
             "kind": RefundKind.RETURN_AND_REFUND}
    refused(RefundError.RETURN_NEEDS_SHIPMENT, client.post(f"/api/v1/orders/{order['id']}/refunds", json=asked,
                                                           headers=buyer), status=409)
    client.post(f"/api/v1/admin/orders/{order['id']}/ship", headers=operator,
                json={"carrier": "顺丰速运", "tracking_no": "SF100200"})
    order = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    assert order["refund_kinds"] == [RefundKind.REFUND_ONLY, RefundKind.RETURN_AND_REFUND]

    photos = []
    for colour in ((200, 0, 0), (0, 200, 0)):
        res = client.post("/api/v1/refunds/photos", headers=buyer,
                          files={"file": ("a.png", png_bytes(colour), "image/png")})
        assert res.status_code == 201, res.text
        photos.append(res.json())
    assert all(p["path"].startswith("/media/after-sale/") and p["url"].endswith(".jpg") for p in photos)
    bad = client.post("/api/v1/refunds/photos", headers=buyer, files={"file": ("a.png", b"not a picture", "image/png")})
    refused(MediaError.INVALID_IMAGE, bad, status=422)
    foreign = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer,
                          json={**asked, "photos": [photos[0]["path"], "/media/products/1.jpg"]})
    refused(RefundError.INVALID_PHOTO, foreign, status=422)
    four = [photos[0]["path"], photos[1]["path"], *(f"/media/after-sale/x/{i}.jpg" for i in range(2))]
    refused(RefundError.TOO_MANY_PHOTOS, client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer,
                                                     json={**asked, "photos": four}), status=422)
    res = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer,
                      json={**asked, "photos": [p["path"] for p in photos]})
    assert res.status_code == 201, res.text
    refund = res.json()
    assert (refund["kind"], refund["status"], refund["amount_fen"], refund["return_address"]) == (
        RefundKind.RETURN_AND_REFUND, RefundStatus.REQUESTED, 6666, "")
    assert [p.rsplit("/", 1)[1] for p in refund["photos"]] == [p["url"].rsplit("/", 1)[1] for p in photos]
    assert client.get(refund["photos"][0]).status_code == 200

    approve = client.post(f"/api/v1/admin/refunds/{refund['id']}/approve", headers=support)
    refused(RefundError.RETURN_ADDRESS_MISSING, approve, status=409)
    owner = staff_headers("owner")
    assert client.put("/api/v1/admin/settings", headers=owner,
                      json={"return_address": RETURN_ADDRESS}).status_code == 200
    approved = client.post(f"/api/v1/admin/refunds/{refund['id']}/approve", headers=support).json()
    assert (approved["status"], approved["actions"]) == (RefundStatus.AWAITING_RETURN,
                                                         [RefundAction.REJECT, RefundAction.CONFIRM_RETURN])
    mine = client.get(f"/api/v1/refunds/{refund['id']}", headers=buyer).json()
    assert (mine["return_address"], mine["actions"]) == (RETURN_ADDRESS, [RefundAction.SHIP_RETURN])

    bad_parcel = client.post(f"/api/v1/refunds/{refund['id']}/return-shipment", headers=buyer,
                             json={"carrier": "中通快递", "tracking_no": "单号?"})
    refused(OrderError.INVALID_TRACKING_NO, bad_parcel, status=422)
    sent = client.post(f"/api/v1/refunds/{refund['id']}/return-shipment", headers=buyer,
                       json={"carrier": "中通快递", "tracking_no": "ZT778899"}).json()
    assert (sent["return_carrier"], sent["return_tracking_no"], sent["status"]) == (
        "中通快递", "ZT778899", RefundStatus.AWAITING_RETURN)
    seen = client.get(f"/api/v1/admin/refunds/{refund['id']}", headers=support).json()
    assert (seen["return_tracking_no"], seen["buyer_nickname"]) == ("ZT778899", "阿梅")

    done = client.post(f"/api/v1/admin/refunds/{refund['id']}/confirm-return", headers=support,
                       json={"restock": True}).json()
    assert (done["status"], done["amount_fen"], done["restock_returned"], done["actions"]) == (
        RefundStatus.REFUNDED, 6666, True, [])
    again = client.post(f"/api/v1/admin/refunds/{refund['id']}/confirm-return", headers=support,
                        json={"restock": True})
    refused(RefundError.REFUND_NOT_PENDING, again, status=409)
    late = client.post(f"/api/v1/refunds/{refund['id']}/return-shipment", headers=buyer,
                       json={"carrier": "中通快递", "tracking_no": "ZT1"})
    refused(RefundError.NOT_AWAITING_RETURN, late, status=409)
    final = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    assert (final["refunded_fen"], final["lines"][0]["refunded_quantity"]) == (6666, 2)
    db.expire_all()
    assert db.get(Sku, sku.id).stock == 9  # 10 − 3 sold + 2 returned fit to sell


def test_a_buyer_cannot_ship_someone_elses_return_nor_staff_without_refunds_confirm_it(
        client, db, buyer, shopper, operator, support, sandbox_url, staff_headers):
    sku = make_product(db, prices=(5000,), stock=5).skus[0]
    order = paid_order(client, sandbox_url, buyer, sku.id, 1)
    client.post(f"/api/v1/admin/orders/{order['id']}/ship", headers=operator,
                json={"carrier": "顺丰速运", "tracking_no": "SF1"})
    client.put("/api/v1/admin/settings", headers=staff_headers("owner"), json={"return_address": RETURN_ADDRESS})
    refund = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer, json={
        "lines": [{"order_line_id": order["lines"][0]["id"], "quantity": 1}], "reason": "坏了",
        "kind": RefundKind.RETURN_AND_REFUND}).json()
    client.post(f"/api/v1/admin/refunds/{refund['id']}/approve", headers=support)
    stranger, _ = shopper("after_sale_stranger")
    res = client.post(f"/api/v1/refunds/{refund['id']}/return-shipment", headers=stranger,
                      json={"carrier": "中通快递", "tracking_no": "ZT1"})
    refused(RefundError.REFUND_NOT_FOUND, res, status=404)
    assert client.post(f"/api/v1/admin/refunds/{refund['id']}/confirm-return", headers=operator,
                       json={"restock": False}).status_code == 403
    bad_kind = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer, json={
        "lines": [{"order_line_id": order["lines"][0]["id"], "quantity": 1}], "reason": "x", "kind": "swap"})
    refused(RefundError.INVALID_REFUND_KIND, bad_kind, status=422)


def test_staff_note_change_the_receiver_print_packing_slips_and_search(client, db, buyer, operator, support,
                                                                       sandbox_url):
    sku = make_product(db, title="竹编果篮", prices=(4200,), stock=10).skus[0]
    order = paid_order(client, sandbox_url, buyer, sku.id, 2)
    staff_view = client.get(f"/api/v1/admin/orders/{order['id']}", headers=operator).json()
    assert staff_view["edits"] == [OrderEdit.EDIT_MERCHANT_NOTE, OrderEdit.CHANGE_ADDRESS]
    noted = client.put(f"/api/v1/admin/orders/{order['id']}/merchant-note", headers=operator,
                       json={"note": "  加一个礼盒  "}).json()
    assert noted["merchant_note"] == "加一个礼盒"
    assert client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()["merchant_note"] == ""
    refused(OrderError.INVALID_MERCHANT_NOTE, client.put(f"/api/v1/admin/orders/{order['id']}/merchant-note",
                                                         headers=operator, json={"note": "长" * 501}), status=422)
    assert client.put(f"/api/v1/admin/orders/{order['id']}/merchant-note", headers=support,
                      json={"note": "x"}).status_code == 403

    receiver = {"name": "赵六", "phone": "13600136000", "province": "上海市", "city": "上海市", "district": "徐汇区",
                "detail": "漕溪北路 1 号"}
    moved = client.put(f"/api/v1/admin/orders/{order['id']}/receiver", headers=operator, json=receiver).json()
    assert (moved["receiver_name"], moved["receiver_phone"], moved["receiver_address"]) == (
        "赵六", "13600136000", "上海市上海市徐汇区漕溪北路 1 号")
    for q in ("13600136000", "果篮", "阿梅", order["order_no"][-8:]):
        found = client.get("/api/v1/admin/orders", params={"q": q}, headers=support).json()
        assert (found["total"], [o["id"] for o in found["items"]]) == (1, [order["id"]]), q
    assert client.get("/api/v1/admin/orders", params={"q": "13912345678"}, headers=support).json()["total"] == 0

    slips = client.get("/api/v1/admin/orders/packing-list", params={"ids": [order["id"]]}, headers=operator).json()
    assert slips == [{"order_no": order["order_no"], "paid_at": order["paid_at"], "buyer_nickname": "阿梅",
                      "receiver_name": "赵六", "receiver_phone": "13600136000",
                      "receiver_address": "上海市上海市徐汇区漕溪北路 1 号",
                      "lines": [{"title": "竹编果篮", "specs": {}, "quantity": 2}], "remark": "",
                      "merchant_note": "加一个礼盒"}]
    assert client.get("/api/v1/admin/orders/packing-list", params={"ids": [order["id"]]},
                      headers=support).status_code == 403
    # An id no order can have (schemathesis sent one beyond 64 bits) is refused before the database sees it.
    for bad in (0, -5, 2**31, 2**88):
        answer = client.get("/api/v1/admin/orders/packing-list", params={"ids": [order["id"], bad]}, headers=operator)
        refused("invalid_request", answer, status=422)

    client.post(f"/api/v1/admin/orders/{order['id']}/ship", headers=operator,
                json={"carrier": "顺丰速运", "tracking_no": "SF1"})
    locked = client.put(f"/api/v1/admin/orders/{order['id']}/receiver", headers=operator, json=receiver)
    refused(OrderError.ADDRESS_LOCKED, locked, status=409)
    counts = client.get("/api/v1/admin/orders/counts", headers=support).json()
    assert counts == {**{s: 0 for s in OrderStatus.ALL}, OrderStatus.SHIPPED: 1}


def _sheet(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["订单号", "快递公司", "快递单号"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_batch_shipping_from_a_sheet_reports_each_row(client, db, buyer, operator, support, sandbox_url):
    sku = make_product(db, prices=(1000,), stock=10).skus[0]
    a = paid_order(client, sandbox_url, buyer, sku.id, 1)
    b = paid_order(client, sandbox_url, buyer, sku.id, 1)
    data = _sheet([(a["order_no"], "顺丰速运", "SF9001"), ("NOPE", "顺丰速运", "SF9002"),
                   (b["order_no"], "", "SF9003")])
    res = client.post("/api/v1/admin/orders/batch-ship", headers=operator,
                      files={"file": ("发货.xlsx", data, XLSX)})
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["shipped"], body["refused"]) == (1, 2)
    assert [(r["row"], r["order_no"], r["shipped"], r["code"]) for r in body["rows"]] == [
        (2, a["order_no"], True, ""), (3, "NOPE", False, OrderError.ORDER_NOT_FOUND),
        (4, b["order_no"], False, OrderError.INVALID_CARRIER)]
    assert client.get(f"/api/v1/admin/orders/{a['id']}", headers=operator).json()["shipment"]["tracking_no"] == "SF9001"
    assert client.get(f"/api/v1/admin/orders/{b['id']}", headers=operator).json()["status"] == OrderStatus.PAID
    not_a_sheet = client.post("/api/v1/admin/orders/batch-ship", headers=operator,
                              files={"file": ("x.csv", b"order_no,carrier,tracking_no\n", "text/csv")})
    refused(OrderError.INVALID_SHEET, not_a_sheet, status=422)
    assert client.post("/api/v1/admin/orders/batch-ship", headers=support,
                       files={"file": ("发货.xlsx", data, XLSX)}).status_code == 403
    template = client.get("/api/v1/admin/orders/batch-ship/template", headers=operator)
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    from openpyxl import load_workbook
    assert next(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True)) == (
        "订单号", "快递公司", "快递单号")


def test_refund_search_and_counts(client, db, buyer, support, sandbox_url):
    sku = make_product(db, prices=(2500,), stock=10).skus[0]
    order = paid_order(client, sandbox_url, buyer, sku.id, 1)
    refund = client.post(f"/api/v1/orders/{order['id']}/refunds", headers=buyer, json={
        "lines": [{"order_line_id": order["lines"][0]["id"], "quantity": 1}], "reason": "拍错了"}).json()
    assert refund["kind"] == RefundKind.REFUND_ONLY and refund["amount_fen"] == 3500  # 2500 + 1000 postage back
    for q in ("阿梅", refund["refund_no"], order["order_no"], "13912345678"):
        found = client.get("/api/v1/admin/refunds", params={"q": q}, headers=support).json()
        assert [r["id"] for r in found["items"]] == [refund["id"]], q
    assert client.get("/api/v1/admin/refunds", params={"q": "没有这个"}, headers=support).json()["total"] == 0
    counts = client.get("/api/v1/admin/refunds/counts", headers=support).json()
    assert counts == {RefundStatus.REQUESTED: 1, RefundStatus.AWAITING_RETURN: 0, RefundStatus.APPROVED: 0,
                      RefundStatus.REFUNDED: 0, RefundStatus.REJECTED: 0}
    assert OrderAction.REQUEST_REFUND not in client.get(f"/api/v1/orders/{order['id']}",
                                                        headers=buyer).json()["lines"][0]["actions"]
