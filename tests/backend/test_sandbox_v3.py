"""The sandbox's WeChat Pay v3 checks what WeChat checks: a request not signed with the merchant's key, or signed
too long ago, is refused 401 SIGN_ERROR; a signed one is answered and signed with the sandbox's platform key."""

from __future__ import annotations

import json
import time

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from wechatpayv3.utils import build_authorization, rsa_verify

from backend.sandbox import v3
from domain.config import get_config
from domain.wechat.keys import pay_keys
from domain.wechat.pay_v3 import V3Pay

PATH = "/v3/pay/transactions/out-trade-no/NO-SUCH-ORDER?mchid=1900000109"


def _get(sandbox_url: str, authorization: str) -> httpx.Response:
    return httpx.get(sandbox_url.rstrip("/") + PATH, headers={"Authorization": authorization})


def test_unsigned_or_wrongly_signed_requests_are_refused(sandbox_url):
    config = get_config()
    assert _get(sandbox_url, "").json()["code"] == "SIGN_ERROR"
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = build_authorization(PATH, "GET", config.wechat_mch_id, pay_keys(config).merchant_serial, stranger)
    res = _get(sandbox_url, forged)
    assert (res.status_code, res.json()["code"]) == (401, "SIGN_ERROR")
    other_path = build_authorization("/v3/elsewhere", "GET", config.wechat_mch_id, pay_keys(config).merchant_serial,
                                     V3Pay(config).client._core._private_key)
    assert _get(sandbox_url, other_path).status_code == 401


def test_a_signed_request_is_answered_with_the_platform_signature(sandbox_url):
    config = get_config()
    good = build_authorization(PATH, "GET", config.wechat_mch_id, pay_keys(config).merchant_serial,
                               V3Pay(config).client._core._private_key)
    res = _get(sandbox_url, good)
    assert (res.status_code, res.json()["code"]) == (404, "ORDER_NOT_EXIST")
    public_key = v3.platform_of(config).private_key.public_key()
    h = res.headers
    assert h["Wechatpay-Serial"] == pay_keys(config).platform_public_key_id
    assert rsa_verify(h["Wechatpay-Timestamp"], h["Wechatpay-Nonce"], res.text, h["Wechatpay-Signature"], public_key)
    assert abs(int(h["Wechatpay-Timestamp"]) - time.time()) < 60
    assert json.loads(res.text)["message"]
