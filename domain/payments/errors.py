"""Refusal codes of paying for an order, of WeChat's payment notifications and of giving back stray payments."""

from __future__ import annotations

from enum import StrEnum


class PaymentError(StrEnum):
    ORDER_NOT_PAYABLE = "order_not_payable"
    ORDER_EXPIRED = "order_expired"
    PAYMENT_NOT_SUCCESSFUL = "payment_not_successful"
    AMOUNT_MISMATCH = "amount_mismatch"
    # Payments that arrived for a cancelled order (their automatic refund)
    PAYMENT_NOT_FOUND = "payment_not_found"
    NOTHING_TO_REFUND = "nothing_to_refund"  # already given back
