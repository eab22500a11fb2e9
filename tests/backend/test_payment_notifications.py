"""WeChat Pay v2's payment notification never answers 500: a DTD or entity, a missing field or a non-numeric amount
is refused with WeChat's FAIL acknowledgement and a 4xx, and the order is left as it was. (v3's forgeries:
``test_payment_notifications_v3.py``.)"""

from __future__ import annotations

import httpx
import pytest
from wechatpy.pay.utils import calculate_signature, dict_to_xml

from domain.config import get_config
from tests.builders import make_product

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}


@pytest.fixture
def unpaid(client, db, shopper, sandbox_url, pay_v2):
    headers, _ = shopper("notify_buyer")
    sku = make_product(db, prices=(20000,)).skus[0]
    address = client.post("/api/v1/addresses", json=ADDRESS, headers=headers).json()
    order = client.post("/api/v1/orders", json={"items": [{"sku_id": sku.id, "quantity": 1}],
                                                "address_id": address["id"]}, headers=headers).json()
    pay = client.post(f"/api/v1/orders/{order['id']}/pay", headers=headers).json()
    return order, headers, pay["prepay_id"]


def _signed(fields: dict) -> bytes:
    return dict_to_xml(fields, calculate_signature(fields, get_config().wechat_api_key)).encode()


def _success(order_no: str, **overrides) -> dict:
    fields = {"return_code": "SUCCESS", "result_code": "SUCCESS", "appid": get_config().wechat_appid,
              "mch_id": get_config().wechat_mch_id, "nonce_str": "n0nce", "out_trade_no": order_no,
              "transaction_id": "4200000000000001", "total_fee": "20000", "openid": "o_sandbox_notify_buyer"}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def _notify(client, body: bytes):
    return client.post("/api/v1/payments/wechat/notify", content=body, headers={"Content-Type": "text/xml"})


def _refused_with_fail(res) -> None:
    assert 400 <= res.status_code < 500, (res.status_code, res.text)
    assert "<return_code><![CDATA[FAIL]]></return_code>" in res.text


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<xml><return_code>SUCCESS</return_code><out_trade_no>&c;</out_trade_no></xml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xml><return_code>SUCCESS</return_code><return_msg>&x;</return_msg></xml>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"\xff\xfe not xml", b"<xml><a>1</b></xml>",
                                  b"plain text"])
def test_a_dtd_an_entity_or_a_body_that_is_not_xml_is_refused(client, unpaid, body):
    order, headers, _ = unpaid
    _refused_with_fail(_notify(client, body))
    _refused_with_fail(client.post("/api/v1/payments/wechat/refund-notify", content=body))
    assert client.get(f"/api/v1/orders/{order['id']}", headers=headers).json()["status"] == "pending_payment"


@pytest.mark.parametrize("overrides", [{"total_fee": None}, {"transaction_id": None}, {"out_trade_no": None},
                                       {"total_fee": "abc"}, {"total_fee": "200.00"}, {"total_fee": "-20000"},
                                       {"total_fee": "9" * 30}])
def test_a_signed_notification_missing_a_field_or_with_a_bad_amount_is_refused(client, unpaid, overrides):
    order, headers, _ = unpaid
    _refused_with_fail(_notify(client, _signed(_success(order["order_no"], **overrides))))
    assert client.get(f"/api/v1/orders/{order['id']}", headers=headers).json()["status"] == "pending_payment"


def test_the_genuine_notification_still_pays(client, unpaid, sandbox_url):
    order, headers, prepay_id = unpaid
    xml = httpx.post(sandbox_url + "pay/confirm", json={"prepay_id": prepay_id, "deliver": False}).json()["xml"]
    assert "SUCCESS" in _notify(client, xml.encode()).text
    assert client.get(f"/api/v1/orders/{order['id']}", headers=headers).json()["status"] == "paid"
