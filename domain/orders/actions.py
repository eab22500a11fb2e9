"""What may be done with an order or a refund now, and by whom: the one rule behind the mini-program's buttons,
the dashboard's buttons and the refusals of the domain operations (see docs/state-machines.md).

Each rule answers with the refusal its operation raises, or None when the action may happen. The operations
raise that refusal (``ensure_order_action``); the read models list the actions whose rule says yes for the
viewer (``order_actions``), so a button is shown exactly when pressing it would be accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain import clock
from domain.errors import Conflict, DomainError
from domain.models import Order, OrderLine, OrderStatus, Refund, RefundStatus
from domain.orders.errors import OrderError, RefundError
from domain.payments.errors import PaymentError
from domain.security.actor import Shopper, Viewer
from domain.security.roles import Permission


class OrderAction(StrEnum):
    # the buyer's
    PAY = "pay"
    CANCEL = "cancel"
    CONFIRM_RECEIPT = "confirm_receipt"
    REQUEST_REFUND = "request_refund"
    VIEW_LOGISTICS = "view_logistics"
    # staff's
    SHIP = "ship"
    RETRY_SHIPPING_UPLOAD = "retry_shipping_upload"
    ADD_TRACKING_EVENT = "add_tracking_event"


class RefundAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETRY = "retry"  # approved, but the WeChat refund did not go through: approve again


# Display order, the main action last (the mini-program puts it at the right-hand end).
SHOPPER_ACTIONS = (OrderAction.CANCEL, OrderAction.PAY, OrderAction.REQUEST_REFUND, OrderAction.VIEW_LOGISTICS,
                   OrderAction.CONFIRM_RECEIPT)
STAFF_ACTIONS = (OrderAction.ADD_TRACKING_EVENT, OrderAction.RETRY_SHIPPING_UPLOAD, OrderAction.SHIP)
REFUND_ACTIONS = (RefundAction.REJECT, RefundAction.APPROVE, RefundAction.RETRY)

STAFF_PERMISSION: dict[OrderAction, Permission] = {
    OrderAction.SHIP: Permission.ORDERS_MANAGE,
    OrderAction.RETRY_SHIPPING_UPLOAD: Permission.ORDERS_MANAGE,
    OrderAction.ADD_TRACKING_EVENT: Permission.ORDERS_MANAGE,
}
REFUND_PERMISSION = Permission.REFUNDS

# Orders whose goods may be asked back.
REFUNDABLE = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED)
# Refund requests that hold their units: a rejected request gives them back.
RESERVING = (RefundStatus.REQUESTED, RefundStatus.APPROVED, RefundStatus.REFUNDED)


@dataclass(frozen=True)
class Reserved:
    """What refund requests hold of one order line: the units and fen asked back by requests that were not
    rejected, and whether one of them is still open (requested or approved), which holds the whole line until
    it is decided (``refunds.reserved_by_line``)."""

    units: int = 0
    fen: int = 0
    open: bool = False


NOTHING_RESERVED = Reserved()


@dataclass(frozen=True)
class _Deadlines:
    pay: datetime | None = None
    after_sale: datetime | None = None


def payment_deadline(order: Order, *, timeout_minutes: int) -> datetime | None:
    """Until when an unpaid order can be paid (None once it is no longer waiting for payment)."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        return None
    return order.created_at + timedelta(minutes=timeout_minutes)


def after_sale_ends(order: Order, *, days: int) -> datetime | None:
    """Until when a completed order's goods can be asked back: ``after_sale_days`` after completion (None before
    completion, when no such limit applies)."""
    if order.status != OrderStatus.COMPLETED or order.completed_at is None:
        return None
    return order.completed_at + timedelta(days=days)


# --- orders ---------------------------------------------------------------------------------------------------

def _pay(order: Order, deadlines: _Deadlines) -> DomainError | None:
    if order.status != OrderStatus.PENDING_PAYMENT:
        return Conflict(PaymentError.ORDER_NOT_PAYABLE, "订单不是待付款状态")
    if deadlines.pay is not None and clock.now() >= deadlines.pay:
        return Conflict(PaymentError.ORDER_EXPIRED, "订单已超时，请重新下单")
    return None


def _cancel(order: Order, _: _Deadlines) -> DomainError | None:
    if order.status != OrderStatus.PENDING_PAYMENT:
        return Conflict(OrderError.ORDER_NOT_CANCELLABLE, "只有待付款的订单可以取消")
    return None


def _confirm_receipt(order: Order, _: _Deadlines) -> DomainError | None:
    if order.status != OrderStatus.SHIPPED:
        return Conflict(OrderError.ORDER_NOT_SHIPPED, "订单尚未发货，不能确认收货")
    return None


def _request_refund(order: Order, deadlines: _Deadlines) -> DomainError | None:
    if order.status not in REFUNDABLE:
        return Conflict(RefundError.ORDER_NOT_REFUNDABLE, "该订单状态不能申请退款")
    if deadlines.after_sale is not None and clock.now() >= deadlines.after_sale:
        return Conflict(RefundError.AFTER_SALE_EXPIRED, "订单已超过售后期，不能再申请退款")
    return None


def _view_logistics(order: Order, _: _Deadlines) -> DomainError | None:
    if order.shipment is None:
        return Conflict(OrderError.ORDER_NOT_SHIPPED, "订单尚未发货，暂无物流信息")
    return None


def _ship(order: Order, _: _Deadlines) -> DomainError | None:
    if order.status == OrderStatus.PENDING_PAYMENT:
        return Conflict(OrderError.ORDER_NOT_PAID, "订单尚未付款，不能发货")
    if order.status != OrderStatus.PAID:
        return Conflict(OrderError.ORDER_NOT_SHIPPABLE, "该订单状态不能发货")
    return None


def _retry_shipping_upload(order: Order, _: _Deadlines) -> DomainError | None:
    if order.shipment is None:
        return Conflict(OrderError.ORDER_NOT_SHIPPED, "订单尚未发货")
    if order.shipment.wechat_uploaded:
        return Conflict(OrderError.SHIPPING_ALREADY_UPLOADED, "发货信息已上传微信")
    return None


def _add_tracking_event(order: Order, _: _Deadlines) -> DomainError | None:
    if order.shipment is None:
        return Conflict(OrderError.ORDER_NOT_SHIPPED, "订单尚未发货")
    return None


_ORDER_RULES: dict[OrderAction, Callable[[Order, _Deadlines], DomainError | None]] = {
    OrderAction.PAY: _pay,
    OrderAction.CANCEL: _cancel,
    OrderAction.CONFIRM_RECEIPT: _confirm_receipt,
    OrderAction.REQUEST_REFUND: _request_refund,
    OrderAction.VIEW_LOGISTICS: _view_logistics,
    OrderAction.SHIP: _ship,
    OrderAction.RETRY_SHIPPING_UPLOAD: _retry_shipping_upload,
    OrderAction.ADD_TRACKING_EVENT: _add_tracking_event,
}


def order_refusal(order: Order, action: OrderAction, *, pay_deadline: datetime | None = None,
                  after_sale_deadline: datetime | None = None) -> DomainError | None:
    """Why ``action`` may not happen to this order now, or None. Who may ask is checked by the caller
    (ownership by the order's lookup, staff by ``STAFF_PERMISSION``). The deadlines come from the business
    settings (``payment_deadline``, ``after_sale_ends``)."""
    return _ORDER_RULES[action](order, _Deadlines(pay=pay_deadline, after_sale=after_sale_deadline))


def ensure_order_action(order: Order, action: OrderAction, *, pay_deadline: datetime | None = None,
                        after_sale_deadline: datetime | None = None) -> None:
    refusal = order_refusal(order, action, pay_deadline=pay_deadline, after_sale_deadline=after_sale_deadline)
    if refusal is not None:
        raise refusal


def refundable_quantity(line: OrderLine, reserved: Reserved, *, after_sale_deadline: datetime | None = None) -> int:
    """Units of the line that can be asked back now: those not held by a request that was not rejected; none
    while a request for the line is still open, and none while the order allows no refund."""
    if reserved.open or order_refusal(line.order, OrderAction.REQUEST_REFUND,
                                      after_sale_deadline=after_sale_deadline) is not None:
        return 0
    return max(0, line.quantity - reserved.units)


def line_actions(line: OrderLine, viewer: Viewer, reserved: Reserved, *,
                 after_sale_deadline: datetime | None = None) -> list[OrderAction]:
    if not _is_buyer(viewer, line.order) or refundable_quantity(
            line, reserved, after_sale_deadline=after_sale_deadline) == 0:
        return []
    return [OrderAction.REQUEST_REFUND]


def order_actions(order: Order, viewer: Viewer, *, reserved: Mapping[int, Reserved],
                  pay_deadline: datetime | None = None, after_sale_deadline: datetime | None = None,
                  ) -> list[OrderAction]:
    """The actions this viewer may take on the order now, in display order. ``reserved``: per order line, what
    refund requests hold of it (``refunds.reserved_by_line``)."""
    if isinstance(viewer, Shopper):
        offered = SHOPPER_ACTIONS if _is_buyer(viewer, order) else ()
    else:
        offered = tuple(a for a in STAFF_ACTIONS if viewer.can(STAFF_PERMISSION[a]))
    actions = [a for a in offered if order_refusal(order, a, pay_deadline=pay_deadline,
                                                   after_sale_deadline=after_sale_deadline) is None]
    if OrderAction.REQUEST_REFUND in actions and not any(
            refundable_quantity(line, reserved.get(line.id, NOTHING_RESERVED)) for line in order.lines):
        actions.remove(OrderAction.REQUEST_REFUND)  # every line is asked back already, or waits for a decision
    return actions


def _is_buyer(viewer: Viewer, order: Order) -> bool:
    return isinstance(viewer, Shopper) and viewer.user_id == order.user_id


# --- refunds --------------------------------------------------------------------------------------------------

_REFUND_STATES = {
    RefundAction.APPROVE: (RefundStatus.REQUESTED,),
    RefundAction.RETRY: (RefundStatus.APPROVED,),
    RefundAction.REJECT: RefundStatus.OPEN,
}


def refund_refusal(refund: Refund, action: RefundAction) -> DomainError | None:
    if refund.status not in _REFUND_STATES[action]:
        return Conflict(RefundError.REFUND_NOT_PENDING, "该退款申请已处理")
    return None


def ensure_refund_action(refund: Refund, action: RefundAction) -> None:
    refusal = refund_refusal(refund, action)
    if refusal is not None:
        raise refusal


def approval_of(refund: Refund) -> RefundAction:
    """Approving a refund that is already approved retries its WeChat refund."""
    return RefundAction.RETRY if refund.status == RefundStatus.APPROVED else RefundAction.APPROVE


def refund_actions(refund: Refund, viewer: Viewer) -> list[RefundAction]:
    if not viewer.can(REFUND_PERMISSION):
        return []
    return [a for a in REFUND_ACTIONS if refund_refusal(refund, a) is None]
