"""What an order takes from marketing and gives back: at placement the coupon is locked and the activity's units
are taken, at payment the coupon is used, and at cancellation (by the buyer or on timeout) both come back.

Lock order, the same in checkout and in cancellation: activity items, then user coupons, then SKUs.
"""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from domain.marketing.coupons import release_order_coupons
from domain.marketing.pricing_inputs import Offers
from domain.models import Order, PromotionItem, PromotionUse
from domain.orders.pricing import PricedOrder
from domain.orders.stock import return_promotion_stock


def record_promotion_uses(session: Session, *, order: Order, priced: PricedOrder, offers: Offers) -> dict[int, int]:
    """``promotion_uses`` of the order, written; and the activity units of its promo lines by activity item id, for
    the caller to take, guarded (``take_promotion_stock``). On PostgreSQL an order without a coupon writes its uses
    and takes the units in the statement that writes it (domain/orders/place_writes.py)."""
    uses, taken = promotion_uses(priced=priced, offers=offers)
    if uses:
        # Written before the units are taken: from the activity's row lock to the commit, the placement only takes
        # the coupon and the stock (in a flash sale the next buyer waits for that lock).
        session.add_all(PromotionUse(order_id=order.id, user_id=order.user_id, **use) for use in uses)
        session.flush()
    return taken


def promotion_uses(*, priced: PricedOrder, offers: Offers) -> tuple[list[dict], dict[int, int]]:
    """What an order priced so takes from each activity — units at the promo price, and the 满减 it got — as the
    records' ``promotion_id``, ``sku_id``, ``quantity`` and ``off_fen``; and the activity units of its promo lines by
    activity item id."""
    uses: list[dict] = []
    taken: dict[int, int] = {}
    for line in priced.lines:
        item = offers.items.get(line.sku_id)
        if item is None or not line.on_promo:
            continue
        taken[item.item_id] = taken.get(item.item_id, 0) + line.quantity
        uses.append(dict(promotion_id=item.promotion_id, sku_id=line.sku_id, quantity=line.quantity,
                         off_fen=(line.input.price_fen - item.promo_price_fen) * line.quantity))
    if priced.full_reduction_applied is not None and priced.full_reduction_fen > 0:
        uses.append(dict(promotion_id=priced.full_reduction_applied.id, sku_id=None, quantity=0,
                         off_fen=priced.full_reduction_fen))
    return uses, taken


def release_for_cancelled(session: Session, order_ids: list[int]) -> None:
    """Cancelled orders give back their activity units and their coupons, in a few statements for any number."""
    if not order_ids:
        return
    held = dict(session.execute(
        select(PromotionItem.id, func.sum(PromotionUse.quantity))
        .join(PromotionItem, and_(PromotionItem.promotion_id == PromotionUse.promotion_id,
                                  PromotionItem.sku_id == PromotionUse.sku_id))
        .where(PromotionUse.order_id.in_(order_ids))
        .group_by(PromotionItem.id)
    ).all())
    return_promotion_stock(session, {item_id: int(units) for item_id, units in held.items()})
    release_order_coupons(session, order_ids)
