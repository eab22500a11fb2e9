"""Activities that staff run: 满减 (full reduction) and 限时折扣 (limited-time discounts), created, edited and
stopped with the audit log (docs/money-and-rules.md, "满减 activities" and "Limited-time discounts")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from domain import clock
from domain.audit.service import record_action
from domain.catalog.errors import CatalogError
from domain.db import is_postgres
from domain.errors import Conflict, Invalid, NotFound
from domain.marketing.actions import PromotionAction, ensure_promotion_action
from domain.marketing.errors import PromotionError
from domain.marketing.scope import checked_scope
from domain.models import Product, Promotion, PromotionItem, PromotionKind, PromotionStatus, Sku
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.text import required_text

MAX_TIERS = 10
MAX_ITEMS = 100
MAX_UNITS = 10_000_000
# Saving limited-time activities one at a time (PostgreSQL advisory lock), so that two that overlap on a SKU can
# never both pass the overlap check.
_OVERLAP_LOCK = 0x6D6B7470  # any constant shared by every saver


@dataclass(frozen=True)
class PromotionItemInput:
    sku_id: int
    promo_price_fen: int
    activity_stock: int
    per_user_limit: int | None = None


@dataclass(frozen=True)
class PromotionInput:
    kind: str  # PromotionKind
    name: str
    starts_at: datetime
    ends_at: datetime
    # 满减
    tiers: tuple[tuple[int, int], ...] = ()
    repeat: bool = False
    max_off_fen: int | None = None
    product_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    stack_with_coupon: bool = True
    # 限时折扣
    items: tuple[PromotionItemInput, ...] = ()
    stack_with_others: bool = False


def validate_promotion(data: PromotionInput) -> PromotionInput:
    name = required_text(data.name, code=PromotionError.INVALID_PROMOTION, message="请填写活动名称（不超过 32 字）",
                         max_length=32, field="name")
    if data.starts_at is None or data.ends_at is None or data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise Invalid(PromotionError.INVALID_PROMOTION, "请填写带时区的开始和结束时间", field="window")
    if data.starts_at >= data.ends_at:
        raise Invalid(PromotionError.INVALID_PROMOTION, "活动的开始时间需早于结束时间", field="window")
    if data.kind == PromotionKind.FULL_REDUCTION:
        data = _valid_full_reduction(data)
    elif data.kind == PromotionKind.TIME_LIMITED:
        data = _valid_time_limited(data)
    else:
        raise Invalid(PromotionError.INVALID_PROMOTION, "活动类型需为 full_reduction（满减）或 time_limited（限时折扣）",
                      field="kind")
    return replace(data, name=name)


def _valid_full_reduction(data: PromotionInput) -> PromotionInput:
    tiers = tuple(sorted((tuple(t) for t in data.tiers), key=lambda t: t[0]))
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise Invalid(PromotionError.INVALID_PROMOTION, f"请设置 1–{MAX_TIERS} 档满减", field="tiers")
    if data.repeat and len(tiers) != 1:
        raise Invalid(PromotionError.INVALID_PROMOTION, "每满减只设一档：每满多少减多少", field="tiers")
    for threshold, off in tiers:
        if not (_whole(threshold) and _whole(off)) or not 1 <= off <= threshold:
            raise Invalid(PromotionError.INVALID_PROMOTION, "每档需满额大于 0，减额大于 0 且不超过满额", field="tiers")
    for (t1, o1), (t2, o2) in zip(tiers, tiers[1:], strict=False):
        if t1 == t2 or o1 >= o2:
            raise Invalid(PromotionError.INVALID_PROMOTION, "各档满额需不同，且满额越高减得越多", field="tiers")
    if data.max_off_fen is not None and not (_whole(data.max_off_fen) and data.max_off_fen >= 1):
        raise Invalid(PromotionError.INVALID_PROMOTION, "最高减免需大于 0（不限请留空）", field="max_off_fen")
    if data.items:
        raise Invalid(PromotionError.INVALID_PROMOTION, "满减活动不设商品价格，请用适用范围")
    return replace(data, tiers=tiers, stack_with_others=False)


def _valid_time_limited(data: PromotionInput) -> PromotionInput:
    items = tuple(i if isinstance(i, PromotionItemInput) else PromotionItemInput(**i) for i in data.items)
    if not 1 <= len(items) <= MAX_ITEMS:
        raise Invalid(PromotionError.INVALID_PROMOTION, f"请选择 1–{MAX_ITEMS} 个商品规格", field="items")
    if len({i.sku_id for i in items}) != len(items):
        raise Invalid(PromotionError.INVALID_PROMOTION, "同一规格只能出现一次", field="items")
    for item in items:
        if not (_whole(item.promo_price_fen) and item.promo_price_fen >= 1):
            raise Invalid(PromotionError.INVALID_PROMOTION, "活动价需大于 0", field="items",
                          sku_id=item.sku_id)
        if not (_whole(item.activity_stock) and 1 <= item.activity_stock <= MAX_UNITS):
            raise Invalid(PromotionError.INVALID_PROMOTION, "活动库存至少为 1", field="items",
                          sku_id=item.sku_id)
        if item.per_user_limit is not None and not (_whole(item.per_user_limit) and 1 <= item.per_user_limit <= 999):
            raise Invalid(PromotionError.INVALID_PROMOTION, "每人限购需为 1–999 件（不限请留空）", field="items",
                          sku_id=item.sku_id)
    if data.tiers or data.product_ids or data.category_ids:
        raise Invalid(PromotionError.INVALID_PROMOTION, "限时折扣按规格设置活动价，不设满减档位和适用范围")
    return replace(data, items=items, repeat=False, max_off_fen=None, stack_with_coupon=True)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def create_promotion(session: Session, *, actor: Actor, data: PromotionInput) -> Promotion:
    actor.require(Permission.MARKETING)
    data = validate_promotion(data)
    if data.ends_at <= clock.now():
        raise Invalid(PromotionError.INVALID_PROMOTION, "活动的结束时间需晚于现在", field="window")
    promotion = Promotion(kind=data.kind, status=PromotionStatus.ACTIVE, created_by=actor.staff_id)
    _apply(session, promotion, data, sold={})
    session.add(promotion)
    session.flush()
    record_action(session, actor=actor, action="promotion.create", entity_type="promotion", entity_id=promotion.id,
                  after=promotion_snapshot(promotion))
    return promotion


def update_promotion(session: Session, *, actor: Actor, promotion_id: int, changes: dict) -> Promotion:
    """Partial edit of a scheduled or running activity. ``items``, when given, is the whole list: SKUs left out
    leave the activity; a SKU's activity stock never goes below what orders already hold."""
    actor.require(Permission.MARKETING)
    promotion = lock_promotion(session, promotion_id)
    ensure_promotion_action(promotion, actor, PromotionAction.EDIT)
    allowed = {f.name for f in fields(PromotionInput)} - {"kind"}
    if unknown := set(changes) - allowed:
        raise Invalid(PromotionError.INVALID_PROMOTION, f"不能修改：{', '.join(sorted(unknown))}")
    if emptied := sorted(k for k, v in changes.items() if v is None and k != "max_off_fen"):
        raise Invalid(PromotionError.INVALID_PROMOTION, f"不能为空：{', '.join(emptied)}")
    before = promotion_snapshot(promotion)
    current = promotion_input(promotion)
    merged = validate_promotion(replace(current, **{k: tuple(v) if isinstance(v, list) else v
                                                    for k, v in changes.items()}))
    sold = {item.sku_id: item.sold for item in promotion.items}
    _apply(session, promotion, merged, sold=sold)
    session.flush()
    after = promotion_snapshot(promotion)
    record_action(session, actor=actor, action="promotion.update", entity_type="promotion", entity_id=promotion.id,
                  before={k: v for k, v in before.items() if after[k] != v},
                  after={k: v for k, v in after.items() if before[k] != v})
    return promotion


def stop_promotion(session: Session, *, actor: Actor, promotion_id: int) -> Promotion:
    """At once: its prices and its 满减 no longer apply to new orders (orders already placed keep theirs)."""
    actor.require(Permission.MARKETING)
    promotion = lock_promotion(session, promotion_id)
    ensure_promotion_action(promotion, actor, PromotionAction.STOP)
    promotion.status = PromotionStatus.STOPPED
    session.flush()
    record_action(session, actor=actor, action="promotion.stop", entity_type="promotion", entity_id=promotion.id,
                  before={"status": PromotionStatus.ACTIVE}, after={"status": PromotionStatus.STOPPED})
    return promotion


def lock_promotion(session: Session, promotion_id: int) -> Promotion:
    promotion = session.scalar(
        select(Promotion).where(Promotion.id == promotion_id).options(selectinload(Promotion.items))
        .with_for_update(key_share=True).execution_options(populate_existing=True)
    )
    if promotion is None:
        raise NotFound(PromotionError.PROMOTION_NOT_FOUND, "活动不存在")
    return promotion


def get_promotion(session: Session, promotion_id: int) -> Promotion:
    promotion = session.scalar(select(Promotion).where(Promotion.id == promotion_id)
                               .options(selectinload(Promotion.items)))
    if promotion is None:
        raise NotFound(PromotionError.PROMOTION_NOT_FOUND, "活动不存在")
    return promotion


def promotion_input(promotion: Promotion) -> PromotionInput:
    return PromotionInput(
        kind=promotion.kind, name=promotion.name, starts_at=promotion.starts_at, ends_at=promotion.ends_at,
        tiers=tuple(tuple(t) for t in promotion.tiers or ()), repeat=promotion.repeat,
        max_off_fen=promotion.max_off_fen, product_ids=tuple(promotion.product_ids or ()),
        category_ids=tuple(promotion.category_ids or ()), stack_with_coupon=promotion.stack_with_coupon,
        items=tuple(PromotionItemInput(sku_id=i.sku_id, promo_price_fen=i.promo_price_fen,
                                       activity_stock=i.activity_stock, per_user_limit=i.per_user_limit)
                    for i in promotion.items),
        stack_with_others=promotion.stack_with_others,
    )


def promotion_snapshot(promotion: Promotion) -> dict:
    data = asdict(promotion_input(promotion))
    data["tiers"] = [list(t) for t in data["tiers"]]
    data["items"] = [{**i, "sold": s} for i, s in zip(data["items"], (i.sold for i in promotion.items), strict=True)]
    data["status"] = promotion.status
    return data


def _apply(session: Session, promotion: Promotion, data: PromotionInput, *, sold: dict[int, int]) -> None:
    """Every check first, then the changes: a refusal leaves the activity as it was."""
    if data.kind == PromotionKind.FULL_REDUCTION:
        products, categories = checked_scope(session, product_ids=data.product_ids, category_ids=data.category_ids,
                                             code=PromotionError.INVALID_PROMOTION)
        promotion.name, promotion.starts_at, promotion.ends_at = data.name, data.starts_at, data.ends_at
        promotion.tiers = [list(t) for t in data.tiers]
        promotion.repeat, promotion.max_off_fen = data.repeat, data.max_off_fen
        promotion.product_ids, promotion.category_ids = products, categories
        promotion.stack_with_coupon = data.stack_with_coupon
        return
    _check_items(session, data, sold=sold)
    _refuse_overlap(session, data, own_id=promotion.id)
    promotion.name, promotion.starts_at, promotion.ends_at = data.name, data.starts_at, data.ends_at
    promotion.stack_with_others = data.stack_with_others
    kept = {item.sku_id: item for item in promotion.items}
    promotion.items = [_item(kept.get(i.sku_id), i) for i in data.items]


def _item(existing: PromotionItem | None, data: PromotionItemInput) -> PromotionItem:
    item = existing or PromotionItem(sku_id=data.sku_id, sold=0)
    item.promo_price_fen, item.activity_stock = data.promo_price_fen, data.activity_stock
    item.per_user_limit = data.per_user_limit
    return item


def _check_items(session: Session, data: PromotionInput, *, sold: dict[int, int]) -> None:
    ids = [i.sku_id for i in data.items]
    if held := sorted(sku_id for sku_id, units in sold.items() if units > 0 and sku_id not in ids):
        # Orders hold units of it, which a cancellation gives back to this item.
        raise Conflict(PromotionError.INVALID_PROMOTION,
                       f"规格 {', '.join(map(str, held))} 已有订单占用活动库存，不能移出活动（可把活动库存改为已售数量）",
                       field="items", sku_id=held[0])
    skus = {sku.id: (sku, title) for sku, title in session.execute(
        select(Sku, Product.title).join(Product, Product.id == Sku.product_id).where(Sku.id.in_(ids)))}
    for item in data.items:
        if item.sku_id not in skus:
            raise NotFound(CatalogError.SKU_NOT_FOUND, f"规格 {item.sku_id} 不存在", field="items", sku_id=item.sku_id)
        sku, title = skus[item.sku_id]
        if item.promo_price_fen >= sku.price_fen:
            raise Invalid(PromotionError.INVALID_PROMOTION, f"“{title}”的活动价需低于原价", field="items",
                          sku_id=item.sku_id)
        if item.activity_stock < sold.get(item.sku_id, 0):
            raise Conflict(PromotionError.INVALID_PROMOTION,
                           f"“{title}”的活动库存不能少于已售出的 {sold[item.sku_id]} 件", field="items",
                           sku_id=item.sku_id)


def _refuse_overlap(session: Session, data: PromotionInput, *, own_id: int | None) -> None:
    """Two limited-time activities that are not stopped may not hold the same SKU at the same time."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _OVERLAP_LOCK})
    query = (
        select(Promotion.name, Sku.id, Product.title)
        .join(PromotionItem, PromotionItem.promotion_id == Promotion.id)
        .join(Sku, Sku.id == PromotionItem.sku_id).join(Product, Product.id == Sku.product_id)
        .where(Promotion.kind == PromotionKind.TIME_LIMITED, Promotion.status == PromotionStatus.ACTIVE,
               Promotion.starts_at < data.ends_at, Promotion.ends_at > data.starts_at,
               Promotion.ends_at > clock.now(), PromotionItem.sku_id.in_([i.sku_id for i in data.items]))
        .order_by(Sku.id)
    )
    if own_id is not None:
        query = query.where(Promotion.id != own_id)
    clash = session.execute(query.limit(1)).first()
    if clash is not None:
        raise Conflict(PromotionError.PROMOTION_OVERLAP,
                       f"“{clash.title}”（规格 {clash.id}）已在同一时段的活动「{clash.name}」中",
                       field="items", sku_id=clash.id)
