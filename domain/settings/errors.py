"""Refusals of the business settings. The commission rules also guard a product's own rates."""

from __future__ import annotations

from enum import StrEnum


class SettingsError(StrEnum):
    UNKNOWN_SETTING = "unknown_setting"
    INVALID_SETTINGS = "invalid_settings"
    NEGATIVE_RATE = "negative_rate"
    COMMISSION_CAP_EXCEEDED = "commission_cap_exceeded"  # level 1 + level 2 above the cap
    INVALID_WITHDRAW_LIMITS = "invalid_withdraw_limits"
