"""Dashboard tests drive the real Streamlit app (``AppTest``) against the real, committed test database:
AppTest runs the script in its own thread with its own sessions, so the data must be committed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.screens import SCREENS
from domain.db import unit_of_work
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
