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
from domain.models import Order, OrderLine, OrderStatus, Refund, RefundKind, RefundStatus
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


class OrderEdit(StrEnum):
    """Staff's changes to an order that move it nowhere: offered beside its actions (``order_edits``), so that the
    actions stay the steps of its state machine."""

    CHANGE_ADDRESS = "change_address"  # the receiver, before the parcel leaves
    EDIT_MERCHANT_NOTE = "edit_merchant_note"  # staff's own note, never shown to the shopper


class RefundAction(StrEnum):
    APPROVE = "approve"  # a refund: the money goes back; a return: the buyer is asked to send the goods back
    REJECT = "reject"
    RETRY = "retry"  # approved, but the WeChat refund did not go through: approve again
    CONFIRM_RETURN = "confirm_return"  # staff: the returned goods arrived, and the money goes back
    SHIP_RETURN = "ship_return"  # the buyer: the return parcel's carrier and tracking number


# Display order, the main action last (the mini-program puts it at the right-hand end).
SHOPPER_ACTIONS = (OrderAction.CANCEL, OrderAction.PAY, OrderAction.REQUEST_REFUND, OrderAction.VIEW_LOGISTICS,
                   OrderAction.CONFIRM_RECEIPT)
STAFF_ACTIONS = (OrderAction.ADD_TRACKING_EVENT, OrderAction.RETRY_SHIPPING_UPLOAD, OrderAction.SHIP)
ORDER_EDITS = (OrderEdit.EDIT_MERCHANT_NOTE, OrderEdit.CHANGE_ADDRESS)
REFUND_ACTIONS = (RefundAction.REJECT, RefundAction.APPROVE, RefundAction.RETRY, RefundAction.CONFIRM_RETURN)
BUYER_REFUND_ACTIONS = (RefundAction.SHIP_RETURN,)

STAFF_PERMISSION: dict[OrderAction, Permission] = {
    OrderAction.SHIP: Permission.ORDERS_MANAGE,
    OrderAction.RETRY_SHIPPING_UPLOAD: Permission.ORDERS_MANAGE,
    OrderAction.ADD_TRACKING_EVENT: Permission.ORDERS_MANAGE,
}
EDIT_PERMISSION = Permission.ORDERS_MANAGE  # whoever ships may fix where to and note how
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


def _change_address(order: Order) -> DomainError | None:
    if order.status == OrderStatus.PENDING_PAYMENT:
        return Conflict(OrderError.ORDER_NOT_PAID, "订单尚未付款，买家可自行取消后重新下单")
    if order.status != OrderStatus.PAID:
        return Conflict(OrderError.ADDRESS_LOCKED, "订单已发货或已结束，不能再修改收货地址")
    return None


_EDIT_RULES: dict[OrderEdit, Callable[[Order], DomainError | None]] = {
    OrderEdit.CHANGE_ADDRESS: _change_address,
    OrderEdit.EDIT_MERCHANT_NOTE: lambda order: None,  # any order, in any state
}


def ensure_order_edit(order: Order, edit: OrderEdit) -> None:
    refusal = _EDIT_RULES[edit](order)
    if refusal is not None:
        raise refusal


def order_edits(order: Order, viewer: Viewer) -> list[OrderEdit]:
    """The changes this viewer may make to the order now: staff who ship, and never the shopper."""
    if isinstance(viewer, Shopper) or not viewer.can(EDIT_PERMISSION):
        return []
    return [e for e in ORDER_EDITS if _EDIT_RULES[e](order) is None]


def refund_kinds(order: Order) -> list[str]:
    """What the buyer may ask for: a return only once the goods have left (unsent goods need no return)."""
    if order.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        return [RefundKind.REFUND_ONLY, RefundKind.RETURN_AND_REFUND]
    return [RefundKind.REFUND_ONLY]


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
    RefundAction.CONFIRM_RETURN: (RefundStatus.AWAITING_RETURN,),
    RefundAction.SHIP_RETURN: (RefundStatus.AWAITING_RETURN,),
}


def refund_refusal(refund: Refund, action: RefundAction, *, return_address: str = "") -> DomainError | None:
    """Why ``action`` may not happen to the request now, or None. ``return_address``: the shop's, from the settings
    (a return cannot be approved without one to send the goods to)."""
    if refund.status not in _REFUND_STATES[action]:
        if action == RefundAction.SHIP_RETURN:
            return Conflict(RefundError.NOT_AWAITING_RETURN, "该售后申请不需要寄回商品")
        return Conflict(RefundError.REFUND_NOT_PENDING, "该退款申请已处理")
    if action == RefundAction.APPROVE and refund.kind == RefundKind.RETURN_AND_REFUND and not return_address.strip():
        return Conflict(RefundError.RETURN_ADDRESS_MISSING, "请先在系统设置中填写退货地址，再同意退货")
    return None


def ensure_refund_action(refund: Refund, action: RefundAction, *, return_address: str = "") -> None:
    refusal = refund_refusal(refund, action, return_address=return_address)
    if refusal is not None:
        raise refusal


def approval_of(refund: Refund) -> RefundAction:
    """Approving a refund that is already approved retries its WeChat refund."""
    return RefundAction.RETRY if refund.status == RefundStatus.APPROVED else RefundAction.APPROVE


def refund_actions(refund: Refund, viewer: Viewer, *, return_address: str = "") -> list[RefundAction]:
    """Staff who handle refunds decide; the buyer sends a return back (and may correct its tracking number until
    the goods have arrived)."""
    if isinstance(viewer, Shopper):
        offered = BUYER_REFUND_ACTIONS if viewer.user_id == refund.user_id else ()
    else:
        offered = REFUND_ACTIONS if viewer.can(REFUND_PERMISSION) else ()
    return [a for a in offered if refund_refusal(refund, a, return_address=return_address) is None]
