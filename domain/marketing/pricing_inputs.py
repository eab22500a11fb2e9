"""What the pricing engine needs from marketing for one cart: the limited-time prices that apply to its lines,
the running 满减 activities, and the shopper's coupons — loaded once, in a few queries, and handed to the pure
engine (``domain/orders/pricing.py``). Preview, checkout and the cart's total all come through here.

Placing an order loads with ``lock=True``: the shopper's row is locked first when a per-user limit counts, so that
the units already bought are exact for this transaction. The activity's remaining units are read without a lock and
taken by a guarded statement at the end of the placement, which refuses the order if they went meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Row, and_, bindparam, func, select
from sqlalchemy.orm import Session

from domain import clock
from domain.db import lock_row
from domain.errors import Conflict, NotFound
from domain.json_rows import json_rows, rows_json
from domain.marketing.errors import CouponError, PromotionError
from domain.marketing.labels import coupon_summary
from domain.marketing.scope import pricing_scope
from domain.models import (
    CouponTemplate,
    Order,
    OrderStatus,
    Promotion,
    PromotionItem,
    PromotionKind,
    PromotionStatus,
    PromotionUse,
    User,
    UserCoupon,
    UserCouponStatus,
)
from domain.models.marketing import units_left
from domain.money import yuan
from domain.orders.pricing import Coupon, FullReduction, LineInput, PricedOrder, PricingRules, price_order

MAX_CHOICES = 100  # coupons weighed for one preview


@dataclass(frozen=True)
class RunningItem:
    """A SKU's limited-time price while its activity runs."""

    item_id: int
    promotion_id: int
    name: str
    sku_id: int
    promo_price_fen: int
    remaining: int
    per_user_limit: int | None
    stacks: bool  # the activity's stack_with_others
    ends_at: datetime


@dataclass
class Offers:
    """The cart's lines with their limited-time prices, and the 满减 activities that may apply."""

    lines: list[LineInput]
    items: dict[int, RunningItem] = field(default_factory=dict)  # by sku_id, only the ones that price a line
    full_reductions: tuple[FullReduction, ...] = ()


def running_items(session: Session, sku_ids: list[int], *, now: datetime | None = None) -> dict[int, RunningItem]:
    """The running limited-time item of each SKU (saving refuses overlaps, so there is at most one)."""
    if not sku_ids:
        return {}
    return running_items_of(session.execute(_RUNNING_ITEMS, {"sku_ids": list(sku_ids), "now": now or clock.now()}))


_ITEMS, _ITEM_PROMOTIONS = PromotionItem.__table__, Promotion.__table__
# A SKU's running item as columns of a row whose ``id`` is the SKU's: ``running_items_of`` reads them back. The
# catalogue's read for an order or a preview carries them (``running_item_outerjoin``: one statement fewer).
RUNNING_ITEM_COLUMNS = (
    _ITEMS.c.id.label("promo_item_id"), _ITEMS.c.promotion_id.label("promo_promotion_id"),
    _ITEMS.c.promo_price_fen.label("promo_price_fen"), _ITEMS.c.activity_stock.label("promo_activity_stock"),
    _ITEMS.c.sold.label("promo_sold"), _ITEMS.c.per_user_limit.label("promo_per_user_limit"),
    _ITEM_PROMOTIONS.c.name.label("promo_name"), _ITEM_PROMOTIONS.c.stack_with_others.label("promo_stacks"),
    _ITEM_PROMOTIONS.c.ends_at.label("promo_ends_at"))


# The items of limited-time activities running at the ``now`` parameter, each with its activity.
_RUNNING = _ITEMS.join(_ITEM_PROMOTIONS, and_(
    _ITEM_PROMOTIONS.c.id == _ITEMS.c.promotion_id, _ITEM_PROMOTIONS.c.kind == PromotionKind.TIME_LIMITED,
    _ITEM_PROMOTIONS.c.status == PromotionStatus.ACTIVE, _ITEM_PROMOTIONS.c.starts_at <= bindparam("now"),
    _ITEM_PROMOTIONS.c.ends_at > bindparam("now")))


def running_item_outerjoin(joined, sku_id):
    """``joined`` (a join that has the SKUs) LEFT JOIN its SKU's limited-time item running at the ``now``
    parameter: the item's columns are NULL for a SKU without one."""
    return joined.outerjoin(_RUNNING, _ITEMS.c.sku_id == sku_id)


def running_items_of(rows) -> dict[int, RunningItem]:
    """The running item of each SKU in rows read with ``RUNNING_ITEM_COLUMNS`` (each row's ``id`` is its SKU's);
    the lowest item id first, as ``running_items`` has it (saving refuses overlaps, so there is at most one)."""
    found: dict[int, RunningItem] = {}
    for row in sorted((r for r in rows if r.promo_item_id is not None), key=lambda r: r.promo_item_id):
        found.setdefault(row.id, RunningItem(
            item_id=row.promo_item_id, promotion_id=row.promo_promotion_id, name=row.promo_name, sku_id=row.id,
            promo_price_fen=row.promo_price_fen, remaining=units_left(row.promo_activity_stock, row.promo_sold),
            per_user_limit=row.promo_per_user_limit, stacks=row.promo_stacks, ends_at=row.promo_ends_at))
    return found


# Every order and every preview reads these: built once, their values given as parameters (building and keying
# them afresh each time cost more than running them). On the tables: rows, not ORM entities.
_RUNNING_ITEMS = (select(_ITEMS.c.sku_id.label("id"), *RUNNING_ITEM_COLUMNS).select_from(_RUNNING)
                  .where(_ITEMS.c.sku_id.in_(bindparam("sku_ids", expanding=True))))
_PROMOTIONS = Promotion.__table__
_RUNNING_FULL_REDUCTIONS = (
    # What pricing (``full_reduction_terms``) and the products' tags read of them.
    select(_PROMOTIONS.c.id, _PROMOTIONS.c.name, _PROMOTIONS.c.tiers, _PROMOTIONS.c.product_ids,
           _PROMOTIONS.c.category_ids, _PROMOTIONS.c.repeat, _PROMOTIONS.c.max_off_fen, _PROMOTIONS.c.stack_with_coupon)
    .where(_PROMOTIONS.c.kind == PromotionKind.FULL_REDUCTION, _PROMOTIONS.c.status == PromotionStatus.ACTIVE,
           _PROMOTIONS.c.starts_at <= bindparam("now"), _PROMOTIONS.c.ends_at > bindparam("now"))
    .order_by(_PROMOTIONS.c.id))


# The same, as one column of another statement (domain/json_rows.py): placing and previewing an order read them with
# the shopper's token, one statement fewer each. Its ``now`` parameter is the moment they run at.
RUNNING_FULL_REDUCTIONS_JSON = rows_json(_RUNNING_FULL_REDUCTIONS)


class _FullReductionRow(NamedTuple):
    id: int
    name: str
    tiers: list
    product_ids: list | None
    category_ids: list | None
    repeat: bool
    max_off_fen: int | None
    stack_with_coupon: bool


@lru_cache(maxsize=16)
def full_reductions_from_json(text: str) -> tuple[FullReduction, ...]:
    """The activities ``RUNNING_FULL_REDUCTIONS_JSON`` read, as pricing's terms, by id. Kept by their text: the same
    text is the same activities."""
    rows = sorted((_FullReductionRow(*row) for row in json_rows(text)), key=lambda row: row.id)
    return tuple(full_reduction_terms(row) for row in rows)


def running_full_reductions(session: Session, *, now: datetime | None = None) -> list[Row]:
    """The 满减 activities running now, as rows (``id``, ``name``, ``tiers``, ``product_ids``, ``category_ids``,
    ``repeat``, ``max_off_fen``, ``stack_with_coupon``): read, never changed, by whoever asks."""
    return list(session.execute(_RUNNING_FULL_REDUCTIONS, {"now": now or clock.now()}))


def full_reduction_terms(promotion: Promotion | Row) -> FullReduction:
    return FullReduction(id=promotion.id, tiers=tuple(tuple(t) for t in promotion.tiers), name=promotion.name,
                         scope=pricing_scope(promotion.product_ids, promotion.category_ids), repeat=promotion.repeat,
                         max_off_fen=promotion.max_off_fen, stack_with_coupon=promotion.stack_with_coupon)


def bought_on_promotion(session: Session, *, user_id: int, items: list[RunningItem]) -> dict[tuple[int, int], int]:
    """Units the shopper holds at each item's promo price, over the activity, in orders not cancelled."""
    if not items:
        return {}
    rows = session.execute(
        select(PromotionUse.promotion_id, PromotionUse.sku_id, func.sum(PromotionUse.quantity))
        .join(Order, Order.id == PromotionUse.order_id)
        .where(PromotionUse.user_id == user_id, Order.status != OrderStatus.CANCELLED,
               PromotionUse.promotion_id.in_({i.promotion_id for i in items}),
               PromotionUse.sku_id.in_({i.sku_id for i in items}))
        .group_by(PromotionUse.promotion_id, PromotionUse.sku_id)
    ).all()
    return {(promotion_id, sku_id): int(units) for promotion_id, sku_id, units in rows}


def marketing_offers(session: Session, *, user: User, lines: list[LineInput], titles: dict[int, str],
                     lock: bool = False, lenient: bool = False, items: dict[int, RunningItem] | None = None,
                     full_reductions: tuple[FullReduction, ...] | None = None) -> Offers:
    """Limited-time prices for the lines that have one, and the 满减 candidates. A line whose activity is sold out
    sells at the normal price. Asking for more units than the activity has left, or than the shopper's limit
    allows, is refused (``promotion_stock_short``, ``promotion_limit_reached``) — or, with ``lenient`` (the cart's
    running total), priced at the normal price instead. ``items`` (the lines' running items) and
    ``full_reductions`` (the running 满减 activities): as this transaction read them already, else read here."""
    now = clock.now()
    if items is None:
        items = running_items(session, [line.sku_id for line in lines], now=now)
    # The activity's row is not locked here: placing takes its units at the end, by one guarded UPDATE
    # (``sold + n <= activity_stock``, the row count checked; domain/orders/stock.py), so that in a flash sale its
    # lock is held from there to the commit only. A buyer who priced on units taken meanwhile is refused
    # ``promotion_stock_short``; a sold-out activity prices its line normally and nobody queues on its row.
    if lock and any(item.per_user_limit is not None and item.remaining > 0 for item in items.values()):
        lock_row(session, "users", "id", user.id)  # one placement at a time counts this shopper's units
    limited = [i for i in items.values() if i.per_user_limit is not None]
    bought = bought_on_promotion(session, user_id=user.id, items=limited)
    priced_lines, applied = [], {}
    for line in lines:
        item = items.get(line.sku_id)
        if item is None or item.remaining == 0:
            priced_lines.append(line)
            continue
        refusal = _promo_refusal(item, line.quantity, bought.get((item.promotion_id, item.sku_id), 0),
                                 titles.get(line.sku_id, ""))
        if refusal is not None:
            if not lenient:
                raise refusal
            priced_lines.append(line)
            continue
        applied[line.sku_id] = item
        priced_lines.append(replace(line, promo_price_fen=item.promo_price_fen, promo_stacks=item.stacks))
    if full_reductions is None:
        full_reductions = tuple(full_reduction_terms(p) for p in running_full_reductions(session, now=now))
    return Offers(lines=priced_lines, items=applied, full_reductions=full_reductions)


def _promo_refusal(item: RunningItem, quantity: int, bought: int, title: str) -> Conflict | None:
    if item.per_user_limit is not None and bought + quantity > item.per_user_limit:
        already = f"，你已购买 {bought} 件" if bought else ""
        return Conflict(PromotionError.PROMOTION_LIMIT_REACHED,
                        f"“{title}”限时折扣每人限购 {item.per_user_limit} 件{already}")
    if quantity > item.remaining:
        return Conflict(PromotionError.PROMOTION_STOCK_SHORT, f"“{title}”限时折扣仅剩 {item.remaining} 件")
    return None


# --- coupons ---------------------------------------------------------------------------------------------------

def coupon_terms(user_coupon_id: int, template: CouponTemplate) -> Coupon:
    """The engine's coupon; its id is the user coupon's, the one the order records."""
    return Coupon(id=user_coupon_id, kind=template.kind, value_fen=template.value_fen,
                  percent_off_bp=template.percent_off_bp, cap_fen=template.cap_fen,
                  threshold_fen=template.threshold_fen,
                  scope=pricing_scope(template.product_ids, template.category_ids))


@dataclass(frozen=True)
class CouponRefusal:
    code: str  # threshold_not_met, out_of_scope, not_stackable, not_started, expired, locked, used
    reason: str  # for the shopper


@dataclass(frozen=True)
class ChosenCoupon:
    coupon: UserCoupon
    terms: Coupon | None  # None when its state or validity already rules it out
    refusal: CouponRefusal | None


def chosen_coupon(session: Session, *, user: User, coupon_id: int | None) -> ChosenCoupon | None:
    """The coupon the shopper picked: 404 ``coupon_not_found`` when it is unknown or someone else's."""
    if coupon_id is None:
        return None
    row = session.execute(
        select(UserCoupon, CouponTemplate).join(CouponTemplate, CouponTemplate.id == UserCoupon.template_id)
        .where(UserCoupon.id == coupon_id, UserCoupon.user_id == user.id)
    ).first()
    if row is None:
        raise NotFound(CouponError.COUPON_NOT_FOUND, "优惠券不存在或不可用")
    coupon, template = row
    refusal = state_refusal(coupon)
    return ChosenCoupon(coupon=coupon, terms=None if refusal else coupon_terms(coupon.id, template), refusal=refusal)


def state_refusal(coupon: UserCoupon, *, now: datetime | None = None) -> CouponRefusal | None:
    now = now or clock.now()
    if coupon.status == UserCouponStatus.LOCKED:
        return CouponRefusal("locked", "已用于一笔待付款的订单")
    if coupon.status == UserCouponStatus.USED:
        return CouponRefusal("used", "已使用")
    if coupon.status == UserCouponStatus.EXPIRED or coupon.valid_to <= now:
        return CouponRefusal("expired", "已过期")
    if coupon.valid_from > now:
        return CouponRefusal("not_started", f"{clock.local(coupon.valid_from):%Y-%m-%d %H:%M} 起可用")
    return None


def engine_refusal(priced: PricedOrder, coupon: Coupon) -> CouponRefusal | None:
    """Why the engine did not apply the coupon to this cart, in the shopper's words."""
    if priced.coupon_applied:
        return None
    if priced.coupon_refusal == "coupon_threshold_not_met":
        short = coupon.threshold_fen - priced.coupon_base_fen
        return CouponRefusal("threshold_not_met", f"满¥{yuan(coupon.threshold_fen)}可用，还差¥{yuan(short)}")
    if priced.coupon_refusal == "coupon_not_stackable":
        name = priced.full_reduction_applied.name if priced.full_reduction_applied else "满减"
        return CouponRefusal("not_stackable", f"不能与「{name}」同时使用")
    return CouponRefusal("out_of_scope", "订单中没有适用这张券的商品")


@dataclass(frozen=True)
class UsableCoupon:
    id: int
    template_id: int
    name: str
    summary: str
    valid_to: datetime
    discount_fen: int


@dataclass(frozen=True)
class UnusableCoupon:
    id: int
    template_id: int
    name: str
    summary: str
    valid_to: datetime
    reason_code: str
    reason: str


def coupon_choices(session: Session, *, user: User, lines: list[LineInput],
                   rules: PricingRules) -> tuple[list[UsableCoupon], list[UnusableCoupon]]:
    """Every coupon the shopper holds, priced against this cart by the same engine: the usable ones best first
    (most off, then the soonest to expire), and the others with the reason. Nothing is chosen for the shopper."""
    now = clock.now()
    rows = session.execute(
        select(UserCoupon, CouponTemplate).join(CouponTemplate, CouponTemplate.id == UserCoupon.template_id)
        .where(UserCoupon.user_id == user.id,
               UserCoupon.status.in_((UserCouponStatus.UNUSED, UserCouponStatus.LOCKED)), UserCoupon.valid_to > now)
        .order_by(UserCoupon.valid_to, UserCoupon.id).limit(MAX_CHOICES)
    ).all()
    usable, unusable = [], []
    for coupon, template in rows:
        summary = coupon_summary(kind=template.kind, value_fen=template.value_fen,
                                 percent_off_bp=template.percent_off_bp, cap_fen=template.cap_fen,
                                 threshold_fen=template.threshold_fen)
        refusal = state_refusal(coupon, now=now)
        if refusal is None:
            terms = coupon_terms(coupon.id, template)
            priced = price_order(lines, replace(rules, coupon=terms))
            refusal = engine_refusal(priced, terms)
            if refusal is None:
                usable.append(UsableCoupon(id=coupon.id, template_id=template.id, name=template.name, summary=summary,
                                           valid_to=coupon.valid_to, discount_fen=priced.coupon_discount_fen))
                continue
        unusable.append(UnusableCoupon(id=coupon.id, template_id=template.id, name=template.name, summary=summary,
                                       valid_to=coupon.valid_to, reason_code=refusal.code, reason=refusal.reason))
    usable.sort(key=lambda c: (-c.discount_fen, c.valid_to, c.id))
    return usable, unusable
