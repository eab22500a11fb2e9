"""Read models of orders for shoppers and staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from domain.db import paginate
from domain.errors import Invalid, NotFound
from domain.models import Order, OrderStatus, Refund, RefundStatus, Shipment, User


def _with_details(query):
    return query.options(
        selectinload(Order.lines), selectinload(Order.shipment).selectinload(Shipment.events),
        selectinload(Order.payment),
    )


def list_orders(session: Session, *, user: User | None = None, status: str | None = None, order_no: str | None = None,
                created_from: datetime | None = None, created_to: datetime | None = None, page: int = 1,
                page_size: int = 20) -> tuple[list[Order], int]:
    query = select(Order)
    if user is not None:
        query = query.where(Order.user_id == user.id)
    if status:
        if status not in OrderStatus.ALL:
            raise Invalid("invalid_status", f"未知的订单状态：{status}")
        query = query.where(Order.status == status)
    if order_no:
        query = query.where(Order.order_no.contains(order_no.strip()))
    if created_from:
        query = query.where(Order.created_at >= created_from)
    if created_to:
        query = query.where(Order.created_at < created_to)
    query, total = paginate(session, query, Order.id.desc(), page=page, page_size=page_size)
    return list(session.scalars(_with_details(query))), total


def get_order(session: Session, order_id: int, *, user: User | None = None) -> Order:
    order = session.scalar(_with_details(select(Order).where(Order.id == order_id)))
    if order is None or (user is not None and order.user_id != user.id):
        raise NotFound("order_not_found", "订单不存在")
    return order


def open_refunds_by_order(session: Session, order_ids: list[int]) -> dict[int, int]:
    if not order_ids:
        return {}
    rows = session.execute(
        select(Refund.order_id, func.count()).where(Refund.order_id.in_(order_ids),
                                                    Refund.status.in_(RefundStatus.OPEN)).group_by(Refund.order_id)
    ).all()
    return {order_id: count for order_id, count in rows}


def status_counts(session: Session, *, user: User | None = None) -> dict[str, int]:
    query = select(Order.status, func.count()).group_by(Order.status)
    if user is not None:
        query = query.where(Order.user_id == user.id)
    return {status: count for status, count in session.execute(query).all()}


def open_refund_count(session: Session, *, user: User) -> int:
    return session.scalar(select(func.count()).where(Refund.user_id == user.id,
                                                     Refund.status.in_(RefundStatus.OPEN))) or 0
