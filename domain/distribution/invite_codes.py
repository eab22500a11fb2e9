"""Invite codes: every user has one, 8 characters, random and unique (see docs/money-and-rules.md, Distribution)."""

from __future__ import annotations

import secrets

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed
INVITE_CODE_LENGTH = 8


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))


def normalize_invite_code(code: str) -> str:
    return (code or "").strip().upper()
