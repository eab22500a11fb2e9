"""What WeChat Pay answers, in the domain's words, whichever Pay API (v2 XML or v3 JSON) carried it.

The gateway verifies and translates; the domain only ever sees these (see docs/architecture.md, "WeChat").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class PaymentNotice:
    """A verified payment result (from a notification or an order query that says it is paid)."""

    out_trade_no: str
    transaction_id: str
    amount_fen: int
    payer_openid: str = ""
    raw: dict = field(default_factory=dict)  # what WeChat sent, without its signature, for the record


class TradeState(StrEnum):
    PAID = "paid"
    NOT_PAID = "not_paid"  # created, waiting for the shopper (NOTPAY, USERPAYING)
    CLOSED = "closed"  # closed or revoked: can no longer be paid
    REFUNDED = "refunded"  # paid, then refunded (REFUND)
    NOT_FOUND = "not_found"  # WeChat has never seen this order number


@dataclass(frozen=True)
class PaymentQuery:
    """What an order query answers: the state, and the payment when there is one."""

    out_trade_no: str
    state: TradeState
    payment: PaymentNotice | None = None


@dataclass(frozen=True)
class RefundNotice:
    """A verified refund result."""

    out_refund_no: str
    refund_id: str
    succeeded: bool


class TransferState(StrEnum):
    """Where a 商家转账 bill stands, in the domain's words."""

    PROCESSING = "processing"  # accepted, not settled yet (ACCEPTED, PROCESSING, TRANSFERING, CANCELING)
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # WAIT_USER_CONFIRM: the distributor must tap 确认收款
    SUCCESS = "success"  # the money is in the distributor's WeChat balance
    FAILED = "failed"  # FAIL: WeChat refused or returned it
    CANCELLED = "cancelled"  # cancelled by us, or expired unconfirmed
    NOT_FOUND = "not_found"  # WeChat has no bill with this number


@dataclass(frozen=True)
class TransferBill:
    """A verified answer about a transfer (creating it, a query or a notification)."""

    out_bill_no: str
    state: TransferState
    transfer_bill_no: str = ""
    package_info: str = ""  # for wx.requestMerchantTransfer, while it awaits confirmation
    amount_fen: int = 0
    fail_reason: str = ""

    @property
    def settled(self) -> bool:
        """Nothing more will happen to it: paid, or the money is back with the merchant."""
        return self.state in (TransferState.SUCCESS, TransferState.FAILED, TransferState.CANCELLED)
