"""The cart as the shopper sees it: its lines, and what the selected ones cost, priced by checkout's engine so
that the cart's total never disagrees with the order's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from domain.models import User
from domain.orders.cart import CartLine, list_cart
from domain.orders.checkout import OrderItem, preview_order


@dataclass(frozen=True)
class CartView:
    items: tuple[CartLine, ...]
    total: int
    selected_count: int  # units of the selected lines that can be bought
    selected_goods_fen: int  # those units at their unit prices
    selected_discount_fen: int  # member discount and activities, as checkout will apply them
    selected_amount_fen: int  # what they cost (shipping is added at checkout)


def cart_view(session: Session, *, user: User) -> CartView:
    lines = list_cart(session, user=user)
    chosen = [line for line in lines if line.selected and line.available]
    goods = discount = 0
    if chosen:
        priced = preview_order(
            session, user=user, items=[OrderItem(sku_id=line.sku_id, quantity=line.quantity) for line in chosen],
            lenient=True,  # a total to show, never a refusal: checkout says what is over a limit
        ).priced
        goods, discount = priced.goods_fen, priced.goods_fen - priced.paid_goods_fen
    return CartView(items=tuple(lines), total=len(lines), selected_count=sum(line.quantity for line in chosen),
                    selected_goods_fen=goods, selected_discount_fen=discount, selected_amount_fen=goods - discount)
