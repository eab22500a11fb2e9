"""Signing in, the screens each role sees, the language switch and the magic-link token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import state
from dashboard.i18n import STRINGS
from dashboard.screens import SCREENS
from domain.db import unit_of_work
from domain.models import Staff
from domain.staff.service import issue_staff_token
from tests.dashboard.conftest import APP, new_app, open_screen, sign_in, visible_screens

HOME, PRODUCTS, SETTINGS = "views/home.py", "views/products.py", "views/settings.py"
SHORTCUTS = {PRODUCTS: "商品", SETTINGS: "设置"}


def test_wrong_password_shows_the_domain_error_and_keeps_the_login_form(staff):
    username = staff("owner")
    at = sign_in(new_app().run(), username, "not-the-password")
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    assert at.text_input(key=state.LOGIN_USERNAME).value == username
    assert visible_screens(at) == set()
    assert "signed_in" not in at.session_state


def test_signing_in_opens_the_overview_with_shop_name_and_role(signed_in):
    at = signed_in("operator")
    assert [h.value for h in at.header] == ["优选生活馆 · 概览"]
    assert "运营" in at.sidebar.caption[0].value
    assert at.sidebar.button(key=state.LOGOUT).label == "退出登录"
    assert [m.label for m in at.metric] == ["商品总数", "在售商品", "商品分类", "低库存规格"]


@pytest.mark.parametrize(
    ("role", "screens"),
    [
        ("owner", {HOME, PRODUCTS, SETTINGS}),
        ("operator", {HOME, PRODUCTS}),
        ("support", {HOME}),
        ("finance", {HOME}),
        ("analyst", {HOME}),
    ],
)
def test_each_role_sees_only_the_screens_its_permissions_allow(signed_in, role, screens):
    at = signed_in(role)
    assert visible_screens(at) == screens
    # The overview's shortcuts list the same screens.
    assert {link.value for link in at.get("page_link")} == {SHORTCUTS[f] for f in screens - {HOME}}
    for file in screens:
        open_screen(at, file)
        assert at.header, f"{file} shows no header for {role}"
        assert not at.error, [e.value for e in at.error]


def test_support_cannot_reach_products_or_settings(signed_in):
    at = signed_in("support")
    for file in (PRODUCTS, SETTINGS):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(file)


def test_logout_returns_to_the_login_form(signed_in):
    at = signed_in("finance")
    at.sidebar.button(key=state.LOGOUT).click().run()
    assert at.text_input(key=state.LOGIN_USERNAME).label == "用户名"
    assert visible_screens(at) == set()


def test_a_disabled_account_is_signed_out_on_its_next_click(signed_in, committed):
    at = signed_in("operator")
    with unit_of_work(committed) as session:
        session.query(Staff).update({Staff.is_active: False})
    at.run()
    assert visible_screens(at) == set()
    assert at.button(key=state.LOGIN_SUBMIT)


def test_english_switch_changes_labels_and_survives_navigation(signed_in):
    at = signed_in("owner")
    at.sidebar.segmented_control(key=state.LANG_SWITCH).set_value("en").run()
    assert [h.value for h in at.header] == ["优选生活馆 · Overview"]
    assert [m.label for m in at.metric] == ["Products", "On shelf", "Categories", "Low-stock SKUs"]
    assert at.sidebar.button(key=state.LOGOUT).label == "Log out"
    assert "Role: Owner" in at.sidebar.caption[0].value
    open_screen(at, PRODUCTS)
    assert at.header[0].value == "Products"
    open_screen(at, SETTINGS)
    assert at.header[0].value == "Settings"
    at.sidebar.segmented_control(key=state.LANG_SWITCH).set_value("zh").run()
    assert at.header[0].value == "系统设置"


def test_the_login_form_switches_language_before_signing_in():
    at = new_app().run()
    at.sidebar.segmented_control(key=state.LANG_SWITCH).set_value("en").run()
    assert at.text_input(key=state.LOGIN_USERNAME).label == "Username"
    assert at.button(key=state.LOGIN_SUBMIT).label == "Sign in"


def test_magic_link_token_signs_in_and_leaves_the_address_bar(committed, staff):
    username = staff("owner")
    with unit_of_work(committed) as session:
        token = issue_staff_token(session, staff=session.query(Staff).filter_by(username=username).one())
    at = new_app()
    at.query_params["token"] = token
    at.run()
    assert not at.exception
    assert "token" not in at.query_params
    assert visible_screens(at) == {HOME, PRODUCTS, SETTINGS}


def test_an_invalid_magic_link_shows_the_domain_error():
    at = new_app()
    at.query_params["token"] = "forged-token"
    at.run()
    assert [e.value for e in at.error] == ["登录已失效，请重新登录"]
    assert at.button(key=state.LOGIN_SUBMIT)


def test_every_label_has_chinese_and_english():
    used = set()
    for file in Path(APP).parent.rglob("*.py"):
        if file.name == "i18n.py":
            continue
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", file.read_text()))
    used |= {s.title_key for s in SCREENS} | {s.section_key for s in SCREENS}
    missing = sorted(used - set(STRINGS))
    assert not missing, f"labels without a translation: {missing}"
    assert all(zh.strip() and en.strip() for zh, en in STRINGS.values())
