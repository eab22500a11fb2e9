"""WeChat Pay APIv2 through wechatpy: signed XML under the merchant's API key, and 企业付款到零钱.

For merchants who still have the v2 API key (``MALL_WECHAT_PAY_API=v2``). In sandbox mode the very same wechatpy
client is pointed at the local fake WeChat.
"""

from __future__ import annotations

import re
from datetime import datetime

import requests
import requests.adapters
from wechatpy.exceptions import InvalidSignatureException, WeChatPayException
from wechatpy.pay import WeChatPay

from domain import clock
from domain.config import Config
from domain.errors import DomainError, ExternalServiceError, Invalid
from domain.payments.errors import PaymentError
from domain.wechat.errors import WeChatError
from domain.wechat.pay import TIMEOUT_SECONDS, Headers, pay_error, refusal_status, unavailable
from domain.wechat.pay_types import (
    PaymentNotice,
    PaymentQuery,
    RefundNotice,
    TradeState,
    TransferBill,
    TransferState,
)

POOL_SIZE = 64

# WeChat's trade_state, in the domain's words.
_TRADE_STATES = {"SUCCESS": TradeState.PAID, "REFUND": TradeState.REFUNDED, "NOTPAY": TradeState.NOT_PAID,
                 "USERPAYING": TradeState.NOT_PAID, "PAYERROR": TradeState.NOT_PAID, "CLOSED": TradeState.CLOSED,
                 "REVOKED": TradeState.CLOSED}


class V2Pay:
    api = "v2"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.client = WeChatPay(
            appid=config.wechat_appid,
            api_key=config.wechat_api_key,
            mch_id=config.wechat_mch_id,
            mch_cert=config.wechat_mch_cert,
            mch_key=config.wechat_mch_key,
            timeout=TIMEOUT_SECONDS,
        )
        # One gateway serves every request thread of a worker: keep as many connections as there are threads,
        # instead of requests' default 10 (which opens and throws away connections under load).
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
        self.client._http.mount("http://", adapter)
        self.client._http.mount("https://", adapter)
        if config.sandbox:
            self.client.API_BASE_URL = config.wechat_sandbox_url.rstrip("/") + "/"

    def unified_order(self, *, out_trade_no: str, amount_fen: int, body: str, openid: str,
                      notify_url: str, expire_at: datetime | None = None) -> str:
        kwargs = {}
        if expire_at is not None:
            kwargs["time_expire"] = clock.local(expire_at)
        try:
            result = self.client.order.create(
                trade_type="JSAPI",
                body=body[:120],
                total_fee=amount_fen,
                notify_url=notify_url,
                client_ip=self.config.wechat_client_ip,
                user_id=openid,
                out_trade_no=out_trade_no,
                **kwargs,
            )
        except WeChatPayException as exc:
            if exc.errcode == "ORDERPAID":
                raise pay_error(WeChatError.ORDER_ALREADY_PAID, "订单已支付", exc.errcode) from exc
            if exc.errcode == "ORDERCLOSED":
                raise pay_error(PaymentError.ORDER_NOT_PAYABLE, "订单已关闭", exc.errcode) from exc
            raise pay_error(WeChatError.WECHAT_PAY_FAILED, f"微信支付下单失败：{exc.errmsg or exc.return_msg}",
                            exc.errcode) from exc
        except requests.RequestException as exc:
            raise unavailable(exc) from exc
        return result["prepay_id"]

    def jsapi_params(self, prepay_id: str) -> dict:
        params = self.client.jsapi.get_jsapi_params(prepay_id)
        params.pop("appId", None)
        return params

    def parse_payment_notification(self, body: bytes, headers: Headers | None = None) -> PaymentNotice:
        """Refused with ``Invalid``: a body with a DTD or an entity (never expanded), one that is not XML, a bad
        signature, a result that is not a success, or a missing or non-numeric field."""
        raw = _refuse_dtd(body)
        try:
            data = self.client.parse_payment_result(raw)
        except InvalidSignatureException as exc:
            raise Invalid(WeChatError.INVALID_SIGNATURE, "签名校验失败") from exc
        except Exception as exc:  # expat, xmltodict and wechatpy raise several types for a body that is not XML
            raise Invalid(WeChatError.INVALID_NOTIFICATION, "通知格式不正确") from exc
        if data.get("return_code") != "SUCCESS" or data.get("result_code") != "SUCCESS":
            raise Invalid(PaymentError.PAYMENT_NOT_SUCCESSFUL, "支付未成功")
        return _payment_notice(data)

    def query_order(self, out_trade_no: str) -> PaymentQuery:
        try:
            data = self.client.order.query(out_trade_no=out_trade_no)
        except WeChatPayException as exc:
            if exc.errcode == "ORDERNOTEXIST":
                return PaymentQuery(out_trade_no=out_trade_no, state=TradeState.NOT_FOUND)
            raise pay_error(WeChatError.WECHAT_PAY_FAILED, "查询微信订单失败", exc.errcode) from exc
        except requests.RequestException as exc:
            raise unavailable(exc) from exc
        # An answer saying "paid" marks an order paid and pays commission: it counts only under the merchant's key
        # (wechatpy checks the signatures of notifications, not of answers).
        if not isinstance(data, dict) or not self.client.check_signature(data):
            raise pay_error(WeChatError.INVALID_SIGNATURE, "微信订单查询的应答签名不符")
        state = _TRADE_STATES.get(str(data.get("trade_state", "")), TradeState.NOT_PAID)
        payment = _payment_notice(data) if state in (TradeState.PAID, TradeState.REFUNDED) else None
        return PaymentQuery(out_trade_no=out_trade_no, state=state, payment=payment)

    def close_order(self, out_trade_no: str) -> bool:
        try:
            self.client.order.close(out_trade_no)
        except WeChatPayException as exc:
            if exc.errcode == "ORDERPAID":
                return False
            if exc.errcode in ("ORDERNOTEXIST", "ORDERCLOSED"):
                return True
            raise pay_error(WeChatError.WECHAT_PAY_FAILED, "关闭微信订单失败", exc.errcode) from exc
        except requests.RequestException as exc:
            raise unavailable(exc) from exc
        return True

    def refund(self, *, out_trade_no: str, out_refund_no: str, total_fen: int, refund_fen: int,
               reason: str, notify_url: str | None = None) -> str:
        try:
            result = self.client.refund.apply(
                total_fee=total_fen,
                refund_fee=refund_fen,
                out_refund_no=out_refund_no,
                out_trade_no=out_trade_no,
                refund_desc=reason[:80] or None,
                notify_url=notify_url,
            )
        except WeChatPayException as exc:
            raise pay_error(WeChatError.WECHAT_REFUND_FAILED, f"微信退款失败：{exc.errmsg or exc.return_msg}",
                            exc.errcode) from exc
        except requests.RequestException as exc:
            raise unavailable(exc) from exc
        return result.get("refund_id", "")

    def parse_refund_notification(self, body: bytes, headers: Headers | None = None) -> RefundNotice:
        """``req_info`` is encrypted under the API key; a body that does not decrypt is refused."""
        raw = _refuse_dtd(body)
        try:
            data = self.client.parse_refund_notify_result(raw)
        except Exception as exc:  # wechatpy raises several types for a bad or forged body
            raise Invalid(WeChatError.INVALID_SIGNATURE, "退款通知校验失败") from exc
        if not isinstance(data, dict) or not data.get("out_refund_no"):
            raise Invalid(WeChatError.INVALID_SIGNATURE, "退款通知校验失败")
        return RefundNotice(out_refund_no=str(data["out_refund_no"]), refund_id=str(data.get("refund_id") or ""),
                            succeeded=data.get("refund_status") == "SUCCESS")

    def transfer(self, *, out_bill_no: str, openid: str, amount_fen: int, remark: str, real_name: str | None,
                 notify_url: str = "") -> TransferBill:
        """企业付款 pays at once: WeChat answers a repeated ``partner_trade_no`` with the first result."""
        try:
            result = self.client.transfer.transfer(
                user_id=openid,
                amount=amount_fen,
                desc=remark,
                client_ip=self.config.wechat_client_ip,
                check_name="FORCE_CHECK" if real_name else "NO_CHECK",
                real_name=real_name,
                out_trade_no=out_bill_no,
            )
        except WeChatPayException as exc:
            raise pay_error(WeChatError.TRANSFER_FAILED, f"微信转账失败：{exc.errmsg or exc.return_msg}",
                            exc.errcode) from exc
        except requests.RequestException as exc:
            raise unavailable(exc) from exc
        return TransferBill(out_bill_no=out_bill_no, state=TransferState.SUCCESS,
                            transfer_bill_no=result.get("payment_no", ""), amount_fen=amount_fen)

    def query_transfer(self, out_bill_no: str) -> TransferBill:
        # v2 transfers settle in the call itself; an unclear one is retried with the same number instead.
        raise ExternalServiceError(WeChatError.TRANSFER_FAILED, "微信支付 v2 没有待确认的转账单")

    def parse_transfer_notification(self, body: bytes, headers: Headers | None = None) -> TransferBill:
        raise Invalid(WeChatError.INVALID_NOTIFICATION, "微信支付 v2 没有转账通知")

    def notification_answer(self, error: DomainError | None) -> tuple[int, bytes, str]:
        """WeChat reads an XML acknowledgement; FAIL with a 4xx makes it send again."""
        code, message, status = ("SUCCESS", "OK", 200) if error is None else ("FAIL", error.code,
                                                                                refusal_status(error))
        xml = f"<xml><return_code><![CDATA[{code}]]></return_code><return_msg><![CDATA[{message}]]></return_msg></xml>"
        return status, xml.encode(), "application/xml"


_DECLARATION = re.compile(rb"<!(?!\[CDATA\[)")  # <!DOCTYPE, <!ENTITY …, but not a CDATA section


def _payment_notice(data: dict) -> PaymentNotice:
    """A v2 payment result (notification or query) as the domain's ``PaymentNotice``, its fields checked."""
    missing = [k for k in ("out_trade_no", "transaction_id", "total_fee") if not str(data.get(k) or "").strip()]
    if missing:
        raise Invalid(WeChatError.INVALID_NOTIFICATION, f"支付通知缺少字段：{', '.join(missing)}")
    if not str(data["total_fee"]).isdigit() or len(str(data["total_fee"])) > 12:
        raise Invalid(WeChatError.INVALID_NOTIFICATION, "支付通知的金额不是整数分")
    raw = {k: (v if isinstance(v, (str, int)) else str(v)) for k, v in data.items() if k != "sign"}
    return PaymentNotice(out_trade_no=str(data["out_trade_no"]), transaction_id=str(data["transaction_id"]),
                         amount_fen=int(data["total_fee"]), payer_openid=str(data.get("openid") or ""), raw=raw)


def _refuse_dtd(xml: bytes | str) -> bytes:
    """WeChat never sends a DTD or an entity; refusing them before any parser runs means none is ever expanded."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    if _DECLARATION.search(raw):
        raise Invalid(WeChatError.INVALID_NOTIFICATION, "通知格式不正确")
    return raw
