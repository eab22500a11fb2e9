from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.common import IdField, Quantity, Strict
from backend.schemas.marketing import CouponRefusalOut, FullReductionOut, UnusableCouponOut, UsableCouponOut
from domain.models import RefundKind
from domain.orders.actions import OrderAction, OrderEdit, RefundAction


class ReadModel(BaseModel):
    """An answer read from the domain's view of the thing (``domain/orders/queries.py`` and friends)."""

    model_config = ConfigDict(from_attributes=True)


class CartItemIn(Strict):
    sku_id: IdField
    quantity: Quantity = 1


class CartItemPatch(Strict):
    quantity: Quantity | None = None
    selected: bool | None = None


class CartSelectAll(Strict):
    selected: bool


class CartLineOut(ReadModel):
    id: int
    sku_id: int
    quantity: int
    selected: bool
    product_id: int
    title: str
    specs: dict[str, str]
    cover_url: str
    price_fen: int
    stock: int
    available: bool


class CartOut(ReadModel):
    items: list[CartLineOut]
    total: int
    selected_count: int
    selected_goods_fen: int  # selected available lines at their unit prices
    selected_discount_fen: int  # member discount and activities, as checkout will apply them
    selected_amount_fen: int  # what the selected goods cost (shipping is added at checkout)


class ReceiverIn(Strict):
    """Who receives a parcel and where: an address book entry, or an order's receiver changed by staff."""

    name: str = Field(min_length=1, max_length=32)
    phone: str = Field(min_length=11, max_length=20)
    province: str = Field(min_length=1, max_length=32)
    city: str = Field(min_length=1, max_length=32)
    district: str = Field("", max_length=32)
    detail: str = Field(min_length=1, max_length=200)


class AddressIn(ReceiverIn):
    is_default: bool = False


class AddressPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=32)
    phone: str | None = Field(None, min_length=11, max_length=20)
    province: str | None = Field(None, min_length=1, max_length=32)
    city: str | None = Field(None, min_length=1, max_length=32)
    district: str | None = Field(None, max_length=32)
    detail: str | None = Field(None, min_length=1, max_length=200)
    is_default: bool | None = None


class AddressOut(ReadModel):
    id: int
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    is_default: bool


class OrderItemIn(Strict):
    sku_id: IdField
    quantity: Quantity


class PreviewIn(Strict):
    items: list[OrderItemIn] = Field(min_length=1, max_length=50)
    coupon_id: IdField | None = None
    address_id: IdField | None = None


class PlaceOrderIn(PreviewIn):
    address_id: IdField
    remark: str = Field("", max_length=200)
    from_cart: bool = False


class PreviewLineOut(ReadModel):
    sku_id: int
    product_id: int
    title: str
    specs: dict[str, str]
    cover_url: str
    quantity: int
    unit_price_fen: int
    amount_fen: int
    discount_fen: int
    paid_fen: int
    promo_price_fen: int | None = Field(None, description="bought at this limited-time price")
    promotion_id: int | None = None


class PreviewOut(ReadModel):
    lines: list[PreviewLineOut]
    goods_fen: int
    member_discount_fen: int
    full_reduction_fen: int
    coupon_discount_fen: int
    shipping_fen: int
    payable_fen: int
    usable_coupons: list[UsableCouponOut] = Field(description="the shopper's coupons that fit this cart, best first")
    unusable_coupons: list[UnusableCouponOut] = Field(default=[], description="the others, each with the reason")
    full_reduction: FullReductionOut | None = Field(None, description="the 满减 that applies (at most one)")
    coupon_id: int | None = Field(None, description="the chosen coupon, when it applies; never chosen for you")
    coupon_refusal: CouponRefusalOut | None = Field(None, description="why the chosen coupon does not apply")


class OrderLineOut(ReadModel):
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
    refundable_quantity: int = Field(description="units that can be asked back now (0 when the order allows no refund, "
                                                 "its after-sale period is over, or a request for the line is open)")
    actions: list[OrderAction] = Field(description="what the viewer may do with this line now: request_refund")


class TrackingEventOut(ReadModel):
    time: datetime
    text: str


class ShipmentOut(ReadModel):
    carrier: str
    tracking_no: str
    shipped_at: datetime
    wechat_uploaded: bool


class OrderOut(ReadModel):
    id: int
    order_no: str
    status: str
    lines: list[OrderLineOut]
    goods_fen: int
    member_discount_fen: int
    full_reduction_fen: int
    coupon_discount_fen: int
    shipping_fen: int
    payable_fen: int
    refunded_fen: int
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    remark: str
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    pay_expires_at: datetime | None = None
    shipment: ShipmentOut | None = None
    open_refunds: int = 0
    buyer_nickname: str = ""
    actions: list[OrderAction] = Field(
        description="what the viewer may do now, in display order with the main action last: the buyer's pay, "
                    "cancel, confirm_receipt, request_refund, view_logistics; staff's ship, retry_shipping_upload, "
                    "add_tracking_event")
    merchant_note: str = Field("", description="staff's own note on the order; always empty for the shopper")
    edits: list[OrderEdit] = Field(default=[], description="staff's changes that move the order nowhere: "
                                                           "edit_merchant_note, change_address (paid, not shipped)")
    refund_kinds: list[str] = Field(default=[], description="what a new after-sale request may ask for: refund_only, "
                                                            "and return_and_refund once the goods have left")


class PayOut(ReadModel):
    pay_params: dict
    sandbox: bool
    prepay_id: str


class LogisticsOut(ReadModel):
    carrier: str
    tracking_no: str
    events: list[TrackingEventOut]


class RefundItemIn(Strict):
    order_line_id: IdField
    quantity: Quantity


class RefundIn(Strict):
    lines: list[RefundItemIn] = Field(min_length=1, max_length=50)
    reason: str = Field(min_length=1, max_length=200)
    kind: str = Field(RefundKind.REFUND_ONLY, max_length=20,
                      description="refund_only (仅退款) or return_and_refund (退货退款, offered in the order's "
                                  "refund_kinds once shipped); 422 invalid_refund_kind, 409 return_needs_shipment")
    photos: list[str] = Field(default=[], max_length=10,
                              description="up to 3 paths from POST /refunds/photos (422 too_many_photos, "
                                          "invalid_photo)")


class RefundPhotoOut(BaseModel):
    path: str = Field(description="send this in the request's photos")
    url: str = Field(description="where to show it")


class ReturnShipmentIn(Strict):
    carrier: str = Field(min_length=1, max_length=32)
    tracking_no: str = Field(min_length=1, max_length=64)


class ConfirmReturnIn(Strict):
    restock: bool = Field(description="the goods can be sold again: their units go back on the shelf")


class RefundLineOut(ReadModel):
    order_line_id: int
    title: str
    quantity: int
    amount_fen: int


class RefundOut(ReadModel):
    id: int
    refund_no: str
    order_id: int
    order_no: str
    status: str
    reason: str
    goods_fen: int
    shipping_fen: int
    amount_fen: int
    reject_reason: str
    failure: str
    lines: list[RefundLineOut]
    created_at: datetime
    decided_at: datetime | None
    refunded_at: datetime | None
    actions: list[RefundAction] = Field(default=[], description="staff: approve, reject, retry (a failed WeChat "
                                                                "refund), confirm_return; the buyer: ship_return")
    kind: str = Field(RefundKind.REFUND_ONLY, description="refund_only (仅退款) or return_and_refund (退货退款)")
    photos: list[str] = Field(default=[], description="the buyer's photos, addresses to load")
    buyer_nickname: str = ""
    return_address: str = Field("", description="where to send the goods: set while a return awaits them")
    return_carrier: str = ""
    return_tracking_no: str = ""
    return_shipped_at: datetime | None = None
    goods_received_at: datetime | None = None
    restock_returned: bool = False


class ShipIn(Strict):
    carrier: str = Field(min_length=1, max_length=32)
    tracking_no: str = Field(min_length=1, max_length=64)


class TrackingEventIn(Strict):
    text: str = Field(min_length=1, max_length=300)
    time: datetime | None = None


class MerchantNoteIn(Strict):
    note: str = Field(max_length=1000, description="empty clears it; at most 500 characters (invalid_merchant_note)")


class PackingLineOut(ReadModel):
    title: str
    specs: dict[str, str]
    quantity: int


class PackingSlipOut(ReadModel):
    order_no: str
    paid_at: datetime | None
    buyer_nickname: str
    receiver_name: str
    receiver_phone: str
    receiver_address: str
    lines: list[PackingLineOut] = Field(description="less the units refunded already")
    remark: str
    merchant_note: str


class ShipRowOut(ReadModel):
    row: int = Field(description="the row's number in the sheet (the header is row 1)")
    order_no: str
    carrier: str
    tracking_no: str
    shipped: bool
    code: str = Field(description="why not, when not shipped: order_not_found, order_not_paid, order_not_shippable, "
                                  "invalid_carrier, invalid_tracking_no …")
    message: str


class BatchShipOut(BaseModel):
    shipped: int
    refused: int
    rows: list[ShipRowOut]


class RejectIn(Strict):
    reason: str = Field(min_length=1, max_length=200)


class StrayPaymentOut(ReadModel):
    """Money received for a cancelled order, not yet back with the shopper: refunded automatically, retried with
    backoff."""

    id: int
    order_id: int
    order_no: str
    status: str = Field(description="orphaned (not back yet) or refunded")
    amount_fen: int
    received_at: datetime
    refund_attempts: int
    refund_error: str
    refund_retry_at: datetime | None
