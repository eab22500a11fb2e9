from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.deps import CurrentActor, SessionDep
from backend.schemas.catalog import AdminProductOut, ProductIn, ProductPatch
from backend.schemas.common import STAFF_ERRORS, IdPath, IdQuery, Page, PageParams, errors, page_params
from domain.catalog import queries
from domain.catalog.service import ProductInput, SkuInput, create_product, get_product, update_product
from domain.models import Product
from domain.security.roles import Permission

router = APIRouter(prefix="/api/v1/admin/products", tags=["admin: products"], responses=STAFF_ERRORS)


@router.post("", response_model=AdminProductOut, status_code=201, responses=errors(404))
def create(body: ProductIn, actor: CurrentActor, session: SessionDep) -> Product:
    """404 ``category_not_found`` for an unknown category."""
    data = ProductInput(**body.model_dump(exclude={"skus"}), skus=[SkuInput(**s.model_dump()) for s in body.skus])
    return create_product(session, actor=actor, data=data)


@router.get("", response_model=Page[AdminProductOut])
def list_all(actor: CurrentActor, session: SessionDep, paging: Annotated[PageParams, Depends(page_params)],
             q: Annotated[str | None, Query(max_length=50)] = None,
             category_id: IdQuery = None) -> Page[AdminProductOut]:
    actor.require(Permission.PRODUCTS)
    cards, total = queries.list_products(session, q=q, category_id=category_id, page=paging.page,
                                         page_size=paging.page_size, include_off_shelf=True)
    return Page[AdminProductOut](items=queries.products_by_ids(session, [c.id for c in cards]), total=total)


@router.get("/{product_id}", response_model=AdminProductOut, responses=errors(404))
def read(product_id: IdPath, actor: CurrentActor, session: SessionDep) -> Product:
    actor.require(Permission.PRODUCTS)
    return get_product(session, product_id)


@router.patch("/{product_id}", response_model=AdminProductOut, responses=errors(404))
def patch(product_id: IdPath, body: ProductPatch, actor: CurrentActor, session: SessionDep) -> Product:
    """``skus``, when given, is the full list: SKUs left out are deactivated. 404 ``product_not_found``,
    ``sku_not_found`` (a SKU id of another product) or ``category_not_found``."""
    changes = body.model_dump(exclude_unset=True, exclude={"skus"})
    if body.skus is not None:
        changes["skus"] = [SkuInput(**sku.model_dump()) for sku in body.skus]
    return update_product(session, actor=actor, product_id=product_id, changes=changes)
