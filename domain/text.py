"""Text that people type: cleaned of control characters, and required where a rule needs it."""

from __future__ import annotations

import unicodedata

from domain.errors import CommonError, Invalid


def clean_text(text: str | None) -> str:
    """Without control characters or surrounding space."""
    return "".join(ch for ch in (text or "") if unicodedata.category(ch) != "Cc").strip()


def required_text(text: str | None, *, code: str, message: str, max_length: int = 200, **details: object) -> str:
    """The cleaned text, or ``Invalid(code, **details)`` when it is empty or longer than ``max_length``."""
    value = clean_text(text)
    if not value or len(value) > max_length:
        raise Invalid(code, message, **details)
    return value


def reject_reason(text: str | None) -> str:
    """The reason staff give when they refuse something: shown to the shopper, so it is required."""
    return required_text(text, code=CommonError.REASON_REQUIRED, message="请填写驳回原因")


# --- text that may not enter at all -----------------------------------------------------------------
# NUL and the other control characters (newline, carriage return and tab excepted) and lone surrogates are
# refused wherever text comes in: the API checks every request (backend/text_guard.py) and the database layer
# checks every bound parameter (domain/db.py), so a dashboard form cannot slip one past either.

_ALLOWED_CONTROLS = frozenset("\n\r\t")


def is_bad_char(ch: str) -> bool:
    if ch in _ALLOWED_CONTROLS:
        return False
    return unicodedata.category(ch) in ("Cc", "Cs")


def has_bad_text(value: object, *, depth: int = 0) -> bool:
    """True when a string anywhere in ``value`` (dict keys and values, list items) holds a refused character."""
    if isinstance(value, str):
        return any(is_bad_char(ch) for ch in value) if not value.isprintable() else False
    if depth > 32:
        return False
    if isinstance(value, dict):
        return any(has_bad_text(k, depth=depth + 1) or has_bad_text(v, depth=depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_bad_text(v, depth=depth + 1) for v in value)
    return False


def refuse_bad_text(value: object) -> None:
    if has_bad_text(value):
        raise Invalid(CommonError.INVALID_TEXT, "输入中含有不允许的字符（控制字符或无效编码）")
