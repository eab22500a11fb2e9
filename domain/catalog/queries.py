"""Read models of the catalog: shop lists, search, product detail and the staff product table.

What shoppers see carries absolute image URLs (``media_url``), so the API answers these objects as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from domain.catalog.errors import CatalogError
from domain.catalog.rich_text import sanitize
from domain.db import paginate
from domain.distribution.rates import preview_fen, viewer_rates
from domain.errors import NotFound
from domain.marketing.queries import PromoView, product_promos, product_tags, sku_promos
from domain.media import media_url
from domain.members.service import member_summary
from domain.models import Category, Product, Sku, User
from domain.money import BP_SCALE, bp_of
from domain.search import contains


@dataclass(frozen=True)
class CategoryView:
    id: int
    name: str
    icon_url: str  # absolute
    sort: int


@dataclass(frozen=True)
class ProductCard:
    id: int
    title: str
    subtitle: str
    cover_url: str  # absolute
    price_fen: int  # the lowest price among active SKUs
    sales: int
    category_id: int | None
    stock: int
    is_on_shelf: bool = True
    promo: PromoView | None = None  # the lowest limited-time price running now, with its end and units left
    promo_price_fen: int | None = None  # the same price, for clients that read only this
    tags: tuple[str, ...] = ()  # 满减 that cover it: "满199减20"
    # Struck through beside the price when above it: the lowest original price among SKUs that have one.
    original_price_fen: int | None = None


def list_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.sort.desc(), Category.id)))


def shop_categories(session: Session) -> list[CategoryView]:
    return [CategoryView(id=c.id, name=c.name, icon_url=media_url(c.icon_url), sort=c.sort)
            for c in list_categories(session)]


def _price_and_stock():
    return (
        select(Sku.product_id, func.min(Sku.price_fen).label("price_fen"), func.sum(Sku.stock).label("stock"),
               func.min(case((Sku.original_price_fen > Sku.price_fen, Sku.original_price_fen)))
               .label("original_price_fen"))
        .where(Sku.is_active.is_(True))
        .group_by(Sku.product_id)
        .subquery()
    )


class ProductSort(StrEnum):
    """The shop list's orders: the shop's own (staff's sort, then newest), or the shopper's pick on the home page."""

    RECOMMENDED = "recommended"
    SALES = "sales"
    PRICE_ASC = "price_asc"  # by the lowest price among active SKUs
    PRICE_DESC = "price_desc"
    NEWEST = "newest"


def list_products(session: Session, *, q: str | None = None, category_id: int | None = None, page: int = 1,
                  page_size: int = 20, include_off_shelf: bool = False,
                  sort: ProductSort = ProductSort.RECOMMENDED) -> tuple[list[ProductCard], int]:
    """One query for the page and one for the total, whatever the page size."""
    agg = _price_and_stock()
    query = (select(Product, agg.c.price_fen, agg.c.stock, agg.c.original_price_fen)
             .join(agg, agg.c.product_id == Product.id))
    if not include_off_shelf:
        query = query.where(Product.is_on_shelf.is_(True))
    if category_id:
        query = query.where(Product.category_id == category_id)
    if q and q.strip():
        query = query.where(or_(contains(Product.title, q.strip()), contains(Product.subtitle, q.strip())))
    order = {
        ProductSort.SALES: (Product.sales.desc(),),
        ProductSort.PRICE_ASC: (agg.c.price_fen.asc(),),
        ProductSort.PRICE_DESC: (agg.c.price_fen.desc(),),
        ProductSort.NEWEST: (Product.created_at.desc(),),
    }.get(sort, (Product.sort.desc(),))
    # The id last, so that equal sales or prices keep one order from page to page.
    query, total = paginate(session, query, *order, Product.id.desc(), page=page, page_size=page_size)
    rows = session.execute(query).all()
    cards = [
        ProductCard(id=p.id, title=p.title, subtitle=p.subtitle, cover_url=media_url(p.cover_url), price_fen=int(price),
                    sales=p.sales, category_id=p.category_id, stock=int(stock or 0), is_on_shelf=p.is_on_shelf,
                    original_price_fen=_struck_through(original, int(price)))
        for p, price, stock, original in rows
    ]
    return with_offers(session, cards), total


def with_offers(session: Session, cards: list[ProductCard]) -> list[ProductCard]:
    """Cards with their running limited-time price and 满减 tags (three queries for the page)."""
    promos = product_promos(session, [c.id for c in cards])
    tags = product_tags(session, [(c.id, c.category_id) for c in cards])
    return [replace(c, promo=promos.get(c.id), tags=tags.get(c.id, ()),
                    promo_price_fen=promos[c.id].promo_price_fen if c.id in promos else None) for c in cards]


def _struck_through(original_fen: int | None, price_fen: int) -> int | None:
    return int(original_fen) if original_fen is not None and original_fen > price_fen else None


def product_detail(session: Session, product_id: int, *, include_off_shelf: bool = False) -> Product:
    product = session.scalar(
        select(Product).where(Product.id == product_id).options(selectinload(Product.skus), selectinload(Product.category))
    )
    if product is None or (not product.is_on_shelf and not include_off_shelf):
        raise NotFound(CatalogError.PRODUCT_NOT_FOUND, "商品不存在或已下架")
    return product


def active_skus(product: Product) -> list[Sku]:
    return [s for s in product.skus if s.is_active]


@dataclass(frozen=True)
class SkuView:
    id: int
    specs: dict[str, str]
    price_fen: int
    stock: int
    member_price_fen: int | None  # the viewer's price when their member level gives a discount
    commission_level1_fen: int | None  # what the viewer earns on it at level 1, when they are a distributor
    promo: PromoView | None = None  # its limited-time price while one runs and has units left
    promo_price_fen: int | None = None
    original_price_fen: int | None = None  # struck through, only when above the price
    image_url: str = ""  # absolute; "" = the product's own images


@dataclass(frozen=True)
class CommissionPreview:
    """What each level would earn on one unit at the lowest price (the 分享赚 figure)."""

    level1_fen: int
    level2_fen: int


@dataclass(frozen=True)
class ProductView:
    id: int
    title: str
    subtitle: str
    description: str
    images: list[str]  # absolute
    category_id: int | None
    category_name: str | None
    price_fen: int  # the lowest price among active SKUs
    sales: int
    spec_names: list[str]  # in the order the SKUs first name them
    skus: list[SkuView]
    commission: CommissionPreview | None  # only for a distributor who qualifies now
    promo: PromoView | None = None  # the lowest limited-time price among its SKUs
    tags: tuple[str, ...] = ()  # 满减 that cover it
    detail_html: str = ""  # sanitised rich text, image addresses absolute, for the mini-program's rich-text


def product_view(session: Session, product_id: int, *, viewer: User | None) -> ProductView:
    """The product as the viewer sees it, with the limited-time prices that run now and the 满减 tags."""
    view = _product_view_at_list_prices(session, product_id, viewer=viewer)
    promos = sku_promos(session, [s.id for s in view.skus])
    skus = [replace(s, promo=promos.get(s.id), promo_price_fen=promos[s.id].promo_price_fen if s.id in promos else None)
            for s in view.skus]
    lowest = min(promos.values(), key=lambda p: p.promo_price_fen, default=None)
    tags = product_tags(session, [(view.id, view.category_id)])[view.id]
    return replace(view, skus=skus, promo=lowest, tags=tags)


def _product_view_at_list_prices(session: Session, product_id: int, *, viewer: User | None) -> ProductView:
    """A product on the shelf as this shopper (or an anonymous visitor) sees it: their member price and, for a
    distributor, what sharing it earns."""
    product = product_detail(session, product_id)
    skus = active_skus(product)
    discount_bp = member_summary(session, viewer).discount_bp if viewer else BP_SCALE
    rates = viewer_rates(session, product, viewer)
    price = min((s.price_fen for s in skus), default=0)
    return ProductView(
        id=product.id, title=product.title, subtitle=product.subtitle, description=product.description,
        images=[media_url(i) for i in product.images], category_id=product.category_id,
        category_name=product.category.name if product.category else None, price_fen=price, sales=product.sales,
        spec_names=list(dict.fromkeys(name for sku in skus for name in sku.specs)),
        skus=[SkuView(id=s.id, specs=s.specs, price_fen=s.price_fen, stock=s.stock,
                      member_price_fen=bp_of(s.price_fen, discount_bp) if discount_bp < BP_SCALE else None,
                      commission_level1_fen=bp_of(s.price_fen, rates.level1_bp) if rates else None,
                      original_price_fen=_struck_through(s.original_price_fen, s.price_fen),
                      image_url=media_url(s.image))
              for s in skus],
        commission=CommissionPreview(*preview_fen(price, rates)) if rates else None,
        detail_html=shopper_detail_html(product.detail_html),
    )


# Images in the mini-program's rich-text keep their own pixel width unless told to fit the screen.
DETAIL_IMAGE_STYLE = "max-width:100%;height:auto;display:block;"


def shopper_detail_html(stored: str) -> str:
    """The stored detail as shoppers get it: sanitised again (nothing else is trusted) with absolute image URLs."""
    return sanitize(stored, image_url=media_url, image_style=DETAIL_IMAGE_STYLE) if stored else ""


def products_by_ids(session: Session, ids: list[int]) -> list[Product]:
    """Full products (with SKUs) for a page of ids, in the given order, in two queries."""
    if not ids:
        return []
    rows = session.scalars(select(Product).where(Product.id.in_(ids)).options(selectinload(Product.skus)))
    by_id = {p.id: p for p in rows}
    return [by_id[i] for i in ids if i in by_id]


# --- Staff views: the dashboard's product table, low-stock warnings and the overview counts. ---

LOW_STOCK_THRESHOLD = 10  # an active SKU with fewer units than this is "low"


@dataclass(frozen=True)
class StaffProductRow:
    id: int
    title: str
    category_name: str | None
    cover_url: str
    min_price_fen: int
    max_price_fen: int
    stock: int
    sales: int
    is_on_shelf: bool
    distribution_enabled: bool
    low_stock_skus: int
    sort: int = 0
    created_at: datetime | None = None


@dataclass(frozen=True)
class LowStockSku:
    sku_id: int
    product_id: int
    title: str
    specs: dict[str, str]
    stock: int


@dataclass(frozen=True)
class CatalogOverview:
    products: int
    on_shelf: int
    categories: int
    low_stock_skus: int


class StaffProductSort(StrEnum):
    """The staff list's orders: the shop's own (the sort value, then newest), newest first, best sellers first."""

    SORT = "sort"
    NEWEST = "newest"
    SALES = "sales"


def staff_product_rows(session: Session, *, q: str | None = None, category_id: int | None = None, page: int = 1,
                       page_size: int = 50, low_stock_below: int = LOW_STOCK_THRESHOLD,
                       on_shelf: bool | None = None, sort: StaffProductSort = StaffProductSort.SORT
                       ) -> tuple[list[StaffProductRow], int]:
    """Every product (or those on, or off, the shelf) with its price range and stock over active SKUs: one query
    per page."""
    agg = (
        select(
            Sku.product_id,
            func.min(Sku.price_fen).label("min_price"),
            func.max(Sku.price_fen).label("max_price"),
            func.sum(Sku.stock).label("stock"),
            func.count(Sku.id).filter(Sku.stock < low_stock_below).label("low"),
        )
        .where(Sku.is_active.is_(True))
        .group_by(Sku.product_id)
        .subquery()
    )
    query = (
        select(Product, Category.name, agg.c.min_price, agg.c.max_price, agg.c.stock, agg.c.low)
        .outerjoin(agg, agg.c.product_id == Product.id)
        .outerjoin(Category, Category.id == Product.category_id)
    )
    if category_id:
        query = query.where(Product.category_id == category_id)
    if q and q.strip():
        query = query.where(or_(contains(Product.title, q.strip()), contains(Product.subtitle, q.strip())))
    if on_shelf is not None:
        query = query.where(Product.is_on_shelf.is_(on_shelf))
    order = {
        StaffProductSort.NEWEST: (Product.created_at.desc(),),
        StaffProductSort.SALES: (Product.sales.desc(),),
    }.get(sort, (Product.sort.desc(),))
    total = session.scalar(select(func.count()).select_from(query.with_only_columns(Product.id).subquery())) or 0
    rows = session.execute(
        query.order_by(*order, Product.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return [
        StaffProductRow(
            id=p.id, title=p.title, category_name=category_name, cover_url=p.cover_url,
            min_price_fen=int(min_price or 0), max_price_fen=int(max_price or 0), stock=int(stock or 0),
            sales=p.sales, is_on_shelf=p.is_on_shelf, distribution_enabled=p.distribution_enabled,
            low_stock_skus=int(low or 0), sort=p.sort, created_at=p.created_at,
        )
        for p, category_name, min_price, max_price, stock, low in rows
    ], total


def low_stock_skus(session: Session, *, below: int = LOW_STOCK_THRESHOLD, limit: int = 100) -> list[LowStockSku]:
    """Active SKUs of products on the shelf that are about to sell out, emptiest first."""
    rows = session.execute(
        select(Sku.id, Sku.product_id, Product.title, Sku.specs, Sku.stock)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.is_active.is_(True), Product.is_on_shelf.is_(True), Sku.stock < below)
        .order_by(Sku.stock, Sku.id)
        .limit(limit)
    ).all()
    return [LowStockSku(sku_id=i, product_id=pid, title=title, specs=dict(specs or {}), stock=stock)
            for i, pid, title, specs, stock in rows]


def catalog_overview(session: Session, *, low_stock_below: int = LOW_STOCK_THRESHOLD) -> CatalogOverview:
    products, on_shelf = session.execute(
        select(func.count(Product.id), func.count(Product.id).filter(Product.is_on_shelf.is_(True)))
    ).one()
    low = session.scalar(
        select(func.count(Sku.id))
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.is_active.is_(True), Product.is_on_shelf.is_(True), Sku.stock < low_stock_below)
    )
    categories = session.scalar(select(func.count(Category.id)))
    return CatalogOverview(products=products or 0, on_shelf=int(on_shelf or 0), categories=categories or 0,
                           low_stock_skus=low or 0)
