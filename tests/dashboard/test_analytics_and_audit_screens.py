"""The read-only screens: analytics charts, the audit log, and the overview's work queues."""

from __future__ import annotations

import json

import pytest

from dashboard import state
from domain.db import unit_of_work
from domain.distribution.distributors import apply
from domain.models import Order
from domain.security.actor import SYSTEM
from domain.wallet.service import request_withdrawal
from tests.builders import make_user, refund, ship
from tests.dashboard.conftest import table, texts
from tests.dashboard.shop import chain, credit, paid_order

ANALYTICS, AUDIT, HOME = "views/analytics.py", "views/audit.py", "views/home.py"


@pytest.fixture
def shop(committed, sandbox_url):
    """甲 → 乙 → 丙; 丙 paid ¥100.00 and ¥50.00 + ¥10.00 postage, and asked ¥50.00 back; 路人 applied;
    乙 asked to withdraw ¥8.00."""
    with unit_of_work(committed) as session:
        a, b, c = chain(session)
        paid_order(session, sandbox_url, c, price_fen=10000, title="茶具")
        small = paid_order(session, sandbox_url, c, price_fen=5000, title="茶杯")
        refund(session, small, [(small.lines[0].id, 1)], approve=False)
        apply(session, user=make_user(session, "路人"), real_name="路人甲", phone="13600136000")
        credit(session, b, 800)
        request_withdrawal(session, user=b, amount_fen=800, method="wechat")
        return {"a": a.id, "b": b.id}


def charts(at) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["meta"]: spec for spec in specs}


def test_every_chart_renders_with_the_exact_numbers(shop, open_as):
    # The workbench in full is tested in test_workbench_screens.py; here its charts on this shop. Net sales are
    # the goods (postage is not sales); the refund asked for is not yet approved, so nothing is refunded.
    at = open_as("analyst", ANALYTICS)
    assert [(m.label, m.value) for m in at.metric][:12] == [
        ("净销售额", "¥150.00"), ("付款订单", "2"), ("买家数", "1"), ("客单价", "¥75.00"), ("分销销售额", "¥150.00"),
        ("分销占比", "100%"), ("佣金", "¥22.50"), ("佣金率", "15%"), ("退款", "¥0.00"), ("新分销员", "2"),
        ("新绑定用户", "0"), ("待付分销员（当前）", "¥30.50")]  # ¥22.50 frozen and ¥8.00 being withdrawn
    drawn = charts(at)
    b = shop["b"]
    assert set(drawn) == {"analytics.sales_by_day", "analytics.commission_by_day", "analytics.growth_by_day",
                          "analytics.top_products", "analytics.orders_by_status", f"analytics.distributor_sales.{b}",
                          f"analytics.distributor_team.{b}", f"analytics.distributor_tree.{b}", "analytics.funnel",
                          "analytics.network"}

    bars, distribution, refunded, _previous = drawn["analytics.sales_by_day"]["data"]
    assert len(bars["x"]) == 30 and bars["y"][-1] == 150 and sum(bars["y"]) == 150
    assert bars["customdata"][-1] == ["150.00", 2, "0.00", "150.00"]
    assert (sum(distribution["y"]), sum(refunded["y"])) == (150, 0)
    [pie] = drawn["analytics.orders_by_status"]["data"]
    assert (pie["labels"], pie["values"]) == (["待发货"], [2])
    [top] = drawn["analytics.top_products"]["data"]
    assert (top["y"], top["text"]) == (["茶杯", "茶具"], ["¥50.00", "¥100.00"])
    funnel, _previous = drawn["analytics.funnel"]["data"]
    assert funnel["x"] == [0, 0, 0, 0, 0, 0]  # nobody shared, so nobody came through a share
    assert {trace["name"]: sum(trace["y"]) for trace in drawn["analytics.commission_by_day"]["data"]} == {
        "一级 · 冻结中": 15, "二级 · 冻结中": 7.5}
    [network] = drawn["analytics.network"]["data"]
    assert (network["labels"][0], network["values"][0]) == ("全店", 3)  # 甲: 乙 and 丙; 乙: 丙


def test_analytics_on_an_empty_shop_says_so(open_as):
    at = open_as("owner", ANALYTICS)
    assert not at.exception
    # Commission, top products, statuses, distributors, each distributor's funnel, cohorts, both refund lists,
    # the network.
    assert texts(at, "info") == ["暂无数据。", "暂无数据。", "暂无数据。", "还没有分销员。", "还没有分销员。", "暂无数据。",
                                 "暂无数据。", "暂无数据。", "暂无数据。"]
    assert set(charts(at)) == {"analytics.sales_by_day", "analytics.growth_by_day", "analytics.funnel"}


def test_the_audit_log_lists_staff_actions_with_filters(committed, shop, open_as, sandbox_url):
    with unit_of_work(committed) as session:
        for order in session.query(Order).all():
            ship(session, order)
    at = open_as("owner", AUDIT)
    rows = table(at, "action")
    assert {r["action"] for r in rows} >= {"order.ship", "distributor.approve", "product.create"}
    assert all(r["actor"] == SYSTEM.username for r in rows)

    at.selectbox(key=state.AUDIT_FILTER_TYPE).set_value("order").run()
    assert [r["action"] for r in table(at, "action")] == ["order.ship", "order.ship"]
    at.selectbox(key=state.AUDIT_FILTER_TYPE).set_value(None)
    at.text_input(key=state.AUDIT_FILTER_ACTION).set_value("distributor.").run()
    approvals = table(at, "action")
    assert [json.loads(r["after"])["status"] for r in approvals] == ["approved", "approved"]
    at.text_input(key=state.AUDIT_FILTER_ID).set_value("999999").run()
    assert texts(at, "info") == ["没有符合条件的记录。"]


def test_the_overview_counts_what_waits_for_each_role(shop, open_as):
    at = open_as("owner", HOME)
    assert {m.label: m.value for m in at.metric if "待" in m.label} == {
        "待发货订单": "2", "待处理退款": "1", "退货已寄回待收货": "0", "待审核分销申请": "1", "待审核提现": "1"}
    assert [link.value for link in at.get("page_link")][:4] == ["去处理"] * 4

    at = open_as("finance", HOME)
    assert [m.label for m in at.metric][:1] == ["待审核提现"]
    at = open_as("support", HOME)
    assert [m.label for m in at.metric][:1] == ["待处理退款"]
