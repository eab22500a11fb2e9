"""Date ranges of Shanghai calendar days, the previous equal period, and the SQL that puts a stored UTC time into
its Shanghai day, week or month (docs/architecture.md, "Analytics").

Every analytics figure is counted over a ``Period``: ``first`` and ``last`` inclusive, as staff pick them. Queries
take ``[start, end)`` in UTC. Weeks start on Monday; a week or month bucket at either end of a range may be partial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy import String, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from domain import clock
from domain.analytics.errors import AnalyticsError
from domain.errors import Invalid

MAX_DAYS = 1096  # three years: long enough for any comparison, short enough that a day series stays readable


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def day_start(day: date) -> datetime:
    """Midnight in Shanghai at the start of ``day``, as aware UTC: the bound for ``created_at >= …``."""
    return datetime.combine(day, time(), tzinfo=clock.SHANGHAI).astimezone(UTC)


def today() -> date:
    return clock.local(clock.now()).date()


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @classmethod
    def of(cls, first: date, last: date) -> Period:
        """A range staff asked for: refused when it runs backwards or is longer than three years."""
        if first > last:
            raise Invalid(AnalyticsError.INVALID_RANGE, "开始日期不能晚于结束日期")
        if (last - first).days + 1 > MAX_DAYS:
            raise Invalid(AnalyticsError.INVALID_RANGE, f"日期范围最长 {MAX_DAYS} 天")
        return cls(first, last)

    @classmethod
    def last_days(cls, days: int) -> Period:
        """The last ``days`` Shanghai days, today included."""
        end = today()
        return cls(end - timedelta(days=days - 1), end)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return day_start(self.last + timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts: what a figure is compared with."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def buckets(self, by: Granularity) -> list[date]:
        """The start of every day, week (Monday) or month that the period touches, oldest first."""
        first = bucket_of(self.first, by)
        out = []
        while first <= self.last:
            out.append(first)
            first = _next_bucket(first, by)
        return out


def bucket_of(day: date, by: Granularity) -> date:
    if by == Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if by == Granularity.MONTH:
        return day.replace(day=1)
    return day


def _next_bucket(start: date, by: Granularity) -> date:
    if by == Granularity.WEEK:
        return start + timedelta(days=7)
    if by == Granularity.MONTH:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def change_bp(current: int, previous: int) -> int | None:
    """How much a figure moved against the previous period, in bp (+2500 = 25% up); None when there was nothing
    before to compare with."""
    if previous == 0:
        return None
    return (current - previous) * 10_000 // abs(previous)


def ratio_bp(part: int, whole: int) -> int:
    """``part * 10000 // whole``, 0 when the whole is 0 (docs/money-and-rules.md, "Analytics")."""
    return part * 10_000 // whole if whole else 0


# --- running an aggregate over history ----------------------------------------------------------------

P = ParamSpec("P")
_AGGREGATE_SETTINGS = text("SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true), "
                           "set_config('plan_cache_mode', 'force_custom_plan', true)")  # true: for this transaction
R = TypeVar("R")


def aggregate_query(fn: Callable[P, R]) -> Callable[P, R]:
    """Marks a read over history. On PostgreSQL, for the rest of the transaction: no JIT compilation, which
    costs a second on a million orders and saves nothing on one-off aggregates; memory enough for their hash
    joins and groupings not to spill to disk; and a plan made for the range asked, every time. The driver
    prepares a statement once it has run a few times on a connection, and PostgreSQL then tends to a generic
    plan that cannot know whether the range holds a day or a year: it walked the index over a year's lines, three
    times slower than the scan a year needs (bench/analytics.py measures all three)."""

    @wraps(fn)
    def run(session, *args: P.args, **kwargs: P.kwargs) -> R:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_AGGREGATE_SETTINGS)
        return fn(session, *args, **kwargs)

    return run


# --- SQL: which Shanghai day, week or month a stored time falls in ---------------------------------


class DayText(TypeDecorator):
    """A day, week or month bucket as ``'YYYY-MM-DD'`` text on both databases. SQLite computes the text; PostgreSQL
    computes a date, which groups a million rows in a third of the time that formatting every row as text takes
    (bench/analytics.py), and the date becomes the same text here."""

    impl = String
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value.isoformat() if isinstance(value, date) else value


class shanghai_day(FunctionElement):  # noqa: N801 (an SQL function, named like one)
    """The Asia/Shanghai calendar day of a stored UTC time, as ``'YYYY-MM-DD'`` text on both databases.

    China has kept UTC+8 all year since 1991, so SQLite's fixed offset agrees with PostgreSQL's time zone.
    """

    type = DayText()
    name = "shanghai_day"
    inherit_cache = True


class shanghai_week(FunctionElement):  # noqa: N801
    """The Monday of the Shanghai week of a stored UTC time, as ``'YYYY-MM-DD'``."""

    type = DayText()
    name = "shanghai_week"
    inherit_cache = True


class shanghai_month(FunctionElement):  # noqa: N801
    """The first day of the Shanghai month of a stored UTC time, as ``'YYYY-MM-DD'``."""

    type = DayText()
    name = "shanghai_month"
    inherit_cache = True


def _shanghai(element, compiler, **kw) -> str:
    return f"({compiler.process(element.clauses, **kw)} AT TIME ZONE 'Asia/Shanghai')"


@compiles(shanghai_day, "sqlite")
def _day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(shanghai_day, "postgresql")
def _day_postgresql(element, compiler, **kw):
    return f"CAST({_shanghai(element, compiler, **kw)} AS DATE)"


@compiles(shanghai_week, "sqlite")
def _week_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours', 'weekday 0', '-6 days')"


@compiles(shanghai_week, "postgresql")
def _week_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('week', {_shanghai(element, compiler, **kw)}) AS DATE)"


@compiles(shanghai_month, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours', 'start of month')"


@compiles(shanghai_month, "postgresql")
def _month_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {_shanghai(element, compiler, **kw)}) AS DATE)"


_BUCKETS = {Granularity.DAY: shanghai_day, Granularity.WEEK: shanghai_week, Granularity.MONTH: shanghai_month}


def bucket(column, by: Granularity):
    """The SQL expression naming the day, week or month of ``column`` (a stored UTC time)."""
    return _BUCKETS[Granularity(by)](column)


def in_period(column, period: Period):
    return column >= period.start, column < period.end
