"""Refusal codes of WeChat's answers: logins, mini-program codes, Pay, refunds, transfers and notifications."""

from __future__ import annotations

from enum import StrEnum


class WeChatError(StrEnum):
    INVALID_LOGIN_CODE = "invalid_login_code"
    INVALID_PHONE_CODE = "invalid_phone_code"
    SCENE_TOO_LONG = "scene_too_long"
    WECHAT_UNAVAILABLE = "wechat_unavailable"
    SHIPPING_UPLOAD_FAILED = "shipping_upload_failed"
    ORDER_ALREADY_PAID = "order_already_paid"
    WECHAT_PAY_FAILED = "wechat_pay_failed"
    WECHAT_REFUND_FAILED = "wechat_refund_failed"
    TRANSFER_FAILED = "transfer_failed"
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_NOTIFICATION = "invalid_notification"
    STALE_NOTIFICATION = "stale_notification"  # signed too long ago: a replay
