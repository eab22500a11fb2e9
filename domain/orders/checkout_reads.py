"""What previewing and placing an order read before pricing: the items' quantities, the SKUs ordered (``Listed``)
with their running limited-time items, and — for a shopper's request — all of it with the shopper's token in one
statement (docs/architecture.md, "Performance").

The token's row carries the shopper's columns, the member levels, the running 满减 activities and the SKUs'
rows as JSON columns (domain/json_rows.py), and for placing the order the Idempotency-Key placed already and the
chosen address. ORM entities cost more to load than these statements cost to run: everything here is rows.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import ARRAY, Integer, Row, and_, any_, bindparam, select
from sqlalchemy.orm import Session

from domain import clock
from domain.catalog.errors import CatalogError
from domain.errors import Conflict, DomainError, Invalid, NotFound
from domain.json_rows import json_rows, rows_json
from domain.marketing.pricing_inputs import (
    RUNNING_FULL_REDUCTIONS_JSON,
    RUNNING_ITEM_COLUMNS,
    RunningItem,
    full_reductions_from_json,
    running_item_outerjoin,
    running_items_of,
)
from domain.members.service import LEVELS_JSON, LevelRow, levels_from_json
from domain.models import Address, Order, Product, Sku, User
from domain.orders.cart import MAX_QUANTITY
from domain.orders.errors import OrderError
from domain.orders.order_rows import Record
from domain.orders.pricing import FullReduction, LineInput
from domain.users.service import token_row, token_row_statement

MAX_LINES = 50


@dataclass(frozen=True)
class OrderItem:
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Listed:
    """What pricing and placing read of one SKU and its product (``_CATALOG``: one row each, no ORM entities)."""

    sku_id: int
    product_id: int
    category_id: int | None
    title: str
    specs: dict[str, str]
    cover_url: str
    price_fen: int
    stock: int
    on_sale: bool  # the product on the shelf and the SKU active


def quantities_of(items: list[OrderItem]) -> dict[int, int]:
    """Each SKU's quantity over the items; the refusals that need nothing read."""
    if not items:
        raise Invalid(OrderError.EMPTY_ORDER, "请选择要购买的商品")
    quantities: dict[int, int] = {}
    for item in items:
        if not isinstance(item.quantity, int) or isinstance(item.quantity, bool) or item.quantity < 1:
            raise Invalid(OrderError.INVALID_QUANTITY, "购买数量至少为 1")
        quantities[item.sku_id] = quantities.get(item.sku_id, 0) + item.quantity
    if len(quantities) > MAX_LINES:
        raise Invalid(OrderError.TOO_MANY_LINES, f"一次最多购买 {MAX_LINES} 种商品")
    if any(q > MAX_QUANTITY for q in quantities.values()):
        raise Invalid(OrderError.INVALID_QUANTITY, f"单个商品最多购买 {MAX_QUANTITY} 件")
    return quantities


def load_lines(session: Session, items: list[OrderItem], now: datetime | None = None, *,
               rows: list | None = None) -> tuple[list[LineInput], dict[int, Listed], dict[int, RunningItem]]:
    """The lines, what they list, and their SKUs' limited-time items running at ``now``: one statement, or none
    when ``rows`` are the SKUs' ``_CATALOG`` rows read already."""
    quantities = quantities_of(items)
    if rows is None:
        rows = session.execute(_CATALOG[_dialect(session)], {"sku_ids": list(quantities),
                                                             "now": now or clock.now()}).all()
    catalog = {row.id: Listed(sku_id=row.id, product_id=row.product_id, category_id=row.category_id, title=row.title,
                              specs=row.specs, cover_url=row.images[0] if row.images else "",  # Product.cover_url
                              price_fen=row.price_fen, stock=row.stock,
                              on_sale=bool(row.on_sale))
               for row in rows}
    lines = []
    for sku_id, quantity in quantities.items():
        if sku_id not in catalog:
            raise NotFound(CatalogError.SKU_NOT_FOUND, "商品规格不存在")
        listed = catalog[sku_id]
        if not listed.on_sale:
            raise Conflict(OrderError.PRODUCT_UNAVAILABLE, f"“{listed.title}”已下架")
        if listed.stock < quantity:
            raise Conflict(OrderError.OUT_OF_STOCK, f"“{listed.title}”库存不足，仅剩 {listed.stock} 件")
        lines.append(LineInput(sku_id=sku_id, product_id=listed.product_id, category_id=listed.category_id,
                               quantity=quantity, price_fen=listed.price_fen))
    return lines, catalog, running_items_of(rows)


@dataclass(frozen=True)
class ShopperReads:
    """What a shopper's preview or placement read with their token, in one statement (``read_for_token``)."""

    row: Row
    now: datetime  # the moment the activities were read as running at
    refusal: DomainError | None  # the items' own refusal: the caller raises it after what the token decides

    @cached_property
    def shopper(self) -> Record:
        values = self.row._mapping
        return Record(**{name: values["shopper_" + name] for name in _SHOPPER_COLUMNS})

    @cached_property
    def address(self) -> Record | None:
        """The shopper's address of the id asked (``PLACING`` only), or None when they have none of that id."""
        values = self.row._mapping
        return Record(**{name: values["address__" + name] for name in _ADDRESS_COLUMNS}) \
            if values["address__id"] is not None else None

    @property
    def levels(self) -> tuple[LevelRow, ...]:
        return levels_from_json(self.row.levels_json)

    @property
    def full_reductions(self) -> tuple[FullReduction, ...]:
        return full_reductions_from_json(self.row.full_reductions_json)

    @property
    def catalog_rows(self) -> list:
        """The ``_CATALOG`` rows the token's row carried, with the same names and values (the running item's end is
        JSON's text of it: made the datetime again)."""
        rows = []
        for values in json_rows(self.row.catalog_json):
            if values[_ENDS_AT] is not None:
                values[_ENDS_AT] = datetime.fromisoformat(values[_ENDS_AT])
            rows.append(_CatalogRow(*values))
        return rows


def read_for_token(session: Session, token: str, statements: dict, items: list[OrderItem],
                   **params) -> ShopperReads:
    """``statements`` (``PLACING`` or ``PREVIEWING``) for a valid token (401 ``invalid_token`` otherwise), the SKUs
    being the items'. Items refused without a read (empty, a bad quantity, too many lines) are read as none, and
    their refusal is handed back for the caller to raise after the token's."""
    try:
        quantities, refusal = quantities_of(items), None
    except DomainError as exc:
        quantities, refusal = {}, exc
    now = clock.now()
    row = token_row(session, token, statements[_dialect(session)], now=now, sku_ids=list(quantities), **params)
    return ShopperReads(row=row, now=now, refusal=refusal)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_USERS, _ADDRESSES, _ORDERS = User.__table__, Address.__table__, Order.__table__
_SKUS, _PRODUCTS = Sku.__table__, Product.__table__
_SHOPPER_COLUMNS = ("id", "nickname", "growth", "member_level_id")
_ADDRESS_COLUMNS = tuple(column.name for column in _ADDRESSES.c)


def _catalog(ids_match):
    """The SKUs ``ids_match`` names, each with its limited-time item running at the ``now`` parameter, if any."""
    return (select(_SKUS.c.id, _SKUS.c.product_id, _PRODUCTS.c.category_id, _PRODUCTS.c.title, _SKUS.c.specs,
                   _PRODUCTS.c.images, _SKUS.c.price_fen, _SKUS.c.stock,
                   and_(_PRODUCTS.c.is_on_shelf, _SKUS.c.is_active).label("on_sale"), *RUNNING_ITEM_COLUMNS)
            .select_from(running_item_outerjoin(_SKUS.join(_PRODUCTS, _PRODUCTS.c.id == _SKUS.c.product_id),
                                                _SKUS.c.id))
            .where(ids_match))


# By dialect: the ids as one array parameter on PostgreSQL, the same statement for any number of them (an expanding
# IN is written into the statement's text afresh at every execution, which cost about 1 % of a checkout's CPU).
_CATALOG = {"postgresql": _catalog(_SKUS.c.id == any_(bindparam("sku_ids", type_=ARRAY(Integer)))),
            "sqlite": _catalog(_SKUS.c.id.in_(bindparam("sku_ids", expanding=True)))}
_CatalogRow = namedtuple("_CatalogRow", [column.key for column in _CATALOG["sqlite"].selected_columns])
_ENDS_AT = _CatalogRow._fields.index("promo_ends_at")


def _shopper_statement(catalog, *columns):
    """The token's shopper with ``columns``, and what pricing reads beside them (the member levels, the running 满减
    activities, the SKUs' rows) as JSON columns: built once."""
    return token_row_statement(
        *(_USERS.c[name].label("shopper_" + name) for name in _SHOPPER_COLUMNS), *columns,
        LEVELS_JSON.label("levels_json"), RUNNING_FULL_REDUCTIONS_JSON.label("full_reductions_json"),
        rows_json(catalog).label("catalog_json"))


_PLACED_ID = (select(_ORDERS.c.id).where(_ORDERS.c.user_id == _USERS.c.id, _ORDERS.c.idempotency_key == bindparam("key"))
              .correlate(_USERS).scalar_subquery().label("placed_id"))
# Placing: the order the shopper's ``key`` placed already, and their address of ``address_id``, too.
PLACING = {name: _shopper_statement(catalog, _PLACED_ID,
                                    *(column.label("address__" + column.name) for column in _ADDRESSES.c))
           .outerjoin(_ADDRESSES, and_(_ADDRESSES.c.id == bindparam("address_id"), _ADDRESSES.c.user_id == _USERS.c.id))
           for name, catalog in _CATALOG.items()}
PREVIEWING = {name: _shopper_statement(catalog) for name, catalog in _CATALOG.items()}
