"""Refusals of the members area: levels, growth, check-in, shares and share rewards."""

from __future__ import annotations

from enum import StrEnum


class MemberError(StrEnum):
    MEMBER_NOT_FOUND = "member_not_found"  # 404: no such shopper
    INVALID_LEVELS = "invalid_levels"  # 422: the level list does not make sense (message says what)
    INVALID_ADJUSTMENT = "invalid_adjustment"  # 422: no points, or no reason
    GROWTH_AT_ZERO = "growth_at_zero"  # 409: nothing left to take
    ALREADY_CHECKED_IN = "already_checked_in"  # 409: once per Shanghai day
    INVALID_MONTH = "invalid_month"  # 422: the calendar month is not YYYY-MM
    INVALID_SORT = "invalid_sort"  # 422
    INVALID_RANGE = "invalid_range"  # 422: a date range that ends before it starts


class ShareError(StrEnum):
    SHARE_NOT_FOUND = "share_not_found"  # 404
    INVALID_SHARE = "invalid_share"  # 422: a product share without its product …
    INVALID_SHARE_REWARD_SETTINGS = "invalid_share_reward_settings"  # 422: the coupon to give is not usable
