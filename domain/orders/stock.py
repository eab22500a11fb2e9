"""Stock moves: the guarded update that never lets stock go below zero, for a SKU's own stock and for the units a
limited-time activity sets aside."""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from domain.db import is_postgres
from domain.errors import Conflict
from domain.marketing.errors import PromotionError
from domain.models import Product, PromotionItem, Sku
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


def take_promotion_stock(session: Session, quantities: dict[int, int]) -> None:
    """Limited-time units, by activity item id: the same guarded update as the SKU's stock
    (``sold + n <= activity_stock``), in the order's transaction; short anywhere refuses the whole order."""
    if not quantities:
        return
    ids = sorted(quantities)
    if is_postgres(session):
        session.execute(select(PromotionItem.id).where(PromotionItem.id.in_(ids)).order_by(PromotionItem.id)
                        .with_for_update(key_share=True))
    amount = case(quantities, value=PromotionItem.id)
    result = session.execute(
        update(PromotionItem).where(PromotionItem.id.in_(ids), PromotionItem.sold + amount <= PromotionItem.activity_stock)
        .values(sold=PromotionItem.sold + amount),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != len(ids):
        raise Conflict(PromotionError.PROMOTION_STOCK_SHORT, "限时折扣库存不足，请重新下单")
    _expire_items(session, ids)


def return_promotion_stock(session: Session, quantities: dict[int, int]) -> None:
    quantities = {k: v for k, v in quantities.items() if v > 0}
    if not quantities:
        return
    ids = sorted(quantities)
    if is_postgres(session):
        session.execute(select(PromotionItem.id).where(PromotionItem.id.in_(ids)).order_by(PromotionItem.id)
                        .with_for_update(key_share=True))
    amount = case(quantities, value=PromotionItem.id)
    session.execute(
        update(PromotionItem).where(PromotionItem.id.in_(ids), PromotionItem.sold >= amount)
        .values(sold=PromotionItem.sold - amount),
        execution_options={"synchronize_session": False},
    )
    _expire_items(session, ids)


def _expire_items(session: Session, ids: list[int]) -> None:
    wanted = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, PromotionItem) and obj.id in wanted:
            session.expire(obj, ["sold"])


def _expire(session: Session, ids: list[int]) -> None:
    """Loaded SKUs must not show the stock from before the update."""
    wanted = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Sku) and obj.id in wanted:
            session.expire(obj, ["stock"])
