"""Read models of marketing: for shoppers (the coupon centre, my coupons, promo prices and tags on products) and for
staff (coupon templates with what they drove, activities with their sales, recipients to issue to, SKUs to pick,
and what a ¥X cart would get). Each list is a fixed number of queries, whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from domain import clock
from domain.db import paginate
from domain.errors import Invalid
from domain.marketing.actions import (
    CouponAction,
    PromotionAction,
    PromotionState,
    TemplateState,
    coupon_template_actions,
    promotion_actions,
    promotion_state,
    template_state,
)
from domain.marketing.coupons import CouponTemplateInput, claim_refusal, get_template, terms_locked
from domain.marketing.errors import CouponError, PromotionError
from domain.marketing.labels import coupon_summary, full_reduction_tags
from domain.marketing.pricing_inputs import running_full_reductions, running_items
from domain.marketing.promotions import get_promotion
from domain.marketing.scope import covers
from domain.members.service import list_levels
from domain.models import (
    Category,
    CouponTemplate,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Promotion,
    PromotionKind,
    PromotionStatus,
    PromotionUse,
    Sku,
    TemplateStatus,
    User,
    UserCoupon,
    UserCouponStatus,
)
from domain.money import yuan
from domain.orders.pricing import Coupon, FullReduction, LineInput, PricingRules, price_order
from domain.security import crypto
from domain.security.actor import Actor, Viewer
from domain.security.disclosure import Field, masked
from domain.security.roles import Permission


@dataclass(frozen=True)
class ScopeView:
    product_ids: list[int]
    category_ids: list[int]


def _scope(row) -> ScopeView:
    return ScopeView(product_ids=list(row.product_ids or ()), category_ids=list(row.category_ids or ()))


def _summary(template: CouponTemplate) -> str:
    return coupon_summary(kind=template.kind, value_fen=template.value_fen, percent_off_bp=template.percent_off_bp,
                          cap_fen=template.cap_fen, threshold_fen=template.threshold_fen)


# --- shoppers: the coupon centre and my coupons ---------------------------------------------------------------

@dataclass(frozen=True)
class ClaimableCoupon:
    id: int  # the template's
    name: str
    description: str
    kind: str
    value_fen: int
    percent_off_bp: int
    cap_fen: int | None
    threshold_fen: int
    scope: ScopeView
    valid_from: datetime | None
    valid_to: datetime | None
    valid_days: int | None
    total_quantity: int | None
    per_user_limit: int
    claimable: bool
    status: str
    claimed: int
    used: int
    remaining: int | None  # None: unlimited
    summary: str
    claimed_by_me: int
    can_claim: bool
    refusal: str | None  # why not: coupon_sold_out, coupon_limit_reached


MAX_CLAIMABLE = 100


def claimable_coupons(session: Session, *, user: User | None, product_id: int | None = None) -> list[ClaimableCoupon]:
    """The coupon centre: active, claimable templates whose window is not over, newest first; with a product,
    only the ones that cover it (its detail page). Sold-out ones stay listed, greyed out."""
    now = clock.now()
    templates = list(session.scalars(
        select(CouponTemplate)
        .where(CouponTemplate.claimable.is_(True), CouponTemplate.status == TemplateStatus.ACTIVE,
               or_(CouponTemplate.valid_to.is_(None), CouponTemplate.valid_to > now))
        .order_by(CouponTemplate.id.desc()).limit(MAX_CLAIMABLE)
    ))
    if product_id is not None:
        category_id = session.scalar(select(Product.category_id).where(Product.id == product_id))
        templates = [t for t in templates
                     if covers(t.product_ids, t.category_ids, product_id=product_id, category_id=category_id)]
    held = {}
    if user is not None and templates:
        held = dict(session.execute(
            select(UserCoupon.template_id, func.count(UserCoupon.id))
            .where(UserCoupon.user_id == user.id, UserCoupon.template_id.in_([t.id for t in templates]))
            .group_by(UserCoupon.template_id)
        ).all())
    views = []
    for t in templates:
        mine = int(held.get(t.id, 0))
        refusal = claim_refusal(t, now=now)
        if refusal is None and mine >= t.per_user_limit:
            refusal = CouponError.COUPON_LIMIT_REACHED
        views.append(ClaimableCoupon(
            id=t.id, name=t.name, description=t.description, kind=t.kind, value_fen=t.value_fen,
            percent_off_bp=t.percent_off_bp, cap_fen=t.cap_fen, threshold_fen=t.threshold_fen, scope=_scope(t),
            valid_from=t.valid_from, valid_to=t.valid_to, valid_days=t.valid_days, total_quantity=t.total_quantity,
            per_user_limit=t.per_user_limit, claimable=t.claimable, status=t.status, claimed=t.claimed, used=t.used,
            remaining=None if t.total_quantity is None else max(t.total_quantity - t.claimed, 0),
            summary=_summary(t), claimed_by_me=mine, can_claim=refusal is None, refusal=refusal))
    return views


@dataclass(frozen=True)
class UserCouponView:
    id: int
    template_id: int
    name: str
    description: str
    kind: str
    value_fen: int
    percent_off_bp: int
    cap_fen: int | None
    threshold_fen: int
    scope: ScopeView
    valid_from: datetime
    valid_to: datetime
    status: str  # as the shopper should see it: an unused coupon past its validity is expired
    summary: str
    source: str
    order_id: int | None
    claimed_at: datetime
    used_at: datetime | None


def _effective_status(status: str, valid_to: datetime, now: datetime) -> str:
    """The job marks expiry in batches; the shopper sees it the moment it happens."""
    if status == UserCouponStatus.UNUSED and valid_to <= now:
        return UserCouponStatus.EXPIRED
    return status


def user_coupon_view(coupon: UserCoupon, template: CouponTemplate, *, now: datetime | None = None) -> UserCouponView:
    now = now or clock.now()
    return UserCouponView(
        id=coupon.id, template_id=template.id, name=template.name, description=template.description,
        kind=template.kind, value_fen=template.value_fen, percent_off_bp=template.percent_off_bp,
        cap_fen=template.cap_fen, threshold_fen=template.threshold_fen, scope=_scope(template),
        valid_from=coupon.valid_from, valid_to=coupon.valid_to,
        status=_effective_status(coupon.status, coupon.valid_to, now), summary=_summary(template),
        source=coupon.source, order_id=coupon.order_id, claimed_at=coupon.claimed_at, used_at=coupon.used_at)


def _status_filter(status: str, now: datetime):
    if status == UserCouponStatus.UNUSED:
        return and_(UserCoupon.status == UserCouponStatus.UNUSED, UserCoupon.valid_to > now)
    if status == UserCouponStatus.EXPIRED:
        return or_(UserCoupon.status == UserCouponStatus.EXPIRED,
                   and_(UserCoupon.status == UserCouponStatus.UNUSED, UserCoupon.valid_to <= now))
    return UserCoupon.status == status


def my_coupons(session: Session, *, user: User, status: str | None = None, page: int = 1,
               page_size: int = 20) -> tuple[list[UserCouponView], int]:
    """The shopper's coupons by tab: unused soonest to expire first; the others newest first."""
    now = clock.now()
    if status is not None and status not in tuple(UserCouponStatus):
        raise Invalid(CouponError.INVALID_COUPON, f"未知的优惠券状态：{status}（可选 unused、locked、used、expired）")
    query = (select(UserCoupon, CouponTemplate).join(CouponTemplate, CouponTemplate.id == UserCoupon.template_id)
             .where(UserCoupon.user_id == user.id))
    if status is not None:
        query = query.where(_status_filter(status, now))
    order = (UserCoupon.valid_to, UserCoupon.id) if status == UserCouponStatus.UNUSED else (UserCoupon.id.desc(),)
    query, total = paginate(session, query, *order, page=page, page_size=page_size)
    return [user_coupon_view(c, t, now=now) for c, t in session.execute(query).all()], total


def my_coupon_counts(session: Session, *, user: User) -> dict[str, int]:
    """How many in each tab, in one query."""
    now = clock.now()
    effective = _status_case(now)
    rows = session.execute(select(effective, func.count(UserCoupon.id)).where(UserCoupon.user_id == user.id)
                           .group_by(effective)).all()
    return {s: 0 for s in UserCouponStatus} | {status: int(n) for status, n in rows}


def _status_case(now: datetime):
    return case((and_(UserCoupon.status == UserCouponStatus.UNUSED, UserCoupon.valid_to <= now),
                 UserCouponStatus.EXPIRED.value), else_=UserCoupon.status)


# --- shoppers: promo prices and tags on products ----------------------------------------------------------------

@dataclass(frozen=True)
class PromoView:
    """A limited-time price while it runs and has units left."""

    promotion_id: int
    name: str
    promo_price_fen: int
    ends_at: datetime
    remaining: int


def sku_promos(session: Session, sku_ids: list[int]) -> dict[int, PromoView]:
    return {sku_id: PromoView(promotion_id=i.promotion_id, name=i.name, promo_price_fen=i.promo_price_fen,
                              ends_at=i.ends_at, remaining=i.remaining)
            for sku_id, i in running_items(session, sku_ids).items() if i.remaining > 0}


def product_promos(session: Session, product_ids: list[int]) -> dict[int, PromoView]:
    """Each product's lowest running promo price among its active SKUs (the card shows it), in two queries."""
    if not product_ids:
        return {}
    skus = dict(session.execute(select(Sku.id, Sku.product_id)
                                .where(Sku.product_id.in_(product_ids), Sku.is_active.is_(True))).all())
    best: dict[int, PromoView] = {}
    for sku_id, promo in sku_promos(session, list(skus)).items():
        product_id = skus[sku_id]
        if product_id not in best or promo.promo_price_fen < best[product_id].promo_price_fen:
            best[product_id] = promo
    return best


def product_tags(session: Session, products: list[tuple[int, int | None]]) -> dict[int, tuple[str, ...]]:
    """"满199减20"-style tags of the running 满减 activities that cover each (product_id, category_id)."""
    activities = running_full_reductions(session) if products else []
    tags: dict[int, tuple[str, ...]] = {}
    for product_id, category_id in products:
        found: list[str] = []
        for a in activities:
            if covers(a.product_ids, a.category_ids, product_id=product_id, category_id=category_id):
                found += full_reduction_tags(tiers=a.tiers, repeat=a.repeat, max_off_fen=a.max_off_fen)
        tags[product_id] = tuple(dict.fromkeys(found))
    return tags


# --- staff: coupon templates -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CouponTemplateView:
    id: int
    name: str
    description: str
    kind: str
    value_fen: int
    percent_off_bp: int
    cap_fen: int | None
    threshold_fen: int
    scope: ScopeView
    valid_from: datetime | None
    valid_to: datetime | None
    valid_days: int | None
    total_quantity: int | None
    per_user_limit: int
    claimable: bool
    status: str
    state: TemplateState
    summary: str
    claimed: int
    used: int
    remaining: int | None
    orders: int  # paid orders that used one
    sales_fen: int  # what those orders paid
    coupon_discount_fen: int  # what the coupons took off them
    created_at: datetime
    updated_at: datetime
    actions: tuple[CouponAction, ...]
    terms_locked: bool = False  # someone holds one: only the name, description, quantity, limit and claimable change


def _coupon_stats(session: Session, template_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """(orders, sales_fen, coupon_discount_fen) per template, from the paid orders its coupons were used on."""
    if not template_ids:
        return {}
    rows = session.execute(
        select(UserCoupon.template_id, func.count(Order.id), func.coalesce(func.sum(Order.payable_fen), 0),
               func.coalesce(func.sum(Order.coupon_discount_fen), 0))
        .join(Order, and_(Order.id == UserCoupon.order_id, Order.coupon_id == UserCoupon.id))
        .where(UserCoupon.template_id.in_(template_ids), UserCoupon.status == UserCouponStatus.USED,
               Order.status.in_(OrderStatus.PAID_STATES))
        .group_by(UserCoupon.template_id)
    ).all()
    return {tid: (int(n), int(sales), int(off)) for tid, n, sales, off in rows}


def _template_view(t: CouponTemplate, viewer: Viewer, stats: tuple[int, int, int], now: datetime) -> CouponTemplateView:
    orders, sales, off = stats
    return CouponTemplateView(
        id=t.id, name=t.name, description=t.description, kind=t.kind, value_fen=t.value_fen,
        percent_off_bp=t.percent_off_bp, cap_fen=t.cap_fen, threshold_fen=t.threshold_fen, scope=_scope(t),
        valid_from=t.valid_from, valid_to=t.valid_to, valid_days=t.valid_days, total_quantity=t.total_quantity,
        per_user_limit=t.per_user_limit, claimable=t.claimable, status=t.status, state=template_state(t, now=now),
        summary=_summary(t), claimed=t.claimed, used=t.used,
        remaining=None if t.total_quantity is None else max(t.total_quantity - t.claimed, 0),
        orders=orders, sales_fen=sales, coupon_discount_fen=off, created_at=t.created_at, updated_at=t.updated_at,
        actions=coupon_template_actions(t, viewer), terms_locked=terms_locked(t))


def coupon_templates(session: Session, *, viewer: Actor, state: str | None = None, q: str | None = None,
                     page: int = 1, page_size: int = 20) -> tuple[list[CouponTemplateView], int]:
    viewer.require(Permission.MARKETING)
    now = clock.now()
    query = select(CouponTemplate)
    if q and q.strip():
        query = query.where(CouponTemplate.name.contains(q.strip(), autoescape=True))
    if state is not None:
        query = query.where(_template_state_filter(state, now))
    query, total = paginate(session, query, CouponTemplate.id.desc(), page=page, page_size=page_size)
    templates = list(session.scalars(query))
    stats = _coupon_stats(session, [t.id for t in templates])
    return [_template_view(t, viewer, stats.get(t.id, (0, 0, 0)), now) for t in templates], total


def _template_state_filter(state: str, now: datetime):
    active = CouponTemplate.status == TemplateStatus.ACTIVE
    open_window = or_(CouponTemplate.valid_to.is_(None), CouponTemplate.valid_to > now)
    sold_out = and_(CouponTemplate.total_quantity.is_not(None), CouponTemplate.claimed >= CouponTemplate.total_quantity)
    filters = {
        TemplateState.STOPPED: CouponTemplate.status == TemplateStatus.STOPPED,
        TemplateState.ENDED: and_(active, ~open_window),
        TemplateState.SOLD_OUT: and_(active, open_window, sold_out),
        TemplateState.ACTIVE: and_(active, open_window, ~sold_out),
    }
    if state not in filters:
        raise Invalid(CouponError.INVALID_COUPON, f"未知的状态：{state}（可选 {', '.join(filters)}）")
    return filters[state]


def coupon_template_detail(session: Session, template_id: int, *, viewer: Actor) -> CouponTemplateView:
    viewer.require(Permission.MARKETING)
    template = get_template(session, template_id)
    stats = _coupon_stats(session, [template.id]).get(template.id, (0, 0, 0))
    return _template_view(template, viewer, stats, clock.now())


@dataclass(frozen=True)
class CartPreview:
    """What a cart of ``cart_fen`` (all of it in scope) would get."""

    cart_fen: int
    applicable: bool
    discount_fen: int
    payable_fen: int  # goods only; shipping is apart
    reason: str  # why not, when it does not apply


def coupon_cart_preview(data: CouponTemplateInput, cart_fen: int) -> CartPreview:
    """The staff form's live preview, by the same engine that prices orders (no database)."""
    coupon = Coupon(id=0, kind=data.kind, value_fen=data.value_fen, percent_off_bp=data.percent_off_bp,
                    cap_fen=data.cap_fen, threshold_fen=data.threshold_fen)
    priced = _one_line(cart_fen, PricingRules(shipping_fee_fen=0, free_shipping_threshold_fen=0, coupon=coupon))
    if priced is None:
        return CartPreview(cart_fen=cart_fen, applicable=False, discount_fen=0, payable_fen=0, reason="购物车金额需大于 0")
    reason = ""
    if not priced.coupon_applied:
        reason = f"未达到使用门槛（满¥{yuan(data.threshold_fen)}）"
    return CartPreview(cart_fen=cart_fen, applicable=priced.coupon_applied, discount_fen=priced.coupon_discount_fen,
                       payable_fen=priced.paid_goods_fen, reason=reason)


def full_reduction_cart_preview(*, tiers: list[tuple[int, int]], repeat: bool, max_off_fen: int | None,
                                cart_fen: int) -> CartPreview:
    activity = FullReduction(id=0, tiers=tuple(tuple(t) for t in tiers), repeat=repeat, max_off_fen=max_off_fen)
    priced = _one_line(cart_fen, PricingRules(shipping_fee_fen=0, free_shipping_threshold_fen=0,
                                              full_reduction=activity))
    if priced is None:
        return CartPreview(cart_fen=cart_fen, applicable=False, discount_fen=0, payable_fen=0, reason="购物车金额需大于 0")
    off = priced.full_reduction_fen
    return CartPreview(cart_fen=cart_fen, applicable=off > 0, discount_fen=off, payable_fen=priced.paid_goods_fen,
                       reason="" if off else "未达到满减门槛")


def _one_line(cart_fen: int, rules: PricingRules):
    if not isinstance(cart_fen, int) or isinstance(cart_fen, bool) or cart_fen <= 0:
        return None
    return price_order([LineInput(sku_id=0, product_id=0, category_id=None, quantity=1, price_fen=cart_fen)], rules)


# --- staff: activities ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TierView:
    threshold_fen: int
    off_fen: int


@dataclass(frozen=True)
class PromotionItemView:
    sku_id: int
    product_id: int
    title: str
    specs: dict[str, str]
    price_fen: int  # the normal price
    stock: int  # the SKU's own stock
    promo_price_fen: int
    activity_stock: int
    per_user_limit: int | None
    sold: int  # units orders hold (cancelled orders give theirs back)
    remaining: int


@dataclass(frozen=True)
class PromotionView:
    id: int
    kind: str
    name: str
    starts_at: datetime
    ends_at: datetime
    status: str
    state: PromotionState
    tiers: list[TierView]
    repeat: bool
    max_off_fen: int | None
    scope: ScopeView
    stack_with_coupon: bool
    stack_with_others: bool
    items: list[PromotionItemView]
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    actions: tuple[PromotionAction, ...]


def _promotion_views(session: Session, promotions: list[Promotion], viewer: Viewer) -> list[PromotionView]:
    sku_ids = {i.sku_id for p in promotions for i in p.items}
    skus = {sku.id: (sku, title) for sku, title in session.execute(
        select(Sku, Product.title).join(Product, Product.id == Sku.product_id).where(Sku.id.in_(sku_ids)))
    } if sku_ids else {}
    now = clock.now()
    views = []
    for p in promotions:
        items = []
        for i in p.items:
            sku, title = skus[i.sku_id]
            items.append(PromotionItemView(
                sku_id=i.sku_id, product_id=sku.product_id, title=title, specs=dict(sku.specs or {}),
                price_fen=sku.price_fen, stock=sku.stock, promo_price_fen=i.promo_price_fen,
                activity_stock=i.activity_stock, per_user_limit=i.per_user_limit, sold=i.sold, remaining=i.remaining))
        full = p.kind == PromotionKind.FULL_REDUCTION
        views.append(PromotionView(
            id=p.id, kind=p.kind, name=p.name, starts_at=p.starts_at, ends_at=p.ends_at, status=p.status,
            state=promotion_state(p, now=now), tiers=[TierView(t[0], t[1]) for t in p.tiers or ()], repeat=p.repeat,
            max_off_fen=p.max_off_fen, scope=_scope(p), stack_with_coupon=p.stack_with_coupon,
            stack_with_others=p.stack_with_others, items=items,
            tags=full_reduction_tags(tiers=p.tiers, repeat=p.repeat, max_off_fen=p.max_off_fen) if full else [],
            created_at=p.created_at, updated_at=p.updated_at, actions=promotion_actions(p, viewer)))
    return views


def promotions(session: Session, *, viewer: Actor, kind: str | None = None, state: str | None = None,
               page: int = 1, page_size: int = 20) -> tuple[list[PromotionView], int]:
    viewer.require(Permission.MARKETING)
    query = select(Promotion).options(selectinload(Promotion.items))
    if kind is not None:
        if kind not in tuple(PromotionKind):
            raise Invalid(PromotionError.INVALID_PROMOTION, f"未知的活动类型：{kind}")
        query = query.where(Promotion.kind == kind)
    if state is not None:
        query = query.where(_promotion_state_filter(state, clock.now()))
    query, total = paginate(session, query, Promotion.id.desc(), page=page, page_size=page_size)
    return _promotion_views(session, list(session.scalars(query)), viewer), total


def _promotion_state_filter(state: str, now: datetime):
    active = Promotion.status == PromotionStatus.ACTIVE
    filters = {
        PromotionState.STOPPED: Promotion.status == PromotionStatus.STOPPED,
        PromotionState.ENDED: and_(active, Promotion.ends_at <= now),
        PromotionState.SCHEDULED: and_(active, Promotion.starts_at > now),
        PromotionState.RUNNING: and_(active, Promotion.starts_at <= now, Promotion.ends_at > now),
    }
    if state not in filters:
        raise Invalid(PromotionError.INVALID_PROMOTION, f"未知的状态：{state}（可选 {', '.join(filters)}）")
    return filters[state]


def promotion_detail(session: Session, promotion_id: int, *, viewer: Actor) -> PromotionView:
    viewer.require(Permission.MARKETING)
    return _promotion_views(session, [get_promotion(session, promotion_id)], viewer)[0]


@dataclass(frozen=True)
class ItemSales:
    sku_id: int
    units: int  # paid units at the promo price
    sales_fen: int  # what those lines paid


@dataclass(frozen=True)
class PromotionSales:
    """An activity's results so far, from paid orders (refunds are shown apart, not netted)."""

    promotion_id: int
    orders: int
    buyers: int
    units: int
    sales_fen: int  # goods paid by those orders (limited-time: the promo lines only)
    off_fen: int  # what the activity took off
    refunded_fen: int  # refunded from those lines (limited-time) or orders (满减)
    pending_orders: int  # placed, not paid yet: they hold activity units
    items: list[ItemSales]


def promotion_sales(session: Session, promotion_id: int, *, viewer: Actor) -> PromotionSales:
    viewer.require(Permission.MARKETING)
    promotion = get_promotion(session, promotion_id)
    paid = Order.status.in_(OrderStatus.PAID_STATES)
    base = select(PromotionUse).where(PromotionUse.promotion_id == promotion.id).subquery()
    pending = session.scalar(select(func.count(func.distinct(base.c.order_id))).select_from(base)
                             .join(Order, Order.id == base.c.order_id)
                             .where(Order.status == OrderStatus.PENDING_PAYMENT)) or 0
    if promotion.kind == PromotionKind.FULL_REDUCTION:
        orders, buyers, sales, off, refunded = session.execute(
            select(func.count(Order.id), func.count(func.distinct(Order.user_id)),
                   func.coalesce(func.sum(Order.payable_fen - Order.shipping_fen), 0),
                   func.coalesce(func.sum(base.c.off_fen), 0), func.coalesce(func.sum(Order.refunded_fen), 0))
            .select_from(base).join(Order, Order.id == base.c.order_id).where(paid)
        ).one()
        return PromotionSales(promotion_id=promotion.id, orders=int(orders), buyers=int(buyers), units=0,
                              sales_fen=int(sales), off_fen=int(off), refunded_fen=int(refunded),
                              pending_orders=int(pending), items=[])
    rows = session.execute(
        select(base.c.sku_id, func.count(func.distinct(Order.id)), func.count(func.distinct(Order.user_id)),
               func.coalesce(func.sum(OrderLine.quantity), 0), func.coalesce(func.sum(OrderLine.paid_fen), 0),
               func.coalesce(func.sum(base.c.off_fen), 0), func.coalesce(func.sum(OrderLine.refunded_fen), 0))
        .select_from(base).join(Order, Order.id == base.c.order_id)
        .join(OrderLine, and_(OrderLine.order_id == base.c.order_id, OrderLine.sku_id == base.c.sku_id))
        .where(paid).group_by(base.c.sku_id).order_by(base.c.sku_id)
    ).all()
    orders, buyers = session.execute(
        select(func.count(func.distinct(Order.id)), func.count(func.distinct(Order.user_id)))
        .select_from(base).join(Order, Order.id == base.c.order_id).where(paid)
    ).one()
    return PromotionSales(
        promotion_id=promotion.id, orders=int(orders), buyers=int(buyers), units=sum(int(r[3]) for r in rows),
        sales_fen=sum(int(r[4]) for r in rows), off_fen=sum(int(r[5]) for r in rows),
        refunded_fen=sum(int(r[6]) for r in rows), pending_orders=int(pending),
        items=[ItemSales(sku_id=r[0], units=int(r[3]), sales_fen=int(r[4])) for r in rows])


@dataclass(frozen=True)
class SkuChoice:
    sku_id: int
    product_id: int
    title: str
    specs: dict[str, str]
    price_fen: int
    stock: int
    is_on_shelf: bool
    running_promotion_id: int | None  # a limited-time activity that holds it now


def sku_choices(session: Session, *, viewer: Actor, q: str | None = None, sku_ids: list[int] | None = None,
                page: int = 1, page_size: int = 50) -> tuple[list[SkuChoice], int]:
    """SKUs to pick for a limited-time activity, with their price and stock (active SKUs only); with ``sku_ids``,
    those SKUs whatever their state (the ones an activity already holds)."""
    viewer.require(Permission.MARKETING)
    query = select(Sku, Product.title, Product.is_on_shelf).join(Product, Product.id == Sku.product_id)
    query = query.where(Sku.id.in_(sku_ids)) if sku_ids is not None else query.where(Sku.is_active.is_(True))
    if q and q.strip():
        query = query.where(Product.title.contains(q.strip(), autoescape=True))
    query, total = paginate(session, query, Product.id.desc(), Sku.id, page=page, page_size=page_size)
    rows = session.execute(query).all()
    running = running_items(session, [sku.id for sku, _, _ in rows])
    return [SkuChoice(sku_id=sku.id, product_id=sku.product_id, title=title, specs=dict(sku.specs or {}),
                      price_fen=sku.price_fen, stock=sku.stock, is_on_shelf=on_shelf,
                      running_promotion_id=running[sku.id].promotion_id if sku.id in running else None)
            for sku, title, on_shelf in rows], total


@dataclass(frozen=True)
class ScopeChoices:
    """What a coupon or a 满减 can be limited to: products (id → title, newest first) and categories."""

    products: dict[int, str]
    categories: dict[int, str]


MAX_SCOPE_CHOICES = 500


def scope_choices(session: Session, *, viewer: Actor) -> ScopeChoices:
    viewer.require(Permission.MARKETING)
    products = session.execute(select(Product.id, Product.title).order_by(Product.id.desc())
                               .limit(MAX_SCOPE_CHOICES)).all()
    categories = session.execute(select(Category.id, Category.name).order_by(Category.sort.desc(), Category.id)).all()
    return ScopeChoices(products=dict(products), categories=dict(categories))


# --- staff: whom to issue a coupon to ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    user_id: int
    nickname: str
    avatar_url: str
    phone_masked: str
    level: int
    level_name: str
    growth: int


def find_recipients(session: Session, *, viewer: Actor, q: str | None = None, level: int | None = None,
                    page: int = 1, page_size: int = 20) -> tuple[list[Recipient], int]:
    """Shoppers by nickname, by phone (an 11-digit number is looked up through the blind index; phones are never
    searched in clear) or by member level. Phones are shown masked."""
    viewer.require(Permission.MARKETING)
    levels = list_levels(session)
    growth = User.growth
    query = select(User)
    text = (q or "").strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        by_name = User.nickname.contains(text, autoescape=True)
        query = query.where(or_(by_name, User.phone_bidx == crypto.phone_index(digits)) if len(digits) == 11
                            else by_name)
    if level is not None:
        if not 0 <= level < len(levels):
            raise Invalid(CouponError.INVALID_COUPON, f"会员等级需为 0–{max(len(levels) - 1, 0)}")
        query = query.where(growth >= levels[level].growth_threshold)
        if level + 1 < len(levels):
            query = query.where(growth < levels[level + 1].growth_threshold)
    query, total = paginate(session, query, User.id.desc(), page=page, page_size=page_size)
    found = []
    for user in session.scalars(query):
        rank = max((i for i, lv in enumerate(levels) if user.growth >= lv.growth_threshold), default=0)
        found.append(Recipient(user_id=user.id, nickname=user.nickname, avatar_url=user.avatar_url,
                               phone_masked=masked(Field.USER_PHONE, user.phone_enc),
                               level=rank, level_name=levels[rank].name if levels else "普通会员", growth=user.growth))
    return found, total
