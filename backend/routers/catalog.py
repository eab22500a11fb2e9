from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.deps import OptionalUser, SessionDep
from backend.schemas.catalog import (
    CategoryOut,
    CommissionPreviewOut,
    ProductCardOut,
    ProductDetailOut,
    SkuOut,
)
from backend.schemas.common import IdPath, IdQuery, Page, PageParams, page_params
from domain.catalog import queries
from domain.distribution.rates import preview_fen, viewer_rates
from domain.media import media_url
from domain.members.service import member_summary
from domain.money import bp_of

router = APIRouter(prefix="/api/v1", tags=["shopper: catalog"])


@router.get("/categories", response_model=list[CategoryOut])
def categories(session: SessionDep) -> list[CategoryOut]:
    return [CategoryOut(id=c.id, name=c.name, icon_url=media_url(c.icon_url), sort=c.sort)
            for c in queries.list_categories(session)]


@router.get("/products", response_model=Page[ProductCardOut])
def products(session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
             category_id: IdQuery = None,
             q: Annotated[str | None, Query(max_length=50)] = None) -> Page[ProductCardOut]:
    cards, total = queries.list_products(session, q=q, category_id=category_id, page=paging.page,
                                         page_size=paging.page_size)
    items = [ProductCardOut(id=c.id, title=c.title, subtitle=c.subtitle, cover_url=media_url(c.cover_url),
                            price_fen=c.price_fen, sales=c.sales, category_id=c.category_id) for c in cards]
    return Page(items=items, total=total)


@router.get("/products/{product_id}", response_model=ProductDetailOut)
def product_detail(product_id: IdPath, session: SessionDep, user: OptionalUser) -> ProductDetailOut:
    product = queries.product_detail(session, product_id)
    skus = queries.active_skus(product)
    discount_bp = member_summary(session, user).discount_bp if user else 10_000
    rates = viewer_rates(session, product, user)
    spec_names: list[str] = []
    for sku in skus:
        for name in sku.specs:
            if name not in spec_names:
                spec_names.append(name)
    price = min((s.price_fen for s in skus), default=0)
    commission = None
    if rates is not None:
        l1, l2 = preview_fen(price, rates)
        commission = CommissionPreviewOut(level1_fen=l1, level2_fen=l2)
    return ProductDetailOut(
        id=product.id, title=product.title, subtitle=product.subtitle, description=product.description,
        images=[media_url(i) for i in product.images], category_id=product.category_id,
        category_name=product.category.name if product.category else None, price_fen=price, sales=product.sales,
        spec_names=spec_names,
        skus=[SkuOut(id=s.id, specs=s.specs, price_fen=s.price_fen, stock=s.stock,
                     member_price_fen=bp_of(s.price_fen, discount_bp) if discount_bp < 10_000 else None,
                     commission_level1_fen=bp_of(s.price_fen, rates.level1_bp) if rates else None)
              for s in skus],
        commission=commission,
    )
