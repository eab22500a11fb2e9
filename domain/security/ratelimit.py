"""Counts in fixed windows, kept in the database so that every API worker and the dashboard share them.

The limits built on them, and why each counts what it counts, are in docs/security.md#rate-limits.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NoReturn

from sqlalchemy import delete, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from domain import clock
from domain.config import get_config
from domain.db import get_sessionmaker, unit_of_work
from domain.errors import CommonError, RateLimited
from domain.models import RateLimitWindow

MINUTE = timedelta(minutes=1)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Many shoppers can share one address (a carrier's NAT, an office), so an address may bind or withdraw this many
# times what one shopper may.
ADDRESS_SHARE = 5
# Windows are purged once they are at least this old (and older than the longest window).
KEEP_WINDOWS = timedelta(hours=1)


@dataclass(frozen=True)
class Counter:
    """One count, ``scope:key``, in fixed windows of ``every`` (calendar minutes by default)."""

    scope: str
    key: str
    every: timedelta = MINUTE

    @property
    def name(self) -> str:
        return f"{self.scope}:{self.key}"[:128]

    def window(self, moment: datetime) -> datetime:
        return _EPOCH + (moment - _EPOCH) // self.every * self.every


def refuse() -> NoReturn:
    raise RateLimited(CommonError.RATE_LIMITED, "操作太频繁，请稍后再试")


def add_hits(counters: Sequence[Counter], *, at: datetime | None = None) -> list[int]:
    """Count one hit on each counter and return the counts after it, in order.

    Runs in a short transaction of its own (one statement), so that an attempt counts even when the request that
    made it is then refused and rolled back. The caller's session must not hold SQLite's write lock yet.
    """
    moment = at or clock.now()
    rows = [{"key": c.name, "window_start": c.window(moment), "hits": 1} for c in counters]
    with unit_of_work(get_sessionmaker()) as session:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(RateLimitWindow).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": RateLimitWindow.hits + 1}
        ).returning(RateLimitWindow.key, RateLimitWindow.hits)
        hits = dict(session.execute(stmt).tuples().all())
    return [hits[c.name] for c in counters]


def take_back(session: Session, counters: Sequence[Counter], *, at: datetime, clear: Sequence[Counter] = ()) -> None:
    """In the caller's transaction: empty ``clear``, then give back the hit each of ``counters`` took at ``at``.

    ``add_hits`` should list the counters that are cleared before those given back, as staff logins do (pair, then
    username): rows are then locked in one order, and a success cannot deadlock with an attempt counted meanwhile.
    """
    if clear:
        session.execute(delete(RateLimitWindow).where(RateLimitWindow.key.in_([c.name for c in clear])))
    if counters:
        session.execute(
            update(RateLimitWindow)
            .where(tuple_(RateLimitWindow.key, RateLimitWindow.window_start).in_([(c.name, c.window(at))
                                                                                   for c in counters]))
            .where(RateLimitWindow.hits > 0)
            .values(hits=RateLimitWindow.hits - 1)
        )


def check_rate(scope: str, key: str, limit_per_minute: int) -> None:
    """Count one hit for ``scope:key``; refuse with ``rate_limited`` past the limit (0 = no limit)."""
    if limit_per_minute <= 0:
        return
    (hits,) = add_hits([Counter(scope, key)])
    if hits > limit_per_minute:
        refuse()


def limit_shopper_action(scope: str, *, user_id: int | None, address: str, per_minute: int) -> None:
    """A bind or a withdrawal request: counted per shopper (so a fresh token buys nothing) and per address, which
    may do ``ADDRESS_SHARE`` times as many. A request without a valid token counts on its address only."""
    if per_minute <= 0:
        return
    counters = [Counter(f"{scope}.address", address)]
    limits = [per_minute * ADDRESS_SHARE]
    if user_id is not None:
        counters.append(Counter(f"{scope}.user", str(user_id)))
        limits.append(per_minute)
    if any(hits > limit for hits, limit in zip(add_hits(counters), limits, strict=True)):
        refuse()


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy (``MALL_TRUSTED_PROXIES``) that says
    whom it forwards for. Each proxy appends the address it saw, so the client is the last one in
    ``X-Forwarded-For`` that is not itself a trusted proxy; what a client wrote there itself comes before it."""
    address = peer or "unknown"
    trusted = _trusted(get_config().trusted_proxies)
    if not forwarded_for or not _is_trusted(address, trusted):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if not _parse(hop):
            return address  # not an address: the chain cannot be read further, so the proxy is the client
        if not _is_trusted(hop, trusted):
            return hop
    return address


@lru_cache(maxsize=8)
def _trusted(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in (s.strip() for s in setting.split(",")):
        if item:
            networks.append(ipaddress.ip_network(item, strict=False))
    return tuple(networks)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _is_trusted(address: str, trusted: tuple) -> bool:
    ip = _parse(address)
    return ip is not None and any(ip in net for net in trusted)


def purge_old_windows(session: Session, *, older_than: timedelta = KEEP_WINDOWS) -> int:
    """Delete the windows that started ``older_than`` ago or more (never one that may still be counting)."""
    longest = timedelta(minutes=get_config().rate_limit_staff_window_minutes)
    cutoff = clock.now() - max(older_than, longest * 2)
    result = session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start < cutoff))
    return result.rowcount or 0
