"""The orders screen's status filter counts follow every action at once."""

from __future__ import annotations

from dashboard import state
from domain.db import unit_of_work
from domain.models import OrderStatus
from tests.builders import make_user
from tests.dashboard.conftest import texts
from tests.dashboard.shop import paid_order

ORDERS = "views/orders.py"


def test_after_shipping_the_status_filter_counts_the_order_as_shipped(committed, sandbox_url, open_as):
    with unit_of_work(committed) as session:
        order = paid_order(session, sandbox_url, make_user(session, "小李"), title="保温杯")
        order_id, order_no = order.id, order.order_no
    at = open_as("operator", ORDERS)
    status = at.selectbox(key=state.ORDERS_FILTER_STATUS)
    status.set_value(OrderStatus.PAID).run()
    assert at.selectbox(key=state.ORDERS_FILTER_STATUS).options[2] == "待发货 (1)"

    form = state.ship_form(order_id)
    at.text_input(key=state.widget_key(form, "tracking_no")).set_value(f"SF{order_no}")
    at.button(key=state.widget_key(form, "submit")).click().run()

    assert texts(at, "success")[0] == f"订单 {order_no} 已发货。"
    assert texts(at, "info") == ["没有符合条件的订单。"]
    options = at.selectbox(key=state.ORDERS_FILTER_STATUS).options
    assert (options[2], options[3]) == ("待发货 (0)", "已发货 (1)")
