"""An open after-sale request holds its line's commission, whatever state it is in: settling skips it on both
databases (PostgreSQL settles in one statement of its own, domain/distribution/settlement.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain import clock
from domain.distribution.settlement import settle_due_commissions
from domain.models import CommissionRecord, CommissionStatus, RefundKind, RefundStatus, User
from domain.orders.refunds import RefundItem, approve_refund, request_refund
from domain.security.actor import SYSTEM
from domain.settings.service import update_settings
from domain.wechat import get_wechat
from tests.builders import approve_distributor, complete, make_product, make_user, pay, place


def test_a_return_awaiting_its_parcel_holds_the_commission_past_the_after_sale_window(db, sandbox_url):
    inviter = make_user(db, "settle_hold_inviter")
    approve_distributor(db, inviter)
    buyer = make_user(db, "settle_hold_buyer", inviter=inviter)
    update_settings(db, {"return_address": "上海市浦东新区世纪大道 1 号 售后部 021-12345678"})
    sku = make_product(db, prices=(9999,), stock=10).skus[0]
    order = pay(db, place(db, buyer, [(sku.id, 1)]), sandbox_url)
    complete(db, order)
    request = request_refund(db, user=db.get(User, buyer.id), order_id=order.id, reason="尺码不合适",
                             kind=RefundKind.RETURN_AND_REFUND,
                             items=[RefundItem(order_line_id=order.lines[0].id, quantity=1)])
    request = approve_refund(db, actor=SYSTEM, refund_id=request.id, wechat=get_wechat())
    assert request.status == RefundStatus.AWAITING_RETURN
    with clock.travel(timedelta(days=30)):
        assert settle_due_commissions(db) == 0
    db.expire_all()
    assert [(r.amount_fen, r.status) for r in db.scalars(
        select(CommissionRecord).where(CommissionRecord.order_id == order.id))] == [(999, CommissionStatus.FROZEN)]
