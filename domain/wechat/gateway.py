"""Every call to WeChat goes through here: the mini-program platform through wechatpy, and WeChat Pay through
the one ``PayGateway`` interface (``domain/wechat/pay.py``) whose v3 (wechatpayv3) or v2 (wechatpy) implementation
``MALL_WECHAT_PAY_API`` picks. ``get_wechat()`` gives callers both; domain code never knows which Pay API is used.

``MALL_WECHAT_MODE=live`` talks to WeChat. ``sandbox`` (the default) points the very same clients at the local
fake WeChat server (``python -m backend sandbox``), so that the real request, response and signature code runs
in every flow and test.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from functools import lru_cache

import requests
import requests.adapters
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from domain import clock
from domain.config import Config, get_config
from domain.errors import DomainError, ExternalServiceError, Invalid
from domain.wechat.errors import WeChatError
from domain.wechat.pay import Headers, PayGateway
from domain.wechat.pay_types import PaymentNotice, PaymentQuery, RefundNotice, TransferBill
from domain.wechat.pay_v2 import V2Pay
from domain.wechat.pay_v3 import V3Pay

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
    """The mini-program platform client, and the Pay gateway behind ``pay`` (its operations also reachable
    here, so callers hold one object)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.client = _Client(config.wechat_appid, config.wechat_secret, timeout=TIMEOUT_SECONDS)
        # One gateway serves every request thread of a worker: keep as many connections as there are threads,
        # instead of requests' default 10 (which opens and throws away connections under load).
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
        self.client._http.mount("http://", adapter)
        self.client._http.mount("https://", adapter)
        if config.sandbox:
            base = config.wechat_sandbox_url.rstrip("/") + "/"
            self.client.API_BASE_URL = base + "cgi-bin/"
            self.client.wxa.API_BASE_URL = base
        self._lock = threading.Lock()
        self._pay: PayGateway | None = None

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

    # --- WeChat Pay, through the one interface (domain/wechat/pay.py) -------------------------

    @property
    def pay(self) -> PayGateway:
        """The Pay gateway of the configured API, made on first use: with platform certificates wechatpayv3
        downloads them when it starts, and a login or a QR code must not wait for (or fail with) that."""
        if self._pay is None:
            with self._lock:
                if self._pay is None:
                    self._pay = V3Pay(self.config) if self.config.pay_v3 else V2Pay(self.config)
        return self._pay

    @property
    def pay_api(self) -> str:
        return self.config.wechat_pay_api

    def unified_order(self, *, out_trade_no: str, amount_fen: int, body: str, openid: str,
                      notify_url: str, expire_at: datetime | None = None) -> str:
        return self.pay.unified_order(out_trade_no=out_trade_no, amount_fen=amount_fen, body=body, openid=openid,
                                      notify_url=notify_url, expire_at=expire_at)

    def jsapi_params(self, prepay_id: str) -> dict:
        return self.pay.jsapi_params(prepay_id)

    def parse_payment_notification(self, body: bytes, headers: Headers | None = None) -> PaymentNotice:
        return self.pay.parse_payment_notification(body, headers or {})

    def query_order(self, out_trade_no: str) -> PaymentQuery:
        return self.pay.query_order(out_trade_no)

    def close_order(self, out_trade_no: str) -> bool:
        return self.pay.close_order(out_trade_no)

    def refund(self, *, out_trade_no: str, out_refund_no: str, total_fen: int, refund_fen: int,
               reason: str, notify_url: str | None = None) -> str:
        return self.pay.refund(out_trade_no=out_trade_no, out_refund_no=out_refund_no, total_fen=total_fen,
                               refund_fen=refund_fen, reason=reason, notify_url=notify_url)

    def parse_refund_notification(self, body: bytes, headers: Headers | None = None) -> RefundNotice:
        return self.pay.parse_refund_notification(body, headers or {})

    def transfer(self, *, out_bill_no: str, openid: str, amount_fen: int, remark: str, real_name: str | None,
                 notify_url: str) -> TransferBill:
        return self.pay.transfer(out_bill_no=out_bill_no, openid=openid, amount_fen=amount_fen, remark=remark,
                                 real_name=real_name, notify_url=notify_url)

    def query_transfer(self, out_bill_no: str) -> TransferBill:
        return self.pay.query_transfer(out_bill_no)

    def parse_transfer_notification(self, body: bytes, headers: Headers | None = None) -> TransferBill:
        return self.pay.parse_transfer_notification(body, headers or {})

    def notification_answer(self, error: DomainError | None) -> tuple[int, bytes, str]:
        return self.pay.notification_answer(error)


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
