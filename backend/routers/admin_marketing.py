"""Staff with the marketing permission (owner, operator): coupon templates, issuing, 满减 and limited-time
activities, their previews and their results. Every change is written to the audit log by the domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.deps import CurrentActor, SessionDep
from backend.schemas.common import STAFF_ERRORS, IdPath, Page, PageParams, errors, page_params
from backend.schemas.marketing import (
    CartPreviewOut,
    CouponPreviewIn,
    CouponTemplateIn,
    CouponTemplateOut,
    CouponTemplatePatch,
    FullReductionPreviewIn,
    IssueIn,
    IssueOut,
    PromotionIn,
    PromotionOut,
    PromotionPatch,
    PromotionSalesOut,
    RecipientOut,
    SkuChoiceOut,
)
from domain.marketing import coupons, promotions, queries
from domain.marketing.actions import PromotionState, TemplateState
from domain.marketing.coupons import CouponTemplateInput
from domain.marketing.promotions import PromotionInput, PromotionItemInput
from domain.models import PromotionKind
from domain.security.roles import Permission

router = APIRouter(prefix="/api/v1/admin", tags=["admin: marketing"], responses=STAFF_ERRORS)


def _scope_changes(changes: dict) -> dict:
    scope = changes.pop("scope", None)
    if scope is not None:
        # A scope given whole replaces the old one; a list it leaves out is empty (ScopeIn's default), as in POST.
        changes.update(product_ids=tuple(scope.get("product_ids", ())),
                       category_ids=tuple(scope.get("category_ids", ())))
    return changes


# --- coupons ---------------------------------------------------------------------------------------------------

@router.post("/coupons", response_model=CouponTemplateOut, status_code=201, responses=errors(404))
def create_coupon(body: CouponTemplateIn, actor: CurrentActor, session: SessionDep) -> queries.CouponTemplateView:
    """422 ``invalid_coupon`` (says what does not make sense); 404 ``product_not_found`` or ``category_not_found``
    for an unknown id in the scope."""
    data = CouponTemplateInput(**_scope_changes(body.model_dump()))
    template = coupons.create_template(session, actor=actor, data=data)
    return queries.coupon_template_detail(session, template.id, viewer=actor)


@router.get("/coupons", response_model=Page[CouponTemplateOut])
def list_coupons(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                 state: Annotated[TemplateState | None, Query()] = None,
                 q: Annotated[str | None, Query(max_length=32)] = None) -> Page[CouponTemplateOut]:
    """Newest first, each with claimed, used and what the orders that used it paid."""
    rows, total = queries.coupon_templates(session, viewer=actor, state=state, q=q, page=paging.page,
                                           page_size=paging.page_size)
    return Page[CouponTemplateOut](items=rows, total=total)


@router.post("/coupons/preview", response_model=CartPreviewOut)
def preview_coupon(body: CouponPreviewIn, actor: CurrentActor) -> queries.CartPreview:
    """What a cart of ``cart_fen`` would get from these terms, by the engine that prices orders."""
    actor.require(Permission.MARKETING)
    terms = body.model_dump(exclude={"cart_fen"})
    return queries.coupon_cart_preview(CouponTemplateInput(name="preview", **terms), body.cart_fen)


@router.get("/coupons/recipients", response_model=Page[RecipientOut])
def recipients(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
               q: Annotated[str | None, Query(max_length=32, description="nickname, or an 11-digit phone")] = None,
               level: Annotated[int | None, Query(ge=0, le=50, description="member level rank, 0 = the first")] = None
               ) -> Page[RecipientOut]:
    """Shoppers to issue a coupon to, by nickname, phone (through its blind index) or member level; phones masked."""
    rows, total = queries.find_recipients(session, viewer=actor, q=q, level=level, page=paging.page,
                                          page_size=paging.page_size)
    return Page[RecipientOut](items=rows, total=total)


@router.get("/coupons/{template_id}", response_model=CouponTemplateOut, responses=errors(404))
def read_coupon(template_id: IdPath, actor: CurrentActor, session: SessionDep) -> queries.CouponTemplateView:
    return queries.coupon_template_detail(session, template_id, viewer=actor)


@router.patch("/coupons/{template_id}", response_model=CouponTemplateOut, responses=errors(404, 409))
@router.put("/coupons/{template_id}", response_model=CouponTemplateOut, responses=errors(404, 409),
            description="Same as PATCH.")
def edit_coupon(template_id: IdPath, body: CouponTemplatePatch, actor: CurrentActor,
                session: SessionDep) -> queries.CouponTemplateView:
    """409 ``coupon_terms_locked`` (someone holds one: what it gives cannot change), ``coupon_stopped``;
    422 ``invalid_coupon``."""
    coupons.update_template(session, actor=actor, template_id=template_id,
                            changes=_scope_changes(body.model_dump(exclude_unset=True)))
    return queries.coupon_template_detail(session, template_id, viewer=actor)


@router.post("/coupons/{template_id}/stop", response_model=CouponTemplateOut, responses=errors(404, 409))
def stop_coupon(template_id: IdPath, actor: CurrentActor, session: SessionDep) -> queries.CouponTemplateView:
    """Stops claiming and issuing; coupons already held stay usable. 409 ``coupon_stopped`` when it already is."""
    coupons.stop_template(session, actor=actor, template_id=template_id)
    return queries.coupon_template_detail(session, template_id, viewer=actor)


@router.post("/coupons/{template_id}/issue", response_model=IssueOut, responses=errors(404, 409))
def issue_coupon(template_id: IdPath, body: IssueIn, actor: CurrentActor, session: SessionDep) -> coupons.IssueResult:
    """One coupon to each user, within the total quantity and each user's limit; the others are answered in
    ``skipped`` with the code. 409 ``coupon_stopped``, ``coupon_not_claimable`` (its window is over)."""
    return coupons.issue_coupon(session, actor=actor, template_id=template_id, user_ids=body.user_ids,
                                reason=body.reason)


# --- activities ------------------------------------------------------------------------------------------------

def _promotion_changes(changes: dict) -> dict:
    changes = _scope_changes(changes)
    if changes.get("tiers") is not None:
        changes["tiers"] = tuple((t["threshold_fen"], t["off_fen"]) for t in changes["tiers"])
    if changes.get("items") is not None:
        changes["items"] = tuple(PromotionItemInput(**i) for i in changes["items"])
    return changes


@router.post("/promotions", response_model=PromotionOut, status_code=201, responses=errors(404, 409))
def create_promotion(body: PromotionIn, actor: CurrentActor, session: SessionDep) -> queries.PromotionView:
    """满减 (``tiers``, ``repeat``, ``max_off_fen``, ``scope``, ``stack_with_coupon``) or 限时折扣 (``items``,
    ``stack_with_others``). 409 ``promotion_overlap`` when a SKU is in another activity at the same time;
    404 ``sku_not_found``, ``product_not_found``, ``category_not_found``; 422 ``invalid_promotion``."""
    data = PromotionInput(**_promotion_changes(body.model_dump()))
    promotion = promotions.create_promotion(session, actor=actor, data=data)
    return queries.promotion_detail(session, promotion.id, viewer=actor)


@router.get("/promotions", response_model=Page[PromotionOut])
def list_promotions(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                    kind: Annotated[PromotionKind | None, Query()] = None,
                    state: Annotated[PromotionState | None, Query()] = None) -> Page[PromotionOut]:
    rows, total = queries.promotions(session, viewer=actor, kind=kind, state=state, page=paging.page,
                                     page_size=paging.page_size)
    return Page[PromotionOut](items=rows, total=total)


@router.post("/promotions/preview", response_model=CartPreviewOut)
def preview_full_reduction(body: FullReductionPreviewIn, actor: CurrentActor) -> queries.CartPreview:
    """What a cart of ``cart_fen`` would get from these 满减 tiers."""
    actor.require(Permission.MARKETING)
    return queries.full_reduction_cart_preview(tiers=[(t.threshold_fen, t.off_fen) for t in body.tiers],
                                               repeat=body.repeat, max_off_fen=body.max_off_fen,
                                               cart_fen=body.cart_fen)


@router.get("/promotions/skus", response_model=Page[SkuChoiceOut])
def sku_choices(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
                q: Annotated[str | None, Query(max_length=50)] = None) -> Page[SkuChoiceOut]:
    """SKUs to pick for a limited-time activity, with price, stock and the activity that holds one now."""
    rows, total = queries.sku_choices(session, viewer=actor, q=q, page=paging.page, page_size=paging.page_size)
    return Page[SkuChoiceOut](items=rows, total=total)


@router.get("/promotions/{promotion_id}", response_model=PromotionOut, responses=errors(404))
def read_promotion(promotion_id: IdPath, actor: CurrentActor, session: SessionDep) -> queries.PromotionView:
    return queries.promotion_detail(session, promotion_id, viewer=actor)


@router.patch("/promotions/{promotion_id}", response_model=PromotionOut, responses=errors(404, 409))
@router.put("/promotions/{promotion_id}", response_model=PromotionOut, responses=errors(404, 409),
            description="Same as PATCH.")
def edit_promotion(promotion_id: IdPath, body: PromotionPatch, actor: CurrentActor,
                   session: SessionDep) -> queries.PromotionView:
    """409 ``promotion_not_editable`` (stopped or over), ``promotion_overlap``; 422 ``invalid_promotion``."""
    promotions.update_promotion(session, actor=actor, promotion_id=promotion_id,
                                changes=_promotion_changes(body.model_dump(exclude_unset=True)))
    return queries.promotion_detail(session, promotion_id, viewer=actor)


@router.post("/promotions/{promotion_id}/stop", response_model=PromotionOut, responses=errors(404, 409))
def stop_promotion(promotion_id: IdPath, actor: CurrentActor, session: SessionDep) -> queries.PromotionView:
    promotions.stop_promotion(session, actor=actor, promotion_id=promotion_id)
    return queries.promotion_detail(session, promotion_id, viewer=actor)


@router.get("/promotions/{promotion_id}/sales", response_model=PromotionSalesOut, responses=errors(404))
def promotion_sales(promotion_id: IdPath, actor: CurrentActor, session: SessionDep) -> queries.PromotionSales:
    """Results so far, from paid orders: orders, buyers, units, sales, what it took off, refunds; and the orders
    placed but not paid yet (they hold activity units)."""
    return queries.promotion_sales(session, promotion_id, viewer=actor)
