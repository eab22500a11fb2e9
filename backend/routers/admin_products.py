from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.deps import CurrentActor, SessionDep
from backend.schemas.catalog import AdminProductOut, ProductIn, ProductPatch, ShelfIn, ShelfOut
from backend.schemas.common import STAFF_ERRORS, IdPath, IdQuery, Page, PageParams, errors, page_params
from domain.catalog import queries
from domain.catalog.service import (
    ProductInput,
    SkuInput,
    copy_product,
    create_product,
    get_product,
    set_on_shelf,
    update_product,
)
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
             category_id: IdQuery = None, is_on_shelf: bool | None = None,
             sort: queries.StaffProductSort = queries.StaffProductSort.SORT) -> Page[AdminProductOut]:
    """On and off the shelf (``is_on_shelf`` picks one); ``sort``: the sort value (then newest), ``newest`` or
    ``sales``."""
    actor.require(Permission.PRODUCTS)
    rows, total = queries.staff_product_rows(session, q=q, category_id=category_id, page=paging.page,
                                             page_size=paging.page_size, on_shelf=is_on_shelf, sort=sort)
    return Page[AdminProductOut](items=queries.products_by_ids(session, [r.id for r in rows]), total=total)


@router.post("/shelf", response_model=ShelfOut, responses=errors(404))
def shelf(body: ShelfIn, actor: CurrentActor, session: SessionDep) -> ShelfOut:
    """Batch on/off shelf. 404 ``product_not_found`` names any unknown id (and nothing changes)."""
    return ShelfOut(changed=set_on_shelf(session, actor=actor, product_ids=body.product_ids,
                                         on_shelf=body.is_on_shelf))


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


@router.post("/{product_id}/copy", response_model=AdminProductOut, status_code=201, responses=errors(404))
def copy(product_id: IdPath, actor: CurrentActor, session: SessionDep) -> Product:
    """A copy to edit into a similar product: off the shelf, no stock, titled “…（副本）”."""
    return copy_product(session, actor=actor, product_id=product_id)
