"""What staff type (yuan, percent) to what the domain stores (fen, basis points), with no float on the way.

Money is parsed by ``domain.money.parse_yuan`` and shown by ``domain.money.yuan``; percents are the same
fixed-point idea with two decimals: "12.5" % is 1250 bp.
"""

from __future__ import annotations

from decimal import Decimal

from domain.money import parse_yuan, yuan


def parse_percent(text: str) -> int:
    """'12.5' or '12.5%' → 1250 bp. At most two decimals (0.01% = 1 bp); negative signs are kept for the
    domain to refuse with its own message."""
    s = text.strip().removesuffix("%").strip()
    negative = s.startswith("-")
    if negative:
        s = s[1:]
    whole, _, frac = s.partition(".")
    if not (whole + frac):
        raise ValueError(f"not a percentage: {text!r}")
    whole = whole or "0"
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
        raise ValueError(f"not a percentage: {text!r}")
    bp = int(whole) * 100 + int((frac + "00")[:2])
    return -bp if negative else bp


def parse_signed_yuan(text: str) -> int:
    """'-12.50' → -1250 fen, '+3' → 300: an amount that may be taken away (a wallet adjustment)."""
    s = text.strip()
    sign = -1 if s.startswith("-") else 1
    return sign * parse_yuan(s.lstrip("+-").strip())


def percent_text(bp: int) -> str:
    """1250 → '12.5', 1000 → '10', 5 → '0.05'."""
    sign = "-" if bp < 0 else ""
    whole, frac = divmod(abs(bp), 100)
    return f"{sign}{whole}" + (f".{frac:02d}".rstrip("0") if frac else "")


def price_range_text(min_fen: int, max_fen: int) -> str:
    return f"¥{yuan(min_fen)}" if min_fen == max_fen else f"¥{yuan(min_fen)} – ¥{yuan(max_fen)}"


def chart_yuan(fen: int) -> Decimal:
    """An amount as a chart axis value, in yuan and exact (``Decimal``): a chart needs numbers, not text.
    Labels and hover text still come from ``yuan``."""
    return Decimal(fen).scaleb(-2)


def money(fen: int) -> str:
    """An amount as staff read it: 12345 → '¥123.45', -500 → '-¥5.00'."""
    return f"-¥{yuan(-fen)}" if fen < 0 else f"¥{yuan(fen)}"
