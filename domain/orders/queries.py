"""Read models of orders, by viewer: everything the API, the mini-program and the dashboard show of an order.

A shopper sees their own orders, with the receiver in full; staff see every order once their role may read
orders, with personal data disclosed by role (``domain/security/disclosure.py``). Each order and each line carries
the actions its viewer may take now (``domain/orders/actions.py``). A page of orders loads in a fixed number of
queries, whatever its length. Refund requests have theirs in ``refund_queries.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from domain.db import paginate
from domain.errors import Invalid
from domain.media import media_url
from domain.models import (
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    RefundStatus,
    Shipment,
    User,
)
from domain.orders.actions import (
    NOTHING_RESERVED,
    OrderAction,
    OrderEdit,
    Reserved,
    after_sale_ends,
    line_actions,
    order_actions,
    order_edits,
    payment_deadline,
    refund_kinds,
    refundable_quantity,
)
from domain.orders.errors import OrderError, order_not_found
from domain.orders.lifecycle import logistics
from domain.orders.logistics import Tracker
from domain.orders.refund_queries import RefundView, load_refunds, refund_views
from domain.orders.refunds import reserved_by_line
from domain.search import contains
from domain.security import crypto
from domain.security.actor import Shopper, Viewer
from domain.security.disclosure import Field, show
from domain.security.roles import Permission
from domain.settings.service import get_settings
from domain.users.queries import nicknames


@dataclass(frozen=True)
class TrackingEventView:
    time: datetime
    text: str


@dataclass(frozen=True)
class ShipmentView:
    carrier: str
    tracking_no: str
    shipped_at: datetime
    wechat_uploaded: bool
    wechat_error: str
    events: tuple[TrackingEventView, ...]  # newest first


@dataclass(frozen=True)
class LogisticsView:
    carrier: str
    tracking_no: str
    events: tuple[TrackingEventView, ...]  # newest first


@dataclass(frozen=True)
class OrderLineView:
    id: int
    sku_id: int
    product_id: int
    title: str
    specs: dict[str, str]
    cover_url: str
    unit_price_fen: int
    quantity: int
    amount_fen: int
    discount_fen: int
    paid_fen: int
    refunded_fen: int
    refunded_quantity: int
    refundable_quantity: int
    actions: tuple[OrderAction, ...]


@dataclass(frozen=True)
class OrderView:
    id: int
    order_no: str
    status: str
    user_id: int
    buyer_nickname: str
    lines: tuple[OrderLineView, ...]
    goods_fen: int
    member_discount_fen: int
    full_reduction_fen: int
    coupon_discount_fen: int
    shipping_fen: int
    payable_fen: int
    refunded_fen: int
    receiver_name: str
    receiver_phone: str  # masked for staff who do not ship
    receiver_address: str
    # The address's parts, the street as the viewer may see it: what changing the receiver starts from.
    receiver_region: tuple[str, str, str]  # province, city, district
    receiver_street: str
    remark: str
    transaction_id: str
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    pay_expires_at: datetime | None
    shipment: ShipmentView | None
    open_refunds: int  # refund requests not yet decided or not yet refunded
    actions: tuple[OrderAction, ...]
    refunds: tuple[RefundView, ...] = ()  # newest first; only in ``order_detail``
    merchant_note: str = ""  # staff's own note: empty for the shopper, whatever it says
    edits: tuple[OrderEdit, ...] = ()  # staff's changes that move the order nowhere (``order_edits``)
    refund_kinds: tuple[str, ...] = ()  # what a new request may ask for: refund_only, and return_and_refund once shipped


# --- orders ---------------------------------------------------------------------------------------------------

def order_list(session: Session, *, viewer: Viewer, status: str | None = None, order_no: str | None = None,
               q: str | None = None, created_from: datetime | None = None, created_to: datetime | None = None,
               page: int = 1, page_size: int = 20) -> tuple[list[OrderView], int]:
    """``q`` finds orders by part of their number, of the buyer's nickname or of a product's title; a whole phone
    number finds the buyer's orders and the orders shipped to that phone, through the blind indexes (phones are
    never searched in clear)."""
    query = _visible_orders(select(Order), viewer)
    if q and q.strip():
        query = query.where(_matching(q.strip()))
    if status:
        if status not in OrderStatus.ALL:
            raise Invalid(OrderError.INVALID_STATUS, f"未知的订单状态：{status}")
        query = query.where(Order.status == status)
    if order_no:
        # autoescape: a % or _ typed into the search is a character to find, not a wildcard
        query = query.where(Order.order_no.contains(order_no.strip(), autoescape=True))
    if created_from:
        query = query.where(Order.created_at >= created_from)
    if created_to:
        query = query.where(Order.created_at < created_to)
    query, total = paginate(session, query, Order.id.desc(), page=page, page_size=page_size)
    return order_views(session, list(session.scalars(_with_details(query))), viewer), total


def _matching(text: str):
    found = [contains(Order.order_no, text),
             Order.user_id.in_(select(User.id).where(contains(User.nickname, text))),
             exists().where(OrderLine.order_id == Order.id, contains(OrderLine.title, text))]
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 11 and len(text.replace(" ", "").replace("-", "")) == 11:
        bidx = crypto.phone_index(digits)
        found += [Order.user_id.in_(select(User.id).where(User.phone_bidx == bidx)), Order.receiver_phone_bidx == bidx]
    return or_(*found)


def order_detail(session: Session, order_id: int, *, viewer: Viewer, buyer_nickname: str | None = None) -> OrderView:
    """One order, with its refund requests. Whether it has any comes with the order's row, so an order without
    one (most) is read in three statements: the order with its shipment and payment, its lines, the settings.
    ``buyer_nickname``: the buyer's, when the caller has it already (a shopper looking at their own order)."""
    if isinstance(viewer, Shopper):
        row = session.execute(_SHOPPERS_ORDER, {"order_id": order_id, "user_id": viewer.user_id}).unique().first()
    else:
        viewer.require(Permission.ORDERS_READ)
        row = session.execute(_ANY_ORDER, {"order_id": order_id}).unique().first()
    if row is None:
        raise order_not_found()
    order, has_refunds = row
    return _detail(session, order, has_refunds, viewer, buyer_nickname)


def _detail(session: Session, order: Order, has_refunds: bool, viewer: Viewer,
            buyer_nickname: str | None) -> OrderView:
    # The lines by a plain query: SQLAlchemy's selectinload cost more than the query itself for one order.
    set_committed_value(order, "lines", list(session.scalars(_ORDER_LINES, {"order_id": order.id})))
    refunds = load_refunds(session, select(Refund).where(Refund.order_id == order.id)
                           .order_by(Refund.id.desc())) if has_refunds else []
    known = {order.user_id: buyer_nickname} if buyer_nickname is not None else None
    [view] = order_views(session, [order], viewer, refunds=refund_views(session, refunds, viewer),
                          without_refunds=not refunds, buyers=known)
    return view


_HAS_REFUNDS = exists().where(Refund.order_id == Order.id).correlate(Order)


def new_order_view(session: Session, order: Order, *, viewer: Viewer, buyer_nickname: str) -> OrderView:
    """The view of an order placed in this transaction, from what placing it wrote: it has no payment, shipment or
    refund yet, so it is the view ``order_detail`` would read, without reading it back."""
    settings = get_settings(session)
    return _order_view(order, viewer, buyer=buyer_nickname, open_refunds=0, reserved={},
                       pay_expires_at=payment_deadline(order, timeout_minutes=settings.unpaid_timeout_minutes),
                       after_sale_deadline=after_sale_ends(order, days=settings.after_sale_days), refunds=())


def order_logistics(session: Session, order_id: int, *, viewer: Viewer, tracker: Tracker) -> LogisticsView:
    shipment, events = logistics(session, order=_visible_order(session, order_id, viewer), tracker=tracker)
    return LogisticsView(carrier=shipment.carrier, tracking_no=shipment.tracking_no,
                         events=tuple(TrackingEventView(time=e.time, text=e.text) for e in events))


def get_order(session: Session, order_id: int, *, user: User | None = None) -> Order:
    """The order itself, for the operations that work on it (another shopper's order is not found)."""
    order = session.scalar(_with_details(select(Order).where(Order.id == order_id)))
    if order is None or (user is not None and order.user_id != user.id):
        raise order_not_found()
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


def order_status_counts(session: Session, *, viewer: Viewer) -> dict[str, int]:
    """Orders per status as this viewer sees them, every status present (0 when none): the status filter's counts,
    read afresh on every screen run so that they follow each action at once."""
    user_id = viewer.user_id if isinstance(viewer, Shopper) else None
    if user_id is None:
        viewer.require(Permission.ORDERS_READ)
    query = select(Order.status, func.count()).group_by(Order.status)
    if user_id is not None:
        query = query.where(Order.user_id == user_id)
    return {status: 0 for status in OrderStatus.ALL} | {status: int(n) for status, n in session.execute(query)}


def open_refund_count(session: Session, *, user: User) -> int:
    return session.scalar(select(func.count()).where(Refund.user_id == user.id,
                                                     Refund.status.in_(RefundStatus.OPEN))) or 0


def _visible_orders(query: Select, viewer: Viewer) -> Select:
    if isinstance(viewer, Shopper):
        return query.where(Order.user_id == viewer.user_id)
    viewer.require(Permission.ORDERS_READ)
    return query


def _visible_order(session: Session, order_id: int, viewer: Viewer) -> Order:
    order = session.scalar(_with_details(_visible_orders(select(Order), viewer).where(Order.id == order_id)))
    if order is None:
        raise order_not_found()
    return order


# An order's shipment and payment (one each at most) come in its own row; the shipment's events, when there is a
# shipment, in one query.
_SHIPMENT_AND_PAYMENT = (joinedload(Order.shipment).selectinload(Shipment.events), joinedload(Order.payment))


def _with_details(query: Select) -> Select:
    """With the shipment and payment, and the lines in one query."""
    return query.options(selectinload(Order.lines), *_SHIPMENT_AND_PAYMENT)


# An order's page, built once (with its loader options, building and keying it cost more than running it): a
# shopper's own order, or any order for staff. Its lines are read by ``order_detail``.
_ANY_ORDER = select(Order, _HAS_REFUNDS).where(Order.id == bindparam("order_id")).options(*_SHIPMENT_AND_PAYMENT)
_ORDER_LINES = select(OrderLine).where(OrderLine.order_id == bindparam("order_id")).order_by(OrderLine.line_no)
_SHOPPERS_ORDER = _ANY_ORDER.where(Order.user_id == bindparam("user_id"))
def order_views(session: Session, orders: list[Order], viewer: Viewer, *, refunds: Iterable[RefundView] = (),
                 without_refunds: bool = False, buyers: dict[int, str] | None = None) -> list[OrderView]:
    """Views of loaded orders: buyers, open refunds, reserved units and the settings in one query each. Orders
    known to have no refund request (``without_refunds``) have nothing open and no unit reserved: not read; nor
    are the buyers' nicknames when ``buyers`` has every one."""
    if not orders:
        return []
    if buyers is None or not {o.user_id for o in orders} <= buyers.keys():
        buyers = nicknames(session, {o.user_id for o in orders})
    if without_refunds:
        open_refunds, reserved = {}, {}
    else:
        open_refunds = open_refunds_by_order(session, [o.id for o in orders])
        reserved = reserved_by_line(session, [line.id for o in orders for line in o.lines])
    settings = get_settings(session)
    timeout, after_sale_days = settings.unpaid_timeout_minutes, settings.after_sale_days
    refunds = tuple(refunds)
    return [_order_view(o, viewer, buyer=buyers.get(o.user_id, ""), open_refunds=open_refunds.get(o.id, 0),
                        reserved=reserved, pay_expires_at=payment_deadline(o, timeout_minutes=timeout),
                        after_sale_deadline=after_sale_ends(o, days=after_sale_days),
                        refunds=tuple(r for r in refunds if r.order_id == o.id))
            for o in orders]


def receiver_address(order: Order, viewer: Viewer, street: str | None = None) -> str:
    """The region in clear, then the street as the viewer may see it (docs/security.md)."""
    if street is None:
        street = _receiver_street(order, viewer)
    return f"{order.receiver_province}{order.receiver_city}{order.receiver_district}{street}"


def _receiver_street(order: Order, viewer: Viewer) -> str:
    return show(viewer, Field.RECEIVER_STREET, order.receiver_street_enc, owner_id=order.user_id)


def _order_view(order: Order, viewer: Viewer, *, buyer: str, open_refunds: int, reserved: dict[int, Reserved],
                pay_expires_at: datetime | None, after_sale_deadline: datetime | None,
                refunds: tuple[RefundView, ...]) -> OrderView:
    shipment = order.shipment
    street = _receiver_street(order, viewer)
    return OrderView(
        id=order.id, order_no=order.order_no, status=order.status, user_id=order.user_id, buyer_nickname=buyer,
        lines=tuple(OrderLineView(
            id=line.id, sku_id=line.sku_id, product_id=line.product_id, title=line.title, specs=dict(line.specs),
            cover_url=media_url(line.cover_url), unit_price_fen=line.unit_price_fen, quantity=line.quantity,
            amount_fen=line.amount_fen, discount_fen=line.discount_fen, paid_fen=line.paid_fen,
            refunded_fen=line.refunded_fen, refunded_quantity=line.refunded_quantity,
            refundable_quantity=refundable_quantity(line, reserved.get(line.id, NOTHING_RESERVED),
                                                    after_sale_deadline=after_sale_deadline),
            actions=tuple(line_actions(line, viewer, reserved.get(line.id, NOTHING_RESERVED),
                                       after_sale_deadline=after_sale_deadline)),
        ) for line in order.lines),
        goods_fen=order.goods_fen, member_discount_fen=order.member_discount_fen,
        full_reduction_fen=order.full_reduction_fen, coupon_discount_fen=order.coupon_discount_fen,
        shipping_fen=order.shipping_fen, payable_fen=order.payable_fen, refunded_fen=order.refunded_fen,
        receiver_name=show(viewer, Field.RECEIVER_NAME, order.receiver_name_enc, owner_id=order.user_id),
        receiver_phone=show(viewer, Field.RECEIVER_PHONE, order.receiver_phone_enc, owner_id=order.user_id),
        receiver_address=receiver_address(order, viewer, street), remark=order.remark,
        receiver_region=(order.receiver_province, order.receiver_city, order.receiver_district),
        receiver_street=street,
        transaction_id=order.payment.transaction_id if order.payment else "",
        created_at=order.created_at, paid_at=order.paid_at, shipped_at=order.shipped_at,
        completed_at=order.completed_at, cancelled_at=order.cancelled_at, pay_expires_at=pay_expires_at,
        shipment=ShipmentView(
            carrier=shipment.carrier, tracking_no=shipment.tracking_no, shipped_at=shipment.created_at,
            wechat_uploaded=shipment.wechat_uploaded, wechat_error=shipment.wechat_error,
            events=tuple(TrackingEventView(time=e.time, text=e.text) for e in shipment.events),
        ) if shipment else None,
        open_refunds=open_refunds,
        actions=tuple(order_actions(order, viewer, reserved=reserved, pay_deadline=pay_expires_at,
                                    after_sale_deadline=after_sale_deadline)),
        refunds=refunds,
        merchant_note="" if isinstance(viewer, Shopper) else order.merchant_note,
        edits=tuple(order_edits(order, viewer)), refund_kinds=tuple(refund_kinds(order)),
    )
