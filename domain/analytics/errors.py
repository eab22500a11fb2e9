"""Refusal codes of analytics: ranges, the commission simulator, and risk signals with their reviews."""

from __future__ import annotations

from enum import StrEnum


class AnalyticsError(StrEnum):
    INVALID_RANGE = "invalid_range"  # from after to, or longer than three years
    INVALID_RATE = "invalid_rate"  # a simulated rate below 0 or above 100%
    DISTRIBUTOR_NOT_FOUND = "distributor_not_found"
    # Risk signals
    SIGNAL_NOT_FOUND = "signal_not_found"
    SIGNAL_ALREADY_REVIEWED = "signal_already_reviewed"
    ALREADY_ON_REVIEW = "withdrawals_already_on_review"
    NOT_ON_REVIEW = "withdrawals_not_on_review"
