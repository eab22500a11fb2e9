"""WeChat Pay APIv2 on the wire: XML bodies signed with MD5 under the merchant's API key.

Shared by the v2 pay and transfer routers. An APIv3 router would bring its own counterpart (JSON, RSA-SHA256
signatures, AES-256-GCM resources) and reuse the state and the notifier, not this module.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

import xmltodict
from fastapi import Request
from fastapi.responses import Response
from wechatpy.crypto.base import BaseRefundCrypto
from wechatpy.pay.utils import calculate_signature, dict_to_xml

from backend.sandbox.state import PayOrder
from domain.config import Config

CONTENT_TYPE = "text/xml"


@dataclass(frozen=True)
class Refusal:
    """A business failure WeChat answers with ``result_code=FAIL`` (the call itself succeeded)."""

    code: str
    message: str = ""


async def signed_request(request: Request, api_key: str) -> tuple[dict[str, Any], Response | None]:
    """The request's fields once its XML parses and its signature checks; else the FAIL answer to give."""
    try:
        data = dict(xmltodict.parse(await request.body())["xml"])
    except Exception:
        return {}, xml_response({"return_code": "FAIL", "return_msg": "XML 格式错误"})
    sign = data.pop("sign", None)
    if sign != calculate_signature(data, api_key):
        return {}, xml_response({"return_code": "FAIL", "return_msg": "签名错误"})
    return data, None


def ok(api_key: str, fields: dict) -> Response:
    payload = {"return_code": "SUCCESS", "return_msg": "OK", "result_code": "SUCCESS",
               "nonce_str": secrets.token_hex(16), **{k: str(v) for k, v in fields.items()}}
    return xml_response(payload, api_key)


def fail(api_key: str, refusal: Refusal) -> Response:
    payload = {"return_code": "SUCCESS", "return_msg": "OK", "result_code": "FAIL", "err_code": refusal.code,
               "err_code_des": refusal.message or refusal.code, "nonce_str": secrets.token_hex(16)}
    return xml_response(payload, api_key)


def xml_response(payload: dict, api_key: str | None = None) -> Response:
    sign = calculate_signature(payload, api_key) if api_key else None
    return Response(dict_to_xml(payload, sign), media_type="application/xml")


def payment_notification(config: Config, order: PayOrder, total_fee: int) -> str:
    """The signed XML WeChat sends to the order's notify_url once the shopper has paid ``total_fee``."""
    payload = {
        "appid": config.wechat_appid, "mch_id": config.wechat_mch_id, "nonce_str": secrets.token_hex(16),
        "result_code": "SUCCESS", "return_code": "SUCCESS", "openid": order.openid, "is_subscribe": "N",
        "trade_type": "JSAPI", "bank_type": "OTHERS", "total_fee": str(total_fee), "cash_fee": str(total_fee),
        "fee_type": "CNY", "transaction_id": order.transaction_id, "out_trade_no": order.out_trade_no,
        "time_end": time.strftime("%Y%m%d%H%M%S"),
    }
    return dict_to_xml(payload, calculate_signature(payload, config.wechat_api_key))


def refund_notification(config: Config, refund: dict) -> str:
    """WeChat's refund notification: ``req_info`` is AES-256-ECB under md5(api_key), as wechatpy decrypts it."""
    info = {"out_trade_no": refund["out_trade_no"], "out_refund_no": refund["out_refund_no"],
            "refund_id": refund["refund_id"], "transaction_id": refund["transaction_id"] or "",
            "total_fee": str(refund["total_fee"]), "refund_fee": str(refund["refund_fee"]),
            "settlement_refund_fee": str(refund["refund_fee"]), "refund_status": "SUCCESS",
            "success_time": time.strftime("%Y-%m-%d %H:%M:%S"), "refund_recv_accout": "支付用户零钱"}
    inner = xmltodict.unparse({"root": info}, full_document=False)
    key = hashlib.md5(config.wechat_api_key.encode()).hexdigest().encode()
    req_info = BaseRefundCrypto(key)._encrypt(inner).decode()
    outer = {"return_code": "SUCCESS", "appid": config.wechat_appid, "mch_id": config.wechat_mch_id,
             "nonce_str": secrets.token_hex(16), "req_info": req_info}
    return dict_to_xml(outer)
