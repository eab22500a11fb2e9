"""Coupon templates (staff) and the coupons shoppers hold: claiming, issuing and granting, and every change of a
user coupon's state, each one guarded UPDATE (docs/state-machines.md, "User coupons";
docs/money-and-rules.md, "Coupons").

Lock order, the same everywhere so that nothing deadlocks: users (in id order), then the template. Checkout and
cancellation touch user coupons after activity items and before SKUs (``domain/marketing/redemption.py``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from domain import clock
from domain.audit.service import record_action
from domain.errors import CommonError, Conflict, Invalid, NotFound
from domain.marketing.actions import CouponAction, ensure_template_action
from domain.marketing.errors import CouponError
from domain.marketing.scope import checked_scope
from domain.models import (
    CouponKind,
    CouponSource,
    CouponTemplate,
    Order,
    TemplateStatus,
    User,
    UserCoupon,
    UserCouponStatus,
)
from domain.money import BP_SCALE
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.text import clean_text, required_text

log = logging.getLogger(__name__)

MAX_VALID_DAYS = 3650
MAX_PER_USER = 100
MAX_ISSUE = 1000  # users per issue


@dataclass(frozen=True)
class CouponTemplateInput:
    """What a coupon gives, to whom and when: the input of create, of edit (merged with what is there) and of the
    staff preview."""

    name: str
    kind: str  # CouponKind
    value_fen: int = 0
    percent_off_bp: int = 0
    cap_fen: int | None = None
    threshold_fen: int = 0
    product_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    valid_days: int | None = None
    total_quantity: int | None = None
    per_user_limit: int = 1
    claimable: bool = True
    description: str = ""


NULLABLE = frozenset({"cap_fen", "valid_from", "valid_to", "valid_days", "total_quantity"})
# What a held coupon gives; these cannot change once anyone holds one (``coupon_terms_locked``).
TERMS = ("kind", "value_fen", "percent_off_bp", "cap_fen", "threshold_fen", "product_ids", "category_ids",
         "valid_from", "valid_to", "valid_days")


@dataclass(frozen=True)
class Skip:
    user_id: int
    code: str


@dataclass
class Grant:
    granted: list[UserCoupon] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


@dataclass(frozen=True)
class IssueResult:
    issued: int
    skipped: tuple[Skip, ...]


# --- templates -----------------------------------------------------------------------------------------------

def validate_template(data: CouponTemplateInput) -> CouponTemplateInput:
    """The template made tidy (name trimmed, unused fields zeroed), or ``invalid_coupon`` saying what is wrong."""
    name = required_text(data.name, code=CouponError.INVALID_COUPON, message="请填写优惠券名称（不超过 32 字）",
                         max_length=32, field="name")
    description = clean_text(data.description)
    if len(description) > 200:
        raise Invalid(CouponError.INVALID_COUPON, "说明不能超过 200 字", field="description")
    for key in ("value_fen", "percent_off_bp", "threshold_fen", "per_user_limit"):
        _whole(getattr(data, key), key)
    for key in ("cap_fen", "valid_days", "total_quantity"):
        if getattr(data, key) is not None:
            _whole(getattr(data, key), key)
    if data.kind == CouponKind.FIXED:
        if data.value_fen < 1:
            raise Invalid(CouponError.INVALID_COUPON, "请填写减免金额", field="value_fen")
        data = replace(data, percent_off_bp=0, cap_fen=None)
    elif data.kind == CouponKind.PERCENT:
        if not 1 <= data.percent_off_bp < BP_SCALE:
            raise Invalid(CouponError.INVALID_COUPON, "折扣需在 0.1 折到 9.99 折之间（percent_off_bp 为 1–9999）",
                          field="percent_off_bp")
        if data.cap_fen is not None and data.cap_fen < 1:
            raise Invalid(CouponError.INVALID_COUPON, "最高减免金额需大于 0", field="cap_fen")
        data = replace(data, value_fen=0)
    else:
        raise Invalid(CouponError.INVALID_COUPON, "优惠券类型需为 fixed（满减券）或 percent（折扣券）", field="kind")
    _check_validity(data)
    if data.total_quantity is not None and data.total_quantity < 1:
        raise Invalid(CouponError.INVALID_COUPON, "发放总量至少为 1（不限量请留空）", field="total_quantity")
    if not 1 <= data.per_user_limit <= MAX_PER_USER:
        raise Invalid(CouponError.INVALID_COUPON, f"每人限领 1–{MAX_PER_USER} 张", field="per_user_limit")
    return replace(data, name=name, description=description)


def _whole(value: object, key: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid(CouponError.INVALID_COUPON, f"{key} 需为不小于 0 的整数", field=key)


def _check_validity(data: CouponTemplateInput) -> None:
    if data.valid_days is not None:
        if data.valid_from is not None or data.valid_to is not None:
            raise Invalid(CouponError.INVALID_COUPON, "有效期二选一：固定时间段，或领取后若干天", field="validity")
        if not 1 <= data.valid_days <= MAX_VALID_DAYS:
            raise Invalid(CouponError.INVALID_COUPON, f"领取后有效天数需为 1–{MAX_VALID_DAYS}", field="validity")
        return
    if data.valid_to is None:
        raise Invalid(CouponError.INVALID_COUPON, "请设置有效期：结束时间，或领取后有效天数", field="validity")
    for moment in (data.valid_from, data.valid_to):
        if moment is not None and moment.tzinfo is None:
            raise Invalid(CouponError.INVALID_COUPON, "时间需带时区", field="validity")
    if data.valid_from is not None and data.valid_from >= data.valid_to:
        raise Invalid(CouponError.INVALID_COUPON, "有效期的开始时间需早于结束时间", field="validity")


def create_template(session: Session, *, actor: Actor, data: CouponTemplateInput) -> CouponTemplate:
    actor.require(Permission.MARKETING)
    data = validate_template(data)
    if data.valid_to is not None and data.valid_to <= clock.now():
        raise Invalid(CouponError.INVALID_COUPON, "有效期的结束时间需晚于现在", field="validity")
    products, categories = checked_scope(session, product_ids=data.product_ids, category_ids=data.category_ids,
                                         code=CouponError.INVALID_COUPON)
    template = CouponTemplate(**_columns(data), product_ids=products, category_ids=categories,
                              status=TemplateStatus.ACTIVE, created_by=actor.staff_id)
    session.add(template)
    session.flush()
    record_action(session, actor=actor, action="coupon.create", entity_type="coupon_template", entity_id=template.id,
                  after=template_snapshot(template))
    return template


def update_template(session: Session, *, actor: Actor, template_id: int, changes: dict) -> CouponTemplate:
    """Partial edit. Once anyone holds one of its coupons, what a coupon gives (``TERMS``) stays as it is; the name,
    description, quantity (never below what was claimed), per-user limit and claimability may still change."""
    actor.require(Permission.MARKETING)
    template = lock_template(session, template_id)
    ensure_template_action(template, actor, CouponAction.EDIT)
    unknown = set(changes) - {f.name for f in fields(CouponTemplateInput)}
    if unknown:
        raise Invalid(CouponError.INVALID_COUPON, f"未知字段：{', '.join(sorted(unknown))}")
    if emptied := sorted(k for k, v in changes.items() if v is None and k not in NULLABLE):
        raise Invalid(CouponError.INVALID_COUPON, f"不能为空：{', '.join(emptied)}")
    current = template_input(template)
    merged = validate_template(replace(current, **{k: tuple(v) if k.endswith("_ids") else v
                                                   for k, v in changes.items()}))
    changed = {k for k in TERMS if getattr(merged, k) != getattr(current, k)}
    if changed and terms_locked(template):
        raise Conflict(CouponError.COUPON_TERMS_LOCKED,
                       f"已有 {template.claimed} 张被领取，不能再修改优惠内容和有效期（可停止后新建一张）")
    if merged.total_quantity is not None and merged.total_quantity < template.claimed:
        raise Conflict(CouponError.INVALID_COUPON, f"发放总量不能少于已领取的 {template.claimed} 张",
                       field="total_quantity")
    products, categories = checked_scope(session, product_ids=merged.product_ids, category_ids=merged.category_ids,
                                         code=CouponError.INVALID_COUPON)
    before = template_snapshot(template)
    for key, value in _columns(merged).items():
        setattr(template, key, value)
    template.product_ids, template.category_ids = products, categories
    session.flush()
    after = template_snapshot(template)
    record_action(session, actor=actor, action="coupon.update", entity_type="coupon_template", entity_id=template.id,
                  before={k: v for k, v in before.items() if after[k] != v},
                  after={k: v for k, v in after.items() if before[k] != v})
    return template


def terms_locked(template: CouponTemplate) -> bool:
    """Whether ``TERMS`` are fixed now: once anyone holds one, its coupon must keep giving what it promised."""
    return template.claimed > 0


def stop_template(session: Session, *, actor: Actor, template_id: int) -> CouponTemplate:
    """No more claims or issues; the coupons already held stay usable until they expire."""
    actor.require(Permission.MARKETING)
    template = lock_template(session, template_id)
    ensure_template_action(template, actor, CouponAction.STOP)
    template.status = TemplateStatus.STOPPED
    session.flush()
    record_action(session, actor=actor, action="coupon.stop", entity_type="coupon_template", entity_id=template.id,
                  before={"status": TemplateStatus.ACTIVE}, after={"status": TemplateStatus.STOPPED})
    return template


def get_template(session: Session, template_id: int) -> CouponTemplate:
    template = session.get(CouponTemplate, template_id)
    if template is None:
        raise NotFound(CouponError.COUPON_NOT_FOUND, "优惠券不存在")
    return template


def lock_template(session: Session, template_id: int) -> CouponTemplate:
    template = session.scalar(select(CouponTemplate).where(CouponTemplate.id == template_id)
                              .with_for_update(key_share=True).execution_options(populate_existing=True))
    if template is None:
        raise NotFound(CouponError.COUPON_NOT_FOUND, "优惠券不存在")
    return template


def template_input(template: CouponTemplate) -> CouponTemplateInput:
    return CouponTemplateInput(
        name=template.name, kind=template.kind, value_fen=template.value_fen, percent_off_bp=template.percent_off_bp,
        cap_fen=template.cap_fen, threshold_fen=template.threshold_fen, product_ids=tuple(template.product_ids or ()),
        category_ids=tuple(template.category_ids or ()), valid_from=template.valid_from, valid_to=template.valid_to,
        valid_days=template.valid_days, total_quantity=template.total_quantity,
        per_user_limit=template.per_user_limit, claimable=template.claimable, description=template.description,
    )


def template_snapshot(template: CouponTemplate) -> dict:
    data = asdict(template_input(template))
    data.update(product_ids=list(template.product_ids or ()), category_ids=list(template.category_ids or ()),
                status=template.status)
    return data


def _columns(data: CouponTemplateInput) -> dict:
    return {k: v for k, v in asdict(data).items() if k not in ("product_ids", "category_ids")}


# --- granting: claim, issue, rewards ---------------------------------------------------------------------------

def validity_for(template: CouponTemplate, granted_at: datetime) -> tuple[datetime, datetime]:
    """A coupon's own window, fixed when it is granted: the template's window, or ``valid_days`` from now."""
    if template.valid_days is not None:
        return granted_at, granted_at + timedelta(days=template.valid_days)
    return template.valid_from or granted_at, template.valid_to


def grant_coupons(session: Session, *, template_id: int, user_ids: list[int], source: CouponSource,
                  issued_by: int | None = None, reason: str = "") -> Grant:
    """Give one coupon of the template to each user, as far as the total quantity and each user's limit allow:
    the one way coupons come into being (claim, staff issue, rewards). Users are locked in id order, then the
    template, so the per-user count and ``claimed`` are read and moved by one transaction at a time; the
    increment of ``claimed`` is guarded as well. Whoever cannot have one is reported in ``skipped``."""
    wanted = list(dict.fromkeys(user_ids))
    known = set(session.scalars(
        select(User.id).where(User.id.in_(wanted)).order_by(User.id).with_for_update(key_share=True)
    )) if wanted else set()
    outcome = Grant(skipped=[Skip(uid, CouponError.USER_NOT_FOUND) for uid in wanted if uid not in known])
    template = lock_template(session, template_id)
    refusal = _grant_refusal(template, source)
    if refusal is not None:
        raise Conflict(*refusal)
    users = [uid for uid in wanted if uid in known]
    held = dict(session.execute(
        select(UserCoupon.user_id, func.count(UserCoupon.id))
        .where(UserCoupon.template_id == template.id, UserCoupon.user_id.in_(users)).group_by(UserCoupon.user_id)
    ).all()) if users else {}
    eligible = []
    for uid in users:
        if held.get(uid, 0) >= template.per_user_limit:
            outcome.skipped.append(Skip(uid, CouponError.COUPON_LIMIT_REACHED))
        else:
            eligible.append(uid)
    if template.total_quantity is not None:
        left = max(template.total_quantity - template.claimed, 0)
        outcome.skipped += [Skip(uid, CouponError.COUPON_SOLD_OUT) for uid in eligible[left:]]
        eligible = eligible[:left]
    if not eligible:
        return outcome
    n = len(eligible)
    result = session.execute(
        update(CouponTemplate)
        .where(CouponTemplate.id == template.id,
               CouponTemplate.total_quantity.is_(None) | (CouponTemplate.claimed + n <= CouponTemplate.total_quantity))
        .values(claimed=CouponTemplate.claimed + n, updated_at=CouponTemplate.updated_at),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise Conflict(CouponError.COUPON_SOLD_OUT, "优惠券已领完")
    session.expire(template, ["claimed"])
    now = clock.now()
    valid_from, valid_to = validity_for(template, now)
    outcome.granted = [UserCoupon(template_id=template.id, user_id=uid, status=UserCouponStatus.UNUSED,
                                  valid_from=valid_from, valid_to=valid_to, source=source, issued_by=issued_by,
                                  reason=reason, claimed_at=now) for uid in eligible]
    session.add_all(outcome.granted)
    session.flush()
    return outcome


def _grant_refusal(template: CouponTemplate, source: CouponSource) -> tuple[str, str] | None:
    """Read under the template's lock, so that a stop or the end of the window is never overtaken."""
    if template.status != TemplateStatus.ACTIVE:
        if source == CouponSource.CLAIM:
            return CouponError.COUPON_NOT_CLAIMABLE, "该优惠券已停止领取"
        return CouponError.COUPON_STOPPED, "该优惠券已停止发放"
    if template.valid_to is not None and template.valid_to <= clock.now():
        return CouponError.COUPON_NOT_CLAIMABLE, "该优惠券的有效期已结束"
    if source == CouponSource.CLAIM and not template.claimable:
        return CouponError.COUPON_NOT_CLAIMABLE, "该优惠券不能在领券中心领取"
    return None


_SKIP_MESSAGES = {
    CouponError.COUPON_LIMIT_REACHED: "已达到每人限领张数",
    CouponError.COUPON_SOLD_OUT: "优惠券已领完",
    CouponError.USER_NOT_FOUND: "用户不存在",
}


def grant_coupon(session: Session, *, template_id: int, user_id: int, source: CouponSource,
                 issued_by: int | None = None, reason: str = "") -> UserCoupon:
    """One coupon for one user (a claim, or a reward), or the refusal that says why not."""
    outcome = grant_coupons(session, template_id=template_id, user_ids=[user_id], source=source,
                            issued_by=issued_by, reason=reason)
    if outcome.skipped:
        code = outcome.skipped[0].code
        raise Conflict(code, _SKIP_MESSAGES[code])
    return outcome.granted[0]


def claim_coupon(session: Session, *, user: User, template_id: int) -> UserCoupon:
    """The shopper takes one in the coupon centre: only a claimable, active template whose window is not over."""
    if not get_template(session, template_id).claimable:
        raise NotFound(CouponError.COUPON_NOT_FOUND, "优惠券不存在")  # not in the coupon centre: nothing to see
    return grant_coupon(session, template_id=template_id, user_id=user.id, source=CouponSource.CLAIM)


def claim_refusal(template: CouponTemplate, *, now: datetime | None = None) -> str | None:
    """Why the coupon centre cannot give this template now (before the shopper's own limit is counted)."""
    now = now or clock.now()
    if (not template.claimable or template.status != TemplateStatus.ACTIVE
            or (template.valid_to is not None and template.valid_to <= now)):
        return CouponError.COUPON_NOT_CLAIMABLE
    if template.total_quantity is not None and template.claimed >= template.total_quantity:
        return CouponError.COUPON_SOLD_OUT
    return None


def issue_coupon(session: Session, *, actor: Actor, template_id: int, user_ids: list[int],
                 reason: str) -> IssueResult:
    """Staff give the template's coupon to chosen shoppers, with a reason; audited. The total quantity and the
    per-user limit hold as for claims; whoever is skipped is answered with the code."""
    actor.require(Permission.MARKETING)
    reason = required_text(reason, code=CommonError.REASON_REQUIRED, message="请填写发放原因（不超过 200 字）")
    if not user_ids or len(set(user_ids)) > MAX_ISSUE:
        raise Invalid(CouponError.INVALID_COUPON, f"请选择 1–{MAX_ISSUE} 位用户")
    ensure_template_action(get_template(session, template_id), actor, CouponAction.ISSUE)  # 404 before users
    outcome = grant_coupons(session, template_id=template_id, user_ids=user_ids, source=CouponSource.ISSUE,
                            issued_by=actor.staff_id, reason=reason)
    record_action(session, actor=actor, action="coupon.issue", entity_type="coupon_template", entity_id=template_id,
                  after={"reason": reason, "issued": [c.user_id for c in outcome.granted],
                         "skipped": [{"user_id": s.user_id, "code": s.code} for s in outcome.skipped]})
    return IssueResult(issued=len(outcome.granted), skipped=tuple(outcome.skipped))


# --- a user coupon's life with an order ------------------------------------------------------------------------

def lock_for_order(session: Session, *, user_coupon_id: int, user_id: int, order_id: int) -> None:
    """``unused → locked`` as the order is placed; the guard makes one coupon pay for one order only."""
    now = clock.now()
    result = session.execute(
        update(UserCoupon)
        .where(UserCoupon.id == user_coupon_id, UserCoupon.user_id == user_id,
               UserCoupon.status == UserCouponStatus.UNUSED, UserCoupon.valid_from <= now, UserCoupon.valid_to > now)
        .values(status=UserCouponStatus.LOCKED, order_id=order_id, locked_at=now),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise Conflict(CouponError.COUPON_NOT_APPLICABLE, "这张优惠券刚刚已被使用或已失效，请重新选择")
    _expire_loaded(session, [user_coupon_id])


def use_order_coupon(session: Session, *, order: Order) -> None:
    """``locked → used`` when the order is paid, and the template's ``used`` counts it."""
    if order.coupon_id is None:
        return
    now = clock.now()
    result = session.execute(
        update(UserCoupon)
        .where(UserCoupon.id == order.coupon_id, UserCoupon.order_id == order.id,
               UserCoupon.status == UserCouponStatus.LOCKED)
        .values(status=UserCouponStatus.USED, used_at=now),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        # The order holds the coupon until it is paid or cancelled; anything else is a bug worth a look.
        log.error("order %s paid, but its coupon %s was not locked by it", order.order_no, order.coupon_id)
        return
    template_id = select(UserCoupon.template_id).where(UserCoupon.id == order.coupon_id).scalar_subquery()
    session.execute(update(CouponTemplate).where(CouponTemplate.id == template_id)
                    .values(used=CouponTemplate.used + 1, updated_at=CouponTemplate.updated_at),
                    execution_options={"synchronize_session": False})
    _expire_loaded(session, [order.coupon_id])


def release_order_coupons(session: Session, order_ids: list[int]) -> None:
    """The orders were cancelled (by the buyer or on timeout): ``locked → unused``, or ``expired`` when the
    coupon's validity ended meanwhile. One statement for any number of orders."""
    if not order_ids:
        return
    now = clock.now()
    over = UserCoupon.valid_to <= now
    session.execute(
        update(UserCoupon)
        .where(UserCoupon.order_id.in_(order_ids), UserCoupon.status == UserCouponStatus.LOCKED)
        .values(status=case((over, UserCouponStatus.EXPIRED), else_=UserCouponStatus.UNUSED),
                expired_at=case((over, now), else_=None), order_id=None, locked_at=None),
        execution_options={"synchronize_session": "fetch"},
    )


def expire_coupons(session: Session, *, limit: int = 500) -> int:
    """One batch of the ``expire-coupons`` job: ``unused → expired`` once the validity is over. Rows are claimed
    with SKIP LOCKED so that runners never collide; a locked coupon is left to its order."""
    now = clock.now()
    ids = list(session.scalars(
        select(UserCoupon.id).where(UserCoupon.status == UserCouponStatus.UNUSED, UserCoupon.valid_to <= now)
        .order_by(UserCoupon.id).limit(limit).with_for_update(skip_locked=True, key_share=True)
    ))
    if not ids:
        return 0
    result = session.execute(
        update(UserCoupon).where(UserCoupon.id.in_(ids), UserCoupon.status == UserCouponStatus.UNUSED)
        .values(status=UserCouponStatus.EXPIRED, expired_at=now),
        execution_options={"synchronize_session": False},
    )
    _expire_loaded(session, ids)
    return result.rowcount or 0


def _expire_loaded(session: Session, ids: list[int]) -> None:
    """Loaded coupons must not show the state from before a bulk update."""
    wanted = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, UserCoupon) and obj.id in wanted:
            session.expire(obj)
