"""The one clock. Tests move it with ``clock.travel(...)`` (or stop it with ``clock.freeze(...)``); code calls
``clock.now()``."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """Aware UTC now, shifted by any test travel."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def local(dt: datetime) -> datetime:
    """A stored UTC time as shown to people: Asia/Shanghai."""
    return dt.astimezone(SHANGHAI)


def local_day_start(dt: datetime | None = None) -> datetime:
    """Midnight in Shanghai of the given (or current) moment, as aware UTC."""
    moment = local(dt or now())
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def advance(delta: timedelta) -> None:
    global _offset, _frozen
    if _frozen is not None:
        _frozen += delta
    else:
        _offset += delta


def freeze(at: datetime) -> None:
    """Stop the clock at ``at`` (aware), for tests that must not straddle a minute or a day; ``advance`` moves it."""
    global _offset, _frozen
    _offset = timedelta(0)
    _frozen = at


def reset() -> None:
    global _offset, _frozen
    _offset = timedelta(0)
    _frozen = None


@contextmanager
def travel(delta: timedelta):
    """Run a block as if ``delta`` had passed."""
    advance(delta)
    try:
        yield
    finally:
        advance(-delta)
