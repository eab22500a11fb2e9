"""After-sale: the buyer asks for some units of some lines back — the money only (仅退款), or the goods back first
(退货退款) — with a reason and up to three photos; support approves (refund through WeChat Pay, or for a return: the
buyer is asked to send the goods to the shop's return address, and the money goes back once staff confirm they
arrived) or rejects with a reason (docs/state-machines.md, "Refund requests").

Amounts: k of a line's n units refund ``paid_fen * k // n``; the request that takes the last units refunds
exactly what is left, so a whole line always refunds its ``paid_fen`` to the fen. Shipping comes back only when
an unshipped order is refunded whole. Units go back on the shelf when they never left, or when staff who received
a return say they can be sold again (docs/money-and-rules.md, "Returns").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from domain import clock
from domain.audit.service import record_action
from domain.distribution.commissions import apply_line_refund
from domain.errors import CommonError, Conflict, DomainError, Invalid, NotFound
from domain.media import MEDIA_PREFIX, media_key, save_image
from domain.members import order_events
from domain.models import (
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    RefundKind,
    RefundLine,
    RefundStatus,
    User,
)
from domain.numbers import business_number
from domain.orders.actions import (
    NOTHING_RESERVED,
    REFUND_PERMISSION,
    RESERVING,
    OrderAction,
    RefundAction,
    Reserved,
    after_sale_ends,
    approval_of,
    ensure_order_action,
    ensure_refund_action,
    refund_kinds,
)
from domain.orders.errors import OrderError, RefundError
from domain.orders.lifecycle import checked_parcel, lock_order
from domain.orders.stock import return_stock
from domain.payments.service import refund_notify_url
from domain.security.actor import Actor
from domain.settings.service import get_settings
from domain.text import reject_reason, required_text
from domain.wechat.gateway import WeChatGateway

MAX_PHOTOS = 3
PHOTO_FOLDER = "after-sale"


@dataclass(frozen=True)
class RefundItem:
    order_line_id: int
    quantity: int


def upload_refund_photo(*, user: User, data: bytes) -> str:
    """A photo for an after-sale request, checked to be a picture (Pillow reads it whole) and kept as JPEG in the
    buyer's own folder of the media store; returns its ``/media/…`` path for ``request_refund``'s ``photos``.
    Refusals: ``invalid_image``, ``image_too_large``."""
    return save_image(data, folder=f"{PHOTO_FOLDER}/{user.id}", max_side=1600)


def _checked_photos(user: User, photos: Sequence[str]) -> list[str]:
    """At most three, each one this buyer uploaded (their folder): no one attaches someone else's pictures."""
    photos = list(dict.fromkeys(photos))
    if len(photos) > MAX_PHOTOS:
        raise Invalid(RefundError.TOO_MANY_PHOTOS, f"最多上传 {MAX_PHOTOS} 张照片")
    own = f"{MEDIA_PREFIX}{PHOTO_FOLDER}/{user.id}/"
    if any(not isinstance(p, str) or not p.startswith(own) or media_key(p) is None for p in photos):
        raise Invalid(RefundError.INVALID_PHOTO, "照片无效，请重新上传")
    return photos


def request_refund(session: Session, *, user: User, order_id: int, items: list[RefundItem], reason: str,
                   kind: str = RefundKind.REFUND_ONLY, photos: Sequence[str] = ()) -> Refund:
    reason = required_text(reason, code=CommonError.REASON_REQUIRED, message="请填写退款原因（不超过 200 字）")
    if kind not in RefundKind.ALL:
        raise Invalid(RefundError.INVALID_REFUND_KIND, "请选择仅退款或退货退款")
    photos = _checked_photos(user, photos)
    if not items:
        raise Invalid(RefundError.EMPTY_REFUND, "请选择要退款的商品")
    order = lock_order(session, order_id, user=user)  # serialises requests on one order
    ensure_order_action(order, OrderAction.REQUEST_REFUND,
                        after_sale_deadline=after_sale_ends(order, days=get_settings(session).after_sale_days))
    if kind not in refund_kinds(order):
        raise Conflict(RefundError.RETURN_NEEDS_SHIPMENT, "订单尚未发货，无需退货，请选择仅退款")
    lines = {line.id: line for line in session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))}
    reserved = reserved_by_line(session, list(lines))
    wanted: dict[int, int] = {}
    for item in items:
        if item.order_line_id not in lines:
            raise NotFound(OrderError.ORDER_LINE_NOT_FOUND, "订单中没有这件商品")
        if not isinstance(item.quantity, int) or isinstance(item.quantity, bool) or item.quantity < 1:
            raise Invalid(OrderError.INVALID_QUANTITY, "退款数量至少为 1")
        wanted[item.order_line_id] = wanted.get(item.order_line_id, 0) + item.quantity

    refund = Refund(refund_no=business_number("R"), order_id=order.id, user_id=user.id, reason=reason, kind=kind,
                    photos=photos, status=RefundStatus.REQUESTED, goods_fen=0, shipping_fen=0, amount_fen=0)
    for line_id, quantity in wanted.items():
        line = lines[line_id]
        taken = reserved.get(line_id, NOTHING_RESERVED)
        left = max(0, line.quantity - taken.units)
        if quantity > left:
            raise Conflict(RefundError.REFUND_EXCEEDS_PURCHASE, f"“{line.title}”最多还能退 {left} 件")
        if taken.open:  # one open request per line: the next waits until support has decided this one
            raise Conflict(RefundError.REFUND_IN_PROGRESS, f"“{line.title}”已有退款申请在处理中，请等待处理结果")
        if taken.units + quantity == line.quantity:
            amount = line.paid_fen - taken.fen  # the last units take exactly what is left
        else:
            amount = line.paid_fen * quantity // line.quantity
        refund.lines.append(RefundLine(order_line_id=line_id, quantity=quantity, amount_fen=amount))
        reserved[line_id] = Reserved(units=taken.units + quantity, fen=taken.fen + amount, open=True)
    refund.goods_fen = sum(rl.amount_fen for rl in refund.lines)
    everything = all(reserved.get(lid, NOTHING_RESERVED).units == line.quantity for lid, line in lines.items())
    if order.status == OrderStatus.PAID and everything:
        refund.shipping_fen = order.shipping_fen  # nothing was sent: the postage goes back too
    refund.amount_fen = refund.goods_fen + refund.shipping_fen
    session.add(refund)
    session.flush()
    return refund


def approve_refund(session: Session, *, actor: Actor, refund_id: int, wechat: WeChatGateway) -> Refund:
    """Refund through WeChat Pay. The refund number makes a retry safe. If WeChat fails, the refund stays
    ``approved`` with the failure shown, and approving again retries. A return is not paid yet: it waits for the
    goods (``awaiting_return``), sent to the shop's return address, which must be set."""
    actor.require(REFUND_PERMISSION)
    order, refund = _lock_order_and_refund(session, refund_id)
    ensure_refund_action(refund, approval_of(refund), return_address=get_settings(session).return_address)
    before = refund.status
    refund.decided_by, refund.decided_at = actor.staff_id, clock.now()
    if refund.kind == RefundKind.RETURN_AND_REFUND and refund.status == RefundStatus.REQUESTED:
        refund.status = RefundStatus.AWAITING_RETURN
        session.flush()
        record_action(session, actor=actor, action="refund.approve_return", entity_type="refund",
                      entity_id=refund.id, before={"status": before},
                      after={"status": refund.status, "amount_fen": refund.amount_fen})
        return refund
    _pay_back(session, refund=refund, order=order, wechat=wechat)
    record_action(session, actor=actor, action="refund.approve", entity_type="refund", entity_id=refund.id,
                  before={"status": before},
                  after={"status": refund.status, "amount_fen": refund.amount_fen, "failure": refund.failure})
    return refund


def confirm_return(session: Session, *, actor: Actor, refund_id: int, restock: bool,
                   wechat: WeChatGateway) -> Refund:
    """The returned goods arrived: the money goes back through WeChat Pay as on approval (a failed call leaves the
    request ``approved`` for a retry). ``restock``: staff looked at the goods and they can be sold again, so their
    units go back on the shelf when the refund completes."""
    actor.require(REFUND_PERMISSION)
    order, refund = _lock_order_and_refund(session, refund_id)
    ensure_refund_action(refund, RefundAction.CONFIRM_RETURN)
    refund.goods_received_at, refund.goods_received_by = clock.now(), actor.staff_id
    refund.restock_returned = bool(restock)
    _pay_back(session, refund=refund, order=order, wechat=wechat)
    record_action(session, actor=actor, action="refund.confirm_return", entity_type="refund", entity_id=refund.id,
                  before={"status": RefundStatus.AWAITING_RETURN},
                  after={"status": refund.status, "amount_fen": refund.amount_fen, "restock": refund.restock_returned,
                         "failure": refund.failure})
    return refund


def ship_return(session: Session, *, user: User, refund_id: int, carrier: str, tracking_no: str) -> Refund:
    """The buyer's return parcel: carrier and tracking number, which they may correct until the goods arrive."""
    carrier, tracking_no = checked_parcel(carrier, tracking_no)
    refund = _lock_refund(session, refund_id)
    if refund.user_id != user.id:
        raise NotFound(RefundError.REFUND_NOT_FOUND, "退款申请不存在")
    ensure_refund_action(refund, RefundAction.SHIP_RETURN)
    refund.return_carrier, refund.return_tracking_no = carrier, tracking_no
    refund.return_shipped_at = clock.now()
    session.flush()
    return refund


def _lock_order_and_refund(session: Session, refund_id: int) -> tuple[Order, Refund]:
    order_id = session.scalar(select(Refund.order_id).where(Refund.id == refund_id))
    if order_id is None:
        raise NotFound(RefundError.REFUND_NOT_FOUND, "退款申请不存在")
    order = lock_order(session, order_id)  # order first, then refund: the same order as request_refund
    return order, _lock_refund(session, refund_id)


def _pay_back(session: Session, *, refund: Refund, order: Order, wechat: WeChatGateway) -> None:
    """The money goes back through WeChat Pay; the request is ``approved`` until WeChat has done it."""
    refund.status = RefundStatus.APPROVED
    try:
        refund.wechat_refund_id = wechat.refund(
            out_trade_no=order.order_no, out_refund_no=refund.refund_no, total_fen=order.payable_fen,
            refund_fen=refund.amount_fen, reason=refund.reason, notify_url=refund_notify_url(),
        )
    except DomainError as exc:
        refund.failure = exc.message[:200]
        session.flush()
    else:
        complete_refund(session, refund=refund, order=order)


def complete_refund(session: Session, *, refund: Refund, order: Order) -> None:
    """The money is back with the buyer: update lines, stock, commissions and the order."""
    if refund.status == RefundStatus.REFUNDED:
        return
    refund.status, refund.refunded_at, refund.failure = RefundStatus.REFUNDED, clock.now(), ""
    lines = {line.id: line for line in session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))}
    restock: dict[int, int] = {}
    for rl in refund.lines:
        line = lines[rl.order_line_id]
        line.refunded_quantity += rl.quantity
        line.refunded_fen += rl.amount_fen
        # Not shipped yet, or returned and fit to sell again: the units go back on the shelf.
        if order.status == OrderStatus.PAID or refund.restock_returned:
            restock[line.sku_id] = restock.get(line.sku_id, 0) + rl.quantity
    order.refunded_fen += refund.amount_fen
    return_stock(session, restock)
    session.flush()
    for rl in refund.lines:
        apply_line_refund(session, line=lines[rl.order_line_id], refund_id=refund.id)
    if all(line.refunded_quantity == line.quantity for line in lines.values()):
        order.status, order.closed_at = OrderStatus.CLOSED, clock.now()
    session.flush()
    order_events.refunded(session, order=order, refund_id=refund.id)  # growth back; a whole refund cancels the reward


def reject_refund(session: Session, *, actor: Actor, refund_id: int, reason: str) -> Refund:
    actor.require(REFUND_PERMISSION)
    reason = reject_reason(reason)
    refund = _lock_refund(session, refund_id)
    ensure_refund_action(refund, RefundAction.REJECT)
    before = refund.status
    refund.status, refund.reject_reason = RefundStatus.REJECTED, reason
    refund.decided_by, refund.decided_at = actor.staff_id, clock.now()
    session.flush()
    record_action(session, actor=actor, action="refund.reject", entity_type="refund", entity_id=refund.id,
                  before={"status": before}, after={"status": RefundStatus.REJECTED, "reason": reason})
    return refund


def handle_refund_notification(session: Session, *, wechat: WeChatGateway, body: bytes,
                               headers: Mapping[str, str] | None = None) -> Refund | None:
    """WeChat's asynchronous refund result, verified by the gateway: completes an ``approved`` refund whose call
    did not return."""
    notice = wechat.parse_refund_notification(body, headers or {})
    refund = session.scalar(select(Refund).where(Refund.refund_no == notice.out_refund_no))
    if refund is None:
        return None  # an automatic refund of a cancelled order's payment, or not ours
    order = lock_order(session, refund.order_id)
    refund = _lock_refund(session, refund.id)
    if notice.succeeded and refund.status == RefundStatus.APPROVED:
        refund.wechat_refund_id = notice.refund_id or refund.wechat_refund_id
        complete_refund(session, refund=refund, order=order)
    return refund


def get_refund(session: Session, refund_id: int) -> Refund:
    refund = session.scalar(
        select(Refund).where(Refund.id == refund_id)
        .options(selectinload(Refund.lines).selectinload(RefundLine.order_line), selectinload(Refund.order))
    )
    if refund is None:
        raise NotFound(RefundError.REFUND_NOT_FOUND, "退款申请不存在")
    return refund


def reserved_by_line(session: Session, line_ids: list[int]) -> dict[int, Reserved]:
    """Per order line, the units and fen already asked back (not rejected) and whether a request is still open,
    in one query."""
    still_open = func.max(case((Refund.status.in_(RefundStatus.OPEN), 1), else_=0))
    rows = session.execute(
        select(RefundLine.order_line_id, func.sum(RefundLine.quantity), func.sum(RefundLine.amount_fen), still_open)
        .join(Refund, Refund.id == RefundLine.refund_id)
        .where(RefundLine.order_line_id.in_(line_ids), Refund.status.in_(RESERVING))
        .group_by(RefundLine.order_line_id)
    ).all()
    return {line_id: Reserved(units=int(qty), fen=int(fen), open=bool(is_open))
            for line_id, qty, fen, is_open in rows}


def _lock_refund(session: Session, refund_id: int) -> Refund:
    refund = session.scalar(
        select(Refund).where(Refund.id == refund_id).with_for_update(key_share=True)
        .options(selectinload(Refund.lines)).execution_options(populate_existing=True)
    )
    if refund is None:
        raise NotFound(RefundError.REFUND_NOT_FOUND, "退款申请不存在")
    return refund
