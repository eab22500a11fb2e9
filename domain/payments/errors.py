"""Refusal codes of paying for an order and of WeChat's payment notifications."""

from __future__ import annotations

from enum import StrEnum


class PaymentError(StrEnum):
    ORDER_NOT_PAYABLE = "order_not_payable"
    ORDER_EXPIRED = "order_expired"
    PAYMENT_NOT_SUCCESSFUL = "payment_not_successful"
    AMOUNT_MISMATCH = "amount_mismatch"
