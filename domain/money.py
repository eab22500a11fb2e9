"""Money is integer fen; rates are integer basis points (1% = 100 bp). No floats anywhere."""

from __future__ import annotations

from collections.abc import Sequence

BP_SCALE = 10_000


def bp_of(amount_fen: int, bp: int) -> int:
    """The percentage rule used everywhere: ``amount * bp // 10000``, rounding down (merchant's favour)."""
    _require_int(amount_fen, "amount_fen")
    _require_int(bp, "bp")
    if amount_fen < 0 or bp < 0:
        raise ValueError("bp_of takes non-negative amounts and rates")
    return amount_fen * bp // BP_SCALE


def allocate(total_fen: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_fen`` over lines in proportion to ``weights``.

    Each part is floored first; the fen left over go one each to the largest remainders, and ties go to
    the lower index. The parts always sum to ``total_fen``. A total of 0, or all-zero weights with a zero
    total, gives zeros.
    """
    _require_int(total_fen, "total_fen")
    if total_fen < 0:
        raise ValueError("total_fen must not be negative")
    for w in weights:
        _require_int(w, "weight")
        if w < 0:
            raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if not weights:
        if total_fen:
            raise ValueError("cannot allocate a non-zero total over no lines")
        return []
    if weight_sum == 0:
        if total_fen:
            raise ValueError("cannot allocate a non-zero total over zero weights")
        return [0] * len(weights)
    parts = [total_fen * w // weight_sum for w in weights]
    remainders = [total_fen * w % weight_sum for w in weights]
    left = total_fen - sum(parts)
    # Largest remainder first; on equal remainders the lower index wins.
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        parts[i] += 1
    return parts


def yuan(amount_fen: int) -> str:
    """Display form: 12345 → '123.45'. For people only; never parse it back."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """'123.45' → 12345 fen, exactly (no float on the way). Used by staff forms."""
    s = text.strip().replace("¥", "").replace(",", "")
    if not s:
        raise ValueError("empty amount")
    negative = s.startswith("-")
    if negative:
        s = s[1:]
    whole, _, frac = s.partition(".")
    if not whole:
        whole = "0"
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
        raise ValueError(f"not an amount in yuan: {text!r}")
    fen = int(whole) * 100 + int((frac + "00")[:2])
    return -fen if negative else fen


def _require_int(value: object, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int number of fen or bp, got {type(value).__name__}")


def percent(bp: int) -> str:
    """Display form of a rate: 1000 → '10%', 1250 → '12.5%', 5 → '0.05%'."""
    whole, frac = divmod(bp, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".") + "%"
