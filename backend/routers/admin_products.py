from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.deps import CurrentActor, SessionDep
from backend.schemas.catalog import (
    AdminProductOut,
    AdminSkuOut,
    ProductIn,
    ProductPatch,
)
from backend.schemas.common import IdPath, IdQuery, Page, PageParams, page_params
from domain.catalog import queries
from domain.catalog.service import (
    ProductInput,
    SkuInput,
    create_product,
    get_product,
    update_product,
)
from domain.security.roles import Permission

router = APIRouter(prefix="/api/v1/admin/products", tags=["admin: products"])


def product_out(product) -> AdminProductOut:
    return AdminProductOut(
        id=product.id, title=product.title, subtitle=product.subtitle, description=product.description,
        images=list(product.images), category_id=product.category_id, is_on_shelf=product.is_on_shelf,
        sort=product.sort, sales=product.sales, distribution_enabled=product.distribution_enabled,
        commission_level1_bp=product.commission_level1_bp, commission_level2_bp=product.commission_level2_bp,
        skus=[AdminSkuOut(id=s.id, specs=s.specs, price_fen=s.price_fen, stock=s.stock, is_active=s.is_active)
              for s in product.skus],
    )


@router.post("", response_model=AdminProductOut, status_code=201)
def create(body: ProductIn, actor: CurrentActor, session: SessionDep) -> AdminProductOut:
    data = ProductInput(**body.model_dump(exclude={"skus"}), skus=[SkuInput(**s.model_dump()) for s in body.skus])
    return product_out(create_product(session, actor=actor, data=data))


@router.get("", response_model=Page[AdminProductOut])
def list_all(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
             q: Annotated[str | None, Query(max_length=50)] = None,
             category_id: IdQuery = None) -> Page[AdminProductOut]:
    actor.require(Permission.PRODUCTS)
    cards, total = queries.list_products(session, q=q, category_id=category_id, page=paging.page,
                                         page_size=paging.page_size, include_off_shelf=True)
    products = queries.products_by_ids(session, [c.id for c in cards])
    return Page(items=[product_out(p) for p in products], total=total)


@router.get("/{product_id}", response_model=AdminProductOut)
def read(product_id: IdPath, actor: CurrentActor, session: SessionDep) -> AdminProductOut:
    actor.require(Permission.PRODUCTS)
    return product_out(get_product(session, product_id))


@router.patch("/{product_id}", response_model=AdminProductOut)
def patch(product_id: IdPath, body: ProductPatch, actor: CurrentActor, session: SessionDep) -> AdminProductOut:
    changes = body.model_dump(exclude_unset=True, exclude={"skus"})
    if body.skus is not None:
        changes["skus"] = [SkuInput(**sku.model_dump()) for sku in body.skus]
    return product_out(update_product(session, actor=actor, product_id=product_id, changes=changes))
