"""Shoppers: the coupon centre (claimable coupons, claiming) and my coupons."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from backend.deps import CurrentUser, OptionalUser, SessionDep
from backend.schemas.common import PUBLIC_ERRORS, SHOPPER_ERRORS, IdPath, IdQuery, Page, PageParams, errors, page_params
from backend.schemas.marketing import ClaimableListOut, CouponCountsOut, UserCouponOut
from domain.marketing import coupons, queries
from domain.marketing.queries import UserCouponView
from domain.models import CouponTemplate

router = APIRouter(prefix="/api/v1", tags=["shopper: coupons"])


@router.get("/coupons/claimable", response_model=ClaimableListOut, responses=PUBLIC_ERRORS)
def claimable(session: SessionDep, user: OptionalUser, product_id: IdQuery = None) -> ClaimableListOut:
    """The coupon centre: coupons that can be claimed now, newest first, with ``claimed_by_me`` and ``can_claim``
    (``refusal`` says why not). With ``product_id``, only those that cover the product (its detail page). Signed
    out, ``claimed_by_me`` is 0."""
    return ClaimableListOut(items=queries.claimable_coupons(session, user=user, product_id=product_id))


@router.post("/coupons/{template_id}/claim", response_model=UserCouponOut, status_code=201,
             responses={**SHOPPER_ERRORS, **errors(404, 409)})
def claim(template_id: IdPath, user: CurrentUser, session: SessionDep) -> UserCouponView:
    """Claim one. 404 ``coupon_not_found``; 409 ``coupon_sold_out``, ``coupon_limit_reached``,
    ``coupon_not_claimable`` (stopped, or its window is over)."""
    coupon = coupons.claim_coupon(session, user=user, template_id=template_id)
    return queries.user_coupon_view(coupon, session.get(CouponTemplate, coupon.template_id))


@router.get("/me/coupons", response_model=Page[UserCouponOut], responses=SHOPPER_ERRORS)
def my_coupons(user: CurrentUser, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
               status: Annotated[Literal["unused", "locked", "used", "expired"] | None, Query()] = None
               ) -> Page[UserCouponOut]:
    """The tabs of 我的优惠券: ``unused`` (soonest to expire first), ``locked`` (held by an unpaid order),
    ``used``, ``expired``; all of them without ``status``."""
    items, total = queries.my_coupons(session, user=user, status=status, page=paging.page,
                                      page_size=paging.page_size)
    return Page[UserCouponOut](items=items, total=total)


@router.get("/me/coupons/counts", response_model=CouponCountsOut, responses=SHOPPER_ERRORS)
def my_coupon_counts(user: CurrentUser, session: SessionDep) -> CouponCountsOut:
    return CouponCountsOut(**queries.my_coupon_counts(session, user=user))
