"""Preview and place an order: one pricing engine, idempotent placement, snapshots and guarded stock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from domain import clock
from domain.db import is_postgres
from domain.errors import Conflict, Invalid
from domain.marketing.coupons import lock_for_order
from domain.marketing.errors import CouponError
from domain.marketing.pricing_inputs import (
    ChosenCoupon,
    CouponRefusal,
    Offers,
    RunningItem,
    UnusableCoupon,
    UsableCoupon,
    chosen_coupon,
    coupon_choices,
    engine_refusal,
    marketing_offers,
)
from domain.marketing.redemption import promotion_uses, record_promotion_uses
from domain.media import media_url
from domain.members.service import LevelRow, member_summary
from domain.models import Address, Order, OrderStatus, User
from domain.numbers import business_number
from domain.orders import addresses as address_book
from domain.orders.cart import remove_ordered
from domain.orders.checkout_reads import (
    PLACING,
    PREVIEWING,
    Listed,
    OrderItem,
    load_lines,
    read_for_token,
)
from domain.orders.errors import OrderError
from domain.orders.order_inserts import insert_lines, insert_order
from domain.orders.order_rows import Record
from domain.orders.place_writes import write_placement
from domain.orders.pricing import FullReduction, LineInput, PricedOrder, PricingRules, price_order
from domain.orders.queries import OrderView, new_order_view, order_detail
from domain.orders.stock import refuse_if_short, take_promotion_stock, take_stock
from domain.security import crypto
from domain.security.actor import Shopper
from domain.settings.service import get_settings
from domain.users.service import user_for_token


@dataclass
class Preview:
    priced: PricedOrder
    catalog: dict[int, Listed]
    offers: Offers | None = None
    rules: PricingRules | None = None
    coupon: ChosenCoupon | None = None

    @property
    def coupon_refusal(self) -> CouponRefusal | None:
        """Why the chosen coupon does not apply (its state, or this cart), or None."""
        if self.coupon is None:
            return None
        return self.coupon.refusal or engine_refusal(self.priced, self.coupon.terms)


@dataclass(frozen=True)
class PreviewLine:
    sku_id: int
    product_id: int
    title: str
    specs: dict[str, str]
    cover_url: str
    quantity: int
    unit_price_fen: int
    amount_fen: int
    discount_fen: int
    paid_fen: int
    promo_price_fen: int | None = None  # the limited-time price this line is bought at
    promotion_id: int | None = None


@dataclass(frozen=True)
class AppliedFullReduction:
    promotion_id: int
    name: str
    off_fen: int


@dataclass(frozen=True)
class OrderPreview:
    """The price breakdown the shopper sees before placing the order."""

    lines: tuple[PreviewLine, ...]
    goods_fen: int
    member_discount_fen: int
    full_reduction_fen: int
    coupon_discount_fen: int
    shipping_fen: int
    payable_fen: int
    usable_coupons: tuple[UsableCoupon, ...] = ()  # best first, each with what it takes off this cart
    unusable_coupons: tuple[UnusableCoupon, ...] = ()  # with the reason
    full_reduction: AppliedFullReduction | None = None
    coupon_id: int | None = None  # the chosen coupon, when it applies
    coupon_refusal: CouponRefusal | None = None  # why the chosen coupon does not apply


def preview_order(session: Session, *, user: User, items: list[OrderItem], coupon_id: int | None = None,
                  lock: bool = False, lenient: bool = False) -> Preview:
    """What the order would cost now; the same code prices the real order (``lock``: placing it) and the cart's
    total (``lenient``: promo lines over a limit are priced normally instead of refused)."""
    lines, catalog, running = load_lines(session, items)
    return _priced(session, user=user, lines=lines, catalog=catalog, running=running, coupon_id=coupon_id, lock=lock,
                   lenient=lenient)


def _priced(session: Session, *, user: User, lines: list[LineInput], catalog: dict[int, Listed],
            running: dict[int, RunningItem], coupon_id: int | None, lock: bool, lenient: bool = False,
            levels: tuple[LevelRow, ...] | None = None,
            full_reductions: tuple[FullReduction, ...] | None = None) -> Preview:
    """``running``: the lines' running limited-time items, read with the SKUs; ``levels`` and ``full_reductions``:
    the member levels and the running 满减 activities when this transaction read them already (with the token)."""
    offers = marketing_offers(session, user=user, lines=lines, titles={k: c.title for k, c in catalog.items()},
                              lock=lock, lenient=lenient, items=running, full_reductions=full_reductions)
    coupon = chosen_coupon(session, user=user, coupon_id=coupon_id)
    rules = _rules(session, user, offers, coupon, levels)
    return Preview(priced=price_order(offers.lines, rules), catalog=catalog, offers=offers, rules=rules, coupon=coupon)


def order_preview(session: Session, *, user: User, items: list[OrderItem], coupon_id: int | None = None) -> OrderPreview:
    return _order_preview(session, user=user, preview=preview_order(session, user=user, items=items,
                                                                    coupon_id=coupon_id), coupon_id=coupon_id)


def order_preview_for_token(session: Session, *, token: str, items: list[OrderItem],
                            coupon_id: int | None = None) -> OrderPreview:
    """``order_preview`` for the shopper whose token this is (POST /orders/preview): the shopper, the member levels,
    the running 满减 activities and the SKUs in one statement, as placing reads them; then the shopper's coupons.
    The items' own refusals come after the token's, as placing has them."""
    reads = read_for_token(session, token, PREVIEWING, items)
    if reads.refusal is not None:
        raise reads.refusal
    user = reads.shopper
    lines, catalog, running = load_lines(session, items, reads.now, rows=reads.catalog_rows)
    preview = _priced(session, user=user, lines=lines, catalog=catalog, running=running, coupon_id=coupon_id,
                      lock=False, levels=reads.levels, full_reductions=reads.full_reductions)
    return _order_preview(session, user=user, preview=preview, coupon_id=coupon_id)


def _order_preview(session: Session, *, user: User | Record, preview: Preview, coupon_id: int | None) -> OrderPreview:
    p = preview.priced
    lines = []
    for line in p.lines:
        listed = preview.catalog[line.sku_id]
        item = preview.offers.items.get(line.sku_id) if line.on_promo else None
        lines.append(PreviewLine(sku_id=listed.sku_id, product_id=listed.product_id, title=listed.title,
                                 specs=dict(listed.specs), cover_url=media_url(listed.cover_url),
                                 quantity=line.quantity,
                                 unit_price_fen=line.unit_price_fen, amount_fen=line.amount_fen,
                                 discount_fen=line.discount_fen, paid_fen=line.paid_fen,
                                 promo_price_fen=line.input.promo_price_fen,
                                 promotion_id=item.promotion_id if item else None))
    usable, unusable = coupon_choices(session, user=user, lines=preview.offers.lines,
                                      rules=replace(preview.rules, coupon=None))
    applied = p.full_reduction_applied
    return OrderPreview(lines=tuple(lines), goods_fen=p.goods_fen, member_discount_fen=p.member_discount_fen,
                        full_reduction_fen=p.full_reduction_fen, coupon_discount_fen=p.coupon_discount_fen,
                        shipping_fen=p.shipping_fen, payable_fen=p.payable_fen, usable_coupons=tuple(usable),
                        unusable_coupons=tuple(unusable),
                        full_reduction=AppliedFullReduction(promotion_id=applied.id, name=applied.name,
                                                            off_fen=p.full_reduction_fen) if applied else None,
                        coupon_id=coupon_id if p.coupon_applied else None, coupon_refusal=preview.coupon_refusal)


def place_order(session: Session, *, user: User, items: list[OrderItem], address_id: int, remark: str = "",
                idempotency_key: str | None = None, from_cart: bool = False, coupon_id: int | None = None) -> Order:
    """Create an order and take its stock. The same ``idempotency_key`` always returns the same order."""
    placed = _place(session, user=user, items=items, address_id=address_id, remark=remark,
                    idempotency_key=idempotency_key, from_cart=from_cart, coupon_id=coupon_id)[0]
    return placed if isinstance(placed, Order) else session.get(Order, placed.id)


def place_order_view(session: Session, *, user: User, items: list[OrderItem], address_id: int, remark: str = "",
                     idempotency_key: str | None = None, from_cart: bool = False,
                     coupon_id: int | None = None) -> OrderView:
    """``place_order``, answered with the shopper's view of the order: a new order's from what placing it wrote
    (it has no payment, shipment or refund yet), a repeated key's as ``order_detail`` reads it."""
    order, view = _place(session, user=user, items=items, address_id=address_id, remark=remark,
                         idempotency_key=idempotency_key, from_cart=from_cart, coupon_id=coupon_id, with_view=True)
    return view or order_detail(session, order.id, viewer=Shopper.of(user))


def place_order_for_token(session: Session, *, token: str, items: list[OrderItem], address_id: int, remark: str = "",
                          idempotency_key: str | None = None, from_cart: bool = False,
                          coupon_id: int | None = None) -> OrderView:
    """``place_order_view`` for the shopper whose token this is (POST /orders). The shopper, the order their
    Idempotency-Key placed already, the address and the SKUs are read in one statement, so a sold-out answer costs
    that statement and nothing else."""
    order = dict(items=items, address_id=address_id, remark=remark, from_cart=from_cart, coupon_id=coupon_id)
    key = idempotency_key.strip() if idempotency_key is not None else None
    if key is None or not 1 <= len(key) <= 64:  # no key, or a refused one: refused after the token is checked
        user = user_for_token(session, token)
        return place_order_view(session, user=user, idempotency_key=idempotency_key, **order)
    # The items' own refusals come after the token's and after the key's order is looked up, as before.
    reads = read_for_token(session, token, PLACING, items, key=key, address_id=address_id)
    user = reads.shopper
    if reads.row.placed_id is not None:
        return order_detail(session, reads.row.placed_id, viewer=Shopper.of(user), buyer_nickname=user.nickname)
    if reads.refusal is not None:
        raise reads.refusal
    placed, view = _place(session, user=user, idempotency_key=key, key_looked_up=True, with_view=True,
                          address=reads.address, address_looked_up=True, now=reads.now, levels=reads.levels,
                          full_reductions=reads.full_reductions, catalog_rows=reads.catalog_rows, **order)
    return view or order_detail(session, placed.id, viewer=Shopper.of(user), buyer_nickname=user.nickname)


def _place(session: Session, *, user: User, items: list[OrderItem], address_id: int, remark: str,
           idempotency_key: str | None, from_cart: bool, coupon_id: int | None,
           key_looked_up: bool = False, with_view: bool = False, address: Address | None = None,
           address_looked_up: bool = False, now: datetime | None = None, levels: tuple[LevelRow, ...] | None = None,
           full_reductions: tuple[FullReduction, ...] | None = None,
           catalog_rows: list | None = None) -> tuple[Order | Record, OrderView | None]:
    """The order, and (``with_view``) the new order's view; None for an order the key had placed already.
    ``address_looked_up``: ``address`` is the shopper's address of that id (its row), or None, read with the
    token. A new order is what its INSERTs returned, as rows (``Record``): nothing after them changes it, and
    loading them as ORM entities cost more than the statements (docs/architecture.md, "Performance"); an order the
    key had placed is the entity. ``now``, ``levels`` and ``full_reductions``: the moment the token's row was read
    at, and the member levels and running 满减 activities it carried (``_priced``); ``catalog_rows``: the SKUs'
    rows it carried (domain/orders/checkout_reads.py), else read here."""
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not 1 <= len(idempotency_key) <= 64:
            raise Invalid(OrderError.INVALID_IDEMPOTENCY_KEY, "Idempotency-Key 需为 1–64 个字符")
        existing = None if key_looked_up else _by_key(session, user.id, idempotency_key)
        if existing is not None:
            return existing, None
    if len(remark or "") > 200:
        raise Invalid(OrderError.INVALID_REMARK, "备注不能超过 200 字")
    # The SKUs first: a sold-out line is refused before anything else is read or locked.
    lines, catalog, running = load_lines(session, items, now, rows=catalog_rows)
    if not address_looked_up:
        address = address_book.get_address(session, user=user, address_id=address_id)
    elif address is None:
        raise address_book.address_not_found()
    preview = _priced(session, user=user, lines=lines, catalog=catalog, running=running, coupon_id=coupon_id,
                      lock=True, levels=levels, full_reductions=full_reductions)
    priced = preview.priced
    if coupon_id is not None and not priced.coupon_applied:
        # The shopper chose it: an order never goes ahead without it silently.
        raise Conflict(CouponError.COUPON_NOT_APPLICABLE, f"这张优惠券不可用：{preview.coupon_refusal.reason}")
    values = dict(
        order_no=business_number(), user_id=user.id, idempotency_key=idempotency_key,
        status=OrderStatus.PENDING_PAYMENT, goods_fen=priced.goods_fen,
        member_discount_fen=priced.member_discount_fen, full_reduction_fen=priced.full_reduction_fen,
        coupon_discount_fen=priced.coupon_discount_fen, shipping_fen=priced.shipping_fen,
        payable_fen=priced.payable_fen, coupon_id=coupon_id if priced.coupon_applied else None,
        receiver_name_enc=address.name_enc, receiver_phone_enc=address.phone_enc,
        receiver_phone_bidx=crypto.phone_index(address_book.phone_of(address)),
        receiver_province=address.province, receiver_city=address.city, receiver_district=address.district,
        receiver_street_enc=address.detail_enc, remark=(remark or "").strip(),
    )
    rows, products_seen = [], set()
    for n, line in enumerate(priced.lines, start=1):
        listed = preview.catalog[line.sku_id]
        rows.append(dict(
            line_no=n, product_id=listed.product_id, sku_id=listed.sku_id, title=listed.title,
            specs=dict(listed.specs), cover_url=listed.cover_url, unit_price_fen=line.unit_price_fen,
            quantity=line.quantity, amount_fen=line.amount_fen, discount_fen=line.discount_fen, paid_fen=line.paid_fen,
            buyer_id=user.id, first_of_product=listed.product_id not in products_seen,
        ))
        products_seen.add(listed.product_id)
    written = _write(session, user=user, values=values, rows=rows, preview=preview, with_view=with_view)
    if written is None:
        # The same key was placed concurrently and committed first: answer with that order.
        return _by_key(session, user.id, idempotency_key), None
    order, view = written
    if from_cart:
        remove_ordered(session, user=user, sku_ids=[line.sku_id for line in priced.lines])
    return order, view


def _write(session: Session, *, user: User | Record, values: dict, rows: list[dict], preview: Preview,
           with_view: bool) -> tuple[Record, OrderView | None] | None:
    """The new order's rows (``values``, the lines' ``rows``), what it takes from activities and the stock it takes;
    the order and (``with_view``) its view; None when the shopper's key had placed an order meanwhile."""
    priced = preview.priced
    stock = {line.sku_id: line.quantity for line in priced.lines}
    if values["coupon_id"] is None and is_postgres(session):
        # The order, its lines, what it takes from activities and the units and stock taken: one statement.
        uses, units = promotion_uses(priced=priced, offers=preview.offers)
        placed = write_placement(session, order=values | {"created_at": clock.now()}, lines=rows, uses=uses,
                                 units=units, quantities=stock)
        if placed.order is None:
            return None
        refuse_if_short(session, units=units, quantities=stock, units_taken=placed.units_taken,
                        skus_taken=placed.skus_taken)
        order = placed.order
        return order, new_order_view(session, order, viewer=Shopper.of(user), buyer_nickname=user.nickname) \
            if with_view else None
    order = insert_order(session, values)
    if order is None:
        return None
    insert_lines(session, order, [row | {"order_id": order.id} for row in rows])
    # The answer is built now, before any row is locked: nothing below changes what it shows, and in a flash sale
    # every moment between the activity's lock and the commit is the next buyer's wait.
    view = new_order_view(session, order, viewer=Shopper.of(user), buyer_nickname=user.nickname) if with_view else None
    # Activity items first, then the coupon, then the SKUs, each locked by its guarded statement and held to the
    # commit: cancelling takes them in the same order (domain/marketing/redemption.py), so the two never deadlock.
    units = record_promotion_uses(session, order=order, priced=priced, offers=preview.offers)
    take_promotion_stock(session, units)
    if order.coupon_id is not None:
        lock_for_order(session, user_coupon_id=order.coupon_id, user_id=user.id, order_id=order.id)
    take_stock(session, stock)
    return order, view


def _by_key(session: Session, user_id: int, key: str) -> Order | None:
    return session.scalar(_BY_KEY, {"user_id": user_id, "key": key})


# The order a shopper's key placed (a placement by token reads it with the token: domain/orders/checkout_reads.py).
_BY_KEY = select(Order).where(Order.user_id == bindparam("user_id"), Order.idempotency_key == bindparam("key"))


def _rules(session: Session, user: User, offers: Offers, coupon: ChosenCoupon | None,
           levels: tuple[LevelRow, ...] | None = None) -> PricingRules:
    settings = get_settings(session)
    return PricingRules(
        shipping_fee_fen=settings.shipping_fee_fen,
        free_shipping_threshold_fen=settings.free_shipping_threshold_fen,
        member_discount_bp=member_summary(session, user, levels=levels).discount_bp,
        full_reductions=offers.full_reductions,
        coupon=coupon.terms if coupon else None,
    )
