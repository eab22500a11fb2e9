"""签到: once per Shanghai day, the streak and the ``checkin_points`` cycle, in exact points
(docs/money-and-rules.md, "Check-in")."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain import clock
from domain.members.checkin import check_in, check_in_status
from domain.members.errors import MemberError
from domain.members.service import ensure_default_levels, member_summary
from domain.models import CheckIn, GrowthEntry, GrowthKind
from domain.settings.service import update_settings
from tests.builders import make_user
from tests.refusals import refused

DAY = timedelta(days=1)


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=clock.SHANGHAI)


@pytest.fixture
def member(db):
    ensure_default_levels(db)
    return make_user(db)


def test_the_cycle_runs_across_a_month_boundary_and_restarts_after_its_last_day(db, member):
    clock.freeze(shanghai("2026-01-28 09:00"))  # the default cycle: 5 5 5 10 10 10 20
    points = []
    for _ in range(9):
        points.append(check_in(db, user=member).points_today)
        clock.advance(DAY)
    assert points == [5, 5, 5, 10, 10, 10, 20, 5, 5]  # Jan 28 … Feb 5: February's first days carry the streak on
    db.refresh(member)
    assert member.growth == sum(points) == 75
    status = check_in_status(db, user=member, month="2026-02")
    assert status.month == [f"2026-02-0{d}" for d in range(1, 6)]
    assert check_in_status(db, user=member, month="2026-01").month == ["2026-01-28", "2026-01-29", "2026-01-30",
                                                                       "2026-01-31"]
    streaks = db.scalars(select(CheckIn.streak).where(CheckIn.user_id == member.id).order_by(CheckIn.day)).all()
    assert streaks == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_a_missed_day_starts_the_streak_again(db, member):
    clock.freeze(shanghai("2026-03-01 08:00"))
    assert check_in(db, user=member).points_today == 5
    clock.advance(DAY)
    check_in(db, user=member)
    clock.advance(DAY)
    assert check_in(db, user=member).streak == 3
    clock.advance(2 * DAY)  # March 4 missed
    before = check_in_status(db, user=member)
    assert (before.checked_in_today, before.streak, before.points_today) == (False, 0, 5)
    after = check_in(db, user=member)
    assert (after.checked_in_today, after.streak, after.points_today, after.next_points) == (True, 1, 5, 5)
    db.refresh(member)
    assert member.growth == 5 + 5 + 5 + 5


def test_the_day_is_shanghai_s_day_not_utc_s(db, member):
    clock.freeze(shanghai("2026-04-10 23:50"))  # 15:50 UTC
    check_in(db, user=member)
    clock.advance(timedelta(minutes=20))  # 00:10 in Shanghai, still April 10 in UTC
    status = check_in(db, user=member)
    assert (status.today, status.streak, status.points_today) == ("2026-04-11", 2, 5)


def test_a_second_check_in_on_the_same_day_is_refused_and_gives_nothing(db, member):
    clock.freeze(shanghai("2026-05-01 07:00"))
    check_in(db, user=member)
    clock.advance(timedelta(hours=16))  # 23:00, the same Shanghai day
    with refused(MemberError.ALREADY_CHECKED_IN, status=409):
        check_in(db, user=member)
    assert db.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.user_id == member.id)) == 1
    entries = db.execute(select(GrowthEntry.kind, GrowthEntry.points, GrowthEntry.ref)
                         .where(GrowthEntry.user_id == member.id)).all()
    assert entries == [(GrowthKind.CHECK_IN, 5, "2026-05-01")]


def test_the_status_before_checking_in_says_what_today_gives(db, member):
    update_settings(db, {"checkin_points": [1, 2, 3]})
    clock.freeze(shanghai("2026-06-01 12:00"))
    first = check_in_status(db, user=member)
    assert (first.checked_in_today, first.streak, first.points_today, first.next_points, first.checkin_points) == \
        (False, 0, 1, 2, [1, 2, 3])
    check_in(db, user=member)
    clock.advance(DAY)
    check_in(db, user=member)
    clock.advance(DAY)
    status = check_in_status(db, user=member)  # a streak of 2 so far: today is day 3
    assert (status.streak, status.points_today, status.next_points) == (2, 3, 1)
    assert check_in(db, user=member).points_today == 3
    clock.advance(DAY)
    assert check_in(db, user=member).points_today == 1  # after the cycle's last entry it starts again


def test_check_in_growth_moves_the_level(db, member):
    update_settings(db, {"checkin_points": [1000]})
    clock.freeze(shanghai("2026-07-01 09:00"))
    check_in(db, user=member)
    db.refresh(member)
    assert member_summary(db, member).name == "银卡会员"


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "0000-01", "9999-12", "2026-1-1"])
def test_a_month_outside_the_calendar_is_refused(db, member, month):
    with refused(MemberError.INVALID_MONTH, status=422):
        check_in_status(db, user=member, month=month)
