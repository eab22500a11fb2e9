"""The analyst's workbench (数据分析), the commission simulator (佣金模拟) and the risk queue (风险信号), with the
withdrawals that then wait for a second approval, on small shops whose figures are known to the fen.

The workbench shop: 甲 → 乙 → 丙, 甲 and 乙 distributors at the shop's 10% / 5%.
- 35 days ago (the previous period of the 30-day preset): 丙 paid ¥80.00 (茶叶): 乙 ¥8.00, 甲 ¥4.00.
- today: 丙 paid ¥100.00 (茶具: 乙 ¥10.00, 甲 ¥5.00) and ¥50.00 (茶杯, refunded whole: its records cancelled);
  路人, bound to nobody and new today, paid ¥30.00 (茶巾).
Net sales are goods less refunds (postage is not sales): ¥130.00 now against ¥80.00 before.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from dashboard import state
from dashboard.components import export as exports
from dashboard.components.date_range import CUSTOM, LAST_7, TODAY
from dashboard.components.export import analytics_table
from domain import clock
from domain.analytics.export import Table
from domain.analytics.periods import Granularity, Period, today
from domain.db import unit_of_work
from domain.models import CommissionRecord, OrderStatus, Withdrawal, WithdrawalStatus
from domain.payments.service import record_payment
from domain.security import crypto
from domain.security.actor import Actor
from domain.wallet.service import BankAccount, request_withdrawal
from domain.wechat import get_wechat
from domain.wechat.pay_types import PaymentNotice
from tests.builders import make_address, make_product, make_staff, make_user, pay, place, refund
from tests.dashboard.conftest import table, texts
from tests.dashboard.shop import chain, credit, paid_order
from tests.domain.test_analytics_risk import distributor, shopper

ANALYTICS, SIMULATOR, RISK, WITHDRAWALS, HOME = ("views/analytics.py", "views/commission_simulator.py",
                                                 "views/risk.py", "views/withdrawals.py", "views/home.py")
KPIS = ["净销售额", "付款订单", "买家数", "客单价", "分销销售额", "分销占比", "佣金", "佣金率", "退款", "新分销员",
        "新绑定用户", "待付分销员（当前）"]


@pytest.fixture
def shop(committed, sandbox_url):
    with unit_of_work(committed) as session:
        with clock.travel(timedelta(days=-35)):
            a, b, c = chain(session)
            paid_order(session, sandbox_url, c, price_fen=8000, title="茶叶")
        paid_order(session, sandbox_url, c, price_fen=10000, title="茶具")
        cup = paid_order(session, sandbox_url, c, price_fen=5000, title="茶杯")
        refund(session, cup, [(cup.lines[0].id, 1)])
        paid_order(session, sandbox_url, make_user(session, "路人"), price_fen=3000, title="茶巾")
        return {"甲": a.id, "乙": b.id}


def charts(at) -> dict[str, dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["meta"]: spec for spec in specs}


def cards(at, labels: list[str]) -> list[tuple[str, str, str]]:
    """The first cards, in order: (label, value, change)."""
    shown = [(m.label, m.value, m.proto.delta) for m in at.metric][:len(labels)]
    assert [label for label, _, _ in shown] == labels
    return shown


def preset(at, value: str):
    at.segmented_control(key=state.range_key("analytics", "preset")).set_value(value).run()
    assert not at.exception, at.exception
    return at


def test_the_kpi_cards_show_the_range_beside_the_previous_equal_period(shop, open_as):
    at = open_as("analyst", ANALYTICS)
    first, previous = Period.last_days(30), Period.last_days(30).previous()
    assert f"{first.first} 至 {first.last}（30 天），对比 {previous.first} 至 {previous.last}" in texts(at, "caption")
    assert cards(at, KPIS) == [
        ("净销售额", "¥130.00", "+62.5%"),  # (13000 − 8000) / 8000
        ("付款订单", "3", "+200%"),  # the refunded order was paid: it counts, at ¥0.00
        ("买家数", "2", "+100%"),
        ("客单价", "¥43.33", "-45.84%"),  # 13000 // 3 = 4333 against 8000
        ("分销销售额", "¥100.00", "+25%"),  # 茶具, and 茶杯 at ¥0.00 after its refund
        ("分销占比", "76.92%", "-23.08 个百分点"),  # 100 / 130 against 100%
        ("佣金", "¥15.00", "+25%"),  # 茶杯's records cancelled
        ("佣金率", "11.53%", "-3.47 个百分点"),  # 1500 / 13000 against 15%
        ("退款", "¥50.00", ""),  # nothing before: no change to show
        ("新分销员", "0", "-100%"),
        ("新绑定用户", "0", ""),
        ("待付分销员（当前）", "¥27.00", ""),  # frozen now: 8 + 4 + 10 + 5, whatever the range
    ]

    at.toggle(key=state.range_key("analytics", "compare")).set_value(False).run()
    assert [change for _, _, change in cards(at, KPIS)] == [""] * len(KPIS)
    assert f"{first.first} 至 {first.last}（30 天）" in texts(at, "caption")


def test_presets_and_a_custom_range_choose_the_days(shop, open_as):
    at = preset(open_as("analyst", ANALYTICS), TODAY)
    # Today alone against yesterday, when nothing sold: ratios of nothing have no change either.
    assert cards(at, KPIS[:8]) == [("净销售额", "¥130.00", ""), ("付款订单", "3", ""), ("买家数", "2", ""),
                                   ("客单价", "¥43.33", ""), ("分销销售额", "¥100.00", ""),
                                   ("分销占比", "76.92%", ""), ("佣金", "¥15.00", ""), ("佣金率", "11.53%", "")]
    [bars, *_] = charts(at)["analytics.sales_by_day"]["data"]
    assert (bars["x"], bars["y"]) == ([today().isoformat()], [130])

    at = preset(at, CUSTOM)
    start = today() - timedelta(days=40)
    at.date_input(key=state.range_key("analytics", "custom")).set_value((start, today() - timedelta(days=30))).run()
    assert not at.exception, at.exception
    assert cards(at, KPIS[:3]) == [("净销售额", "¥80.00", ""), ("付款订单", "1", ""), ("买家数", "1", "")]
    assert f"{start} 至 {today() - timedelta(days=30)}（11 天）" in " ".join(texts(at, "caption"))
    at.segmented_control(key=state.range_key("analytics", "by")).set_value(Granularity.WEEK).run()
    drawn = charts(at)
    assert "analytics.sales_by_week" in drawn and "analytics.sales_by_day" not in drawn
    [bars, *_] = drawn["analytics.sales_by_week"]["data"]
    assert sum(bars["y"]) == 80 and bars["x"][0] == (start - timedelta(days=start.weekday())).isoformat()
    assert drawn["analytics.sales_by_week"]["layout"]["xaxis"]["hoverformat"] == "%Y年%-m月%-d日当周"


def test_trends_draw_the_exact_amounts_with_the_previous_period_over_them(shop, open_as):
    drawn = charts(open_as("analyst", ANALYTICS))
    net, distribution, refunded, before = drawn["analytics.sales_by_day"]["data"]
    assert len(net["x"]) == 30 and (net["y"][-1], sum(net["y"])) == (130, 130)
    assert net["customdata"][-1] == ["130.00", 3, "50.00", "100.00"]
    assert (distribution["y"][-1], refunded["y"][-1]) == (100, 50)
    # The previous period, day for day: its 25th day was 35 days ago.
    assert before["name"] == "上一周期净销售额" and before["y"][24] == 80 and sum(before["y"]) == 80
    assert before["customdata"][24][0] == (today() - timedelta(days=35)).isoformat()
    assert {trace["name"]: sum(trace["y"]) for trace in drawn["analytics.commission_by_day"]["data"]} == {
        "一级 · 冻结中": 10, "二级 · 冻结中": 5, "一级 · 已取消": 0, "二级 · 已取消": 0}
    [top] = drawn["analytics.top_products"]["data"]
    assert (top["y"], top["text"]) == (["茶杯", "茶巾", "茶具"], ["¥0.00", "¥30.00", "¥100.00"])
    [pie] = drawn["analytics.orders_by_status"]["data"]
    assert sorted(zip(pie["labels"], pie["values"], strict=True)) == [("已关闭（全额退款）", 1), ("待发货", 3)]


def test_the_leaderboard_opens_a_distributors_page(shop, open_as):
    at = open_as("analyst", ANALYTICS)
    assert table(at, "排名") == [
        {"排名": 1, "分销员": "乙", "状态": "正常", "一级销售额": "¥100.00", "二级销售额": "¥0.00", "佣金": "¥10.00",
         "一级成员": 1, "二级成员": 0, "团队人数": 1, "新增成员": 0},
        {"排名": 2, "分销员": "甲", "状态": "正常", "一级销售额": "¥0.00", "二级销售额": "¥100.00", "佣金": "¥5.00",
         "一级成员": 1, "二级成员": 1, "团队人数": 2, "新增成员": 0},
    ]
    assert "乙 的分销数据" in [s.value for s in at.subheader]  # the first opens by itself
    at.selectbox(key=state.ANALYTICS_DISTRIBUTOR).set_value(shop["甲"]).run()
    assert "甲 的分销数据" in [s.value for s in at.subheader]
    page = {m.label: m.value for m in at.metric[len(KPIS):len(KPIS) + 5]}
    assert page == {"一级销售额": "¥0.00", "二级销售额": "¥100.00", "佣金": "¥5.00",
                    "团队人数": "2（一级 1 · 二级 1）", "新增成员": "0（已购 0）"}
    level1, level2, commission = charts(at)[f"analytics.distributor_sales.{shop['甲']}"]["data"]
    assert (sum(level1["y"]), sum(level2["y"]), sum(commission["y"])) == (0, 100, 5)
    [tree] = charts(at)[f"analytics.distributor_tree.{shop['甲']}"]["data"]
    assert tree["labels"] == ["甲", "乙", "丙"]
    # Analysts may not open the distributors screen; the owner may.
    assert not [b for b in at.button if b.label == "在分销员页面打开"]


def test_refund_rates_mark_what_refunds_more_than_the_shop(shop, open_as):
    at = open_as("analyst", ANALYTICS)
    assert {m.label: m.value for m in at.metric}["全店退款率"] == "27.77%"  # 5000 / 18000 paid for goods
    assert table(at, "商品") == [
        {"商品": "茶杯", "订单数": 1, "实付": "¥50.00", "已退款": "¥50.00", "退款率": "100% ▲"},
        {"商品": "茶具", "订单数": 1, "实付": "¥100.00", "已退款": "¥0.00", "退款率": "0%"},
        {"商品": "茶巾", "订单数": 1, "实付": "¥30.00", "已退款": "¥0.00", "退款率": "0%"},
    ]
    # 丙 is in both teams: two orders, ¥150.00, ¥50.00 back.
    teams = [frame.value.to_dict("records") for frame in at.dataframe if "实付" in frame.value.columns][1]
    assert [(r["分销员"], r["订单数"], r["实付"], r["已退款"], r["退款率"]) for r in teams] == [
        ("甲", 2, "¥150.00", "¥50.00", "33.33% ▲"), ("乙", 2, "¥150.00", "¥50.00", "33.33% ▲")]


def test_every_workbench_table_exports_whole_in_yuan_with_chinese_headers(shop, open_as, committed):
    at = open_as("analyst", ANALYTICS)
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b.proto.label for b in at.get("download_button")}
    assert buttons == {
        "analytics.export.summary": "导出概览", "analytics.export.sales": "导出销售趋势",
        "analytics.export.commission": "导出佣金趋势", "analytics.export.growth": "导出绑定与新分销员",
        "analytics.export.distributors": "导出分销员排行", f"analytics.export.distributor.{shop['乙']}": "导出该分销员的数据",
        "analytics.export.funnel": "导出分销员漏斗", "analytics.export.cohorts": "导出同期群",
        "analytics.export.product_refunds": "导出商品退款率", "analytics.export.team_refunds": "导出团队退款率",
    }
    with unit_of_work(committed) as session:
        viewer = Actor.of(make_staff(session, "analyst"))
    period = Period.last_days(30)
    export = analytics_table(viewer, Table.DISTRIBUTORS, period)
    assert export.file_name().startswith(f"分销员排行_{period.first}至{period.last}_导出于")
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("用户ID", "昵称", "一级销售额（元）", "二级销售额（元）", "佣金（元）", "一级成员", "二级成员",
                       "团队人数", "新增成员")
    assert rows[1:] == [(shop["乙"], "乙", 100, 0, 10, 1, 0, 1, 0), (shop["甲"], "甲", 0, 100, 5, 1, 1, 2, 0)]


# --- 佣金模拟 -------------------------------------------------------------------------------------------------


def simulate(at, level1: str, level2: str):
    at.text_input(key=state.SIMULATOR_LEVEL1).set_value(level1)
    at.text_input(key=state.SIMULATOR_LEVEL2).set_value(level2)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_simulator_reprices_the_range_at_other_rates_and_writes_nothing(shop, open_as, committed):
    at = open_as("analyst", SIMULATOR)
    assert (at.text_input(key=state.SIMULATOR_LEVEL1).value, at.text_input(key=state.SIMULATOR_LEVEL2).value) == \
        ("10", "5")
    assert "当前：一级 10%，二级 5%，合计上限 30%。" in texts(at, "caption")
    simulate(at, "12.5", "7")
    assert texts(at, "success") == ["一级 + 二级 = 19.5%，未超过佣金上限 30%。"]
    # 茶具's ¥100.00: 乙 12.50 (was 10.00), 甲 7.00 (was 5.00); 茶杯's cancelled records are not re-priced.
    assert [(m.label, m.value, m.proto.delta) for m in at.metric] == [
        ("实际佣金", "¥15.00", ""), ("模拟佣金", "¥19.50", "+¥4.50"), ("差额", "+¥4.50", ""),
        ("模拟佣金率", "15%", "+3.47 个百分点"), ("涉及", "1 单 · 2 条", "")]
    assert table(at, "记录数") == [
        {"分销员": "乙", "记录数": 1, "实际佣金": "¥10.00", "模拟佣金": "¥12.50", "差额": "+¥2.50"},
        {"分销员": "甲", "记录数": 1, "实际佣金": "¥5.00", "模拟佣金": "¥7.00", "差额": "+¥2.00"},
    ]
    actual, simulated = charts(at)["simulator.by_week"]["data"]
    assert (sum(actual["y"]), sum(simulated["y"])) == (15, 19.5)
    with unit_of_work(committed) as session:  # nothing was written: every record keeps its rate and amount
        assert sorted(session.execute(select(CommissionRecord.rate_bp, CommissionRecord.amount_fen)).all()) == [
            (500, 0), (500, 400), (500, 500), (1000, 0), (1000, 800), (1000, 1000)]  # 茶杯's refunded to 0
    assert [m.value for m in simulate(at, "10", "5").metric][:3] == ["¥15.00", "¥15.00", "¥0.00"]


def test_the_simulator_says_when_rates_pass_the_cap_or_cannot_be_read(shop, open_as):
    at = simulate(open_as("analyst", SIMULATOR), "25", "10")
    assert texts(at, "warning") == ["一级 + 二级 = 35%，超过佣金上限 30%：设置中无法保存这组比例，实际写入佣金时也不会超过上限。"]
    assert [m.value for m in at.metric][1] == "¥35.00"
    simulate(at, "十", "5")
    assert texts(at, "error") == ["无法识别的比例：十（请填写如 12.5 的百分比）"] and not at.metric
    simulate(at, "10", "120")
    assert texts(at, "error") == ["比例须在 0 到 100% 之间：120"]


# --- 风险信号 and the second approval ---------------------------------------------------------------------------

BANK = BankAccount(bank_name="招商银行", account_name="任某", account_no="6225880212345678")


@pytest.fixture
def ring(committed, sandbox_url):
    """Distributor R, whose application phone is also shopper P1's phone, and whose WeChat paid for shopper P3's
    order; distributor H's shopper S1 is honest. R has ¥30.00 to withdraw, asked for by bank."""
    with unit_of_work(committed) as session:
        sku = make_product(session, title="保温杯", prices=(8900,), stock=50).skus[0]
        r = distributor(session, "R", "13900000001")
        h = distributor(session, "H", "13900000002")
        make_address(session, r, phone="13900000001", detail="幸福路 8 号 3 单元")
        p1 = shopper(session, "P1", r, phone="13700000001", street="某小区 1 号")
        p1.phone_enc, p1.phone_bidx = crypto.encrypt("13900000001"), crypto.phone_index("13900000001")
        pay(session, place(session, p1, [(sku.id, 1)]), sandbox_url)
        p3 = shopper(session, "P3", r, phone="13700000003", street="某小区 3 号")
        by_r = place(session, p3, [(sku.id, 1)])
        record_payment(session, payment=PaymentNotice(
            out_trade_no=by_r.order_no, transaction_id="4200000003", amount_fen=by_r.payable_fen,
            payer_openid=r.openid, raw={"payer": {"openid": r.openid}}), wechat=get_wechat())
        s1 = shopper(session, "S1", h, phone="13600000001", street="光明街 1 号")
        pay(session, place(session, s1, [(sku.id, 1)]), sandbox_url)
        credit(session, r, 3000)
        withdrawal = request_withdrawal(session, user=r, amount_fen=3000, method="bank", bank=BANK)
        return {"R": r.id, "withdrawal": withdrawal.id, "withdrawal_no": withdrawal.withdrawal_no}


def queue(at) -> list[tuple[str, str, str]]:
    return [(r["类型"], r["分销员"], r["买家"]) for r in table(at, "证据")]


def test_finance_scans_and_analysts_read_the_evidence_without_deciding(ring, open_as):
    at = open_as("finance", RISK)
    assert texts(at, "info") == ["没有符合条件的风险信号。"]
    at.button(key=state.RISK_SCAN).click().run()
    assert texts(at, "success") == ["扫描完成，发现 2 个新信号。"]
    assert sorted(queue(at)) == [("买家与邀请人共用手机", "R", "P1"), ("邀请人替买家付款", "R", "P3")]  # nothing on H or S1

    at = open_as("analyst", RISK)
    assert not [b for b in at.button if b.proto.id.endswith(state.RISK_SCAN)]
    evidence = {r["类型"]: r["证据"] for r in table(at, "证据")}
    assert evidence == {
        "买家与邀请人共用手机": "买家的账号手机与邀请人的分销申请手机是同一号码（一级关系：1 笔订单，佣金 ¥8.90）",
        "邀请人替买家付款": "邀请人的微信为买家支付了 1 笔订单，如 " + evidence["邀请人替买家付款"].split("如 ")[1],
    }
    assert "由财务或店主处理。" in texts(at, "caption")
    assert not at.text_area and not at.get("form")


def test_finance_marks_one_reviewed_and_holds_the_withdrawals_which_then_need_two_approvals(
        ring, open_as, committed, staff):
    at = open_as("finance", RISK)
    at.button(key=state.RISK_SCAN).click().run()
    signals = {r["类型"]: r["编号"] for r in table(at, "证据")}
    phone, payer = signals["买家与邀请人共用手机"], signals["邀请人替买家付款"]

    at.selectbox(key=state.RISK_SELECT).set_value(phone).run()
    at.text_area(key=state.widget_key(state.risk_form(phone), "note")).set_value("同一家人，已电话核实")
    at.button(key=state.widget_key(state.risk_form(phone), "review_submit")).click().run()
    assert texts(at, "success") == [f"信号 #{phone} 已标记为已查看。"]
    assert queue(at) == [("邀请人替买家付款", "R", "P3")]

    at.selectbox(key=state.RISK_SELECT).set_value(payer).run()
    at.button(key=state.widget_key(state.risk_form(payer), "hold_submit")).click().run()
    assert texts(at, "error") == ["请填写原因（1–200 个字）"]  # the domain's refusal, beside the form
    at.text_area(key=state.widget_key(state.risk_form(payer), "reason")).set_value("邀请人代付，待核实")
    at.button(key=state.widget_key(state.risk_form(payer), "hold_submit")).click().run()
    assert texts(at, "success") == ["R 的提现已进入复核。"]
    assert texts(at, "info") == ["没有符合条件的风险信号。"]
    [review] = table(at, "待审核提现")
    assert (review["分销员"], review["原因"], review["来自信号"], review["待审核提现"]) == \
        ("R", "邀请人代付，待核实", f"#{payer}", 1)

    at.segmented_control(key=state.RISK_FILTER_STATUS).set_value("reviewed").run()
    assert sorted((r["类型"], r["状态"]) for r in table(at, "证据")) == [
        ("买家与邀请人共用手机", "已处理 · 已查看，无需处理"), ("邀请人替买家付款", "已处理 · 提现复核")]

    # 提现审核: the first approval is only recorded; the same person cannot give the second.
    first = open_as("finance", WITHDRAWALS)
    assert table(first, "备注")[0]["备注"] == "复核中，需两人同意"
    assert "需要两位不同的员工先后同意才会打款" in texts(first, "warning")[0]
    approve = state.widget_key(state.withdrawal_form(ring["withdrawal"]), "approve_bank")
    first.button(key=approve).click().run()
    assert texts(first, "success") == [f"提现 {ring['withdrawal_no']} 已记录第一次同意：还需另一位员工同意后才会打款。"]
    assert "第二次同意须由另一位员工给出" in texts(first, "info")[0]
    assert not [b for b in first.button if b.proto.id.endswith(approve)]
    with unit_of_work(committed) as session:
        assert session.get(Withdrawal, ring["withdrawal"]).status == WithdrawalStatus.PENDING

    second = open_as("finance", WITHDRAWALS)
    assert table(second, "备注")[0]["备注"] == "已一人同意，待第二人"
    assert "等待第二次同意" in texts(second, "warning")[0]
    second.button(key=approve).click().run()
    assert texts(second, "success") == [f"提现 {ring['withdrawal_no']} 已同意，请转账后标记已打款。"]
    with unit_of_work(committed) as session:
        assert session.get(Withdrawal, ring["withdrawal"]).status == WithdrawalStatus.APPROVED

    # Lifting the review: the next withdrawal needs one approval again.
    at = open_as("finance", RISK)
    at.button(key=state.RISK_REVIEWS_LIFT).click().run()
    assert texts(at, "success") == ["已解除 R 的提现复核。"]
    assert texts(at, "caption")[-2] == "没有分销员在提现复核中。"


def test_the_overview_shows_today_and_yesterday_to_those_who_read_analytics(shop, open_as):
    at = open_as("owner", HOME)
    assert cards(at, ["今日销售额", "昨日销售额", "今日付款订单", "昨日付款订单", "今日新用户", "昨日新用户"]) == [
        ("今日销售额", "¥130.00", ""), ("昨日销售额", "¥0.00", ""), ("今日付款订单", "3", ""),
        ("昨日付款订单", "0", ""), ("今日新用户", "1", ""), ("昨日新用户", "0", "")]
    assert "今日销售额" not in [m.label for m in open_as("support", HOME).metric]


def test_the_workbench_range_is_kept_across_the_english_switch(shop, open_as):
    at = preset(open_as("analyst", ANALYTICS), TODAY)
    at.sidebar.segmented_control(key=state.LANG_SWITCH).set_value("en").run()
    assert at.segmented_control(key=f"{state.range_key('analytics', 'preset')}@en").value == TODAY
    assert [m.label for m in at.metric][:2] == ["Net sales", "Paid orders"]
    assert at.segmented_control(key=f"{state.range_key('analytics', 'preset')}@en").options[:5] == \
        ["Today", "7 days", "30 days", "This month", "Custom"]
    at.segmented_control(key=f"{state.range_key('analytics', 'preset')}@en").set_value(LAST_7).run()
    assert not at.exception, at.exception
    assert [(m.label, m.value, m.proto.delta) for m in at.metric][:2] == [("Net sales", "¥130.00", ""),
                                                                          ("Paid orders", "3", "")]


# --- the list screens' exports ------------------------------------------------------------------------------


def sheet_rows(export) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(export.xlsx())).active.iter_rows(values_only=True))


def download_buttons(at) -> set[str]:
    return {b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")}


def test_the_list_screens_export_the_whole_filtered_list_in_yuan(shop, open_as, committed):
    assert state.COMMISSIONS_EXPORT in download_buttons(open_as("finance", "views/commissions.py"))
    assert state.DISTRIBUTORS_EXPORT in download_buttons(open_as("owner", "views/distributors.py"))
    assert state.MEMBERS_EXPORT in download_buttons(open_as("operator", "views/members.py"))
    with unit_of_work(committed) as session:
        owner = Actor.of(make_staff(session, "owner"))

    frozen = exports.commissions(owner, status="frozen", level=1)
    assert frozen.file_name().startswith("佣金明细_冻结中_一级_导出于")
    header, *rows = sheet_rows(frozen)
    assert header[:9] == ("时间", "订单号", "受益人", "买家", "商品", "层级", "计佣基数（元）", "比例", "佣金（元）")
    assert sorted((r[2], r[4], r[6], r[8], r[10]) for r in rows) == [("乙", "茶具", 100, 10, "冻结中"),
                                                                    ("乙", "茶叶", 80, 8, "冻结中")]
    header, *rows = sheet_rows(exports.distributors(owner))
    assert header[:7] == ("用户ID", "昵称", "邀请码", "姓名", "状态", "一级成员", "二级成员")
    assert sorted((r[1], r[4], r[5], r[6]) for r in rows) == [("乙", "正常", 1, 0), ("甲", "正常", 1, 1)]
    header, *rows = sheet_rows(exports.members(owner, q="丙"))
    assert header[:7] == ("用户ID", "昵称", "手机", "等级", "成长值", "付款订单", "消费（元）")
    # Spend is what the orders paid less refunds: ¥90.00 (茶叶 and postage) + ¥100.00; 茶杯's, refunded whole, ¥0.00.
    assert [(r[1], r[5], r[6]) for r in rows] == [("丙", 3, 190)]


def test_the_orders_screen_exports_its_filtered_orders_whole_in_yuan(shop, open_as, committed):
    assert state.ORDERS_EXPORT in download_buttons(open_as("operator", "views/orders.py"))
    with unit_of_work(committed) as session:
        owner = Actor.of(make_staff(session, "owner"))
    every = exports.orders(owner)
    assert every.file_name().startswith("订单_导出于")
    header, *rows = sheet_rows(every)
    assert header[:4] == ("订单号", "下单时间", "付款时间", "买家")
    # Newest first, every order of the shop (not a page), amounts in yuan as numbers.
    assert [(r[3], r[4], r[5], r[9], r[10], r[11], r[12]) for r in rows] == [
        ("路人", "茶巾×1", 30, 10, 40, 0, "待发货"),
        ("丙", "茶杯×1", 50, 10, 60, 60, "已关闭（全额退款）"),
        ("丙", "茶具×1", 100, 0, 100, 0, "待发货"),
        ("丙", "茶叶×1", 80, 10, 90, 0, "待发货"),
    ]
    to_ship = exports.orders(owner, status=OrderStatus.PAID, q="丙")
    assert to_ship.file_name().startswith("订单_待发货_导出于")
    assert [(r[3], r[4]) for r in sheet_rows(to_ship)[1:]] == [("丙", "茶具×1"), ("丙", "茶叶×1")]


def test_the_owner_opens_a_leaderboard_distributor_on_the_distributors_screen(shop, open_as):
    at = open_as("owner", ANALYTICS)
    [button] = [b for b in at.button if b.label == "在分销员页面打开"]
    button.click().run()
    assert not at.exception, at.exception
    assert at.header[0].value == "分销员"
    assert at.text_input(key=state.DISTRIBUTORS_FILTER_Q).value == "乙"
    assert "共 1 位分销员" in texts(at, "caption")
