"""The one WeChat Pay interface the domain uses, whichever Pay API the merchant's account speaks.

``V3Pay`` (``domain/wechat/pay_v3.py``, wechatpayv3: JSON, RSA-SHA256, AES-256-GCM, 商家转账) is the default;
``V2Pay`` (``domain/wechat/pay_v2.py``, wechatpy: signed XML, 企业付款) serves merchants who still have the v2 API
key. Both answer in ``domain/wechat/pay_types.py``'s words, refuse with the same codes, and verify every
notification themselves, so domain code never knows which is in use (docs/architecture.md, "WeChat").
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from domain.errors import DomainError, ExternalServiceError
from domain.payments.errors import PaymentError
from domain.wechat.errors import WeChatError
from domain.wechat.pay_types import PaymentNotice, PaymentQuery, RefundNotice, TransferBill

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10

Headers = Mapping[str, str]


class PayGateway(Protocol):
    api: str  # "v3" or "v2": only the notification endpoints' answers differ by it

    def unified_order(self, *, out_trade_no: str, amount_fen: int, body: str, openid: str, notify_url: str,
                      expire_at: datetime | None = None) -> str:
        """A JSAPI order for the mini-program; returns the prepay_id. The same order number answers the same
        prepay_id while it is unpaid."""

    def jsapi_params(self, prepay_id: str) -> dict:
        """The signed parameters for ``wx.requestPayment`` (timeStamp, nonceStr, package, signType, paySign)."""

    def parse_payment_notification(self, body: bytes, headers: Headers) -> PaymentNotice:
        """A payment notification, verified (signature, freshness, fields) and read; else ``Invalid``."""

    def query_order(self, out_trade_no: str) -> PaymentQuery:
        """Where WeChat's order stands, with the verified payment when it is paid."""

    def close_order(self, out_trade_no: str) -> bool:
        """Close an unpaid order so it can no longer be paid. False when it was paid already."""

    def refund(self, *, out_trade_no: str, out_refund_no: str, total_fen: int, refund_fen: int, reason: str,
               notify_url: str | None = None) -> str:
        """Refund; the refund number makes retries safe. Returns WeChat's refund_id."""

    def parse_refund_notification(self, body: bytes, headers: Headers) -> RefundNotice:
        """A refund notification, verified and read; else ``Invalid``."""

    def transfer(self, *, out_bill_no: str, openid: str, amount_fen: int, remark: str, real_name: str | None,
                 notify_url: str) -> TransferBill:
        """Pay a withdrawal to the distributor's WeChat balance. ``out_bill_no`` (the withdrawal number) is the
        idempotency key: the same number answers the same bill and never pays twice. A refusal raises
        ``ExternalServiceError`` (``transfer_failed``); an unclear outcome raises it with ``wechat_unavailable``."""

    def query_transfer(self, out_bill_no: str) -> TransferBill:
        """Where a transfer bill stands now."""

    def parse_transfer_notification(self, body: bytes, headers: Headers) -> TransferBill:
        """A transfer notification, verified and read; else ``Invalid``."""

    def notification_answer(self, error: DomainError | None) -> tuple[int, bytes, str]:
        """What to answer WeChat's notification: (status, body, media type). A refusal is always a 4xx, which
        makes WeChat send it again later."""


def pay_error(code: str, message: str, wechat_code: str = "") -> ExternalServiceError:
    err = ExternalServiceError(code, message, wechat_code=wechat_code)
    err.status = 409 if code in (WeChatError.ORDER_ALREADY_PAID, PaymentError.ORDER_NOT_PAYABLE) else 502
    return err


def unavailable(exc: Exception, code: str = WeChatError.WECHAT_UNAVAILABLE,
                message: str = "微信服务暂时不可用") -> ExternalServiceError:
    log.warning("WeChat call failed: %r", exc)
    return ExternalServiceError(code, message)


def refusal_status(error: DomainError) -> int:
    return error.status if error.status < 500 else 400
