"""``recompute-levels``: growth from completed orders, net of refunds (1 point per whole yuan), in SQL."""

from __future__ import annotations

from sqlalchemy import BigInteger, cast, func, select, update

from domain.db import unit_of_work
from domain.models import Order, OrderLine, OrderStatus, User


def recompute_levels() -> int:
    net_fen = cast(func.coalesce(func.sum(OrderLine.paid_fen - OrderLine.refunded_fen), 0), BigInteger)
    growth = (
        select(net_fen / 100)
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.user_id == User.id, Order.status == OrderStatus.COMPLETED)
        .scalar_subquery()
    )
    with unit_of_work() as session:
        result = session.execute(update(User).where(User.order_growth != growth).values(order_growth=growth))
        return result.rowcount or 0
