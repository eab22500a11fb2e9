"""Order state changes after placement: cancel, ship, track, confirm receipt — by buyers, staff and jobs — and staff's
changes that move an order nowhere: the receiver before shipping, and the merchant's note."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from domain import clock
from domain.audit.service import record_action
from domain.config import get_config
from domain.errors import Conflict, ExternalServiceError, Invalid, Unauthorized
from domain.marketing.redemption import release_for_cancelled
from domain.members import order_events
from domain.models import Order, OrderFingerprint, OrderLine, OrderStatus, Shipment, TrackingEvent, User
from domain.orders.actions import (
    EDIT_PERMISSION,
    STAFF_PERMISSION,
    OrderAction,
    OrderEdit,
    ensure_order_action,
    ensure_order_edit,
)
from domain.orders.addresses import AddressInput, checked_receiver
from domain.orders.errors import OrderError, order_not_found
from domain.orders.logistics import Tracker
from domain.orders.stock import return_stock
from domain.security import crypto
from domain.security.actor import Actor
from domain.text import required_text
from domain.users.service import token_row, token_row_statement, user_for_token
from domain.wechat.gateway import WeChatGateway


def locked_order_statement(*columns):
    """The statement ``lock_order`` runs, with more columns beside the order (a correlated subquery may read
    ``Order.id``; only the order's row is locked): for a request that needs the order and one more thing at once.
    Build it once."""
    return (select(Order, *columns).where(Order.id == bindparam("order_id"))
            .with_for_update(key_share=True, of=Order).execution_options(populate_existing=True))


def lock_order_and_more(session: Session, order_id: int, statement, *, user: User | None = None) -> tuple:
    """(the order, row-locked for this transaction, the statement's further columns …); another shopper's order
    is simply not found."""
    row = session.execute(statement, {"order_id": order_id}).first()
    if row is None or (user is not None and row[0].user_id != user.id):
        raise order_not_found()
    return tuple(row)


def shopper_row_for_token(session: Session, token: str, statement, **params):
    """The row of a statement built with ``token_order_row_statement``: the token's shopper and their order, on the
    tables, for a request that only reads what it finds (paying, the order's page). When it finds nothing, the
    token alone decides: 401 for a token that is not (or no longer) valid, whether the order exists or not; else
    404."""
    try:
        return token_row(session, token, statement, **params)
    except Unauthorized:
        user_for_token(session, token)  # 401 for a token that is not (or no longer) valid, whatever the order
        raise order_not_found() from None


def token_order_row_statement(*columns):
    """``token_row_statement`` joined to the token's shopper's order of the ``order_id`` parameter (another
    shopper's is not found), for ``shopper_row_for_token``: ``columns`` may read ``users`` and ``orders``. Build it
    once."""
    users, orders = User.__table__, Order.__table__
    return token_row_statement(*columns).join(
        orders, and_(orders.c.id == bindparam("order_id"), orders.c.user_id == users.c.id))


_LOCK_ORDER = locked_order_statement()  # built once: keying a fresh statement cost about as much as running it


def lock_order(session: Session, order_id: int, *, user: User | None = None) -> Order:
    """The order, row-locked for this transaction; another shopper's order is simply not found."""
    return lock_order_and_more(session, order_id, _LOCK_ORDER, user=user)[0]


def cancel_order(session: Session, *, user: User, order_id: int, wechat: WeChatGateway) -> Order:
    order = lock_order(session, order_id, user=user)
    ensure_order_action(order, OrderAction.CANCEL)
    _close_wechat_order(order, wechat)
    cancel_orders(session, [order], reason="buyer")
    return order


def cancel_orders(session: Session, orders: list[Order], *, reason: str) -> None:
    """Cancel unpaid orders (already locked by the caller) and put their stock back, in two statements."""
    if not orders:
        return
    now = clock.now()
    ids = [o.id for o in orders]
    session.execute(
        update(Order).where(Order.id.in_(ids), Order.status == OrderStatus.PENDING_PAYMENT)
        .values(status=OrderStatus.CANCELLED, cancelled_at=now, cancel_reason=reason),
        execution_options={"synchronize_session": "fetch"},
    )
    lines = session.execute(select(OrderLine.sku_id, OrderLine.quantity).where(OrderLine.order_id.in_(ids))).all()
    returned: dict[int, int] = {}
    for sku_id, quantity in lines:
        returned[sku_id] = returned.get(sku_id, 0) + quantity
    release_for_cancelled(session, ids)  # limited-time units and coupons come back too
    return_stock(session, returned)


def confirm_receipt(session: Session, *, user: User, order_id: int) -> Order:
    order = lock_order(session, order_id, user=user)
    ensure_order_action(order, OrderAction.CONFIRM_RECEIPT)
    order.status = OrderStatus.COMPLETED
    order.completed_at = clock.now()
    session.flush()
    order_events.completed(session, [order.id])
    return order


def auto_receive(session: Session, *, days: int, limit: int = 500) -> int:
    """One batch of the ``auto-receive`` job: shipped ``days`` ago and not yet confirmed."""
    deadline = clock.now() - timedelta(days=days)
    ids = list(session.scalars(
        select(Order.id).where(Order.status == OrderStatus.SHIPPED, Order.shipped_at <= deadline)
        .order_by(Order.id).limit(limit).with_for_update(skip_locked=True, key_share=True)
    ))
    if not ids:
        return 0
    completed = list(session.scalars(
        update(Order).where(Order.id.in_(ids), Order.status == OrderStatus.SHIPPED)
        .values(status=OrderStatus.COMPLETED, completed_at=clock.now()).returning(Order.id),
        execution_options={"synchronize_session": False},
    ))
    order_events.completed(session, completed)
    return len(completed)


def ship_order(session: Session, *, actor: Actor, order_id: int, carrier: str, tracking_no: str,
               wechat: WeChatGateway) -> Shipment:
    """Record the parcel, then tell WeChat (which holds mini-program payments until it knows).
    A failed upload does not undo the shipment; it is flagged for a retry."""
    actor.require(STAFF_PERMISSION[OrderAction.SHIP])
    carrier, tracking_no = checked_parcel(carrier, tracking_no)
    order = lock_order(session, order_id)
    ensure_order_action(order, OrderAction.SHIP)
    now = clock.now()
    order.status = OrderStatus.SHIPPED
    order.shipped_at = now
    shipment = Shipment(order_id=order.id, carrier=carrier, tracking_no=tracking_no, shipped_by=actor.staff_id)
    session.add(shipment)
    session.flush()
    session.add(TrackingEvent(shipment_id=shipment.id, time=now, text=f"商家已发货，{carrier} 运单号 {tracking_no}",
                              source="system"))
    upload_shipping(session, order=order, shipment=shipment, wechat=wechat)
    _notify_shipped(session, order=order, shipment=shipment, wechat=wechat)
    record_action(session, actor=actor, action="order.ship", entity_type="order", entity_id=order.id,
                  before={"status": OrderStatus.PAID},
                  after={"status": OrderStatus.SHIPPED, "carrier": carrier, "tracking_no": tracking_no,
                         "wechat_uploaded": shipment.wechat_uploaded})
    return shipment


def checked_parcel(carrier: str | None, tracking_no: str | None) -> tuple[str, str]:
    """A parcel's carrier and tracking number, trimmed: ``invalid_carrier`` or ``invalid_tracking_no`` otherwise
    (the same for the shop's parcels and the buyer's returns)."""
    carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip()
    if not carrier or len(carrier) > 32:
        raise Invalid(OrderError.INVALID_CARRIER, "请选择快递公司")
    if not tracking_no or len(tracking_no) > 64 or not tracking_no.replace("-", "").isalnum():
        raise Invalid(OrderError.INVALID_TRACKING_NO, "请填写正确的快递单号")
    return carrier, tracking_no


def upload_shipping(session: Session, *, order: Order, shipment: Shipment, wechat: WeChatGateway) -> bool:
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no))
    payment = order.payment
    buyer = session.get(User, order.user_id)
    try:
        wechat.upload_shipping_info(
            transaction_id=payment.transaction_id if payment else "", openid=buyer.openid, carrier=shipment.carrier,
            tracking_no=shipment.tracking_no, item_desc="、".join(f"{line.title}×{line.quantity}" for line in lines),
            receiver_phone_masked=crypto.mask_phone(crypto.decrypt(order.receiver_phone_enc)),
        )
    except ExternalServiceError as exc:
        shipment.wechat_uploaded, shipment.wechat_error = False, exc.message[:200]
    else:
        shipment.wechat_uploaded, shipment.wechat_error = True, ""
    session.flush()
    return shipment.wechat_uploaded


def _notify_shipped(session: Session, *, order: Order, shipment: Shipment, wechat: WeChatGateway) -> None:
    """A subscribe message to the buyer (best effort: WeChat only delivers it if the buyer subscribed)."""
    template = get_config().shipped_template
    if not template:
        return
    first = session.scalar(select(OrderLine.title).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no))
    wechat.send_subscribe_message(
        session.get(User, order.user_id).openid, template,
        {"character_string1": {"value": order.order_no}, "thing2": {"value": (first or "")[:20]},
         "phrase3": {"value": shipment.carrier[:5]}, "character_string4": {"value": shipment.tracking_no}},
        page=f"pages/order/detail?id={order.id}",
    )


def retry_shipping_upload(session: Session, *, actor: Actor, order_id: int, wechat: WeChatGateway) -> Shipment:
    actor.require(STAFF_PERMISSION[OrderAction.RETRY_SHIPPING_UPLOAD])
    order = lock_order(session, order_id)
    ensure_order_action(order, OrderAction.RETRY_SHIPPING_UPLOAD)
    upload_shipping(session, order=order, shipment=order.shipment, wechat=wechat)
    record_action(session, actor=actor, action="order.shipping_upload", entity_type="order", entity_id=order.id,
                  after={"wechat_uploaded": order.shipment.wechat_uploaded})
    return order.shipment


def add_tracking_event(session: Session, *, actor: Actor, order_id: int, text: str,
                       time: datetime | None = None) -> TrackingEvent:
    actor.require(STAFF_PERMISSION[OrderAction.ADD_TRACKING_EVENT])
    text = required_text(text, code=OrderError.INVALID_TRACKING_EVENT, message="请填写物流信息（不超过 300 字）",
                         max_length=300)
    order = session.get(Order, order_id)
    if order is None:
        raise order_not_found()
    ensure_order_action(order, OrderAction.ADD_TRACKING_EVENT)
    when = time or clock.now()
    if when.tzinfo is None:
        raise Invalid(OrderError.INVALID_TIME, "时间需带时区")
    same = session.scalar(select(TrackingEvent).where(TrackingEvent.shipment_id == order.shipment.id,
                                                      TrackingEvent.time == when, TrackingEvent.text == text))
    if same is not None:
        return same  # entered twice: once is enough
    event = TrackingEvent(shipment_id=order.shipment.id, time=when, text=text, source="staff")
    order.shipment.events.append(event)  # through the collection, so that a loaded timeline shows it too
    session.flush()
    record_action(session, actor=actor, action="order.tracking_event", entity_type="order", entity_id=order.id,
                  after={"time": when, "text": text})
    return event


def change_receiver(session: Session, *, actor: Actor, order_id: int, receiver: AddressInput) -> Order:
    """Send the parcel elsewhere, while the order is paid and not shipped (the buyer called, or wrote the wrong
    street). The receiver is checked as the address book checks it and encrypted like the order's snapshot; the audit
    entry keeps the region and the masked receiver, never the personal data in clear (docs/security.md)."""
    actor.require(EDIT_PERMISSION)
    data = checked_receiver(receiver)
    order = lock_order(session, order_id)
    ensure_order_edit(order, OrderEdit.CHANGE_ADDRESS)
    before = _receiver_for_audit(order)
    order.receiver_name_enc, order.receiver_phone_enc = crypto.encrypt(data.name), crypto.encrypt(data.phone)
    order.receiver_phone_bidx = crypto.phone_index(data.phone)
    order.receiver_province, order.receiver_city, order.receiver_district = data.province, data.city, data.district
    order.receiver_street_enc = crypto.encrypt(data.detail)
    # The risk scan fingerprinted the old address; without its row it fingerprints the new one on its next run.
    session.execute(delete(OrderFingerprint).where(OrderFingerprint.order_id == order.id))
    session.flush()
    record_action(session, actor=actor, action="order.change_address", entity_type="order", entity_id=order.id,
                  before=before, after=_receiver_for_audit(order))
    return order


def _receiver_for_audit(order: Order) -> dict[str, str]:
    return {"receiver": crypto.mask_name(crypto.decrypt(order.receiver_name_enc)),
            "phone": crypto.mask_phone(crypto.decrypt(order.receiver_phone_enc)),
            "region": f"{order.receiver_province}{order.receiver_city}{order.receiver_district}"}


MAX_MERCHANT_NOTE = 500


def set_merchant_note(session: Session, *, actor: Actor, order_id: int, note: str) -> Order:
    """Staff's own note on the order, in any state; an empty note clears it. The shopper never sees it."""
    actor.require(EDIT_PERMISSION)
    note = (note or "").strip()
    if len(note) > MAX_MERCHANT_NOTE:
        raise Invalid(OrderError.INVALID_MERCHANT_NOTE, f"商家备注不能超过 {MAX_MERCHANT_NOTE} 字")
    order = lock_order(session, order_id)
    ensure_order_edit(order, OrderEdit.EDIT_MERCHANT_NOTE)
    before, order.merchant_note = order.merchant_note, note
    session.flush()
    if before != note:
        record_action(session, actor=actor, action="order.merchant_note", entity_type="order", entity_id=order.id,
                      before={"merchant_note": before}, after={"merchant_note": note})
    return order


def logistics(session: Session, *, order: Order, tracker: Tracker) -> tuple[Shipment, list[TrackingEvent]]:
    """The buyer's timeline, newest first: staff events plus whatever the tracker knows (stored once)."""
    ensure_order_action(order, OrderAction.VIEW_LOGISTICS)
    shipment = order.shipment
    known = {(e.time, e.text) for e in shipment.events}
    fresh = [TrackingEvent(shipment_id=shipment.id, time=e.time, text=e.text, source="tracker")
             for e in tracker.events(shipment.carrier, shipment.tracking_no) if (e.time, e.text) not in known]
    events = list(shipment.events)
    if fresh:
        try:
            with session.begin_nested():
                session.add_all(fresh)
        except (IntegrityError, OperationalError):
            pass  # stored by a concurrent look, or the database is busy: shown now, stored next time
        events += fresh
    return shipment, sorted(events, key=lambda e: e.time, reverse=True)


def _close_wechat_order(order: Order, wechat: WeChatGateway) -> None:
    if not _wechat_closed(order, wechat):
        raise Conflict(OrderError.ORDER_ALREADY_PAID, "订单已支付，正在确认中")


def _wechat_closed(order: Order, wechat: WeChatGateway) -> bool:
    """Close the WeChat order first, so that it can no longer be paid after we cancel ours."""
    if order.prepay_id is None:
        return True
    return wechat.close_order(order.order_no)

