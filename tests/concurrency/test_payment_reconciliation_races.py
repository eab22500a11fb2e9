"""On PostgreSQL: the jobs that ask WeChat about unpaid orders, racing the notifications of the same orders and
each other. Every order WeChat was paid for is paid exactly once, with one payment and one set of commissions,
and stock moves only for the orders that were really abandoned."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from domain import clock
from domain.db import unit_of_work
from domain.models import CommissionRecord, Order, OrderStatus, Payment, PaymentStatus, Product, Sku
from domain.orders.jobs import close_unpaid
from domain.payments.jobs import reconcile_payments
from domain.payments.service import handle_payment_notification
from domain.wechat import get_wechat
from tests.builders import approve_distributor, make_address, make_product, make_user, paid_at_wechat, place
from tests.conftest import requires_postgres

pytestmark = requires_postgres


def at_once(calls: list) -> list:
    """Run every call in its own thread, all released together; returns results or the exceptions raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # the test looks at every outcome
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_close_unpaid_and_reconcile_race_the_notifications_and_each_order_is_paid_once(committed, sandbox_url):
    with unit_of_work(committed) as s:
        a = make_user(s, "race_a")
        b = make_user(s, "race_b", inviter=a)
        approve_distributor(s, a)
        approve_distributor(s, b)
        buyer = make_user(s, "race_c", inviter=b)
        address = make_address(s, buyer)
        product = make_product(s, prices=(10000,), stock=100)
        sku_id, product_id = product.skus[0].id, product.id
        notifications, paid_ids, abandoned_ids = [], [], []
        for age, paid in ((40, True),) * 8 + ((5, True),) * 8 + ((40, False),) * 4:
            with clock.travel(-timedelta(minutes=age)):  # expired for close-unpaid, or recent for reconcile
                order = place(s, buyer, [(sku_id, 2)], address=address)
                if paid:
                    notifications.append(paid_at_wechat(s, order, sandbox_url))
                    paid_ids.append(order.id)
                else:
                    abandoned_ids.append(order.id)
    assert len(paid_ids) == 16

    def notify(body_and_headers):
        body, headers = body_and_headers

        def deliver():
            with unit_of_work(committed) as session:
                return handle_payment_notification(session, wechat=get_wechat(), body=body, headers=headers)
        return deliver

    results = at_once([close_unpaid, close_unpaid, reconcile_payments, reconcile_payments,
                       *(notify(n) for n in notifications)])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(r.newly_paid for r in results[4:]) + sum(results[:4]) == 16 + 4  # each paid once, each abandoned once

    with unit_of_work(committed) as s:
        statuses = dict(s.execute(select(Order.id, Order.status)).all())
        assert {statuses[i] for i in paid_ids} == {OrderStatus.PAID}
        assert {statuses[i] for i in abandoned_ids} == {OrderStatus.CANCELLED}
        payments = s.execute(select(Payment.order_id, Payment.status)).all()
        assert sorted(payments) == sorted((i, PaymentStatus.CAPTURED) for i in paid_ids)
        commissions = s.execute(select(CommissionRecord.order_id, func.count()).group_by(CommissionRecord.order_id))
        assert dict(commissions.all()) == {i: 2 for i in paid_ids}
        assert s.get(Product, product_id).sales == 16 * 2
        assert s.get(Sku, sku_id).stock == 100 - 16 * 2  # the abandoned orders' units are back, once
