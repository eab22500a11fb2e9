"""Searching by typed text: what staff or shoppers type is matched literally.

SQL's LIKE reads ``%`` and ``_`` as wildcards (and here ``\\`` as the escape), so typed text has all three escaped:
"50%" finds "满50%返" and not every title with a 50 in it, and "a_b" does not find "axb". Every text search goes
through these two helpers (docs/security.md, Text input).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` as a LIKE pattern that matches exactly itself."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(column: InstrumentedAttribute[str] | ColumnElement[str], text: str) -> ColumnElement[bool]:
    """The column holds ``text`` anywhere, ignoring case."""
    return column.ilike(f"%{escape_like(text)}%", escape=ESCAPE)


def starts_with(column: InstrumentedAttribute[str] | ColumnElement[str], text: str) -> ColumnElement[bool]:
    """The column begins with ``text`` (case as typed: it serves codes such as audit action names)."""
    return column.like(f"{escape_like(text)}%", escape=ESCAPE)
