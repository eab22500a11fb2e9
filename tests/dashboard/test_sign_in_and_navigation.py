"""Signing in, the screens each role sees, the language switch, and a token in the address (the old magic link),
which no longer signs in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.i18n import STRINGS
from dashboard.screens import SCREENS
from dashboard.state import SignedIn
from domain.db import unit_of_work
from domain.models import Staff
from domain.security.actor import Actor
from domain.staff.service import issue_staff_token
from tests.builders import make_staff
from tests.dashboard.conftest import APP, new_app, open_screen, sign_in, visible_screens

HOME, PRODUCTS, SETTINGS = "views/home.py", "views/products.py", "views/settings.py"
ORDERS, REFUNDS, APPLICATIONS, DISTRIBUTORS = ("views/orders.py", "views/refunds.py", "views/applications.py",
                                               "views/distributors.py")
WITHDRAWALS, COMMISSIONS, ANALYTICS, AUDIT = ("views/withdrawals.py", "views/commissions.py", "views/analytics.py",
                                              "views/audit.py")
HOME_CONTENT = "views/home_content.py"
COUPONS, PROMOTIONS = "views/coupons.py", "views/promotions.py"
MEMBERS, MEMBER_LEVELS, SHARE_REWARDS = "views/members.py", "views/member_levels.py", "views/share_rewards.py"
SIMULATOR, RISK = "views/commission_simulator.py", "views/risk.py"
EVERY_SCREEN = {s.file for s in SCREENS}
SHORTCUTS = {PRODUCTS: "商品", SETTINGS: "设置", ORDERS: "订单", REFUNDS: "售后退款", APPLICATIONS: "分销审核",
             DISTRIBUTORS: "分销员", WITHDRAWALS: "提现审核", COMMISSIONS: "佣金明细", ANALYTICS: "数据分析",
             AUDIT: "操作日志", HOME_CONTENT: "首页装修", COUPONS: "优惠券", PROMOTIONS: "满减与限时折扣",
             MEMBERS: "会员", MEMBER_LEVELS: "会员等级", SHARE_REWARDS: "分享有礼", SIMULATOR: "佣金模拟",
             RISK: "风险信号"}
CATALOG = ["商品总数", "在售商品", "商品分类", "低库存规格"]


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
    # What waits for an operator (orders to ship), then the catalog.
    assert [m.label for m in at.metric] == ["待发货订单", *CATALOG]


@pytest.mark.parametrize(
    ("role", "screens"),
    [
        ("owner", EVERY_SCREEN),
        ("operator", {HOME, PRODUCTS, ORDERS, HOME_CONTENT, COUPONS, PROMOTIONS, MEMBERS, MEMBER_LEVELS,
                      SHARE_REWARDS}),
        ("support", {HOME, ORDERS, REFUNDS}),
        # Finance decides on the risk queue; analysts read it and run the simulator.
        ("finance", {HOME, WITHDRAWALS, COMMISSIONS, RISK}),
        ("analyst", {HOME, ANALYTICS, SIMULATOR, RISK}),
    ],
)
def test_each_role_sees_only_the_screens_its_permissions_allow(signed_in, role, screens):
    at = signed_in(role)
    assert visible_screens(at) == screens
    # The overview's shortcuts list the same screens (the other links open a role's queues).
    shortcuts = {link.value for link in at.get("page_link")} - {"去处理"}
    assert shortcuts == {SHORTCUTS[f] for f in screens - {HOME}}
    for file in screens:
        open_screen(at, file)
        assert at.header, f"{file} shows no header for {role}"
        assert not at.error, [e.value for e in at.error]


# One role that may not, for each screen (a stale tab or link): the screen's own guard stops it.
FORBIDDEN = [("support", PRODUCTS), ("analyst", ORDERS), ("operator", REFUNDS), ("finance", APPLICATIONS),
             ("support", DISTRIBUTORS), ("operator", WITHDRAWALS), ("support", COMMISSIONS), ("finance", ANALYTICS),
             ("operator", SETTINGS), ("analyst", AUDIT), ("support", HOME_CONTENT), ("finance", COUPONS),
             ("analyst", PROMOTIONS), ("support", MEMBERS), ("finance", MEMBER_LEVELS), ("analyst", SHARE_REWARDS),
             ("finance", SIMULATOR), ("support", RISK)]


def test_every_screen_checks_the_role_itself_too(committed):
    """Navigation hides what a role may not use (above); each screen, run on its own, refuses it as well."""
    who = {}
    with unit_of_work(committed) as session:
        for role in {role for role, _ in FORBIDDEN}:
            member = make_staff(session, role)
            who[role] = SignedIn(actor=Actor.of(member), display_name=member.username)
    assert {screen for _, screen in FORBIDDEN} == EVERY_SCREEN - {HOME}
    for role, screen in FORBIDDEN:
        at = AppTest.from_file(str(Path(APP).parent / screen), default_timeout=30)
        at.session_state[state.SIGNED_IN] = who[role]
        at.run()
        assert not at.exception, (screen, at.exception)
        assert [e.value for e in at.error] == ["当前角色无权使用此页面。"], screen
        assert not at.dataframe and not at.button, screen


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
    assert [m.label for m in at.metric] == ["Sales today", "Sales yesterday", "Paid orders today",
                                            "Paid orders yesterday", "New shoppers today", "New shoppers yesterday",
                                            "Orders to ship", "Refund requests", "Returns sent back, to receive",
                                            "Payments for cancelled orders, not yet back", "Distributor applications",
                                            "Withdrawals to review", "Products", "On shelf", "Categories",
                                            "Low-stock SKUs"]
    assert at.sidebar.button(key=state.LOGOUT).label == "Log out"
    assert "Role: Owner" in at.sidebar.caption[0].value
    open_screen(at, PRODUCTS)
    assert at.header[0].value == "Products"
    open_screen(at, WITHDRAWALS)
    assert (at.header[0].value, at.get("button_group")[0].options[0]) == ("Withdrawals", "Pending")
    open_screen(at, SETTINGS)
    assert at.header[0].value == "Settings"
    at.sidebar.segmented_control(key=state.LANG_SWITCH).set_value("zh").run()
    assert at.header[0].value == "系统设置"


def test_the_login_form_switches_language_before_signing_in():
    at = new_app().run()
    at.sidebar.segmented_control(key=state.LANG_SWITCH).set_value("en").run()
    assert at.text_input(key=state.LOGIN_USERNAME).label == "Username"
    assert at.button(key=state.LOGIN_SUBMIT).label == "Sign in"


def test_a_token_in_the_address_no_longer_signs_in_and_leaves_the_address_bar(committed, staff):
    # The old magic link: a token in an address stays in history, logs and Referer headers (the session cookie
    # keeps staff signed in across reloads instead, tests/dashboard/test_staff_session.py).
    username = staff("owner")
    with unit_of_work(committed) as session:
        token = issue_staff_token(session, staff=session.query(Staff).filter_by(username=username).one())
    at = new_app()
    at.query_params["token"] = token
    at.run()
    assert not at.exception
    assert "token" not in at.query_params
    assert visible_screens(at) == set()
    assert at.button(key=state.LOGIN_SUBMIT)


def test_a_forged_token_in_the_address_is_dropped_too():
    at = new_app()
    at.query_params["token"] = "forged-token"
    at.run()
    assert "token" not in at.query_params
    assert [e.value for e in at.error] == []
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


def test_every_stored_code_the_screens_show_has_a_label():
    from domain.distribution.commissions import LEVELS
    from domain.models import (
        ApplicationStatus,
        CommissionStatus,
        EntryType,
        OrderStatus,
        RefundStatus,
        RiskKind,
        RiskOutcome,
        RiskStatus,
        WithdrawalStatus,
    )
    from domain.wallet.service import METHODS

    def codes(holder) -> set[str]:
        return {v for k, v in vars(holder).items() if k.isupper() and isinstance(v, str)}

    kinds = {"order": set(OrderStatus.ALL), "refund": codes(RefundStatus), "application": codes(ApplicationStatus),
             "withdrawal": codes(WithdrawalStatus), "commission": codes(CommissionStatus), "method": set(METHODS),
             "entry": codes(EntryType), "level": set(LEVELS), "risk_kind": set(RiskKind),
             "risk_status": set(RiskStatus), "risk_outcome": set(RiskOutcome)}
    missing = [f"label.{kind}.{code}" for kind, values in kinds.items() for code in values
               if f"label.{kind}.{code}" not in STRINGS]
    assert not missing
