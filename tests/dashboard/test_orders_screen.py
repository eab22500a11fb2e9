"""The orders screen: staff find an order, read it whole, and operators ship it (WeChat hears about it)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from dashboard import state
from dashboard.views.orders import _printable
from domain import clock
from domain.db import unit_of_work
from domain.models import AuditEntry, Order, OrderStatus
from domain.orders.packing import packing_list
from domain.orders.queries import get_order
from domain.security.actor import Actor
from domain.security.roles import Role
from tests.builders import make_product, make_user, place, refund
from tests.dashboard.conftest import fail_next, sandbox_records, texts
from tests.dashboard.conftest import table as table_with
from tests.dashboard.shop import paid_order

ORDERS = "views/orders.py"
SYSTEM_OPERATOR = Actor(staff_id=None, username="operator", role=Role.OPERATOR)


def ship_key(order_id: int, field: str, version: int = 0) -> str:
    return state.widget_key(state.ship_form(order_id), field, version)


def table(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


@pytest.fixture
def orders(committed, sandbox_url):
    """A paid order (¥99.99 × 2, free shipping) and an unpaid one."""
    with unit_of_work(committed) as session:
        buyer = make_user(session, "小王")
        paid = paid_order(session, sandbox_url, buyer, price_fen=9999, quantity=2, title="保温杯")
        unpaid = place(session, buyer, [(make_product(session, title="帆布包", prices=(5000,)).skus[0].id, 1)])
        return paid.id, paid.order_no, unpaid.order_no


def test_filtering_by_status_number_and_day_finds_the_order(orders, open_as):
    paid_id, paid_no, unpaid_no = orders
    at = open_as("support", ORDERS)
    assert [r["order_no"] for r in table(at)] == [unpaid_no, paid_no]
    assert at.selectbox(key=state.ORDERS_FILTER_STATUS).options == [
        "全部状态", "待付款 (1)", "待发货 (1)", "已发货 (0)", "已完成 (0)", "已取消 (0)", "已关闭（全额退款） (0)"]

    at.selectbox(key=state.ORDERS_FILTER_STATUS).set_value(OrderStatus.PAID).run()
    [row] = table(at)
    assert (row["order_no"], row["buyer"], row["lines"], row["payable"], row["status"]) == (
        paid_no, "小王", "保温杯×2", "¥199.98", "待发货")

    at.selectbox(key=state.ORDERS_FILTER_STATUS).set_value(None)
    at.text_input(key=state.ORDERS_FILTER_NO).set_value(unpaid_no[-6:]).run()
    assert [r["order_no"] for r in table(at)] == [unpaid_no]

    today = clock.local(clock.now()).date()
    at.text_input(key=state.ORDERS_FILTER_NO).set_value("")
    at.date_input(key=state.ORDERS_FILTER_DAYS).set_value((today - timedelta(days=7), today - timedelta(days=1))).run()
    assert texts(at, "info") == ["没有符合条件的订单。"]
    at.date_input(key=state.ORDERS_FILTER_DAYS).set_value((today,)).run()
    assert len(table(at)) == 2


def test_shipping_a_paid_order_uploads_it_to_wechat_and_is_audited(committed, orders, open_as, sandbox_url):
    paid_id, paid_no, _ = orders
    at = open_as("operator", ORDERS)
    at.selectbox(key=state.ORDERS_SELECT).set_value(paid_id).run()
    tracking_no = f"SF{paid_no}"
    at.selectbox(key=ship_key(paid_id, "carrier")).set_value("中通快递")
    at.text_input(key=ship_key(paid_id, "tracking_no")).set_value(tracking_no)
    at.button(key=ship_key(paid_id, "submit")).click().run()

    assert not at.error, texts(at, "error")
    assert texts(at, "success") == [f"订单 {paid_no} 已发货。", "发货信息已上传微信。"]
    with unit_of_work(committed) as session:
        order = get_order(session, paid_id)
        assert order.status == OrderStatus.SHIPPED
        assert (order.shipment.carrier, order.shipment.tracking_no, order.shipment.wechat_uploaded) == (
            "中通快递", tracking_no, True)
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "order.ship"))
        assert (entry.entity_id, entry.actor.startswith("operator"), entry.after["tracking_no"]) == (
            str(paid_id), True, tracking_no)
    [upload] = [r for r in sandbox_records(sandbox_url, "shipping")
                if r["shipping_list"][0]["tracking_no"] == tracking_no]
    assert upload["shipping_list"][0]["express_company"] == "中通快递"
    assert upload["shipping_list"][0]["contact"]["receiver_contact"] == "138****8000"
    # Shipped now: no ship form; the tracking form and the timeline instead.
    assert at.get("form") and not [b for b in at.button if b.key == ship_key(paid_id, "submit", 1)]
    assert any("商家已发货，中通快递 运单号" in m for m in texts(at, "markdown"))


def test_a_carrier_not_in_the_list_is_typed_and_a_failed_upload_is_retried(committed, orders, open_as, sandbox_url):
    paid_id, paid_no, _ = orders
    at = open_as("owner", ORDERS)
    at.selectbox(key=state.ORDERS_SELECT).set_value(paid_id).run()
    fail_next(sandbox_url, "shipping")
    at.selectbox(key=ship_key(paid_id, "carrier")).set_value("")  # other
    at.text_input(key=ship_key(paid_id, "other")).set_value("同城闪送")
    at.text_input(key=ship_key(paid_id, "tracking_no")).set_value(f"SS{paid_no}")
    at.button(key=ship_key(paid_id, "submit")).click().run()

    assert texts(at, "success") == [f"订单 {paid_no} 已发货。"]
    assert texts(at, "warning")[0] == "发货信息上传微信失败：发货信息上传微信失败。请点“重新上传微信”。"
    with unit_of_work(committed) as session:
        shipment = get_order(session, paid_id).shipment
        assert (shipment.carrier, shipment.wechat_uploaded) == ("同城闪送", False)
    assert [r["order_no"] for r in table(at) if r["wechat"] == "⚠ 未上传"] == [paid_no]

    at.button(key=ship_key(paid_id, "retry", 1)).click().run()
    assert texts(at, "success") == ["发货信息已上传微信。"]
    with unit_of_work(committed) as session:
        assert get_order(session, paid_id).shipment.wechat_uploaded is True

    form = state.tracking_form(paid_id)
    at.text_input(key=state.widget_key(form, "text")).set_value("快件已到达【深圳转运中心】")
    at.button(key=state.widget_key(form, "submit")).click().run()
    assert texts(at, "success") == ["物流信息已添加。"]
    assert any("快件已到达【深圳转运中心】" in m for m in texts(at, "markdown"))


def test_support_reads_the_whole_order_with_a_masked_phone_and_cannot_ship(committed, orders, open_as):
    paid_id, paid_no, _ = orders
    with unit_of_work(committed) as session:
        order = session.get(Order, paid_id)
        refund(session, order, [(get_order(session, paid_id).lines[0].id, 1)], approve=False, reason="买多了")
    at = open_as("support", ORDERS)
    at.selectbox(key=state.ORDERS_SELECT).set_value(paid_id).run()

    assert [r["refunds"] for r in table(at) if r["order_no"] == paid_no] == ["退款中 1"]
    receiver = next(m for m in texts(at, "markdown") if m.startswith("**收货人**"))
    assert "138****8000" in receiver and "13800138000" not in receiver
    lines, amounts = (at.dataframe[i].value.to_dict("records") for i in (1, 2))
    assert [(r["商品"], r["数量"], r["实付"]) for r in lines] == [("保温杯", 2, "¥199.98")]
    assert [(r["金额明细"], r["金额"]) for r in amounts] == [("商品金额", "¥199.98"), ("实付款", "¥199.98")]
    refunds = at.dataframe[3].value.to_dict("records")
    assert [(r["退款金额"], r["状态"], r["退款原因"]) for r in refunds] == [("¥99.99", "待处理", "买多了")]
    assert not [k for k in (b.key for b in at.button) if k and k.startswith("orders.ship")]

    at = open_as("operator", ORDERS)
    at.selectbox(key=state.ORDERS_SELECT).set_value(paid_id).run()
    receiver = next(m for m in texts(at, "markdown") if m.startswith("**收货人**"))
    assert "13800138000" in receiver  # operators ship, so they see the number the courier needs


# --- search, merchant note, receiver, batch shipping, packing slips ----------------------------------------------

@pytest.fixture
def two_paid(committed, sandbox_url):
    """Two paid orders of one buyer (手机 13800138000): ¥42.00 + ¥10 postage and ¥99.99 with free shipping."""
    with unit_of_work(committed) as session:
        buyer = make_user(session, "小梅")
        basket = paid_order(session, sandbox_url, buyer, price_fen=4200, title="竹编果篮")
        cup = paid_order(session, sandbox_url, buyer, price_fen=9999, title="保温杯")
        return (basket.id, basket.order_no), (cup.id, cup.order_no)


def test_the_search_box_finds_orders_by_product_nickname_and_whole_phone(two_paid, open_as):
    (basket_id, basket_no), (cup_id, cup_no) = two_paid
    at = open_as("support", ORDERS)
    at.text_input(key=state.ORDERS_FILTER_NO).set_value("果篮").run()
    assert [(r["order_no"], r["payable"]) for r in table(at)] == [(basket_no, "¥52.00")]
    at.text_input(key=state.ORDERS_FILTER_NO).set_value("小梅").run()
    assert [r["order_no"] for r in table(at)] == [cup_no, basket_no]
    at.text_input(key=state.ORDERS_FILTER_NO).set_value("138 0013 8000").run()
    assert [r["order_no"] for r in table(at)] == [cup_no, basket_no]
    at.text_input(key=state.ORDERS_FILTER_NO).set_value("1380013").run()
    assert texts(at, "info") == ["没有符合条件的订单。"]  # part of a phone finds nothing


def test_an_operator_keeps_a_note_and_changes_the_receiver_before_shipping(committed, two_paid, open_as):
    (basket_id, basket_no), _ = two_paid
    at = open_as("operator", ORDERS)
    at.selectbox(key=state.ORDERS_SELECT).set_value(basket_id).run()
    note = state.note_form(basket_id)
    at.text_area(key=state.widget_key(note, "note", 0)).set_value("客户来电：用纸箱")
    at.button(key=state.widget_key(note, "submit", 0)).click().run()
    assert texts(at, "success") == ["商家备注已保存。"]
    assert [r["note"] for r in table(at) if r["order_no"] == basket_no] == ["客户来电：用纸箱"]
    assert "**商家备注**  \n客户来电：用纸箱" in texts(at, "markdown")

    form = state.receiver_form(basket_id)
    # The form starts from the receiver on the order.
    before = next(m for m in texts(at, "markdown") if m.startswith("**收货人**"))
    shown = {f: at.text_input(key=state.widget_key(form, f, 0)).value
             for f in ("name", "phone", "province", "city", "district", "detail")}
    assert all(shown.values()) and "*" not in "".join(shown.values())
    assert before == (f"**收货人**  \n{shown['name']} · `{shown['phone']}`  \n"
                      f"{shown['province']}{shown['city']}{shown['district']}{shown['detail']}")
    fields = {"name": "赵六", "phone": "13600136000", "province": "上海市", "city": "上海市", "district": "徐汇区",
              "detail": "漕溪北路 1 号"}
    for field, value in {**fields, "phone": "136"}.items():
        at.text_input(key=state.widget_key(form, field, 0)).set_value(value)
    at.button(key=state.widget_key(form, "submit", 0)).click().run()
    assert texts(at, "error") == ["请输入 11 位手机号"]
    at.text_input(key=state.widget_key(form, "phone", 0)).set_value("13600136000")
    at.button(key=state.widget_key(form, "submit", 0)).click().run()
    assert texts(at, "success") == [f"订单 {basket_no} 的收货地址已修改。"]
    receiver = next(m for m in texts(at, "markdown") if m.startswith("**收货人**"))
    assert receiver == "**收货人**  \n赵六 · `13600136000`  \n上海市上海市徐汇区漕溪北路 1 号"
    with unit_of_work(committed) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "order.change_address"))
        assert (entry.before["phone"], entry.after["phone"], entry.after["receiver"]) == (
            "138****8000", "136****6000", "赵*")

    ship = state.ship_form(basket_id)
    at.text_input(key=state.widget_key(ship, "tracking_no")).set_value("SF20260001")
    at.button(key=state.widget_key(ship, "submit")).click().run()
    assert not [b for b in at.button if b.key and b.key.startswith(form)]  # shipped: the address is fixed now
    assert [b for b in at.button if b.key and b.key.startswith(note)]  # the note stays editable


def _sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(["订单号", "快递公司", "快递单号"])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_batch_shipping_shows_each_rows_result_and_the_counts_follow(committed, two_paid, open_as):
    (basket_id, basket_no), (cup_id, cup_no) = two_paid
    at = open_as("operator", ORDERS)
    at.selectbox(key=state.ORDERS_FILTER_STATUS).set_value(OrderStatus.PAID).run()
    assert at.selectbox(key=state.ORDERS_FILTER_STATUS).options[2] == "待发货 (2)"
    data = _sheet([(basket_no, "顺丰速运", "SF300001"), ("2020NOSUCHORDER", "顺丰速运", "SF300002"),
                   (cup_no, "中通快递", "单号?")])
    at.file_uploader(key=state.widget_key(state.ORDERS_BATCH_SHIP, "file", 0)).set_value(
        ("发货.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    at.button(key=state.widget_key(state.ORDERS_BATCH_SHIP, "submit", 0)).click().run()

    assert texts(at, "warning") == ["已发货 1 单，2 行未发货。"]
    assert [(r["行号"], r["订单号"], r["结果"]) for r in table_with(at, "行号")] == [
        (2, basket_no, "已发货"), (3, "2020NOSUCHORDER", "订单不存在"), (4, cup_no, "请填写正确的快递单号")]
    options = at.selectbox(key=state.ORDERS_FILTER_STATUS).options
    assert (options[2], options[3]) == ("待发货 (1)", "已发货 (1)")
    assert [r["order_no"] for r in table_with(at, "order_no")] == [cup_no]
    with unit_of_work(committed) as session:
        assert get_order(session, basket_id).shipment.tracking_no == "SF300001"
        assert get_order(session, cup_id).status == OrderStatus.PAID

    at.button(key=f"{state.ORDERS_BATCH_SHIP}.clear").click().run()
    assert not [f for f in at.dataframe if "行号" in f.value.columns]
    assert texts(at, "warning") == []


def test_packing_slips_list_what_goes_in_less_refunds_and_print_escaped(committed, two_paid, open_as):
    (basket_id, basket_no), (cup_id, cup_no) = two_paid
    with unit_of_work(committed) as session:
        from domain.orders.lifecycle import set_merchant_note
        from domain.security.actor import SYSTEM

        set_merchant_note(session, actor=SYSTEM, order_id=cup_id, note="<b>易碎</b>")
    at = open_as("operator", ORDERS)
    at.multiselect(key=state.ORDERS_PACKING).set_value([cup_id, basket_id]).run()
    markdown = texts(at, "markdown")
    assert f"**订单 {cup_no}** · 小梅" in markdown and f"**订单 {basket_no}** · 小梅" in markdown
    assert markdown.index(f"**订单 {cup_no}** · 小梅") < markdown.index(f"**订单 {basket_no}** · 小梅")
    assert "- 保温杯 × 1" in markdown and "- 竹编果篮 × 1" in markdown
    assert "张三 · `13800138000`  \n广东省深圳市南山区科技园科苑路 15 号" in markdown
    with unit_of_work(committed) as session:
        slips = packing_list(session, [cup_id], viewer=SYSTEM_OPERATOR)
    page = _printable(slips)
    assert "&lt;b&gt;易碎&lt;/b&gt;" in page and "<b>易碎</b>" not in page
    assert "<td>保温杯</td><td></td><td>1</td>" in page

    at = open_as("support", ORDERS)
    assert not [w for w in at.multiselect if w.key == state.ORDERS_PACKING]  # support does not ship
    assert not [w for w in at.file_uploader]
