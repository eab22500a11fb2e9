"""Refusals of staff accounts, logins and roles."""

from __future__ import annotations

from enum import StrEnum


class StaffError(StrEnum):
    INVALID_USERNAME = "invalid_username"
    WEAK_PASSWORD = "weak_password"
    USERNAME_TAKEN = "username_taken"
    INVALID_ROLE = "invalid_role"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_TOKEN = "invalid_token"  # unknown, expired, logged out, or the account was disabled
