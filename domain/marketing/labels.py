"""How coupons and activities are named to people: "满199减20", "8.5折 最高减50", "每满100减10"."""

from __future__ import annotations

from domain.money import BP_SCALE, yuan


def short_yuan(fen: int) -> str:
    """19900 → "199", 1990 → "19.9", 1999 → "19.99": the way prices are written on a tag."""
    return yuan(fen).rstrip("0").rstrip(".") if fen % 100 else str(fen // 100)


def discount_rate(percent_off_bp: int) -> str:
    """1500 bp off → "8.5折" (pays 85%), 2000 → "8折", 1 → "9.999折"."""
    pays = BP_SCALE - percent_off_bp
    whole, frac = divmod(pays, 1000)
    text = f"{whole}.{frac:03d}".rstrip("0").rstrip(".")
    return f"{text}折"


def coupon_summary(*, kind: str, value_fen: int, percent_off_bp: int, cap_fen: int | None, threshold_fen: int) -> str:
    if kind == "fixed":
        if threshold_fen:
            return f"满{short_yuan(threshold_fen)}减{short_yuan(value_fen)}"
        return f"无门槛减{short_yuan(value_fen)}"
    head = f"满{short_yuan(threshold_fen)}享{discount_rate(percent_off_bp)}" if threshold_fen else \
        discount_rate(percent_off_bp)
    return f"{head} 最高减{short_yuan(cap_fen)}" if cap_fen else head


def full_reduction_tags(*, tiers: list[list[int]] | tuple, repeat: bool, max_off_fen: int | None) -> list[str]:
    """One tag per tier ("满199减20", "满299减50"), or "每满100减10" for the repeat mode."""
    if repeat and tiers:
        threshold, off = tiers[0]
        tag = f"每满{short_yuan(threshold)}减{short_yuan(off)}"
        return [f"{tag} 最高减{short_yuan(max_off_fen)}" if max_off_fen else tag]
    return [f"满{short_yuan(threshold)}减{short_yuan(off)}" for threshold, off in tiers]
