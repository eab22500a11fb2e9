"""签到: once per Shanghai calendar day, with a streak and the ``checkin_points`` cycle
(docs/money-and-rules.md, "Check-in").

Exactly once is the unique (user, day) key's doing, not a look before the insert: of twenty check-ins sent at
once, one row is written and the others are refused with ``already_checked_in``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import clock
from domain.errors import Conflict, Invalid
from domain.members.errors import MemberError
from domain.members.growth import GrowthChange, record_growth
from domain.models import CheckIn, GrowthKind, User
from domain.settings.service import get_settings


@dataclass(frozen=True)
class CheckInStatus:
    checked_in_today: bool
    streak: int  # consecutive days up to today (or up to yesterday, while today is still open); 0 when broken
    points_today: int  # what today's check-in gave, or will give
    month: list[str]  # the days of the month shown with a check-in, "YYYY-MM-DD"
    today: str
    checkin_points: list[int]  # the cycle, for the calendar's "day N: +P"
    next_points: int  # what tomorrow's check-in gives if the streak holds


def today() -> date:
    return clock.local(clock.now()).date()


def points_for(streak: int, cycle: list[int]) -> int:
    """Streak day 1 takes the cycle's first entry; after its last entry the cycle starts again."""
    return cycle[(streak - 1) % len(cycle)]


def check_in(session: Session, *, user: User) -> CheckInStatus:
    day = today()
    cycle = get_settings(session).checkin_points
    yesterday = session.scalar(select(CheckIn.streak).where(CheckIn.user_id == user.id,
                                                            CheckIn.day == day - timedelta(days=1)))
    streak = (yesterday or 0) + 1
    points = points_for(streak, cycle)
    try:
        with session.begin_nested():
            session.add(CheckIn(user_id=user.id, day=day, streak=streak, points=points))
    except IntegrityError:
        raise Conflict(MemberError.ALREADY_CHECKED_IN, "今天已经签到过了，明天再来吧") from None
    record_growth(session, [GrowthChange(user_id=user.id, kind=GrowthKind.CHECK_IN, points=points,
                                         key=f"check_in:{user.id}:{day.isoformat()}", ref=day.isoformat())])
    return check_in_status(session, user=user)


def check_in_status(session: Session, *, user: User, month: str | None = None) -> CheckInStatus:
    """Where the shopper stands today, and the calendar of ``month`` ("YYYY-MM", default this month)."""
    day = today()
    first = _month_start(month) if month else day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    cycle = get_settings(session).checkin_points
    rows = dict(session.execute(
        select(CheckIn.day, CheckIn).where(CheckIn.user_id == user.id, or_(
            CheckIn.day.between(first, after - timedelta(days=1)), CheckIn.day.in_([day, day - timedelta(days=1)])))
    ).all())
    done, previous = rows.get(day), rows.get(day - timedelta(days=1))
    if done is not None:
        streak, points_today = done.streak, done.points
    else:
        streak = previous.streak if previous is not None else 0
        points_today = points_for(streak + 1, cycle)
    return CheckInStatus(
        checked_in_today=done is not None, streak=streak, points_today=points_today,
        month=sorted(d.isoformat() for d in rows if first <= d < after), today=day.isoformat(),
        checkin_points=list(cycle), next_points=points_for((streak if done else streak + 1) + 1, cycle),
    )


def _month_start(month: str) -> date:
    try:
        year, number = (int(part) for part in month.split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        return date(year, number, 1)
    except ValueError:
        raise Invalid(MemberError.INVALID_MONTH, "月份格式应为 YYYY-MM（2000–2100 年）") from None
