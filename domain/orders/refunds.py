"""After-sale: the buyer asks for some units of some lines back; support approves (refund through WeChat Pay)
or rejects with a reason.

Amounts: k of a line's n units refund ``paid_fen * k // n``; the request that takes the last units refunds
exactly what is left, so a whole line always refunds its ``paid_fen`` to the fen. Shipping comes back only when
an unshipped order is refunded whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from domain import clock
from domain.audit.service import record_action
from domain.distribution.commissions import apply_line_refund
from domain.errors import CommonError, Conflict, DomainError, Invalid, NotFound
from domain.members import order_events
from domain.models import (
    Order,
    OrderLine,
    OrderStatus,
    Refund,
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
)
from domain.orders.errors import OrderError, RefundError
from domain.orders.lifecycle import lock_order
from domain.orders.stock import return_stock
from domain.payments.service import refund_notify_url
from domain.security.actor import Actor
from domain.settings.service import get_settings
from domain.text import reject_reason, required_text
from domain.wechat.gateway import WeChatGateway


@dataclass(frozen=True)
class RefundItem:
    order_line_id: int
    quantity: int


def request_refund(session: Session, *, user: User, order_id: int, items: list[RefundItem], reason: str) -> Refund:
    reason = required_text(reason, code=CommonError.REASON_REQUIRED, message="请填写退款原因（不超过 200 字）")
    if not items:
        raise Invalid(RefundError.EMPTY_REFUND, "请选择要退款的商品")
    order = lock_order(session, order_id, user=user)  # serialises requests on one order
    ensure_order_action(order, OrderAction.REQUEST_REFUND,
                        after_sale_deadline=after_sale_ends(order, days=get_settings(session).after_sale_days))
    lines = {line.id: line for line in session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))}
    reserved = reserved_by_line(session, list(lines))
    wanted: dict[int, int] = {}
    for item in items:
        if item.order_line_id not in lines:
            raise NotFound(OrderError.ORDER_LINE_NOT_FOUND, "订单中没有这件商品")
        if not isinstance(item.quantity, int) or isinstance(item.quantity, bool) or item.quantity < 1:
            raise Invalid(OrderError.INVALID_QUANTITY, "退款数量至少为 1")
        wanted[item.order_line_id] = wanted.get(item.order_line_id, 0) + item.quantity

    refund = Refund(refund_no=business_number("R"), order_id=order.id, user_id=user.id, reason=reason,
                    status=RefundStatus.REQUESTED, goods_fen=0, shipping_fen=0, amount_fen=0)
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
    ``approved`` with the failure shown, and approving again retries."""
    actor.require(REFUND_PERMISSION)
    order_id = session.scalar(select(Refund.order_id).where(Refund.id == refund_id))
    if order_id is None:
        raise NotFound(RefundError.REFUND_NOT_FOUND, "退款申请不存在")
    order = lock_order(session, order_id)  # order first, then refund: the same order as request_refund
    refund = _lock_refund(session, refund_id)
    ensure_refund_action(refund, approval_of(refund))
    before = refund.status
    refund.status = RefundStatus.APPROVED
    refund.decided_by, refund.decided_at = actor.staff_id, clock.now()
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
    record_action(session, actor=actor, action="refund.approve", entity_type="refund", entity_id=refund.id,
                  before={"status": before},
                  after={"status": refund.status, "amount_fen": refund.amount_fen, "failure": refund.failure})
    return refund


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
        if order.status == OrderStatus.PAID:  # not shipped yet: the units go back on the shelf
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
