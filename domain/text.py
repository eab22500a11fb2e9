"""Text that people type: cleaned of control characters, and required where a rule needs it."""

from __future__ import annotations

import unicodedata

from domain.errors import Invalid


def clean_text(text: str | None) -> str:
    """Without control characters or surrounding space."""
    return "".join(ch for ch in (text or "") if unicodedata.category(ch) != "Cc").strip()


def required_text(text: str | None, *, code: str, message: str, max_length: int = 200) -> str:
    """The cleaned text, or ``Invalid(code)`` when it is empty or longer than ``max_length``."""
    value = clean_text(text)
    if not value or len(value) > max_length:
        raise Invalid(code, message)
    return value


def reject_reason(text: str | None) -> str:
    """The reason staff give when they refuse something: shown to the shopper, so it is required."""
    return required_text(text, code="reason_required", message="请填写驳回原因")
