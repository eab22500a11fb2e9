"""Members, check-in, share tracking and 分享有礼: answers read the domain's read models (``from_attributes``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from backend.schemas.common import IdField, ReadModel, Strict, StrictInt


class LevelOut(ReadModel):
    level: int = Field(description="0-based rank, as in GET /me's member.level")
    id: int
    name: str
    growth_threshold: int
    discount_bp: int = Field(description="price multiplier: 9800 = 98%")
    benefits: str


class GrowthEntryOut(ReadModel):
    id: int
    kind: Literal["order_completed", "order_refunded", "check_in", "share_reward", "adjustment"]
    points: int = Field(description="signed: a refund's entry is negative")
    ref: str | None = Field(description="the order number, the check-in day …; none for a staff adjustment")
    created_at: datetime


class CheckInOut(ReadModel):
    checked_in_today: bool
    streak: int = Field(description="consecutive days up to today (or yesterday, before today's check-in); 0 if broken")
    points_today: int = Field(description="what today's check-in gave, or will give")
    month: list[str] = Field(description="the month's days with a check-in, YYYY-MM-DD (Shanghai)")
    today: str
    checkin_points: list[int] = Field(description="points for streak day 1, 2, …; the cycle restarts after the last")
    next_points: int = Field(description="what the next day's check-in gives if the streak holds")


class ShareIn(Strict):
    target: Literal["shop", "product"]
    product_id: IdField | None = None
    channel: Literal["friend", "timeline", "poster"]


class ShareOut(ReadModel):
    share_id: int
    path: str = Field(description="the page to share, with invite and s (the share id)")
    title: str = Field(description="the shared card's title: the product's, or the shop's share text")


class ShareRewardOut(ReadModel):
    id: int
    invitee_nickname: str
    invitee_avatar_url: str
    order_no: str
    kind: Literal["coupon", "growth"]
    points: int | None
    coupon_template_id: int | None
    coupon_name: str | None
    status: Literal["pending", "granted", "cancelled"]
    reward_day: date
    created_at: datetime
    granted_at: datetime | None


class ShareRewardTotalsOut(ReadModel):
    invitees: int
    pending: int
    granted: int
    cancelled: int
    granted_points: int
    granted_coupons: int


class InviteeOut(ReadModel):
    nickname: str
    avatar_url: str
    bound_at: datetime | None
    first_order_paid: bool
    reward_status: Literal["pending", "granted", "cancelled"] | None


class ShareRewardRulesOut(ReadModel):
    enabled: bool
    kind: Literal["none", "coupon", "growth"]
    reward: str = Field(description="one reward in words, e.g. 优惠券「新人礼」（满100减20） or 100 成长值")
    growth_points: int | None
    coupon_template_id: int | None
    coupon_summary: str | None
    daily_cap: int
    lifetime_cap: int
    settle_after_days: int
    rules: list[str] = Field(description="the complete rules, to show before the shopper shares")
    note: str = Field(description="the merchant's own words, after the rules")
    shop_name: str
    share_text: str


# --- staff -------------------------------------------------------------------------------------------------------

class LevelIn(Strict):
    id: IdField | None = Field(None, description="an existing level to keep and edit; omit for a new one")
    name: str = Field(min_length=1, max_length=32)
    growth_threshold: StrictInt = Field(ge=0, le=100_000_000)
    discount_bp: StrictInt = Field(ge=1, le=10_000)
    benefits: str = Field("", max_length=500)


class MemberOut(ReadModel):
    user_id: int
    nickname: str
    avatar_url: str
    phone_masked: str
    level: int
    level_name: str
    growth: int
    orders: int = Field(description="paid orders")
    spend_fen: int = Field(description="what those orders paid, less refunds")
    inviter_id: int | None
    created_at: datetime


class LedgerOut(ReadModel):
    id: int
    kind: str
    points: int
    ref: str | None
    reason: str
    staff_username: str | None
    created_at: datetime


class GrowthAdjustIn(Strict):
    points: Annotated[StrictInt, Field(ge=-1_000_000, le=1_000_000, description="non-zero; negative takes away")]
    reason: str = Field(min_length=1, max_length=200)


class StaffShareRewardOut(ReadModel):
    id: int
    inviter_id: int
    inviter_nickname: str
    invitee_id: int
    invitee_nickname: str
    order_no: str
    kind: str
    points: int | None
    coupon_template_id: int | None
    status: str
    failure: str = Field(description="why the last grant was refused (the reward stays pending and is tried again)")
    reward_day: date
    created_at: datetime
    granted_at: datetime | None
    cancelled_at: datetime | None


class ShareFunnelOut(ReadModel):
    shares: int
    shares_by_channel: dict[str, int]
    visits: int
    visitors: int
    bound: int
    first_orders: int
    rewards_pending: int
    rewards_granted: int
    rewards_cancelled: int
    granted_points: int
    granted_coupons: int


class ShareRewardSettingsIn(Strict):
    share_reward_kind: Literal["none", "coupon", "growth"] | None = None
    share_reward_coupon_id: IdField | None = None
    share_reward_growth_points: StrictInt | None = Field(None, ge=1, le=100_000)
    share_reward_daily_cap: StrictInt | None = Field(None, ge=1, le=1000)
    share_reward_lifetime_cap: StrictInt | None = Field(None, ge=1, le=1_000_000)
    share_reward_rules: str | None = Field(None, max_length=1000)
    share_text: str | None = Field(None, min_length=1, max_length=40)


class ShareRewardSettingsOut(ReadModel):
    share_reward_kind: str
    share_reward_coupon_id: int | None
    share_reward_growth_points: int
    share_reward_daily_cap: int
    share_reward_lifetime_cap: int
    share_reward_rules: str
    share_text: str
    preview: ShareRewardRulesOut = Field(description="the rules as shoppers will read them")
