"""Refusals of shopper accounts: login, tokens, profile and phone."""

from __future__ import annotations

from enum import StrEnum


class UserError(StrEnum):
    MISSING_TOKEN = "missing_token"  # no bearer token at all (shoppers and staff alike)
    INVALID_TOKEN = "invalid_token"  # unknown, expired or logged out
    INVALID_NICKNAME = "invalid_nickname"
    INVALID_PHONE = "invalid_phone"  # not a mainland mobile number
