"""The settings screen: the domain decides, the screen converts units and shows the domain's answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard import state
from dashboard.components.amounts import parse_percent, percent_text
from dashboard.views.settings import GROUPS
from domain.db import unit_of_work
from domain.members.reward_settings import SHARE_REWARD_KEYS
from domain.models import AuditEntry
from domain.settings.service import FIELD_NAMES, get_settings
from tests.builders import make_product

SETTINGS = "views/settings.py"


def key(field: str, version: int = 0) -> str:
    return state.widget_key(state.SETTINGS_FORM, field, version)


@pytest.fixture
def settings_screen(open_as):
    return open_as("owner", SETTINGS)


def saved(committed):
    with unit_of_work(committed) as session:
        return get_settings(session)


def test_commission_of_30_plus_10_percent_is_refused_under_the_default_30_percent_cap(committed, settings_screen):
    at = settings_screen
    [explainer] = [i.value for i in at.info if "两级分销" in i.value]
    assert "不存在第三级" in explainer and "禁止传销" in explainer
    assert "当前 30%，上限最高 50%" in explainer and "一级得 ¥10.00，二级得 ¥5.00" in explainer
    at.text_input(key=key("commission_level1_bp")).set_value("30")
    at.text_input(key=key("commission_level2_bp")).set_value("10")
    at.button(key=key("submit")).click().run()
    assert [e.value for e in at.error] == ["一级 + 二级佣金比例合计 40% 超过上限 30%（两级分销，合计不得超过上限）"]
    assert (saved(committed).commission_level1_bp, saved(committed).commission_level2_bp) == (1000, 500)
    with unit_of_work(committed) as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "settings.update")) is None



def test_lowering_the_cap_below_a_products_own_rates_names_the_product_and_saves_nothing(committed, settings_screen):
    with unit_of_work(committed) as session:
        product_id = make_product(session, title="高佣礼盒", commission_level1_bp=2000, commission_level2_bp=800).id
    at = settings_screen
    at.text_input(key=key("commission_cap_bp")).set_value("25")
    at.button(key=key("submit")).click().run()
    assert [e.value for e in at.error] == [
        f"佣金合计上限不能低于商品单独设置的比例：《高佣礼盒》(#{product_id}，28%)的一级 + 二级合计超过 25%，"
        "请先修改这些商品的佣金比例"]
    assert saved(committed).commission_cap_bp == 3000

def test_a_valid_change_is_saved_in_fen_and_basis_points_and_audited(committed, settings_screen):
    at = settings_screen
    at.text_input(key=key("commission_level1_bp")).set_value("12.5")
    at.text_input(key=key("shipping_fee_fen")).set_value("8.80")
    at.number_input(key=key("settle_after_days")).set_value(10)
    at.selectbox(key=key("binding_mode")).set_value("overwrite")
    at.toggle(key=key("self_purchase_rebate")).set_value(True)
    at.button(key=key("submit")).click().run()

    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["设置已保存。"]
    s = saved(committed)
    assert (s.commission_level1_bp, s.commission_level2_bp, s.shipping_fee_fen) == (1250, 500, 880)
    assert (s.settle_after_days, s.binding_mode, s.self_purchase_rebate) == (10, "overwrite", True)
    with unit_of_work(committed) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "settings.update"))
        assert entry.actor.startswith("owner")
        assert entry.before == {"commission_level1_bp": 1000, "shipping_fee_fen": 1000, "settle_after_days": 7,
                                "binding_mode": "first_touch", "self_purchase_rebate": False}
        assert entry.after["commission_level1_bp"] == 1250 and entry.after["shipping_fee_fen"] == 880
    # The form shows what is stored now.
    assert at.text_input(key=key("commission_level1_bp", version=1)).value == "12.5"
    assert at.text_input(key=key("shipping_fee_fen", version=1)).value == "8.80"


def test_an_amount_that_is_not_yuan_is_reported_and_nothing_is_saved(committed, settings_screen):
    at = settings_screen
    at.text_input(key=key("withdraw_min_fen")).set_value("1.005")
    at.text_input(key=key("shop_name")).set_value("新店名")
    at.button(key=key("submit")).click().run()
    assert [e.value for e in at.error] == ["最低提现金额：请填写金额（元），最多两位小数。"]
    assert saved(committed).shop_name == "优选生活馆"


def test_saving_without_changes_writes_nothing(committed, settings_screen):
    settings_screen.button(key=key("submit")).click().run()
    assert [i.value for i in settings_screen.info][-1] == "没有修改。"
    with unit_of_work(committed) as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "settings.update")) is None


def test_every_business_setting_is_on_the_screen_once(settings_screen):
    names = [f.name for _, fields in GROUPS for f in fields]
    # 分享有礼's settings are on that screen instead (tests/dashboard/test_members_screens.py draws each one there).
    assert sorted([*names, *SHARE_REWARD_KEYS]) == sorted(FIELD_NAMES)
    rendered = {w.key for kind in ("text_input", "number_input", "selectbox", "toggle") for w in getattr(settings_screen, kind)}
    assert {key(name) for name in names} <= rendered


def test_check_in_points_are_typed_as_a_list_and_saved_as_integers(committed, settings_screen):
    at = settings_screen
    assert at.text_input(key=key("checkin_points")).value == "5, 5, 5, 10, 10, 10, 20"
    at.text_input(key=key("checkin_points")).set_value("5，10, 15 30")
    at.button(key=key("submit")).click().run()
    assert not at.error, [e.value for e in at.error]
    assert saved(committed).checkin_points == [5, 10, 15, 30]
    assert at.text_input(key=key("checkin_points", version=1)).value == "5, 10, 15, 30"
    at.text_input(key=key("checkin_points", version=1)).set_value("5, 十")
    at.button(key=key("submit", version=1)).click().run()
    assert [e.value for e in at.error] == ["签到成长值（按连续签到天数）：请填写以逗号分隔的整数，如 5, 5, 5, 10, 10, 10, 20。"]
    at.text_input(key=key("checkin_points", version=1)).set_value("5, 20000")
    at.button(key=key("submit", version=1)).click().run()
    assert [e.value for e in at.error] == ["签到积分第 2 项：不能大于 10000"]
    assert saved(committed).checkin_points == [5, 10, 15, 30]


@pytest.mark.parametrize(("text", "bp"), [("10", 1000), ("12.5", 1250), ("0.05", 5), ("30%", 3000), (" 7.25 ", 725),
                                          ("0", 0), ("-1", -100)])
def test_percentages_become_basis_points_exactly(text, bp):
    assert parse_percent(text) == bp
    if bp >= 0:
        assert parse_percent(percent_text(bp)) == bp


@pytest.mark.parametrize("text", ["", "%", "1.234", "abc", "1e2", "1,5", "."])
def test_anything_else_is_not_a_percentage(text):
    with pytest.raises(ValueError):
        parse_percent(text)


def test_a_cap_above_the_legal_most_is_refused_in_percent_never_in_basis_points(committed, settings_screen):
    at = settings_screen
    at.text_input(key=key("commission_cap_bp")).set_value("60")
    at.text_input(key=key("withdraw_fee_bp")).set_value("25")
    at.button(key=key("submit")).click().run()
    assert [e.value for e in at.error] == ["佣金合计上限：不能大于 50%；提现手续费比例：不能大于 20%"]
    assert saved(committed).commission_cap_bp == 3000


def test_a_minimum_withdrawal_below_one_fen_is_refused_in_yuan(committed, settings_screen):
    at = settings_screen
    at.text_input(key=key("withdraw_min_fen")).set_value("0")
    at.button(key=key("submit")).click().run()
    assert [e.value for e in at.error] == ["最低提现金额：不能小于 ¥0.01"]


def test_the_return_address_is_typed_in_the_orders_group_and_kept_as_typed(committed, settings_screen):
    [orders] = [fields for group, fields in GROUPS if group == "settings.group.orders"]
    assert "return_address" in [f.name for f in orders]
    at = settings_screen
    assert at.text_input(key=key("return_address")).value == ""
    address = "  售后部 **张三** 13800138000 上海市浦东新区 <世纪大道> 100 号  "
    at.text_input(key=key("return_address")).set_value(address)
    at.button(key=key("submit")).click().run()
    assert not at.error, [e.value for e in at.error]
    assert saved(committed).return_address == address.strip()
    assert at.text_input(key=key("return_address", version=1)).value == address.strip()
