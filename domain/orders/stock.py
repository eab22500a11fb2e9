"""Stock moves: the guarded update that never lets stock go below zero."""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from domain.db import is_postgres
from domain.errors import Conflict
from domain.models import Product, Sku
from domain.orders.errors import OrderError


def take_stock(session: Session, quantities: dict[int, int]) -> None:
    """``UPDATE … SET stock = stock - n WHERE id = … AND stock >= n`` for every SKU at once; if any row is
    short the whole order is refused with ``out_of_stock`` (the caller's transaction rolls back)."""
    if not quantities:
        return
    ids = sorted(quantities)
    if is_postgres(session):
        # Lock in id order first, so that two orders sharing SKUs queue instead of deadlocking.
        session.execute(select(Sku.id).where(Sku.id.in_(ids)).order_by(Sku.id).with_for_update(key_share=True))
    amount = case(quantities, value=Sku.id)
    result = session.execute(
        update(Sku).where(Sku.id.in_(ids), Sku.stock >= amount).values(stock=Sku.stock - amount),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != len(ids):
        short = session.execute(
            select(Product.title, Sku.stock).join(Product).where(Sku.id.in_(ids), Sku.stock < amount)
        ).first()
        detail = f"“{short.title}”库存不足，仅剩 {short.stock} 件" if short else "库存不足"
        raise Conflict(OrderError.OUT_OF_STOCK, detail)
    _expire(session, ids)


def return_stock(session: Session, quantities: dict[int, int]) -> None:
    quantities = {k: v for k, v in quantities.items() if v > 0}
    if not quantities:
        return
    amount = case(quantities, value=Sku.id)
    session.execute(
        update(Sku).where(Sku.id.in_(quantities)).values(stock=Sku.stock + amount),
        execution_options={"synchronize_session": False},
    )
    _expire(session, list(quantities))


def _expire(session: Session, ids: list[int]) -> None:
    """Loaded SKUs must not show the stock from before the update."""
    wanted = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Sku) and obj.id in wanted:
            session.expire(obj, ["stock"])
