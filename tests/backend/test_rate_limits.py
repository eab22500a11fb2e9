"""Rate limits on login, binding and withdrawals, counted in the database across workers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.config import get_config
from domain.errors import RateLimited
from domain.security.ratelimit import check_rate


def test_the_limit_counts_per_key_per_minute(committed):
    for _ in range(3):
        check_rate("test", "k1", 3)
    with pytest.raises(RateLimited):
        check_rate("test", "k1", 3)
    check_rate("test", "k2", 3)  # another key has its own count


def test_login_and_bind_answer_429_past_the_limit(committed, sandbox_url, monkeypatch):
    from backend.app import create_app

    monkeypatch.setattr(get_config(), "rate_limit_login_per_minute", 3)
    monkeypatch.setattr(get_config(), "rate_limit_bind_per_minute", 2)
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        answers = [client.post("/api/v1/auth/login", json={"code": "sandbox-limited"}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[-1].json()["error"]["code"] == "rate_limited"
        headers = {"Authorization": f"Bearer {answers[0].json()['token']}"}
        binds = [client.post("/api/v1/distribution/bind", json={"invite_code": "NOPE2345"}, headers=headers)
                 for _ in range(3)]
        assert [b.status_code for b in binds] == [404, 404, 429]  # refused attempts count too
