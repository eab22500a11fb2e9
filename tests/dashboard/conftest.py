"""Dashboard tests drive the real Streamlit app (``AppTest``) against the real, committed test database:
AppTest runs the script in its own thread with its own sessions, so the data must be committed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.screens import SCREENS
from domain.db import unit_of_work
from domain.security.actor import Actor
from tests.builders import make_staff

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PASSWORD = "pass-word-123"


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30)


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key=state.LOGIN_USERNAME).set_value(username)
    at.text_input(key=state.LOGIN_PASSWORD).set_value(password)
    return at.button(key=state.LOGIN_SUBMIT).click().run()


def visible_screens(at: AppTest) -> set[str]:
    """The screens st.navigation registered for this session: AppTest refuses to switch to any other."""
    visible = set()
    for screen in SCREENS:
        try:
            at.switch_page(screen.file)
        except ValueError:
            continue
        visible.add(screen.file)
    return visible


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Cached reads (analytics) live for the test process; each test starts without them."""
    st.cache_data.clear()


@pytest.fixture
def staff(committed) -> Callable[[str], str]:
    """Create a committed staff member with ``role``; returns the username (password: PASSWORD)."""

    def create(role: str) -> str:
        with unit_of_work(committed) as session:
            return make_staff(session, role, password=PASSWORD).username

    return create


@pytest.fixture
def signed_in(staff) -> Callable[[str], AppTest]:
    """A dashboard session signed in through the login form with a new staff member of ``role``."""

    def open_as(role: str) -> AppTest:
        at = sign_in(new_app().run(), staff(role))
        assert not at.exception, at.exception
        return at

    return open_as


def open_screen(at: AppTest, file: str) -> AppTest:
    at.switch_page(file).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def open_as(committed) -> Callable[[str, str], AppTest]:
    """The app on screen ``file``, signed in as a new staff member of ``role``.

    Signing in through the form is tested in test_sign_in_and_navigation.py; here the signed-in state is set
    directly, which saves a run and a password hash check per test. The app still reloads the staff member
    from the database on every run.
    """

    def open_(role: str, file: str) -> AppTest:
        with unit_of_work(committed) as session:
            member = make_staff(session, role, password=PASSWORD)
            who = state.SignedIn(actor=Actor.of(member), display_name=member.username)
        at = new_app()
        at.session_state[state.SIGNED_IN] = who
        at.run()
        return open_screen(at, file)

    return open_


def sandbox_records(sandbox_url: str, kind: str) -> list[dict]:
    """What the WeChat sandbox received (shipping, refund, transfer, ...) during this test run."""
    return httpx.get(sandbox_url + "records", params={"kind": kind}).json()["items"]


def fail_next(sandbox_url: str, kind: str, code: str = "SYSTEMERROR") -> None:
    """Make the sandbox refuse the next WeChat call of ``kind`` (pay, refund, transfer, shipping)."""
    httpx.post(sandbox_url + "control/fail-next", json={"kind": kind, "code": code}).raise_for_status()


def texts(at: AppTest, kind: str) -> list[str]:
    """The values of every element of ``kind`` (success, error, warning, info, markdown, caption)."""
    return [e.value for e in getattr(at, kind)]


def table(at: AppTest, column: str) -> list[dict]:
    """The rows of the first table on the screen that has ``column``."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value.to_dict("records")
    raise AssertionError(f"no table with a {column!r} column")
