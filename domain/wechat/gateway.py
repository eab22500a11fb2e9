"""Every call to WeChat goes through wechatpy, here.

``MALL_WECHAT_MODE=live`` talks to WeChat. ``sandbox`` (the default) points the very same wechatpy
clients at the local fake WeChat server (``python -m backend sandbox``), so that the real request,
response and signature code runs in every flow and test.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime
from functools import lru_cache

import requests
import requests.adapters
from wechatpy import WeChatClient
from wechatpy.exceptions import (
    InvalidSignatureException,
    WeChatClientException,
    WeChatPayException,
)
from wechatpy.pay import WeChatPay

from domain import clock
from domain.config import Config, get_config
from domain.errors import ExternalServiceError, Invalid
from domain.payments.errors import PaymentError
from domain.wechat.errors import WeChatError
from domain.wechat.pay_types import PaymentNotice

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
POOL_SIZE = 64


class _Client(WeChatClient):
    """wechatpy's client, with the token URL following ``API_BASE_URL`` (it is hard-coded upstream)."""

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class WeChatGateway:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.client = _Client(config.wechat_appid, config.wechat_secret, timeout=TIMEOUT_SECONDS)
        self.pay = WeChatPay(
            appid=config.wechat_appid,
            api_key=config.wechat_api_key,
            mch_id=config.wechat_mch_id,
            mch_cert=config.wechat_mch_cert,
            mch_key=config.wechat_mch_key,
            timeout=TIMEOUT_SECONDS,
        )
        # One gateway serves every request thread of a worker: keep as many connections as there are threads,
        # instead of requests' default 10 (which opens and throws away connections under load).
        for session in (self.client._http, self.pay._http):
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        if config.sandbox:
            base = config.wechat_sandbox_url.rstrip("/") + "/"
            self.client.API_BASE_URL = base + "cgi-bin/"
            self.client.wxa.API_BASE_URL = base
            self.pay.API_BASE_URL = base
        self._lock = threading.Lock()

    @property
    def is_sandbox(self) -> bool:
        return self.config.sandbox

    # --- mini-program login, phone, codes, messages -------------------------------------------

    def code_to_session(self, code: str) -> dict:
        """``wx.login`` code → {openid, session_key, unionid?}."""
        if not code or len(code) > 128:
            raise Invalid(WeChatError.INVALID_LOGIN_CODE, "登录凭证无效")
        try:
            result = self.client.wxa.code_to_session(code)
        except WeChatClientException as exc:
            if exc.errcode in (40029, 40163, 40226):
                raise Invalid(WeChatError.INVALID_LOGIN_CODE, "登录凭证无效或已过期") from exc
            raise _unavailable(exc) from exc
        except requests.RequestException as exc:
            raise _unavailable(exc) from exc
        if not result.get("openid"):
            raise Invalid(WeChatError.INVALID_LOGIN_CODE, "登录凭证无效")
        return result

    def phone_number(self, code: str) -> str:
        try:
            result = self.client.wxa._post("wxa/business/getuserphonenumber", data={"code": code})
        except WeChatClientException as exc:
            raise Invalid(WeChatError.INVALID_PHONE_CODE, "手机号授权码无效") from exc
        except requests.RequestException as exc:
            raise _unavailable(exc) from exc
        return result["phone_info"]["purePhoneNumber"]

    def wxa_code(self, scene: str, page: str | None = None) -> bytes:
        """A mini-program code (``getwxacodeunlimit``) as PNG bytes."""
        if len(scene) > 32:
            raise Invalid(WeChatError.SCENE_TOO_LONG, "小程序码场景值不能超过 32 个字符")
        try:
            res = self.client.wxa.get_wxa_code_unlimited(scene, page=page, width=430)
        except (WeChatClientException, requests.RequestException) as exc:
            raise _unavailable(exc) from exc
        content = getattr(res, "content", None)
        if not content or not content.startswith(b"\x89PNG"):
            raise ExternalServiceError(WeChatError.WECHAT_UNAVAILABLE, "获取小程序码失败")
        return content

    def send_subscribe_message(self, openid: str, template_id: str, data: dict, page: str | None = None) -> None:
        try:
            self.client.wxa.send_subscribe_message(openid, template_id, data, page=page)
        except (WeChatClientException, requests.RequestException) as exc:
            log.warning("subscribe message to %s failed: %s", openid, exc)

    def upload_shipping_info(
        self, *, transaction_id: str, openid: str, carrier: str, tracking_no: str, item_desc: str,
        receiver_phone_masked: str,
    ) -> None:
        """Tell WeChat the order shipped; it holds mini-program payments until it knows."""
        payload = {
            "order_key": {"order_number_type": 2, "transaction_id": transaction_id},
            "logistics_type": 1,
            "delivery_mode": 1,
            "shipping_list": [
                {
                    "tracking_no": tracking_no,
                    "express_company": carrier,
                    "item_desc": item_desc[:120],
                    "contact": {"receiver_contact": receiver_phone_masked},
                }
            ],
            "upload_time": clock.local(clock.now()).isoformat(timespec="seconds"),
            "payer": {"openid": openid},
        }
        try:
            self.client.wxa._post("wxa/sec/order/upload_shipping_info", data=payload)
        except (WeChatClientException, requests.RequestException) as exc:
            raise _unavailable(exc, "shipping_upload_failed", "发货信息上传微信失败") from exc

    # --- WeChat Pay ---------------------------------------------------------------------------

    def unified_order(self, *, out_trade_no: str, amount_fen: int, body: str, openid: str,
                      notify_url: str, expire_at: datetime | None = None) -> str:
        """JSAPI unified order; returns the prepay_id."""
        kwargs = {}
        if expire_at is not None:
            kwargs["time_expire"] = clock.local(expire_at)
        try:
            result = self.pay.order.create(
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
                raise _pay_error(WeChatError.ORDER_ALREADY_PAID, "订单已支付", exc) from exc
            if exc.errcode == "ORDERCLOSED":
                raise _pay_error(PaymentError.ORDER_NOT_PAYABLE, "订单已关闭", exc) from exc
            raise _pay_error(WeChatError.WECHAT_PAY_FAILED, f"微信支付下单失败：{exc.errmsg or exc.return_msg}", exc) from exc
        except requests.RequestException as exc:
            raise _unavailable(exc) from exc
        return result["prepay_id"]

    def jsapi_params(self, prepay_id: str) -> dict:
        """The parameters for ``wx.requestPayment``."""
        params = self.pay.jsapi.get_jsapi_params(prepay_id)
        params.pop("appId", None)
        return params

    def parse_payment_notification(self, xml: bytes | str) -> PaymentNotice:
        """Verify the signature and the fields a payment needs. Refused with ``Invalid``: a body with a DTD or an
        entity (never expanded), one that is not XML, a bad signature, a result that is not a success, or a missing
        or non-numeric field."""
        raw = _refuse_dtd(xml)
        try:
            data = self.pay.parse_payment_result(raw)
        except InvalidSignatureException as exc:
            raise Invalid(WeChatError.INVALID_SIGNATURE, "签名校验失败") from exc
        except Exception as exc:  # expat, xmltodict and wechatpy raise several types for a body that is not XML
            raise Invalid(WeChatError.INVALID_NOTIFICATION, "通知格式不正确") from exc
        if data.get("return_code") != "SUCCESS" or data.get("result_code") != "SUCCESS":
            raise Invalid(PaymentError.PAYMENT_NOT_SUCCESSFUL, "支付未成功")
        return _payment_notice(data)


    def close_order(self, out_trade_no: str) -> bool:
        """Close an unpaid WeChat order so it can no longer be paid. False when it was paid already."""
        try:
            self.pay.order.close(out_trade_no)
        except WeChatPayException as exc:
            if exc.errcode == "ORDERPAID":
                return False
            if exc.errcode in ("ORDERNOTEXIST", "ORDERCLOSED"):
                return True
            raise _pay_error(WeChatError.WECHAT_PAY_FAILED, "关闭微信订单失败", exc) from exc
        except requests.RequestException as exc:
            raise _unavailable(exc) from exc
        return True

    def refund(self, *, out_trade_no: str, out_refund_no: str, total_fen: int, refund_fen: int,
               reason: str, notify_url: str | None = None) -> str:
        """Refund through WeChat Pay; the refund number makes retries safe. Returns WeChat's refund_id."""
        try:
            result = self.pay.refund.apply(
                total_fee=total_fen,
                refund_fee=refund_fen,
                out_refund_no=out_refund_no,
                out_trade_no=out_trade_no,
                refund_desc=reason[:80] or None,
                notify_url=notify_url,
            )
        except WeChatPayException as exc:
            raise _pay_error(WeChatError.WECHAT_REFUND_FAILED, f"微信退款失败：{exc.errmsg or exc.return_msg}", exc) from exc
        except requests.RequestException as exc:
            raise _unavailable(exc) from exc
        return result.get("refund_id", "")

    def parse_refund_notification(self, xml: bytes | str) -> dict:
        raw = _refuse_dtd(xml)
        try:
            data = self.pay.parse_refund_notify_result(raw)
        except Exception as exc:  # wechatpy raises several types for a bad or forged body
            raise Invalid(WeChatError.INVALID_SIGNATURE, "退款通知校验失败") from exc
        if not isinstance(data, dict):
            raise Invalid(WeChatError.INVALID_SIGNATURE, "退款通知校验失败")
        return data

    def transfer(self, *, partner_trade_no: str, openid: str, amount_fen: int, desc: str,
                 real_name: str | None) -> str:
        """Pay a withdrawal to the user's WeChat balance. The withdrawal number is the idempotency key:
        WeChat answers a repeated ``partner_trade_no`` with the first result and never pays twice."""
        try:
            result = self.pay.transfer.transfer(
                user_id=openid,
                amount=amount_fen,
                desc=desc,
                client_ip=self.config.wechat_client_ip,
                check_name="FORCE_CHECK" if real_name else "NO_CHECK",
                real_name=real_name,
                out_trade_no=partner_trade_no,
            )
        except WeChatPayException as exc:
            raise _pay_error(WeChatError.TRANSFER_FAILED, f"微信转账失败：{exc.errmsg or exc.return_msg}", exc) from exc
        except requests.RequestException as exc:
            raise _unavailable(exc) from exc
        return result.get("payment_no", "")


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


def _pay_error(code: str, message: str, exc: WeChatPayException) -> ExternalServiceError:
    err = ExternalServiceError(code, message, wechat_code=exc.errcode)
    err.status = 409 if code in (WeChatError.ORDER_ALREADY_PAID, "order_not_payable") else 502
    return err


def _unavailable(exc: Exception, code: str = WeChatError.WECHAT_UNAVAILABLE, message: str = "微信服务暂时不可用") -> ExternalServiceError:
    log.warning("WeChat call failed: %r", exc)
    return ExternalServiceError(code, message)


@lru_cache
def _gateway_for(config_id: int) -> WeChatGateway:
    return WeChatGateway(get_config())


def get_wechat() -> WeChatGateway:
    return _gateway_for(id(get_config()))


def reset_wechat() -> None:
    _gateway_for.cache_clear()
