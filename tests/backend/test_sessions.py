"""Sessions end: logout ends a shopper's or a staff token at once, staff tokens expire after
``MALL_STAFF_TOKEN_HOURS``, and the dashboard's 退出登录 ends the token it signed in with (from its login form or
its session cookie)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboard import state
from domain import clock
from domain.config import get_config
from domain.db import unit_of_work
from domain.models import Staff, StaffToken
from domain.staff.errors import StaffError
from domain.staff.service import issue_staff_token, staff_for_token
from domain.users.errors import UserError
from tests.builders import make_staff
from tests.refusals import refused

PASSWORD = "pass-word-123"  # make_staff's


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- the API -------------------------------------------------------------------------------------------------------

def test_shopper_logout_ends_that_token_only(client, shopper):
    phone, _ = shopper("leaver")
    tablet, _ = shopper("leaver")
    assert client.get("/api/v1/me", headers=phone).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=phone).status_code == 204
    refused(UserError.INVALID_TOKEN, client.get("/api/v1/me", headers=phone), status=401)
    refused(UserError.INVALID_TOKEN, client.post("/api/v1/auth/logout", headers=phone), status=401)
    assert client.get("/api/v1/me", headers=tablet).status_code == 200  # the shopper's other device


def test_shopper_logout_needs_a_token(client):
    refused(UserError.MISSING_TOKEN, client.post("/api/v1/auth/logout"), status=401)


def test_a_shopper_token_is_not_a_staff_token(client, shopper):
    headers, _ = shopper("not-staff")
    refused(StaffError.INVALID_TOKEN, client.post("/api/v1/admin/auth/logout", headers=headers), status=401)
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_staff_logout_ends_the_token(client, staff_headers):
    headers = staff_headers("finance")
    other = staff_headers("owner")
    assert client.get("/api/v1/admin/withdrawals", headers=headers).status_code == 200
    assert client.post("/api/v1/admin/auth/logout", headers=headers).status_code == 204
    refused(StaffError.INVALID_TOKEN, client.get("/api/v1/admin/withdrawals", headers=headers), status=401)
    refused(StaffError.INVALID_TOKEN, client.post("/api/v1/admin/auth/logout", headers=headers), status=401)
    assert client.get("/api/v1/admin/settings", headers=other).status_code == 200


def test_staff_logout_needs_a_token(client):
    refused(UserError.MISSING_TOKEN, client.post("/api/v1/admin/auth/logout"), status=401)


def test_staff_tokens_expire_after_the_configured_hours(client, staff_headers):
    assert get_config().staff_token_hours == 12  # MALL_STAFF_TOKEN_HOURS' default
    clock.freeze(clock.now())
    headers = staff_headers("owner")
    clock.advance(timedelta(hours=12) - timedelta(seconds=1))
    assert client.get("/api/v1/admin/settings", headers=headers).status_code == 200
    clock.advance(timedelta(seconds=1))
    refused(StaffError.INVALID_TOKEN, client.get("/api/v1/admin/settings", headers=headers), status=401)


def test_the_staff_token_hours_are_a_setting(client, staff_headers, monkeypatch):
    monkeypatch.setattr(get_config(), "staff_token_hours", 1)
    clock.freeze(clock.now())
    headers = staff_headers("owner")
    clock.advance(timedelta(minutes=59))
    assert client.get("/api/v1/admin/settings", headers=headers).status_code == 200
    clock.advance(timedelta(minutes=1))
    refused(StaffError.INVALID_TOKEN, client.get("/api/v1/admin/settings", headers=headers), status=401)


def test_shopper_tokens_still_last_their_days(client, shopper):
    clock.freeze(clock.now())
    headers, _ = shopper("stayer")
    clock.advance(timedelta(days=get_config().shopper_token_days) - timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(timedelta(seconds=1))
    refused(UserError.INVALID_TOKEN, client.get("/api/v1/me", headers=headers), status=401)


# --- the dashboard -------------------------------------------------------------------------------------------------

@pytest.fixture
def owner(committed) -> str:
    with unit_of_work(committed) as session:
        return make_staff(session, "owner", password=PASSWORD).username


def tokens_of(committed, username: str) -> int:
    with unit_of_work(committed) as session:
        staff = session.scalar(select(Staff).where(Staff.username == username))
        return len(session.scalars(select(StaffToken).where(StaffToken.staff_id == staff.id)).all())


def test_the_dashboard_signs_in_with_a_token_and_logout_ends_it(committed, owner):
    from tests.dashboard.conftest import new_app, sign_in, visible_screens

    at = sign_in(new_app().run(), owner)
    token = at.session_state[state.STAFF_TOKEN]
    with unit_of_work(committed) as session:
        assert staff_for_token(session, token).username == owner
    at.sidebar.button(key=state.LOGOUT).click().run()
    assert visible_screens(at) == set()
    assert state.STAFF_TOKEN not in at.session_state
    with unit_of_work(committed) as session, refused(StaffError.INVALID_TOKEN, status=401):
        staff_for_token(session, token)
    assert tokens_of(committed, owner) == 0


def test_logout_ends_the_token_a_session_cookie_brought(committed, owner, monkeypatch):
    from dashboard.components import session as staff_session
    from tests.dashboard.conftest import new_app, visible_screens

    with unit_of_work(committed) as session:
        token = issue_staff_token(session, staff=session.scalar(select(Staff).where(Staff.username == owner)))
    cookie = staff_session.seal(token, clock.now() + timedelta(hours=get_config().staff_token_hours))
    monkeypatch.setattr(staff_session, "cookie_from_browser", lambda: cookie)  # what a reload's browser sends
    at = new_app()
    at.run()
    assert visible_screens(at)
    at.sidebar.button(key=state.LOGOUT).click().run()
    assert visible_screens(at) == set()
    with unit_of_work(committed) as session, refused(StaffError.INVALID_TOKEN, status=401):
        staff_for_token(session, token)


def test_a_dashboard_session_ends_when_its_token_expires(committed, owner):
    from tests.dashboard.conftest import new_app, sign_in, visible_screens

    clock.freeze(clock.now())
    at = sign_in(new_app().run(), owner)
    clock.advance(timedelta(hours=12) - timedelta(seconds=1))
    at.run()
    assert visible_screens(at)
    clock.advance(timedelta(seconds=1))
    at.run()
    assert visible_screens(at) == set()
    assert at.button(key=state.LOGIN_SUBMIT)


def test_a_dashboard_session_ends_when_its_token_is_logged_out_elsewhere(committed, owner):
    from fastapi.testclient import TestClient

    from backend.app import create_app
    from tests.dashboard.conftest import new_app, sign_in, visible_screens

    at = sign_in(new_app().run(), owner)
    with TestClient(create_app(), raise_server_exceptions=False) as api:
        ended = api.post("/api/v1/admin/auth/logout", headers=bearer(at.session_state[state.STAFF_TOKEN]))
    assert ended.status_code == 204
    at.run()
    assert visible_screens(at) == set()
