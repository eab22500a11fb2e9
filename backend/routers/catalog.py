from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.deps import OptionalUser, SessionDep
from backend.schemas.catalog import CategoryOut, ProductCardOut, ProductDetailOut
from backend.schemas.common import PUBLIC_ERRORS, IdPath, IdQuery, Page, PageParams, errors, page_params
from domain.catalog import queries

router = APIRouter(prefix="/api/v1", tags=["shopper: catalog"], responses=PUBLIC_ERRORS)


@router.get("/categories", response_model=list[CategoryOut])
def categories(session: SessionDep) -> list[queries.CategoryView]:
    return queries.shop_categories(session)


@router.get("/products", response_model=Page[ProductCardOut])
def products(session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
             category_id: IdQuery = None,
             q: Annotated[str | None, Query(max_length=50)] = None,
             sort: queries.ProductSort = queries.ProductSort.RECOMMENDED) -> Page[ProductCardOut]:
    """``sort``: the shop's own order (``recommended``), or ``sales``, ``price_asc``, ``price_desc``, ``newest``."""
    cards, total = queries.list_products(session, q=q, category_id=category_id, page=paging.page,
                                         page_size=paging.page_size, sort=sort)
    return Page[ProductCardOut](items=cards, total=total)


@router.get("/products/{product_id}", response_model=ProductDetailOut, responses=errors(404))
def product_detail(product_id: IdPath, session: SessionDep, user: OptionalUser) -> queries.ProductView:
    """A product on the shelf (404 ``product_not_found`` otherwise), with the signed-in shopper's member prices
    and, for a distributor, what sharing it earns. A missing or bad token just shows the anonymous view."""
    return queries.product_view(session, product_id, viewer=user)
