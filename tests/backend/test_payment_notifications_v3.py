"""WeChat Pay v3's notifications over HTTP: a forged one (bad signature, another key, wrong amount, replayed with an
old timestamp, a resource that does not decrypt, a body that is not JSON) is refused with a 4xx and
``{"code": "FAIL"}``, never a 500, and the order (or withdrawal) is left as it was; the genuine one pays."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from backend.sandbox import v3
from domain.config import get_config
from tests.builders import make_product, notification

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}
NOTIFY = "/api/v1/payments/wechat/notify"


@pytest.fixture
def unpaid(client, db, shopper, sandbox_url, pay_v3):
    headers, _ = shopper("notify_v3_buyer")
    sku = make_product(db, prices=(20000,)).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=headers).json()
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku.id, "quantity": 1}],
                                                "address_id": address["id"]}, headers=headers).json()
    pay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=headers).json()
    assert pay["pay_params"]["signType"] == "RSA"
    return order, headers, pay["prepay_id"]


def status_of(client, unpaid) -> str:
    order, headers, _ = unpaid
    return client.get(f"/api/v1/orders/{order['id']}", headers=headers).json()["status"]


def refused_with(res, status: int, code: str) -> None:
    assert res.status_code == status, (res.status_code, res.text)
    assert res.json() == {"code": "FAIL", "message": code}


def signed(body: bytes, **header_overrides) -> dict[str, str]:
    """Headers that sign ``body`` with the sandbox's platform key, as WeChat signs."""
    return {"Content-Type": "application/json", **v3.signature_headers(get_config(), body.decode()), **header_overrides}


def test_the_genuine_notification_pays_once(client, unpaid, sandbox_url):
    body, headers = notification(sandbox_url, unpaid[2])
    for _ in range(2):
        res = client.post(NOTIFY, content=body, headers=headers)
        assert (res.status_code, res.json()["code"]) == (200, "SUCCESS")
    assert status_of(client, unpaid) == "paid"


def test_a_tampered_body_or_signature_is_refused(client, unpaid, sandbox_url):
    body, headers = notification(sandbox_url, unpaid[2])
    tampered = body.replace(b'"summary": "', b'"summary": "x')
    refused_with(client.post(NOTIFY, content=tampered, headers=headers), 422, "invalid_signature")
    bad_signature = {**headers, "Wechatpay-Signature": headers["Wechatpay-Signature"][::-1]}
    refused_with(client.post(NOTIFY, content=body, headers=bad_signature), 422, "invalid_signature")
    other_key = {**headers, "Wechatpay-Serial": "PUB_KEY_ID_SOMEONE_ELSE"}
    refused_with(client.post(NOTIFY, content=body, headers=other_key), 422, "invalid_signature")
    unsigned = {"Content-Type": "application/json"}
    refused_with(client.post(NOTIFY, content=body, headers=unsigned), 422, "invalid_signature")
    assert status_of(client, unpaid) == "pending_payment"


def test_a_genuinely_signed_notification_for_another_amount_is_refused(client, unpaid, sandbox_url):
    body, headers = notification(sandbox_url, unpaid[2], total_fee=1)
    refused_with(client.post(NOTIFY, content=body, headers=headers), 409, "amount_mismatch")
    assert status_of(client, unpaid) == "pending_payment"


def test_a_notification_replayed_with_an_old_timestamp_is_refused(client, unpaid, sandbox_url):
    body, headers = notification(sandbox_url, unpaid[2], signed_at=int(time.time()) - 3600)
    refused_with(client.post(NOTIFY, content=body, headers=headers), 422, "stale_notification")
    from_the_future = {**headers, "Wechatpay-Timestamp": str(int(time.time()) + 3600)}
    refused_with(client.post(NOTIFY, content=body, headers=from_the_future), 422, "stale_notification")
    assert status_of(client, unpaid) == "pending_payment"


def test_a_resource_sealed_under_another_apiv3_key_is_refused(client, unpaid, sandbox_url):
    genuine, _ = notification(sandbox_url, unpaid[2])
    stranger = get_config().model_copy(update={"wechat_api_v3_key": "another_merchants_apiv3_key_32ch"})
    resource = {"out_trade_no": unpaid[0]["order_no"], "trade_state": "SUCCESS", "transaction_id": "4200",
                "amount": {"total": 20000}, "mchid": get_config().wechat_mch_id}
    body, headers = v3.notification(stranger, event_type="TRANSACTION.SUCCESS", original_type="transaction",
                                    summary="支付成功", resource=resource)
    assert genuine != body
    refused_with(client.post(NOTIFY, content=body, headers=headers), 422, "invalid_signature")
    assert status_of(client, unpaid) == "pending_payment"


@pytest.mark.parametrize("body", [b"not json", b"[]", json.dumps({"resource_type": "encrypt-resource"}).encode(),
                                  json.dumps({"resource_type": "encrypt-resource", "resource": {
                                      "algorithm": "AEAD_AES_256_GCM", "nonce": "n", "ciphertext": "!!"}}).encode(),
                                  "\u4e2d".encode("utf-16")])
@pytest.mark.parametrize("path", [NOTIFY, "/api/v1/payments/wechat/refund-notify",
                                  "/api/v1/payments/wechat/transfer-notify"])
def test_a_signed_body_that_is_not_a_notification_is_a_4xx_never_a_500(client, unpaid, body, path):
    headers = signed(body) if body != "\u4e2d".encode("utf-16") else signed(b"x")
    res = client.post(path, content=body, headers=headers)
    assert 400 <= res.status_code < 500, (res.status_code, res.text)
    assert res.json()["code"] == "FAIL"
    assert status_of(client, unpaid) == "pending_payment"


def test_an_empty_body_is_a_400(client, unpaid):
    refused_with(client.post(NOTIFY, content=b"", headers=signed(b"")), 400, "invalid_notification")


def test_a_refund_notification_completes_nothing_it_does_not_know_and_is_acknowledged(client, unpaid, sandbox_url):
    from backend.sandbox import pay_v3

    entry = {"out_trade_no": unpaid[0]["order_no"], "out_refund_no": "R-NOT-OURS", "refund_id": "5000", "refund_fee": 1,
             "total_fee": 20000, "transaction_id": "4200"}
    body, headers = pay_v3.refund_notification(get_config(), entry)
    res = client.post("/api/v1/payments/wechat/refund-notify", content=body, headers=headers)
    assert (res.status_code, res.json()["code"]) == (200, "SUCCESS")
    assert httpx.get(sandbox_url + "healthz").status_code == 200
