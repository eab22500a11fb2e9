"""Read models of shoppers for staff lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import User


def nicknames(session: Session, user_ids: list[int] | set[int]) -> dict[int, str]:
    """Nicknames of the users a page of orders, refunds or withdrawals refers to, in one query."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.nickname).where(User.id.in_(ids))).all())
