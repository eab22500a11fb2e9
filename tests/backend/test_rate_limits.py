"""Rate limits on login, binding and withdrawals, counted in the database across workers.

The windows are fixed calendar minutes, so every test stops the clock (``domain.clock``) where it needs it rather
than hoping the wall clock does not turn a minute mid-test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from domain import clock
from domain.config import get_config
from domain.distribution.errors import DistributionError
from domain.errors import CommonError
from domain.security.ratelimit import check_rate
from tests.refusals import refused


@pytest.fixture
def minute():
    """The start of a calendar minute, with the clock stopped there."""
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    clock.freeze(start)
    return start


def test_the_limit_counts_per_key_per_minute(committed, minute):
    for second in (0, 30, 59):
        clock.freeze(minute + timedelta(seconds=second))
        check_rate("test", "k1", 3)
    with refused(CommonError.RATE_LIMITED, status=429):
        check_rate("test", "k1", 3)
    check_rate("test", "k2", 3)  # another key has its own count


def test_the_window_resets_when_the_clock_moves_a_minute_on(committed, minute):
    clock.freeze(minute + timedelta(seconds=50))
    for _ in range(3):
        check_rate("test", "k1", 3)
    with refused(CommonError.RATE_LIMITED):
        check_rate("test", "k1", 3)
    clock.advance(timedelta(seconds=9))  # 0:59, still the same minute
    with refused(CommonError.RATE_LIMITED):
        check_rate("test", "k1", 3)
    clock.advance(timedelta(seconds=1))  # 1:00, a new window: three more, then refused again
    for _ in range(3):
        check_rate("test", "k1", 3)
    with refused(CommonError.RATE_LIMITED):
        check_rate("test", "k1", 3)


def test_no_limit_means_no_count(committed, minute):
    for _ in range(50):
        check_rate("test", "k1", 0)


def test_login_and_bind_answer_429_past_the_limit(committed, sandbox_url, monkeypatch, minute):
    from backend.app import create_app

    monkeypatch.setattr(get_config(), "rate_limit_login_per_minute", 3)
    monkeypatch.setattr(get_config(), "rate_limit_bind_per_minute", 2)
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        answers = [client.post("/api/v1/auth/login", json={"code": "sandbox-limited"}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused(CommonError.RATE_LIMITED, answers[-1], status=429)
        headers = {"Authorization": f"Bearer {answers[0].json()['token']}"}
        binds = [client.post("/api/v1/distribution/bind", json={"invite_code": "NOPE2345"}, headers=headers)
                 for _ in range(3)]
        assert [b.status_code for b in binds] == [404, 404, 429]  # refused attempts count too
        refused(DistributionError.INVITE_CODE_NOT_FOUND, binds[0], status=404)
        clock.advance(timedelta(minutes=1))
        again = client.post("/api/v1/auth/login", json={"code": "sandbox-limited"})
        assert again.status_code == 200, again.text
