"""WeChat Pay APIv3 through wechatpayv3: JSON requests signed with the merchant's RSA key, answers and
notifications verified with WeChat Pay's public key (or platform certificates), notification resources decrypted
with AES-256-GCM under the APIv3 key, and 商家转账 (``/v3/fund-app/mch-transfer/transfer-bills``).

In sandbox mode wechatpayv3 talks to the local fake WeChat, which holds its own platform key pair, so the real
signing, verification and decryption code runs in every flow and test.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from datetime import datetime

import requests
import wechatpayv3.core
from wechatpayv3 import WeChatPay, WeChatPayType

from domain import clock
from domain.config import Config
from domain.errors import DomainError, Invalid
from domain.payments.errors import PaymentError
from domain.wechat.errors import WeChatError
from domain.wechat.kept_http import KeptConnections
from domain.wechat.keys import pay_keys
from domain.wechat.pay import TIMEOUT_SECONDS, Headers, pay_error, refusal_status, unavailable
from domain.wechat.pay_types import (
    PaymentNotice,
    PaymentQuery,
    RefundNotice,
    TradeState,
    TransferBill,
    TransferState,
)

_TRADE_STATES = {"SUCCESS": TradeState.PAID, "REFUND": TradeState.REFUNDED, "NOTPAY": TradeState.NOT_PAID,
                 "USERPAYING": TradeState.NOT_PAID, "PAYERROR": TradeState.NOT_PAID, "CLOSED": TradeState.CLOSED,
                 "REVOKED": TradeState.CLOSED}
_TRANSFER_STATES = {"WAIT_USER_CONFIRM": TransferState.AWAITING_CONFIRMATION, "SUCCESS": TransferState.SUCCESS,
                    "FAIL": TransferState.FAILED, "CANCELLED": TransferState.CANCELLED}
_SIGNATURE_HEADERS = ("wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial",
                      "wechatpay-signature-type")
# Codes WeChat answers when the outcome is unknown or the call may simply be repeated later.
_RETRYABLE = {"SYSTEM_ERROR", "SYSTEMERROR", "FREQUENCY_LIMITED", "FREQUENCY_LIMIT_EXCEED"}


# wechatpayv3's only way out is its module's ``requests``; nothing else in the process uses that module.
wechatpayv3.core.requests = KeptConnections()


class V3Pay:
    api = "v3"

    def __init__(self, config: Config) -> None:
        self.config = config
        keys = pay_keys(config)
        self.client = WeChatPay(
            wechatpay_type=WeChatPayType.MINIPROG,
            mchid=config.wechat_mch_id,
            private_key=keys.merchant_private_key,
            cert_serial_no=keys.merchant_serial,
            appid=config.wechat_appid,
            apiv3_key=config.wechat_api_v3_key,
            cert_dir=config.wechat_platform_cert_dir or None,
            timeout=(5, TIMEOUT_SECONDS),
            public_key=keys.platform_public_key,
            public_key_id=keys.platform_public_key_id,
        )
        self._public_key_id = keys.platform_public_key_id
        if config.sandbox:
            # wechatpayv3 keeps WeChat's host in one attribute; the paths it signs stay WeChat's own.
            self.client._core._gate_way = config.wechat_sandbox_url.rstrip("/")

    # --- JSAPI orders -------------------------------------------------------------------------

    def unified_order(self, *, out_trade_no: str, amount_fen: int, body: str, openid: str,
                      notify_url: str, expire_at: datetime | None = None) -> str:
        status, data = self._call(lambda: self.client.pay(
            description=body[:127], out_trade_no=out_trade_no, amount={"total": amount_fen, "currency": "CNY"},
            payer={"openid": openid}, notify_url=notify_url, pay_type=WeChatPayType.MINIPROG,
            time_expire=clock.local(expire_at).isoformat(timespec="seconds") if expire_at else None,
        ))
        if status == 200 and data.get("prepay_id"):
            return str(data["prepay_id"])
        code = str(data.get("code", ""))
        if code == "ORDERPAID":
            raise pay_error(WeChatError.ORDER_ALREADY_PAID, "订单已支付", code)
        if code == "ORDER_CLOSED":
            raise pay_error(PaymentError.ORDER_NOT_PAYABLE, "订单已关闭", code)
        raise pay_error(WeChatError.WECHAT_PAY_FAILED, f"微信支付下单失败：{data.get('message') or code}", code)

    def jsapi_params(self, prepay_id: str) -> dict:
        """RSA-signed with the merchant key over appId, timeStamp, nonceStr and package, as WeChat requires."""
        timestamp, nonce, package = str(int(time.time())), secrets.token_hex(16), f"prepay_id={prepay_id}"
        sign = self.client.sign([self.config.wechat_appid, timestamp, nonce, package])
        return {"timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA", "paySign": sign}

    def parse_payment_notification(self, body: bytes, headers: Headers) -> PaymentNotice:
        resource = self._verified_resource(body, headers)
        if resource.get("trade_state") != "SUCCESS":
            raise Invalid(PaymentError.PAYMENT_NOT_SUCCESSFUL, "支付未成功")
        return self._payment_notice(resource)

    def query_order(self, out_trade_no: str) -> PaymentQuery:
        status, data = self._call(lambda: self.client.query(out_trade_no=out_trade_no))
        if status == 404 or data.get("code") == "ORDER_NOT_EXIST" or data.get("code") == "ORDERNOTEXIST":
            return PaymentQuery(out_trade_no=out_trade_no, state=TradeState.NOT_FOUND)
        if status != 200:
            raise pay_error(WeChatError.WECHAT_PAY_FAILED, "查询微信订单失败", str(data.get("code", "")))
        state = _TRADE_STATES.get(str(data.get("trade_state", "")), TradeState.NOT_PAID)
        payment = self._payment_notice(data) if state in (TradeState.PAID, TradeState.REFUNDED) else None
        return PaymentQuery(out_trade_no=out_trade_no, state=state, payment=payment)

    def close_order(self, out_trade_no: str) -> bool:
        status, data = self._call(lambda: self.client.close(out_trade_no=out_trade_no))
        if status in (200, 204):
            return True
        code = str(data.get("code", ""))
        if code == "ORDERPAID":
            return False
        if code in ("ORDERNOTEXIST", "ORDER_NOT_EXIST", "ORDER_CLOSED"):
            return True
        raise pay_error(WeChatError.WECHAT_PAY_FAILED, "关闭微信订单失败", code)

    # --- refunds ------------------------------------------------------------------------------

    def refund(self, *, out_trade_no: str, out_refund_no: str, total_fen: int, refund_fen: int,
               reason: str, notify_url: str | None = None) -> str:
        status, data = self._call(lambda: self.client.refund(
            out_refund_no=out_refund_no, out_trade_no=out_trade_no, reason=reason[:80] or None,
            amount={"refund": refund_fen, "total": total_fen, "currency": "CNY"}, notify_url=notify_url,
        ))
        if status == 200 and data.get("status") != "ABNORMAL":
            return str(data.get("refund_id", ""))
        raise pay_error(WeChatError.WECHAT_REFUND_FAILED, f"微信退款失败：{data.get('message') or data.get('code')}",
                        str(data.get("code", "")))

    def parse_refund_notification(self, body: bytes, headers: Headers) -> RefundNotice:
        resource = self._verified_resource(body, headers)
        if not resource.get("out_refund_no"):
            raise Invalid(WeChatError.INVALID_NOTIFICATION, "退款通知缺少退款单号")
        return RefundNotice(out_refund_no=str(resource["out_refund_no"]), refund_id=str(resource.get("refund_id", "")),
                            succeeded=resource.get("refund_status") == "SUCCESS")

    # --- 商家转账 -------------------------------------------------------------------------------

    def transfer(self, *, out_bill_no: str, openid: str, amount_fen: int, remark: str, real_name: str | None,
                 notify_url: str) -> TransferBill:
        """A transfer bill under the configured scene (1005 佣金报酬) with the report information it requires.
        The real name, when given, is encrypted with WeChat Pay's public key (RSA-OAEP) by wechatpayv3."""
        config = self.config
        reports = [{"info_type": "岗位类型", "info_content": config.wechat_transfer_job_type[:32]},
                   {"info_type": "报酬说明", "info_content": remark[:32]}]
        status, data = self._call(lambda: self.client.mch_transfer_bills(
            out_bill_no=out_bill_no, transfer_scene_id=config.wechat_transfer_scene_id, openid=openid,
            transfer_amount=amount_fen, transfer_remark=remark[:32], user_name=real_name or None,
            user_recv_perception=config.wechat_transfer_perception, transfer_scene_report_infos=reports,
            notify_url=notify_url,
        ), code=WeChatError.TRANSFER_FAILED)
        if status == 200:
            return _transfer_bill(data, out_bill_no)
        code = str(data.get("code", ""))
        if status >= 500 or code in _RETRYABLE:
            raise unavailable(RuntimeError(f"transfer {out_bill_no}: {status} {code}"))
        raise pay_error(WeChatError.TRANSFER_FAILED, f"微信转账失败：{data.get('message') or code}", code)

    def query_transfer(self, out_bill_no: str) -> TransferBill:
        status, data = self._call(lambda: self.client.mch_transfer_bills_query(out_bill_no=out_bill_no))
        if status == 404:
            return TransferBill(out_bill_no=out_bill_no, state=TransferState.NOT_FOUND)
        if status != 200:
            raise unavailable(RuntimeError(f"transfer query {out_bill_no}: {status} {data.get('code')}"))
        return _transfer_bill(data, out_bill_no)

    def parse_transfer_notification(self, body: bytes, headers: Headers) -> TransferBill:
        resource = self._verified_resource(body, headers)
        if not resource.get("out_bill_no") or resource.get("mch_id", self.config.wechat_mch_id) != self.config.wechat_mch_id:
            raise Invalid(WeChatError.INVALID_NOTIFICATION, "转账通知缺少商户单号")
        return _transfer_bill(resource, str(resource["out_bill_no"]))

    # --- notifications ------------------------------------------------------------------------

    def notification_answer(self, error: DomainError | None) -> tuple[int, bytes, str]:
        """WeChat takes a 200 (or 204) as received and a 4xx with ``{"code": "FAIL", "message"}`` as "send it again
        later"; the message names our refusal code, as v2's ``return_msg`` does."""
        if error is None:
            return 200, json.dumps({"code": "SUCCESS", "message": "成功"}).encode(), "application/json"
        body = json.dumps({"code": "FAIL", "message": error.code}, ensure_ascii=False).encode()
        return refusal_status(error), body, "application/json"

    def _verified_resource(self, body: bytes, headers: Headers) -> dict:
        """The decrypted resource of a notification that is fresh, signed by WeChat Pay and readable.

        Refused with ``Invalid`` before anything is decrypted: missing signature headers, a key id that is not
        WeChat Pay's, a timestamp further than the allowed skew from our clock (a replay), a bad signature, a
        resource that does not decrypt under the APIv3 key."""
        lower = {k.lower(): v for k, v in headers.items()}
        if not all(lower.get(h) for h in _SIGNATURE_HEADERS):
            raise Invalid(WeChatError.INVALID_SIGNATURE, "缺少微信支付签名")
        if self._public_key_id and lower["wechatpay-serial"] != self._public_key_id:
            raise Invalid(WeChatError.INVALID_SIGNATURE, "签名所用的微信支付公钥不符")
        stamp = lower["wechatpay-timestamp"]
        # Freshness is measured on the wall clock, as WeChat signed it, not the business clock (which tests move).
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > self.config.wechat_notify_max_skew_seconds:
            raise Invalid(WeChatError.STALE_NOTIFICATION, "通知的时间戳已过期")
        try:
            result = self.client.callback({h: lower[h] for h in _SIGNATURE_HEADERS}, body)
        except Exception as exc:  # a body that is not UTF-8 or JSON, an unknown algorithm, a malformed serial
            raise Invalid(WeChatError.INVALID_NOTIFICATION, "通知格式不正确") from exc
        if not result or not isinstance(result.get("resource"), dict):
            raise Invalid(WeChatError.INVALID_SIGNATURE, "签名校验或解密失败")
        return result["resource"]

    def _payment_notice(self, data: dict) -> PaymentNotice:
        """A v3 transaction (notification resource or query answer), its fields checked."""
        amount = data.get("amount") if isinstance(data.get("amount"), dict) else {}
        total = amount.get("total")
        missing = [k for k, v in (("out_trade_no", data.get("out_trade_no")),
                                  ("transaction_id", data.get("transaction_id")), ("amount.total", total)) if not v]
        if missing:
            raise Invalid(WeChatError.INVALID_NOTIFICATION, f"支付通知缺少字段：{', '.join(missing)}")
        if type(total) is not int or not 0 < total < 10**12:
            raise Invalid(WeChatError.INVALID_NOTIFICATION, "支付通知的金额不是整数分")
        if data.get("mchid", self.config.wechat_mch_id) != self.config.wechat_mch_id:
            raise Invalid(WeChatError.INVALID_NOTIFICATION, "支付通知的商户号不符")
        payer = data.get("payer") if isinstance(data.get("payer"), dict) else {}
        return PaymentNotice(out_trade_no=str(data["out_trade_no"]), transaction_id=str(data["transaction_id"]),
                             amount_fen=total, payer_openid=str(payer.get("openid") or ""), raw=data)

    def _call(self, request: Callable[[], tuple[int, str | bytes]],
              code: str = WeChatError.WECHAT_UNAVAILABLE) -> tuple[int, dict]:
        """Make one wechatpayv3 call: its status and JSON answer. A network failure, or an answer whose signature
        does not verify, leaves the outcome unknown: ``wechat_unavailable``."""
        try:
            status, text = request()
        except requests.RequestException as exc:
            raise unavailable(exc) from exc
        except Exception as exc:  # wechatpayv3 raises bare Exceptions (bad answer signature, missing argument)
            if "signature" in str(exc):
                raise unavailable(exc) from exc
            raise pay_error(code if code != WeChatError.WECHAT_UNAVAILABLE else WeChatError.WECHAT_PAY_FAILED,
                            f"微信支付请求无效：{exc}") from exc
        if not text:
            return status, {}
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        return status, data if isinstance(data, dict) else {}


def _transfer_bill(data: dict, out_bill_no: str) -> TransferBill:
    amount = data.get("transfer_amount")
    return TransferBill(out_bill_no=out_bill_no,
                        state=_TRANSFER_STATES.get(str(data.get("state", "")), TransferState.PROCESSING),
                        transfer_bill_no=str(data.get("transfer_bill_no") or ""),
                        package_info=str(data.get("package_info") or ""),
                        amount_fen=amount if type(amount) is int else 0,
                        fail_reason=str(data.get("fail_reason") or ""))
