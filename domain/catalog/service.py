"""Categories, products and SKUs: what staff edit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from domain.audit.service import record_action
from domain.catalog.errors import CatalogError
from domain.catalog.rich_text import MAX_DETAIL_LENGTH, is_allowed_image, sanitize
from domain.errors import Conflict, Invalid, NotFound
from domain.models import Category, Product, Sku
from domain.money import percent
from domain.security.actor import Actor
from domain.security.roles import Permission
from domain.settings.errors import SettingsError
from domain.settings.service import get_settings

MAX_SKUS = 100
MAX_PRICE_FEN = 100_000_000
MAX_BATCH = 500  # products changed by one batch action
COPY_SUFFIX = "（副本）"
NULLABLE_FIELDS = {"category_id", "commission_level1_bp", "commission_level2_bp"}


@dataclass
class SkuInput:
    specs: dict[str, str]
    price_fen: int
    stock: int
    id: int | None = None
    is_active: bool = True
    original_price_fen: int | None = None  # shown struck through; at least the price
    cost_price_fen: int | None = None
    image: str = ""


@dataclass
class ProductInput:
    title: str
    skus: list[SkuInput]
    category_id: int | None = None
    subtitle: str = ""
    description: str = ""
    detail_html: str = ""  # sanitised on save (domain/catalog/rich_text.py)
    images: list[str] = field(default_factory=list)
    is_on_shelf: bool = True
    sort: int = 0
    distribution_enabled: bool = True
    commission_level1_bp: int | None = None
    commission_level2_bp: int | None = None


def create_category(session: Session, *, actor: Actor, name: str, sort: int = 0, icon_url: str = "") -> Category:
    actor.require(Permission.PRODUCTS)
    name = name.strip()
    if not name or len(name) > 32:
        raise Invalid(CatalogError.INVALID_CATEGORY, "分类名称需为 1–32 个字符")
    if session.scalar(select(Category.id).where(Category.name == name)):
        raise Conflict(CatalogError.CATEGORY_EXISTS, f"分类“{name}”已存在")
    category = Category(name=name, sort=sort, icon_url=icon_url)
    session.add(category)
    session.flush()
    record_action(session, actor=actor, action="category.create", entity_type="category", entity_id=category.id,
                  after={"name": name, "sort": sort})
    return category


def create_product(session: Session, *, actor: Actor, data: ProductInput) -> Product:
    actor.require(Permission.PRODUCTS)
    _validate(session, data)
    product = Product(
        title=data.title.strip(), subtitle=data.subtitle, description=data.description,
        detail_html=sanitize(data.detail_html), images=list(data.images), category_id=data.category_id, is_on_shelf=data.is_on_shelf, sort=data.sort,
        distribution_enabled=data.distribution_enabled, commission_level1_bp=data.commission_level1_bp,
        commission_level2_bp=data.commission_level2_bp,
    )
    product.skus = [_new_sku(s) for s in data.skus]
    session.add(product)
    session.flush()
    record_action(session, actor=actor, action="product.create", entity_type="product", entity_id=product.id,
                  after=product_snapshot(product))
    return product


def update_product(session: Session, *, actor: Actor, product_id: int, changes: dict) -> Product:
    """Partial update. ``skus``, when given, is the full list: SKUs with an ``id`` are updated, new ones added,
    and SKUs left out are deactivated (never deleted, since orders refer to them)."""
    actor.require(Permission.PRODUCTS)
    product = get_product(session, product_id)
    before = product_snapshot(product)
    current = ProductInput(
        title=product.title, subtitle=product.subtitle, description=product.description,
        detail_html=product.detail_html, images=list(product.images), category_id=product.category_id, is_on_shelf=product.is_on_shelf, sort=product.sort,
        distribution_enabled=product.distribution_enabled, commission_level1_bp=product.commission_level1_bp,
        commission_level2_bp=product.commission_level2_bp,
        skus=[_sku_input(s) for s in product.skus if s.is_active],
    )
    unknown = set(changes) - set(ProductInput.__dataclass_fields__)
    if unknown:
        raise Invalid(CatalogError.UNKNOWN_FIELD, f"未知字段：{', '.join(sorted(unknown))}")
    emptied = sorted(k for k, v in changes.items() if v is None and k not in NULLABLE_FIELDS)
    if emptied:
        raise Invalid(CatalogError.FIELD_REQUIRED, f"不能为空：{', '.join(emptied)}")
    for key, value in changes.items():
        if key == "skus":
            value = [s if isinstance(s, SkuInput) else SkuInput(**s) for s in value]
        setattr(current, key, value)
    _validate(session, current)

    for key in ("subtitle", "description", "category_id", "is_on_shelf", "sort", "distribution_enabled",
                "commission_level1_bp", "commission_level2_bp"):
        setattr(product, key, getattr(current, key))
    product.detail_html = sanitize(current.detail_html)
    product.title = current.title.strip()
    product.images = list(current.images)
    if "skus" in changes:
        by_id = {s.id: s for s in product.skus}
        keep: set[int] = set()
        for s in current.skus:
            if s.id is not None:
                if s.id not in by_id:
                    raise NotFound(CatalogError.SKU_NOT_FOUND, f"规格 {s.id} 不属于该商品")
                sku = by_id[s.id]
                sku.specs, sku.price_fen, sku.stock, sku.is_active = _clean_specs(s.specs), s.price_fen, s.stock, s.is_active
                sku.original_price_fen, sku.cost_price_fen = s.original_price_fen, s.cost_price_fen
                sku.image = s.image.strip()
                keep.add(s.id)
            else:
                product.skus.append(_new_sku(replace(s, is_active=True)))
        for sku_id, sku in by_id.items():
            if sku_id not in keep:
                sku.is_active = False
    session.flush()
    record_action(session, actor=actor, action="product.update", entity_type="product", entity_id=product.id,
                  before=before, after=product_snapshot(product))
    return product


def adjust_stock(session: Session, *, actor: Actor, sku_id: int, delta: int, reason: str = "") -> Sku:
    """Add (or remove) stock relative to what is there now, so that sales in between are not overwritten."""
    actor.require(Permission.PRODUCTS)
    sku = session.get(Sku, sku_id)
    if sku is None:
        raise NotFound(CatalogError.SKU_NOT_FOUND, "规格不存在")
    before = sku.stock
    result = session.execute(
        update(Sku).where(Sku.id == sku_id, Sku.stock + delta >= 0).values(stock=Sku.stock + delta)
    )
    if result.rowcount != 1:
        raise Conflict(CatalogError.STOCK_NEGATIVE, "调整后库存不能为负数")
    session.refresh(sku)
    record_action(session, actor=actor, action="sku.adjust_stock", entity_type="sku", entity_id=sku_id,
                  before={"stock": before}, after={"stock": sku.stock, "delta": delta, "reason": reason})
    return sku


def copy_product(session: Session, *, actor: Actor, product_id: int) -> Product:
    """A new product like this one, to edit into a similar one: off the shelf, with no stock and no sales yet
    (stock is goods in the warehouse, which a copy does not double)."""
    actor.require(Permission.PRODUCTS)
    source = get_product(session, product_id)
    title = source.title[:120 - len(COPY_SUFFIX)] + COPY_SUFFIX
    copy = Product(
        title=title, subtitle=source.subtitle, description=source.description, detail_html=source.detail_html,
        images=list(source.images), category_id=source.category_id, is_on_shelf=False, sort=source.sort,
        distribution_enabled=source.distribution_enabled, commission_level1_bp=source.commission_level1_bp,
        commission_level2_bp=source.commission_level2_bp,
    )
    copy.skus = [_new_sku(replace(_sku_input(s), stock=0)) for s in source.skus if s.is_active]
    session.add(copy)
    session.flush()
    record_action(session, actor=actor, action="product.copy", entity_type="product", entity_id=copy.id,
                  before={"source_id": source.id, "title": source.title}, after=product_snapshot(copy))
    return copy


def set_on_shelf(session: Session, *, actor: Actor, product_ids: list[int], on_shelf: bool) -> int:
    """Put products on the shelf, or take them off, in one statement; returns how many changed. Products already
    so are left alone (and not audited)."""
    actor.require(Permission.PRODUCTS)
    ids = sorted(set(product_ids))
    if not ids:
        raise Invalid(CatalogError.NO_PRODUCTS_CHOSEN, "请先选择商品")
    if len(ids) > MAX_BATCH:
        raise Invalid(CatalogError.TOO_MANY_PRODUCTS, f"一次最多处理 {MAX_BATCH} 件商品")
    found = dict(session.execute(select(Product.id, Product.is_on_shelf).where(Product.id.in_(ids))).all())
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(CatalogError.PRODUCT_NOT_FOUND, f"商品不存在：{', '.join(f'#{i}' for i in missing)}")
    changing = [i for i in ids if found[i] != on_shelf]
    if changing:
        session.execute(update(Product).where(Product.id.in_(changing)).values(is_on_shelf=on_shelf))
    for product_id in changing:
        record_action(session, actor=actor, action="product.shelve" if on_shelf else "product.unshelve",
                      entity_type="product", entity_id=product_id, before={"is_on_shelf": not on_shelf},
                      after={"is_on_shelf": on_shelf})
    session.flush()
    return len(changing)


def get_product(session: Session, product_id: int) -> Product:
    product = session.scalar(
        select(Product).where(Product.id == product_id).options(selectinload(Product.skus))
    )
    if product is None:
        raise NotFound(CatalogError.PRODUCT_NOT_FOUND, "商品不存在")
    return product


def product_snapshot(product: Product) -> dict:
    return {
        "title": product.title,
        "category_id": product.category_id,
        "is_on_shelf": product.is_on_shelf,
        "sort": product.sort,
        "images": list(product.images),
        "distribution_enabled": product.distribution_enabled,
        "commission_level1_bp": product.commission_level1_bp,
        "commission_level2_bp": product.commission_level2_bp,
        "skus": [{"id": s.id, "specs": s.specs, "price_fen": s.price_fen, "original_price_fen": s.original_price_fen,
                  "cost_price_fen": s.cost_price_fen, "image": s.image, "stock": s.stock, "is_active": s.is_active}
                 for s in product.skus],
    }


def _new_sku(s: SkuInput) -> Sku:
    return Sku(specs=_clean_specs(s.specs), price_fen=s.price_fen, stock=s.stock, is_active=s.is_active,
               original_price_fen=s.original_price_fen, cost_price_fen=s.cost_price_fen, image=s.image.strip())


def _sku_input(s: Sku) -> SkuInput:
    return SkuInput(id=s.id, specs=dict(s.specs), price_fen=s.price_fen, stock=s.stock, is_active=s.is_active,
                    original_price_fen=s.original_price_fen, cost_price_fen=s.cost_price_fen, image=s.image)


def _clean_specs(specs: dict) -> dict[str, str]:
    return {str(k).strip(): str(v).strip() for k, v in (specs or {}).items() if str(k).strip()}


def _validate(session: Session, data: ProductInput) -> None:
    title = (data.title or "").strip()
    if not title or len(title) > 120:
        raise Invalid(CatalogError.INVALID_TITLE, "商品标题需为 1–120 个字符")
    if len(sanitize(data.detail_html)) > MAX_DETAIL_LENGTH:
        raise Invalid(CatalogError.DETAIL_TOO_LONG, f"商品详情不能超过 {MAX_DETAIL_LENGTH} 个字符")
    _validate_skus(data.skus)
    if data.category_id is not None and session.get(Category, data.category_id) is None:
        raise NotFound(CatalogError.CATEGORY_NOT_FOUND, "分类不存在")
    _validate_commission(session, data.commission_level1_bp, data.commission_level2_bp)


@dataclass(frozen=True)
class SkuProblem:
    """What is wrong with one value of one SKU: ``row`` counts the SKUs as given, from 1."""

    row: int
    field: str  # a SkuInput field: price_fen, original_price_fen, cost_price_fen, stock, specs, image
    code: CatalogError
    message: str


def sku_problems(skus: list[SkuInput]) -> list[SkuProblem]:
    """Every problem of every SKU at once, so that staff fix the whole table in one go."""
    problems: list[SkuProblem] = []
    seen: set[tuple] = set()
    for row, s in enumerate(skus, start=1):
        problems.extend(SkuProblem(row, name, code, message) for name, code, message in _value_problems(s))
        key = tuple(sorted(_clean_specs(s.specs).items()))
        if s.is_active and key in seen:
            problems.append(SkuProblem(row, "specs", CatalogError.DUPLICATE_SKU,
                                       f"规格重复：{' / '.join(v for _, v in key) or '默认'}"))
        seen.add(key)
    return problems


def _value_problems(s: SkuInput) -> list[tuple[str, CatalogError, str]]:
    found = []
    price_ok = _is_whole_number(s.price_fen) and 0 < s.price_fen <= MAX_PRICE_FEN
    if not _is_whole_number(s.price_fen) or s.price_fen <= 0:
        found.append(("price_fen", CatalogError.INVALID_PRICE, "价格必须是大于 0 的整数（分）"))
    elif s.price_fen > MAX_PRICE_FEN:
        found.append(("price_fen", CatalogError.INVALID_PRICE, "价格过高"))
    original = s.original_price_fen
    if original is not None and (not _is_whole_number(original) or not 0 < original <= MAX_PRICE_FEN):
        found.append(("original_price_fen", CatalogError.INVALID_ORIGINAL_PRICE, "原价必须是大于 0 的整数（分）"))
    elif original is not None and price_ok and original < s.price_fen:
        found.append(("original_price_fen", CatalogError.INVALID_ORIGINAL_PRICE, "原价不能低于售价"))
    cost = s.cost_price_fen
    if cost is not None and (not _is_whole_number(cost) or not 0 <= cost <= MAX_PRICE_FEN):
        found.append(("cost_price_fen", CatalogError.INVALID_COST_PRICE, "成本价必须是不小于 0 的整数（分）"))
    if not _is_whole_number(s.stock) or s.stock < 0:
        found.append(("stock", CatalogError.INVALID_STOCK, "库存必须是不小于 0 的整数"))
    if s.image and s.image.strip() and not is_allowed_image(s.image):
        found.append(("image", CatalogError.INVALID_IMAGE, "规格图片须来自本店图片库或 https 地址"))
    return found


def _validate_skus(skus: list[SkuInput]) -> None:
    if not any(s.is_active for s in skus):
        raise Invalid(CatalogError.NO_SKUS, "至少需要一个规格")
    if len(skus) > MAX_SKUS:
        raise Invalid(CatalogError.TOO_MANY_SKUS, f"规格不能超过 {MAX_SKUS} 个")
    problems = sku_problems(skus)
    if problems:
        many = len(skus) > 1
        raise Invalid(problems[0].code,
                      "；".join(f"第 {p.row} 个规格：{p.message}" if many else p.message for p in problems),
                      problems=[asdict(p) for p in problems])


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_commission(session: Session, l1: int | None, l2: int | None) -> None:
    """A product's own rates: both or neither, and under the same rules as the shop's (never negative, the cap)."""
    if (l1 is None) != (l2 is None):
        raise Invalid(CatalogError.INVALID_COMMISSION_OVERRIDE, "一级和二级佣金需同时设置，或都留空使用全局设置")
    if l1 is None or l2 is None:
        return
    if l1 < 0 or l2 < 0:
        raise Invalid(SettingsError.NEGATIVE_RATE, "佣金比例不能为负数")
    cap = get_settings(session).commission_cap_bp
    if l1 + l2 > cap:
        raise Invalid(SettingsError.COMMISSION_CAP_EXCEEDED,
                      f"一级 + 二级佣金合计 {percent(l1 + l2)} 超过上限 {percent(cap)}")
