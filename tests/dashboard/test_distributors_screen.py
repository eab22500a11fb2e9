"""The distributors screen: the two-level team tree, balances and records, and disabling a distributor."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dashboard import state
from domain.db import unit_of_work
from domain.models import AuditEntry, CommissionRecord, Distributor, User
from tests.dashboard.conftest import table, texts
from tests.dashboard.shop import chain, credit, paid_order

DISTRIBUTORS = "views/distributors.py"


@pytest.fixture
def network(committed, sandbox_url):
    """甲 invites 乙, 乙 invites 丙; 丙 paid ¥100.00: 乙 earns ¥10.00 (level 1), 甲 ¥5.00 (level 2)."""
    with unit_of_work(committed) as session:
        a, b, c = chain(session)
        order = paid_order(session, sandbox_url, c, price_fen=10000)
        credit(session, a, 1234)
        return {"a": a.id, "b": b.id, "c": c.id, "a_code": a.invite_code, "order_no": order.order_no}


def switch_key(user_id: int, field: str, version: int = 0) -> str:
    return state.widget_key(state.distributor_form(user_id), field, version)


def test_the_team_tree_shows_a_to_b_to_c(network, open_as):
    at = open_as("owner", DISTRIBUTORS)
    listed = at.dataframe[0].value.to_dict("records")
    assert [(r["nickname"], r["status"], r["level1"], r["level2"], r["available"], r["frozen"], r["earned"])
            for r in listed] == [
        ("乙", "正常", 1, 0, "¥0.00", "¥10.00", "¥10.00"),
        ("甲", "正常", 1, 1, "¥12.34", "¥5.00", "¥5.00"),
    ]
    at.text_input(key=state.DISTRIBUTORS_FILTER_Q).set_value(network["a_code"]).run()
    assert [r["nickname"] for r in at.dataframe[0].value.to_dict("records")] == ["甲"]

    assert [m.value for m in at.metric] == ["¥12.34", "¥5.00", "¥0.00", "¥0.00", "¥5.00"]
    assert [(r["昵称"], r["二级成员"]) for r in table(at, "付款订单")] == [("乙", 1)]
    [under_b] = at.expander
    assert under_b.label == "乙 邀请的二级成员（1 人）"
    assert [(r["昵称"], r["付款订单"], r["消费金额"]) for r in under_b.dataframe[0].value.to_dict("records")] == [
        ("丙", 1, "¥100.00")]
    [sunburst] = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    names = dict(zip(sunburst["ids"], sunburst["labels"], strict=True))
    assert {names[child]: names.get(parent, "") for child, parent in
            zip(sunburst["ids"], sunburst["parents"], strict=True)} == {"甲": "", "乙": "甲", "丙": "乙"}
    commissions = table(at, "计佣金额")
    assert [(r["订单号"], r["层级"], r["比例"], r["佣金"], r["状态"]) for r in commissions] == [
        (network["order_no"], "二级", "5%", "¥5.00", "冻结中")]
    assert [(r["类型"], r["金额变动（元）"]) for r in table(at, "金额变动（元）")] == [("人工调整", "+12.34")]


def test_disabling_a_stops_a_earning_on_the_next_order_and_enabling_restores_it(committed, network, open_as,
                                                                                 sandbox_url):
    a = network["a"]
    at = open_as("owner", DISTRIBUTORS)
    at.selectbox(key=state.DISTRIBUTORS_SELECT).set_value(a).run()
    at.text_input(key=switch_key(a, "reason")).set_value("违规宣传")
    at.checkbox(key=switch_key(a, "confirm")).check()
    at.button(key=switch_key(a, "disable_submit")).click().run()
    assert texts(at, "success") == ["已停用 甲 的分销资格。"]
    assert texts(at, "warning") == ["停用原因：违规宣传"]
    with unit_of_work(committed) as session:
        disabled = session.get(Distributor, a)
        assert (disabled.is_enabled, disabled.disabled_reason) == (False, "违规宣传")
        order = paid_order(session, sandbox_url, session.get(User, network["c"]), price_fen=20000)
        earned = {(r.level, r.beneficiary_id): r.amount_fen
                  for r in session.scalars(select(CommissionRecord).where(CommissionRecord.order_id == order.id))}
        assert earned == {(1, network["b"]): 2000}  # 甲 earns nothing, and nobody takes level 2
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "distributor.disable"))
        assert (entry.entity_id, entry.after) == (str(a), {"is_enabled": False, "reason": "违规宣传"})

    at.button(key=switch_key(a, "enable_submit", 1)).click().run()
    assert texts(at, "success") == ["已恢复 甲 的分销资格。"]
    with unit_of_work(committed) as session:
        assert session.get(Distributor, a).is_enabled


def test_disabling_asks_for_a_confirmation_and_a_reason(committed, network, open_as):
    a = network["a"]
    at = open_as("owner", DISTRIBUTORS)
    at.selectbox(key=state.DISTRIBUTORS_SELECT).set_value(a).run()
    assert not at.button(key=switch_key(a, "disable_submit")).disabled
    at.text_input(key=switch_key(a, "reason")).set_value("违规宣传")
    at.button(key=switch_key(a, "disable_submit")).click().run()
    assert texts(at, "warning") == ["请先勾选确认停用。"]
    at.text_input(key=switch_key(a, "reason")).set_value("")
    at.checkbox(key=switch_key(a, "confirm")).check()
    at.button(key=switch_key(a, "disable_submit")).click().run()
    assert texts(at, "error") == ["请填写停用原因"]
    with unit_of_work(committed) as session:
        assert session.get(Distributor, a).is_enabled
    assert {b.key for b in at.button if b.key and "enable_submit" in b.key} == set()
