"""The purge job for what sign-ins leave behind: old rate-limit windows and expired tokens."""

from __future__ import annotations

from domain.db import get_sessionmaker, unit_of_work
from domain.security.ratelimit import purge_old_windows
from domain.staff.service import purge_expired_tokens as purge_staff_tokens
from domain.users.service import purge_expired_tokens as purge_shopper_tokens


def purge_expired() -> int:
    """Delete rate-limit windows that can no longer count and tokens past their expiry; the rows deleted."""
    with unit_of_work(get_sessionmaker()) as session:
        return purge_old_windows(session) + purge_shopper_tokens(session) + purge_staff_tokens(session)
