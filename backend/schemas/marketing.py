"""Marketing answers read the domain's read models (``domain/marketing/queries.py``); requests become the domain's
inputs (``CouponTemplateInput``, ``PromotionInput``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from backend.schemas.common import MAX_FEN, IdField, ReadModel, Strict, StrictInt
from domain.marketing.actions import CouponAction, PromotionAction, PromotionState, TemplateState

MAX_SCOPE = 200
Fen = StrictInt


# --- shared -----------------------------------------------------------------------------------------------------

class ScopeIn(Strict):
    """Both empty: all goods."""

    product_ids: list[IdField] = Field(default_factory=list, max_length=MAX_SCOPE)
    category_ids: list[IdField] = Field(default_factory=list, max_length=MAX_SCOPE)


class ScopeOut(ReadModel):
    product_ids: list[int]
    category_ids: list[int]


class PromoOut(ReadModel):
    """A limited-time price while it runs and has units left."""

    promotion_id: int
    name: str
    promo_price_fen: int
    ends_at: datetime
    remaining: int = Field(description="activity units left")


# --- coupons: staff --------------------------------------------------------------------------------------------

class CouponTermsIn(Strict):
    kind: Literal["fixed", "percent"]
    value_fen: Fen = Field(0, ge=0, le=MAX_FEN, description="fixed: the amount off")
    percent_off_bp: StrictInt = Field(0, ge=0, le=9999, description="percent: 1500 = 15% off (八五折)")
    cap_fen: Fen | None = Field(None, ge=1, le=MAX_FEN, description="percent: at most this much off")
    threshold_fen: Fen = Field(0, ge=0, le=MAX_FEN, description="0 = no threshold")


class CouponTemplateIn(CouponTermsIn):
    name: str = Field(min_length=1, max_length=32)
    description: str = Field("", max_length=200)
    scope: ScopeIn = Field(default_factory=ScopeIn)
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = Field(None, description="a window: valid_to (valid_from optional)…")
    valid_days: StrictInt | None = Field(None, ge=1, le=3650, description="…or this many days from claiming")
    total_quantity: StrictInt | None = Field(None, ge=1, le=100_000_000, description="none = unlimited")
    per_user_limit: StrictInt = Field(1, ge=1, le=100)
    claimable: bool = Field(True, description="shown in the coupon centre; otherwise only issued or granted")


class CouponTemplatePatch(Strict):
    """Only what is sent changes. Once someone holds one, only name, description, total_quantity,
    per_user_limit and claimable may change (``coupon_terms_locked``)."""

    name: str | None = Field(None, min_length=1, max_length=32)
    description: str | None = Field(None, max_length=200)
    kind: Literal["fixed", "percent"] | None = None
    value_fen: Fen | None = Field(None, ge=0, le=MAX_FEN)
    percent_off_bp: StrictInt | None = Field(None, ge=0, le=9999)
    cap_fen: Fen | None = Field(None, ge=1, le=MAX_FEN)
    threshold_fen: Fen | None = Field(None, ge=0, le=MAX_FEN)
    scope: ScopeIn | None = None
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None
    valid_days: StrictInt | None = Field(None, ge=1, le=3650)
    total_quantity: StrictInt | None = Field(None, ge=1, le=100_000_000)
    per_user_limit: StrictInt | None = Field(None, ge=1, le=100)
    claimable: bool | None = None


class CouponTemplateOut(ReadModel):
    id: int
    name: str
    description: str
    kind: str
    value_fen: int
    percent_off_bp: int
    cap_fen: int | None
    threshold_fen: int
    scope: ScopeOut
    valid_from: datetime | None
    valid_to: datetime | None
    valid_days: int | None
    total_quantity: int | None
    per_user_limit: int
    claimable: bool
    status: Literal["active", "stopped"]
    state: TemplateState = Field(description="active, sold_out, ended (its window is over) or stopped")
    summary: str = Field(description='e.g. "满199减20", "满100享8.5折 最高减50"')
    claimed: int
    used: int
    remaining: int | None
    orders: int = Field(description="paid orders that used one of its coupons")
    sales_fen: int = Field(description="what those orders paid")
    coupon_discount_fen: int = Field(description="what its coupons took off them")
    created_at: datetime
    updated_at: datetime
    actions: list[CouponAction]


class IssueIn(Strict):
    user_ids: list[IdField] = Field(min_length=1, max_length=1000)
    reason: str = Field(min_length=1, max_length=200)


class SkipOut(ReadModel):
    user_id: int
    code: str = Field(description="coupon_limit_reached, coupon_sold_out or user_not_found")


class IssueOut(ReadModel):
    issued: int
    skipped: list[SkipOut]


class CouponPreviewIn(CouponTermsIn):
    cart_fen: Fen = Field(gt=0, le=MAX_FEN, description="a cart of this much, all of it in the coupon's scope")


class CartPreviewOut(ReadModel):
    cart_fen: int
    applicable: bool
    discount_fen: int
    payable_fen: int
    reason: str


class RecipientOut(ReadModel):
    user_id: int
    nickname: str
    avatar_url: str
    phone_masked: str
    level: int
    level_name: str
    growth: int


# --- coupons: shoppers -----------------------------------------------------------------------------------------

class ClaimableCouponOut(ReadModel):
    id: int = Field(description="the template's id: POST /coupons/{id}/claim")
    name: str
    description: str
    kind: str
    value_fen: int
    percent_off_bp: int
    cap_fen: int | None
    threshold_fen: int
    scope: ScopeOut
    valid_from: datetime | None
    valid_to: datetime | None
    valid_days: int | None
    total_quantity: int | None
    per_user_limit: int
    claimable: bool
    status: Literal["active", "stopped"]
    claimed: int
    used: int
    remaining: int | None
    summary: str
    claimed_by_me: int
    can_claim: bool
    refusal: str | None = Field(description="why not: coupon_sold_out, coupon_limit_reached, coupon_not_claimable")


class ClaimableListOut(BaseModel):
    items: list[ClaimableCouponOut]


class UserCouponOut(ReadModel):
    id: int = Field(description="the user coupon's id: the coupon_id of a preview or an order")
    template_id: int
    name: str
    description: str
    kind: str
    value_fen: int
    percent_off_bp: int
    cap_fen: int | None
    threshold_fen: int
    scope: ScopeOut
    valid_from: datetime
    valid_to: datetime
    status: Literal["unused", "locked", "used", "expired"]
    summary: str
    source: str
    order_id: int | None
    claimed_at: datetime
    used_at: datetime | None


class CouponCountsOut(BaseModel):
    unused: int
    locked: int
    used: int
    expired: int


# --- activities: staff -----------------------------------------------------------------------------------------

class TierIn(Strict):
    threshold_fen: Fen = Field(ge=1, le=MAX_FEN)
    off_fen: Fen = Field(ge=1, le=MAX_FEN)


class TierOut(ReadModel):
    threshold_fen: int
    off_fen: int


class PromotionItemIn(Strict):
    sku_id: IdField
    promo_price_fen: Fen = Field(ge=1, le=MAX_FEN)
    activity_stock: StrictInt = Field(ge=1, le=10_000_000)
    per_user_limit: StrictInt | None = Field(None, ge=1, le=999, description="units per shopper over the activity")


class PromotionIn(Strict):
    kind: Literal["full_reduction", "time_limited"]
    name: str = Field(min_length=1, max_length=32)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    # full_reduction
    tiers: list[TierIn] = Field(default_factory=list, max_length=10)
    repeat: bool = Field(False, description="每满减: the first tier's off for every whole multiple of its threshold")
    max_off_fen: Fen | None = Field(None, ge=1, le=MAX_FEN)
    scope: ScopeIn = Field(default_factory=ScopeIn)
    stack_with_coupon: bool = True
    # time_limited
    items: list[PromotionItemIn] = Field(default_factory=list, max_length=100)
    stack_with_others: bool = Field(False, description="may its lines also take 满减 and coupons")


class PromotionPatch(Strict):
    """Only what is sent changes; ``items`` is the whole list. The kind never changes."""

    name: str | None = Field(None, min_length=1, max_length=32)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    tiers: list[TierIn] | None = Field(None, max_length=10)
    repeat: bool | None = None
    max_off_fen: Fen | None = Field(None, ge=1, le=MAX_FEN)
    scope: ScopeIn | None = None
    stack_with_coupon: bool | None = None
    items: list[PromotionItemIn] | None = Field(None, max_length=100)
    stack_with_others: bool | None = None


class PromotionItemOut(ReadModel):
    sku_id: int
    product_id: int
    title: str
    specs: dict[str, str]
    price_fen: int
    stock: int
    promo_price_fen: int
    activity_stock: int
    per_user_limit: int | None
    sold: int
    remaining: int


class PromotionOut(ReadModel):
    id: int
    kind: Literal["full_reduction", "time_limited"]
    name: str
    starts_at: datetime
    ends_at: datetime
    status: Literal["active", "stopped"]
    state: PromotionState = Field(description="scheduled, running, ended or stopped")
    tiers: list[TierOut]
    repeat: bool
    max_off_fen: int | None
    scope: ScopeOut
    stack_with_coupon: bool
    stack_with_others: bool
    items: list[PromotionItemOut]
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    actions: list[PromotionAction]


class ItemSalesOut(ReadModel):
    sku_id: int
    units: int
    sales_fen: int


class PromotionSalesOut(ReadModel):
    promotion_id: int
    orders: int
    buyers: int
    units: int
    sales_fen: int
    off_fen: int
    refunded_fen: int
    pending_orders: int
    items: list[ItemSalesOut]


class FullReductionPreviewIn(Strict):
    tiers: list[TierIn] = Field(min_length=1, max_length=10)
    repeat: bool = False
    max_off_fen: Fen | None = Field(None, ge=1, le=MAX_FEN)
    cart_fen: Fen = Field(gt=0, le=MAX_FEN)


class SkuChoiceOut(ReadModel):
    sku_id: int
    product_id: int
    title: str
    specs: dict[str, str]
    price_fen: int
    stock: int
    is_on_shelf: bool
    running_promotion_id: int | None


# --- in the order preview --------------------------------------------------------------------------------------

class UsableCouponOut(ReadModel):
    id: int = Field(description="the user coupon's id, to send as coupon_id")
    template_id: int
    name: str
    summary: str
    valid_to: datetime
    discount_fen: int = Field(description="what it takes off this cart")


class UnusableCouponOut(ReadModel):
    id: int
    template_id: int
    name: str
    summary: str
    valid_to: datetime
    reason_code: str = Field(description="threshold_not_met, out_of_scope, not_stackable, not_started, locked, "
                                         "used, expired")
    reason: str = Field(description="for the shopper, e.g. 满¥199.00可用，还差¥20.00")


class FullReductionOut(ReadModel):
    promotion_id: int
    name: str
    off_fen: int


class CouponRefusalOut(ReadModel):
    code: str
    reason: str
