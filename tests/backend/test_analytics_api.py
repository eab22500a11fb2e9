"""The analytics API over HTTP on the history of tests/domain/analytics_history.py: the same figures as the domain,
who may read and decide, the simulator's body, exports, and the risk queue with a withdrawal's second approval."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from domain.analytics.errors import AnalyticsError
from domain.errors import CommonError
from domain.models import RiskSignal
from domain.security.actor import SYSTEM
from domain.wallet.errors import WalletError
from domain.wallet.service import adjust_wallet, request_withdrawal
from tests.domain.analytics_history import build_history
from tests.refusals import refused

WEEK = {"from": "2026-03-09", "to": "2026-03-15"}
BASE = "/api/v1/admin/analytics"


@pytest.fixture
def history(db, sandbox_url):
    return build_history(db, sandbox_url)


@pytest.fixture
def analyst(staff_headers):
    return staff_headers("analyst")


def test_the_summary_and_its_previous_period(client, history, analyst):
    res = client.get(f"{BASE}/summary", params=WEEK, headers=analyst)
    assert res.status_code == 200, res.text
    s = res.json()
    assert {k: s[k] for k in ("net_sales_fen", "refunded_fen", "paid_orders", "buyers", "aov_fen",
                              "distribution_sales_fen", "distribution_share_bp", "commission_fen",
                              "commission_ratio_bp", "new_distributors", "new_bound_users")} == {
        "net_sales_fen": 42997, "refunded_fen": 14999, "paid_orders": 5, "buyers": 3, "aov_fen": 8599,
        "distribution_sales_fen": 29998, "distribution_share_bp": 6976, "commission_fen": 5498,
        "commission_ratio_bp": 1278, "new_distributors": 1, "new_bound_users": 2}
    assert s["liability"] == {"frozen_fen": 6996, "available_fen": 500, "withdrawing_fen": 300, "total_fen": 7796}
    assert s["period"] == {"from": "2026-03-09", "to": "2026-03-15"}
    assert s["previous"]["period"] == {"from": "2026-03-02", "to": "2026-03-08"}
    assert (s["previous"]["net_sales_fen"], s["previous"]["commission_fen"]) == (9999, 1498)


def test_series_ranking_drill_down_funnel_cohorts_and_refunds(client, history, analyst):
    u = history.users
    week = client.get(f"{BASE}/series", params={**WEEK, "by": "week"}, headers=analyst).json()
    assert [(p["bucket"], p["net_sales_fen"]) for p in week["sales"]] == [("2026-03-09", 42997)]
    assert sum(p["amount_fen"] for p in week["commission"]) == 5498
    ranking = client.get(f"{BASE}/distributors", params=WEEK, headers=analyst).json()
    assert ranking["total"] == 3
    assert [(r["user_id"], r["commission_fen"], r["team_size"], r["new_members"]) for r in ranking["items"]] == [
        (u["B"].id, 2999, 2, 1), (u["A"].id, 2499, 4, 2), (u["F"].id, 0, 0, 0)]
    drill = client.get(f"{BASE}/distributors/{u['A'].id}", params={**WEEK, "by": "day"}, headers=analyst).json()
    assert drill["totals"]["level2_sales_fen"] == 24998 and len(drill["series"]) == 7
    refused(AnalyticsError.DISTRIBUTOR_NOT_FOUND,
            client.get(f"{BASE}/distributors/{u['C'].id}", params=WEEK, headers=analyst), status=404)
    assert client.get(f"{BASE}/funnel", params=WEEK, headers=analyst).json() == {
        "shares": 2, "visits": 2, "bound": 2, "ordered": 1, "paid": 1, "completed": 1}
    assert client.get(f"{BASE}/funnel", params={**WEEK, "distributor_id": u["B"].id}, headers=analyst).json() == {
        "shares": 0, "visits": 1, "bound": 1, "ordered": 0, "paid": 0, "completed": 0}
    per = client.get(f"{BASE}/funnel/distributors", params=WEEK, headers=analyst).json()
    assert [r["user_id"] for r in per["items"]] == [u["A"].id, u["B"].id, u["F"].id]
    table = client.get(f"{BASE}/cohorts", params={"from": "2026-03-02", "to": "2026-03-15", "weeks": 3},
                       headers=analyst).json()
    assert [(r["week"], r["size"], r["shares_bp"]) for r in table["rows"]] == [
        ("2026-03-02", 1, [10000, 10000, 10000]), ("2026-03-09", 2, [5000, 5000, None])]
    assert client.get(f"{BASE}/repeat-purchase", params=WEEK, headers=analyst).json() == {
        "buyers": 3, "repeat_buyers": 1, "rate_bp": 3333}
    products = client.get(f"{BASE}/refunds/products", params=WEEK, headers=analyst).json()
    assert [(p["title"], p["rate_bp"]) for p in products["items"]] == [("手机壳", 2500), ("耳机", 3333), ("贴膜", 0)]
    assert products["shop"] == {"orders": 5, "paid_fen": 57996, "refunded_fen": 14999, "rate_bp": 2586}
    teams = client.get(f"{BASE}/refunds/teams", params=WEEK, headers=analyst).json()
    assert [(t["user_id"], t["rate_bp"]) for t in teams["items"]] == [(u["B"].id, 3750), (u["A"].id, 3124)]


def test_the_simulator(client, history, analyst):
    res = client.post(f"{BASE}/commission-simulation", json={**WEEK, "level1_bp": 1500, "level2_bp": 800},
                      headers=analyst)
    assert res.status_code == 200, res.text
    sim = res.json()
    assert {k: sim[k] for k in ("orders", "records", "actual_fen", "simulated_fen", "delta_fen",
                                "simulated_ratio_bp", "over_cap")} == {
        "orders": 3, "records": 5, "actual_fen": 5498, "simulated_fen": 7098, "delta_fen": 1600,
        "simulated_ratio_bp": 1650, "over_cap": False}
    assert [(b["user_id"], b["actual_fen"], b["simulated_fen"], b["delta_fen"]) for b in sim["by_beneficiary"]] == [
        (history.users["B"].id, 2999, 3999, 1000), (history.users["A"].id, 2499, 3099, 600)]
    assert sim["by_week"] == [{"week": "2026-03-09", "actual_fen": 5498, "simulated_fen": 7098}]


@pytest.mark.parametrize("body", [
    {**WEEK, "level1_bp": "1500", "level2_bp": 800},  # a string is no rate
    {**WEEK, "level1_bp": 1500.0, "level2_bp": 800},
    {**WEEK, "level1_bp": 10001, "level2_bp": 800},
    {**WEEK, "level1_bp": 1500},
    {**WEEK, "level1_bp": 1500, "level2_bp": 800, "level3_bp": 100},  # there is no third level
])
def test_the_simulator_refuses_a_malformed_body(client, analyst, body):
    assert client.post(f"{BASE}/commission-simulation", json=body, headers=analyst).status_code == 422


def test_ranges_are_checked(client, analyst):
    refused(AnalyticsError.INVALID_RANGE, client.get(f"{BASE}/summary", params={"from": "2026-03-15",
                                                                              "to": "2026-03-09"}, headers=analyst),
            status=422)
    refused(AnalyticsError.INVALID_RANGE, client.post(f"{BASE}/commission-simulation", json={
        "from": "2020-01-01", "to": "2026-01-01", "level1_bp": 1000, "level2_bp": 500}, headers=analyst), status=422)
    assert client.get(f"{BASE}/summary", params={"from": "9 March"}, headers=analyst).status_code == 422


def test_only_analysts_and_the_owner_read_the_analytics(client, staff_headers):
    assert client.get(f"{BASE}/summary").status_code == 401
    for role in ("operator", "support", "finance"):
        refused(CommonError.FORBIDDEN, client.get(f"{BASE}/summary", headers=staff_headers(role)), status=403)
    assert client.get(f"{BASE}/summary", headers=staff_headers("owner")).status_code == 200


def test_an_export_is_the_whole_table_in_yuan_with_a_file_name(client, history, analyst):
    res = client.get(f"{BASE}/export/distributors", params=WEEK, headers=analyst)
    assert res.status_code == 200
    assert res.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = unquote(res.headers["content-disposition"].split("UTF-8''")[1])
    assert name.startswith("分销员排行_2026-03-09至2026-03-15_导出于20260316-") and name.endswith(".xlsx")
    ws = load_workbook(BytesIO(res.content)).active
    assert ws.max_row == 1 + 3 and ws["E2"].value == 29.99  # B's commission in yuan
    sim = client.get(f"{BASE}/export/simulation", params={**WEEK, "level1_bp": 1500, "level2_bp": 800},
                     headers=analyst)
    assert load_workbook(BytesIO(sim.content))["按周"]["C2"].value == 70.98
    refused(AnalyticsError.INVALID_RATE, client.get(f"{BASE}/export/simulation", params=WEEK, headers=analyst),
            status=422)
    assert client.get(f"{BASE}/export/nothing", params=WEEK, headers=analyst).status_code == 422


def test_the_risk_queue_and_a_second_approval_over_http(client, db, history, staff_headers, analyst):
    finance, other_finance = staff_headers("finance"), staff_headers("finance")
    a = history.users["A"]
    db.add(RiskSignal(kind="binding_burst", distributor_id=a.id, key=f"binding_burst:{a.id}:2026-03-14",
                      evidence={"invite_code": a.invite_code, "bindings_at_least": 20}))
    db.flush()
    assert client.post(f"{BASE}/risk-signals/scan", headers=finance).json()["raised"] == 0  # nothing in this history

    queue = client.get(f"{BASE}/risk-signals", headers=analyst).json()
    assert queue["total"] == 1 and queue["items"][0]["actions"] == []  # analysts read, finance decides
    signal = client.get(f"{BASE}/risk-signals", headers=finance).json()["items"][0]
    assert signal["actions"] == ["mark_reviewed", "hold_withdrawals"]
    refused(CommonError.FORBIDDEN, client.post(f"{BASE}/risk-signals/{signal['id']}/review", headers=analyst),
            status=403)
    refused(CommonError.REASON_REQUIRED, client.post(f"{BASE}/risk-signals/{signal['id']}/hold-withdrawals",
                                                      json={"reason": ""}, headers=finance), status=422)
    held = client.post(f"{BASE}/risk-signals/{signal['id']}/hold-withdrawals", json={"reason": "短时间大量绑定"},
                       headers=finance).json()
    assert (held["status"], held["outcome"], held["withdrawals_on_review"], held["actions"]) == \
        ("reviewed", "withdrawals_on_review", True, [])
    refused(AnalyticsError.SIGNAL_ALREADY_REVIEWED,
            client.post(f"{BASE}/risk-signals/{signal['id']}/review", headers=finance), status=409)
    assert client.get(f"{BASE}/risk-signals", params={"status": "all"}, headers=analyst).json()["total"] == 1
    assert client.get(f"{BASE}/risk-signals/999999", headers=analyst).status_code == 404

    [review] = client.get(f"{BASE}/withdrawal-reviews", headers=finance).json()
    assert (review["user_id"], review["pending_withdrawals"]) == (a.id, 1)  # A's ¥3.00 from the history
    adjust_wallet(db, actor=SYSTEM, user_id=a.id, amount_fen=1000, reason="测试")
    w = request_withdrawal(db, user=a, amount_fen=500, method="wechat")
    first = client.post(f"/api/v1/admin/withdrawals/{w.id}/approve", headers=finance)
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["second_approval_required"]) == ("pending", True)
    assert first.json()["first_approved_at"] is not None and "approve" not in first.json()["actions"]
    refused(WalletError.SECOND_APPROVER_REQUIRED,
            client.post(f"/api/v1/admin/withdrawals/{w.id}/approve", headers=finance), status=409)
    second = client.post(f"/api/v1/admin/withdrawals/{w.id}/approve", headers=other_finance).json()
    assert second["status"] == "awaiting_confirmation"  # the 商家转账 bill now waits for A

    assert client.delete(f"{BASE}/withdrawal-reviews/{a.id}", headers=finance).status_code == 204
    refused(AnalyticsError.NOT_ON_REVIEW, client.delete(f"{BASE}/withdrawal-reviews/{a.id}", headers=finance),
            status=409)
    placed = client.post(f"{BASE}/withdrawal-reviews", json={"user_id": a.id, "reason": "客户投诉"}, headers=finance)
    assert placed.status_code == 201 and placed.json()[0]["reason"] == "客户投诉"
    refused(AnalyticsError.DISTRIBUTOR_NOT_FOUND, client.post(
        f"{BASE}/withdrawal-reviews", json={"user_id": history.users["C"].id, "reason": "x"}, headers=finance),
        status=404)


def test_the_demo_history_gives_the_workbench_something_to_say(client, db, analyst):
    from sqlalchemy import func, select

    from backend.seed import seed_base, seed_demo
    from domain.models import CommissionRecord, Order, OrderLine
    from domain.money import bp_of

    seed_base(db)
    lines = seed_demo(db, history=True)
    assert any(line.startswith("demo history: 180 days, 40 distributors") for line in lines)
    month = client.get(f"{BASE}/series", params={"by": "month"} | _last(180), headers=analyst).json()["sales"]
    assert len(month) >= 6 and sum(1 for p in month if p["net_sales_fen"] > 0) >= 6  # every month sold
    ranking = client.get(f"{BASE}/distributors", params=_last(180), headers=analyst).json()
    assert ranking["total"] == 42 and ranking["items"][0]["commission_fen"] > 0  # 40, and demo_a and demo_b
    kinds = {s["kind"] for s in client.get(f"{BASE}/risk-signals", headers=analyst).json()["items"]}
    assert {"binding_burst", "shared_phone"} <= kinds
    # The bulk rows keep the domain's invariants: lines add up to their order, commission is base × rate.
    mismatched = db.scalar(select(func.count()).select_from(
        select(Order.id).join(OrderLine, OrderLine.order_id == Order.id).group_by(Order.id, Order.goods_fen)
        .having(func.sum(OrderLine.paid_fen) != Order.goods_fen).subquery()))
    assert mismatched == 0
    records = db.execute(select(CommissionRecord.base_fen, CommissionRecord.rate_bp,
                                CommissionRecord.amount_fen)).all()
    assert all(amount == bp_of(base, bp) for base, bp, amount in records)


def _last(days: int) -> dict:
    from datetime import timedelta

    from domain.analytics.periods import today

    return {"from": (today() - timedelta(days=days - 1)).isoformat(), "to": today().isoformat()}
