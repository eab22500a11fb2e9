"""A new order's rows, written on the tables and returned as rows (``Record``): the order by its keyed INSERT, its
lines by one INSERT for all of them (docs/architecture.md, "Performance")."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import dml as postgresql_dml
from sqlalchemy.dialects.sqlite import dml as sqlite_dml
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import InternalTraversal

from domain.models import Order, OrderLine
from domain.orders.order_rows import Record


def insert_order(session: Session, values: dict) -> Record | None:
    """The order row in one statement, as written; None when the shopper's Idempotency-Key is taken already (a
    concurrent placement with the same key committed first), without the savepoint a failed INSERT would need.
    Orders without a key never conflict (NULLs are distinct in a unique index). A new order has no shipment and no
    payment yet."""
    written = session.execute(_KEYED_INSERT[session.get_bind().dialect.name], values).first()
    return None if written is None else Record(**written._mapping, shipment=None, payment=None, lines=[])


def insert_lines(session: Session, order: Record, rows: list[dict]) -> None:
    """``order``'s lines, one INSERT for all of them (the ORM's flush writes them one by one on SQLite), set on the
    order as written, in line order."""
    order.lines = [Record(**written._mapping, order=order)
                   for written in sorted(session.execute(_INSERT_LINES, rows), key=lambda line: line.line_no)]


def _keyed_insert(dml):
    """The dialect's ``INSERT … ON CONFLICT (user_id, idempotency_key) DO NOTHING``, compiled once. SQLAlchemy
    compiles a dialect's INSERT afresh every time (its ON CONFLICT clause has no cache key), which was the largest
    single cost of placing an order; this clause's only part is its fixed target, so that is its cache key."""

    class OnKeyTaken(dml.OnConflictDoNothing):
        inherit_cache = True
        _traverse_internals = [("inferred_target_elements", InternalTraversal.dp_string_list)]

    class KeyedInsert(dml.Insert):
        inherit_cache = True

        def if_key_taken_do_nothing(self):
            statement = self._generate()
            statement._post_values_clause = OnKeyTaken(index_elements=["user_id", "idempotency_key"])
            return statement

    return KeyedInsert


# Built once, the values given as parameters: keying a fresh statement of twenty values cost as much as running it.
# On the tables, returning rows: the ORM's bulk INSERT built and keyed a statement of its own at every execution,
# and loading what it returned as entities cost more than running it.
_ORDERS, _LINES = Order.__table__, OrderLine.__table__
_KEYED_INSERT = {name: _keyed_insert(dml)(_ORDERS).if_key_taken_do_nothing().returning(*_ORDERS.c)
                 for name, dml in (("postgresql", postgresql_dml), ("sqlite", sqlite_dml))}
_INSERT_LINES = insert(_LINES).returning(*_LINES.c)
