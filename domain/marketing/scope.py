"""What a coupon or a 满减 covers: all goods, or some products and/or categories."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.catalog.errors import CatalogError
from domain.errors import Invalid, NotFound
from domain.models import Category, Product
from domain.orders.pricing import Scope

MAX_SCOPE_IDS = 200


def checked_scope(session: Session, *, product_ids: Iterable[int], category_ids: Iterable[int],
                  code: str) -> tuple[list[int], list[int]]:
    """The ids, sorted and without repeats, once every one of them is known (two queries)."""
    products, categories = sorted(set(product_ids)), sorted(set(category_ids))
    if len(products) > MAX_SCOPE_IDS or len(categories) > MAX_SCOPE_IDS:
        raise Invalid(code, f"适用范围最多 {MAX_SCOPE_IDS} 个商品和 {MAX_SCOPE_IDS} 个分类", field="scope")
    if any(not isinstance(i, int) or isinstance(i, bool) or i < 1 for i in (*products, *categories)):
        raise Invalid(code, "适用范围需为商品或分类的编号", field="scope")
    known = set(session.scalars(select(Product.id).where(Product.id.in_(products)))) if products else set()
    if missing := [i for i in products if i not in known]:
        raise NotFound(CatalogError.PRODUCT_NOT_FOUND, f"商品不存在：{', '.join(map(str, missing))}", field="scope")
    known = set(session.scalars(select(Category.id).where(Category.id.in_(categories)))) if categories else set()
    if missing := [i for i in categories if i not in known]:
        raise NotFound(CatalogError.CATEGORY_NOT_FOUND, f"分类不存在：{', '.join(map(str, missing))}", field="scope")
    return products, categories


def pricing_scope(product_ids: Iterable[int] | None, category_ids: Iterable[int] | None) -> Scope:
    return Scope(product_ids=frozenset(product_ids or ()), category_ids=frozenset(category_ids or ()))


def covers(product_ids: list[int] | None, category_ids: list[int] | None, *, product_id: int,
           category_id: int | None) -> bool:
    if not product_ids and not category_ids:
        return True
    return product_id in (product_ids or ()) or (category_id is not None and category_id in (category_ids or ()))
