"""The staff session cookie, without a browser: its seal, the one-time codes the page exchanges for it, the two
routes that set and delete it, and a new dashboard session resuming from it (AppTest has no cookies, so the
cookie the browser would send is put in its place). The browser itself: test_staff_session_browser.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard import state
from dashboard.components import session as staff_session
from domain import clock
from domain.config import get_config
from domain.db import unit_of_work
from domain.models import Staff, StaffToken
from domain.staff.errors import StaffError
from domain.staff.service import issue_staff_token, staff_for_token
from tests.dashboard.conftest import PASSWORD, new_app, sign_in, visible_screens
from tests.refusals import refused

JSON = {"Content-Type": "application/json"}


def token_for(committed, username: str) -> str:
    with unit_of_work(committed) as session:
        return issue_staff_token(session, staff=session.scalar(select(Staff).where(Staff.username == username)))


def expiry_of(committed, token: str):
    from domain.security.tokens import token_hash

    with unit_of_work(committed) as session:
        return session.scalar(select(StaffToken.expires_at).where(StaffToken.token_hash == token_hash(token)))


def browser_sends(monkeypatch, cookie: str | None) -> None:
    monkeypatch.setattr(staff_session, "cookie_from_browser", lambda: cookie)


# --- the seal -------------------------------------------------------------------------------------------------------

def test_a_sealed_cookie_gives_its_token_back_until_it_expires():
    clock.freeze(clock.now())
    cookie = staff_session.seal("the-token", clock.now() + timedelta(hours=12))
    assert staff_session.unseal(cookie) == "the-token"
    clock.advance(timedelta(hours=12) - timedelta(seconds=1))
    assert staff_session.unseal(cookie) == "the-token"
    clock.advance(timedelta(seconds=1))
    assert staff_session.unseal(cookie) is None


def test_an_altered_or_foreign_cookie_is_refused(monkeypatch):
    expires = clock.now() + timedelta(hours=12)
    cookie = staff_session.seal("the-token", expires)
    token, expiry, mac = cookie.split(".")
    later = str(int(expiry) + 3600)
    for forged in [f"other-token.{expiry}.{mac}", f"{token}.{later}.{mac}", f"{token}.{expiry}.{mac[:-2]}AA",
                   f"{token}.{expiry}", token, "", "..", f"{token}.soon.{mac}"]:
        assert staff_session.unseal(forged) is None, forged
    assert staff_session.unseal(None) is None
    monkeypatch.setattr(type(get_config()), "secret_key_bytes", lambda self: b"another shop's key" * 2)
    assert staff_session.unseal(cookie) is None


# --- one-time codes -------------------------------------------------------------------------------------------------

def test_a_code_is_exchanged_once():
    expires = clock.now() + timedelta(hours=12)
    code = staff_session.offer("the-token", expires)
    assert staff_session.pending(code)
    assert staff_session.redeem(code) == ("the-token", expires)
    assert not staff_session.pending(code)
    assert staff_session.redeem(code) is None
    assert staff_session.redeem("a-guessed-code") is None


def test_a_code_dies_after_its_seconds(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(staff_session.time, "monotonic", lambda: now[0])
    code = staff_session.offer("the-token", clock.now() + timedelta(hours=12))
    now[0] += staff_session.CODE_SECONDS - 1
    assert staff_session.pending(code)
    now[0] += 1
    assert not staff_session.pending(code)
    assert staff_session.redeem(code) is None


# --- the routes -----------------------------------------------------------------------------------------------------

@pytest.fixture
def server() -> TestClient:
    return TestClient(Starlette(routes=staff_session.ROUTES), base_url="http://dashboard.test")


def test_the_exchange_sets_an_httponly_cookie_that_lasts_as_long_as_the_token(server):
    clock.freeze(clock.now())
    expires = clock.now() + timedelta(hours=12)
    code = staff_session.offer("the-token", expires)
    answer = server.post(staff_session.EXCHANGE_PATH, json={"code": code},
                         headers={"Origin": "http://dashboard.test"})
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    value = cookie.split(";")[0].removeprefix(f"{staff_session.COOKIE}=")
    assert staff_session.unseal(value) == "the-token"
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=strict", f"max-age={12 * 3600}"} <= attributes
    assert "secure" not in attributes  # plain http here; behind https (or a proxy saying so) it is Secure
    again = server.post(staff_session.EXCHANGE_PATH, json={"code": code})
    assert again.status_code == 403 and "set-cookie" not in again.headers


def test_the_exchange_is_secure_behind_https(server):
    code = staff_session.offer("the-token", clock.now() + timedelta(hours=1))
    answer = server.post(staff_session.EXCHANGE_PATH, json={"code": code}, headers={"X-Forwarded-Proto": "https"})
    assert "secure" in {part.strip().lower() for part in answer.headers["set-cookie"].split(";")}


def test_only_the_dashboards_own_page_may_exchange_a_code(server):
    code = staff_session.offer("the-token", clock.now() + timedelta(hours=12))
    # Another site's page: a form post (no JSON, so no CORS preflight), or a fetch naming its own origin.
    as_form = server.post(staff_session.EXCHANGE_PATH, content=f'{{"code": "{code}"}}',
                          headers={"Content-Type": "text/plain"})
    other_site = server.post(staff_session.EXCHANGE_PATH, json={"code": code},
                             headers={"Origin": "https://evil.example"})
    assert (as_form.status_code, other_site.status_code) == (403, 403)
    assert "set-cookie" not in as_form.headers and "set-cookie" not in other_site.headers
    assert staff_session.pending(code)  # refused before the code was looked at
    assert server.post(staff_session.EXCHANGE_PATH, content="not json", headers=JSON).status_code == 400
    assert server.post(staff_session.EXCHANGE_PATH, json={"code": 12}).status_code == 403
    assert server.post(staff_session.EXCHANGE_PATH, json=[code]).status_code == 403
    assert server.get(staff_session.EXCHANGE_PATH).status_code == 405


def test_a_code_for_a_token_that_has_expired_sets_no_cookie(server):
    clock.freeze(clock.now())
    code = staff_session.offer("the-token", clock.now() + timedelta(seconds=30))
    clock.advance(timedelta(seconds=30))
    answer = server.post(staff_session.EXCHANGE_PATH, json={"code": code})
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_the_end_route_deletes_the_cookie(server):
    answer = server.post(staff_session.END_PATH, json={}, headers={"Origin": "http://dashboard.test"})
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f'{staff_session.COOKIE}="";') or cookie.startswith(f"{staff_session.COOKIE}=;")
    assert "max-age=0" in cookie.lower()
    assert server.post(staff_session.END_PATH, content="", headers={"Content-Type": "text/plain"}).status_code == 403


# --- the dashboard --------------------------------------------------------------------------------------------------

def test_signing_in_offers_the_browser_a_code_for_the_token_and_its_expiry(committed, staff):
    at = sign_in(new_app().run(), staff("support"), PASSWORD)
    token = at.session_state[state.STAFF_TOKEN]
    code = at.session_state[state.SESSION_CODE]
    assert code != token and token not in code
    assert staff_session.redeem(code) == (token, expiry_of(committed, token))
    at.run()  # exchanged: the page stops handing it over
    assert state.SESSION_CODE not in at.session_state
    assert visible_screens(at)


def test_a_new_session_resumes_from_the_cookie(committed, staff, monkeypatch):
    username = staff("finance")
    token = token_for(committed, username)
    browser_sends(monkeypatch, staff_session.seal(token, expiry_of(committed, token)))
    at = new_app().run()
    assert not at.exception
    assert at.session_state[state.STAFF_TOKEN] == token
    assert at.session_state[state.SIGNED_IN].actor.username == username
    assert visible_screens(at) == {"views/home.py", "views/commissions.py", "views/withdrawals.py", "views/risk.py"}


@pytest.mark.parametrize("how", ["expired", "logged out", "disabled", "forged"])
def test_a_cookie_whose_session_has_ended_shows_the_login_form(committed, staff, monkeypatch, how):
    username = staff("owner")
    token = token_for(committed, username)
    cookie = staff_session.seal(token, expiry_of(committed, token))
    with unit_of_work(committed) as session:
        if how == "expired":  # as if MALL_STAFF_TOKEN_HOURS had passed: the database says so, the cookie not yet
            session.execute(update(StaffToken).values(expires_at=clock.now() - timedelta(seconds=1)))
        elif how == "logged out":
            session.execute(StaffToken.__table__.delete())
        elif how == "disabled":
            session.execute(update(Staff).where(Staff.username == username).values(is_active=False))
        else:
            cookie = staff_session.seal(token, clock.now() + timedelta(days=365))[:-4] + "AAAA"
    browser_sends(monkeypatch, cookie)
    at = new_app().run()
    assert not at.exception
    assert visible_screens(at) == set()
    assert at.button(key=state.LOGIN_SUBMIT)
    assert [i.value for i in at.info] == ["登录已失效，请重新登录。"]
    assert at.session_state[state.SESSION_ENDED] == "ended"  # and the browser is told to delete the cookie


def test_the_cookie_is_read_once_so_logout_is_not_undone_by_the_cookie_the_session_began_with(
        committed, staff, monkeypatch):
    username = staff("owner")
    token = token_for(committed, username)
    browser_sends(monkeypatch, staff_session.seal(token, expiry_of(committed, token)))
    at = new_app().run()
    assert visible_screens(at)
    at.sidebar.button(key=state.LOGOUT).click().run()
    at.run()
    assert visible_screens(at) == set()
    assert at.session_state[state.SESSION_ENDED] == "logged_out"
    assert [i.value for i in at.info] == []  # a logout is no surprise
    with unit_of_work(committed) as session, refused(StaffError.INVALID_TOKEN, status=401):
        staff_for_token(session, token)


def test_a_role_changed_while_the_cookie_waits_applies_on_resume(committed, staff, monkeypatch):
    username = staff("owner")
    token = token_for(committed, username)
    browser_sends(monkeypatch, staff_session.seal(token, expiry_of(committed, token)))
    with unit_of_work(committed) as session:
        session.execute(update(Staff).where(Staff.username == username).values(role="analyst"))
    at = new_app().run()
    assert visible_screens(at) == {"views/home.py", "views/analytics.py", "views/commission_simulator.py",
                                   "views/risk.py"}
