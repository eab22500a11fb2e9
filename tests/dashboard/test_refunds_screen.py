"""The refunds screen: support approves (money back through WeChat Pay, to the fen) or rejects with a reason."""

from __future__ import annotations

import pytest

from dashboard import state
from domain.db import unit_of_work
from domain.models import Order, Refund, RefundStatus
from domain.orders.refunds import get_refund, reject_refund
from domain.security.actor import SYSTEM
from tests.builders import make_user, refund
from tests.dashboard.conftest import fail_next, sandbox_records, texts
from tests.dashboard.shop import paid_order

REFUNDS = "views/refunds.py"


def key(refund_id: int, field: str, version: int = 0) -> str:
    return state.widget_key(state.refund_form(refund_id), field, version)


@pytest.fixture
def requested(committed, sandbox_url):
    """Two of three ¥29.33 units asked back: 8799 * 2 // 3 = 5866 fen (the order paid ¥10 postage too)."""
    with unit_of_work(committed) as session:
        buyer = make_user(session, "退款买家")
        order = paid_order(session, sandbox_url, buyer, price_fen=2933, quantity=3, title="陶瓷碗")
        r = refund(session, order, [(order.lines[0].id, 2)], approve=False, reason="碎了两个")
        assert r.amount_fen == 5866
        return r.id, r.refund_no, order.order_no


def stored(committed, refund_id: int) -> Refund:
    with unit_of_work(committed) as session:
        return get_refund(session, refund_id)


def test_approving_refunds_the_exact_amount_through_wechat(committed, requested, open_as, sandbox_url):
    refund_id, refund_no, order_no = requested
    at = open_as("support", REFUNDS)
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["退款单号"], row["订单号"], row["买家"], row["退款金额"], row["退款原因"]) == (
        refund_no, order_no, "退款买家", "¥58.66", "碎了两个")
    [lines] = [at.dataframe[1].value.to_dict("records")]
    assert [(r["商品"], r["退款数量"], r["退款金额"]) for r in lines] == [("陶瓷碗", "2 / 共 3 件", "¥58.66")]
    assert "将通过微信支付原路退回买家 ¥58.66。" in texts(at, "info")

    at.button(key=key(refund_id, "approve_submit")).click().run()  # not confirmed yet
    assert texts(at, "warning") == ["请先勾选确认退款金额。"]
    assert stored(committed, refund_id).status == RefundStatus.REQUESTED

    at.checkbox(key=key(refund_id, "confirm")).check()
    at.button(key=key(refund_id, "approve_submit")).click().run()
    assert texts(at, "success") == [f"退款 {refund_no} 已完成：¥58.66 已退回买家微信。"]
    r = stored(committed, refund_id)
    assert (r.status, r.amount_fen, r.decided_by is not None) == (RefundStatus.REFUNDED, 5866, True)
    [record] = [x for x in sandbox_records(sandbox_url, "refund") if x["out_refund_no"] == refund_no]
    assert (record["refund_fee"], record["total_fee"], record["out_trade_no"]) == (5866, 9799, order_no)
    assert texts(at, "info")[-1] == "没有这个状态的退款。"  # the queue is empty now


def test_rejecting_needs_a_reason_and_stores_it(committed, requested, open_as):
    refund_id, refund_no, _ = requested
    at = open_as("owner", REFUNDS)
    at.button(key=key(refund_id, "reject_submit")).click().run()
    assert texts(at, "error") == ["请填写驳回原因"]
    assert stored(committed, refund_id).status == RefundStatus.REQUESTED

    at.text_area(key=key(refund_id, "reason")).set_value("商品无质量问题，已超过 7 天")
    at.button(key=key(refund_id, "reject_submit")).click().run()
    assert texts(at, "success") == [f"退款 {refund_no} 已驳回。"]
    r = stored(committed, refund_id)
    assert (r.status, r.reject_reason) == (RefundStatus.REJECTED, "商品无质量问题，已超过 7 天")

    at.get("button_group")[0].set_value(RefundStatus.REJECTED).run()
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["状态"], row["备注"]) == ("已驳回", "商品无质量问题，已超过 7 天")


def test_a_refund_wechat_refused_stays_approved_is_shown_first_and_is_retried(committed, requested, open_as,
                                                                             sandbox_url):
    refund_id, refund_no, _ = requested
    at = open_as("support", REFUNDS)
    fail_next(sandbox_url, "refund")
    at.checkbox(key=key(refund_id, "confirm")).check()
    at.button(key=key(refund_id, "approve_submit")).click().run()
    assert texts(at, "error")[0].startswith("微信退款未完成：微信退款失败")
    assert stored(committed, refund_id).status == RefundStatus.APPROVED
    assert texts(at, "error")[1] == "有 1 笔退款已同意但微信退款未完成。请在“已同意·退款未完成”中重试。"

    at.get("button_group")[0].set_value(RefundStatus.APPROVED).run()
    assert at.get("button_group")[0].options[1] == "已同意·退款未完成 (1)"
    at.checkbox(key=key(refund_id, "confirm", 1)).check()
    at.button(key=key(refund_id, "approve_submit", 1)).click().run()
    assert texts(at, "success") == [f"退款 {refund_no} 已完成：¥58.66 已退回买家微信。"]
    assert stored(committed, refund_id).status == RefundStatus.REFUNDED
    assert len([x for x in sandbox_records(sandbox_url, "refund") if x["out_refund_no"] == refund_no]) == 1
    with unit_of_work(committed) as session:
        assert session.query(Order).one().refunded_fen == 5866


def test_a_decided_refund_offers_no_buttons(committed, requested, open_as):
    refund_id, refund_no, _ = requested
    with unit_of_work(committed) as session:
        reject_refund(session, actor=SYSTEM, refund_id=refund_id, reason="已协商换货")
    at = open_as("support", REFUNDS)
    at.get("button_group")[0].set_value(RefundStatus.REJECTED).run()
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["退款单号"], row["状态"]) == (refund_no, "已驳回")
    assert not [b for b in at.button if b.key and b.key.startswith(state.refund_form(refund_id))]
    assert not at.get("form")
