"""Refusal codes of the wallet: requesting a withdrawal and staff paying it out."""

from __future__ import annotations

from enum import StrEnum


class WalletError(StrEnum):
    # Requesting a withdrawal
    INVALID_AMOUNT = "invalid_amount"
    INVALID_METHOD = "invalid_method"
    NOT_DISTRIBUTOR = "not_distributor"
    WITHDRAW_BELOW_MINIMUM = "withdraw_below_minimum"
    WITHDRAW_ABOVE_MAXIMUM = "withdraw_above_maximum"
    BANK_ACCOUNT_REQUIRED = "bank_account_required"
    INVALID_BANK_ACCOUNT = "invalid_bank_account"
    REAL_NAME_REQUIRED = "real_name_required"
    NEGATIVE_BALANCE = "negative_balance"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    WITHDRAW_DAILY_LIMIT = "withdraw_daily_limit"
    # Staff review and payout
    WITHDRAWAL_NOT_FOUND = "withdrawal_not_found"
    WITHDRAWAL_NOT_PENDING = "withdrawal_not_pending"
    WITHDRAWAL_NOT_APPROVED = "withdrawal_not_approved"
    NOT_BANK_WITHDRAWAL = "not_bank_withdrawal"
    REFERENCE_REQUIRED = "reference_required"
    SECOND_APPROVER_REQUIRED = "second_approver_required"  # on review: the second approval is someone else's
    # 商家转账
    TRANSFER_NOT_AWAITING_CONFIRMATION = "transfer_not_awaiting_confirmation"
    TRANSFER_AMOUNT_MISMATCH = "transfer_amount_mismatch"
    # Manual adjustments by staff
    INVALID_ADJUSTMENT = "invalid_adjustment"
    ADJUSTMENT_REASON_REQUIRED = "adjustment_reason_required"
