"""The one pricing engine. Preview and checkout both call ``price_order``; it is pure (no Session), so that
every rule can be tested with exact amounts and no database.

Steps, in order (docs/money-and-rules.md, "Pricing an order"):
1. unit price (the SKU price, or the limited-time price while one is active);
2. member discount (the level's ``discount_bp``, on lines without a limited-time price);
3. 满减: ladder (the highest tier met) or repeat (每满减), capped by ``max_off_fen``; of several activities the one
   that takes most off, and only that one;
4. coupon: at most one, fixed or percent-with-cap, with a threshold and a scope; none after a 满减 that does not
   stack with coupons.
Lines at a limited-time price join steps 3 and 4 only when their activity says so (``promo_stacks``).
5. shipping: a flat fee, free at or above a threshold.
Order-level discounts (3, 4) are spread over the eligible lines by ``money.allocate``. Each line ends with
``paid_fen``; their sum is the goods total that is paid, and shipping is never part of a line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.money import BP_SCALE, allocate, bp_of


@dataclass(frozen=True)
class LineInput:
    sku_id: int
    product_id: int
    category_id: int | None
    quantity: int
    price_fen: int
    promo_price_fen: int | None = None  # limited-time discount price, when one is active
    promo_stacks: bool = False  # the activity's stack_with_others: may a promo line also take 满减 and coupons?


@dataclass(frozen=True)
class Scope:
    """Which lines an activity or coupon covers: everything, or some products / categories."""

    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()

    def covers(self, line: LineInput) -> bool:
        if not self.product_ids and not self.category_ids:
            return True
        return line.product_id in self.product_ids or (line.category_id in self.category_ids)


@dataclass(frozen=True)
class FullReduction:
    """满减: tiers of (threshold_fen, off_fen). Ladder mode: the highest tier met applies. Repeat mode (每满减):
    the first tier's off_fen for every whole multiple of its threshold. Either way never above ``max_off_fen``
    nor above the subtotal."""

    id: int
    tiers: tuple[tuple[int, int], ...]
    scope: Scope = Scope()
    name: str = ""
    repeat: bool = False
    max_off_fen: int | None = None
    stack_with_coupon: bool = True

    def off_for(self, subtotal_fen: int) -> int:
        if self.repeat:
            threshold, off = self.tiers[0]
            off = subtotal_fen // threshold * off if threshold > 0 else 0
        else:
            off = max((off for threshold, off in self.tiers if subtotal_fen >= threshold), default=0)
        if self.max_off_fen is not None:
            off = min(off, self.max_off_fen)
        return min(off, subtotal_fen)


@dataclass(frozen=True)
class Coupon:
    id: int
    kind: str  # "fixed": value_fen off; "percent": percent_off_bp off, capped at cap_fen
    value_fen: int = 0
    percent_off_bp: int = 0
    cap_fen: int | None = None
    threshold_fen: int = 0
    scope: Scope = Scope()


@dataclass(frozen=True)
class PricingRules:
    shipping_fee_fen: int
    free_shipping_threshold_fen: int
    member_discount_bp: int = BP_SCALE
    full_reduction: FullReduction | None = None
    coupon: Coupon | None = None
    full_reductions: tuple[FullReduction, ...] = ()  # candidates besides ``full_reduction``; the best one applies


@dataclass
class PricedLine:
    input: LineInput
    unit_price_fen: int
    amount_fen: int
    member_discount_fen: int = 0
    full_reduction_fen: int = 0
    coupon_discount_fen: int = 0

    @property
    def sku_id(self) -> int:
        return self.input.sku_id

    @property
    def quantity(self) -> int:
        return self.input.quantity

    @property
    def on_promo(self) -> bool:
        return self.input.promo_price_fen is not None

    @property
    def joins_order_discounts(self) -> bool:
        """满减 and coupons cover a promo line only when its activity stacks with others."""
        return not self.on_promo or self.input.promo_stacks

    @property
    def discount_fen(self) -> int:
        return self.member_discount_fen + self.full_reduction_fen + self.coupon_discount_fen

    @property
    def paid_fen(self) -> int:
        return self.amount_fen - self.discount_fen


@dataclass
class PricedOrder:
    lines: list[PricedLine]
    shipping_fen: int = 0
    coupon_applied: bool = False
    coupon_refusal: str | None = None
    coupon_base_fen: int = 0  # what the coupon's lines cost before it (its threshold is measured on this)
    full_reduction_applied: FullReduction | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def goods_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def member_discount_fen(self) -> int:
        return sum(line.member_discount_fen for line in self.lines)

    @property
    def full_reduction_fen(self) -> int:
        return sum(line.full_reduction_fen for line in self.lines)

    @property
    def coupon_discount_fen(self) -> int:
        return sum(line.coupon_discount_fen for line in self.lines)

    @property
    def paid_goods_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines)

    @property
    def payable_fen(self) -> int:
        return self.paid_goods_fen + self.shipping_fen


Step = Callable[[PricedOrder, PricingRules], None]


def member_discount_step(order: PricedOrder, rules: PricingRules) -> None:
    if rules.member_discount_bp >= BP_SCALE:
        return
    for line in order.lines:
        if not line.on_promo:
            line.member_discount_fen = line.amount_fen - bp_of(line.amount_fen, rules.member_discount_bp)


def full_reduction_step(order: PricedOrder, rules: PricingRules) -> None:
    """At most one activity: the one that takes most off (on equal amounts, the first given)."""
    candidates = (*rules.full_reductions, *((rules.full_reduction,) if rules.full_reduction else ()))
    best: tuple[FullReduction, int, list[PricedLine]] | None = None
    for activity in candidates:
        eligible = [line for line in order.lines if line.joins_order_discounts and activity.scope.covers(line.input)]
        off = activity.off_for(sum(line.paid_fen for line in eligible))
        if off > 0 and (best is None or off > best[1]):
            best = (activity, off, eligible)
    if best is None:
        return
    activity, off, eligible = best
    for line, part in zip(eligible, allocate(off, [line.paid_fen for line in eligible]), strict=True):
        line.full_reduction_fen = part
    order.full_reduction_applied = activity
    order.notes.append(activity.name or "满减")


def coupon_step(order: PricedOrder, rules: PricingRules) -> None:
    coupon = rules.coupon
    if coupon is None:
        return
    if order.full_reduction_applied is not None and not order.full_reduction_applied.stack_with_coupon:
        order.coupon_refusal = "coupon_not_stackable"
        return
    eligible = [line for line in order.lines if line.joins_order_discounts and coupon.scope.covers(line.input)]
    base = sum(line.paid_fen for line in eligible)
    order.coupon_base_fen = base
    if not eligible or base == 0:
        order.coupon_refusal = "coupon_not_applicable"
        return
    if base < coupon.threshold_fen:
        order.coupon_refusal = "coupon_threshold_not_met"
        return
    if coupon.kind == "fixed":
        off = min(coupon.value_fen, base)
    else:
        off = bp_of(base, coupon.percent_off_bp)
        if coupon.cap_fen is not None:
            off = min(off, coupon.cap_fen)
    for line, part in zip(eligible, allocate(off, [line.paid_fen for line in eligible]), strict=True):
        line.coupon_discount_fen = part
    order.coupon_applied = True


def shipping_step(order: PricedOrder, rules: PricingRules) -> None:
    free = order.paid_goods_fen >= rules.free_shipping_threshold_fen
    order.shipping_fen = 0 if free else rules.shipping_fee_fen


# Step 1 (unit price) happens as the lines are built, in ``_priced``.
STEPS: tuple[Step, ...] = (member_discount_step, full_reduction_step, coupon_step, shipping_step)


def price_order(lines: list[LineInput], rules: PricingRules) -> PricedOrder:
    if not lines:
        raise ValueError("an order needs at least one line")
    order = PricedOrder(lines=[_priced(line) for line in lines])
    for step in STEPS:
        step(order, rules)
    return order


def _priced(line: LineInput) -> PricedLine:
    if line.quantity <= 0:
        raise ValueError("quantity must be positive")
    unit = line.promo_price_fen if line.promo_price_fen is not None else line.price_fen
    return PricedLine(input=line, unit_price_fen=unit, amount_fen=unit * line.quantity)
