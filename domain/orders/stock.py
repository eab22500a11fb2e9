"""Stock moves: the guarded update that never lets stock go below zero, for a SKU's own stock and for the units a
limited-time activity sets aside."""

from __future__ import annotations

from sqlalchemy import case, select, text, update
from sqlalchemy.orm import Session

from domain.db import is_postgres
from domain.errors import Conflict
from domain.marketing.errors import PromotionError
from domain.models import Product, PromotionItem, Sku
from domain.orders.errors import OrderError


def take_stock(session: Session, quantities: dict[int, int]) -> None:
    """Every SKU's stock at once, in one guarded statement (``stock >= n`` per row, the row count checked); if any
    row is short the whole order is refused with ``out_of_stock`` (the caller's transaction rolls back)."""
    if not quantities:
        return
    ids = sorted(quantities)
    if _guarded_take(session, quantities=quantities, **SKU_TAKE) != len(ids):
        _refuse_short(session, quantities)
    _expire(session, ids)


def _refuse_short(session: Session, quantities: dict[int, int]) -> None:
    """``out_of_stock``, naming a SKU that is short (the caller's transaction rolls back what was taken)."""
    amount = case(quantities, value=Sku.id)
    short = session.execute(
        select(Product.title, Sku.stock).join(Product).where(Sku.id.in_(list(quantities)), Sku.stock < amount)
    ).first()
    detail = f"“{short.title}”库存不足，仅剩 {short.stock} 件" if short else "库存不足"
    raise Conflict(OrderError.OUT_OF_STOCK, detail)


# The two guarded takes: what may be taken (``guard``) and how (``change``), of the rows ``wanted`` names.
SKU_TAKE = dict(table="skus", guard="skus.stock >= wanted.n", change="stock = skus.stock - wanted.n")
PROMOTION_TAKE = dict(table="promotion_items", guard="promotion_items.sold + wanted.n <= promotion_items.activity_stock",
                      change="sold = promotion_items.sold + wanted.n")


def refuse_if_short(session: Session, *, units: dict[int, int], quantities: dict[int, int], units_taken: int,
                    skus_taken: int) -> None:
    """After the statement that wrote an order took its activity items' units and then its SKUs' stock, guarded
    (domain/orders/place_writes.py): ``promotion_stock_short`` or ``out_of_stock`` when a row was short (the
    caller's transaction rolls back what was written and taken); what this session had loaded of them is expired."""
    if units_taken != len(units):
        raise Conflict(PromotionError.PROMOTION_STOCK_SHORT, "限时折扣库存不足，请重新下单")
    _expire_items(session, sorted(units))
    if skus_taken != len(quantities):
        _refuse_short(session, quantities)
    _expire(session, sorted(quantities))


def guarded_take_ctes(prefix: str, wanted_rows: str, *, table: str, guard: str, change: str,
                      only_if: str = "true") -> str:
    """PostgreSQL's guarded take as three named CTEs: ``{prefix}_wanted`` (``wanted_rows``, SQL of ``(id, n)``
    rows), ``{prefix}_locked`` (those rows of ``table``, locked in id order, when ``only_if`` holds) and
    ``{prefix}_taken`` (the ids changed where ``guard`` held). ``guard`` and ``change`` are ``SKU_TAKE``'s or
    ``PROMOTION_TAKE``'s; the placement's one statement takes them too (domain/orders/place_writes.py)."""
    wanted, locked = f"{prefix}_wanted", f"{prefix}_locked"
    guard = guard.replace("wanted.", f"{wanted}.")
    change = change.replace("wanted.", f"{wanted}.")
    return (f"{wanted}(id, n) AS ({wanted_rows}), "
            f"{locked} AS MATERIALIZED (SELECT {table}.id FROM {table} JOIN {wanted} ON {table}.id = {wanted}.id "
            f"WHERE {only_if} ORDER BY {table}.id FOR NO KEY UPDATE OF {table}), "
            f"{prefix}_taken AS (UPDATE {table} SET {change} FROM {wanted}, {locked} "
            f"WHERE {table}.id = {wanted}.id AND {locked}.id = {wanted}.id AND {guard} RETURNING {table}.id)")


def _guarded_take(session: Session, *, table: str, guard: str, change: str, quantities: dict[int, int]) -> int:
    """``UPDATE … FROM (VALUES (id, n), …)`` in one statement; returns the rows changed. On PostgreSQL the rows are
    locked in id order first, in the same statement, so that two orders sharing rows queue instead of
    deadlocking (SQLite needs nothing: a writer holds the whole database)."""
    ids = sorted(quantities)
    rows = ", ".join(f"(:id{i}, :n{i})" for i in range(len(ids)))
    params = {f"id{i}": key for i, key in enumerate(ids)} | {f"n{i}": quantities[key] for i, key in enumerate(ids)}
    if is_postgres(session):
        sql = guarded_take_ctes("t", f"VALUES {rows}", table=table, guard=guard, change=change)
        return session.execute(text(f"WITH {sql} SELECT count(*) FROM t_taken"), params).scalar_one()
    # Not a WITH: Python's sqlite3 counts the rows changed only for statements that begin with UPDATE.
    sql = (f"UPDATE {table} SET {change} FROM (SELECT column1 AS id, column2 AS n FROM (VALUES {rows})) AS wanted "
           f"WHERE {table}.id = wanted.id AND {guard}")
    return session.execute(text(sql), params).rowcount


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
    """Limited-time units, by activity item id: the same one guarded statement as the SKU's stock
    (``sold + n <= activity_stock``), in the order's transaction; short anywhere refuses the whole order."""
    if not quantities:
        return
    if _guarded_take(session, quantities=quantities, **PROMOTION_TAKE) != len(quantities):
        raise Conflict(PromotionError.PROMOTION_STOCK_SHORT, "限时折扣库存不足，请重新下单")
    _expire_items(session, sorted(quantities))


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
