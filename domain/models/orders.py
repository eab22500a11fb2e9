from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.models.base import Base, CreatedAt, Fen


class CartItem(CreatedAt, Base):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("user_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"))
    quantity: Mapped[int]
    selected: Mapped[bool] = mapped_column(default=True)


class Address(CreatedAt, Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The receiver's name, phone and street are personal data: encrypted at rest (domain.security.crypto). The
    # region stays in clear for regional analytics (docs/security.md, "At rest").
    name_enc: Mapped[str] = mapped_column(Text)
    phone_enc: Mapped[str] = mapped_column(Text)
    province: Mapped[str] = mapped_column(String(32))
    city: Mapped[str] = mapped_column(String(32))
    district: Mapped[str] = mapped_column(String(32), default="")
    detail_enc: Mapped[str] = mapped_column(Text)  # the street, building and door
    is_default: Mapped[bool] = mapped_column(default=False)


class OrderStatus:
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    CLOSED = "closed"

    ALL = (PENDING_PAYMENT, PAID, SHIPPED, COMPLETED, CANCELLED, CLOSED)
    # Money was received (a closed order was paid, then refunded whole).
    PAID_STATES = (PAID, SHIPPED, COMPLETED, CLOSED)


class Order(CreatedAt, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_orders_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PENDING_PAYMENT)
    goods_fen: Mapped[int] = mapped_column(Fen)
    member_discount_fen: Mapped[int] = mapped_column(Fen, default=0)
    full_reduction_fen: Mapped[int] = mapped_column(Fen, default=0)
    coupon_discount_fen: Mapped[int] = mapped_column(Fen, default=0)
    shipping_fen: Mapped[int] = mapped_column(Fen, default=0)
    payable_fen: Mapped[int] = mapped_column(Fen)
    refunded_fen: Mapped[int] = mapped_column(Fen, default=0)
    coupon_id: Mapped[int | None]
    # Address snapshot: the receiver's name, phone and street stay encrypted here too; the region is in clear.
    # Orders from before the street was encrypted keep their whole address in the street and an empty region.
    receiver_name_enc: Mapped[str] = mapped_column(Text)
    receiver_phone_enc: Mapped[str] = mapped_column(Text)
    receiver_province: Mapped[str] = mapped_column(String(32), default="")
    receiver_city: Mapped[str] = mapped_column(String(32), default="")
    receiver_district: Mapped[str] = mapped_column(String(32), default="")
    receiver_street_enc: Mapped[str] = mapped_column(Text)
    # The receiver's phone as a blind index (docs/security.md, "At rest"): staff find orders by a whole number
    # without it ever being searched in clear. Empty for orders whose phone could not be read.
    receiver_phone_bidx: Mapped[str] = mapped_column(String(64), default="", index=True)
    remark: Mapped[str] = mapped_column(String(200), default="")
    # Staff's own note on the order (packing, a call with the buyer): never shown to the shopper.
    merchant_note: Mapped[str] = mapped_column(String(500), default="")
    prepay_id: Mapped[str | None] = mapped_column(String(64))
    paid_at: Mapped[datetime | None] = mapped_column(index=True)  # sales analytics by day
    shipped_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(64), default="")
    closed_at: Mapped[datetime | None]

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.line_no")
    shipment: Mapped[Shipment | None] = relationship(back_populates="order", uselist=False)
    payment: Mapped[Payment | None] = relationship(back_populates="order", uselist=False)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    # Snapshot at purchase: later edits to the product never change an order.
    title: Mapped[str] = mapped_column(String(120))
    specs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    cover_url: Mapped[str] = mapped_column(String(512), default="")
    unit_price_fen: Mapped[int] = mapped_column(Fen)
    quantity: Mapped[int]
    amount_fen: Mapped[int] = mapped_column(Fen)
    discount_fen: Mapped[int] = mapped_column(Fen, default=0)
    paid_fen: Mapped[int] = mapped_column(Fen)
    refunded_fen: Mapped[int] = mapped_column(Fen, default=0)
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    # Written once when the order is paid, so that analytics over a range read the lines alone (no join with
    # orders): the order's payment time, and whether the line earned anyone commission (docs/architecture.md,
    # "Analytics").
    paid_at: Mapped[datetime | None] = mapped_column(index=True)
    earns_commission: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Written with the line, never changed, for the same reason: the buyer (the order's user: refund rates by
    # distributor's team group lines by buyer), and whether this is the order's first line of its product (orders
    # per product are counted without a DISTINCT over a year of lines).
    buyer_id: Mapped[int]
    first_of_product: Mapped[bool] = mapped_column(default=True, server_default=true())

    order: Mapped[Order] = relationship(back_populates="lines")


class PaymentStatus:
    CAPTURED = "captured"  # paid for an order waiting for payment: the order is paid
    # Arrived for an order already cancelled: owed back to the shopper, refunded automatically and retried with
    # backoff until WeChat accepts (docs/state-machines.md, "Orders").
    ORPHANED = "orphaned"
    REFUNDED = "refunded"  # an orphaned payment given back


class Payment(CreatedAt, Base):
    """The one record of money received for an order (unique per order)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    transaction_id: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(Fen)
    paid_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=PaymentStatus.CAPTURED)
    raw: Mapped[dict] = mapped_column(JSON, default=dict)
    # The automatic refund of an orphaned payment: tries so far, WeChat's last refusal, and when to try again
    # (None once it is refunded, and for every captured payment).
    refund_attempts: Mapped[int] = mapped_column(default=0)
    refund_error: Mapped[str] = mapped_column(String(200), default="")
    refund_retry_at: Mapped[datetime | None] = mapped_column(index=True)

    order: Mapped[Order] = relationship(back_populates="payment")


class Shipment(CreatedAt, Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    carrier: Mapped[str] = mapped_column(String(32))
    tracking_no: Mapped[str] = mapped_column(String(64))
    shipped_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    wechat_uploaded: Mapped[bool] = mapped_column(default=False)
    wechat_error: Mapped[str] = mapped_column(String(200), default="")

    order: Mapped[Order] = relationship(back_populates="shipment")
    events: Mapped[list[TrackingEvent]] = relationship(order_by="TrackingEvent.time.desc()")


class TrackingEvent(CreatedAt, Base):
    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("shipment_id", "time", "text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    time: Mapped[datetime]
    text: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(16), default="staff")


class RefundStatus:
    REQUESTED = "requested"
    AWAITING_RETURN = "awaiting_return"  # a return approved: the buyer sends the goods back
    APPROVED = "approved"  # the money is decided, WeChat's refund not yet done (a failed call waits for a retry)
    REFUNDED = "refunded"
    REJECTED = "rejected"

    ALL = (REQUESTED, AWAITING_RETURN, APPROVED, REFUNDED, REJECTED)
    OPEN = (REQUESTED, AWAITING_RETURN, APPROVED)


class RefundKind:
    """What the buyer asks for (docs/state-machines.md, "Refund requests")."""

    REFUND_ONLY = "refund_only"  # 仅退款: the money back, the goods stay with the buyer (or were never sent)
    RETURN_AND_REFUND = "return_and_refund"  # 退货退款: the goods come back first, then the money

    ALL = (REFUND_ONLY, RETURN_AND_REFUND)


class Refund(CreatedAt, Base):
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_no: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RefundStatus.REQUESTED, index=True)
    reason: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=RefundKind.REFUND_ONLY)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # up to 3 /media/after-sale/… paths
    goods_fen: Mapped[int] = mapped_column(Fen)
    shipping_fen: Mapped[int] = mapped_column(Fen, default=0)
    amount_fen: Mapped[int] = mapped_column(Fen)
    reject_reason: Mapped[str] = mapped_column(String(200), default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    wechat_refund_id: Mapped[str | None] = mapped_column(String(64))
    failure: Mapped[str] = mapped_column(String(200), default="")
    # A return: the parcel the buyer sent back, and staff's confirmation that it arrived (and whether its units went
    # back on the shelf, decided then; docs/money-and-rules.md, "Returns").
    return_carrier: Mapped[str] = mapped_column(String(32), default="")
    return_tracking_no: Mapped[str] = mapped_column(String(64), default="")
    return_shipped_at: Mapped[datetime | None]
    goods_received_at: Mapped[datetime | None]
    goods_received_by: Mapped[int | None]  # the staff member (no foreign key: SQLite adds the column in place)
    restock_returned: Mapped[bool] = mapped_column(default=False)

    lines: Mapped[list[RefundLine]] = relationship(back_populates="refund", order_by="RefundLine.id")
    order: Mapped[Order] = relationship()


class RefundLine(Base):
    __tablename__ = "refund_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]
    amount_fen: Mapped[int] = mapped_column(Fen)

    refund: Mapped[Refund] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
