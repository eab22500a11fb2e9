"""The shopper's page of their order (GET /orders/{id}) read as rows on the tables, and ``Record``: a row with the
attributes of its ORM entity, for the read models and the rules, which only read what they are given.

Loading the order, its shipment, its payment and its lines as ORM entities (with their eager loads) cost more than
the statement (docs/architecture.md, "Performance"); the page built from rows is ``order_detail``'s page
(tests/domain/test_orders.py).
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from domain.json_rows import json_rows, rows_json
from domain.models import Order, OrderLine, Payment, Refund, Shipment, TrackingEvent, User
from domain.orders.lifecycle import shopper_row_for_token, token_order_row_statement
from domain.orders.queries import OrderView, order_detail, order_views
from domain.security.actor import Shopper


class Record(SimpleNamespace):
    """A row read on the tables, with the attributes an ORM entity of it has: what the read models and the rules
    in ``actions.py`` look at (they only read)."""


def shopper_order_for_token(session: Session, *, token: str, order_id: int) -> OrderView:
    """``order_detail`` for the shopper whose token this is (GET /orders/{id}): the shopper and their order, with
    its shipment, its payment and whether it has refund requests, in one statement, then its lines. When it finds
    nothing, the token alone decides between 401 and 404. An order with refund requests is read by
    ``order_detail`` (its requests are entities with lines of their own)."""
    row = shopper_row_for_token(session, token, _TOKEN_ORDER_ROW, order_id=order_id)
    viewer = Shopper(user_id=row.user_id)
    if row.has_refunds:
        return order_detail(session, order_id, viewer=viewer, buyer_nickname=row.shopper_nickname)
    order = _order_record(row, lines=_lines(row.lines_json),
                          events=session.execute(_EVENT_ROWS, {"shipment_id": row.shipment__id}).all()
                          if row.shipment__id is not None else ())
    [view] = order_views(session, [order], viewer, without_refunds=True,
                         buyers={order.user_id: row.shopper_nickname})
    return view


def _order_record(row, *, lines, events) -> Record:
    """The order of ``_TOKEN_ORDER_ROW``'s row, with its payment, its shipment and its lines as ``order`` has them."""
    values = row._mapping
    order = Record(**{name: values[name] for name in _ORDER_COLUMNS},
                    payment=Record(transaction_id=row.payment_transaction_id)
                    if row.payment_transaction_id is not None else None,
                    shipment=Record(**{name: values["shipment__" + name] for name in _SHIPMENT_COLUMNS},
                                     events=[Record(time=e.time, text=e.text) for e in events])
                    if row.shipment__id is not None else None)
    order.lines = [Record(**line, order=order) for line in lines]
    return order


def _lines(text: str) -> list[dict]:
    """The lines as the order's row brought them (``rows_json``), in line order."""
    lines = [dict(zip(_LINE_COLUMNS, values, strict=True)) for values in json_rows(text)]
    lines.sort(key=lambda line: line["line_no"])
    return lines


# Built once. The token's shopper and their order (another shopper's is not found), with whether it has refund
# requests, its payment's transaction id and its shipment (columns prefixed ``shipment__``), as one row.
_ORDERS, _SHIPMENTS, _PAYMENTS = Order.__table__, Shipment.__table__, Payment.__table__
_ORDER_COLUMNS = tuple(_ORDERS.c.keys())
_SHIPMENT_COLUMNS = tuple(_SHIPMENTS.c.keys())
# What the shopper's page shows of a line (the analytics' columns — its payment time, whether it earned commission,
# its buyer, whether it was its order's first of its product — it does not).
_LINES = OrderLine.__table__
_LINE_COLUMNS = ("id", "line_no", "product_id", "sku_id", "title", "specs", "cover_url", "unit_price_fen", "quantity",
                 "amount_fen", "discount_fen", "paid_fen", "refunded_fen", "refunded_quantity")
_TOKEN_ORDER_ROW = (
    token_order_row_statement(User.__table__.c.nickname.label("shopper_nickname"), *_ORDERS.c,
                              exists().where(Refund.__table__.c.order_id == _ORDERS.c.id).correlate(_ORDERS)
                              .label("has_refunds"),
                              _PAYMENTS.c.transaction_id.label("payment_transaction_id"),
                              *(column.label("shipment__" + column.name) for column in _SHIPMENTS.c),
                              # Its lines, as one JSON column (domain/json_rows.py): one statement fewer.
                              rows_json(select(*(_LINES.c[name] for name in _LINE_COLUMNS))
                                        .where(_LINES.c.order_id == _ORDERS.c.id).correlate(_ORDERS))
                              .label("lines_json"))
    .outerjoin(_PAYMENTS, _PAYMENTS.c.order_id == _ORDERS.c.id)
    .outerjoin(_SHIPMENTS, _SHIPMENTS.c.order_id == _ORDERS.c.id))
_EVENT_ROWS = (select(TrackingEvent.__table__.c.time, TrackingEvent.__table__.c.text)
               .where(TrackingEvent.__table__.c.shipment_id == bindparam("shipment_id"))
               .order_by(TrackingEvent.__table__.c.time.desc()))


