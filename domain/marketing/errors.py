"""Refusals of coupons and activities (docs/money-and-rules.md, "Marketing")."""

from __future__ import annotations

from enum import StrEnum


class CouponError(StrEnum):
    COUPON_NOT_FOUND = "coupon_not_found"  # 404: unknown, or not yours
    COUPON_SOLD_OUT = "coupon_sold_out"
    COUPON_LIMIT_REACHED = "coupon_limit_reached"
    COUPON_NOT_CLAIMABLE = "coupon_not_claimable"  # not in the coupon centre, stopped, or its window is over
    COUPON_NOT_APPLICABLE = "coupon_not_applicable"  # threshold, scope, validity, state or stacking
    COUPON_STOPPED = "coupon_stopped"  # staff: a stopped template issues nothing and stops once
    COUPON_TERMS_LOCKED = "coupon_terms_locked"  # staff: what a coupon gives cannot change once someone holds one
    INVALID_COUPON = "invalid_coupon"  # 422: a template that does not make sense
    USER_NOT_FOUND = "user_not_found"  # issuing to someone who is not a shopper (reported in ``skipped``)


class PromotionError(StrEnum):
    PROMOTION_NOT_FOUND = "promotion_not_found"
    PROMOTION_LIMIT_REACHED = "promotion_limit_reached"  # units over the per-user limit
    PROMOTION_STOCK_SHORT = "promotion_stock_short"  # fewer activity units left than the line asks for
    PROMOTION_OVERLAP = "promotion_overlap"  # another running activity holds the same SKU at the same time
    PROMOTION_NOT_EDITABLE = "promotion_not_editable"  # stopped or over
    INVALID_PROMOTION = "invalid_promotion"  # 422
