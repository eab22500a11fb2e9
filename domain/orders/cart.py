"""The shopper's cart."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from domain.catalog.errors import CatalogError
from domain.errors import Conflict, Invalid, NotFound
from domain.media import media_url
from domain.models import CartItem, Product, Sku, User
from domain.orders.errors import CartError, OrderError

MAX_QUANTITY = 999
MAX_CART_LINES = 100


@dataclass(frozen=True)
class CartLine:
    id: int
    sku_id: int
    quantity: int
    selected: bool
    product_id: int
    title: str
    specs: dict[str, str]
    cover_url: str
    price_fen: int
    stock: int
    available: bool  # on the shelf, the SKU active and enough stock


def list_cart(session: Session, *, user: User) -> list[CartLine]:
    rows = session.execute(
        select(CartItem, Sku, Product)
        .join(Sku, Sku.id == CartItem.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(CartItem.user_id == user.id)
        .order_by(CartItem.id.desc())
    ).all()
    return [
        CartLine(id=item.id, sku_id=sku.id, quantity=item.quantity, selected=item.selected, product_id=product.id,
                 title=product.title, specs=sku.specs, cover_url=media_url(product.cover_url), price_fen=sku.price_fen,
                 stock=sku.stock,
                 available=product.is_on_shelf and sku.is_active and sku.stock >= item.quantity)
        for item, sku, product in rows
    ]


def add_to_cart(session: Session, *, user: User, sku_id: int, quantity: int = 1) -> CartItem:
    _check_quantity(quantity)
    sku = _sellable_sku(session, sku_id)
    item = session.scalar(select(CartItem).where(CartItem.user_id == user.id, CartItem.sku_id == sku_id))
    new_quantity = quantity + (item.quantity if item else 0)
    if new_quantity > MAX_QUANTITY:
        raise Invalid(OrderError.INVALID_QUANTITY, f"单个商品最多购买 {MAX_QUANTITY} 件")
    if new_quantity > sku.stock:
        raise Conflict(OrderError.OUT_OF_STOCK, f"库存不足，仅剩 {sku.stock} 件")
    if item:
        item.quantity = new_quantity
        item.selected = True
    else:
        count = session.scalar(select(func.count()).where(CartItem.user_id == user.id)) or 0
        if count >= MAX_CART_LINES:
            raise Conflict(CartError.CART_FULL, f"购物车最多 {MAX_CART_LINES} 种商品")
        item = CartItem(user_id=user.id, sku_id=sku_id, quantity=quantity, selected=True)
        session.add(item)
    session.flush()
    return item


def update_cart_item(session: Session, *, user: User, item_id: int, quantity: int | None = None,
                     selected: bool | None = None) -> CartItem:
    item = _own_item(session, user, item_id)
    if quantity is not None:
        _check_quantity(quantity)
        sku = _sellable_sku(session, item.sku_id)
        if quantity > sku.stock:
            raise Conflict(OrderError.OUT_OF_STOCK, f"库存不足，仅剩 {sku.stock} 件")
        item.quantity = quantity
    if selected is not None:
        item.selected = selected
    session.flush()
    return item


def select_all(session: Session, *, user: User, selected: bool) -> None:
    for item in session.scalars(select(CartItem).where(CartItem.user_id == user.id)):
        item.selected = selected
    session.flush()


def remove_cart_item(session: Session, *, user: User, item_id: int) -> None:
    session.delete(_own_item(session, user, item_id))
    session.flush()


def remove_ordered(session: Session, *, user: User, sku_ids: list[int]) -> None:
    session.execute(delete(CartItem).where(CartItem.user_id == user.id, CartItem.sku_id.in_(sku_ids)))


def _own_item(session: Session, user: User, item_id: int) -> CartItem:
    item = session.get(CartItem, item_id)
    if item is None or item.user_id != user.id:
        raise NotFound(CartError.CART_ITEM_NOT_FOUND, "购物车商品不存在")
    return item


def _sellable_sku(session: Session, sku_id: int) -> Sku:
    row = session.execute(select(Sku, Product.is_on_shelf).join(Product).where(Sku.id == sku_id)).first()
    if row is None:
        raise NotFound(CatalogError.SKU_NOT_FOUND, "商品规格不存在")
    sku, on_shelf = row
    if not on_shelf or not sku.is_active:
        raise Conflict(OrderError.PRODUCT_UNAVAILABLE, "商品已下架")
    return sku


def _check_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid(OrderError.INVALID_QUANTITY, f"数量需为 1–{MAX_QUANTITY} 的整数")
