"""Which commission rates apply to a product: its own override, the global settings, or none."""

from __future__ import annotations

from dataclasses import dataclass

from domain.distribution.distributors import is_qualified
from domain.models import Product
from domain.money import bp_of
from domain.settings.service import BusinessSettings, get_settings


@dataclass(frozen=True)
class CommissionRates:
    level1_bp: int
    level2_bp: int


def rates_for(product: Product, settings: BusinessSettings) -> CommissionRates | None:
    """None when the product opts out of distribution. There are exactly two levels, never a third, and together
    they never pass the cap, whatever the product's own pair says."""
    if not product.distribution_enabled:
        return None
    if product.commission_level1_bp is not None and product.commission_level2_bp is not None:
        return within_cap(product.commission_level1_bp, product.commission_level2_bp, settings.commission_cap_bp)
    return within_cap(settings.commission_level1_bp, settings.commission_level2_bp, settings.commission_cap_bp)


def within_cap(level1_bp: int, level2_bp: int, cap_bp: int) -> CommissionRates:
    """The cap binds when commission is written, not only when rates are saved (a product saved under an older,
    higher cap): level 1 keeps its rate up to the cap, level 2 gets what is left (docs/money-and-rules.md,
    Rates and the cap)."""
    level1 = min(level1_bp, cap_bp)
    return CommissionRates(level1, min(level2_bp, cap_bp - level1))


def viewer_rates(session, product: Product, user) -> CommissionRates | None:
    """The rates a signed-in shopper would earn by sharing this product: only distributors who qualify now."""
    if user is None or not is_qualified(session, user.id):
        return None
    return rates_for(product, get_settings(session))


def preview_fen(price_fen: int, rates: CommissionRates) -> tuple[int, int]:
    """What each level would earn on one unit at this price (the 分享赚 figure)."""
    return bp_of(price_fen, rates.level1_bp), bp_of(price_fen, rates.level2_bp)
