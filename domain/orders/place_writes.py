"""What placing an order writes, as one PostgreSQL statement: the order (``ON CONFLICT`` on its Idempotency-Key, no
savepoint), its lines, what it took from activities (``promotion_uses``), and the activity units and the SKUs' stock
taken by guarded updates (docs/architecture.md, "Performance").

A statement cost the API far more than the rows it writes, and placing an order wrote in four (the order, the
lines, the uses, the stock). Here they are the parts of one, built once: the lines, the uses and the units wanted
each come as one JSON parameter (``jsonb_to_recordset``), so the statement is the same for one line and for fifty,
and psycopg parses and prepares it once. Every column's default is given (SQLAlchemy fills in none for a part).

The order of the parts is the order the rows are taken in, as everywhere else (domain/marketing/redemption.py): the
order and its lines and uses first, then the activity items locked in id order and taken (``sold + n <=
activity_stock``), then the SKUs the same way (``stock >= n``). PostgreSQL runs a WITH's data-modifying parts as
they are read; the outer SELECT reads them in that order. When the key's order exists already, the order's part
writes nothing, and so neither does any other part: each reads the new order's row. The caller checks the counts
taken and refuses the order (its transaction rolls back) when one is short.

SQLite writes the same rows in separate statements (``domain/orders/checkout.py``), and an order with a coupon
does too on both: its coupon is locked between the activity items and the SKUs.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Integer, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from domain.json_rows import json_rows
from domain.models import Order, OrderLine, PromotionUse
from domain.orders.order_rows import Record
from domain.orders.stock import PROMOTION_TAKE, SKU_TAKE, guarded_take_ctes

_ORDERS, _LINES, _USES = Order.__table__, OrderLine.__table__, PromotionUse.__table__

# What placing gives of each line and each use (the order's id, and a use's shopper, come from the new order's row).
LINE_FIELDS = ("line_no", "product_id", "sku_id", "title", "specs", "cover_url", "unit_price_fen", "quantity",
               "amount_fen", "discount_fen", "paid_fen", "buyer_id", "first_of_product")
USE_FIELDS = ("promotion_id", "sku_id", "quantity", "off_fen")
# A new line's columns that placing does not give: their defaults (``_LINES``' own).
_LINE_DEFAULTS = {"refunded_fen": 0, "refunded_quantity": 0, "paid_at": None, "earns_commission": False}


class Placed(NamedTuple):
    order: Record | None  # None: the shopper's Idempotency-Key had placed an order already; nothing was written
    units_taken: int  # activity items whose units were taken
    skus_taken: int  # SKUs whose stock was taken


def write_placement(session: Session, *, order: dict, lines: list[dict], uses: list[dict], units: dict[int, int],
                    quantities: dict[int, int]) -> Placed:
    """``order``: the order's ``ORDER_FIELDS``; ``lines`` and ``uses``: each line's ``LINE_FIELDS`` and each use's
    ``USE_FIELDS``; ``units``: activity units by item id; ``quantities``: stock by SKU id. The new order comes back
    as its row (``Record``) with its lines in line order: what was given and the defaults, with the ids the
    database gave (only those come back: the rest is known)."""
    params = {f"o_{name}": value for name, value in order.items()}
    params.update(
        p_lines=[{k: line[k] for k in LINE_FIELDS} for line in lines],
        p_uses=[{k: use[k] for k in USE_FIELDS} for use in uses], p_use_created=order["created_at"],
        p_units=[{"id": k, "n": n} for k, n in sorted(units.items())],
        p_stock=[{"id": k, "n": n} for k, n in sorted(quantities.items())])
    row = session.execute(_PLACEMENT, params).first()
    if row is None:
        return Placed(None, 0, 0)
    # The row as written: what was given, the defaults, and the columns a new order has none of yet.
    placed = Record(**_NEW_ORDER_NULLS, **_ORDER_DEFAULTS, **order, id=row.id, shipment=None, payment=None, lines=[])
    ids = {line_no: line_id for line_id, line_no in json_rows(row.line_ids_json)}
    placed.lines = [Record(id=ids[line["line_no"]], order_id=placed.id, **{k: line[k] for k in LINE_FIELDS},
                           **_LINE_DEFAULTS, order=placed)
                    for line in sorted(lines, key=lambda line: line["line_no"])]
    return Placed(placed, row.units_taken, row.skus_taken)


# Columns of the order that placing gives (``_place``), and the defaults of the rest that have one.
ORDER_FIELDS = ("order_no", "user_id", "idempotency_key", "status", "goods_fen", "member_discount_fen",
                "full_reduction_fen", "coupon_discount_fen", "shipping_fen", "payable_fen", "coupon_id",
                "receiver_name_enc", "receiver_phone_enc", "receiver_phone_bidx", "receiver_province",
                "receiver_city", "receiver_district", "receiver_street_enc", "remark", "created_at")
_ORDER_DEFAULTS = {"refunded_fen": 0, "merchant_note": "", "cancel_reason": ""}
_NEW_ORDER_NULLS = dict.fromkeys(c.name for c in _ORDERS.c if c.name not in {"id", *ORDER_FIELDS, *_ORDER_DEFAULTS})


def _recordset(parameter: str, alias: str, types: dict) -> str:
    """``jsonb_to_recordset(:parameter) AS alias(field type, …)``."""
    fields = ", ".join(f"{field} {type_.compile(dialect=postgresql.dialect())}" for field, type_ in types.items())
    return f"jsonb_to_recordset(:{parameter}) AS {alias}({fields})"


def _typed(table, fields) -> dict:
    return {field: table.c[field].type for field in fields}


def _taken(prefix: str, parameter: str, take: dict) -> str:
    """``take``'s guarded take (domain/orders/stock.py) of the rows ``parameter`` names (``[{"id": …, "n": …}, …]``),
    only when the order was written."""
    wanted = f"SELECT * FROM {_recordset(parameter, 'w', {'id': Integer(), 'n': Integer()})}"
    return guarded_take_ctes(prefix, wanted, **take, only_if="EXISTS (SELECT FROM new_order)")


def _sql(value) -> str:
    """A default as SQL: the few kinds the tables' defaults are."""
    if value is None or isinstance(value, bool):
        return {None: "NULL", False: "false", True: "true"}[value]
    if isinstance(value, int):
        return str(value)
    if value == "":
        return "''"
    raise ValueError(f"no SQL for the default {value!r}")


def _placement():
    """The statement, in PostgreSQL's SQL, built once from the field lists and the tables' column types."""
    order_columns = ", ".join((*ORDER_FIELDS, *_ORDER_DEFAULTS))
    order_values = ", ".join([f":o_{name}" for name in ORDER_FIELDS]
                             + [_sql(value) for value in _ORDER_DEFAULTS.values()])
    line_defaults = ", ".join(_sql(value) for value in _LINE_DEFAULTS.values())
    sql = (
        f"WITH new_order AS (INSERT INTO orders ({order_columns}) VALUES ({order_values}) "
        "ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id, user_id), "
        f"new_lines AS (INSERT INTO order_lines (order_id, {', '.join(LINE_FIELDS)}, {', '.join(_LINE_DEFAULTS)}) "
        f"SELECT new_order.id, l.*, {line_defaults} "
        f"FROM new_order, {_recordset('p_lines', 'l', _typed(_LINES, LINE_FIELDS))} RETURNING id, line_no), "
        f"new_uses AS (INSERT INTO promotion_uses (order_id, user_id, {', '.join(USE_FIELDS)}, created_at) "
        "SELECT new_order.id, new_order.user_id, u.*, :p_use_created "
        f"FROM new_order, {_recordset('p_uses', 'u', _typed(_USES, USE_FIELDS))} RETURNING id), "
        + _taken("p", "p_units", PROMOTION_TAKE) + ", " + _taken("s", "p_stock", SKU_TAKE)
        # Read in the order the rows are taken: the lines and uses, then the activity items, then the SKUs.
        + " SELECT new_order.id, (SELECT coalesce(json_agg(json_build_array(id, line_no))::text, '[]') FROM new_lines)"
        " AS line_ids_json, (SELECT count(*) FROM new_uses) AS uses_written, (SELECT count(*) FROM p_taken)"
        " AS units_taken, (SELECT count(*) FROM s_taken) AS skus_taken FROM new_order")
    return text(sql).bindparams(*(bindparam(name, type_=JSONB) for name in ("p_lines", "p_uses", "p_units", "p_stock")))


_PLACEMENT = _placement()
