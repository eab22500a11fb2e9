"""Readable business numbers: time first (Asia/Shanghai), then random digits. Unique by constraint."""

from __future__ import annotations

import secrets

from domain import clock


def business_number(prefix: str = "") -> str:
    stamp = clock.local(clock.now()).strftime("%y%m%d%H%M%S")
    return f"{prefix}{stamp}{secrets.randbelow(10**6):06d}"
