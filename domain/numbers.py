"""Readable business numbers: time first (Asia/Shanghai), then random digits. Unique by constraint.

Ten random digits after the second: a flash sale places hundreds of orders in one second, and with six digits
two of 200 orders shared a number about once in fifty such seconds — the second one's INSERT then failed on the
unique constraint. With ten, about once in five hundred thousand. 22 characters (23 with a prefix), within WeChat
Pay's 32 for an out_trade_no, an out_refund_no and a transfer's out_bill_no.
"""

from __future__ import annotations

import secrets

from domain import clock

RANDOM_DIGITS = 10


def business_number(prefix: str = "") -> str:
    stamp = clock.local(clock.now()).strftime("%y%m%d%H%M%S")
    return f"{prefix}{stamp}{secrets.randbelow(10**RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
