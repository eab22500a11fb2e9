"""Marketing: coupon templates and the coupons shoppers hold, 满减 and limited-time activities, and what each order
took from them (docs/money-and-rules.md, "Marketing"; docs/state-machines.md, "User coupons")."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain import clock
from domain.models.base import Base, CreatedAt, Fen


class CouponKind(StrEnum):
    FIXED = "fixed"  # value_fen off
    PERCENT = "percent"  # percent_off_bp off (1500 = 15% off, 八五折), capped at cap_fen


class TemplateStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # no more claims or issues; coupons already held stay usable


class UserCouponStatus(StrEnum):
    UNUSED = "unused"
    LOCKED = "locked"  # held by an unpaid order
    USED = "used"
    EXPIRED = "expired"


class CouponSource(StrEnum):
    CLAIM = "claim"  # the shopper, in the coupon centre
    ISSUE = "issue"  # staff, with a reason
    REWARD = "reward"  # a reward the shop grants (share rewards)


class CouponTemplate(CreatedAt, Base):
    __tablename__ = "coupon_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16))
    value_fen: Mapped[int] = mapped_column(Fen, default=0)
    percent_off_bp: Mapped[int] = mapped_column(default=0)
    cap_fen: Mapped[int | None] = mapped_column(Fen)
    threshold_fen: Mapped[int] = mapped_column(Fen, default=0)
    # Scope: both empty = all goods.
    product_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    category_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Validity: a window (valid_from may be empty: from claiming) or valid_days from the moment of claiming.
    valid_from: Mapped[datetime | None]
    valid_to: Mapped[datetime | None]
    valid_days: Mapped[int | None]
    total_quantity: Mapped[int | None]  # None = unlimited
    per_user_limit: Mapped[int] = mapped_column(default=1)
    claimable: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(16), default=TemplateStatus.ACTIVE, index=True)
    # Counters, each moved by a guarded UPDATE: claimed never passes total_quantity.
    claimed: Mapped[int] = mapped_column(default=0)
    used: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class UserCoupon(Base):
    """One shopper's coupon. Its validity is fixed when it is granted, whatever later happens to the template."""

    __tablename__ = "user_coupons"
    __table_args__ = (
        Index("ix_user_coupons_user_status", "user_id", "status"),
        Index("ix_user_coupons_status_valid_to", "status", "valid_to"),  # the expire-coupons job
        Index("ix_user_coupons_template_user", "template_id", "user_id"),  # the per-user limit
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("coupon_templates.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=UserCouponStatus.UNUSED)
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default=CouponSource.CLAIM)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)  # while locked, and once used
    claimed_at: Mapped[datetime] = mapped_column(default=clock.now)
    locked_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None]

    template: Mapped[CouponTemplate] = relationship()


class PromotionKind(StrEnum):
    FULL_REDUCTION = "full_reduction"  # 满减
    TIME_LIMITED = "time_limited"  # 限时折扣


class PromotionStatus(StrEnum):
    ACTIVE = "active"  # runs between starts_at and ends_at
    STOPPED = "stopped"


class Promotion(CreatedAt, Base):
    __tablename__ = "promotions"
    __table_args__ = (Index("ix_promotions_kind_status_ends", "kind", "status", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=PromotionStatus.ACTIVE)
    # 满减: tiers [[threshold_fen, off_fen], …] by rising threshold; repeat = 每满减 on the first tier.
    tiers: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    repeat: Mapped[bool] = mapped_column(default=False)
    max_off_fen: Mapped[int | None] = mapped_column(Fen)
    product_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    category_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    stack_with_coupon: Mapped[bool] = mapped_column(default=True)
    # 限时折扣: whether its lines also join 满减 and coupons.
    stack_with_others: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    items: Mapped[list[PromotionItem]] = relationship(back_populates="promotion", order_by="PromotionItem.id",
                                                      cascade="all, delete-orphan")


class PromotionItem(Base):
    """A SKU in a limited-time activity: its promo price, the units set aside (``activity_stock``) and how many
    of them orders hold (``sold``, moved by the same guarded update as the SKU's stock)."""

    __tablename__ = "promotion_items"
    __table_args__ = (UniqueConstraint("promotion_id", "sku_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    promo_price_fen: Mapped[int] = mapped_column(Fen)
    activity_stock: Mapped[int]
    per_user_limit: Mapped[int | None]  # units per shopper over the activity
    sold: Mapped[int] = mapped_column(default=0)

    promotion: Mapped[Promotion] = relationship(back_populates="items")

    @property
    def remaining(self) -> int:
        return units_left(self.activity_stock, self.sold)


def units_left(activity_stock: int, sold: int) -> int:
    """An activity item's units still to sell (never below 0): ``PromotionItem.remaining``, for a row too."""
    return max(activity_stock - sold, 0)


class PromotionUse(CreatedAt, Base):
    """What an order took from an activity: units of a SKU at its promo price, or the 满减 it got. Kept when the
    order is cancelled (the per-user limit and the sales figures skip cancelled orders)."""

    __tablename__ = "promotion_uses"
    __table_args__ = (Index("ix_promotion_uses_limit", "promotion_id", "sku_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id"))  # None for a 满减
    quantity: Mapped[int] = mapped_column(default=0)
    off_fen: Mapped[int] = mapped_column(Fen, default=0)  # below the normal price (limited-time) or the 满减
