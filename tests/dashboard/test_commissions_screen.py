"""The commissions screen: filters, totals per status and level to the fen, and settling now."""

from __future__ import annotations

import pytest

from dashboard import state
from domain.db import unit_of_work
from domain.models import CommissionRecord, CommissionStatus
from domain.settings.service import update_settings
from tests.builders import complete
from tests.dashboard.conftest import table, texts
from tests.dashboard.shop import chain, paid_order

COMMISSIONS = "views/commissions.py"


@pytest.fixture
def earned(committed, sandbox_url):
    """丙 paid ¥100.00 (completed, due now) and ¥299.99: 乙 earns 1000 + 2999 fen, 甲 500 + 1499."""
    with unit_of_work(committed) as session:
        _, b, _c = chain(session)
        first = paid_order(session, sandbox_url, _c, price_fen=10000, title="茶具")
        second = paid_order(session, sandbox_url, _c, price_fen=29999, title="茶叶礼盒")
        complete(session, first)
        update_settings(session, {"settle_after_days": 0})
        return {"b": b.id, "first": first.order_no, "second": second.order_no}


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_totals_per_status_and_level_follow_the_filters(earned, open_as):
    at = open_as("finance", COMMISSIONS)
    assert metrics(at) == {"合计（净额）": "¥59.98", "冻结中": "¥59.98", "已结算": "¥0.00", "已取消": "¥0.00",
                           "一级": "¥39.99", "二级": "¥19.99"}
    assert [(r["分销员"], r["层级"], r["计佣金额"], r["比例"], r["佣金"]) for r in table(at, "佣金")] == [
        ("甲", "二级", "¥299.99", "5%", "¥14.99"), ("乙", "一级", "¥299.99", "10%", "¥29.99"),
        ("甲", "二级", "¥100.00", "5%", "¥5.00"), ("乙", "一级", "¥100.00", "10%", "¥10.00"),
    ]

    at.selectbox(key=state.COMMISSIONS_FILTER_LEVEL).set_value(2).run()
    assert metrics(at)["合计（净额）"] == "¥19.99"
    assert {r["层级"] for r in table(at, "佣金")} == {"二级"}

    at.selectbox(key=state.COMMISSIONS_FILTER_LEVEL).set_value(None)
    at.text_input(key=state.COMMISSIONS_FILTER_WHO).set_value("乙").run()
    assert at.selectbox(key=state.COMMISSIONS_FILTER_BENEFICIARY).value == earned["b"]
    assert (metrics(at)["合计（净额）"], metrics(at)["一级"], metrics(at)["二级"]) == ("¥39.99", "¥39.99", "¥0.00")

    at.text_input(key=state.COMMISSIONS_FILTER_WHO).set_value("")
    at.text_input(key=state.COMMISSIONS_FILTER_NO).set_value(earned["second"]).run()
    assert metrics(at)["合计（净额）"] == "¥44.98"
    assert {r["订单号"] for r in table(at, "佣金")} == {earned["second"]}

    at.text_input(key=state.COMMISSIONS_FILTER_NO).set_value("")
    at.text_input(key=state.COMMISSIONS_FILTER_WHO).set_value("没有这个人").run()
    assert texts(at, "info") == ["没有匹配的分销员。"]


def test_settling_now_runs_the_job_and_shows_how_many_settled(committed, earned, open_as):
    at = open_as("finance", COMMISSIONS)
    at.button(key=state.COMMISSIONS_SETTLE).click().run()
    assert texts(at, "success") == ["已结算 2 笔佣金。"]
    assert metrics(at)["已结算"] == "¥15.00" and metrics(at)["冻结中"] == "¥44.98"
    with unit_of_work(committed) as session:
        settled = session.query(CommissionRecord).filter_by(status=CommissionStatus.SETTLED).count()
        assert settled == 2

    at.selectbox(key=state.COMMISSIONS_FILTER_STATUS).set_value(CommissionStatus.SETTLED).run()
    assert [(r["订单号"], r["佣金"], r["状态"]) for r in table(at, "佣金")] == [
        (earned["first"], "¥5.00", "已结算"), (earned["first"], "¥10.00", "已结算")]
    at.button(key=state.COMMISSIONS_SETTLE).click().run()
    assert texts(at, "success") == ["已结算 0 笔佣金。"]
