"""Every ``st.session_state`` key the dashboard uses, and the few accessors around them.

Widget keys are made here too (``widget_key``), so that a key never collides and a form can be reset by
bumping its version: Streamlit does not let a script write to a ``data_editor``'s state, so a new key is
the only way to hand the editor fresh data after a save.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from domain.staff.service import Actor

# Plain (non-widget) keys.
SIGNED_IN = "signed_in"  # SignedIn | None
LANG = "lang"  # "zh" | "en"
FLASH = "flash"  # list of messages shown once, after the rerun that follows a save
FORM_VERSIONS = "form_versions"  # {form name: int}
FORM_SNAPSHOTS = "form_snapshots"  # {form name: (version, the record the form shows)}

# Widgets that live outside any screen.
LANG_SWITCH = "sidebar.lang_switch"
LOGOUT = "sidebar.logout"
LOGIN_FORM = "login"
LOGIN_USERNAME = "login.username"
LOGIN_PASSWORD = "login.password"
LOGIN_SUBMIT = "login.submit"

# Screens: their forms (versioned through ``widget_key``) and their other widgets.
PRODUCTS_NEW_FORM = "products.new"
PRODUCTS_CATEGORY_FORM = "products.category"
PRODUCTS_FILTER_Q = "products.filter.q"
PRODUCTS_FILTER_CATEGORY = "products.filter.category"
PRODUCTS_PAGE = "products.page"
PRODUCTS_EDIT_SELECT = "products.edit.select"
SETTINGS_FORM = "settings"


def product_edit_form(product_id: int) -> str:
    return f"products.edit.{product_id}"


def stock_adjust_form(product_id: int) -> str:
    return f"products.stock.{product_id}"

DEFAULT_LANG = "zh"
T = TypeVar("T")


@dataclass(frozen=True)
class SignedIn:
    """Who is using this browser session. Reloaded from the database on every run (see app.py)."""

    actor: Actor
    display_name: str

    @property
    def role(self) -> str:
        return self.actor.role.value


def signed_in() -> SignedIn | None:
    return st.session_state.get(SIGNED_IN)


def sign_in(who: SignedIn) -> None:
    st.session_state[SIGNED_IN] = who


def sign_out() -> None:
    st.session_state.pop(SIGNED_IN, None)


def lang() -> str:
    return st.session_state.get(LANG, DEFAULT_LANG)


def set_lang(value: str) -> None:
    st.session_state[LANG] = value


def flash(message: str) -> None:
    st.session_state.setdefault(FLASH, []).append(message)


def take_flashes() -> list[str]:
    return st.session_state.pop(FLASH, [])


def form_version(form: str) -> int:
    return st.session_state.get(FORM_VERSIONS, {}).get(form, 0)


def reset_form(form: str) -> None:
    """Give every widget of ``form`` a new key, so that it shows fresh data on the next run."""
    versions = st.session_state.setdefault(FORM_VERSIONS, {})
    versions[form] = versions.get(form, 0) + 1


def form_snapshot(form: str, current: T) -> T:
    """The record ``form`` shows: ``current`` when the form (re)opens, then the same until ``reset_form``."""
    snapshots = st.session_state.setdefault(FORM_SNAPSHOTS, {})
    version = form_version(form)
    if form not in snapshots or snapshots[form][0] != version:
        snapshots[form] = (version, current)
    return snapshots[form][1]


def widget_key(form: str, field: str, version: int | None = None) -> str:
    """``products.new.v0.title``: the form, its current version and the field."""
    return f"{form}.v{form_version(form) if version is None else version}.{field}"
