"""Refusal codes of orders, after-sale, the cart and the address book (see docs/state-machines.md)."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import NotFound


class OrderError(StrEnum):
    ORDER_NOT_FOUND = "order_not_found"
    ORDER_LINE_NOT_FOUND = "order_line_not_found"
    # Placing an order (the cart shares the quantity and stock refusals)
    EMPTY_ORDER = "empty_order"
    INVALID_QUANTITY = "invalid_quantity"
    TOO_MANY_LINES = "too_many_lines"
    INVALID_REMARK = "invalid_remark"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    OUT_OF_STOCK = "out_of_stock"
    ORDERS_BUSY = "orders_busy"  # 429: too many placements waited in line on this API worker; send it again
    COUPON_NOT_FOUND = "coupon_not_found"
    INVALID_STATUS = "invalid_status"  # an order-list filter naming no state
    # State changes
    ORDER_NOT_CANCELLABLE = "order_not_cancellable"
    ORDER_ALREADY_PAID = "order_already_paid"  # WeChat took the money while the buyer cancelled
    ORDER_NOT_PAID = "order_not_paid"
    ORDER_NOT_SHIPPABLE = "order_not_shippable"
    ORDER_NOT_SHIPPED = "order_not_shipped"
    SHIPPING_ALREADY_UPLOADED = "shipping_already_uploaded"
    INVALID_CARRIER = "invalid_carrier"
    INVALID_TRACKING_NO = "invalid_tracking_no"
    INVALID_TRACKING_EVENT = "invalid_tracking_event"
    INVALID_TIME = "invalid_time"
    # Staff's changes to an order
    ADDRESS_LOCKED = "address_locked"  # shipped or over: the parcel's address can no longer change
    INVALID_MERCHANT_NOTE = "invalid_merchant_note"
    # Batch shipping from a spreadsheet
    INVALID_SHEET = "invalid_sheet"  # not an .xlsx file, or without the order number, carrier and tracking columns
    SHEET_TOO_LARGE = "sheet_too_large"


class RefundError(StrEnum):
    REFUND_NOT_FOUND = "refund_not_found"
    ORDER_NOT_REFUNDABLE = "order_not_refundable"
    EMPTY_REFUND = "empty_refund"
    REFUND_EXCEEDS_PURCHASE = "refund_exceeds_purchase"
    REFUND_NOT_PENDING = "refund_not_pending"
    REFUND_IN_PROGRESS = "refund_in_progress"  # the line has a request not yet decided
    AFTER_SALE_EXPIRED = "after_sale_expired"  # completed more than after_sale_days ago
    # Kinds, photos and returns
    INVALID_REFUND_KIND = "invalid_refund_kind"
    RETURN_NEEDS_SHIPMENT = "return_needs_shipment"  # a return of goods that were never sent
    TOO_MANY_PHOTOS = "too_many_photos"
    INVALID_PHOTO = "invalid_photo"  # not a photo this shopper uploaded
    RETURN_ADDRESS_MISSING = "return_address_missing"  # the shop has no return address to send goods to
    NOT_AWAITING_RETURN = "not_awaiting_return"  # a return parcel for a request that waits for none


class CartError(StrEnum):
    CART_ITEM_NOT_FOUND = "cart_item_not_found"
    CART_FULL = "cart_full"


class AddressError(StrEnum):
    ADDRESS_NOT_FOUND = "address_not_found"
    TOO_MANY_ADDRESSES = "too_many_addresses"
    INVALID_NAME = "invalid_name"
    INVALID_ADDRESS = "invalid_address"
    UNKNOWN_FIELD = "unknown_field"


def order_not_found() -> NotFound:
    """The one refusal for an order that does not exist or is not the viewer's: the two look the same."""
    return NotFound(OrderError.ORDER_NOT_FOUND, "订单不存在")
