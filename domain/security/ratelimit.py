"""Fixed one-minute windows, counted in the database so that every API worker shares them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain import clock
from domain.db import get_sessionmaker, unit_of_work
from domain.errors import CommonError, RateLimited
from domain.models import RateLimitWindow


def check_rate(scope: str, key: str, limit_per_minute: int) -> None:
    """Count one hit for ``scope:key``; refuse with ``rate_limited`` past the limit (0 = no limit).

    Runs in its own short transaction, so that failed attempts count too.
    """
    if limit_per_minute <= 0:
        return
    window = clock.now().replace(second=0, microsecond=0)
    with unit_of_work(get_sessionmaker()) as session:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(RateLimitWindow).values(key=f"{scope}:{key}", window_start=window, hits=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": RateLimitWindow.hits + 1}
        ).returning(RateLimitWindow.hits)
        hits = session.execute(stmt).scalar_one()
    if hits > limit_per_minute:
        raise RateLimited(CommonError.RATE_LIMITED, "操作太频繁，请稍后再试")


def purge_old_windows(session, *, older_than: timedelta = timedelta(hours=1)) -> int:
    result = session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start < clock.now() - older_than))
    return result.rowcount or 0
