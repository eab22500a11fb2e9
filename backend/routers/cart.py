"""The cart and the address book."""

from __future__ import annotations

from fastapi import APIRouter

from backend.deps import CurrentUser, SessionDep
from backend.schemas.common import IdPath, Ok
from backend.schemas.orders import (
    AddressIn,
    AddressOut,
    AddressPatch,
    CartItemIn,
    CartItemPatch,
    CartLineOut,
    CartOut,
    CartSelectAll,
)
from domain.media import media_url
from domain.orders import addresses as book
from domain.orders import cart, checkout

router = APIRouter(prefix="/api/v1", tags=["shopper: cart and addresses"])


def _cart(session, user) -> CartOut:
    lines = cart.list_cart(session, user=user)
    items = [CartLineOut(**{**line.__dict__, "cover_url": media_url(line.cover_url)}) for line in lines]
    chosen = [line for line in lines if line.selected and line.available]
    goods = discount = 0
    if chosen:
        # The same engine as checkout, so the cart's total never disagrees with the order's.
        priced = checkout.preview_order(
            session, user=user, items=[checkout.OrderItem(sku_id=line.sku_id, quantity=line.quantity) for line in chosen]
        ).priced
        goods, discount = priced.goods_fen, priced.goods_fen - priced.paid_goods_fen
    return CartOut(items=items, total=len(items), selected_count=sum(line.quantity for line in chosen),
                   selected_goods_fen=goods, selected_discount_fen=discount, selected_amount_fen=goods - discount)


@router.get("/cart", response_model=CartOut)
def get_cart(user: CurrentUser, session: SessionDep) -> CartOut:
    return _cart(session, user)


@router.post("/cart/items", response_model=CartOut, status_code=201)
def add_item(body: CartItemIn, user: CurrentUser, session: SessionDep) -> CartOut:
    cart.add_to_cart(session, user=user, sku_id=body.sku_id, quantity=body.quantity)
    return _cart(session, user)


@router.patch("/cart/items/{item_id}", response_model=CartOut)
@router.put("/cart/items/{item_id}", response_model=CartOut, description="Same as PATCH: wx.request cannot send PATCH.")
def update_item(item_id: IdPath, body: CartItemPatch, user: CurrentUser, session: SessionDep) -> CartOut:
    cart.update_cart_item(session, user=user, item_id=item_id, quantity=body.quantity, selected=body.selected)
    return _cart(session, user)


@router.delete("/cart/items/{item_id}", response_model=CartOut)
def delete_item(item_id: IdPath, user: CurrentUser, session: SessionDep) -> CartOut:
    cart.remove_cart_item(session, user=user, item_id=item_id)
    return _cart(session, user)


@router.post("/cart/select-all", response_model=CartOut)
def select_all(body: CartSelectAll, user: CurrentUser, session: SessionDep) -> CartOut:
    cart.select_all(session, user=user, selected=body.selected)
    return _cart(session, user)


def address_out(address) -> AddressOut:
    return AddressOut(id=address.id, name=book.name_of(address), phone=book.phone_of(address), province=address.province,
                      city=address.city, district=address.district, detail=address.detail,
                      is_default=address.is_default)


@router.get("/addresses", response_model=list[AddressOut])
def list_addresses(user: CurrentUser, session: SessionDep) -> list[AddressOut]:
    return [address_out(a) for a in book.list_addresses(session, user=user)]


@router.post("/addresses", response_model=AddressOut, status_code=201)
def create_address(body: AddressIn, user: CurrentUser, session: SessionDep) -> AddressOut:
    return address_out(book.create_address(session, user=user, data=book.AddressInput(**body.model_dump())))


@router.get("/addresses/{address_id}", response_model=AddressOut)
def get_address(address_id: IdPath, user: CurrentUser, session: SessionDep) -> AddressOut:
    return address_out(book.get_address(session, user=user, address_id=address_id))


@router.patch("/addresses/{address_id}", response_model=AddressOut)
@router.put("/addresses/{address_id}", response_model=AddressOut, description="Same as PATCH: wx.request cannot send PATCH.")
def update_address(address_id: IdPath, body: AddressPatch, user: CurrentUser, session: SessionDep) -> AddressOut:
    changes = body.model_dump(exclude_unset=True)
    return address_out(book.update_address(session, user=user, address_id=address_id, changes=changes))


@router.delete("/addresses/{address_id}", response_model=Ok)
def delete_address(address_id: IdPath, user: CurrentUser, session: SessionDep) -> Ok:
    book.delete_address(session, user=user, address_id=address_id)
    return Ok()
