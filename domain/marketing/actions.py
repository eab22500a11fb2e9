"""What staff may do with a coupon template or an activity now: the one answer the operations, the admin API and
the dashboard all read (docs/state-machines.md, "Coupon templates and activities").

- a coupon template that is active: edit, issue, stop; once its validity window is over, edit and stop only;
- a stopped template: nothing (its coupons already held stay usable);
- an activity that is scheduled or running: edit, stop; one that is over or stopped: nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain import clock
from domain.errors import Conflict
from domain.marketing.errors import CouponError, PromotionError
from domain.models import CouponTemplate, Promotion, PromotionStatus, TemplateStatus
from domain.security.actor import Viewer
from domain.security.roles import Permission


class CouponAction(StrEnum):
    EDIT = "edit"
    ISSUE = "issue"
    STOP = "stop"


class PromotionAction(StrEnum):
    EDIT = "edit"
    STOP = "stop"


class TemplateState(StrEnum):
    """How a template looks from outside: what staff filter by and what the coupon centre shows."""

    ACTIVE = "active"
    SOLD_OUT = "sold_out"
    ENDED = "ended"  # its window is over: nothing more can be claimed
    STOPPED = "stopped"


class PromotionState(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    ENDED = "ended"
    STOPPED = "stopped"


def template_state(template: CouponTemplate, *, now: datetime | None = None) -> TemplateState:
    now = now or clock.now()
    if template.status == TemplateStatus.STOPPED:
        return TemplateState.STOPPED
    if template.valid_to is not None and template.valid_to <= now:
        return TemplateState.ENDED
    if template.total_quantity is not None and template.claimed >= template.total_quantity:
        return TemplateState.SOLD_OUT
    return TemplateState.ACTIVE


def promotion_state(promotion: Promotion, *, now: datetime | None = None) -> PromotionState:
    now = now or clock.now()
    if promotion.status == PromotionStatus.STOPPED:
        return PromotionState.STOPPED
    if promotion.ends_at <= now:
        return PromotionState.ENDED
    return PromotionState.SCHEDULED if promotion.starts_at > now else PromotionState.RUNNING


def coupon_template_actions(template: CouponTemplate, viewer: Viewer) -> tuple[CouponAction, ...]:
    if not viewer.can(Permission.MARKETING):
        return ()
    state = template_state(template)
    if state == TemplateState.STOPPED:
        return ()
    if state == TemplateState.ENDED:
        return (CouponAction.EDIT, CouponAction.STOP)
    return (CouponAction.EDIT, CouponAction.ISSUE, CouponAction.STOP)


def ensure_template_action(template: CouponTemplate, viewer: Viewer, action: CouponAction) -> None:
    """Called after the operation checked the permission: what is left is the template's state."""
    if action in coupon_template_actions(template, viewer):
        return
    if template_state(template) == TemplateState.STOPPED:
        raise Conflict(CouponError.COUPON_STOPPED, "该优惠券已停止发放")
    raise Conflict(CouponError.COUPON_NOT_CLAIMABLE, "该优惠券的有效期已结束，不能再发放")


def promotion_actions(promotion: Promotion, viewer: Viewer) -> tuple[PromotionAction, ...]:
    if not viewer.can(Permission.MARKETING):
        return ()
    if promotion_state(promotion) in (PromotionState.STOPPED, PromotionState.ENDED):
        return ()
    return (PromotionAction.EDIT, PromotionAction.STOP)


def ensure_promotion_action(promotion: Promotion, viewer: Viewer, action: PromotionAction) -> None:
    if action in promotion_actions(promotion, viewer):
        return
    state = promotion_state(promotion)
    raise Conflict(PromotionError.PROMOTION_NOT_EDITABLE,
                   "活动已停止" if state == PromotionState.STOPPED else "活动已结束")
