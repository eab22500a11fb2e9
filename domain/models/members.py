"""Members: levels, the growth ledger, check-ins, shares and their visits, and share rewards (分享有礼)
(docs/money-and-rules.md, "Members and growth"; docs/state-machines.md, "Share rewards")."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt


class GrowthKind(StrEnum):
    ORDER_COMPLETED = "order_completed"  # +1 per whole yuan of the order's net goods
    ORDER_REFUNDED = "order_refunded"  # what a refund takes back of what that order gave
    CHECK_IN = "check_in"
    SHARE_REWARD = "share_reward"  # an invitee's paid first order, past the after-sale window
    ADJUSTMENT = "adjustment"  # staff, with a reason (audited)


class ShareTarget(StrEnum):
    SHOP = "shop"
    PRODUCT = "product"


class ShareChannel(StrEnum):
    FRIEND = "friend"
    TIMELINE = "timeline"  # 朋友圈
    POSTER = "poster"


class ShareRewardKind(StrEnum):
    COUPON = "coupon"
    GROWTH = "growth"


class ShareRewardStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    CANCELLED = "cancelled"


class MemberLevel(Base):
    """普通会员 / 银卡 / 金卡…: a growth threshold and the price multiplier in bp (9800 = 98%)."""

    __tablename__ = "member_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    growth_threshold: Mapped[int] = mapped_column(unique=True)
    discount_bp: Mapped[int] = mapped_column(default=10_000)
    benefits: Mapped[str] = mapped_column(Text, default="")


class GrowthEntry(CreatedAt, Base):
    """One line of a shopper's growth ledger. Append-only: the user's ``growth`` is the sum of its points."""

    __tablename__ = "growth_entries"
    __table_args__ = (Index("ix_growth_entries_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int]
    ref: Mapped[str | None] = mapped_column(String(64))  # what shoppers see: an order number, a day …
    # Idempotency: the event that gave the points (``order:12``, ``refund:7``, ``check_in:3:2026-03-01`` …).
    key: Mapped[str | None] = mapped_column(String(48), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")  # staff adjustments
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class CheckIn(CreatedAt, Base):
    """签到: once per Shanghai calendar day, the unique key makes it so whatever arrives at once."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date]
    streak: Mapped[int]
    points: Mapped[int]


class Share(CreatedAt, Base):
    """A shopper shared the shop or a product. Recorded for the funnel only: sharing earns nothing."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_created_at", "created_at"),)  # the funnel reads shares by day

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target: Mapped[str] = mapped_column(String(16))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    channel: Mapped[str] = mapped_column(String(16))


class ShareVisit(CreatedAt, Base):
    """Someone opened a share; once per visitor and share. Earns nothing."""

    __tablename__ = "share_visits"
    __table_args__ = (UniqueConstraint("share_id", "visitor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class ShareReward(CreatedAt, Base):
    """分享有礼: the inviter's reward for an invitee's first paid order — at most one per invitee, ever."""

    __tablename__ = "share_rewards"
    __table_args__ = (Index("ix_share_rewards_inviter_id_reward_day", "inviter_id", "reward_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inviter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invitee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int | None]  # growth rewards
    coupon_template_id: Mapped[int | None] = mapped_column(ForeignKey("coupon_templates.id"))  # coupon rewards
    user_coupon_id: Mapped[int | None] = mapped_column(ForeignKey("user_coupons.id"))  # once granted
    status: Mapped[str] = mapped_column(String(16), default=ShareRewardStatus.PENDING, index=True)
    reward_day: Mapped[date]  # the invitee's payment day in Shanghai: what the daily cap counts by
    failure: Mapped[str] = mapped_column(String(200), default="")  # why the last grant was refused
    granted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
