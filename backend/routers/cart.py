"""The cart and the address book."""

from __future__ import annotations

from fastapi import APIRouter

from backend.deps import CurrentUser, SessionDep
from backend.schemas.common import SHOPPER_ERRORS, IdPath, Ok, errors
from backend.schemas.orders import (
    AddressIn,
    AddressOut,
    AddressPatch,
    CartItemIn,
    CartItemPatch,
    CartOut,
    CartSelectAll,
)
from domain.orders import addresses as book
from domain.orders import cart
from domain.orders.addresses import AddressView
from domain.orders.cart_summary import CartView, cart_view
from domain.security.actor import Shopper

router = APIRouter(prefix="/api/v1", tags=["shopper: cart and addresses"], responses=SHOPPER_ERRORS)


@router.get("/cart", response_model=CartOut)
def get_cart(user: CurrentUser, session: SessionDep) -> CartView:
    return cart_view(session, user=user)


@router.post("/cart/items", response_model=CartOut, status_code=201, responses=errors(404, 409))
def add_item(body: CartItemIn, user: CurrentUser, session: SessionDep) -> CartView:
    cart.add_to_cart(session, user=user, sku_id=body.sku_id, quantity=body.quantity)
    return cart_view(session, user=user)


@router.patch("/cart/items/{item_id}", response_model=CartOut, responses=errors(404, 409))
@router.put("/cart/items/{item_id}", response_model=CartOut, responses=errors(404, 409),
            description="Same as PATCH: wx.request cannot send PATCH.")
def update_item(item_id: IdPath, body: CartItemPatch, user: CurrentUser, session: SessionDep) -> CartView:
    cart.update_cart_item(session, user=user, item_id=item_id, quantity=body.quantity, selected=body.selected)
    return cart_view(session, user=user)


@router.delete("/cart/items/{item_id}", response_model=CartOut, responses=errors(404))
def delete_item(item_id: IdPath, user: CurrentUser, session: SessionDep) -> CartView:
    cart.remove_cart_item(session, user=user, item_id=item_id)
    return cart_view(session, user=user)


@router.post("/cart/select-all", response_model=CartOut)
def select_all(body: CartSelectAll, user: CurrentUser, session: SessionDep) -> CartView:
    cart.select_all(session, user=user, selected=body.selected)
    return cart_view(session, user=user)


@router.get("/addresses", response_model=list[AddressOut])
def list_addresses(user: CurrentUser, session: SessionDep) -> list[AddressView]:
    return book.address_book(session, viewer=Shopper.of(user))


@router.post("/addresses", response_model=AddressOut, status_code=201, responses=errors(409))
def create_address(body: AddressIn, user: CurrentUser, session: SessionDep) -> AddressView:
    address = book.create_address(session, user=user, data=book.AddressInput(**body.model_dump()))
    return book.address_view(address, viewer=Shopper.of(user))


@router.get("/addresses/{address_id}", response_model=AddressOut, responses=errors(404))
def get_address(address_id: IdPath, user: CurrentUser, session: SessionDep) -> AddressView:
    return book.address_view(book.get_address(session, user=user, address_id=address_id), viewer=Shopper.of(user))


@router.patch("/addresses/{address_id}", response_model=AddressOut, responses=errors(404))
@router.put("/addresses/{address_id}", response_model=AddressOut, responses=errors(404),
            description="Same as PATCH: wx.request cannot send PATCH.")
def update_address(address_id: IdPath, body: AddressPatch, user: CurrentUser, session: SessionDep) -> AddressView:
    address = book.update_address(session, user=user, address_id=address_id,
                                  changes=body.model_dump(exclude_unset=True))
    return book.address_view(address, viewer=Shopper.of(user))


@router.delete("/addresses/{address_id}", response_model=Ok, responses=errors(404))
def delete_address(address_id: IdPath, user: CurrentUser, session: SessionDep) -> Ok:
    book.delete_address(session, user=user, address_id=address_id)
    return Ok()
