"""WeChat Pay for orders: the unified order, the payment notification and what paying sets in motion."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from sqlalchemy import JSON, Integer, Row, any_, bindparam, case, column, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from domain import clock
from domain.config import get_config
from domain.db import is_postgres
from domain.distribution.commissions import PAID_CHAIN_JSON, commission_rows, write_commission_rows
from domain.errors import Conflict
from domain.json_rows import json_rows, rows_json
from domain.marketing.coupons import use_order_coupon
from domain.members import order_events
from domain.models import (
    CommissionRecord,
    CommissionStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Product,
    User,
)
from domain.orders.actions import OrderAction, ensure_order_action, payment_deadline
from domain.orders.errors import order_not_found
from domain.orders.lifecycle import (
    lock_order_and_more,
    locked_order_statement,
    shopper_row_for_token,
    token_order_row_statement,
)
from domain.payments.errors import PaymentError
from domain.payments.stray_refunds import refund_stray_payment
from domain.settings.service import SETTINGS_FINGERPRINT, adopt_settings, get_settings
from domain.wechat.gateway import WeChatGateway
from domain.wechat.pay_types import PaymentNotice

log = logging.getLogger(__name__)

NOTIFY_PATH = "/api/v1/payments/wechat/notify"
REFUND_NOTIFY_PATH = "/api/v1/payments/wechat/refund-notify"


@dataclass
class PaymentStart:
    pay_params: dict
    prepay_id: str
    sandbox: bool


@dataclass
class NotificationOutcome:
    order_id: int
    newly_paid: bool


def notify_url() -> str:
    return get_config().public_url.rstrip("/") + NOTIFY_PATH


def refund_notify_url() -> str:
    return get_config().public_url.rstrip("/") + REFUND_NOTIFY_PATH


# Built once: the order to pay, row-locked, with its first line's title (the payment's description).
_FIRST_TITLE = (select(OrderLine.title).where(OrderLine.order_id == Order.id).order_by(OrderLine.line_no).limit(1)
                .correlate(Order).scalar_subquery())
_ORDER_AND_FIRST_TITLE = locked_order_statement(_FIRST_TITLE)
# The same on the tables, with the shopper of a token (the order is joined on its buyer, so another shopper's is not
# found): a row of only what paying reads, since an ORM entity cost more to load than the statement to run and
# every column costs the driver and SQLAlchemy something in every answer.
_ORDERS = Order.__table__
_PAYER_AND_ORDER = (
    token_order_row_statement(User.__table__.c.openid.label("shopper_openid"), _ORDERS.c.id, _ORDERS.c.order_no,
                              _ORDERS.c.status, _ORDERS.c.created_at, _ORDERS.c.payable_fen, _ORDERS.c.prepay_id,
                              _FIRST_TITLE.label("first_title"))
    .with_for_update(key_share=True, of=_ORDERS))
_SET_PREPAY_ID = (update(Order.__table__).where(Order.__table__.c.id == bindparam("paying_order_id"))
                  .values(prepay_id=bindparam("prepay")))


def start_payment(session: Session, *, user: User, order_id: int, wechat: WeChatGateway) -> PaymentStart:
    """Unified order (JSAPI) for an unpaid order; returns what ``wx.requestPayment`` needs.
    Paying twice in a row is harmless: WeChat answers the same ``out_trade_no`` with the same prepay_id."""
    order, first = lock_order_and_more(session, order_id, _ORDER_AND_FIRST_TITLE, user=user)
    return _start(session, openid=user.openid, order=order, first=first, wechat=wechat)


def start_payment_for_token(session: Session, *, token: str, order_id: int, wechat: WeChatGateway) -> PaymentStart:
    """``start_payment`` for the shopper whose token this is (POST /orders/{id}/pay): the shopper and their order,
    row-locked, with its first line's title, in one statement. When it finds nothing, the token alone decides
    between 401 and 404."""
    row = shopper_row_for_token(session, token, _PAYER_AND_ORDER, order_id=order_id)
    return _start(session, openid=row.shopper_openid, order=row, first=row.first_title, wechat=wechat)


def _start(session: Session, *, openid: str, order: Order | Row, first: str, wechat: WeChatGateway) -> PaymentStart:
    """``order``: the entity, or its row (locked either way)."""
    expires = payment_deadline(order, timeout_minutes=get_settings(session).unpaid_timeout_minutes)
    ensure_order_action(order, OrderAction.PAY, pay_deadline=expires)
    prepay_id = wechat.unified_order(
        out_trade_no=order.order_no, amount_fen=order.payable_fen, body=f"商城订单-{first}", openid=openid,
        notify_url=notify_url(), expire_at=expires,
    )
    if prepay_id != order.prepay_id:
        session.execute(_SET_PREPAY_ID, {"paying_order_id": order.id, "prepay": prepay_id})
        loaded = _loaded(session, order)
        if loaded is not None:  # an entity this session had loaded sees what was just written
            set_committed_value(loaded, "prepay_id", prepay_id)
    return PaymentStart(pay_params=wechat.jsapi_params(prepay_id), prepay_id=prepay_id, sandbox=wechat.is_sandbox)


def handle_payment_notification(session: Session, *, wechat: WeChatGateway, body: bytes,
                                headers: Mapping[str, str] | None = None) -> NotificationOutcome:
    """WeChat's payment notification, as it arrived (v2 XML, or v3 JSON with its ``Wechatpay-*`` headers): the
    gateway verifies it. Accepted only when verified and for the exact amount; repeated or concurrent
    notifications mark the order paid exactly once (row lock + status guard + unique payment)."""
    return record_payment(session, payment=wechat.parse_payment_notification(body, headers or {}), wechat=wechat)


def record_payment(session: Session, *, payment: PaymentNotice, wechat: WeChatGateway) -> NotificationOutcome:
    """Money WeChat says it received for an order (a notification, or an order query): the order is marked paid
    exactly once; a repeat changes nothing; money for an order already cancelled is given straight back."""
    # The usual case in one statement: an order awaiting exactly this amount becomes paid. Concurrent notifications
    # queue on its row; the first marks it paid and the others, once it commits, match nothing here.
    now = clock.now()
    paid = session.execute(_PAID_IF_AWAITED, {"out_trade_no": payment.out_trade_no, "amount": payment.amount_fen,
                                              "now": now}).first()
    if paid is not None:
        adopt_settings(session, paid.settings_fingerprint)  # the commissions' rates next, without a statement
        loaded = _loaded(session, paid)
        if loaded is not None:  # an entity this session had loaded sees what was just written
            set_committed_value(loaded, "status", paid.status)
            set_committed_value(loaded, "paid_at", paid.paid_at)
        _record_paid(session, order=paid, payment=payment, now=now, lines=_paid_lines(json_rows(paid.lines_json)),
                     chain=json_rows(paid.chain_json))
        return NotificationOutcome(order_id=paid.id, newly_paid=True)
    # Anything else (a repeat, another amount, an order cancelled meanwhile, no such order): found and row-locked.
    order = session.scalar(select(Order).where(Order.order_no == payment.out_trade_no)
                           .with_for_update(key_share=True).execution_options(populate_existing=True))
    if order is None:
        raise order_not_found()
    if payment.amount_fen != order.payable_fen:
        log.warning("payment for %s: amount %s differs from %s", order.order_no, payment.amount_fen, order.payable_fen)
        raise Conflict(PaymentError.AMOUNT_MISMATCH, "支付金额与订单金额不一致")
    if order.status == OrderStatus.PENDING_PAYMENT:
        mark_paid(session, order=order, payment=payment)
        return NotificationOutcome(order_id=order.id, newly_paid=True)
    if session.scalar(select(Payment.id).where(Payment.order_id == order.id)) is not None:
        return NotificationOutcome(order_id=order.id, newly_paid=False)  # a repeat: already recorded
    # Paid after it was cancelled (the WeChat order could not be closed in time): keep the money's record and
    # give it straight back.
    _refund_orphan(session, order=order, payment=payment, wechat=wechat)
    return NotificationOutcome(order_id=order.id, newly_paid=False)


class PaidLine(NamedTuple):
    """What paying reads of an order's line, with what the commission rates read of its product."""

    line_no: int
    id: int
    product_id: int
    quantity: int
    paid_fen: int
    distribution_enabled: bool
    commission_level1_bp: int | None
    commission_level2_bp: int | None


def _paid_lines_query(order_id):
    return (select(OrderLine.line_no, OrderLine.id, OrderLine.product_id, OrderLine.quantity, OrderLine.paid_fen,
                   Product.distribution_enabled, Product.commission_level1_bp, Product.commission_level2_bp)
            .join(Product, Product.id == OrderLine.product_id).where(OrderLine.order_id == order_id))


@cache
def _paid_lines_statement():
    """The order's lines in one statement built once (loading the lines as ORM objects cost more than the query)."""
    return _paid_lines_query(bindparam("order_id")).order_by(OrderLine.line_no)


def _paid_lines(rows) -> list[PaidLine]:
    """The lines as the paid UPDATE read them (``rows_json``), in line order."""
    return sorted((PaidLine(*row) for row in rows), key=lambda line: line.line_no)


# Built once, on the tables (not the ORM classes): they run at every payment, and building, keying and ORM-wrapping a
# fresh UPDATE cost more than running it (docs/architecture.md, "Performance").
_PRODUCTS, _LINES = Product.__table__, OrderLine.__table__
_INSERT_PAYMENT = insert(Payment.__table__)
_SALES = (update(_PRODUCTS).where(_PRODUCTS.c.id == bindparam("sold_product_id"))
          .values(sales=_PRODUCTS.c.sales + bindparam("sold_quantity")))
_LINES_PAID = (update(_LINES).where(_LINES.c.order_id == bindparam("paid_order_id"))
               .values(paid_at=bindparam("paid_time"),
                       earns_commission=_LINES.c.id.in_(bindparam("earning", expanding=True))))


def _paid_writes_postgresql():
    """What paying writes after the guarded UPDATE, as one PostgreSQL statement of four data-modifying parts, built
    once: the payment; the products' sales, summed from the order's lines; the commission records, from one JSON
    parameter (``jsonb_to_recordset``: the same statement for any number of records); the lines' payment time and
    whether each earns commission. No part reads what another writes (the sales read the lines' quantities, which
    the lines' part leaves as they are). On SQLite they are four statements (``_record_paid``). Each value has a
    parameter of its own (one name in two parts of a statement is refused), and every column's default is given:
    SQLAlchemy fills in none for a part."""
    payment = insert(Payment.__table__).values(
        order_id=bindparam("w_pay_order"), out_trade_no=bindparam("w_out_trade_no"),
        transaction_id=bindparam("w_transaction_id"), amount_fen=bindparam("w_amount_fen"),
        paid_at=bindparam("w_pay_time"), raw=bindparam("w_raw", type_=JSON), created_at=bindparam("w_pay_created"),
        # A default of a part is not filled in by SQLAlchemy: the columns' defaults, given.
        status=literal(str(PaymentStatus.CAPTURED)), refund_attempts=literal(0), refund_error=literal(""))
    sold = (select(_LINES.c.product_id, func.sum(_LINES.c.quantity).label("quantity"))
            .where(_LINES.c.order_id == bindparam("w_order_id")).group_by(_LINES.c.product_id).subquery("sold"))
    sales = (update(_PRODUCTS).where(_PRODUCTS.c.id == sold.c.product_id)
             .values(sales=_PRODUCTS.c.sales + sold.c.quantity, updated_at=bindparam("w_sales_time")))
    given = func.jsonb_to_recordset(bindparam("w_records", type_=JSONB)).table_valued(
        *(column(name, CommissionRecord.__table__.c[name].type) for name in _RECORD_FIELDS)
    ).render_derived(name="given", with_types=True)
    records = insert(CommissionRecord.__table__).from_select(
        [*_RECORD_FIELDS, "status", "clawed_back_fen", "paid_at", "created_at"],
        select(*(given.c[name] for name in _RECORD_FIELDS), literal(str(CommissionStatus.FROZEN)), literal(0),
               bindparam("w_rec_time"), bindparam("w_rec_created")))
    lines = (update(_LINES).where(_LINES.c.order_id == bindparam("w_line_order"))
             .values(paid_at=bindparam("w_line_time"),
                     earns_commission=_LINES.c.id == any_(bindparam("w_earning", type_=ARRAY(Integer)))))
    return select(literal(1)).add_cte(payment.cte("paid_payment"), sales.cte("paid_sales"),
                                      records.cte("paid_records"), lines.cte("paid_lines"))


# What the JSON parameter gives of each commission record (the rest is the same for all of them).
_RECORD_FIELDS = ("order_id", "order_line_id", "buyer_id", "beneficiary_id", "level", "rate_bp", "base_fen",
                  "amount_fen", "own_rates")
_PAID_WRITES = _paid_writes_postgresql()


# Built once: the awaited order, paid and returned in one guarded UPDATE (its row locked until the commit), with the
# business settings' fingerprint. On the table, returned as a row of the columns what follows reads: it only reads
# them, and an ORM entity cost more to load than the statement to run (docs/architecture.md, "Performance").
_PAID_IF_AWAITED = (
    update(_ORDERS)
    .where(_ORDERS.c.order_no == bindparam("out_trade_no"), _ORDERS.c.status == OrderStatus.PENDING_PAYMENT,
           _ORDERS.c.payable_fen == bindparam("amount"))
    .values(status=OrderStatus.PAID, paid_at=bindparam("now"))
    # What follows reads of the order (its payment, coupon, commissions, lines and a first payment's reward).
    # Its lines and its buyer's inviter chain ride on it as JSON columns (domain/json_rows.py): two statements fewer.
    .returning(_ORDERS.c.id, _ORDERS.c.order_no, _ORDERS.c.user_id, _ORDERS.c.coupon_id, _ORDERS.c.status,
               _ORDERS.c.paid_at, SETTINGS_FINGERPRINT.label("settings_fingerprint"),
               rows_json(_paid_lines_query(_ORDERS.c.id).correlate(_ORDERS)).label("lines_json"),
               PAID_CHAIN_JSON.label("chain_json"))
)


def _loaded(session: Session, order: Order | Row) -> Order | None:
    """The order's entity in this session: itself, or (for a row) the one this session had loaded, if any."""
    return order if isinstance(order, Order) else session.identity_map.get(identity_key(Order, order.id))


def mark_paid(session: Session, *, order: Order, payment: PaymentNotice) -> None:
    """An unpaid order (loaded, and locked by the caller) becomes paid for ``payment``, with everything that
    follows from it."""
    now = clock.now()
    order.status = OrderStatus.PAID
    order.paid_at = now
    _record_paid(session, order=order, payment=payment, now=now)


def _record_paid(session: Session, *, order: Order | Row, payment: PaymentNotice, now,
                 lines: list[PaidLine] | None = None, chain: list | None = None) -> None:
    """What follows from an order just marked paid at ``now``: its payment, the products' sales, its coupon used,
    its commissions, its lines' payment time, the events of a first payment. ``order``: the entity, or the row the
    guarded paid UPDATE returned (what follows only reads it), with its ``lines`` and its buyer's inviter
    ``chain`` as that UPDATE read them (else they are read here)."""
    loaded = _loaded(session, order)
    if loaded is not None:
        session.expire(loaded, ["payment"])  # read afresh if asked for
    if lines is None:
        lines = [PaidLine(*row) for row in session.execute(_paid_lines_statement(), {"order_id": order.id})]
    session.flush()
    use_order_coupon(session, order=order)  # locked → used; a later refund never gives it back
    records = commission_rows(session, order=order, lines=lines, chain=chain)
    earning = {record["order_line_id"] for record in records}
    if is_postgres(session):
        # The payment, the products' sales, the commission records and the lines' payment time: one statement.
        session.execute(_PAID_WRITES, {
            "w_pay_order": order.id, "w_out_trade_no": order.order_no, "w_transaction_id": payment.transaction_id,
            "w_amount_fen": payment.amount_fen, "w_pay_time": now, "w_raw": payment.raw, "w_pay_created": now,
            "w_order_id": order.id, "w_sales_time": now,
            "w_records": [{name: record[name] for name in _RECORD_FIELDS} for record in records],
            "w_rec_time": order.paid_at, "w_rec_created": now,
            "w_line_time": now, "w_line_order": order.id, "w_earning": sorted(earning)})
    else:
        session.execute(_INSERT_PAYMENT, dict(order_id=order.id, out_trade_no=order.order_no,
                                              transaction_id=payment.transaction_id, amount_fen=payment.amount_fen,
                                              paid_at=now, raw=payment.raw))
        sold: dict[int, int] = {}
        for line in lines:
            sold[line.product_id] = sold.get(line.product_id, 0) + line.quantity
        if len(sold) == 1:  # most orders: the statement built once
            [(product_id, quantity)] = sold.items()
            session.execute(_SALES, {"sold_product_id": product_id, "sold_quantity": quantity})
        else:
            session.execute(update(_PRODUCTS).where(_PRODUCTS.c.id.in_(sold))
                            .values(sales=_PRODUCTS.c.sales + case(sold, value=_PRODUCTS.c.id)))
        write_commission_rows(session, records)
        # The order's payment time on its lines, and whether each earns commission, for analytics by range: one
        # statement for every line.
        session.execute(_LINES_PAID, {"paid_order_id": order.id, "paid_time": now, "earning": sorted(earning)})
    for loaded in session.identity_map.values():  # lines this session had loaded see what was just written
        if isinstance(loaded, OrderLine) and loaded.order_id == order.id:
            set_committed_value(loaded, "paid_at", now)
            set_committed_value(loaded, "earns_commission", loaded.id in earning)
    order_events.paid(session, order=order)  # the buyer's first paid order: the inviter's pending share reward


def _refund_orphan(session: Session, *, order: Order, payment: PaymentNotice, wechat: WeChatGateway) -> None:
    """Keep the money's record and try to give it back; a failed try is retried by ``reconcile-payments``."""
    received = Payment(order_id=order.id, out_trade_no=order.order_no, transaction_id=payment.transaction_id,
                       amount_fen=payment.amount_fen, paid_at=clock.now(), status=PaymentStatus.ORPHANED,
                       raw=payment.raw, refund_attempts=0, refund_error="")
    session.add(received)
    session.flush()
    refund_stray_payment(payment=received, wechat=wechat)
    session.flush()
