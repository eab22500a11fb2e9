"""Read models of the catalog: shop lists, search, product detail and the staff product table."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from domain.errors import NotFound
from domain.models import Category, Product, Sku


@dataclass(frozen=True)
class ProductCard:
    id: int
    title: str
    subtitle: str
    cover_url: str
    price_fen: int
    sales: int
    category_id: int | None
    stock: int
    is_on_shelf: bool = True


def list_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.sort.desc(), Category.id)))


def _price_and_stock():
    return (
        select(Sku.product_id, func.min(Sku.price_fen).label("price_fen"), func.sum(Sku.stock).label("stock"))
        .where(Sku.is_active.is_(True))
        .group_by(Sku.product_id)
        .subquery()
    )


def list_products(session: Session, *, q: str | None = None, category_id: int | None = None, page: int = 1,
                  page_size: int = 20, include_off_shelf: bool = False) -> tuple[list[ProductCard], int]:
    """One query for the page and one for the total, whatever the page size."""
    agg = _price_and_stock()
    query = select(Product, agg.c.price_fen, agg.c.stock).join(agg, agg.c.product_id == Product.id)
    if not include_off_shelf:
        query = query.where(Product.is_on_shelf.is_(True))
    if category_id:
        query = query.where(Product.category_id == category_id)
    if q and q.strip():
        pattern = f"%{_escape_like(q.strip())}%"
        query = query.where(or_(Product.title.ilike(pattern, escape="\\"), Product.subtitle.ilike(pattern, escape="\\")))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Product.sort.desc(), Product.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    cards = [
        ProductCard(id=p.id, title=p.title, subtitle=p.subtitle, cover_url=p.cover_url, price_fen=int(price),
                    sales=p.sales, category_id=p.category_id, stock=int(stock or 0), is_on_shelf=p.is_on_shelf)
        for p, price, stock in rows
    ]
    return cards, total


def product_detail(session: Session, product_id: int, *, include_off_shelf: bool = False) -> Product:
    product = session.scalar(
        select(Product).where(Product.id == product_id).options(selectinload(Product.skus), selectinload(Product.category))
    )
    if product is None or (not product.is_on_shelf and not include_off_shelf):
        raise NotFound("product_not_found", "商品不存在或已下架")
    return product


def active_skus(product: Product) -> list[Sku]:
    return [s for s in product.skus if s.is_active]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def products_by_ids(session: Session, ids: list[int]) -> list[Product]:
    """Full products (with SKUs) for a page of ids, in the given order, in two queries."""
    if not ids:
        return []
    rows = session.scalars(select(Product).where(Product.id.in_(ids)).options(selectinload(Product.skus)))
    by_id = {p.id: p for p in rows}
    return [by_id[i] for i in ids if i in by_id]
