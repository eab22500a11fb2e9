"""The refunds screen: support approves (money back through WeChat Pay, to the fen) or rejects with a reason."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from dashboard import state
from domain.db import unit_of_work
from domain.models import Order, Refund, RefundKind, RefundStatus, Sku, User
from domain.orders.refunds import (
    RefundItem,
    get_refund,
    reject_refund,
    request_refund,
    ship_return,
    upload_refund_photo,
)
from domain.security.actor import SYSTEM
from domain.settings.service import update_settings
from tests.builders import make_user, refund, ship
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
    assert at.get("button_group")[0].options[2] == "已同意·退款未完成 (1)"  # after 待处理 and 待买家退货
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


# --- returns (退货退款): kind and photos shown, approval without money, receipt with the restock choice ----------

RETURN_ADDRESS = "退货仓 王五 13700137000 浙江省杭州市余杭区文一西路 100 号"


def png_bytes(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def a_return(committed, sandbox_url):
    """Two of three ¥29.33 units shipped and asked back as a return (5866 fen) with two photos."""
    with unit_of_work(committed) as session:
        buyer = make_user(session, "退货买家")
        order = paid_order(session, sandbox_url, buyer, price_fen=2933, quantity=3, title="陶瓷碗")
        ship(session, order)
        photos = [upload_refund_photo(user=buyer, data=png_bytes(c)) for c in ((200, 0, 0), (0, 0, 200))]
        r = request_refund(session, user=buyer, order_id=order.id, items=[RefundItem(order.lines[0].id, 2)],
                           reason="碎了两个", kind=RefundKind.RETURN_AND_REFUND, photos=photos)
        return r.id, r.refund_no, order.lines[0].sku_id


def test_a_return_is_approved_then_received_and_refunded_with_the_restock_chosen(committed, a_return, open_as):
    refund_id, refund_no, sku_id = a_return
    at = open_as("support", REFUNDS)
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["退款单号"], row["类型"], row["退款金额"]) == (refund_no, "退货退款", "¥58.66")
    assert "**类型**：退货退款" in texts(at, "markdown") and "**买家照片（2 张）**" in texts(at, "markdown")
    assert [i.captions for i in at.get("image")] == [["照片 1", "照片 2"]]
    # No return address yet: only rejecting is offered, and the screen says what is missing.
    assert texts(at, "warning") == ["同意退货前，请先在“系统设置”中填写退货地址。"]
    assert not [b for b in at.button if b.key == key(refund_id, "approve_submit")]

    with unit_of_work(committed) as session:
        update_settings(session, {"return_address": RETURN_ADDRESS})
    at.run()
    assert "买家将看到退货地址并寄回商品；确认收到退货后再退款 ¥58.66。" in texts(at, "info")
    at.button(key=key(refund_id, "approve_submit")).click().run()
    assert texts(at, "success") == [f"退款 {refund_no} 已同意退货，等待买家寄回。"]
    assert stored(committed, refund_id).status == RefundStatus.AWAITING_RETURN
    segments = at.get("button_group")[0]
    assert segments.options[:2] == ["待处理", "待买家退货 (1)"]  # the counts follow the decision at once

    segments.set_value(RefundStatus.AWAITING_RETURN).run()
    assert f"**退货地址**：{RETURN_ADDRESS}" in texts(at, "markdown")
    assert "买家尚未填写退货物流单号。" in texts(at, "info")
    with unit_of_work(committed) as session:
        ship_return(session, user=session.get(User, get_refund(session, refund_id).user_id), refund_id=refund_id,
                    carrier="中通快递", tracking_no="ZT778899")
    at.run()
    assert any(m.startswith("**买家退货物流**：中通快递 · `ZT778899`") for m in texts(at, "markdown"))

    version = 1  # the approval reset the request's forms
    at.checkbox(key=key(refund_id, "confirm", version)).check()
    at.button(key=key(refund_id, "receive_submit", version)).click().run()
    assert texts(at, "warning") == ["请先选择退回的商品是否放回库存。"]
    at.radio(key=key(refund_id, "restock", version)).set_value(True)
    at.button(key=key(refund_id, "receive_submit", version)).click().run()
    assert texts(at, "success") == [f"退款 {refund_no} 已完成：¥58.66 已退回买家微信。"]
    r = stored(committed, refund_id)
    assert (r.status, r.amount_fen, r.restock_returned) == (RefundStatus.REFUNDED, 5866, True)
    with unit_of_work(committed) as session:
        assert session.get(Sku, sku_id).stock == 50 - 3 + 2


def test_the_search_box_finds_a_request_by_nickname_and_number(committed, a_return, requested, open_as):
    return_id, return_no, _ = a_return
    refund_id, refund_no, order_no = requested
    at = open_as("support", REFUNDS)
    assert {r["退款单号"] for r in at.dataframe[0].value.to_dict("records")} == {return_no, refund_no}
    at.text_input(key=state.REFUNDS_FILTER_Q).set_value("退货买家").run()
    assert [r["退款单号"] for r in at.dataframe[0].value.to_dict("records")] == [return_no]
    at.text_input(key=state.REFUNDS_FILTER_Q).set_value(order_no).run()
    assert [r["退款单号"] for r in at.dataframe[0].value.to_dict("records")] == [refund_no]
    at.get("button_group")[0].set_value(RefundStatus.REFUNDED).run()
    assert texts(at, "info") == ["“已退款”中没有符合条件的退款，可切换上方的状态再找。"]
