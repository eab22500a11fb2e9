from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from backend.schemas.common import IdField, Strict


class CartItemIn(Strict):
    sku_id: IdField
    quantity: int = Field(1, ge=1, le=999)


class CartItemPatch(Strict):
    quantity: int | None = Field(None, ge=1, le=999)
    selected: bool | None = None


class CartSelectAll(Strict):
    selected: bool


class CartLineOut(BaseModel):
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


class CartOut(BaseModel):
    items: list[CartLineOut]
    total: int
    selected_count: int
    selected_goods_fen: int  # selected available lines at their unit prices
    selected_discount_fen: int  # member discount and activities, as checkout will apply them
    selected_amount_fen: int  # what the selected goods cost (shipping is added at checkout)


class AddressIn(Strict):
    name: str = Field(min_length=1, max_length=32)
    phone: str = Field(min_length=11, max_length=20)
    province: str = Field(min_length=1, max_length=32)
    city: str = Field(min_length=1, max_length=32)
    district: str = Field("", max_length=32)
    detail: str = Field(min_length=1, max_length=200)
    is_default: bool = False


class AddressPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=32)
    phone: str | None = Field(None, min_length=11, max_length=20)
    province: str | None = Field(None, min_length=1, max_length=32)
    city: str | None = Field(None, min_length=1, max_length=32)
    district: str | None = Field(None, max_length=32)
    detail: str | None = Field(None, min_length=1, max_length=200)
    is_default: bool | None = None


class AddressOut(BaseModel):
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
    quantity: int = Field(ge=1, le=999)


class PreviewIn(Strict):
    items: list[OrderItemIn] = Field(min_length=1, max_length=50)
    coupon_id: IdField | None = None
    address_id: IdField | None = None


class PlaceOrderIn(PreviewIn):
    address_id: IdField
    remark: str = Field("", max_length=200)
    from_cart: bool = False


class PreviewLineOut(BaseModel):
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


class PreviewOut(BaseModel):
    lines: list[PreviewLineOut]
    goods_fen: int
    member_discount_fen: int
    full_reduction_fen: int
    coupon_discount_fen: int
    shipping_fen: int
    payable_fen: int
    usable_coupons: list[dict]


class OrderLineOut(BaseModel):
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


class TrackingEventOut(BaseModel):
    time: datetime
    text: str


class ShipmentOut(BaseModel):
    carrier: str
    tracking_no: str
    shipped_at: datetime
    wechat_uploaded: bool


class OrderOut(BaseModel):
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


class PayOut(BaseModel):
    pay_params: dict
    sandbox: bool
    prepay_id: str


class LogisticsOut(BaseModel):
    carrier: str
    tracking_no: str
    events: list[TrackingEventOut]


class RefundItemIn(Strict):
    order_line_id: IdField
    quantity: int = Field(ge=1, le=999)


class RefundIn(Strict):
    lines: list[RefundItemIn] = Field(min_length=1, max_length=50)
    reason: str = Field(min_length=1, max_length=200)


class RefundLineOut(BaseModel):
    order_line_id: int
    title: str
    quantity: int
    amount_fen: int


class RefundOut(BaseModel):
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


class ShipIn(Strict):
    carrier: str = Field(min_length=1, max_length=32)
    tracking_no: str = Field(min_length=1, max_length=64)


class TrackingEventIn(Strict):
    text: str = Field(min_length=1, max_length=300)
    time: datetime | None = None


class RejectIn(Strict):
    reason: str = Field(min_length=1, max_length=200)


def order_out(order, *, open_refunds: int = 0, pay_expires_at: datetime | None = None) -> OrderOut:
    from domain.media import media_url
    from domain.security import crypto

    shipment = order.shipment
    return OrderOut(
        id=order.id, order_no=order.order_no, status=order.status,
        lines=[OrderLineOut(id=line.id, sku_id=line.sku_id, product_id=line.product_id, title=line.title,
                            specs=line.specs, cover_url=media_url(line.cover_url), unit_price_fen=line.unit_price_fen,
                            quantity=line.quantity, amount_fen=line.amount_fen, discount_fen=line.discount_fen,
                            paid_fen=line.paid_fen, refunded_fen=line.refunded_fen,
                            refunded_quantity=line.refunded_quantity)
               for line in order.lines],
        goods_fen=order.goods_fen, member_discount_fen=order.member_discount_fen,
        full_reduction_fen=order.full_reduction_fen, coupon_discount_fen=order.coupon_discount_fen,
        shipping_fen=order.shipping_fen, payable_fen=order.payable_fen, refunded_fen=order.refunded_fen,
        receiver_name=crypto.decrypt(order.receiver_name_enc), receiver_phone=crypto.decrypt(order.receiver_phone_enc),
        receiver_address=order.receiver_address, remark=order.remark, created_at=order.created_at,
        paid_at=order.paid_at, shipped_at=order.shipped_at, completed_at=order.completed_at,
        cancelled_at=order.cancelled_at, pay_expires_at=pay_expires_at,
        shipment=ShipmentOut(carrier=shipment.carrier, tracking_no=shipment.tracking_no,
                             shipped_at=shipment.created_at, wechat_uploaded=shipment.wechat_uploaded)
        if shipment else None,
        open_refunds=open_refunds,
    )


def refund_out(refund) -> RefundOut:
    return RefundOut(
        id=refund.id, refund_no=refund.refund_no, order_id=refund.order_id, order_no=refund.order.order_no,
        status=refund.status, reason=refund.reason, goods_fen=refund.goods_fen, shipping_fen=refund.shipping_fen,
        amount_fen=refund.amount_fen, reject_reason=refund.reject_reason, failure=refund.failure,
        lines=[RefundLineOut(order_line_id=rl.order_line_id, title=rl.order_line.title, quantity=rl.quantity,
                             amount_fen=rl.amount_fen) for rl in refund.lines],
        created_at=refund.created_at, decided_at=refund.decided_at, refunded_at=refund.refunded_at,
    )
