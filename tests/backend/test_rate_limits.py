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
from domain.db import unit_of_work
from domain.distribution.errors import DistributionError
from domain.errors import CommonError
from domain.security.ratelimit import Counter, check_rate
from tests.builders import make_staff
from tests.conftest import requires_postgres
from tests.refusals import refused

PASSWORD = "pass-word-123"  # make_staff's


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


# --- whose address is it: X-Forwarded-For only from a trusted proxy ------------------------------------------------

def app_client(peer: str = "203.0.113.9") -> TestClient:
    """The real app on the committed database, seen from ``peer`` (the address of the TCP connection)."""
    from backend.app import create_app

    return TestClient(create_app(), raise_server_exceptions=False, client=(peer, 50000))


def shopper_logins(client: TestClient, count: int, **headers) -> list[int]:
    return [client.post("/api/v1/auth/login", json={"code": f"sandbox-p{i}"}, headers=headers).status_code
            for i in range(count)]


@pytest.mark.parametrize(("trusted", "peer", "forwarded", "address"), [
    ("", "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # nobody is trusted by default
    ("10.0.0.0/8", "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # a client that reaches the API directly
    ("10.0.0.0/8", "10.0.0.5", "198.51.100.1", "198.51.100.1"),
    ("10.0.0.0/8", "10.0.0.5", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # what the client wrote comes first
    ("10.0.0.0/8, 192.0.2.7", "10.0.0.5", "198.51.100.1, 192.0.2.7", "198.51.100.1"),  # two proxies
    ("10.0.0.0/8", "10.0.0.5", "10.0.0.6", "10.0.0.5"),  # only proxies: the first one's peer is all we know
    ("10.0.0.0/8", "10.0.0.5", "not-an-address", "10.0.0.5"),
    ("10.0.0.0/8", "10.0.0.5", "", "10.0.0.5"),
    ("::1", "::1", "2001:db8::1", "2001:db8::1"),
    ("10.0.0.0/8", "testclient", "198.51.100.1", "testclient"),
])
def test_the_client_address_believes_x_forwarded_for_only_from_a_trusted_proxy(monkeypatch, trusted, peer,
                                                                                forwarded, address):
    from domain.security.ratelimit import client_address

    monkeypatch.setattr(get_config(), "trusted_proxies", trusted)
    assert client_address(peer, forwarded) == address


def test_x_forwarded_for_from_an_untrusted_peer_buys_no_new_count(committed, sandbox_url, monkeypatch, minute):
    monkeypatch.setattr(get_config(), "rate_limit_login_per_minute", 2)
    monkeypatch.setattr(get_config(), "trusted_proxies", "10.0.0.0/8")
    with app_client("203.0.113.9") as client:
        answers = [client.post("/api/v1/auth/login", json={"code": "sandbox-xff"},
                               headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(3)]
    assert answers == [200, 200, 429]


def test_a_trusted_proxy_counts_each_client_apart(committed, sandbox_url, monkeypatch, minute):
    monkeypatch.setattr(get_config(), "rate_limit_login_per_minute", 2)
    monkeypatch.setattr(get_config(), "trusted_proxies", "10.0.0.0/8")
    with app_client("10.0.0.5") as proxy:
        first = shopper_logins(proxy, 2, **{"X-Forwarded-For": "198.51.100.1"})
        # The same client, however it disguises itself in front of the proxy's own entry.
        spoofed = shopper_logins(proxy, 1, **{"X-Forwarded-For": "6.6.6.6, 198.51.100.1"})
        other = shopper_logins(proxy, 2, **{"X-Forwarded-For": "198.51.100.2"})
    assert (first, spoofed, other) == ([200, 200], [429], [200, 200])


def _wait_for_a_fresh_minute() -> None:
    """A real server counts by the wall clock: start a few-request test well inside a minute."""
    import time

    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


@pytest.mark.parametrize(("trusted", "answers"), [
    ("", [200, 200, 429]),  # uvicorn's own default would believe 127.0.0.1; serve does not
    ("127.0.0.1", [200, 200, 200]),
])
def test_serve_believes_x_forwarded_for_only_from_the_trusted_proxies(committed, sandbox_url, trusted, answers):
    import httpx

    from tests.support import free_port, running

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"MALL_PUBLIC_URL": url, "MALL_RATE_LIMIT_LOGIN_PER_MINUTE": "2", "MALL_TRUSTED_PROXIES": trusted}
    with running(["serve", "--port", str(port)], url + "/healthz", env=env, log_name="api-proxies"):
        _wait_for_a_fresh_minute()
        got = [httpx.post(url + "/api/v1/auth/login", json={"code": "sandbox-proxied"},
                          headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(3)]
    assert got == answers


# --- what is counted: shopper and staff logins apart, binds and withdrawals per shopper and per address ------------

def test_shopper_and_staff_logins_count_apart(committed, sandbox_url, monkeypatch, minute):
    monkeypatch.setattr(get_config(), "rate_limit_login_per_minute", 2)
    with unit_of_work(committed) as session:
        username = make_staff(session, "owner").username
    with app_client() as client:
        shoppers = shopper_logins(client, 3)
        staff = [client.post("/api/v1/admin/auth/login", json={"username": username, "password": PASSWORD})
                 for _ in range(3)]
    assert shoppers == [200, 200, 429]
    assert [s.status_code for s in staff] == [200, 200, 429]
    refused(CommonError.RATE_LIMITED, staff[-1], status=429)


def bind(client: TestClient, token: str) -> int:
    return client.post("/api/v1/distribution/bind", json={"invite_code": "NOPE2345"},
                       headers={"Authorization": f"Bearer {token}"}).status_code


def login_token(client: TestClient, name: str) -> str:
    answer = client.post("/api/v1/auth/login", json={"code": f"sandbox-{name}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def test_a_fresh_token_buys_no_new_binds(committed, sandbox_url, monkeypatch, minute):
    monkeypatch.setattr(get_config(), "rate_limit_bind_per_minute", 2)
    with app_client() as client:
        first, second = login_token(client, "binder"), login_token(client, "binder")
        assert [bind(client, first), bind(client, first)] == [404, 404]
        assert bind(client, second) == 429  # the same shopper, logged in again
        assert bind(client, login_token(client, "neighbour")) == 404  # another shopper at the same address


def test_an_address_binds_at_most_its_share(committed, sandbox_url, monkeypatch, minute):
    from domain.security.ratelimit import ADDRESS_SHARE

    monkeypatch.setattr(get_config(), "rate_limit_bind_per_minute", 1)
    with app_client("203.0.113.9") as client:
        tokens = [login_token(client, f"nat{i}") for i in range(ADDRESS_SHARE + 1)]
        answers = [bind(client, token) for token in tokens]
        no_token = client.post("/api/v1/distribution/bind", json={"invite_code": "NOPE2345"})
    assert answers == [404] * ADDRESS_SHARE + [429]
    assert no_token.status_code == 429  # counted on its address, before the sign-in check
    with app_client("203.0.113.10") as elsewhere:
        assert bind(elsewhere, login_token(elsewhere, "nat-elsewhere")) == 404


def test_a_fresh_token_buys_no_new_withdrawal_requests(committed, sandbox_url, monkeypatch, minute):
    monkeypatch.setattr(get_config(), "rate_limit_withdraw_per_minute", 1)
    with app_client() as client:
        tokens = [login_token(client, "withdrawer") for _ in range(2)]
        answers = [client.post("/api/v1/distribution/withdrawals", json={"amount_fen": 100},
                               headers={"Authorization": f"Bearer {token}"}) for token in tokens]
    assert answers[0].status_code != 429, answers[0].text  # refused on its merits (not a distributor)
    refused(CommonError.RATE_LIMITED, answers[1], status=429)


# --- staff logins: an attack on a username slows the attacker, not the owner ---------------------------------------

@pytest.fixture
def staff_limits(committed, monkeypatch, minute):
    """Small limits for staff logins, and one staff member (the owner); returns the username."""
    for setting, value in {"rate_limit_login_per_minute": 10, "rate_limit_staff_pair_failures": 3,
                           "rate_limit_staff_account_failures": 6, "rate_limit_staff_window_minutes": 15}.items():
        monkeypatch.setattr(get_config(), setting, value)
    with unit_of_work(committed) as session:
        return make_staff(session, "owner").username


def staff_login(username: str, password: str, *, peer: str) -> int:
    with app_client(peer) as client:
        return client.post("/api/v1/admin/auth/login", json={"username": username, "password": password}).status_code


def test_failures_from_one_address_lock_that_address_out_of_that_username(staff_limits):
    owner = staff_limits
    assert [staff_login(owner, "guess", peer="198.51.100.66") for _ in range(3)] == [401, 401, 401]
    # Locked: the right password from that address is refused too, without being checked.
    assert staff_login(owner, PASSWORD, peer="198.51.100.66") == 429
    assert staff_login("someone-else", "guess", peer="198.51.100.66") == 401  # other usernames are their own pairs
    assert staff_login(owner, PASSWORD, peer="203.0.113.20") == 200  # the owner, elsewhere


def test_the_owner_from_another_address_gets_in_while_the_attacker_is_limited(staff_limits):
    owner = staff_limits
    attackers = [f"198.51.100.{i}" for i in range(1, 7)]
    # Six addresses fail once each: the username is now under attack (6 failures in its window).
    assert [staff_login(owner, "guess", peer=a) for a in attackers] == [401] * 6
    # An address that has already failed on it is refused; a fresh one still gets its one try.
    assert staff_login(owner, "guess-again", peer=attackers[0]) == 429
    assert staff_login(owner, PASSWORD, peer=attackers[0]) == 429
    assert staff_login(owner, "guess", peer="198.51.100.99") == 401
    assert staff_login(owner, "guess", peer="198.51.100.99") == 429
    # The owner, from an address with no failure on the username, signs in.
    assert staff_login(owner, PASSWORD, peer="203.0.113.20") == 200


def test_a_flooding_address_is_slowed_whatever_the_username(staff_limits):
    answers = [staff_login(f"nobody{i}", "guess", peer="198.51.100.66") for i in range(11)]
    assert answers == [401] * 10 + [429]
    assert staff_login(staff_limits, PASSWORD, peer="203.0.113.20") == 200


def test_a_success_clears_its_address_and_gives_its_count_back(staff_limits):
    owner = staff_limits
    here = "203.0.113.20"
    assert [staff_login(owner, p, peer=here) for p in ("typo", "typo", PASSWORD)] == [401, 401, 200]
    # The two typos are forgiven at this address: three more failures before the lock.
    assert [staff_login(owner, "typo", peer=here) for _ in range(4)] == [401, 401, 401, 429]


def test_a_lock_ends_with_its_window(staff_limits, minute):
    owner = staff_limits
    assert [staff_login(owner, "guess", peer="198.51.100.66") for _ in range(4)] == [401, 401, 401, 429]
    window = Counter("login.staff.pair", "any", timedelta(minutes=15)).window(minute)
    clock.freeze(window + timedelta(minutes=14, seconds=59))
    assert staff_login(owner, PASSWORD, peer="198.51.100.66") == 429
    clock.freeze(window + timedelta(minutes=15))
    assert staff_login(owner, PASSWORD, peer="198.51.100.66") == 200


def test_dashboard_and_api_share_the_staff_counts(staff_limits):
    from tests.dashboard.conftest import new_app, sign_in

    owner = staff_limits
    # The dashboard sees a browser on this machine as 127.0.0.1.
    assert [staff_login(owner, "guess", peer="127.0.0.1") for _ in range(3)] == [401, 401, 401]
    at = sign_in(new_app().run(), owner, PASSWORD)
    assert [e.value for e in at.error] == ["操作太频繁，请稍后再试"]
    assert "signed_in" not in at.session_state


# --- old windows go -----------------------------------------------------------------------------------------------

def test_the_purge_job_deletes_old_windows_and_expired_tokens(committed, minute):
    from sqlalchemy import func, select

    from domain.jobs import get_job, run_job
    from domain.models import RateLimitWindow, StaffToken, UserToken
    from domain.security.actor import Actor
    from domain.staff.service import issue_staff_token
    from domain.users.service import issue_token
    from tests.builders import make_user

    for moment, key in ((minute - timedelta(days=31), "old"), (minute, "new")):
        clock.freeze(moment)
        check_rate("test", key, 5)
        with unit_of_work(committed) as session:
            member = make_staff(session, "support")
            issue_token(session, user=make_user(session))
            issue_staff_token(session, staff=member)
            support = Actor.of(member)
    assert get_job("purge-expired").every == timedelta(hours=1)
    with refused(CommonError.FORBIDDEN):
        run_job("purge-expired", actor=support)
    assert run_job("purge-expired") == 3
    with unit_of_work(committed) as session:
        assert session.scalars(select(RateLimitWindow.key)).all() == ["test:new"]
        assert session.scalar(select(func.count()).select_from(UserToken)) == 1
        assert session.scalar(select(func.count()).select_from(StaffToken)) == 1


@requires_postgres
def test_concurrent_logins_on_one_username_and_address_never_deadlock(staff_limits, monkeypatch):
    """A success clears its pair and gives back its count while other attempts on the same rows are counted."""
    from concurrent.futures import ThreadPoolExecutor

    from domain.errors import RateLimited, Unauthorized
    from domain.staff.errors import StaffError
    from domain.staff.service import log_in

    monkeypatch.setattr(get_config(), "rate_limit_login_per_minute", 1000)
    monkeypatch.setattr(get_config(), "rate_limit_staff_pair_failures", 1000)
    monkeypatch.setattr(get_config(), "rate_limit_staff_account_failures", 1000)
    owner = staff_limits

    def attempt(i: int) -> str:
        try:
            with unit_of_work() as session:
                log_in(session, username=owner, password=PASSWORD if i % 2 else "guess", address="203.0.113.20")
        except (Unauthorized, RateLimited) as refusal:
            return refusal.code
        return "ok"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(32)))
    assert outcomes.count("ok") == 16
    assert set(outcomes) == {"ok", StaffError.INVALID_CREDENTIALS}
